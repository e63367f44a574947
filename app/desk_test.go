package app_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/quotedprintable"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store/storetest"
)

var (
	deskEntryLink = regexp.MustCompile(`href="/staff/desk/(\d+)"`)
	deskFirstSlot = regexp.MustCompile(`name="start" value="([^"]+)"`)
)

// A desk user logs inquiries, changes and deletes their own, cannot touch
// another's, and books a librarian for a student from one: the booking is
// the student's own kind (event in the librarian's bookings calendar,
// confirmation e-mail, saying it was booked at the desk), records who
// booked and from which inquiry, and the entry says booked.
func TestDeskLogAndHandOver(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			s, mailDir := adminExtraStart(t, d)
			ctx := t.Context()
			s.withCompetence(t)
			desk := s.signedIn(t, "desk1")
			if r := desk.get("/staff"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/staff/desk" {
				t.Errorf("GET /staff as desk: got %d to %q, want 303 to /staff/desk", r.status, r.header.Get("Location"))
			}
			zotero, err := s.app.Store.TopicBySlug(ctx, "zotero")
			if err != nil {
				t.Fatal(err)
			}

			bad := []struct {
				name string
				form url.Values
				want string
			}{
				{"other without tags", url.Values{"channel": {"desk"}, "topic": {""}, "read": {"1"}, "minutes": {"2"}, "outcome": {"answered"}}, "Write a tag"},
				{"READ 7", url.Values{"channel": {"desk"}, "topic": {"1"}, "read": {"7"}, "minutes": {"2"}, "outcome": {"answered"}}, "from 1 to 6"},
				{"booked by hand", url.Values{"channel": {"desk"}, "tags": {"x"}, "read": {"1"}, "outcome": {"booked"}}, "Choose an outcome"},
				{"unknown channel", url.Values{"channel": {"fax"}, "tags": {"x"}, "read": {"1"}, "outcome": {"answered"}}, "Choose a channel"},
				{"unknown topic", url.Values{"channel": {"desk"}, "topic": {"999999"}, "read": {"1"}, "outcome": {"answered"}}, "Choose a topic"},
			}
			for _, tc := range bad {
				r := desk.post("/staff/desk", tc.form)
				if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, tc.want) {
					t.Errorf("POST /staff/desk %s: got %d, want 422 saying %q:\n%s", tc.name, r.status, tc.want, r.body)
				}
			}
			if list, _ := s.app.Store.Inquiries(ctx, booking.InquirySearch{}); len(list) != 0 {
				t.Fatalf("after bad input: got %d inquiries, want none", len(list))
			}

			for _, form := range []url.Values{
				{"channel": {"desk"}, "topic": {itoa(zotero.ID)}, "read": {"3"}, "minutes": {"6"}, "outcome": {"referred"}},
				{"channel": {"phone"}, "topic": {""}, "tags": {"Printing, wifi"}, "read": {"1"}, "minutes": {"1"}, "outcome": {"answered"}},
				{"channel": {"chat"}, "topic": {itoa(zotero.ID)}, "read": {"2"}, "minutes": {"3"}, "outcome": {"elsewhere"}, "note": {"asked about EndNote"}},
			} {
				form.Set("csrf", desk.csrf)
				r := desk.post("/staff/desk", form)
				if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/staff/desk?") {
					t.Fatalf("POST /staff/desk: got %d to %q:\n%s", r.status, r.header.Get("Location"), r.body)
				}
			}
			page := desk.get("/staff/desk")
			for _, want := range []string{"My inquiries today (3)", "Other: printing, wifi", "Do not write personal data", "Referred to a librarian"} {
				if !strings.Contains(page.body, want) {
					t.Errorf("the log lacks %q", want)
				}
			}
			links := deskEntryLink.FindAllStringSubmatch(page.body, -1)
			if len(links) != 3 {
				t.Fatalf("entry links: got %d, want 3", len(links))
			}
			chat, first := links[0][1], links[2][1] // latest first

			// Another staff member cannot see or change the entry.
			lib := s.signedIn(t, "lib1")
			if r := lib.get("/staff/desk/" + first); r.status != http.StatusNotFound {
				t.Errorf("another's entry: got %d, want 404", r.status)
			}
			if r := lib.post("/staff/desk/"+first+"/delete", nil); r.status != http.StatusNotFound {
				t.Errorf("deleting another's entry: got %d, want 404", r.status)
			}
			// The owner changes one and deletes another.
			if r := desk.get("/staff/desk/" + chat); r.status != http.StatusOK || !strings.Contains(r.body, "asked about EndNote") {
				t.Errorf("edit page: got %d, want the entry's note", r.status)
			}
			r := desk.post("/staff/desk/"+chat, url.Values{"channel": {"chat"}, "topic": {itoa(zotero.ID)}, "read": {"4"}, "minutes": {"9"}, "outcome": {"answered"}})
			if r.status != http.StatusSeeOther {
				t.Errorf("update: got %d:\n%s", r.status, r.body)
			}
			if r := desk.post("/staff/desk/"+links[1][1]+"/delete", nil); r.status != http.StatusSeeOther {
				t.Errorf("delete: got %d", r.status)
			}
			list, err := s.app.Store.Inquiries(ctx, booking.InquirySearch{})
			if err != nil || len(list) != 2 || list[0].READ != 4 || list[0].Minutes != 9 {
				t.Fatalf("after edit and delete: got %+v, %v; want 2, the chat one at READ 4, 9 minutes", list, err)
			}

			// The hand-over, from the first entry.
			book := desk.get("/staff/desk/book?inquiry=" + first)
			m := deskFirstSlot.FindStringSubmatch(book.body)
			if book.status != http.StatusOK || m == nil || !strings.Contains(book.body, "Liv Bibliotekar") {
				t.Fatalf("hand-over page: got %d, want slots with the librarian:\n%s", book.status, book.body)
			}
			form := url.Values{"topic": {"zotero"}, "inquiry": {first}, "start": {m[1]}, "name": {"Siri Student"}, "email": {"siri@student.example.org"}, "locale": {"en"}}
			if r := desk.post("/staff/desk/book", form); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Confirm that the student agreed") {
				t.Errorf("without consent: got %d, want 422", r.status)
			}
			form.Set("consent", "yes")
			form.Set("csrf", desk.csrf)
			if r := desk.post("/staff/desk/book", form); r.status != http.StatusSeeOther || r.header.Get("Location") != "/staff/desk?done=deskbooked" {
				t.Fatalf("book: got %d to %q:\n%s", r.status, r.header.Get("Location"), r.body)
			}
			bs, err := s.app.Store.StaffBookings(ctx, booking.BookingSearch{})
			if err != nil || len(bs) != 1 {
				t.Fatalf("bookings: got %d, %v; want 1", len(bs), err)
			}
			b := bs[0]
			if b.BookedBy != s.users["desk1"].ID || itoa(b.InquiryID) != first || b.LibrarianID != s.users["lib1"].ID || b.StudentEmail != "siri@student.example.org" {
				t.Errorf("booking: got %+v, want booked by desk1 from inquiry %s with lib1", b.Booking, first)
			}
			q, err := s.app.Store.Inquiry(ctx, b.InquiryID)
			if err != nil || q.Outcome != booking.OutcomeBooked || q.BookingID != b.ID {
				t.Errorf("inquiry after the booking: got %+v, %v; want booked", q, err)
			}
			cal, err := s.app.Store.CalendarBySlug(ctx, s.users["lib1"].ID, "bookings")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.app.Store.Object(ctx, cal.ID, b.EventName); err != nil {
				t.Errorf("the librarian's bookings calendar lacks the event: %v", err)
			}
			// The same entry cannot be booked twice.
			if r := desk.post("/staff/desk/book", form); r.status == http.StatusSeeOther {
				t.Errorf("booking the booked entry again: got %d, want refused", r.status)
			}

			if n, err := s.app.Mailer.SendDue(ctx); n < 1 || err != nil {
				t.Fatalf("SendDue: got %d, %v; want the confirmation", n, err)
			}
			body := confirmationText(t, mailDir)
			if !strings.Contains(body, "made for you at the desk") {
				t.Errorf("confirmation does not say it was booked at the desk:\n%s", body)
			}
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// confirmationText is the decoded text of the messages in dir to Siri.
func confirmationText(t *testing.T, dir string) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("mail folder: got %v, %v; want the confirmation", files, err)
	}
	var all strings.Builder
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// The parts are quoted-printable; decoding the whole file is
		// enough to read the text.
		text, _ := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(raw)))
		if strings.Contains(string(text), "siri@student.example.org") {
			all.Write(text)
		}
	}
	return all.String()
}

// The competence page sets a known fixture of inquiries, bookings (one
// made at the desk) and unmet searches against the librarians holding the
// topic, names the gap, and gives the same figures after the retention
// purge has anonymised every booking.
func TestCompetenceReport(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			s := stStart(t, d)
			ctx := t.Context()
			s.withCompetence(t)
			zotero, err := s.app.Store.TopicBySlug(ctx, "zotero")
			if err != nil {
				t.Fatal(err)
			}
			student := s.client(t)
			student.book(student.slots()[0], stStudent{"Siri Student", "siri@student.example.org", "", ""})
			free := student.slots() // what is left after the student's booking

			desk := s.signedIn(t, "desk1")
			for _, form := range []url.Values{
				{"channel": {"desk"}, "topic": {itoa(zotero.ID)}, "read": {"2"}, "minutes": {"5"}, "outcome": {"referred"}},
				{"channel": {"chat"}, "topic": {itoa(zotero.ID)}, "read": {"4"}, "minutes": {"5"}, "outcome": {"answered"}},
				{"channel": {"phone"}, "tags": {"printing"}, "read": {"1"}, "minutes": {"1"}, "outcome": {"answered"}},
			} {
				if r := desk.post("/staff/desk", form); r.status != http.StatusSeeOther {
					t.Fatalf("log: got %d:\n%s", r.status, r.body)
				}
			}
			list, err := s.app.Store.Inquiries(ctx, booking.InquirySearch{})
			if err != nil || len(list) != 3 {
				t.Fatalf("inquiries: got %d, %v", len(list), err)
			}
			referred := list[2] // the first, latest first
			r := desk.post("/staff/desk/book", url.Values{"topic": {"zotero"}, "inquiry": {itoa(referred.ID)}, "start": {free[0]},
				"name": {"Per Student"}, "email": {"per@student.example.org"}, "locale": {"nb"}, "consent": {"yes"}})
			if r.status != http.StatusSeeOther {
				t.Fatalf("book at the desk: got %d:\n%s", r.status, r.body)
			}
			for _, date := range []string{"2026-05-04", "2026-05-04"} {
				if err := s.app.Store.RecordDemand(ctx, booking.DemandRecord{TopicSlug: "zotero", Date: date, Mode: booking.ModeAny}); err != nil {
					t.Fatal(err)
				}
			}

			// A request nobody answered: three days on it is overdue, and
			// stays so (the counts must not move with the purge's clock).
			if r := desk.post("/staff/requests/new", url.Values{"topic": {"zotero"}, "need": {"EndNote to Zotero"}, "name": {"Ida Student"},
				"email": {"ida@student.example.org"}, "consent": {"yes"}}); r.status != http.StatusSeeOther {
				t.Fatalf("file a request: got %d:\n%s", r.status, r.body)
			}
			s.advance(3 * 24 * time.Hour)

			admin := s.signedIn(t, "admin")
			const period = "?from=2026-05-04&to=2026-05-31"
			page := admin.get("/admin/competence" + period)
			// lib1's availability is three hours a week: twelve in the
			// period's four weeks, beside the 1.5 booked.
			want := "Zotero and references: 2 inquiries, 1 referred, 2 bookings, 1 librarians (1 primary), 1.5 hours booked, 2 searches without a free time. 12.0 hours offered. Requests: 1, 1 unanswered, 1 overdue. Requests wait past their answer target."
			if page.status != http.StatusOK || !strings.Contains(page.body, want) || !strings.Contains(page.body, "Gap:") {
				t.Errorf("competence page: got %d, want the sentence %q with its gap:\n%s", page.status, want, page.body)
			}
			before := admin.get("/admin/competence.csv" + period)
			if before.status != http.StatusOK || !strings.HasPrefix(before.header.Get("Content-Type"), "text/csv") {
				t.Fatalf("CSV: got %d %q", before.status, before.header.Get("Content-Type"))
			}
			for _, line := range []string{
				"zotero,total,2,3.00,1,2,1,2,1,0,en nb,1.5,12.0,1,1,1",
				"zotero,2026-W19,2,,1,2,,2,,,,1.5,3.0,1,,",
				"zotero,2026-W20,0,,0,0,,0,,,,0.0,3.0,0,,",
				"other,total,1,1.00,0,0,0,0,0,0,,0.0,0.0,0,0,0",
			} {
				if !strings.Contains(before.body, line+"\r\n") {
					t.Errorf("CSV lacks %q:\n%s", line, before.body)
				}
			}

			// Every booking ends within the period; 60 days later the
			// purge anonymises them, and the figures stay.
			s.advance(60 * 24 * time.Hour)
			n, err := s.app.Privacy.RunRetention(ctx, 24*time.Hour, "test")
			if err != nil || n != 2 {
				t.Fatalf("RunRetention: got %d, %v; want both bookings anonymised", n, err)
			}
			if left, err := s.app.Store.RequestsByEmail(ctx, "ida@student.example.org"); err != nil || len(left) != 0 {
				t.Errorf("the request still holds the student's address after the purge: %d, %v", len(left), err)
			}
			admin = s.signedIn(t, "admin")
			if after := admin.get("/admin/competence.csv" + period); after.body != before.body {
				t.Errorf("CSV after the purge:\n%s\nwant as before:\n%s", after.body, before.body)
			}

			// The admin maps the "other" inquiry's tag to the topic: it
			// leaves the page's unmapped tags and counts under zotero.
			if p := admin.get("/admin/competence" + period); !strings.Contains(p.body, `name="tag" value="printing"`) {
				t.Errorf("the unmapped tag is not offered for mapping")
			}
			if r := admin.post("/admin/competence/tags", url.Values{"tag": {"printing"}, "topic": {"zotero"}}); r.status != http.StatusSeeOther {
				t.Fatalf("map the tag: got %d:\n%s", r.status, r.body)
			}
			mapped := admin.get("/admin/competence.csv" + period)
			if !strings.Contains(mapped.body, "zotero,total,3,2.33,1,2,1,2,1,0,en nb,1.5,12.0,1,1,1\r\n") || strings.Contains(mapped.body, "other,total") {
				t.Errorf("CSV after mapping the tag:\n%s", mapped.body)
			}
			if p := admin.get("/admin/competence" + period); strings.Contains(p.body, `name="tag" value="printing" `) || !strings.Contains(p.body, "printing → Zotero and references") {
				t.Errorf("the mapped tag is still offered, or not listed as mapped")
			}
		})
	}
}

var secretSpan = regexp.MustCompile(`<span class="secret">([^<]+)</span>`)

// apiInquiry posts body to /api/inquiries with the bearer token (none
// when empty) and the content type.
func (c *stClient) apiInquiry(token, contentType, body string) (int, string, http.Header) {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.site.base+"/api/inquiries", strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", contentType)
	r := c.do(req)
	return r.status, r.body, r.header
}

// A desk user makes an API token on their page, a chat plug-in logs an
// inquiry with it, bad requests get API.md's errors and change nothing,
// and a revoked token, a session cookie or no token are refused.
func TestInquiryAPI(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			s := stStart(t, d)
			ctx := t.Context()
			desk := s.signedIn(t, "desk1")
			if r := desk.post("/staff/api-tokens", url.Values{"label": {""}}); r.status != http.StatusUnprocessableEntity {
				t.Errorf("token without a label: got %d, want 422", r.status)
			}
			r := desk.post("/staff/api-tokens", url.Values{"label": {"Chat plug-in"}})
			m := secretSpan.FindStringSubmatch(r.body)
			if r.status != http.StatusOK || m == nil {
				t.Fatalf("make a token: got %d, want the token shown:\n%s", r.status, r.body)
			}
			token := m[1]
			if again := desk.get("/staff/api-tokens"); strings.Contains(again.body, token) || !strings.Contains(again.body, "Chat plug-in") {
				t.Errorf("the token page shows the token again, or not its label")
			}

			const good = `{"channel":"chat","topic":"zotero","read":2,"minutes":4,"outcome":"referred","note":"EndNote or Zotero?"}`
			cases := []struct {
				name, token, ctype, body string
				status                   int
				code, field              string
			}{
				{"no token", "", "application/json", good, 401, "unauthorized", ""},
				{"unknown token", "vlt_" + strings.Repeat("A", 43), "application/json", good, 401, "unauthorized", ""},
				{"malformed token", "nope", "application/json", good, 401, "unauthorized", ""},
				{"not JSON", token, "text/plain", good, 415, "unsupported_media_type", ""},
				{"bad JSON", token, "application/json", `{"channel":`, 400, "bad_request", ""},
				{"unknown field", token, "application/json", `{"channel":"chat","email":"x@y.z"}`, 400, "bad_request", ""},
				{"READ 9", token, "application/json", `{"channel":"chat","topic":"zotero","read":9,"outcome":"answered"}`, 422, "invalid", "read"},
				{"unknown channel", token, "application/json", `{"channel":"fax","topic":"zotero","read":1,"outcome":"answered"}`, 422, "invalid", "channel"},
				{"unknown topic", token, "application/json", `{"channel":"chat","topic":"nosuch","read":1,"outcome":"answered"}`, 422, "invalid", "topic"},
				{"other without tags", token, "application/json", `{"channel":"chat","topic":"other","read":1,"outcome":"answered"}`, 422, "required", "tags"},
				{"booked", token, "application/json", `{"channel":"chat","topic":"zotero","read":1,"outcome":"booked"}`, 422, "invalid", "outcome"},
			}
			for _, tc := range cases {
				status, body, header := desk.apiInquiry(tc.token, tc.ctype, tc.body)
				var out struct {
					Error struct{ Code, Field, Message string } `json:"error"`
				}
				_ = json.Unmarshal([]byte(body), &out)
				if status != tc.status || out.Error.Code != tc.code || out.Error.Field != tc.field || out.Error.Message == "" {
					t.Errorf("%s: got %d %+v, want %d %s field %q", tc.name, status, out.Error, tc.status, tc.code, tc.field)
				}
				if status == 401 && !strings.HasPrefix(header.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("%s: WWW-Authenticate %q, want a Bearer challenge", tc.name, header.Get("WWW-Authenticate"))
				}
			}
			if list, _ := s.app.Store.Inquiries(ctx, booking.InquirySearch{}); len(list) != 0 {
				t.Fatalf("after the refused requests: got %d inquiries, want none", len(list))
			}

			status, body, _ := desk.apiInquiry(token, "application/json; charset=utf-8", good)
			var out struct {
				Inquiry struct {
					ID      int64    `json:"id"`
					Channel string   `json:"channel"`
					Topic   string   `json:"topic"`
					Tags    []string `json:"tags"`
					READ    int      `json:"read"`
					Outcome string   `json:"outcome"`
				} `json:"inquiry"`
			}
			if err := json.Unmarshal([]byte(body), &out); status != http.StatusCreated || err != nil || out.Inquiry.ID == 0 ||
				out.Inquiry.Channel != "chat" || out.Inquiry.Topic != "zotero" || out.Inquiry.READ != 2 || out.Inquiry.Outcome != "referred" || out.Inquiry.Tags == nil {
				t.Fatalf("log over the API: got %d %s", status, body)
			}
			status, body, _ = desk.apiInquiry(token, "application/json", `{"channel":"email","topic":"other","tags":["Printing"],"read":1,"outcome":"answered"}`)
			if status != http.StatusCreated || !strings.Contains(body, `"tags":["printing"]`) {
				t.Errorf("log other over the API: got %d %s", status, body)
			}
			q, err := s.app.Store.Inquiry(ctx, out.Inquiry.ID)
			if err != nil || q.UserID != s.users["desk1"].ID || q.Note != "EndNote or Zotero?" {
				t.Errorf("the stored inquiry: got %+v, %v; want desk1's with the note", q, err)
			}
			// It is in the desk user's log.
			if page := desk.get("/staff/desk"); !strings.Contains(page.body, "My inquiries today (2)") {
				t.Errorf("the log does not list the API's two inquiries")
			}

			// Revoking ends the token; another user cannot revoke it.
			tokens, err := s.app.Store.APITokens(ctx, s.users["desk1"].ID)
			if err != nil || len(tokens) != 1 {
				t.Fatalf("tokens: got %d, %v", len(tokens), err)
			}
			id := itoa(tokens[0].ID)
			if r := s.signedIn(t, "lib1").post("/staff/api-tokens/"+id+"/revoke", nil); r.status != http.StatusNotFound {
				t.Errorf("revoke another's token: got %d, want 404", r.status)
			}
			if r := desk.post("/staff/api-tokens/"+id+"/revoke", nil); r.status != http.StatusSeeOther {
				t.Errorf("revoke: got %d", r.status)
			}
			if status, _, _ := desk.apiInquiry(token, "application/json", good); status != http.StatusUnauthorized {
				t.Errorf("with the revoked token: got %d, want 401", status)
			}
		})
	}
}
