package store_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

func TestCreateUserCreatesDefaultCalendars(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		u := createUser(t, s, "ola", booking.RoleLibrarian)
		if u.ID == 0 || u.CreatedAt.IsZero() {
			t.Errorf("CreateUser: got id %d, created %v; want both set", u.ID, u.CreatedAt)
		}

		cals, err := s.Calendars(t.Context(), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		type cal struct {
			slug, kind, name, comps string
			owner                   int64
		}
		var got []cal
		for _, c := range cals {
			got = append(got, cal{c.Slug, string(c.Kind), c.DisplayName, strings.Join(c.Components, ","), c.OwnerID})
		}
		want := []cal{
			{"availability", "availability", "Tilgjengelig for veiledning", "VEVENT", u.ID},
			{"bookings", "bookings", "Bookinger", "VEVENT", u.ID},
			{"personal", "personal", "Kalender", "VEVENT,VTODO", u.ID},
			{"dropin", "dropin", "Drop-in", "VEVENT", 0},
		}
		if !slices.Equal(got, want) {
			t.Errorf("Calendars:\n got %v\nwant %v", got, want)
		}
	})
}

func TestCreateUserInvalid(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		createUser(t, s, "taken", booking.RoleLibrarian)
		tests := []struct {
			name     string
			user     booking.User
			password string
			want     error
		}{
			{"ok, empty role is librarian", booking.User{Username: "fine"}, "12345678", nil},
			{"taken name", booking.User{Username: "taken"}, testPassword, booking.ErrConflict},
			{"bad name", booking.User{Username: "Ola Nordmann"}, testPassword, booking.ErrInvalid},
			{"bad role", booking.User{Username: "x1", Role: "student"}, testPassword, booking.ErrInvalid},
			{"short password", booking.User{Username: "x2"}, "1234567", booking.ErrInvalid},
			{"long password", booking.User{Username: "x3"}, strings.Repeat("p", 129), booking.ErrInvalid},
			{"longest password", booking.User{Username: "x4"}, strings.Repeat("p", 128), nil},
		}
		for _, tt := range tests {
			_, err := s.CreateUser(t.Context(), tt.user, tt.password)
			checkErr(t, tt.name, err, tt.want)
		}
		// The failed creation of "taken" left no calendars behind.
		u, err := s.UserByUsername(t.Context(), "fine")
		if err != nil {
			t.Fatal(err)
		}
		if u.Role != booking.RoleLibrarian {
			t.Errorf("role: got %q, want %q", u.Role, booking.RoleLibrarian)
		}
	})
}

func TestAuthenticate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		ola := createUser(t, s, "ola", booking.RoleLibrarian)
		createUser(t, s, "kari", booking.RoleCoordinator)
		if err := s.SetDisabled(ctx, "kari", true); err != nil {
			t.Fatal(err)
		}
		long := strings.Repeat("lang-", 20) // 100 bytes, beyond bcrypt's 72
		if _, err := s.CreateUser(ctx, booking.User{Username: "per"}, long); err != nil {
			t.Fatal(err)
		}
		phone, _, err := s.CreateAppPassword(ctx, ola.ID, "iPhone")
		if err != nil {
			t.Fatal(err)
		}
		laptop, laptopID, err := s.CreateAppPassword(ctx, ola.ID, "Thunderbird")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeAppPassword(ctx, ola.ID, laptopID); err != nil {
			t.Fatal(err)
		}
		kariApp, _, err := s.CreateAppPassword(ctx, mustUser(t, s, "kari").ID, "phone")
		if err != nil {
			t.Fatal(err)
		}

		tests := []struct {
			name, username, password string
			want                     string // user name on success, "" for ErrUnauthenticated
		}{
			{"account password", "ola", testPassword, "ola"},
			{"capitalised user name", "Ola", testPassword, "ola"},
			{"wrong password", "ola", testPassword + "x", ""},
			{"empty password", "ola", "", ""},
			{"unknown user", "nobody", testPassword, ""},
			{"app password", "ola", phone, "ola"},
			{"revoked app password", "ola", laptop, ""},
			{"another user's app password", "ola", kariApp, ""},
			{"disabled user", "kari", testPassword, ""},
			{"disabled user's app password", "kari", kariApp, ""},
			{"long password", "per", long, "per"},
			{"long password, last byte wrong", "per", long[:99] + "x", ""},
			{"long password cut at 72", "per", long[:72], ""},
		}
		for _, tt := range tests {
			u, err := s.Authenticate(ctx, tt.username, tt.password)
			switch {
			case tt.want == "" && !errors.Is(err, booking.ErrUnauthenticated):
				t.Errorf("%s: got %v, %v; want ErrUnauthenticated", tt.name, u.Username, err)
			case tt.want != "" && (err != nil || u.Username != tt.want):
				t.Errorf("%s: got %q, %v; want %q", tt.name, u.Username, err, tt.want)
			}
		}

		apps, err := s.AppPasswords(ctx, ola.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(apps) != 1 || apps[0].Label != "iPhone" || apps[0].LastUsedAt.IsZero() {
			t.Errorf("AppPasswords: got %+v, want the used iPhone one only", apps)
		}
	})
}

func mustUser(t *testing.T, s *store.Store, username string) booking.User {
	t.Helper()
	u, err := s.UserByUsername(t.Context(), username)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestUserAdministration(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		ola := createUser(t, s, "ola", booking.RoleLibrarian)
		kari := createUser(t, s, "kari", booking.RoleLibrarian)

		checkErr(t, "SetRole", s.SetRole(ctx, "kari", booking.RoleAdmin), nil)
		checkErr(t, "SetRole bad", s.SetRole(ctx, "kari", "boss"), booking.ErrInvalid)
		checkErr(t, "SetRole unknown user", s.SetRole(ctx, "nobody", booking.RoleAdmin), booking.ErrNotFound)
		checkErr(t, "SetPassword", s.SetPassword(ctx, "kari", "new password"), nil)
		checkErr(t, "SetPassword short", s.SetPassword(ctx, "kari", "short"), booking.ErrInvalid)
		checkErr(t, "SetPassword unknown user", s.SetPassword(ctx, "nobody", "new password"), booking.ErrNotFound)
		checkErr(t, "SetDisabled unknown user", s.SetDisabled(ctx, "nobody", true), booking.ErrNotFound)
		_, err := s.UserByUsername(ctx, "nobody")
		checkErr(t, "UserByUsername unknown", err, booking.ErrNotFound)

		_, err = s.Authenticate(ctx, "kari", testPassword)
		checkErr(t, "old password", err, booking.ErrUnauthenticated)
		_, err = s.Authenticate(ctx, "kari", "new password")
		checkErr(t, "new password", err, nil)

		checkErr(t, "SetDisabled", s.SetDisabled(ctx, "kari", true), nil)
		_, err = s.Authenticate(ctx, "kari", "new password")
		checkErr(t, "disabled", err, booking.ErrUnauthenticated)
		checkErr(t, "SetDisabled false", s.SetDisabled(ctx, "kari", false), nil)
		_, err = s.Authenticate(ctx, "kari", "new password")
		checkErr(t, "enabled again", err, nil)

		users, err := s.Users(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, u := range users {
			got = append(got, u.Username+":"+string(u.Role))
		}
		if want := []string{"kari:admin", "ola:librarian"}; !slices.Equal(got, want) {
			t.Errorf("Users: got %v, want %v", got, want)
		}
		if u, err := s.UserByID(ctx, kari.ID); err != nil || u.Username != "kari" {
			t.Errorf("UserByID: got %q, %v; want kari", u.Username, err)
		}

		_, _, err = s.CreateAppPassword(ctx, kari.ID, " ")
		checkErr(t, "CreateAppPassword without label", err, booking.ErrInvalid)
		_, _, err = s.CreateAppPassword(ctx, 9999, "phone")
		checkErr(t, "CreateAppPassword unknown user", err, booking.ErrNotFound)
		plain, id, err := s.CreateAppPassword(ctx, kari.ID, "phone")
		checkErr(t, "CreateAppPassword", err, nil)
		if len(plain) != 19 || strings.Count(plain, "-") != 3 {
			t.Errorf("CreateAppPassword: got %q, want xxxx-xxxx-xxxx-xxxx", plain)
		}
		checkErr(t, "RevokeAppPassword of another user", s.RevokeAppPassword(ctx, ola.ID, id), booking.ErrNotFound)
		checkErr(t, "RevokeAppPassword", s.RevokeAppPassword(ctx, kari.ID, id), nil)
		checkErr(t, "RevokeAppPassword again", s.RevokeAppPassword(ctx, kari.ID, id), booking.ErrNotFound)
	})
}
