package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestPagesRenderInBothLanguages(t *testing.T) {
	e := newEnv(t)
	token := e.booker.addBooking(t, slotWed13)
	tests := []struct {
		name, path string
		status     int
		nb, en     string // a text each language's page must show
	}{
		{"home", "/", 200, "Hva trenger du hjelp til?", "What do you need help with?"},
		{"topic", "/topics/zotero", 200, "tirsdag 10. mars", "Tuesday 10 March"},
		{"book form", bookPath, 200, "Bekreft bookingen", "Confirm booking"},
		{"booking", "/booking/" + token, 200, "Din booking", "Your booking"},
		{"new booking", "/booking/" + token + "?new=1", 200, "Bookingen er bekreftet", "Your booking is confirmed"},
		{"cancel confirm", "/booking/" + token + "/cancel", 200, "Vil du avbestille bookingen?", "Cancel this booking?"},
		{"privacy", "/privacy", 200, "90 dager etter møtet", "90 days after the meeting"},
		{"unknown page", "/nowhere", 404, "Fant ikke siden", "Page not found"},
		{"unknown topic", "/topics/nope", 404, "Fant ikke siden", "Page not found"},
		{"unknown token", "/booking/nosuchtoken", 404, "Fant ikke siden", "Page not found"},
	}
	for _, tt := range tests {
		for _, lang := range []string{"nb", "en"} {
			t.Run(tt.name+"/"+lang, func(t *testing.T) {
				// One language by Accept-Language, the other by default.
				header := []string{"Accept-Language", "en-GB,en;q=0.9"}
				if lang == "nb" {
					header = []string{"Accept-Language", "nb-NO,nb;q=0.9,en;q=0.5"}
				}
				res := e.get(t, e.client(t), tt.path, header...)
				if res.status != tt.status {
					t.Errorf("status = %d, want %d", res.status, tt.status)
				}
				if got, want := res.header.Get("Content-Type"), "text/html; charset=utf-8"; got != want {
					t.Errorf("Content-Type = %q, want %q", got, want)
				}
				if !strings.Contains(res.body, `<html lang="`+lang+`">`) {
					t.Errorf("page does not declare lang %q", lang)
				}
				want := tt.nb
				if lang == "en" {
					want = tt.en
				}
				if !strings.Contains(res.body, want) {
					t.Errorf("page lacks %q:\n%s", want, res.body)
				}
				if strings.Contains(res.body, "MISSING:") {
					t.Errorf("page shows a missing message key:\n%s", res.body)
				}
				for _, must := range []string{`class="skip-link" href="#main"`, `<main id="main"`, `href="/static/style.css"`} {
					if !strings.Contains(res.body, must) {
						t.Errorf("page lacks %q", must)
					}
				}
				if strings.Contains(res.body, "<script") || strings.Contains(res.body, " style=") {
					t.Errorf("page has script or inline style, which the CSP forbids")
				}
				for h, want := range map[string]string{
					"X-Content-Type-Options": "nosniff",
					"X-Frame-Options":        "DENY",
					"Referrer-Policy":        "no-referrer",
				} {
					if got := res.header.Get(h); got != want {
						t.Errorf("%s = %q, want %q", h, got, want)
					}
				}
				if csp := res.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "unsafe-inline") {
					t.Errorf("Content-Security-Policy = %q, want no inline and default none", csp)
				}
			})
		}
	}
}

func TestLanguageSwitch(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)

	res := e.get(t, c, "/?lang=en", "Accept-Language", "nb")
	if !strings.Contains(res.body, `<html lang="en">`) {
		t.Fatalf("?lang=en did not give English")
	}
	var ck *http.Cookie
	for _, k := range (&http.Response{Header: res.header}).Cookies() {
		if k.Name == "lang" {
			ck = k
		}
	}
	if ck == nil {
		t.Fatal("no lang cookie set")
	}
	if ck.Value != "en" || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.MaxAge <= 0 {
		t.Errorf("lang cookie = %+v, want en, SameSite=Lax, Path=/, lasting", ck)
	}
	// The switch back to Norwegian is a visible link in the other language.
	if !strings.Contains(res.body, `href="/?lang=nb" lang="nb" hreflang="nb">Norsk (bokmål)</a>`) {
		t.Errorf("no switch link to Norwegian in:\n%s", res.body)
	}

	// The cookie wins over Accept-Language on later pages.
	res = e.get(t, c, "/privacy", "Accept-Language", "nb")
	if !strings.Contains(res.body, `<html lang="en">`) {
		t.Errorf("cookie did not keep English")
	}
	// The switch keeps the page's query.
	res = e.get(t, c, "/topics/zotero?mode=online&week=2026-03-09")
	if !strings.Contains(res.body, `href="/topics/zotero?lang=nb&amp;mode=online&amp;week=2026-03-09"`) {
		t.Errorf("switch link does not keep the query:\n%s", res.body)
	}
	res = e.get(t, c, "/privacy?lang=nb")
	if !strings.Contains(res.body, `<html lang="nb">`) {
		t.Errorf("?lang=nb did not switch back")
	}
	res = e.get(t, c, "/privacy", "Accept-Language", "en")
	if !strings.Contains(res.body, `<html lang="nb">`) {
		t.Errorf("cookie did not keep Norwegian")
	}
}

func TestHome(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	res := e.get(t, c, "/?mode=online")
	for _, want := range []string{
		`href="/topics/generell"`,                               // help me choose
		`<legend>Bestill en bibliotekar</legend>`,               // grouped by service
		`<legend>Skrivestøtte</legend>`,                         // grouped by service
		`id="topic-zotero-hint">Hjelp med referanseverktøy</p>`, // short description
		`aria-describedby="topic-zotero-hint"`,
		`<form method="get" action="/topics"`,
		`id="mode-online" name="mode" value="online" checked`,
	} {
		if !strings.Contains(res.body, want) {
			t.Errorf("home lacks %q", want)
		}
	}
	if strings.Contains(res.body, `value="generell"`) {
		t.Errorf("the general topic is listed as a radio; want it only behind the help link")
	}

	// Without a topic, the form comes back with the error tied to it.
	res = e.get(t, c, "/topics?mode=online")
	if got, want := res.status, http.StatusUnprocessableEntity; got != want {
		t.Errorf("no topic: status = %d, want %d", got, want)
	}
	for _, want := range []string{`<a href="#topic-zotero">Velg hva du trenger hjelp til</a>`, `aria-describedby="topic-error"`, `<title>Feil: `, `value="online" checked`} {
		if !strings.Contains(res.body, want) {
			t.Errorf("no-topic page lacks %q", want)
		}
	}
	// With one, it goes on to the slot list, filters kept.
	res = e.get(t, c, "/topics?topic=zotero&mode=online&language=en&campus=")
	if got, want := res.header.Get("Location"), "/topics/zotero?language=en&mode=online"; res.status != http.StatusSeeOther || got != want {
		t.Errorf("choose topic = %d %q, want 303 %q", res.status, got, want)
	}
}

func TestTopicWeeks(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	tests := []struct {
		name, query   string
		want, notWant []string
	}{
		{
			name:  "this week",
			query: "",
			want: []string{
				"Uke 11: 9.–15. mars",
				`<h3 id="day-2026-03-10">tirsdag 10. mars</h3>`,
				`<h3 id="day-2026-03-11">onsdag 11. mars</h3>`,
				`<time datetime="2026-03-10T09:00:00&#43;01:00">09.00–09.45</time>`,
				`href="/book/zotero?mode=in-person&amp;start=2026-03-10T08%3A00%3A00Z"`,
				`href="/book/zotero?mode=online&amp;start=2026-03-10T09%3A00%3A00Z"`,
				`rel="next"`,
			},
			notWant: []string{`rel="prev"`, "16. mars</h3>"},
		},
		{
			name:    "next week",
			query:   "?week=2026-03-18", // any day of the week
			want:    []string{"Uke 12: 16.–22. mars", `<h3 id="day-2026-03-16">mandag 16. mars</h3>`, `href="/topics/zotero?week=2026-03-09" rel="prev"`},
			notWant: []string{"tirsdag 10. mars"},
		},
		{
			name:    "filters",
			query:   "?mode=online&language=en",
			want:    []string{"10.00–10.45", `href="/book/zotero?language=en&amp;mode=online&amp;start=2026-03-10T09%3A00%3A00Z"`},
			notWant: []string{"09.00–09.45", "onsdag"},
		},
		{
			name:    "past week is clamped",
			query:   "?week=2020-01-06",
			want:    []string{"Uke 11: 9.–15. mars"},
			notWant: []string{`rel="prev"`},
		},
		{
			name:    "empty week",
			query:   "?week=2026-03-30",
			want:    []string{"Ingen ledige tider denne uken."},
			notWant: []string{`class="slot"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := e.get(t, c, "/topics/zotero"+tt.query)
			if res.status != http.StatusOK {
				t.Fatalf("status = %d, want 200", res.status)
			}
			for _, want := range tt.want {
				if !strings.Contains(res.body, want) {
					t.Errorf("page lacks %q", want)
				}
			}
			for _, nw := range tt.notWant {
				if strings.Contains(res.body, nw) {
					t.Errorf("page has %q", nw)
				}
			}
			if t.Failed() {
				t.Logf("page:\n%s", res.body)
			}
		})
	}
}

func TestTopicSkipsEmptyCurrentWeek(t *testing.T) {
	e := newEnv(t, func(c *Config) {
		c.Now = func() time.Time { return time.Date(2026, 3, 14, 12, 0, 0, 0, oslo) } // Saturday
	})
	res := e.get(t, e.client(t), "/topics/zotero?lang=en")
	if !strings.Contains(res.body, "Week 12: 16–22 March") || !strings.Contains(res.body, "Monday 16 March") {
		t.Errorf("empty current week did not give way to the next:\n%s", res.body)
	}
}

func TestManagePage(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	token := e.booker.addBooking(t, slotWed13)
	base := "/booking/" + token

	res := e.get(t, c, base)
	for _, want := range []string{
		"Zotero og referanser", "onsdag 11. mars 2026, 13.00–13.45", "Room 101", "Kari Nordmann", "Bekreftet",
		`href="` + base + `/ics"`, `href="` + base + `/cancel"`, `href="/topics/zotero"`,
	} {
		if !strings.Contains(res.body, want) {
			t.Errorf("manage page lacks %q", want)
		}
	}
	if got := res.header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", got)
	}

	res = e.get(t, c, base+"/ics")
	if got, want := res.header.Get("Content-Type"), "text/calendar; charset=utf-8"; got != want {
		t.Errorf("ics Content-Type = %q, want %q", got, want)
	}
	if got := res.header.Get("Content-Disposition"); !strings.HasPrefix(got, "attachment;") {
		t.Errorf("ics Content-Disposition = %q, want attachment", got)
	}
	if !strings.HasPrefix(res.body, "BEGIN:VCALENDAR") {
		t.Errorf("ics body = %q", res.body)
	}
	if res := e.get(t, c, "/booking/unknown/ics"); res.status != http.StatusNotFound {
		t.Errorf("unknown ics status = %d, want 404", res.status)
	}

	// Cancel: a confirm step, then the POST with its CSRF token.
	res = e.get(t, c, base+"/cancel")
	csrf := csrfFrom(t, res.body)
	if !strings.Contains(res.body, `<form method="post" action="`+base+`/cancel">`) {
		t.Errorf("confirm page has no cancel form:\n%s", res.body)
	}
	res = e.postForm(t, c, base+"/cancel", url.Values{"csrf": {csrf}})
	if got, want := res.header.Get("Location"), base+"?cancelled=1"; res.status != http.StatusSeeOther || got != want {
		t.Fatalf("cancel = %d %q, want 303 %q", res.status, got, want)
	}
	res = e.get(t, c, base+"?cancelled=1")
	for _, want := range []string{"Bookingen er avbestilt", "Avbestilt av deg"} {
		if !strings.Contains(res.body, want) {
			t.Errorf("cancelled page lacks %q", want)
		}
	}
	if strings.Contains(res.body, base+"/cancel") {
		t.Errorf("cancelled booking still offers to cancel")
	}
	// Cancelling twice is refused clearly, not with a 500.
	res = e.postForm(t, c, base+"/cancel", url.Values{"csrf": {csrf}})
	if res.status != http.StatusConflict {
		t.Errorf("second cancel status = %d, want 409", res.status)
	}
	if res := e.postForm(t, c, "/booking/unknown/cancel", url.Values{"csrf": {csrf}}); res.status != http.StatusNotFound {
		t.Errorf("cancel unknown status = %d, want 404", res.status)
	}
}

func TestStaticAndHealth(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	res := e.get(t, c, "/static/style.css")
	if res.status != 200 || res.header.Get("Content-Type") != "text/css; charset=utf-8" || !strings.Contains(res.body, ":focus-visible") {
		t.Errorf("style.css = %d %q", res.status, res.header.Get("Content-Type"))
	}
	if res := e.get(t, c, "/static/style.css", "If-None-Match", res.header.Get("ETag")); res.status != http.StatusNotModified {
		t.Errorf("conditional style.css = %d, want 304", res.status)
	}
	if res := e.get(t, c, "/healthz"); res.status != 200 || res.body != "ok\n" {
		t.Errorf("healthz = %d %q", res.status, res.body)
	}
}

// The privacy page names the data controller and a contact when they are
// set, and gives the retention the purge uses.
func TestPrivacyNotice(t *testing.T) {
	tests := []struct {
		name          string
		notice        PrivacyNotice
		want, notWant []string
	}{
		{"defaults", PrivacyNotice{}, []string{"Biblioteket som tilbyr veiledningen, er behandlingsansvarlig", "90 dager etter møtet"}, []string{"Spørsmål om personvern"}},
		{"e-mail contact", PrivacyNotice{Controller: "Universitetet i Oslo", Contact: "personvernombud@uio.example.no", Retention: 30 * 24 * time.Hour},
			[]string{"Universitetet i Oslo er behandlingsansvarlig", `<a href="mailto:personvernombud@uio.example.no">personvernombud@uio.example.no</a>`, "30 dager etter møtet"}, []string{"90 dager"}},
		{"web contact, hours round up", PrivacyNotice{Contact: "https://www.uio.example.no/personvern", Retention: 36 * time.Hour},
			[]string{`<a href="https://www.uio.example.no/personvern">`, "2 dager etter møtet"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(c *Config) { c.Privacy = tt.notice })
			res := e.get(t, e.client(t), "/privacy?lang=nb")
			if res.status != http.StatusOK {
				t.Fatalf("status %d", res.status)
			}
			for _, w := range tt.want {
				if !strings.Contains(res.body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(res.body, w) {
					t.Errorf("page has %q", w)
				}
			}
		})
	}
}

// Every page names the icon, and the icon is served where the page says
// and where browsers look without asking the page.
func TestFavicon(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	if res := e.get(t, c, "/"); !strings.Contains(res.body, `<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">`) {
		t.Errorf("the front page does not name the icon")
	}
	for _, p := range []string{"/static/favicon.svg", "/favicon.ico"} {
		res := e.get(t, c, p)
		if res.status != http.StatusOK || res.header.Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(res.body, "<svg") {
			t.Errorf("%s: got %d %q %.40q, want the SVG icon", p, res.status, res.header.Get("Content-Type"), res.body)
		}
		if again := e.get(t, c, p, "If-None-Match", res.header.Get("ETag")); again.status != http.StatusNotModified {
			t.Errorf("%s with its ETag: got %d, want 304", p, again.status)
		}
	}
}

// The statistics tables write decimals as the page's language does.
func TestStatsNumbers(t *testing.T) {
	tests := []struct{ lang, cell, want string }{
		{"nb", "0.8", "0,8"}, {"en", "0.8", "0.8"}, {"nb", "12", "12"}, {"nb", "2026-W19", "2026-W19"}, {"nb", "Dr. Who", "Dr. Who"}, {"nb", "1.25", "1,25"},
	}
	for _, tt := range tests {
		p := statsPage{staffPage: staffPage{page: page{Lang: tt.lang}}}
		if got := p.Num(tt.cell); got != tt.want {
			t.Errorf("%s Num(%q) = %q, want %q", tt.lang, tt.cell, got, tt.want)
		}
	}
}
