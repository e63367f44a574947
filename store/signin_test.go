package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// TestLoginStates: a login is taken once, not after it expires, and the
// purge removes what expired.
func TestLoginStates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		now := time.Now()
		live := booking.LoginState{StateHash: "live", Nonce: "n", Verifier: "v", Purpose: booking.LoginStaff, Return: "/staff",
			CreatedAt: now, ExpiresAt: now.Add(10 * time.Minute)}
		old := booking.LoginState{StateHash: "old", Nonce: "n", Verifier: "v", Purpose: booking.LoginStudent,
			CreatedAt: now.Add(-time.Hour), ExpiresAt: now.Add(-50 * time.Minute)}
		for _, l := range []booking.LoginState{live, old} {
			if err := s.SaveLoginState(ctx, l); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.SaveLoginState(ctx, live); !errors.Is(err, booking.ErrConflict) {
			t.Errorf("same state twice: err = %v, want ErrConflict", err)
		}
		got, err := s.TakeLoginState(ctx, "live")
		if err != nil || got.Nonce != "n" || got.Verifier != "v" || got.Return != "/staff" || got.Purpose != booking.LoginStaff {
			t.Errorf("take = %+v, %v", got, err)
		}
		if _, err := s.TakeLoginState(ctx, "live"); !errors.Is(err, booking.ErrNotFound) {
			t.Errorf("take twice: err = %v, want ErrNotFound", err)
		}
		if _, err := s.TakeLoginState(ctx, "old"); !errors.Is(err, booking.ErrNotFound) {
			t.Errorf("take expired: err = %v, want ErrNotFound", err)
		}
		// Taking it removed it; one more for the purge.
		if err := s.SaveLoginState(ctx, old); err != nil {
			t.Fatal(err)
		}
		token, err := s.CreateStudentSession(ctx, booking.StudentSession{Identity: "iss sub", Name: "A", Email: "a@uio.no"}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if st, err := s.StudentSession(ctx, token); err != nil || st.Email != "a@uio.no" {
			t.Errorf("student session = %+v, %v", st, err)
		}
		n, err := s.PurgeSignIns(ctx)
		if err != nil || n != 1 {
			t.Errorf("purge: %d, %v; want the expired login only", n, err)
		}
		if n, err := s.DeleteStudentSessionsByEmail(ctx, "A@UIO.NO"); err != nil || n != 1 {
			t.Errorf("delete sessions by address: %d, %v; want 1", n, err)
		}
		if _, err := s.StudentSession(ctx, token); !errors.Is(err, booking.ErrUnauthenticated) {
			t.Errorf("session after erasure: err = %v, want ErrUnauthenticated", err)
		}
	})
}

// TestStaffIdentities: one subject per account and one account per
// subject.
func TestStaffIdentities(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		a, err := s.CreateUser(ctx, booking.User{Username: "anne", Role: booking.RoleLibrarian}, "correct horse battery")
		if err != nil {
			t.Fatal(err)
		}
		b, err := s.CreateUser(ctx, booking.User{Username: "bjorn", Role: booking.RoleLibrarian}, "correct horse battery")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.LinkIdentity(ctx, booking.StaffIdentity{UserID: a.ID, Issuer: "https://idp", Subject: "s1", How: booking.LinkedByAdmin}); err != nil {
			t.Fatal(err)
		}
		if err := s.LinkIdentity(ctx, booking.StaffIdentity{UserID: b.ID, Issuer: "https://idp", Subject: "s1", How: booking.LinkedByAdmin}); !errors.Is(err, booking.ErrConflict) {
			t.Errorf("a subject for two accounts: err = %v, want ErrConflict", err)
		}
		// A new link replaces the account's old one.
		if err := s.LinkIdentity(ctx, booking.StaffIdentity{UserID: a.ID, Issuer: "https://idp", Subject: "s2", How: booking.LinkedByEmail}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UserByIdentity(ctx, "https://idp", "s1"); !errors.Is(err, booking.ErrNotFound) {
			t.Errorf("old subject: err = %v, want ErrNotFound", err)
		}
		if u, err := s.UserByIdentity(ctx, "https://idp", "s2"); err != nil || u.ID != a.ID {
			t.Errorf("user of s2 = %+v, %v; want anne", u, err)
		}
		if err := s.LinkIdentity(ctx, booking.StaffIdentity{UserID: b.ID, Issuer: "https://idp", Subject: " ", How: booking.LinkedByAdmin}); !errors.Is(err, booking.ErrInvalid) {
			t.Errorf("empty subject: err = %v, want ErrInvalid", err)
		}
		if err := s.UnlinkIdentity(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.IdentityOf(ctx, a.ID); !errors.Is(err, booking.ErrNotFound) {
			t.Errorf("after unlinking: err = %v, want ErrNotFound", err)
		}
		off, err := s.LocalPasswordsOff(ctx)
		if err != nil || off {
			t.Errorf("passwords off by default: %v, %v", off, err)
		}
		for _, want := range []bool{true, false} {
			if err := s.SetLocalPasswordsOff(ctx, want); err != nil {
				t.Fatal(err)
			}
			if got, err := s.LocalPasswordsOff(ctx); err != nil || got != want {
				t.Errorf("passwords off: got %v, %v; want %v", got, err, want)
			}
		}
	})
}
