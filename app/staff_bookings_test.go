package app_test

// The librarian's "My bookings": the student's question, the meeting
// language and mode, and cancelling an upcoming meeting after a
// confirmation, over a real socket on SQLite and PostgreSQL.

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store/storetest"
)

func TestLibrarianBookingsActions(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			s := stStart(t, d)
			s.withCompetence(t)
			student := s.client(t)
			token := student.book(student.slots()[0], stStudent{"Siri Student", "siri@student.example.org", "Hvordan eksporterer jeg fra Zotero?", "Master i historie"})
			sum := sha256.Sum256([]byte(token))
			b, err := s.app.Store.BookingByTokenHash(t.Context(), hex.EncodeToString(sum[:]))
			if err != nil {
				t.Fatal(err)
			}
			lib := s.signedIn(t, "lib1")
			cancelURL := fmt.Sprintf("/staff/bookings/%d/cancel", b.ID)
			r := lib.get("/staff/bookings")
			for _, want := range []string{"Hvordan eksporterer jeg fra Zotero?", "<td>Norwegian</td>", "In person<br>Blindern", `href="` + cancelURL + `"`} {
				if !strings.Contains(r.body, want) {
					t.Errorf("My bookings lacks %q:\n%s", want, r.body)
				}
			}
			// The librarian moves it to another of their free times.
			moveURL := fmt.Sprintf("/staff/bookings/%d/move", b.ID)
			r = lib.get(moveURL)
			m := regexp.MustCompile(`name="start" value="([^"]+)"`).FindAllStringSubmatch(r.body, -1)
			if r.status != http.StatusOK || len(m) == 0 {
				t.Fatalf("move page: got %d with %d times:\n%s", r.status, len(m), r.body)
			}
			to, err := time.Parse(time.RFC3339, m[len(m)-1][1])
			if err != nil {
				t.Fatal(err)
			}
			if r := lib.post(moveURL, url.Values{}); r.status != http.StatusUnprocessableEntity {
				t.Errorf("move without a time: got %d, want 422", r.status)
			}
			if r := lib.post(moveURL, url.Values{"start": {m[len(m)-1][1]}}); r.status != http.StatusSeeOther || r.header.Get("Location") != "/staff/bookings?done=moved" {
				t.Fatalf("move: got %d to %q:\n%s", r.status, r.header.Get("Location"), r.body)
			}
			moved, err := s.app.Store.BookingByID(t.Context(), b.ID)
			if err != nil || !moved.Start.Equal(to) || moved.Sequence != b.Sequence+1 || moved.LibrarianID != b.LibrarianID || moved.EventUID != b.EventUID {
				t.Errorf("after the move: %+v, %v; want at %v", moved, err, to)
			}
			// Another member of staff cannot reach it.
			coord := s.signedIn(t, "coord")
			if r := coord.get(cancelURL); r.status != http.StatusNotFound {
				t.Errorf("another's cancel page: got %d, want 404", r.status)
			}
			if r := coord.post(cancelURL, nil); r.status != http.StatusNotFound {
				t.Errorf("another's cancel: got %d, want 404", r.status)
			}
			if r := coord.get(moveURL); r.status != http.StatusNotFound {
				t.Errorf("another's move page: got %d, want 404", r.status)
			}
			if r := lib.get(cancelURL); r.status != http.StatusOK || !strings.Contains(r.body, `action="`+cancelURL+`"`) || !strings.Contains(r.body, "Siri Student") {
				t.Errorf("cancel page: got %d:\n%s", r.status, r.body)
			}
			if r := lib.post(cancelURL, nil); r.status != http.StatusSeeOther || r.header.Get("Location") != "/staff/bookings?done=cancelled" {
				t.Fatalf("cancel: got %d to %q:\n%s", r.status, r.header.Get("Location"), r.body)
			}
			after, err := s.app.Store.BookingByID(t.Context(), b.ID)
			if err != nil || after.Status != booking.StatusCancelled || after.CancelledBy != booking.PartyLibrarian {
				t.Errorf("after the cancel: %+v, %v", after, err)
			}
			if r := lib.get(cancelURL); r.status != http.StatusNotFound {
				t.Errorf("cancel page of a cancelled booking: got %d, want 404", r.status)
			}
		})
	}
}
