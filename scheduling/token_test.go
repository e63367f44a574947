package scheduling_test

import (
	"testing"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/scheduling"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// With a TokenKey the manage token is derived from the booking, so that
// the e-mails sent later can carry the link the student got; without one
// it is random and ManageURL makes no link. The librarian's new-booking
// note is queued only for a librarian who opted in.
func TestManageURLAndLibrarianNote(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, booking.Rules{})
		ingrid := f.librarian("ingrid", "Haugen, Ingrid", "zotero")
		f.weekly(ingrid, "w", "")
		p := booking.DefaultProfile(ingrid.ID)
		p.NotifyNewBooking = true
		if err := s.SetProfile(f.ctx, p); err != nil {
			t.Fatal(err)
		}
		keyed := scheduling.New(scheduling.Config{Store: txStore{Store: s}, Location: f.loc, Now: f.clock.now, BaseURL: "https://veileder.example",
			MaxConcurrentBookings: maxBookings(s), TokenKey: []byte("0123456789abcdef0123456789abcdef")})

		v, token, err := keyed.Book(f.ctx, request(f.local("2026-03-23 09:00"), "a@student.example"))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := keyed.ManageURL(v.Booking), "https://veileder.example/booking/"+token; got != want {
			t.Errorf("ManageURL: got %q, want %q", got, want)
		}
		if got, err := keyed.Booking(f.ctx, token); err != nil || got.ID != v.ID {
			t.Errorf("Booking(derived token): got %d, %v", got.ID, err)
		}
		if got := f.svc.ManageURL(v.Booking); got != "" {
			t.Errorf("ManageURL without a key: got %q, want none", got)
		}

		w, _, err := f.svc.Book(f.ctx, request(f.local("2026-03-23 11:00"), "b@student.example"))
		if err != nil {
			t.Fatal(err)
		}
		if got := keyed.ManageURL(w.Booking); got != "" {
			t.Errorf("ManageURL of a random token: got %q, want none", got)
		}
		st, err := s.OutboxStats(f.ctx)
		if err != nil || st.Pending != 4 {
			t.Errorf("outbox: got %+v, %v; want 2 confirmations and 2 librarian notes pending", st, err)
		}
	})
}
