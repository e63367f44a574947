package scheduling_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// events lists the UIDs and DTSTARTs of a librarian's bookings calendar.
func (f *fixture) events(u booking.User) []string {
	f.t.Helper()
	objs, err := f.s.Objects(f.ctx, f.calendar(u.ID, "bookings").ID, true)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, o := range objs {
		ev := parseEvent(f.t, o.Data)
		out = append(out, o.UID+" "+ev.Props.Get("DTSTART").Value+" seq "+ev.Props.Get("SEQUENCE").Value)
	}
	return out
}

// queued lists the kinds of the messages waiting in the outbox.
func (f *fixture) queued() []string {
	f.t.Helper()
	msgs, err := f.s.ClaimMessages(f.ctx, f.clock.now().Add(time.Hour), time.Minute, 100)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, m := range msgs {
		out = append(out, fmt.Sprintf("%s %d", m.Kind, m.Sequence))
	}
	slices.Sort(out)
	return out
}

func TestMove(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, booking.Rules{})
		ingrid := f.librarian("ingrid", "Haugen, Ingrid", "zotero")
		per := f.librarian("per", "Berg, Per", "zotero")
		f.weekly(ingrid, "wi", "", "LOCATION:Rom 1")
		f.weekly(per, "wp", "", "LOCATION:Rom 2")
		at := f.local("2026-03-23 09:00")
		v, token, err := f.svc.Book(f.ctx, request(at, "john@student.example"))
		if err != nil {
			t.Fatal(err)
		}
		own := v.LibrarianID
		other := map[int64]booking.User{ingrid.ID: per, per.ID: ingrid}[own]
		ownUser := map[int64]booking.User{ingrid.ID: ingrid, per.ID: per}[own]
		f.queued() // the booking's own messages are not this test's

		// Fifteen minutes later overlaps the booking's own time: it does
		// not block itself, and the librarian stays the same.
		later := at.Add(15 * time.Minute)
		m, err := f.svc.Move(f.ctx, token, booking.MoveRequest{Start: later})
		if err != nil {
			t.Fatalf("move to %v: %v", later, err)
		}
		if m.ID != v.ID || m.EventUID != v.EventUID || m.LibrarianID != own || !m.Start.Equal(later) || !m.End.Equal(later.Add(45*time.Minute)) || m.Sequence != 1 {
			t.Errorf("moved booking: %+v", m.Booking)
		}
		if got, want := f.events(ownUser), []string{v.EventUID + " 20260323T081500Z seq 1"}; !slices.Equal(got, want) {
			t.Errorf("own calendar: got %q, want %q", got, want)
		}
		if got, want := f.queued(), []string{"moved 1"}; !slices.Equal(got, want) {
			t.Errorf("queued: got %q, want %q", got, want)
		}
		if got, err := f.svc.Booking(f.ctx, token); err != nil || !got.Start.Equal(later) {
			t.Errorf("the token's booking: %+v, %v", got.Booking, err)
		}

		// To the other librarian, by name: the event leaves one calendar
		// for the other, with the same UID.
		m, err = f.svc.Move(f.ctx, token, booking.MoveRequest{Start: at, LibrarianID: other.ID})
		if err != nil {
			t.Fatalf("move to the other librarian: %v", err)
		}
		if m.LibrarianID != other.ID || m.Sequence != 2 || m.EventUID != v.EventUID || m.LibrarianName != other.DisplayName {
			t.Errorf("moved booking: %+v", m)
		}
		if got := f.events(ownUser); len(got) != 0 {
			t.Errorf("old librarian's calendar: got %q, want none", got)
		}
		if got, want := f.events(other), []string{v.EventUID + " 20260323T080000Z seq 2"}; !slices.Equal(got, want) {
			t.Errorf("new librarian's calendar: got %q, want %q", got, want)
		}
		if got, want := f.queued(), []string{"moved 2"}; !slices.Equal(got, want) {
			t.Errorf("queued: got %q, want %q", got, want)
		}

		// Refusals change nothing.
		kari, _, err := f.svc.Book(f.ctx, request(f.local("2026-03-30 09:00"), "kari@student.example"))
		if err != nil {
			t.Fatal(err)
		}
		_, cancelledToken, err := f.svc.Book(f.ctx, request(f.local("2026-03-30 10:00"), "ola@student.example"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Cancel(f.ctx, cancelledToken); err != nil {
			t.Fatal(err)
		}
		f.queued()
		tests := []struct {
			name  string
			token string
			r     booking.MoveRequest
			field string // the FieldError's field and code, or
			code  string
			err   error // the error
		}{
			{"same time", token, booking.MoveRequest{Start: at}, "start", "same", nil},
			{"no time", token, booking.MoveRequest{}, "start", "required", nil},
			{"past", token, booking.MoveRequest{Start: f.clock.now().Add(-time.Hour)}, "start", "past", nil},
			{"off grid", token, booking.MoveRequest{Start: at.Add(time.Hour + 5*time.Minute)}, "start", "off_grid", nil},
			{"librarian without the topic", token, booking.MoveRequest{Start: at.Add(time.Hour), LibrarianID: 999999}, "librarian", "invalid", nil},
			{"nobody free", token, booking.MoveRequest{Start: f.local("2026-03-23 14:00")}, "", "", booking.ErrSlotTaken},
			{"taken by another student", token, booking.MoveRequest{Start: kari.Start, LibrarianID: kari.LibrarianID}, "", "", booking.ErrSlotTaken},
			{"cancelled booking", cancelledToken, booking.MoveRequest{Start: at.Add(time.Hour)}, "", "", booking.ErrConflict},
			{"unknown token", strings.Repeat("A", 43), booking.MoveRequest{Start: at.Add(time.Hour)}, "", "", booking.ErrNotFound},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := f.svc.Move(f.ctx, tt.token, tt.r)
				var fe *booking.FieldError
				switch {
				case tt.err != nil && !errors.Is(err, tt.err):
					t.Errorf("got %v, want %v", err, tt.err)
				case tt.err == nil && (!errors.As(err, &fe) || fe.Field != tt.field || fe.Code != tt.code):
					t.Errorf("got %v, want %s: %s", err, tt.field, tt.code)
				}
			})
		}
		if got, err := f.svc.Booking(f.ctx, token); err != nil || !got.Start.Equal(at) || got.LibrarianID != other.ID || got.Sequence != 2 {
			t.Errorf("after the refusals: %+v, %v", got.Booking, err)
		}
		if got := f.queued(); len(got) != 0 {
			t.Errorf("refusals queued %q", got)
		}

		// Back to the first librarian, from one who takes invitations in
		// Outlook: their copy there is cancelled (librarian-release, for
		// them), and the first librarian, who does not, gets none.
		if err := s.SetExternalPrefs(f.ctx, other.ID, booking.ExternalPrefs{InviteBookings: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Move(f.ctx, token, booking.MoveRequest{Start: at.Add(time.Hour), LibrarianID: ownUser.ID}); err != nil {
			t.Fatalf("move back: %v", err)
		}
		msgs, err := s.ClaimMessages(f.ctx, f.clock.now().Add(time.Hour), time.Minute, 100)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, m := range msgs {
			kinds = append(kinds, fmt.Sprintf("%s %d", m.Kind, m.Sequence))
			if m.Kind == booking.MessageLibrarianRelease && (m.UserID != other.ID || m.BookingID != v.ID) {
				t.Errorf("release: for librarian %d and booking %d, want %d and %d", m.UserID, m.BookingID, other.ID, v.ID)
			}
		}
		slices.Sort(kinds)
		if want := []string{"librarian-release 3", "moved 3"}; !slices.Equal(kinds, want) {
			t.Errorf("queued after moving back: got %q, want %q", kinds, want)
		}
		if err := s.SetExternalPrefs(f.ctx, other.ID, booking.ExternalPrefs{}); err != nil {
			t.Fatal(err)
		}

		// A meeting that has begun cannot be moved.
		f.clock.set(at.Add(time.Hour + time.Minute)) // the booking is at at+1h now
		var fe *booking.FieldError
		if _, err := f.svc.Move(f.ctx, token, booking.MoveRequest{Start: f.local("2026-03-30 11:00")}); !errors.As(err, &fe) || fe.Code != "started" {
			t.Errorf("moving a begun meeting: got %v, want start: started", err)
		}
	})
}

// TestMoveRace races a student's move against another student's booking
// of the same time, the only librarian's: exactly one wins, the loser is
// told the time is taken, and nothing is lost: the mover holds either the
// new time or still the old one, with one event per booking.
func TestMoveRace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, booking.Rules{})
		ingrid := f.librarian("ingrid", "Haugen, Ingrid", "zotero")
		f.weekly(ingrid, "w", "")
		const rounds = 6
		movedWins, bookWins := 0, 0
		for i := range rounds {
			day := f.local("2026-03-23 09:00").AddDate(0, 0, 7*(i%3))
			from, to := day.Add(time.Duration(i/3)*time.Hour), day.Add(2*time.Hour)
			_, token, err := f.svc.Book(f.ctx, request(from, fmt.Sprintf("mover%d@student.example", i)))
			if err != nil {
				t.Fatalf("round %d: book: %v", i, err)
			}
			var wg sync.WaitGroup
			var moveErr, bookErr error
			wg.Go(func() { _, moveErr = f.svc.Move(f.ctx, token, booking.MoveRequest{Start: to}) })
			wg.Go(func() {
				_, _, bookErr = f.svc.Book(f.ctx, request(to, fmt.Sprintf("rival%d@student.example", i)))
			})
			wg.Wait()
			switch {
			case moveErr == nil && errors.Is(bookErr, booking.ErrSlotTaken):
				movedWins++
			case bookErr == nil && errors.Is(moveErr, booking.ErrSlotTaken):
				bookWins++
			default:
				t.Fatalf("round %d: move %v, book %v; want exactly one to win", i, moveErr, bookErr)
			}
			mine, err := f.svc.Booking(f.ctx, token)
			if err != nil || !mine.Active() {
				t.Fatalf("round %d: the mover's booking: %+v, %v", i, mine.Booking, err)
			}
			if want := map[bool]time.Time{true: to, false: from}[moveErr == nil]; !mine.Start.Equal(want) {
				t.Errorf("round %d: the mover holds %v, want %v", i, mine.Start, want)
			}
			// Remove the round's bookings, so that the next starts afresh.
			bs, err := s.BookingsOfLibrarian(f.ctx, ingrid.ID, day, day.Add(24*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			var active int
			for _, b := range bs {
				if b.Active() {
					active++
				}
			}
			// The mover's booking, and the rival's if it won.
			want := 1
			if bookErr == nil {
				want = 2
			}
			if active != want || len(f.events(ingrid)) != want {
				t.Errorf("round %d: %d active bookings and events %q, want %d of each", i, active, f.events(ingrid), want)
			}
			for _, b := range bs {
				if b.Active() {
					if _, err := f.svc.CancelByID(f.ctx, b.ID, booking.PartyAdmin); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		t.Logf("move won %d, booking won %d of %d", movedWins, bookWins, rounds)
	})
}
