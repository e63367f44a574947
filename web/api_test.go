package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func (e *env) postJSON(t *testing.T, path, body string, header ...string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return do(t, http.DefaultClient, req)
}

type apiErrorJSON struct {
	Error struct {
		Code, Message, Field string
	}
}

func TestAPIErrors(t *testing.T) {
	e := newEnv(t)
	token := e.booker.addBooking(t, slotWed13)
	start := slotTue9.UTC().Format(time.RFC3339)
	booking := func(name, email string) string {
		b, _ := json.Marshal(map[string]any{"topic": "zotero", "start": start, "language": "nb", "mode": "in-person",
			"name": name, "email": email, "consent": true})
		return string(b)
	}
	tests := []struct {
		name, method, path, contentType, body string
		status                                int
		code, field                           string
	}{
		{"slots without topic", "GET", "/api/slots", "", "", 400, "required", "topic"},
		{"slots bad from", "GET", "/api/slots?topic=zotero&from=tomorrow", "", "", 400, "invalid", "from"},
		{"slots bad mode", "GET", "/api/slots?topic=zotero&mode=carrier-pigeon", "", "", 400, "invalid", "mode"},
		{"slots to before from", "GET", "/api/slots?topic=zotero&from=2026-03-10T00:00:00Z&to=2026-03-09T00:00:00Z", "", "", 400, "invalid", "to"},
		{"slots unknown topic", "GET", "/api/slots?topic=nope", "", "", 404, "not_found", ""},
		{"book as form", "POST", "/api/bookings", "application/x-www-form-urlencoded", "topic=zotero", 415, "unsupported_media_type", ""},
		{"book as text", "POST", "/api/bookings", "text/plain", booking("Ola", "ola@example.com"), 415, "unsupported_media_type", ""},
		{"book bad json", "POST", "/api/bookings", "application/json", `{"topic":`, 400, "bad_request", ""},
		{"book unknown field", "POST", "/api/bookings", "application/json", `{"topik":"zotero"}`, 400, "bad_request", ""},
		{"book no consent", "POST", "/api/bookings", "application/json", `{"topic":"zotero","start":"` + start + `","name":"Ola","email":"ola@example.com"}`, 422, "required", "consent"},
		{"book bad email", "POST", "/api/bookings", "application/json; charset=utf-8", booking("Ola", "ola@"), 422, "invalid", "email"},
		{"book service field error", "POST", "/api/bookings", "application/json", booking("Bad Mail", "ola@example.com"), 422, "invalid", "email"},
		{"book taken", "POST", "/api/bookings", "application/json", booking("Taken", "ola@example.com"), 409, "slot_taken", ""},
		{"book limit", "POST", "/api/bookings", "application/json", booking("Ola", "full@example.com"), 409, "limit_reached", ""},
		{"book internal", "POST", "/api/bookings", "application/json", booking("Boom", "ola@example.com"), 500, "internal", ""},
		{"get unknown", "GET", "/api/bookings/nope", "", "", 404, "not_found", ""},
		{"delete unknown", "DELETE", "/api/bookings/nope", "", "", 404, "not_found", ""},
		{"unknown route", "GET", "/api/nothing", "", "", 404, "not_found", ""},
		{"cancel twice", "DELETE", "/api/bookings/" + token, "", "", 200, "", ""},
		{"cancel twice", "DELETE", "/api/bookings/" + token, "", "", 409, "conflict", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, e.srv.URL+tt.path, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			res := do(t, http.DefaultClient, req)
			if res.status != tt.status {
				t.Errorf("status = %d, want %d; body %s", res.status, tt.status, res.body)
			}
			if got := res.header.Get("Content-Type"); got != "application/json; charset=utf-8" {
				t.Errorf("Content-Type = %q, want JSON", got)
			}
			if tt.code == "" {
				return
			}
			var got apiErrorJSON
			if err := json.Unmarshal([]byte(res.body), &got); err != nil {
				t.Fatalf("body %q: %v", res.body, err)
			}
			if got.Error.Code != tt.code || got.Error.Field != tt.field || got.Error.Message == "" || strings.HasPrefix(got.Error.Message, "MISSING:") {
				t.Errorf("error = %+v, want code %q field %q and a message", got.Error, tt.code, tt.field)
			}
			if strings.Contains(res.body, "database on fire") {
				t.Errorf("the internal error's detail reached the client")
			}
		})
	}
}

func TestAPIFlow(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)

	res := e.get(t, c, "/api/topics")
	var topics struct {
		Services []apiService
		Topics   []apiTopic
	}
	if err := json.Unmarshal([]byte(res.body), &topics); err != nil || res.status != 200 {
		t.Fatalf("topics = %d %q: %v", res.status, res.body, err)
	}
	if got, want := len(topics.Topics), 4; got != want {
		t.Errorf("topics = %d, want %d", got, want)
	}
	if got := topics.Topics[0]; got.Slug != "zotero" || got.Service != "bibliotekar" || got.Name.EN != "Zotero and references" {
		t.Errorf("first topic = %+v", got)
	}
	if !strings.Contains(res.body, `"name":{"nb":"Zotero og referanser","en":"Zotero and references"}`) {
		t.Errorf("topic names not as documented: %s", res.body)
	}

	q := url.Values{"topic": {"zotero"}, "mode": {"online"}, "from": {"2026-03-09T00:00:00+01:00"}, "to": {"2026-03-16T00:00:00+01:00"}}
	res = e.get(t, c, "/api/slots?"+q.Encode())
	if want := `{"slots":[{"start":"2026-03-10T09:00:00Z","end":"2026-03-10T09:45:00Z","mode":"online"}]}`; res.body != want {
		t.Errorf("slots = %s, want %s", res.body, want)
	}
	res = e.get(t, c, "/api/slots?topic=zotero&from=2030-01-01T00:00:00Z")
	if want := `{"slots":[]}`; res.body != want {
		t.Errorf("no slots = %s, want %s", res.body, want)
	}

	res = e.postJSON(t, "/api/bookings", `{"topic":"zotero","start":"2026-03-10T09:00:00Z","language":"en","mode":"online",
		"name":"Ola","email":"ola@example.com","question":"Zotero and Word","programme":"History","study_level":"bachelor","consent":true}`)
	if res.status != http.StatusCreated {
		t.Fatalf("book = %d %s, want 201", res.status, res.body)
	}
	var created struct {
		Booking     apiBooking
		ManageToken string `json:"manage_token"`
		ManageURL   string `json:"manage_url"`
	}
	if err := json.Unmarshal([]byte(res.body), &created); err != nil {
		t.Fatal(err)
	}
	if created.ManageToken == "" || created.ManageURL != "https://veileder.example.org/booking/"+created.ManageToken {
		t.Errorf("manage token %q, url %q", created.ManageToken, created.ManageURL)
	}
	if got := res.header.Get("Location"); got != "/api/bookings/"+created.ManageToken {
		t.Errorf("Location = %q", got)
	}
	b := created.Booking
	if b.Status != "confirmed" || b.Topic != "zotero" || b.Mode != "online" || b.LibrarianName != "Kari Nordmann" ||
		!b.Start.Equal(slotTue10) || b.Location != "https://meet.example.org/abc" {
		t.Errorf("booking = %+v", b)
	}
	if strings.Contains(res.body, "ola@example.com") {
		t.Errorf("the response repeats the student's e-mail: %s", res.body)
	}

	res = e.get(t, c, "/api/bookings/"+created.ManageToken)
	if res.status != 200 || !strings.Contains(res.body, `"status":"confirmed"`) || res.header.Get("Cache-Control") != "no-store" {
		t.Errorf("get = %d %s (Cache-Control %q)", res.status, res.body, res.header.Get("Cache-Control"))
	}
	req, _ := http.NewRequest(http.MethodDelete, e.srv.URL+"/api/bookings/"+created.ManageToken, nil)
	res = do(t, c, req)
	if res.status != 200 || !strings.Contains(res.body, `"status":"cancelled","cancelled_by":"student"`) {
		t.Errorf("delete = %d %s", res.status, res.body)
	}
}

func TestAPIMessagesFollowAcceptLanguage(t *testing.T) {
	e := newEnv(t)
	for _, tt := range []struct{ lang, want string }{{"nb", "Velg hva du trenger hjelp til"}, {"en", "Choose what you need help with"}} {
		res := e.get(t, e.client(t), "/api/slots", "Accept-Language", tt.lang)
		if !strings.Contains(res.body, tt.want) {
			t.Errorf("%s: body = %s, want message %q", tt.lang, res.body, tt.want)
		}
	}
}

// TestAPIStrictInput: the API refuses what it cannot store as sent, and
// names the field: trailing data after the object, strings that are not
// UTF-8 (encoding/json would replace them), unknown study levels.
func TestAPIStrictInput(t *testing.T) {
	start := slotTue9.UTC().Format(time.RFC3339)
	booking := func(name, email string) string {
		b, _ := json.Marshal(map[string]any{"topic": "zotero", "start": start, "language": "nb", "mode": "in-person",
			"name": name, "email": email, "consent": true})
		return string(b)
	}
	tests := []struct {
		name, method, path, contentType, body string
		status                                int
		code, field                           string
	}{
		{"book trailing object", "POST", "/api/bookings", "application/json", booking("Ola", "ola@example.com") + `{"topic":"x"}`, 400, "bad_request", ""},
		{"book trailing text", "POST", "/api/bookings", "application/json", booking("Ola", "ola@example.com") + "garbage", 400, "bad_request", ""},
		{"book trailing line end", "POST", "/api/bookings", "application/json", booking("Ola", "ola@example.com") + "\r\n", 201, "", ""},
		{"book name not UTF-8", "POST", "/api/bookings", "application/json", strings.Replace(booking("Ola", "ola@example.com"), "Ola", "Ola \xff", 1), 422, "invalid", "name"},
		{"book question not UTF-8", "POST", "/api/bookings", "application/json", strings.Replace(booking("Ola", "ola@example.com"), `"consent"`, "\"question\":\"a\xc3\",\"consent\"", 1), 422, "invalid", "question"},
		{"book study level unknown", "POST", "/api/bookings", "application/json", strings.Replace(booking("Ola", "ola@example.com"), `"consent"`, `"study_level":"<b>x</b>","consent"`, 1), 422, "invalid", "study_level"},
		{"book study level huge", "POST", "/api/bookings", "application/json", strings.Replace(booking("Ola", "ola@example.com"), `"consent"`, `"study_level":"`+strings.Repeat("m", 120000)+`","consent"`, 1), 422, "invalid", "study_level"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t) // a fresh rate limit each
			res := e.postJSON(t, tt.path, tt.body)
			if res.status != tt.status {
				t.Errorf("status = %d, want %d; body %s", res.status, tt.status, res.body)
			}
			if tt.code == "" {
				return
			}
			var got apiErrorJSON
			if err := json.Unmarshal([]byte(res.body), &got); err != nil {
				t.Fatalf("body %q: %v", res.body, err)
			}
			if got.Error.Code != tt.code || got.Error.Field != tt.field || got.Error.Message == "" {
				t.Errorf("error = %+v, want code %q field %q and a message", got.Error, tt.code, tt.field)
			}
		})
	}
}
