package e2e_test

// The staff pages in real headless Chromium against the whole service on
// a socket, on SQLite and PostgreSQL, seeded with the demo data: a
// librarian signs in (and fails to, and signs out), adds a competence and
// sees students' slot search change, creates an app password and uses it
// from a CalDAV client, and revokes another; an admin reads the
// statistics and downloads a CSV file. TestStaffA11y scans every staff
// page, and the public drop-in pages, with axe-core in both languages.
//
// The helpers of e2e_test.go and a11y_test.go start the browser, the
// site and axe-core; without Chromium (or npm) the tests skip, except
// when $CI is "true", where they fail.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/emersion/go-webdav"
	gocaldav "github.com/emersion/go-webdav/caldav"

	"github.com/veileder/veileder/demo"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
	"github.com/veileder/veileder/web"
)

const (
	// staffLibrarian's Thursday window is untagged, so any topic they add
	// becomes bookable there; staffNewTopic is one they do not have, held
	// by kari on Wednesdays and Fridays only.
	staffLibrarian = "lars"
	staffNewTopic  = "historie"
	// staffBookTopic is what the students book before the statistics.
	staffBookTopic = "systematisk-sok"
	// staffLarsTopic is lars's alone, so its bookings show on his pages.
	staffLarsTopic = "referanseverktoy"
)

// staffAcceptLanguage is a browser's Accept-Language, by page language.
var staffAcceptLanguage = map[string]string{"nb": "nb-NO,nb;q=0.9,en;q=0.5", "en": "en-GB,en;q=0.9"}

// otherLang is the language the switch offers.
func otherLang(lang string) string {
	if lang == "en" {
		return "nb"
	}
	return "en"
}

// staffSubmitLogin fills in the sign-in form on the tab's page, sends it
// and checks the status of the page it lands on.
func staffSubmitLogin(t *testing.T, tab context.Context, username, password string, wantStatus int64) {
	t.Helper()
	e2eStep(t, tab, "fill in the sign-in form",
		chromedp.Clear(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), username),
		chromedp.Clear(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("password"), password),
	)
	e2eNavigate(t, tab, "sign in as "+username, wantStatus,
		chromedp.Click(chromedp.CSS(`form[action="/staff/login"] button[type="submit"]`)))
}

// staffSignIn opens the sign-in page and signs in; the staff home sends
// everyone on to their bookings.
func (s *e2eSite) staffSignIn(t *testing.T, tab context.Context, username string) {
	t.Helper()
	e2eNavigate(t, tab, "open the sign-in page", http.StatusOK, chromedp.Navigate(s.base+"/staff/login"))
	staffSubmitLogin(t, tab, username, demo.Password, http.StatusOK)
	if loc := e2eValue(t, tab, "location", chromedp.Location()); loc != s.base+"/staff/bookings" {
		t.Fatalf("after signing in as %s: got %s, want %s/staff/bookings", username, loc, s.base)
	}
}

// staffSignOut presses the sign-out button of the staff navigation.
func staffSignOut(t *testing.T, tab context.Context) {
	t.Helper()
	e2eNavigate(t, tab, "sign out", http.StatusOK, chromedp.Click(chromedp.CSS(`form[action="/staff/logout"] button[type="submit"]`)))
}

// staffText is the trimmed text of the first element matching css, or ""
// when there is none.
func staffText(t *testing.T, tab context.Context, css string) string {
	t.Helper()
	js := fmt.Sprintf(`(document.querySelector(%q)?.textContent ?? '').trim()`, css)
	return e2eValue(t, tab, "text of "+css, chromedp.Evaluate[string](js))
}

// staffSlots is a student's slot search for a topic over the JSON API:
// the free start times.
func (s *e2eSite) staffSlots(t *testing.T, topic string) []string {
	t.Helper()
	status, _, body := e2eGet(t, s.base+"/api/slots?topic="+topic)
	if status != http.StatusOK {
		t.Fatalf("GET /api/slots?topic=%s: got %d:\n%s", topic, status, body)
	}
	var out struct {
		Slots []struct {
			Start string `json:"start"`
		} `json:"slots"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("GET /api/slots?topic=%s: %v\n%s", topic, err, body)
	}
	starts := make([]string, 0, len(out.Slots))
	for _, sl := range out.Slots {
		starts = append(starts, sl.Start)
	}
	return starts
}

// staffBook books the slot at start over the JSON API, with a short
// question, and returns the booking's manage token.
func (s *e2eSite) staffBook(t *testing.T, topic, start, name, email string) string {
	t.Helper()
	return s.apiBook(t, topic, start, name, email, "Hjelp med søk")
}

// apiBook books the slot at start over the JSON API with the question
// and returns the booking's manage token.
func (s *e2eSite) apiBook(t *testing.T, topic, start, name, email, question string) string {
	t.Helper()
	body, err := json.Marshal(map[string]any{
		"topic": topic, "start": start, "name": name, "email": email, "question": question,
		"programme": "Master i historie", "study_level": "master", "language": "nb", "consent": true,
	})
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Post(s.base+"/api/bookings", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("POST /api/bookings: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("book %s at %s: got %d:\n%s", topic, start, resp.StatusCode, b)
	}
	var out struct {
		Token string `json:"manage_token"`
	}
	if err := json.Unmarshal(b, &out); err != nil || out.Token == "" {
		t.Fatalf("book %s at %s: no manage token in %s (%v)", topic, start, b, err)
	}
	return out.Token
}

// davClient is a calendar app's HTTP client: Basic auth, and the status
// of the last answer, since go-webdav's error type is internal.
type davClient struct {
	hc             *http.Client
	user, password string
	last           atomic.Int32
}

var _ webdav.HTTPClient = (*davClient)(nil)

func (c *davClient) Do(req *http.Request) (*http.Response, error) {
	req.SetBasicAuth(c.user, c.password)
	resp, err := c.hc.Do(req)
	if err == nil {
		c.last.Store(int32(resp.StatusCode))
	}
	return resp, err
}

func (s *e2eSite) davClient(t *testing.T, user, password string) (*gocaldav.Client, *davClient) {
	t.Helper()
	dc := &davClient{hc: &http.Client{Timeout: 30 * time.Second}, user: user, password: password}
	c, err := gocaldav.NewClient(dc, s.base+"/dav/")
	if err != nil {
		t.Fatal(err)
	}
	return c, dc
}

// staffCreateAppPassword creates an app password on the CalDAV page and
// reads it from the page.
func staffCreateAppPassword(t *testing.T, tab context.Context, lang, label string) string {
	t.Helper()
	e2eStep(t, tab, "type the label", chromedp.SendKeys(chromedp.ID("label"), label))
	e2eNavigate(t, tab, "create an app password", http.StatusOK,
		chromedp.Click(chromedp.CSS(`form[action="/staff/app-passwords"] button[type="submit"]`)))
	if got, want := staffText(t, tab, ".notice.success h2"), web.T(lang, "staff.caldav.new.title", label); got != want {
		t.Errorf("new app password: got heading %q, want %q", got, want)
	}
	pw := staffText(t, tab, ".notice.success .secret")
	if len(pw) < 16 {
		t.Fatalf("new app password: got %q on the page, want a long secret", pw)
	}
	return pw
}

// staffRevokeForm is the action of the revoke form in the row of the
// app password labelled label, or "".
func staffRevokeForm(t *testing.T, tab context.Context, label string) string {
	t.Helper()
	js := fmt.Sprintf(`(() => {
		for (const tr of document.querySelectorAll('table.data tbody tr')) {
			if (tr.cells[0].textContent.trim() === %q) return tr.querySelector('form')?.getAttribute('action') ?? '';
		}
		return '';
	})()`, label)
	return e2eValue(t, tab, "revoke form", chromedp.Evaluate[string](js))
}

// staffDownload fetches u with the tab's cookies (its session), as a
// download would.
func staffDownload(t *testing.T, tab context.Context, u, acceptLanguage string) (int, http.Header, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, e2eStepTimeout)
	defer cancel()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{u}})
	if err != nil {
		t.Fatalf("the browser's cookies for %s: %v", u, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	req.Header.Set("Accept-Language", acceptLanguage)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	return resp.StatusCode, resp.Header, b
}

// TestStaffE2E: sign-in, competences, app passwords and statistics, on
// each database.
func TestStaffE2E(t *testing.T) {
	browser := e2eBrowser(t)
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			site := startE2ESite(t, d)
			// The librarian's browser is Norwegian, the admin's English.
			lib := e2eTab(t, browser, staffAcceptLanguage["nb"], false)
			t.Run("login", func(t *testing.T) { site.staffLoginFlow(t, lib) })
			t.Run("competences", func(t *testing.T) { site.staffCompetenceFlow(t, lib) })
			t.Run("app-password", func(t *testing.T) { site.staffAppPasswordFlow(t, lib) })
			t.Run("statistics", func(t *testing.T) {
				site.staffStatisticsFlow(t, e2eTab(t, browser, staffAcceptLanguage["en"], false))
			})
		})
	}
}

// staffLoginFlow: a wrong password gets the generic error, the right one
// the librarian's pages; signing out ends the session, and signing in
// again goes back to the page asked for. The tab ends signed in.
func (s *e2eSite) staffLoginFlow(t *testing.T, tab context.Context) {
	const lang = "nb"
	e2eNavigate(t, tab, "open a staff page signed out", http.StatusOK, chromedp.Navigate(s.base+"/staff/competences"))
	if loc := e2eValue(t, tab, "location", chromedp.Location()); !strings.HasPrefix(loc, s.base+"/staff/login?next=") {
		t.Fatalf("a staff page signed out: got %s, want the sign-in page", loc)
	}
	e2ePageLang(t, tab, lang)
	if got, want := staffText(t, tab, "h1"), web.T(lang, "staff.login.title"); got != want {
		t.Errorf("sign-in page: got heading %q, want %q", got, want)
	}

	staffSubmitLogin(t, tab, staffLibrarian, "not-the-password", http.StatusUnauthorized)
	if got, want := staffText(t, tab, ".error-summary li"), web.T(lang, "staff.login.failed"); got != want {
		t.Errorf("wrong password: got error %q, want %q", got, want)
	}
	if got := e2eValue(t, tab, "user name kept", chromedp.Value(chromedp.ID("username"))); got != staffLibrarian {
		t.Errorf("wrong password: got user name %q in the form, want %q", got, staffLibrarian)
	}
	// An unknown user gets the very same message.
	staffSubmitLogin(t, tab, "nobody-here", demo.Password, http.StatusUnauthorized)
	if got, want := staffText(t, tab, ".error-summary li"), web.T(lang, "staff.login.failed"); got != want {
		t.Errorf("unknown user: got error %q, want %q", got, want)
	}

	staffSubmitLogin(t, tab, staffLibrarian, demo.Password, http.StatusOK)
	if loc := e2eValue(t, tab, "location", chromedp.Location()); loc != s.base+"/staff/competences" {
		t.Errorf("after signing in: got %s, want the page asked for, %s/staff/competences", loc, s.base)
	}
	if got, want := staffText(t, tab, ".staff-nav .who span"), web.T(lang, "staff.nav.signedin", "Lars Berg", web.T(lang, "staff.role.librarian")); got != want {
		t.Errorf("signed in: got %q, want %q", got, want)
	}
	e2eNavigate(t, tab, "open my bookings", http.StatusOK, chromedp.Click(chromedp.CSS(`nav.staff-nav a[href="/staff/bookings"]`)))
	if got := e2eValue(t, tab, "current page", chromedp.AttributeValue(chromedp.CSS(`nav.staff-nav a[aria-current="page"]`), "href")); got.Value != "/staff/bookings" {
		t.Errorf("bookings page: got the current page %q in the navigation, want /staff/bookings", got.Value)
	}

	staffSignOut(t, tab)
	if loc := e2eValue(t, tab, "location", chromedp.Location()); loc != s.base+"/staff/login?out=1" {
		t.Errorf("after signing out: got %s, want %s/staff/login?out=1", loc, s.base)
	}
	if got, want := staffText(t, tab, ".notice.success"), web.T(lang, "staff.login.out"); got != want {
		t.Errorf("after signing out: got notice %q, want %q", got, want)
	}
	e2eNavigate(t, tab, "open my bookings signed out", http.StatusOK, chromedp.Navigate(s.base+"/staff/bookings"))
	if loc := e2eValue(t, tab, "location", chromedp.Location()); !strings.HasPrefix(loc, s.base+"/staff/login") {
		t.Fatalf("after signing out: /staff/bookings got %s, want the sign-in page", loc)
	}
	staffSubmitLogin(t, tab, staffLibrarian, demo.Password, http.StatusOK)
	if loc := e2eValue(t, tab, "location", chromedp.Location()); loc != s.base+"/staff/bookings" {
		t.Errorf("after signing in again: got %s, want %s/staff/bookings", loc, s.base)
	}
}

// staffCompetenceFlow: the signed-in librarian adds a topic on the
// competences page; students' slot search for it gains the librarian's
// untagged Thursday window, and loses it when the competence goes.
func (s *e2eSite) staffCompetenceFlow(t *testing.T, tab context.Context) {
	const lang = "nb"
	topic, err := s.app.Store.TopicBySlug(t.Context(), staffNewTopic)
	if err != nil {
		t.Fatal(err)
	}
	before := s.staffSlots(t, staffNewTopic)
	if len(before) == 0 {
		t.Fatalf("slots for %s before: got none, want kari's", staffNewTopic)
	}

	e2eNavigate(t, tab, "open the competences page", http.StatusOK,
		chromedp.Click(chromedp.CSS(`nav.staff-nav a[href="/staff/competences"]`)))
	if table := staffText(t, tab, "table.data"); strings.Contains(table, topic.NameNB) {
		t.Fatalf("competences before: got %q, want no %q", table, topic.NameNB)
	}
	e2eStep(t, tab, "choose the topic",
		chromedp.SetValue(chromedp.ID("topic"), staffNewTopic),
		chromedp.Click(chromedp.ID("level-primary")),
	)
	e2eNavigate(t, tab, "add the competence", http.StatusOK,
		chromedp.Click(chromedp.CSS(`form[action="/staff/competences"] button[type="submit"]`)))
	if table := staffText(t, tab, "table.data"); !strings.Contains(table, topic.NameNB) {
		t.Errorf("competences after adding: got %q, want %q in it", table, topic.NameNB)
	}

	after := s.staffSlots(t, staffNewTopic)
	var added []string
	for _, st := range after {
		if !slices.Contains(before, st) {
			added = append(added, st)
		}
	}
	if len(added) == 0 {
		t.Fatalf("slots for %s after adding the competence: got the same %d, want new ones", staffNewTopic, len(before))
	}
	for _, st := range before {
		if !slices.Contains(after, st) {
			t.Errorf("slots for %s after adding the competence: %s is gone", staffNewTopic, st)
		}
	}
	for _, st := range added {
		start, err := time.Parse(time.RFC3339, st)
		if err != nil {
			t.Fatal(err)
		}
		local := start.In(s.app.Location)
		if local.Weekday() != time.Thursday || local.Hour() < 9 || local.Hour() >= 11 {
			t.Errorf("new slot %v: want it in %s's Thursday 09–11 window", local, staffLibrarian)
		}
	}
	t.Logf("%d slots for %s before, %d after adding the competence", len(before), staffNewTopic, len(after))

	e2eNavigate(t, tab, "remove the competence", http.StatusOK,
		chromedp.Click(chromedp.CSS(`form[action="/staff/competences/`+staffNewTopic+`/delete"] button[type="submit"]`)))
	if got, want := staffText(t, tab, ".notice.success"), web.T(lang, "staff.done.removed"); got != want {
		t.Errorf("after removing: got notice %q, want %q", got, want)
	}
	if again := s.staffSlots(t, staffNewTopic); !slices.Equal(again, before) {
		t.Errorf("slots for %s after removing the competence: got %d %q, want the %d from before", staffNewTopic, len(again), again, len(before))
	}
}

// staffAppPasswordFlow: an app password made on the CalDAV page lets a
// CalDAV client find the librarian's calendars; a revoked one is refused.
// The revoked password is never used before it is revoked, so that the
// server's cache of good logins cannot hide the revocation.
func (s *e2eSite) staffAppPasswordFlow(t *testing.T, tab context.Context) {
	const lang = "nb"
	e2eNavigate(t, tab, "open the CalDAV page", http.StatusOK,
		chromedp.Click(chromedp.CSS(`nav.staff-nav a[href="/staff/caldav"]`)))
	if got := staffText(t, tab, "dl.summary"); !strings.Contains(got, s.base+"/dav/calendars/"+staffLibrarian+"/") {
		t.Errorf("CalDAV page: got %q, want the calendar home URL in it", got)
	}
	pw := staffCreateAppPassword(t, tab, lang, "Kalender på Mac")
	if pw == demo.Password {
		t.Fatal("the app password is the account password")
	}

	ctx, cancel := context.WithTimeout(t.Context(), e2eStepTimeout)
	defer cancel()
	c, _ := s.davClient(t, staffLibrarian, pw)
	e2eBookingsCalendar(t, ctx, c, staffLibrarian)

	// Shown once: a reload does not show it again.
	e2eNavigate(t, tab, "reload the CalDAV page", http.StatusOK, chromedp.Navigate(s.base+"/staff/caldav"))
	if got := len(e2eValue(t, tab, "secrets", chromedp.Nodes(chromedp.CSSAll(".secret"), chromedp.AtLeast(0)))); got != 0 {
		t.Errorf("CalDAV page reloaded: got %d secrets shown, want none", got)
	}

	const label = "Gammel telefon"
	revoked := staffCreateAppPassword(t, tab, lang, label)
	action := staffRevokeForm(t, tab, label)
	if action == "" {
		t.Fatalf("CalDAV page: no revoke button for %q", label)
	}
	e2eNavigate(t, tab, "revoke the app password", http.StatusOK,
		chromedp.Click(chromedp.CSS(`form[action="`+action+`"] button[type="submit"]`)))
	if got, want := staffText(t, tab, ".notice.success"), web.T(lang, "staff.done.revoked"); got != want {
		t.Errorf("after revoking: got notice %q, want %q", got, want)
	}
	if staffRevokeForm(t, tab, label) != "" {
		t.Errorf("after revoking: %q is still listed", label)
	}
	c2, dc2 := s.davClient(t, staffLibrarian, revoked)
	if _, err := c2.FindCurrentUserPrincipal(ctx); err == nil || dc2.last.Load() != http.StatusUnauthorized {
		t.Errorf("CalDAV with the revoked app password: got status %d (%v), want 401", dc2.last.Load(), err)
	}
	// The first one still works.
	if staffRevokeForm(t, tab, "Kalender på Mac") == "" {
		t.Errorf("after revoking %q: the other app password is gone from the list", label)
	}
	e2eBookingsCalendar(t, ctx, c, staffLibrarian)
}

// staffStatisticsFlow: after two bookings over the JSON API, an admin
// signs in, opens the statistics from the navigation, finds the bookings
// in the tables and downloads the topic table as CSV.
func (s *e2eSite) staffStatisticsFlow(t *testing.T, tab context.Context) {
	const lang = "en"
	for _, st := range []struct{ name, email string }{
		{"Stine Statistikk", "stine.statistikk@uio.example.no"},
		{"Tor Tabell", "tor.tabell@uio.example.no"},
	} {
		// Asked again each time: a booking takes the times around it too.
		slots := s.staffSlots(t, staffBookTopic)
		if len(slots) == 0 {
			t.Fatalf("slots for %s: got none", staffBookTopic)
		}
		s.staffBook(t, staffBookTopic, slots[0], st.name, st.email)
	}
	topic, err := s.app.Store.TopicBySlug(t.Context(), staffBookTopic)
	if err != nil {
		t.Fatal(err)
	}

	s.staffSignIn(t, tab, "admin")
	e2ePageLang(t, tab, lang)
	e2eNavigate(t, tab, "open the statistics", http.StatusOK, chromedp.Click(chromedp.CSS(`nav.staff-nav a[href="/admin/stats"]`)))
	if got, want := staffText(t, tab, "h1"), web.T(lang, "staff.stats.title"); got != want {
		t.Errorf("statistics: got heading %q, want %q", got, want)
	}
	if got := staffText(t, tab, ".totals li strong"); got != "2" {
		t.Errorf("statistics: got %q bookings in the totals, want 2", got)
	}
	tables := e2eValue(t, tab, "tables", chromedp.Evaluate[map[string][][]string](`(() => {
		const out = {};
		for (const sec of document.querySelectorAll('section.stat')) {
			out[sec.getAttribute('aria-labelledby')] = [...sec.querySelectorAll('table tr')].map(r => [...r.cells].map(c => c.textContent.trim()));
		}
		return out;
	})()`))
	if len(tables) < 5 {
		t.Errorf("statistics: got %d tables, want the lot (topic, service, week, level, language, …)", len(tables))
	}
	byTopic := tables["stat-topic"]
	wantHeader := []string{web.T(lang, "staff.stats.col.topic"), web.T(lang, "staff.stats.col.bookings"), web.T(lang, "staff.stats.col.held"),
		web.T(lang, "staff.stats.col.cancelled"), web.T(lang, "staff.stats.col.noshows"), web.T(lang, "staff.stats.col.hours")}
	if len(byTopic) != 2 || !slices.Equal(byTopic[0], wantHeader) || len(byTopic[1]) < 3 ||
		byTopic[1][0] != topic.NameEN || byTopic[1][1] != "2" || byTopic[1][2] != "2" {
		t.Errorf("bookings per topic: got %q, want the header %q and one row for %s with 2 bookings, 2 held", byTopic, wantHeader, topic.NameEN)
	}
	if n := len(e2eValue(t, tab, "topic chart", chromedp.Nodes(chromedp.CSSAll(`section[aria-labelledby="stat-topic"] svg.chart rect.bar`), chromedp.AtLeast(0)))); n != 1 {
		t.Errorf("bookings per topic: got %d bars in the chart, want 1", n)
	}

	href := e2eValue(t, tab, "CSV link", chromedp.AttributeValue(chromedp.CSS(`section[aria-labelledby="stat-topic"] caption a`), "href"))
	if !strings.HasPrefix(href.Value, "/admin/stats/topic.csv?") {
		t.Fatalf("bookings per topic: got CSV link %q, want /admin/stats/topic.csv?…", href.Value)
	}
	// The page's CSP (default-src 'none') keeps its scripts from
	// fetching, so the download goes as a program would, with the
	// browser's cookies.
	status, h, body := staffDownload(t, tab, s.base+href.Value, staffAcceptLanguage[lang])
	if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") || !strings.HasPrefix(h.Get("Content-Disposition"), "attachment") {
		t.Fatalf("GET %s: got %d, %q, %q; want 200, text/csv, an attachment", href.Value, status, h.Get("Content-Type"), h.Get("Content-Disposition"))
	}
	lines := strings.Split(strings.TrimPrefix(string(body), "\ufeff"), "\r\n")
	if lines[0] != strings.Join(wantHeader, ",") {
		t.Errorf("topic CSV: got header %q, want %q", lines[0], strings.Join(wantHeader, ","))
	}
	if len(lines) < 2 || !strings.HasPrefix(lines[1], topic.NameEN+",2,2,0,0,") {
		t.Errorf("topic CSV: got %q, want a row %s,2,2,0,0,…", body, topic.NameEN)
	}
}

// TestStaffA11y scans every staff and admin page, the sign-in page with
// and without its error, some forms with errors, and the public drop-in
// page and widget with axe-core (WCAG 2.1 A and AA), each in both
// languages: the page as the browser's language gives it, then after the
// visible language switch. The pages are the same on both databases, so
// it runs on SQLite.
func TestStaffA11y(t *testing.T) {
	axeJS := axeScript(t)
	browser := e2eBrowser(t)
	site := startE2ESite(t, store.SQLite)
	// A booking with lars, so that the bookings pages have a row.
	slots := site.staffSlots(t, staffLarsTopic)
	if len(slots) == 0 {
		t.Fatalf("slots for %s: got none", staffLarsTopic)
	}
	site.staffBook(t, staffLarsTopic, slots[0], "Åse Tilgjengelig", "ase.tilgjengelig@uio.example.no")

	// scan checks the tab's page, which must be in lang.
	scan := func(t *testing.T, tab context.Context, lang, page string) {
		t.Helper()
		e2ePageLang(t, tab, lang)
		axeCheck(t, tab, axeJS, lang+" "+page)
	}
	// scanBoth opens path, scans it in whichever language the tab is in,
	// switches language with the visible link and scans it again.
	scanned := map[string]bool{}
	scanBoth := func(t *testing.T, tab context.Context, path string, wantStatus int64) {
		t.Helper()
		scanned[path] = true
		e2eNavigate(t, tab, path, wantStatus, chromedp.Navigate(site.base+path))
		lang := e2eValue(t, tab, "html lang", chromedp.AttributeValue(chromedp.CSS("html"), "lang")).Value
		scan(t, tab, lang, path)
		e2eNavigate(t, tab, path+": switch language", wantStatus, chromedp.Click(chromedp.CSS("a.lang-switch")))
		scan(t, tab, otherLang(lang), path)
	}
	// scanPost sends the form whose submit button is css and scans the
	// answer in the tab's language.
	scanPost := func(t *testing.T, tab context.Context, page, css string, wantStatus int64) {
		t.Helper()
		e2eNavigate(t, tab, page, wantStatus, chromedp.Click(chromedp.CSS(css)))
		lang := e2eValue(t, tab, "html lang", chromedp.AttributeValue(chromedp.CSS("html"), "lang")).Value
		scan(t, tab, lang, page)
	}
	// scanNavRest scans the pages of the staff navigation not scanned
	// yet (pages added since this test was written).
	scanNavRest := func(t *testing.T, tab context.Context) {
		t.Helper()
		links := e2eValue(t, tab, "navigation", chromedp.Evaluate[[]string](`[...document.querySelectorAll('nav.staff-nav a')].map(a => a.getAttribute('href'))`))
		for _, p := range links {
			if !scanned[p] {
				t.Logf("also scanning %s, from the navigation", p)
				scanBoth(t, tab, p, http.StatusOK)
			}
		}
	}
	// firstLink is the href of the first link matching css.
	firstLink := func(t *testing.T, tab context.Context, css string) string {
		t.Helper()
		href := e2eValue(t, tab, css, chromedp.AttributeValue(chromedp.CSS(css), "href"))
		if !href.Exists {
			t.Fatalf("no link %s on the page", css)
		}
		return href.Value
	}

	t.Run("login", func(t *testing.T) {
		tab := e2eTab(t, browser, staffAcceptLanguage["nb"], false)
		scanBoth(t, tab, "/staff/login", http.StatusOK) // ends in English
		for _, lang := range []string{"en", "nb"} {
			e2ePageLang(t, tab, lang)
			staffSubmitLogin(t, tab, staffLibrarian, "wrong password", http.StatusUnauthorized)
			scan(t, tab, lang, "/staff/login with the error")
			if lang == "en" {
				e2eNavigate(t, tab, "switch language", http.StatusOK, chromedp.Click(chromedp.CSS("a.lang-switch")))
			}
		}
	})

	t.Run("librarian", func(t *testing.T) {
		tab := e2eTab(t, browser, staffAcceptLanguage["nb"], false)
		site.staffSignIn(t, tab, staffLibrarian)
		if n := len(e2eValue(t, tab, "booking rows", chromedp.Nodes(chromedp.CSSAll("table.data tbody tr"), chromedp.AtLeast(0)))); n == 0 {
			t.Errorf("/staff/bookings: got no booking rows, want the one made with %s", staffLibrarian)
		}
		for _, p := range []string{"/staff/bookings", "/staff/profile", "/staff/competences", "/staff/caldav", "/staff/password"} {
			scanBoth(t, tab, p, http.StatusOK)
		}
		// Cancelling one's own booking asks first.
		e2eNavigate(t, tab, "my bookings", http.StatusOK, chromedp.Navigate(site.base+"/staff/bookings"))
		scanBoth(t, tab, firstLink(t, tab, `table.data a[href$="/cancel"]`), http.StatusOK)
		e2eNavigate(t, tab, "my bookings", http.StatusOK, chromedp.Navigate(site.base+"/staff/bookings"))
		scanBoth(t, tab, firstLink(t, tab, `table.data a[href$="/move"]`), http.StatusOK)
		e2eNavigate(t, tab, "profile", http.StatusOK, chromedp.Navigate(site.base+"/staff/profile"))
		e2eStep(t, tab, "bad meeting link", chromedp.SetValue(chromedp.ID("meeting_url"), "zoom.example.org/room"))
		scanPost(t, tab, "/staff/profile with a bad meeting link", `form[action="/staff/profile"] button[type="submit"]`, http.StatusUnprocessableEntity)
		// Forms in their other states.
		e2eNavigate(t, tab, "competences", http.StatusOK, chromedp.Navigate(site.base+"/staff/competences"))
		scanPost(t, tab, "/staff/competences with an error", `form[action="/staff/competences"] button[type="submit"]`, http.StatusUnprocessableEntity)
		e2eNavigate(t, tab, "profile", http.StatusOK, chromedp.Navigate(site.base+"/staff/profile"))
		e2eStep(t, tab, "bad languages", chromedp.SetValue(chromedp.ID("languages"), "norsk!"))
		scanPost(t, tab, "/staff/profile with an error", `form[action="/staff/profile"] button[type="submit"]`, http.StatusUnprocessableEntity)
		e2eNavigate(t, tab, "CalDAV page", http.StatusOK, chromedp.Navigate(site.base+"/staff/caldav"))
		scanPost(t, tab, "/staff/caldav with an error", `form[action="/staff/app-passwords"] button[type="submit"]`, http.StatusUnprocessableEntity)
		e2eStep(t, tab, "label", chromedp.SendKeys(chromedp.ID("label"), "Telefon"))
		scanPost(t, tab, "/staff/caldav with a new app password", `form[action="/staff/app-passwords"] button[type="submit"]`, http.StatusOK)
		scanBoth(t, tab, "/staff/caldav?done=revoked", http.StatusOK)
		e2eNavigate(t, tab, "password page", http.StatusOK, chromedp.Navigate(site.base+"/staff/password"))
		scanPost(t, tab, "/staff/password with errors", `form[action="/staff/password"] button[type="submit"]`, http.StatusUnprocessableEntity)
		scanBoth(t, tab, "/admin/users", http.StatusForbidden)
		scanNavRest(t, tab)
	})

	t.Run("coordinator", func(t *testing.T) {
		tab := e2eTab(t, browser, staffAcceptLanguage["en"], false)
		site.staffSignIn(t, tab, "marit")
		scanBoth(t, tab, "/staff/dropin", http.StatusOK)
		scanBoth(t, tab, "/staff/dropin/new", http.StatusOK)
		scanPost(t, tab, "/staff/dropin/new with errors", `form[action="/staff/dropin"] button[type="submit"]`, http.StatusUnprocessableEntity)
		// The demo's session comes from a calendar app; one made here
		// can be edited here.
		e2eStep(t, tab, "fill in the drop-in form",
			chromedp.SendKeys(chromedp.ID("title"), "Drop-in: EndNote"),
			chromedp.Click(chromedp.ID("theme-endnote")),
			chromedp.SendKeys(chromedp.ID("place"), "Georg Sverdrups hus"),
			chromedp.SetValue(chromedp.ID("start"), "2026-05-07T12:00"),
			chromedp.SetValue(chromedp.ID("end"), "2026-05-07T13:00"),
		)
		e2eNavigate(t, tab, "save the drop-in session", http.StatusOK,
			chromedp.Click(chromedp.CSS(`form[action="/staff/dropin"] button[type="submit"]`)))
		edit := e2eValue(t, tab, "edit link", chromedp.Evaluate[string](`document.querySelector('table a[href^="/staff/dropin/"]')?.getAttribute('href') ?? ''`))
		if edit == "" {
			t.Fatal("/staff/dropin: no session to edit after saving one")
		}
		scanBoth(t, tab, edit, http.StatusOK)
	})

	t.Run("admin", func(t *testing.T) {
		tab := e2eTab(t, browser, staffAcceptLanguage["nb"], false)
		site.staffSignIn(t, tab, "admin")
		scanBoth(t, tab, "/admin/users", http.StatusOK)
		user := firstLink(t, tab, fmt.Sprintf(`table a[href="/admin/users/%d"]`, mustUserID(t, site, staffLibrarian)))
		scanBoth(t, tab, user, http.StatusOK)
		scanBoth(t, tab, user+"/competences", http.StatusOK)
		scanBoth(t, tab, "/admin/topics", http.StatusOK)
		topic := firstLink(t, tab, `table a[href^="/admin/topics/"]`)
		scanBoth(t, tab, topic, http.StatusOK)
		scanBoth(t, tab, "/admin/services", http.StatusOK)
		scanBoth(t, tab, "/admin/services/bibliotekar", http.StatusOK)
		scanBoth(t, tab, "/admin/bookings", http.StatusOK)
		if n := len(e2eValue(t, tab, "booking rows", chromedp.Nodes(chromedp.CSSAll("table.data tbody tr"), chromedp.AtLeast(0)))); n == 0 {
			t.Errorf("/admin/bookings: got no booking rows, want the one made")
		}
		scanBoth(t, tab, "/admin/stats", http.StatusOK)
		scanBoth(t, tab, "/admin/privacy", http.StatusOK)
		scanNavRest(t, tab)
	})

	t.Run("public", func(t *testing.T) {
		tab := e2eTab(t, browser, staffAcceptLanguage["nb"], false)
		scanBoth(t, tab, "/dropin", http.StatusOK)
		// The widget lives in other sites' frames and has no switch:
		// its language comes from ?lang=.
		for _, lang := range []string{"nb", "en"} {
			e2eNavigate(t, tab, "/dropin/widget", http.StatusOK, chromedp.Navigate(site.base+"/dropin/widget?lang="+lang))
			scan(t, tab, lang, "/dropin/widget")
		}
	})
}

// mustUserID is a user's id from the store.
func mustUserID(t *testing.T, s *e2eSite, username string) int64 {
	t.Helper()
	u, err := s.app.Store.UserByUsername(t.Context(), username)
	if err != nil {
		t.Fatalf("user %s: %v", username, err)
	}
	return u.ID
}
