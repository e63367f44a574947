package app_test

import (
	"bytes"
	"io"
	"mime/quotedprintable"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store/storetest"
)

// mailTo is the decoded text of the messages in dir that mention addr.
func mailTo(t *testing.T, dir, addr string) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text, _ := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(raw)))
		if strings.Contains(string(text), addr) {
			all.Write(text)
			all.WriteString("\n----\n")
		}
	}
	return all.String()
}

var (
	requestLink   = regexp.MustCompile(`/requests/([A-Za-z0-9_-]{43})`)
	offerCheckbox = regexp.MustCompile(`name="slot" value="([^"]+)"`)
	offerButton   = regexp.MustCompile(`name="offer" value="(\d+)"`)
)

// The request flow through the real server on both databases: the desk
// files a request from a log entry; the librarian who opted in gets an
// e-mail and sees it in their list; a colleague without the competence
// cannot take it; the librarian takes it (a second take is refused),
// offers two of their free times; the student's e-mail links to them
// and one click books one, through the booking transaction, which marks
// the request booked; a second click is refused with what happened. The
// competence page counts the request, and a student files one of their
// own from the public page.
func TestRequestFlow(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			s, mailDir := adminExtraStart(t, d)
			ctx := t.Context()
			s.withCompetence(t)
			lib := s.signedIn(t, "lib1")
			if r := lib.post("/staff/profile", url.Values{"languages": {"nb, en"}, "in_person": {"1"}, "online": {"1"}, "notify_requests": {"1"}}); r.status != http.StatusSeeOther {
				t.Fatalf("profile: got %d:\n%s", r.status, r.body)
			}

			desk := s.signedIn(t, "desk1")
			if r := desk.post("/staff/desk", url.Values{"channel": {"desk"}, "topic": {itoa(s.topicID(t, "zotero"))}, "read": {"3"}, "minutes": {"5"}, "outcome": {"answered"}}); r.status != http.StatusSeeOther {
				t.Fatalf("log: got %d:\n%s", r.status, r.body)
			}
			list, err := s.app.Store.Inquiries(ctx, booking.InquirySearch{})
			if err != nil || len(list) != 1 {
				t.Fatalf("inquiries: got %d, %v", len(list), err)
			}
			entry := list[0]
			if r := desk.get("/staff/desk"); !strings.Contains(r.body, "/staff/requests/new?inquiry="+itoa(entry.ID)) {
				t.Errorf("the log offers no request from the entry:\n%s", r.body)
			}
			if r := desk.get("/staff/requests/new?inquiry=" + itoa(entry.ID) + "&topic=zotero"); r.status != http.StatusOK {
				t.Fatalf("request form: got %d", r.status)
			}
			form := url.Values{"topic": {"zotero"}, "inquiry": {itoa(entry.ID)}, "need": {"Import of 300 references from EndNote"},
				"times": {"Tuesday mornings"}, "language": {"en"}, "mode": {""}, "name": {"Siri Student"}, "email": {"siri@student.example.org"}, "locale": {"en"}}
			if r := desk.post("/staff/requests/new", form); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "must consent") {
				t.Errorf("without consent: got %d, want 422 asking for it", r.status)
			}
			form.Set("consent", "yes")
			r := desk.post("/staff/requests/new", form)
			if r.status != http.StatusSeeOther || !strings.Contains(r.header.Get("Location"), "requestfiled") {
				t.Fatalf("file: got %d %q:\n%s", r.status, r.header.Get("Location"), r.body)
			}
			reqs, err := s.app.Store.Requests(ctx, booking.RequestSearch{})
			if err != nil || len(reqs) != 1 {
				t.Fatalf("requests: got %d, %v", len(reqs), err)
			}
			req := reqs[0]
			// Filed Monday 08:00: two working days is the end of Wednesday.
			if req.State != booking.RequestOpen || req.InquiryID != entry.ID || req.FiledBy != s.users["desk1"].ID ||
				!req.DueAt.Equal(time.Date(2026, 5, 7, 0, 0, 0, 0, s.loc)) {
				t.Errorf("filed: got %+v", req)
			}
			if e, _ := s.app.Store.Inquiry(ctx, entry.ID); e.Outcome != booking.OutcomeReferred {
				t.Errorf("the entry's outcome: got %s, want referred", e.Outcome)
			}
			path := "/staff/requests/" + itoa(req.ID)
			if r := desk.get("/staff/desk"); !strings.Contains(r.body, path) {
				t.Errorf("the log does not show the entry's request")
			}

			if n, err := s.app.Mailer.SendDue(ctx); n < 1 || err != nil {
				t.Fatalf("SendDue: got %d, %v", n, err)
			}
			// In Norwegian: Liv's profile has it among her languages.
			if m := mailTo(t, mailDir, "liv@ub.example.org"); !strings.Contains(m, "ber om veiledning i Zotero og referanser") || !strings.Contains(m, s.base+path) {
				t.Errorf("the librarian's e-mail:\n%s", m)
			}
			if m := mailTo(t, mailDir, "kare@ub.example.org"); m != "" {
				t.Errorf("a librarian who did not opt in got:\n%s", m)
			}

			// The staff home (the bookings) leads to the list.
			if r := lib.get("/staff/bookings"); !strings.Contains(r.body, "Open requests in your topics: 1.") {
				t.Errorf("the librarian's home does not lead to the open request")
			}
			if r := lib.get("/staff/requests"); r.status != http.StatusOK || !strings.Contains(r.body, path) {
				t.Errorf("the librarian's list: got %d, want the request:\n%s", r.status, r.body)
			}
			coord := s.signedIn(t, "coord")
			if r := coord.post(path+"/take", nil); r.status != http.StatusConflict || !strings.Contains(r.body, "holds the competence") {
				t.Errorf("take without the competence: got %d:\n%s", r.status, r.body)
			}
			if r := lib.post(path+"/take", nil); r.status != http.StatusSeeOther {
				t.Fatalf("take: got %d:\n%s", r.status, r.body)
			}
			if r := lib.post(path+"/take", nil); r.status != http.StatusConflict {
				t.Errorf("take again: got %d, want 409", r.status)
			}
			page := lib.get(path)
			times := offerCheckbox.FindAllStringSubmatch(page.body, -1)
			if len(times) < 3 {
				t.Fatalf("offer form: got %d times, want several:\n%s", len(times), page.body)
			}
			if r := lib.post(path+"/offer", url.Values{"slot": {"2030-01-01T10:00:00Z in-person"}}); r.status != http.StatusConflict {
				t.Errorf("offering a time that is not free: got %d, want 409", r.status)
			}
			// Two times far apart: a booking at the first leaves the
			// second free.
			if r := lib.post(path+"/offer", url.Values{"slot": {times[0][1], times[len(times)-1][1]}}); r.status != http.StatusSeeOther {
				t.Fatalf("offer: got %d:\n%s", r.status, r.body)
			}

			if n, err := s.app.Mailer.SendDue(ctx); n != 1 || err != nil {
				t.Fatalf("SendDue: got %d, %v; want the student's e-mail", n, err)
			}
			m := mailTo(t, mailDir, "siri@student.example.org")
			link := requestLink.FindStringSubmatch(m)
			if link == nil || !strings.Contains(m, "Liv Bibliotekar offers you these times") {
				t.Fatalf("the student's e-mail:\n%s", m)
			}
			student := s.client(t)
			offers := student.get("/requests/" + link[1])
			buttons := offerButton.FindAllStringSubmatch(offers.body, -1)
			if offers.status != http.StatusOK || len(buttons) != 2 {
				t.Fatalf("offers page: got %d with %d offers, want 2:\n%s", offers.status, len(buttons), offers.body)
			}
			// Someone books the first offered time before the student.
			first, _ := parseSlot(times[0][1])
			other := s.client(t)
			other.book(first, stStudent{"Ola Other", "ola@student.example.org", "", ""})
			r = student.post("/requests/"+link[1], url.Values{"offer": {buttons[0][1]}})
			if r.status != http.StatusConflict || !strings.Contains(r.body, "no longer free") || !strings.Contains(r.body, `value="`+buttons[1][1]+`"`) || strings.Contains(r.body, `value="`+buttons[0][1]+`"`) {
				t.Errorf("a taken offer: got %d, want 409 with the other offer:\n%s", r.status, r.body)
			}
			r = student.post("/requests/"+link[1], url.Values{"offer": {buttons[1][1]}})
			if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/booking/") {
				t.Fatalf("book the offer: got %d %q:\n%s", r.status, r.header.Get("Location"), r.body)
			}
			got, err := s.app.Store.Request(ctx, req.ID)
			if err != nil || got.State != booking.RequestBooked || got.BookingID == 0 {
				t.Fatalf("after booking: got %+v, %v", got, err)
			}
			b, err := s.app.Store.BookingByID(ctx, got.BookingID)
			if err != nil || b.RequestID != req.ID || b.LibrarianID != s.users["lib1"].ID || b.StudentEmail != "siri@student.example.org" {
				t.Errorf("the booking: got %+v, %v", b, err)
			}
			if _, err := s.app.Mailer.SendDue(ctx); err != nil {
				t.Fatal(err)
			}
			if m := mailTo(t, mailDir, "siri@student.example.org"); !strings.Contains(m, "is confirmed, in answer to your request.") {
				t.Errorf("the student's confirmation does not say it answers the request:\n%s", m)
			}
			if r := student.post("/requests/"+link[1], url.Values{"offer": {buttons[1][1]}}); r.status != http.StatusConflict || !strings.Contains(r.body, "already booked") {
				t.Errorf("a second click: got %d:\n%s", r.status, r.body)
			}
			if r := student.get("/requests/" + link[1]); !strings.Contains(r.body, "You booked one of the times") {
				t.Errorf("the offers page after booking:\n%s", r.body)
			}

			// The student's own request from the public page.
			pub := s.client(t)
			if r := pub.get("/request/zotero"); r.status != http.StatusOK || !strings.Contains(r.body, "Ask for a time") {
				t.Fatalf("public form: got %d", r.status)
			}
			if r := pub.get("/request/nosuch"); r.status != http.StatusNotFound {
				t.Errorf("unknown topic: got %d, want 404", r.status)
			}
			sf := url.Values{"need": {"Help with Zotero and Word"}, "name": {"Per Student"}, "email": {"per@student.example.org"}}
			if r := pub.post("/request/zotero", sf); r.status != http.StatusUnprocessableEntity {
				t.Errorf("public form without consent: got %d, want 422", r.status)
			}
			sf.Set("consent", "yes")
			if r := pub.post("/request/zotero", sf); r.status != http.StatusCreated || !strings.Contains(r.body, "we have your request") {
				t.Errorf("public form: got %d:\n%s", r.status, r.body)
			}

			// Another student's request, which the librarian books
			// directly: the booking records it and staff made it.
			sf.Set("email", "pia@student.example.org")
			sf.Set("name", "Pia Student")
			if r := pub.post("/request/zotero", sf); r.status != http.StatusCreated {
				t.Fatalf("public form: got %d", r.status)
			}
			pia, _ := s.app.Store.RequestsByEmail(ctx, "pia@student.example.org")
			if len(pia) != 1 {
				t.Fatalf("Pia's requests: got %d", len(pia))
			}
			ppath := "/staff/requests/" + itoa(pia[0].ID)
			if r := lib.post(ppath+"/book", url.Values{"start": {times[len(times)/2][1]}}); r.status != http.StatusConflict {
				t.Errorf("booking an untaken request: got %d, want 409", r.status)
			}
			if r := lib.post(ppath+"/take", nil); r.status != http.StatusSeeOther {
				t.Fatalf("take Pia's: got %d", r.status)
			}
			if r := lib.post(ppath+"/book", url.Values{"start": {times[len(times)/2][1]}}); r.status != http.StatusSeeOther {
				t.Fatalf("book directly: got %d:\n%s", r.status, r.body)
			}
			pr, _ := s.app.Store.Request(ctx, pia[0].ID)
			pb, err := s.app.Store.BookingByID(ctx, pr.BookingID)
			if pr.State != booking.RequestBooked || err != nil || pb.RequestID != pr.ID || pb.BookedBy != s.users["lib1"].ID {
				t.Errorf("direct booking: request %s, booking %+v, %v", pr.State, pb, err)
			}

			if _, err := s.app.Mailer.SendDue(ctx); err != nil {
				t.Fatal(err)
			}
			if m := mailTo(t, mailDir, "pia@student.example.org"); !strings.Contains(m, "the librarian made it for you, in answer to your request.") {
				t.Errorf("Pia's confirmation does not say the librarian booked it:\n%s", m)
			}

			// Three days later the student's request is overdue, which
			// the section heads see.
			s.advance(3 * 24 * time.Hour)
			admin := s.signedIn(t, "admin")
			cp := admin.get("/admin/competence?from=2026-05-04&to=2026-05-31")
			if !strings.Contains(cp.body, "Requests: 3, 1 unanswered, 1 overdue.") || !strings.Contains(cp.body, "Requests wait past their answer target.") {
				t.Errorf("competence page lacks the requests:\n%s", cp.body)
			}
			// Closing it needs a reason; the desk may close it.
			open, _ := s.app.Store.Requests(ctx, booking.RequestSearch{States: []booking.RequestState{booking.RequestOpen}})
			if len(open) != 1 {
				t.Fatalf("open requests: got %d, want 1", len(open))
			}
			cpath := "/staff/requests/" + itoa(open[0].ID)
			desk = s.signedIn(t, "desk1") // the day's session has ended
			if !strings.Contains(cp.body, cpath) {
				t.Errorf("the overdue request is not listed on the competence page")
			}
			if r := desk.post(cpath+"/close", url.Values{"reason": {""}}); r.status != http.StatusConflict {
				t.Errorf("close without a reason: got %d", r.status)
			}
			if r := desk.post(cpath+"/close", url.Values{"reason": {"The student found help at the writing centre"}}); r.status != http.StatusSeeOther {
				t.Errorf("close: got %d:\n%s", r.status, r.body)
			}
		})
	}
}

// parseSlot turns an offer form's value back into the slot's start as
// the API writes it.
func parseSlot(v string) (string, bool) {
	start, mode, _ := strings.Cut(v, " ")
	return start, mode == "online"
}

func (s *stSite) topicID(t *testing.T, slug string) int64 {
	t.Helper()
	tp, err := s.app.Store.TopicBySlug(t.Context(), slug)
	if err != nil {
		t.Fatal(err)
	}
	return tp.ID
}

// POST /api/requests files a request with a staff member's API token;
// bad requests get API.md's errors and file nothing.
func TestRequestAPI(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			s := stStart(t, d)
			ctx := t.Context()
			desk := s.signedIn(t, "desk1")
			r := desk.post("/staff/api-tokens", url.Values{"label": {"Chat plug-in"}})
			m := secretSpan.FindStringSubmatch(r.body)
			if m == nil {
				t.Fatalf("make a token: got %d", r.status)
			}
			token := m[1]
			post := func(tok, ctype, body string) (int, string) {
				req, err := http.NewRequest(http.MethodPost, s.base+"/api/requests", strings.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				if tok != "" {
					req.Header.Set("Authorization", "Bearer "+tok)
				}
				req.Header.Set("Content-Type", ctype)
				rep := desk.do(req)
				return rep.status, rep.body
			}
			const good = `{"topic":"zotero","need":"Zotero in Word","preferred_times":"afternoons","language":"nb","mode":"online","name":"Siri Student","email":"siri@student.example.org","locale":"en","consent":true}`
			for _, tc := range []struct {
				name, token, ctype, body string
				status                   int
				want                     string
			}{
				{"no token", "", "application/json", good, http.StatusUnauthorized, `"unauthorized"`},
				{"bad token", "nope", "application/json", good, http.StatusUnauthorized, `"unauthorized"`},
				{"not JSON", token, "text/plain", good, http.StatusUnsupportedMediaType, `"unsupported_media_type"`},
				{"no consent", token, "application/json", strings.Replace(good, `"consent":true`, `"consent":false`, 1), http.StatusUnprocessableEntity, `"consent"`},
				{"unknown topic", token, "application/json", strings.Replace(good, `"zotero"`, `"nosuch"`, 1), http.StatusUnprocessableEntity, `"topic"`},
				{"bad e-mail", token, "application/json", strings.Replace(good, "siri@student.example.org", "siri", 1), http.StatusUnprocessableEntity, `"email"`},
				{"no need", token, "application/json", strings.Replace(good, "Zotero in Word", " ", 1), http.StatusUnprocessableEntity, `"need"`},
				{"another's entry", token, "application/json", strings.Replace(good, `"consent":true`, `"consent":true,"inquiry":999999`, 1), http.StatusUnprocessableEntity, `"inquiry"`},
				{"unknown field", token, "application/json", strings.Replace(good, `"consent":true`, `"consent":true,"x":1`, 1), http.StatusBadRequest, ""},
			} {
				status, body := post(tc.token, tc.ctype, tc.body)
				if status != tc.status || !strings.Contains(body, tc.want) {
					t.Errorf("%s: got %d %s, want %d with %s", tc.name, status, body, tc.status, tc.want)
				}
			}
			if got, _ := s.app.Store.Requests(ctx, booking.RequestSearch{}); len(got) != 0 {
				t.Fatalf("bad requests filed %d", len(got))
			}
			status, body := post(token, "application/json", good)
			if status != http.StatusCreated || !strings.Contains(body, `"state":"open"`) || !strings.Contains(body, `"topic":"zotero"`) {
				t.Fatalf("good request: got %d %s", status, body)
			}
			got, err := s.app.Store.Requests(ctx, booking.RequestSearch{})
			if err != nil || len(got) != 1 || got[0].FiledBy != s.users["desk1"].ID || got[0].Mode != booking.ModeOnline || got[0].Locale != "en" {
				t.Errorf("filed: got %+v, %v", got, err)
			}

			// The export finds it by e-mail, and the erasure clears and
			// closes it.
			exp, err := s.app.Privacy.Export(ctx, "SIRI@student.example.org")
			if err != nil || len(exp.Requests) != 1 || exp.Requests[0].Need != "Zotero in Word" {
				t.Errorf("export: got %+v, %v", exp.Requests, err)
			}
			if _, err := s.app.Privacy.Erase(ctx, "siri@student.example.org"); err != nil {
				t.Fatal(err)
			}
			after, err := s.app.Store.Request(ctx, got[0].ID)
			if err != nil || !after.Anonymised || after.StudentEmail != "" || after.State != booking.RequestClosed {
				t.Errorf("after erasure: got %+v, %v", after, err)
			}
		})
	}
}
