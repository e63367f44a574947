package notify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

const secretFeed = "https://outlook.office365.com/owa/calendar/0a1b/S3CR3T/calendar.ics"

// TestLibrarianInvitation: for a librarian with an external calendar, a
// booking leaves an iMIP REQUEST with the event's UID at their address,
// a move a REQUEST with a higher SEQUENCE and a cancellation a CANCEL
// with a higher one still; python3-icalendar reads each, with the library
// as ORGANIZER and the librarian as ATTENDEE.
func TestLibrarianInvitation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		srv := startSMTP(t, serverOptions{})
		f := newFixture(t, s)
		if _, err := s.AddExternalCalendar(t.Context(), booking.ExternalCalendar{UserID: f.librarian.ID, URL: secretFeed}); err != nil {
			t.Fatal(err)
		}
		base := time.Now().UTC().Truncate(time.Second)
		c := newClock(base)
		sender := newSender(t, s, srv, c, nil)
		invite := func(b booking.Booking) {
			t.Helper()
			err := s.Tx(t.Context(), b.LibrarianID, func(ctx context.Context, tx *store.Tx) error {
				return tx.Enqueue(ctx, booking.Message{Kind: booking.MessageLibrarianInvite, BookingID: b.ID, Sequence: b.Sequence, SendAfter: c.Now()})
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		seen := 0
		// next returns the calendar part of the one new message to the
		// librarian that carries one.
		next := func(step string) (parsedMail, icalInfo) {
			t.Helper()
			drain(t, sender)
			msgs := srv.Messages()[seen:]
			seen += len(msgs)
			var found []parsedMail
			for _, m := range msgs {
				p := parseMail(t, m.Data)
				if len(m.To) == 1 && m.To[0] == "kari@ub.example.org" && p.InlineCal != nil {
					found = append(found, p)
				}
			}
			if len(found) != 1 {
				t.Fatalf("%s: got %d invitations to the librarian, want 1", step, len(found))
			}
			p := found[0]
			if string(p.InlineCal) != string(p.AttachedCal) {
				t.Errorf("%s: the inline and attached calendars differ", step)
			}
			return p, parseICS(t, p.InlineCal)
		}

		b := f.book(t, base.Add(72*time.Hour).Truncate(time.Hour), "en", "ola@student.example.org", c.Now())
		invite(b)
		p, got := next("booked")
		if got.Method != "REQUEST" || got.UID != b.EventUID || got.Sequence != 0 || got.Status != "CONFIRMED" ||
			got.Organizer != "mailto:noreply@veileder.example.org" || got.Attendee != "mailto:kari@ub.example.org" ||
			got.AttendeeCN != "Nordmann, Kari" || got.PartStat != "ACCEPTED" {
			t.Errorf("booked: got %+v, want a REQUEST of %s, sequence 0, from the library to the librarian", got, b.EventUID)
		}
		if !strings.Contains(p.InlineType, "method=REQUEST") || !strings.Contains(got.Description, "Hvordan bruker jeg Zotero") ||
			!strings.Contains(p.Subject, "Veiledning") || !strings.Contains(p.Text, "ola@student.example.org") {
			t.Errorf("booked: got type %q, subject %q, description %q, text %q", p.InlineType, p.Subject, got.Description, p.Text)
		}
		if got.Start != b.Start.Format("2006-01-02T15:04:05+00:00") {
			t.Errorf("booked: DTSTART %s, want %s", got.Start, b.Start)
		}

		b = f.change(t, b, booking.MessageMoved, c.Now(), func(b *booking.Booking) {
			b.Start, b.End = b.Start.Add(time.Hour), b.End.Add(time.Hour)
		})
		invite(b)
		p, got = next("moved")
		if got.Method != "REQUEST" || got.UID != b.EventUID || got.Sequence != 1 || !strings.Contains(p.Text, "flyttet") ||
			got.Start != b.Start.Format("2006-01-02T15:04:05+00:00") {
			t.Errorf("moved: got %+v, want a REQUEST of sequence 1 at the new time", got)
		}

		b = f.change(t, b, booking.MessageCancelled, c.Now(), func(b *booking.Booking) {
			b.Status, b.CancelledBy = booking.StatusCancelled, booking.PartyStudent
		})
		invite(b)
		p, got = next("cancelled")
		if got.Method != "CANCEL" || got.UID != b.EventUID || got.Sequence != 2 || got.Status != "CANCELLED" ||
			!strings.Contains(p.InlineType, "method=CANCEL") || !strings.HasPrefix(p.Subject, "Avlyst") {
			t.Errorf("cancelled: got %+v (type %q, subject %q), want a CANCEL of sequence 2", got, p.InlineType, p.Subject)
		}
	})
}

// TestFailingCalendarMail: the daily e-mail about a failing calendar says
// why, without the link's secret, and is not sent once the calendar works
// again.
func TestFailingCalendarMail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		srv := startSMTP(t, serverOptions{})
		f := newFixture(t, s)
		base := time.Now().UTC().Truncate(time.Second)
		c := newClock(base)
		sender := newSender(t, s, srv, c, nil)
		cal, err := s.AddExternalCalendar(ctx, booking.ExternalCalendar{UserID: f.librarian.ID, Name: "Outlook", URL: secretFeed})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetExternalPrefs(ctx, f.librarian.ID, booking.ExternalPrefs{NotifyFailing: true}); err != nil {
			t.Fatal(err)
		}
		fail := func(day int, msg string) {
			t.Helper()
			if _, ok, err := s.ClaimExternalCalendar(ctx, cal.ID, c.Now(), time.Minute, "test"); !ok || err != nil {
				t.Fatalf("claim: %v, %v", ok, err)
			}
			f := booking.ExternalFetch{At: c.Now(), Err: msg, NextFetch: c.Now().Add(time.Minute), NotModified: msg == ""}
			if strings.Contains(msg, "503") {
				f.Reason, f.ReasonArg = "server_error", "503"
			}
			if err := s.SaveExternalFetch(ctx, cal.ID, "test", f); err != nil {
				t.Fatal(err)
			}
			if _, err := s.EnqueueExternalFailing(ctx, cal.ID, day, c.Now()); err != nil {
				t.Fatal(err)
			}
		}
		fail(1, "the calendar server answered 503 (a server error)")
		drain(t, sender)
		msgs := srv.Messages()
		if len(msgs) != 1 || msgs[0].To[0] != "kari@ub.example.org" {
			t.Fatalf("got %d messages, want one to the librarian", len(msgs))
		}
		p := parseMail(t, msgs[0].Data)
		// The reason in the librarian's language (Norwegian by default),
		// as the staff pages say it.
		if !strings.Contains(p.Subject, "Outlook") || !strings.Contains(p.Text, "Kalendertjeneren svarte 503") || !strings.Contains(p.Text, "outlook.office365.com") ||
			strings.Contains(string(msgs[0].Data), "S3CR3T") || p.InlineCal != nil {
			t.Errorf("got subject %q, text %q; want the calendar's name, host and reason, not its secret", p.Subject, p.Text)
		}
		// The next day it works again before the e-mail goes: skipped.
		if err := s.SetExternalPrefs(ctx, f.librarian.ID, booking.ExternalPrefs{NotifyFailing: true}); err != nil {
			t.Fatal(err)
		}
		fail(2, "")
		if _, err := s.EnqueueExternalFailing(ctx, cal.ID, 2, c.Now()); err != nil {
			t.Fatal(err)
		}
		drain(t, sender)
		if n := len(srv.Messages()); n != 1 {
			t.Errorf("after recovery: got %d messages in all, want still 1", n)
		}
	})
}

// TestLibrarianRelease: a booking moved from a librarian with an external
// calendar to a colleague leaves the first an iMIP CANCEL of the same UID
// with the move's SEQUENCE, which says it went to a colleague; none is
// sent when the booking has come back to them by the time it goes out.
func TestLibrarianRelease(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		srv := startSMTP(t, serverOptions{})
		f := newFixture(t, s)
		if _, err := s.AddExternalCalendar(t.Context(), booking.ExternalCalendar{UserID: f.librarian.ID, URL: secretFeed}); err != nil {
			t.Fatal(err)
		}
		per, err := s.CreateUser(t.Context(), booking.User{Username: "per", DisplayName: "Berg, Per", Email: "per@ub.example.org", Role: booking.RoleLibrarian}, "passord-123")
		if err != nil {
			t.Fatal(err)
		}
		base := time.Now().UTC().Truncate(time.Second)
		c := newClock(base)
		sender := newSender(t, s, srv, c, nil)
		release := func(b booking.Booking) {
			t.Helper()
			err := s.Tx(t.Context(), b.LibrarianID, func(ctx context.Context, tx *store.Tx) error {
				return tx.Enqueue(ctx, booking.Message{Kind: booking.MessageLibrarianRelease, BookingID: b.ID, Sequence: b.Sequence, UserID: f.librarian.ID, SendAfter: c.Now()})
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		toKari := func() []parsedMail {
			var out []parsedMail
			for _, m := range srv.Messages() {
				if len(m.To) == 1 && m.To[0] == "kari@ub.example.org" {
					if p := parseMail(t, m.Data); p.InlineCal != nil {
						out = append(out, p)
					}
				}
			}
			return out
		}

		b := f.book(t, base.Add(72*time.Hour).Truncate(time.Hour), "en", "ola@student.example.org", c.Now())
		b = f.change(t, b, booking.MessageMoved, c.Now(), func(b *booking.Booking) { b.LibrarianID = per.ID })
		release(b)
		drain(t, sender)
		got := toKari()
		if len(got) != 1 {
			t.Fatalf("got %d calendar messages to the first librarian, want 1", len(got))
		}
		p := got[0]
		ics := parseICS(t, p.InlineCal)
		if ics.Method != "CANCEL" || ics.UID != b.EventUID || ics.Sequence != 1 || ics.Status != "CANCELLED" ||
			ics.Attendee != "mailto:kari@ub.example.org" || !strings.Contains(p.InlineType, "method=CANCEL") {
			t.Errorf("release: got %+v (type %q), want a CANCEL of %s, sequence 1, to kari", ics, p.InlineType, b.EventUID)
		}
		if !strings.HasPrefix(p.Subject, "Flyttet til en kollega") || !strings.Contains(p.Text, "annen bibliotekar") || strings.Contains(p.Text, "LaTeX") {
			t.Errorf("release: subject %q, text %q; want the colleague named, without the student's question", p.Subject, p.Text)
		}
		if ics.Summary == "" || strings.Contains(ics.Summary, "Flyttet") {
			t.Errorf("release: SUMMARY %q, want the event's title", ics.Summary)
		}

		// Moved away and back before the sender ran: nothing to cancel.
		b = f.change(t, b, booking.MessageMoved, c.Now(), func(b *booking.Booking) { b.LibrarianID = per.ID })
		release(b)
		b = f.change(t, b, booking.MessageMoved, c.Now(), func(b *booking.Booking) { b.LibrarianID = f.librarian.ID })
		drain(t, sender)
		if n := len(toKari()); n != 1 {
			t.Errorf("after the booking came back: %d calendar messages to kari, want still 1", n)
		}
	})
}
