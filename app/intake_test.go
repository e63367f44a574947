package app_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store/storetest"
)

// TestIntakeQuestionsEndToEnd: an admin adds a question to the service on
// its page; the student's booking must answer it; the librarian sees the
// answer on My bookings and in the event fetched over CalDAV.
func TestIntakeQuestionsEndToEnd(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			s := stStart(t, d)
			s.withCompetence(t)
			admin := s.signedIn(t, "admin")
			r := admin.post("/admin/services/bibliotekar/questions", url.Values{"kind": {"choice"}, "required": {"1"},
				"label_nb": {"Fakultet"}, "label_en": {"Faculty"}, "options": {"Jus | Law\nMedisin | Medicine"}})
			if r.status != http.StatusSeeOther {
				t.Fatalf("add question: got %d:\n%s", r.status, r.body)
			}
			// A choice without options is refused on the question's page,
			// with what was typed.
			r = admin.post("/admin/services/bibliotekar/questions", url.Values{"kind": {"choice"}, "label_nb": {"Campus"}})
			if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "at least two options") || !strings.Contains(r.body, `value="Campus"`) {
				t.Errorf("choice without options: got %d:\n%s", r.status, r.body)
			}
			r = admin.get("/admin/services/bibliotekar")
			if !strings.Contains(r.body, "<strong>Faculty</strong>") {
				t.Fatalf("service page lacks the question:\n%s", r.body)
			}
			id := regexp.MustCompile(`href="/admin/questions/(\d+)"`).FindStringSubmatch(r.body)
			if id == nil {
				t.Fatalf("no link to the question:\n%s", r.body)
			}
			if r := admin.get("/admin/questions/" + id[1]); r.status != http.StatusOK || !strings.Contains(r.body, "Jus | Law\nMedisin | Medicine") {
				t.Errorf("question page: got %d:\n%s", r.status, r.body)
			}

			student := s.client(t)
			slot := student.slots()[0]
			body := map[string]any{"topic": "zotero", "start": slot, "name": "Siri Student", "email": "siri@student.example.org",
				"language": "nb", "consent": true}
			if status, out := student.api(http.MethodPost, "/api/bookings", body); status != http.StatusUnprocessableEntity ||
				fmt.Sprint(out["error"].(map[string]any)["field"]) != "q"+id[1] {
				t.Errorf("booking without the answer: got %d %v", status, out)
			}
			body["answers"] = map[string]any{id[1]: "Medicine"}
			if status, out := student.api(http.MethodPost, "/api/bookings", body); status != http.StatusCreated {
				t.Fatalf("booking with the answer: got %d %v", status, out)
			}

			// The desk's hand-over asks the same question.
			desk := s.signedIn(t, "desk1")
			r = desk.get("/staff/desk/book?topic=zotero")
			if !strings.Contains(r.body, `<label for="q`+id[1]+`">Faculty</label>`) {
				t.Fatalf("hand-over lacks the question:\n%s", r.body)
			}
			start := regexp.MustCompile(`name="start" value="([^"]+)"`).FindStringSubmatch(r.body)
			form := url.Values{"topic": {"zotero"}, "start": {start[1]}, "name": {"Per Student"}, "email": {"per@student.example.org"},
				"locale": {"nb"}, "consent": {"yes"}}
			if r := desk.post("/staff/desk/book", form); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Choose an answer to “Faculty”") ||
				!strings.Contains(r.body, `value="Per Student"`) {
				t.Errorf("hand-over without the answer: got %d:\n%s", r.status, r.body)
			}
			form.Set("q"+id[1], "1")
			if r := desk.post("/staff/desk/book", form); r.status != http.StatusSeeOther {
				t.Errorf("hand-over with the answer: got %d:\n%s", r.status, r.body)
			}

			lib := s.signedIn(t, "lib1")
			if r := lib.get("/staff/bookings"); !strings.Contains(r.body, "<dt>Faculty</dt><dd>Medicine</dd>") || !strings.Contains(r.body, "<dt>Faculty</dt><dd>Law</dd>") {
				t.Errorf("My bookings lacks the answer:\n%s", r.body)
			}
			pw := regexp.MustCompile(`class="secret">([a-z0-9-]+)<`).FindStringSubmatch(lib.post("/staff/app-passwords", url.Values{"label": {"test"}}).body)
			if pw == nil {
				t.Fatal("no app password")
			}
			bs, err := s.app.Store.StaffBookings(t.Context(), booking.BookingSearch{LibrarianID: s.users["lib1"].ID})
			if err != nil || len(bs) != 2 {
				t.Fatalf("bookings: %v, %v", bs, err)
			}
			var own string
			for _, b := range bs {
				if b.BookedBy == 0 {
					own = b.EventName
				}
			}
			req, _ := http.NewRequest(http.MethodGet, s.base+"/dav/calendars/lib1/bookings/"+own, nil)
			req.SetBasicAuth("lib1", pw[1])
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK || !strings.Contains(string(data), `Fakultet: Medisin`) {
				t.Errorf("CalDAV GET of the event: got %d:\n%s", res.StatusCode, data)
			}
		})
	}
}
