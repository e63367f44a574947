package app_test

// Links for online meetings, wired end to end over a real socket on SQLite
// and PostgreSQL: the admin's template per service, the librarian's room
// in their profile, and where the student and the librarian find it.

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store/storetest"
)

func TestMeetingLinks(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			s, mailDir := adminExtraStart(t, d)
			s.withCompetence(t)
			// Wednesdays 09:00–12:00, online, without a link of their own.
			s.putObject(t, "lib1", "availability", "w2.ics", "w2@test", strings.Join([]string{
				"DTSTART;TZID=Europe/Oslo:20260506T090000", "DTEND;TZID=Europe/Oslo:20260506T120000",
				"SUMMARY:Veiledning", "LOCATION:Digitalt", "RRULE:FREQ=WEEKLY;COUNT=4",
			}, "\r\n"))
			admin := s.signedIn(t, "admin")
			service := url.Values{"name_nb": {"Bibliotekar"}, "name_en": {"Librarian"}}
			service.Set("meeting_url_template", "meet.example.org/{id}")
			if r := admin.post("/admin/services/bibliotekar", service); r.status != http.StatusUnprocessableEntity ||
				!strings.Contains(r.body, `id="meeting_url_template-error"`) {
				t.Errorf("bad template: got %d, want 422 with the field's error", r.status)
			}
			service.Set("meeting_url_template", "https://meet.example.org/veileder-{id}")
			if r := admin.post("/admin/services/bibliotekar", service); r.status != http.StatusSeeOther {
				t.Fatalf("save template: got %d:\n%s", r.status, r.body)
			}
			if r := admin.get("/admin/services/bibliotekar"); !strings.Contains(r.body, `value="https://meet.example.org/veileder-{id}"`) {
				t.Errorf("service page lacks the template")
			}

			student := s.client(t)
			online := func() string {
				status, out := student.api(http.MethodGet, "/api/slots?topic=zotero&mode=online", nil)
				list, _ := out["slots"].([]any)
				if status != http.StatusOK || len(list) == 0 {
					t.Fatalf("online slots: got %d %v", status, out)
				}
				return list[0].(map[string]any)["start"].(string)
			}
			bookOnline := func(email string) (string, booking.Booking) {
				status, out := student.api(http.MethodPost, "/api/bookings", map[string]any{
					"topic": "zotero", "start": online(), "name": "Nina Nett", "email": email,
					"mode": "online", "language": "nb", "consent": true,
				})
				if status != http.StatusCreated {
					t.Fatalf("book online: got %d %v", status, out)
				}
				token := out["manage_token"].(string)
				sum := sha256.Sum256([]byte(token))
				b, err := s.app.Store.BookingByTokenHash(t.Context(), hex.EncodeToString(sum[:]))
				if err != nil {
					t.Fatalf("booking of %v: %v", out, err)
				}
				return token, b
			}

			token, b := bookOnline("nina@student.example.org")
			want := "https://meet.example.org/veileder-" + strconv.FormatInt(b.ID, 10)
			if b.Location != want {
				t.Errorf("booking's location: got %q, want %q", b.Location, want)
			}
			if r := student.get("/booking/" + token + "?new=1"); !strings.Contains(r.body, `<a href="`+want+`"`) {
				t.Errorf("confirmation page lacks the link %s:\n%s", want, r.body)
			}
			ics := student.get("/booking/" + token + "/ics").body
			for _, line := range []string{"URL:" + want, "CONFERENCE;FEATURE=VIDEO;VALUE=URI:" + want, "LOCATION:" + want} {
				if !strings.Contains(strings.ReplaceAll(ics, "\r\n ", ""), line) {
					t.Errorf("student's .ics lacks %q:\n%s", line, ics)
				}
			}
			if n, err := s.app.Mailer.SendDue(t.Context()); n < 1 || err != nil {
				t.Fatalf("SendDue: got %d, %v", n, err)
			}
			files, _ := filepath.Glob(filepath.Join(mailDir, "*"))
			if len(files) == 0 {
				t.Fatal("no e-mail written")
			}
			for _, f := range files {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				if unfolded := strings.ReplaceAll(string(data), "=\r\n", ""); !strings.Contains(unfolded, want) {
					t.Errorf("e-mail %s lacks the link:\n%s", f, data)
				}
			}

			// The librarian's own room wins over the template.
			lib := s.signedIn(t, "lib1")
			profile := url.Values{"languages": {"nb, en"}, "in_person": {"1"}, "online": {"1"}, "meeting_url": {"teams.example.org"}}
			if r := lib.post("/staff/profile", profile); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="meeting_url-error"`) {
				t.Errorf("bad room: got %d, want 422 with the field's error", r.status)
			}
			profile.Set("meeting_url", "https://teams.example.org/l/liv")
			if r := lib.post("/staff/profile", profile); r.status != http.StatusSeeOther {
				t.Fatalf("save profile: got %d:\n%s", r.status, r.body)
			}
			if r := lib.get("/staff/profile"); !strings.Contains(r.body, `value="https://teams.example.org/l/liv"`) {
				t.Errorf("profile page lacks the room")
			}
			_, b2 := bookOnline("otto@student.example.org")
			if b2.Location != "https://teams.example.org/l/liv" {
				t.Errorf("second booking's location: got %q, want the librarian's room", b2.Location)
			}
			cal, err := s.app.Store.CalendarBySlug(t.Context(), s.users["lib1"].ID, "bookings")
			if err != nil {
				t.Fatal(err)
			}
			obj, err := s.app.Store.Object(t.Context(), cal.ID, b2.EventName)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(obj.Data), "CONFERENCE;FEATURE=VIDEO;VALUE=URI:https://teams.example.org/l/liv") {
				t.Errorf("librarian's event lacks the CONFERENCE:\n%s", obj.Data)
			}
		})
	}
}
