package notify_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/notify"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// The follow-ups after a meeting: the student's has the five rating
// links and no calendar part; the librarian's, in their language, the
// attendance link. The job queues them once, under its lease.
func TestFollowUpMessages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		srv := startSMTP(t, serverOptions{})
		f := newFixture(t, s)
		p := booking.DefaultProfile(f.librarian.ID)
		p.Languages, p.NotifyNewBooking = []string{"en"}, true
		if err := s.SetProfile(t.Context(), p); err != nil {
			t.Fatal(err)
		}
		base := time.Now().UTC().Truncate(time.Second)
		c := newClock(base)
		sender := newSender(t, s, srv, c, func(cfg *notify.Config) {
			cfg.FeedbackURL = func(b booking.Booking) string {
				return fmt.Sprintf("https://veileder.example.org/feedback/%d.mac", b.ID)
			}
			cfg.AttendanceURL = func(b booking.Booking) string {
				return fmt.Sprintf("https://veileder.example.org/attendance/%d.mac", b.ID)
			}
		})
		b := f.book(t, base.Add(-3*time.Hour), "nb", "student@student.example.org", base.Add(-4*time.Hour))
		drain(t, sender)
		seen := len(srv.Messages())

		job, err := notify.NewFollowUpJob(notify.FollowUpConfig{Store: s, Now: c.Now})
		if err != nil {
			t.Fatal(err)
		}
		// Another replica holds the lease: this one does nothing.
		if ok, err := s.AcquireLease(t.Context(), "followup", "other-replica", time.Minute); err != nil || !ok {
			t.Fatalf("lease: %v, %v", ok, err)
		}
		if n, err := job.RunOnce(t.Context()); err != nil || n != 0 {
			t.Errorf("RunOnce under another's lease: %d, %v", n, err)
		}
		if err := s.ReleaseLease(t.Context(), "followup", "other-replica"); err != nil {
			t.Fatal(err)
		}
		if n, err := job.RunOnce(t.Context()); err != nil || n != 2 {
			t.Fatalf("RunOnce: %d, %v; want 2", n, err)
		}
		drain(t, sender)
		got := map[booking.MessageKind]parsedMail{}
		for _, r := range srv.Messages()[seen:] {
			for _, k := range []booking.MessageKind{booking.MessageFollowUp, booking.MessageLibrarianFollowUp} {
				if bytes.Contains(r.Data, fmt.Appendf(nil, "booking-%d-%s-", b.ID, k)) {
					got[k] = parseMail(t, r.Data)
				}
			}
		}
		st, lib := got[booking.MessageFollowUp], got[booking.MessageLibrarianFollowUp]
		if !strings.Contains(st.Subject, "Hvordan var møtet") || st.InlineCal != nil || st.AttachedCal != nil {
			t.Errorf("student's follow-up: subject %q, calendar %q %q", st.Subject, st.InlineCal, st.AttachedCal)
		}
		for n := 1; n <= 5; n++ {
			link := fmt.Sprintf("https://veileder.example.org/feedback/%d.mac?rating=%d", b.ID, n)
			if !strings.Contains(st.Text, link) || !strings.Contains(st.HTML, link) {
				t.Errorf("student's follow-up lacks the link for %d:\n%s", n, st.Text)
			}
		}
		if got := st.Header.Get("To"); !strings.Contains(got, "student@student.example.org") {
			t.Errorf("student's follow-up to %q", got)
		}
		attendance := fmt.Sprintf("https://veileder.example.org/attendance/%d.mac", b.ID)
		if !strings.Contains(lib.Subject, "Did the meeting take place?") || !strings.Contains(lib.Text, attendance) ||
			!strings.Contains(lib.Header.Get("To"), f.librarian.Email) {
			t.Errorf("librarian's follow-up: %q to %q:\n%s", lib.Subject, lib.Header.Get("To"), lib.Text)
		}
	})
}
