package web

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
)

// fakeDropIn is an in-memory DropIn: a few sessions in the week of
// testNow, and feeds that say which theme they were asked for.
type fakeDropIn struct {
	mu       sync.Mutex
	sessions []booking.DropInOccurrence
	served   []string // "feed:<theme>" and "session:<uid>" requests
}

const seriesUID = "series/1@ub.example.org"

func newFakeDropIn() *fakeDropIn {
	tue := time.Date(2026, 3, 10, 10, 0, 0, 0, oslo)
	return &fakeDropIn{sessions: []booking.DropInOccurrence{
		{UID: seriesUID, RecurrenceID: tue, Start: tue, End: tue.Add(90 * time.Minute), Summary: "Zotero-verksted",
			Description: "Ta med PC.\n\nIngen påmelding.", Location: "Georg Sverdrups hus, rom 2", Themes: []string{"zotero"}},
		{UID: "cancelled@x", Start: time.Date(2026, 3, 11, 13, 0, 0, 0, oslo), End: time.Date(2026, 3, 11, 14, 0, 0, 0, oslo),
			Summary: "Systematisk søk", Themes: []string{"systematisk"}, Cancelled: true},
		{UID: "week@x", Start: time.Date(2026, 3, 12, 0, 0, 0, 0, oslo), End: time.Date(2026, 3, 15, 0, 0, 0, 0, oslo),
			AllDay: true, Themes: []string{"skriving-akademisk"}, URL: "https://ub.example.org/skriveuke"},
	}}
}

func (f *fakeDropIn) Upcoming(_ context.Context, from, to time.Time) ([]booking.DropInOccurrence, error) {
	var out []booking.DropInOccurrence
	for _, s := range f.sessions {
		if s.Start.Before(to) && s.End.After(from) {
			out = append(out, s)
		}
	}
	return out, nil
}

func (f *fakeDropIn) Themes(context.Context) ([]booking.Topic, error) {
	return newFakeBooker().cat.Topics, nil
}

func (f *fakeDropIn) ServeFeed(w http.ResponseWriter, r *http.Request, theme string) {
	f.mu.Lock()
	f.served = append(f.served, r.Method+" feed:"+theme)
	f.mu.Unlock()
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	fmt.Fprint(w, "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
}

func (f *fakeDropIn) ServeSession(w http.ResponseWriter, r *http.Request, uid string) {
	f.mu.Lock()
	f.served = append(f.served, r.Method+" session:"+uid+" at="+r.URL.Query().Get("at"))
	f.mu.Unlock()
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
}

func (f *fakeDropIn) last() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.served) == 0 {
		return ""
	}
	return f.served[len(f.served)-1]
}

func dropinEnv(t *testing.T) (*env, *fakeDropIn) {
	t.Helper()
	dp := newFakeDropIn()
	return newEnv(t, func(c *Config) { c.DropIn = dp }), dp
}

func TestDropinPage(t *testing.T) {
	e, _ := dropinEnv(t)
	c := e.client(t)
	r := e.get(t, c, "/dropin")
	if r.status != http.StatusOK {
		t.Fatalf("status %d:\n%s", r.status, r.body)
	}
	webcal := "webcal://veileder.example.org/feeds/dropin.ics"
	for _, want := range []string{
		`<html lang="nb">`, "<h1>Drop-in-veiledning</h1>",
		`<h3 id="day-2026-03-10"><time datetime="2026-03-10">tirsdag 10. mars</time></h3>`,
		"10.00–11.30", "Zotero-verksted", "Georg Sverdrups hus, rom 2", "<p>Ta med PC.</p>", "<p>Ingen påmelding.</p>",
		`<a href="/dropin?theme=zotero">Zotero og referanser</a>`,
		"Avlyst:", "<s>Systematisk søk</s>",
		// An all-day session of three days, named after its theme.
		"Hele dagen, til og med lørdag 14. mars 2026", "Akademisk skriving",
		// Downloads: the occurrence (its RECURRENCE-ID in UTC) and the series.
		`href="/dropin/session/series%2F1@ub.example.org.ics?at=20260310T090000Z"`,
		`href="/dropin/session/series%2F1@ub.example.org.ics"`,
		`href="` + webcal + `"`,
		`href="https://calendar.google.com/calendar/r?cid=` + url.QueryEscape(webcal) + `"`,
		`value="https://veileder.example.org/feeds/dropin.ics"`,
		html.EscapeString(`<iframe src="https://veileder.example.org/dropin/widget?lang=nb"`),
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(r.body, "/dropin/session/cancelled@x") {
		t.Errorf("a cancelled session has a download link")
	}
	if strings.Contains(r.body, "MISSING:") || strings.Contains(r.body, "<script") {
		t.Errorf("page has a missing text or a script")
	}

	// One theme, in English.
	r = e.get(t, c, "/dropin?theme=zotero&lang=en")
	for _, want := range []string{
		`<html lang="en">`, "Drop-in: Zotero and references", "10:00–11:30",
		`href="webcal://veileder.example.org/feeds/dropin/zotero.ics?lang=en"`,
		`aria-current="page">Zotero and references</a>`,
		`href="/dropin/session/series%2F1@ub.example.org.ics?at=20260310T090000Z&amp;lang=en"`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("theme page lacks %s", want)
		}
	}
	if strings.Contains(r.body, "Systematic searching</s>") || strings.Contains(r.body, "All day") {
		t.Errorf("theme page shows other themes' sessions")
	}
	if r := e.get(t, c, "/dropin?theme=nope"); r.status != http.StatusNotFound {
		t.Errorf("unknown theme: status %d, want 404", r.status)
	}
}

func TestDropinWidget(t *testing.T) {
	e, _ := dropinEnv(t)
	r := e.get(t, e.client(t), "/dropin/widget?lang=en&limit=2")
	if r.status != http.StatusOK {
		t.Fatalf("status %d:\n%s", r.status, r.body)
	}
	csp := r.header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors *") || strings.Contains(csp, "script-src") {
		t.Errorf("CSP %q: want framing allowed and no script", csp)
	}
	if xfo := r.header.Get("X-Frame-Options"); xfo != "" {
		t.Errorf("X-Frame-Options %q forbids the <iframe>", xfo)
	}
	if r.header.Get("Set-Cookie") != "" {
		t.Errorf("the widget sets a cookie")
	}
	// The inline style is the one the CSP's hash allows.
	m := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("no style:\n%s", r.body)
	}
	sum := sha256.Sum256([]byte(m[1]))
	if h := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(csp, h) {
		t.Errorf("CSP %q does not allow the style (%s)", csp, h)
	}
	if strings.Contains(r.body, `rel="stylesheet"`) || strings.Contains(r.body, "<script") {
		t.Errorf("the widget is not self-contained")
	}
	if n := strings.Count(r.body, "<li>"); n != 2 {
		t.Errorf("%d sessions, want the limit of 2", n)
	}
	for _, want := range []string{`<html lang="en">`, "Upcoming drop-in sessions", "Tuesday 10 March, 10:00–11:30", "Cancelled:",
		`href="https://veileder.example.org/dropin?lang=en" target="_blank" rel="noopener"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("widget lacks %s", want)
		}
	}
	r = e.get(t, e.client(t), "/dropin/widget?theme=skriving-akademisk")
	if !strings.Contains(r.body, "lørdag 14. mars") || strings.Contains(r.body, "Zotero-verksted") {
		t.Errorf("theme widget:\n%s", r.body)
	}
}

func TestDropinFilesAreHandedToTheFeeds(t *testing.T) {
	e, dp := dropinEnv(t)
	c := e.client(t)
	for _, tt := range []struct {
		method, path string
		status       int
		served       string
	}{
		{http.MethodGet, "/feeds/dropin.ics", 200, "GET feed:"},
		{http.MethodGet, "/feeds/dropin.ics?lang=en", 200, "GET feed:"},
		{http.MethodHead, "/feeds/dropin/zotero.ics", 200, "HEAD feed:zotero"},
		{http.MethodOptions, "/feeds/dropin/zotero.ics", 200, "OPTIONS feed:zotero"},
		{http.MethodGet, "/feeds/dropin/zotero", 404, ""},
		{http.MethodGet, "/dropin/session/series%2F1@ub.example.org.ics?at=20260310T090000Z", 200, "GET session:series/1@ub.example.org at=20260310T090000Z"},
		{http.MethodGet, "/dropin/session/x", 404, ""},
	} {
		before := dp.last()
		req, _ := http.NewRequest(tt.method, e.srv.URL+tt.path, nil)
		r := do(t, c, req)
		if r.status != tt.status {
			t.Errorf("%s %s: status %d, want %d", tt.method, tt.path, r.status, tt.status)
		}
		got := dp.last()
		if tt.served == "" && got != before || tt.served != "" && got != tt.served {
			t.Errorf("%s %s: feeds asked for %q, want %q", tt.method, tt.path, got, tt.served)
		}
	}
}

func TestDropinWithoutFeeds(t *testing.T) {
	e := newEnv(t)
	for _, p := range []string{"/dropin", "/dropin/widget", "/feeds/dropin.ics", "/feeds/dropin/zotero.ics"} {
		if r := e.get(t, e.client(t), p); r.status != http.StatusNotFound {
			t.Errorf("%s without feeds: status %d, want 404", p, r.status)
		}
	}
}
