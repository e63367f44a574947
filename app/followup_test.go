package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store/storetest"
)

// TestFollowUpEndToEnd: after the meeting the job queues the follow-ups
// once; the rating link's GET only shows the form (a mail scanner rates
// nothing), the POST records the rating, which the admin statistics show
// per topic and service without the student, and which survives the
// retention purge; the librarian's link marks the meeting held.
func TestFollowUpEndToEnd(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			s := stStart(t, d)
			s.withCompetence(t)
			student := s.client(t)
			student.book(student.slots()[0], stStudent{"Siri Student", "siri@student.example.org", "Zotero i Word", ""})
			bs, err := s.app.Store.StaffBookings(t.Context(), booking.BookingSearch{LibrarianID: s.users["lib1"].ID})
			if err != nil || len(bs) != 1 {
				t.Fatalf("bookings: %v, %v", bs, err)
			}
			b := bs[0].Booking
			feedback := s.app.Scheduling.FeedbackURL(b)
			attendance := s.app.Scheduling.AttendanceURL(b)
			if !strings.HasPrefix(feedback, s.base+"/feedback/") || !strings.HasPrefix(attendance, s.base+"/attendance/") {
				t.Fatalf("links: %q, %q", feedback, attendance)
			}
			feedbackPath, attendancePath := strings.TrimPrefix(feedback, s.base), strings.TrimPrefix(attendance, s.base)

			// Before the meeting: nothing is queued, and nothing can be rated.
			if n, err := s.app.FollowUps.RunOnce(t.Context()); err != nil || n != 0 {
				t.Errorf("RunOnce before the meeting: %d, %v", n, err)
			}
			if r := student.get(feedbackPath); r.status != http.StatusOK || !strings.Contains(r.body, "once it has taken place") {
				t.Errorf("rating page before the meeting: got %d:\n%s", r.status, r.body)
			}

			s.advance(b.End.Sub(s.now()) + 3*time.Hour)
			if n, err := s.app.FollowUps.RunOnce(t.Context()); err != nil || n != 1 {
				t.Errorf("RunOnce after the meeting: %d, %v; want the student's follow-up", n, err)
			}
			if n, err := s.app.FollowUps.RunOnce(t.Context()); err != nil || n != 0 {
				t.Errorf("RunOnce again: %d, %v", n, err)
			}
			msgs, err := s.app.Store.OutboxOf(t.Context(), b.ID)
			if err != nil || msgs[len(msgs)-1].Kind != booking.MessageFollowUp {
				t.Errorf("outbox: %+v, %v", msgs, err)
			}

			// A scanner's GET of the "4" link shows the form with 4 chosen.
			scanner := s.client(t)
			r := scanner.get(feedbackPath + "?rating=4")
			if r.status != http.StatusOK || !strings.Contains(r.body, `id="rating-4" name="rating" value="4" checked`) {
				t.Fatalf("rating form: got %d:\n%s", r.status, r.body)
			}
			if _, err := s.app.Store.FeedbackOf(t.Context(), b.ID); err == nil {
				t.Fatal("a GET recorded a rating")
			}
			// A bad rating keeps the comment.
			r = student.post(feedbackPath, url.Values{"rating": {"9"}, "comment": {"Veldig bra hjelp med Zotero"}})
			if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Veldig bra hjelp med Zotero</textarea>") {
				t.Errorf("bad rating: got %d:\n%s", r.status, r.body)
			}
			r = student.post(feedbackPath, url.Values{"rating": {"4"}, "comment": {"Veldig bra hjelp med Zotero"}})
			if r.status != http.StatusSeeOther {
				t.Fatalf("rate: got %d:\n%s", r.status, r.body)
			}
			if r := student.get(r.header.Get("Location")); !strings.Contains(r.body, "4 out of 5") {
				t.Errorf("thanks page:\n%s", r.body)
			}
			// A second rating does not replace the first.
			student.post(feedbackPath, url.Values{"rating": {"1"}})
			if f, err := s.app.Store.FeedbackOf(t.Context(), b.ID); err != nil || f.Rating != 4 {
				t.Errorf("rating: %+v, %v", f, err)
			}
			// A forged link is a page that does not exist.
			if r := student.get("/feedback/" + strings.Repeat("1", 5) + ".AAAA"); r.status != http.StatusNotFound {
				t.Errorf("forged rating link: got %d", r.status)
			}
			// The rating link does not mark attendance.
			if r := student.get(strings.Replace(feedbackPath, "/feedback/", "/attendance/", 1)); r.status != http.StatusNotFound {
				t.Errorf("rating token as attendance link: got %d", r.status)
			}

			// The librarian's link marks the meeting held.
			lib := s.client(t)
			if r := lib.get(attendancePath); r.status != http.StatusOK || !strings.Contains(r.body, `value="held"`) {
				t.Errorf("attendance page: got %d:\n%s", r.status, r.body)
			}
			if r := lib.post(attendancePath, url.Values{"attendance": {"held"}}); r.status != http.StatusSeeOther {
				t.Errorf("mark held: got %d:\n%s", r.status, r.body)
			}
			if sb, err := s.app.Store.StaffBooking(t.Context(), b.ID); err != nil || !sb.Held {
				t.Errorf("booking after the link: %+v, %v", sb, err)
			}

			stats := func() string {
				t.Helper()
				day := s.now().In(s.loc).Format(time.DateOnly)
				return s.signedIn(t, "admin").get("/admin/stats?from=" + day + "&to=" + day).body
			}
			for _, want := range []string{"Ratings after the meeting, by topic", "<th scope=\"row\">Zotero and references</th><td class=\"num\" data-label=\"Ratings\">1</td><td class=\"num\" data-label=\"Average (1–5)\">4.0</td>",
				"<th scope=\"row\">Book a librarian</th><td class=\"num\" data-label=\"Ratings\">1</td><td class=\"num\" data-label=\"Average (1–5)\">4.0</td>", "Veldig bra hjelp med Zotero"} {
				if body := stats(); !strings.Contains(body, want) {
					t.Errorf("statistics lack %q:\n%s", want, body)
				}
			}
			if strings.Contains(stats(), "Siri") {
				t.Errorf("statistics name the student")
			}

			// The retention purge removes the student; the rating stays.
			if err := s.app.Privacy.Anonymise(t.Context(), b.ID); err != nil {
				t.Fatal(err)
			}
			if body := stats(); !strings.Contains(body, "<td class=\"num\" data-label=\"Average (1–5)\">4.0</td>") {
				t.Errorf("rating gone after the purge:\n%s", body)
			}
			if r := student.get(feedbackPath); r.status != http.StatusNotFound {
				t.Errorf("rating link after the purge: got %d", r.status)
			}
		})
	}
}
