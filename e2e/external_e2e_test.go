package e2e_test

// External calendars and weekly hours in real headless Chromium, on
// SQLite and PostgreSQL: a librarian pastes a web page's address and is
// told why it is no calendar, then adds an Outlook-like feed served over a
// local socket, sees its state become ok with its number of events, and
// students' slots leave its busy time; then the librarian sets weekly
// guidance hours with an exception on the web, and the student topic page
// shows the new slots, without the excepted day. The admin's overview
// lists the calendar. Every page is scanned with axe-core in Bokmål and
// English, and photographed at phone and desktop size.

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/veileder/veileder/app"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
	"github.com/veileder/veileder/web"
)

// extSecret is the secret part of the feed's address, which no page may
// show once it is saved.
const extSecret = "AbCdEf0123456789SecretPart"

// extFeed serves testdata/outlook-e2e.ics as Outlook on the web publishes
// a calendar, and a web page at /page.html.
func extFeed(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	ics, err := os.ReadFile(filepath.Join("testdata", "outlook-e2e.ics"))
	if err != nil {
		t.Fatal(err)
	}
	var fetches atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/owa/calendar/"+extSecret+"/reachcalendar.ics", func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
		w.Write(ics)
	})
	mux.HandleFunc("/page.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte("<!DOCTYPE html><html><head><title>Outlook</title></head><body>Kalender</body></html>"))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, &fetches
}

// extShots is where the screenshots go: testdata/screenshots (ignored by
// git), to look at after a run.
const extShots = "testdata/screenshots"

// extShoot photographs the tab's page at phone and desktop size.
func extShoot(t *testing.T, tab context.Context, name string) {
	t.Helper()
	if err := os.MkdirAll(extShots, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, size := range []struct {
		name          string
		width, height int64
		mobile        bool
	}{{"phone", 390, 844, true}, {"desktop", 1280, 800, false}} {
		opts := []chromedp.EmulateViewportOption{}
		if size.mobile {
			opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateScale(1))
		}
		e2eStep(t, tab, "viewport "+size.name, chromedp.EmulateViewport(size.width, size.height, opts...))
		// Quality 100 makes a PNG, lower ones a JPEG.
		png := e2eValue(t, tab, "screenshot", chromedp.FullScreenshot(100))
		p := filepath.Join(extShots, name+"-"+size.name+".png")
		if err := os.WriteFile(p, png, 0o644); err != nil {
			t.Fatal(err)
		}
		// Nothing may stick out sideways at either size.
		// A phone browser zooms out to fit a page that is too wide, so
		// the width is compared with the screen's, not the window's.
		width := e2eValue(t, tab, "page width", chromedp.Evaluate[int64](`document.documentElement.scrollWidth`))
		if width > size.width {
			t.Errorf("%s at %s size: the page is %d px wide, wider than the screen's %d (see %s)", name, size.name, width, size.width, p)
		}
	}
	e2eStep(t, tab, "viewport back", chromedp.EmulateViewport(1280, 800))
}

// extLocal lists the local start times of lars's slots for the topic,
// as "Thu 05-07 09:00".
func (s *e2eSite) extLocal(t *testing.T, topic string) []string {
	t.Helper()
	var out []string
	for _, st := range s.staffSlots(t, topic) {
		tm, err := time.Parse(time.RFC3339, st)
		if err != nil {
			t.Fatalf("slot start %q: %v", st, err)
		}
		out = append(out, tm.In(s.app.Location).Format("Mon 01-02 15:04"))
	}
	return out
}

func TestExternalE2E(t *testing.T) {
	axeJS := axeScript(t)
	browser := e2eBrowser(t)
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			site := startE2ESite(t, d, func(c *app.Config) { c.External.AllowPrivate = true })
			feed, fetches := extFeed(t)
			shots := d == store.SQLite // the pages look the same on both
			lib := e2eTab(t, browser, staffAcceptLanguage["nb"], false)
			site.staffSignIn(t, lib, staffLibrarian)
			t.Run("external", func(t *testing.T) { site.externalFlow(t, lib, axeJS, feed, fetches, shots) })
			t.Run("hours", func(t *testing.T) { site.hoursFlow(t, browser, lib, axeJS, shots) })
			t.Run("admin", func(t *testing.T) {
				tab := e2eTab(t, browser, staffAcceptLanguage["en"], false)
				site.staffSignIn(t, tab, "admin")
				// The administration group first, whose pages then show.
				e2eNavigate(t, tab, "open the administration", http.StatusOK, chromedp.Click(chromedp.CSS(`nav.staff-nav ul.nav-groups a[href="/admin/bookings"]`)))
				e2eNavigate(t, tab, "open the overview", http.StatusOK, chromedp.Click(chromedp.CSS(`nav.staff-nav ul.nav-pages a[href="/admin/external"]`)))
				if got := staffText(t, tab, "table.data tbody tr td:nth-child(1)"); got != "Lars Berg" {
					t.Errorf("overview: got librarian %q, want Lars Berg", got)
				}
				if got, want := staffText(t, tab, "table.data tbody tr .state-ok"), web.T("en", "staff.external.state.ok"); got != want {
					t.Errorf("overview: got state %q, want %q", got, want)
				}
				axeCheck(t, tab, axeJS, "en /admin/external")
				e2eNavigate(t, tab, "switch language", http.StatusOK, chromedp.Click(chromedp.CSS("a.lang-switch")))
				axeCheck(t, tab, axeJS, "nb /admin/external")
				if shots {
					extShoot(t, tab, "admin-external-nb")
				}
			})
		})
	}
}

// externalFlow adds the feed on the librarian's page; the tab ends on the
// page in English.
func (s *e2eSite) externalFlow(t *testing.T, tab context.Context, axeJS string, feed *httptest.Server, fetches *atomic.Int32, shots bool) {
	lang := "nb"
	before := s.extLocal(t, staffLarsTopic)
	if !slices.Contains(before, "Thu 05-07 09:00") {
		t.Fatalf("before the feed: lars's slots %q lack Thursday 7 May 09:00", before)
	}
	e2eNavigate(t, tab, "open the external calendars", http.StatusOK, chromedp.Click(chromedp.CSS(`nav.staff-nav a[href="/staff/external"]`)))
	e2ePageLang(t, tab, lang)
	if got, want := staffText(t, tab, "h1"), web.T(lang, "staff.external.title"); got != want {
		t.Errorf("heading: got %q, want %q", got, want)
	}
	axeCheck(t, tab, axeJS, "nb /staff/external")

	// The address of a web page: told why, next to the field, in Bokmål.
	e2eStep(t, tab, "fill in a web page's address",
		chromedp.SendKeys(chromedp.ID("name"), "Outlook"),
		chromedp.SendKeys(chromedp.ID("url"), feed.URL+"/page.html"),
	)
	e2eNavigate(t, tab, "add the web page", http.StatusUnprocessableEntity, chromedp.Click(chromedp.CSS(`form[action="/staff/external"] button[type="submit"]`)))
	if got, want := staffText(t, tab, "#url-error"), web.T(lang, "error.label")+web.T(lang, "staff.external.error.html"); got != want {
		t.Errorf("web page: got %q at the field, want %q", got, want)
	}
	if got := e2eValue(t, tab, "name kept", chromedp.Value(chromedp.ID("name"))); got != "Outlook" {
		t.Errorf("web page: got name %q in the form, want it kept", got)
	}
	axeCheck(t, tab, axeJS, "nb /staff/external with an error")
	if shots {
		extShoot(t, tab, "external-error-nb")
	}
	if cs, err := s.app.External.List(t.Context(), 0); err != nil || len(cs) != 0 {
		t.Fatalf("after the refusal: got %d calendars stored (%v), want none", len(cs), err)
	}

	// The feed's ICS link; plain http, which only a configuration that
	// allows private addresses takes (the test's feed has no certificate).
	link := feed.URL + "/owa/calendar/" + extSecret + "/reachcalendar.ics"
	e2eStep(t, tab, "fill in the ICS link", chromedp.SendKeys(chromedp.ID("url"), link))
	e2eNavigate(t, tab, "add the calendar", http.StatusOK, chromedp.Click(chromedp.CSS(`form[action="/staff/external"] button[type="submit"]`)))
	if got, want := staffText(t, tab, ".notice.success"), web.T(lang, "staff.done.external.added"); got != want {
		t.Errorf("added: got notice %q, want %q", got, want)
	}
	cs, err := s.app.External.List(t.Context(), 0)
	if err != nil || len(cs) != 1 || cs[0].Events == 0 {
		t.Fatalf("stored: got %+v (%v), want one calendar with events", cs, err)
	}
	if got, want := staffText(t, tab, ".card .state-ok"), web.T(lang, "staff.external.state.ok"); got != want {
		t.Errorf("state: got %q, want %q", got, want)
	}
	if got, want := staffText(t, tab, ".card dd.events"), fmt.Sprint(cs[0].Events); got != want {
		t.Errorf("events: got %q on the page, want %q", got, want)
	}
	html := e2eValue(t, tab, "page", chromedp.OuterHTML(chromedp.CSS("html")))
	if strings.Contains(html, extSecret) {
		t.Errorf("the page shows the secret address")
	}
	// Students no longer get Lars on Thursdays 09–11 while the feed's
	// team meeting runs.
	after := s.extLocal(t, staffLarsTopic)
	for _, day := range []string{"05-07", "05-14", "05-21", "05-28"} {
		for _, slot := range after {
			if strings.HasPrefix(slot, "Thu "+day+" 09") || strings.HasPrefix(slot, "Thu "+day+" 10") {
				t.Errorf("slot %s overlaps the external team meeting", slot)
			}
		}
	}

	// Refresh now fetches again and waits.
	n := fetches.Load()
	e2eNavigate(t, tab, "refresh now", http.StatusOK, chromedp.Click(chromedp.CSS(`form[action="/staff/external/refresh"] button[type="submit"]`)))
	if got, want := staffText(t, tab, ".notice.success"), web.T(lang, "staff.done.external.refreshed"); got != want {
		t.Errorf("refresh: got notice %q, want %q", got, want)
	}
	if fetches.Load() <= n {
		t.Errorf("refresh: the feed was not fetched again")
	}
	// The daily e-mail opt-in.
	e2eStep(t, tab, "opt in", chromedp.Click(chromedp.ID("notify_failing")))
	e2eNavigate(t, tab, "save the opt-ins", http.StatusOK, chromedp.Click(chromedp.CSS(`form[action="/staff/external/prefs"] button[type="submit"]`)))
	checked := e2eValue(t, tab, "opt-in", chromedp.Evaluate[bool](`document.getElementById('notify_failing').checked && !document.getElementById('invite_bookings').checked`))
	if !checked {
		t.Errorf("opt-ins: got them unsaved, want the daily e-mail on and invitations off")
	}
	axeCheck(t, tab, axeJS, "nb /staff/external with a calendar")
	if shots {
		extShoot(t, tab, "external-nb")
	}
	e2eNavigate(t, tab, "switch language", http.StatusOK, chromedp.Click(chromedp.CSS("a.lang-switch")))
	e2ePageLang(t, tab, "en")
	if got, want := staffText(t, tab, ".card .state-ok"), web.T("en", "staff.external.state.ok"); got != want {
		t.Errorf("state in English: got %q, want %q", got, want)
	}
	axeCheck(t, tab, axeJS, "en /staff/external with a calendar")
	if shots {
		extShoot(t, tab, "external-en")
	}
}

// hoursFlow sets Wednesday hours for Lars's own topic, with 13 May
// excepted, and finds the slots on the student topic page.
func (s *e2eSite) hoursFlow(t *testing.T, browser, tab context.Context, axeJS string, shots bool) {
	lang := "en" // externalFlow left the tab in English
	before := s.extLocal(t, staffLarsTopic)
	if slices.ContainsFunc(before, func(s string) bool { return strings.HasPrefix(s, "Wed") }) {
		t.Fatalf("before: lars has Wednesday slots %q", before)
	}
	e2eNavigate(t, tab, "open the weekly hours", http.StatusOK, chromedp.Click(chromedp.CSS(`nav.staff-nav a[href="/staff/hours"]`)))
	e2ePageLang(t, tab, lang)
	axeCheck(t, tab, axeJS, "en /staff/hours")

	// A time that ends before it begins is refused at its field.
	e2eStep(t, tab, "fill in a wrong time",
		chromedp.SetValue(chromedp.ID("weekday"), "3"),
		chromedp.SetValue(chromedp.ID("from"), "15:00"),
		chromedp.SetValue(chromedp.ID("to"), "13:00"),
	)
	e2eNavigate(t, tab, "add wrong hours", http.StatusUnprocessableEntity, chromedp.Click(chromedp.CSS(`form[action="/staff/hours"] button[type="submit"]`)))
	if got, want := staffText(t, tab, "#to-error"), web.T(lang, "error.label")+web.T(lang, "staff.hours.to.invalid"); got != want {
		t.Errorf("wrong time: got %q, want %q", got, want)
	}
	axeCheck(t, tab, axeJS, "en /staff/hours with an error")

	e2eStep(t, tab, "fill in Wednesday hours",
		chromedp.SetValue(chromedp.ID("weekday"), "3"),
		chromedp.SetValue(chromedp.ID("from"), "13:00"),
		chromedp.SetValue(chromedp.ID("to"), "15:00"),
		chromedp.Click(chromedp.ID("topic-"+staffLarsTopic)),
		chromedp.SendKeys(chromedp.ID("exceptions"), "2026-05-13"),
	)
	e2eNavigate(t, tab, "add the hours", http.StatusOK, chromedp.Click(chromedp.CSS(`form[action="/staff/hours"] button[type="submit"]`)))
	if got, want := staffText(t, tab, ".notice.success"), web.T(lang, "staff.done.hours.saved"); got != want {
		t.Errorf("saved: got notice %q, want %q", got, want)
	}
	if got := staffText(t, tab, ".card h3"); got != "Wednesday 13:00–15:00" {
		t.Errorf("saved: got %q in the list, want Wednesday 13:00–15:00", got)
	}
	axeCheck(t, tab, axeJS, "en /staff/hours with hours")
	if shots {
		extShoot(t, tab, "hours-en")
	}
	e2eNavigate(t, tab, "switch language", http.StatusOK, chromedp.Click(chromedp.CSS("a.lang-switch")))
	axeCheck(t, tab, axeJS, "nb /staff/hours with hours")
	if shots {
		extShoot(t, tab, "hours-nb")
	}
	e2eNavigate(t, tab, "open the change form", http.StatusOK, chromedp.Click(chromedp.CSS(`.card a[href^="/staff/hours/"]`)))
	if got := e2eValue(t, tab, "exceptions", chromedp.Value(chromedp.ID("exceptions"))); got != "2026-05-13" {
		t.Errorf("change form: got exceptions %q, want 2026-05-13", got)
	}
	axeCheck(t, tab, axeJS, "nb /staff/hours/… change form")

	// Students: Wednesdays 13–15 from now on, but not 13 May.
	after := s.extLocal(t, staffLarsTopic)
	for _, want := range []string{"Wed 05-06 13:00", "Wed 05-20 13:00", "Wed 05-27 13:00"} {
		if !slices.Contains(after, want) {
			t.Errorf("after: lars's slots lack %s:\n%q", want, after)
		}
	}
	if slices.ContainsFunc(after, func(s string) bool { return strings.HasPrefix(s, "Wed 05-13") }) {
		t.Errorf("after: a slot on the excepted 13 May")
	}
	// The student topic page, this week and the next.
	student := e2eTab(t, browser, staffAcceptLanguage["nb"], false)
	e2eNavigate(t, student, "open the topic page", http.StatusOK, chromedp.Navigate(s.base+"/topics/"+staffLarsTopic))
	times := func() []string {
		t.Helper()
		return e2eValue(t, student, "slot times", chromedp.Evaluate[[]string](`[...document.querySelectorAll('a.slot time')].map(e => e.getAttribute('datetime'))`))
	}
	local := func(list []string) []string {
		var out []string
		for _, v := range list {
			tm, err := time.Parse(time.RFC3339, v)
			if err != nil {
				t.Fatalf("slot time %q: %v", v, err)
			}
			out = append(out, tm.In(s.app.Location).Format("Mon 01-02 15:04"))
		}
		return out
	}
	if week := local(times()); !slices.Contains(week, "Wed 05-06 13:00") {
		t.Errorf("topic page: this week's slots %q lack Wednesday 6 May 13:00", week)
	}
	e2eNavigate(t, student, "next week", http.StatusOK, chromedp.Click(chromedp.CSS(`a[rel="next"]`)))
	if week := local(times()); slices.ContainsFunc(week, func(s string) bool { return strings.HasPrefix(s, "Wed 05-13") }) {
		t.Errorf("topic page: next week's slots %q include the excepted 13 May", week)
	}
	if shots {
		e2eNavigate(t, student, "back to this week", http.StatusOK, chromedp.Navigate(s.base+"/topics/"+staffLarsTopic))
		extShoot(t, student, "topic-nb")
	}
}
