package scheduling_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/scheduling"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// The follow-up links: a rating only after the meeting, once; the token
// is the booking's and its purpose's; the export has the rating; an
// erasure keeps the rating as statistics and drops the comment.
func TestFollowUpLinks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, booking.Rules{})
		f.svc = scheduling.New(scheduling.Config{
			Store: txStore{Store: s}, Location: f.loc, Now: f.clock.now, BaseURL: "https://veileder.example",
			TokenKey: []byte("0123456789abcdef0123456789abcdef"), MaxConcurrentBookings: maxBookings(s),
		})
		ingrid := f.librarian("ingrid", "Haugen, Ingrid", "zotero")
		f.weekly(ingrid, "w", "")
		at := f.local("2026-03-23 09:00")
		v, _, err := f.svc.Book(f.ctx, request(at, "john@student.example"))
		if err != nil {
			t.Fatal(err)
		}
		token := func(u string) string { return u[strings.LastIndex(u, "/")+1:] }
		rating, attendance := token(f.svc.FeedbackURL(v.Booking)), token(f.svc.AttendanceURL(v.Booking))
		if rating == attendance || !strings.HasPrefix(rating, "1.") {
			t.Fatalf("tokens %q and %q", rating, attendance)
		}
		for _, bad := range []string{attendance, "1.AAAA", "2." + strings.TrimPrefix(rating, "1."), "x", ""} {
			if _, _, err := f.svc.FeedbackBooking(f.ctx, bad); !errors.Is(err, booking.ErrNotFound) {
				t.Errorf("FeedbackBooking(%q): %v, want ErrNotFound", bad, err)
			}
		}
		if err := f.svc.RecordFeedback(f.ctx, rating, 5, ""); !errors.Is(err, booking.ErrInvalid) {
			t.Errorf("rating before the meeting: %v, want ErrInvalid", err)
		}
		if err := f.svc.MarkAttendance(f.ctx, attendance, booking.AttendanceHeld); !errors.Is(err, booking.ErrInvalid) {
			t.Errorf("held before the meeting: %v, want ErrInvalid", err)
		}
		f.clock.set(v.End.Add(time.Hour))
		if err := f.svc.RecordFeedback(f.ctx, rating, 0, ""); !errors.Is(err, booking.ErrInvalid) {
			t.Errorf("rating 0: %v, want ErrInvalid", err)
		}
		if err := f.svc.RecordFeedback(f.ctx, rating, 3, "Greit nok, John Doe"); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.RecordFeedback(f.ctx, rating, 5, ""); !errors.Is(err, booking.ErrConflict) {
			t.Errorf("second rating: %v, want ErrConflict", err)
		}
		if err := f.svc.MarkAttendance(f.ctx, attendance, booking.AttendanceHeld); err != nil {
			t.Errorf("held: %v", err)
		}
		p := f.svc.Privacy(s)
		exp, err := p.Export(f.ctx, "john@student.example")
		if err != nil || len(exp.Bookings) != 1 || exp.Bookings[0].Feedback == nil || exp.Bookings[0].Feedback.Rating != 3 {
			t.Fatalf("export: %+v, %v", exp, err)
		}
		if n, err := p.Erase(f.ctx, "john@student.example"); err != nil || n != 1 {
			t.Fatalf("erase: %d, %v", n, err)
		}
		from, to := time.Now().AddDate(-1, 0, 0), time.Now().AddDate(1, 0, 0)
		st, err := s.FeedbackStats(f.ctx, from, to)
		if err != nil || len(st.ByTopic) != 1 || st.ByTopic[0].Count != 1 || len(st.Comments) != 0 {
			t.Errorf("statistics after the erasure: %+v, %v; want the rating without its comment", st, err)
		}
		if _, _, err := f.svc.FeedbackBooking(f.ctx, rating); !errors.Is(err, booking.ErrNotFound) {
			t.Errorf("rating link after the erasure: %v", err)
		}
	})
}
