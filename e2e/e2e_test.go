package e2e_test

// End to end in real headless Chromium (chromedp) against the whole
// service (app.New's handler) on a socket, on SQLite and on PostgreSQL:
// a student books a slot on the web front and downloads the .ics; the
// assigned librarian finds the event in their bookings calendar with a
// CalDAV client and deletes it; the student's manage page then shows the
// booking cancelled. The flow runs in Norwegian, in English (switched with
// the visible link) and in Norwegian with JavaScript turned off.
//
// Without Chromium the tests skip, except when $CI is "true", where they
// fail. a11y_test.go scans the same pages with axe-core.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	goical "github.com/emersion/go-ical"
	"github.com/emersion/go-webdav"
	gocaldav "github.com/emersion/go-webdav/caldav"

	"github.com/veileder/veileder/app"
	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/demo"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
	"github.com/veileder/veileder/web"
)

const (
	// e2eTopic is the topic the student books: several demo librarians
	// have it, in both languages.
	e2eTopic = "systematisk-sok"
	// e2eStepTimeout bounds one browser step (a page load and its checks).
	e2eStepTimeout = 30 * time.Second
)

// e2eTopicName is e2eTopic's name in the demo data, by page language.
var e2eTopicName = map[string]string{"nb": "Systematisk søk", "en": "Systematic searching"}

// e2eNeed skips the test for a missing tool, except on CI, where the
// tool must be there.
func e2eNeed(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s (CI=true: it must be installed)", msg)
	}
	t.Skip(msg)
}

// e2eBrowser starts headless Chromium, closed when the test ends, and
// returns its context; tabs are made from it with e2eTab.
func e2eBrowser(t *testing.T) context.Context {
	t.Helper()
	var bin string
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome-stable", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		e2eNeed(t, "Chromium is not installed (apt-get install chromium)")
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(bin),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		// /dev/shm is small in containers; Chromium crashes when it fills.
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 900),
		chromedp.UserDataDir(t.TempDir()),
	)
	browser, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
	})
	// The first Do starts the browser, which lives as long as the context
	// of that call: no timeout here (chromedp.Run's rule).
	if err := chromedp.Do(browser); err != nil {
		e2eNeed(t, "Chromium at %s does not start: %v", bin, err)
	}
	return browser
}

// e2eTab opens a tab in a fresh browser context (its own cookies), whose
// requests say Accept-Language: acceptLanguage. With noJS, the page's
// scripts do not run.
func e2eTab(t *testing.T, browser context.Context, acceptLanguage string, noJS bool) context.Context {
	t.Helper()
	tab, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(tab); err != nil { // opens the tab, no timeout
		t.Fatalf("open tab: %v", err)
	}
	ctx, cancelStep := context.WithTimeout(tab, e2eStepTimeout)
	defer cancelStep()
	if _, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
		Headers: network.Headers{"Accept-Language": acceptLanguage},
	}); err != nil {
		t.Fatalf("set Accept-Language: %v", err)
	}
	if noJS {
		if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatalf("disable JavaScript: %v", err)
		}
		// Prove it: a page whose script would mark the body.
		attr, err := e2eRun(ctx, chromedp.Steps(
			chromedp.Navigate(`data:text/html,<!DOCTYPE html><title>js</title><body><script>document.body.setAttribute("data-js","on")</script></body>`),
		), chromedp.AttributeValue(chromedp.CSS("body"), "data-js"))
		if err != nil {
			t.Fatalf("check that JavaScript is off: %v", err)
		}
		if attr.Exists {
			t.Fatal("JavaScript still runs after Emulation.setScriptExecutionDisabled")
		}
	}
	return tab
}

// e2eRun runs steps, then one action whose value it returns.
func e2eRun[T any](ctx context.Context, steps chromedp.Action[chromedp.Void], a chromedp.Action[T]) (T, error) {
	if err := chromedp.Do(ctx, steps); err != nil {
		var zero T
		return zero, err
	}
	return chromedp.Run(ctx, a)
}

// e2eSite is the whole service on a socket, seeded with the demo data on
// a clock that starts at a fixed Monday morning.
type e2eSite struct {
	base    string // no trailing slash
	app     *app.App
	dialect store.Dialect
	now     func() time.Time
	// cfg is the configuration the site was started with, for another
	// replica on the same database.
	cfg app.Config
}

// e2eLog keeps the server's log, shown when the test fails.
type e2eLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *e2eLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *e2eLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.buf.String()
	if len(s) > 8000 {
		s = "…" + s[len(s)-8000:]
	}
	return s
}

// startE2ESite starts the site; change, when given, adjusts its
// configuration first.
func startE2ESite(t *testing.T, dialect store.Dialect, change ...func(*app.Config)) *e2eSite {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	// Monday 4 May 2026, 08:00 in Oslo: with 24 hours' notice the demo's
	// weekly windows from Tuesday on are bookable, and the 28-day horizon
	// crosses no DST change. The clock moves on from there in real time,
	// so that the server sees time pass between requests.
	start, began := time.Date(2026, time.May, 4, 8, 0, 0, 0, loc), time.Now()
	now := func() time.Time { return start.Add(time.Since(began)) }

	cfg := storetest.NewConfig(t, dialect)
	cfg.Now = now
	logs := &e2eLog{}
	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	acfg := app.Config{
		Store: &cfg, BaseURL: base, Now: now,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo})),
	}
	for _, f := range change {
		f(&acfg)
	}
	a, err := app.New(ctx, acfg)
	if err != nil {
		t.Fatalf("app.New on %s: %v", dialect, err)
	}
	ts.Config.Handler = a.Handler
	ts.Start()
	// Registered after NewConfig, so it runs before the schema is dropped.
	t.Cleanup(func() {
		ts.Close()
		if err := a.Close(); err != nil {
			t.Errorf("close app: %v", err)
		}
	})
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the server's log:\n%s", logs)
		}
	})
	if _, err := demo.Seed(ctx, a.Store, a.Location, now()); err != nil {
		t.Fatalf("demo.Seed: %v", err)
	}
	return &e2eSite{base: base, app: a, dialect: dialect, now: now, cfg: acfg}
}

// e2eStudent is one student's run through the booking pages.
type e2eStudent struct {
	lang string // the language the pages end up in
	// acceptLanguage is the browser's Accept-Language.
	acceptLanguage string
	// switchLanguage starts on the front page in the browser's language
	// and switches to lang with the visible link.
	switchLanguage bool
	noJS           bool
	name, email    string
	question       string
	programme      string
	level          string
}

// e2eBooked is what the student got.
type e2eBooked struct {
	token     string
	start     time.Time // the slot picked, from the slot list
	manageURL string
	icsURL    string
}

// e2eStep runs the steps with a timeout, failing the test with what.
func e2eStep(t *testing.T, tab context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, e2eStepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// e2eValue runs one action with a timeout and returns its value.
func e2eValue[T any](t *testing.T, tab context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, e2eStepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// e2eNavigate clicks (or otherwise triggers) a navigation and checks the
// HTTP status of the page it lands on.
func e2eNavigate(t *testing.T, tab context.Context, what string, wantStatus int64, trigger ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, e2eStepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, trigger...)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if resp.Status != wantStatus {
		loc := e2eValue(t, tab, "location", chromedp.Location())
		t.Fatalf("%s: got status %d at %s, want %d", what, resp.Status, loc, wantStatus)
	}
}

// e2ePageLang checks the document's language.
func e2ePageLang(t *testing.T, tab context.Context, want string) {
	t.Helper()
	got := e2eValue(t, tab, "html lang", chromedp.AttributeValue(chromedp.CSS("html"), "lang"))
	if got.Value != want {
		t.Fatalf("got <html lang=%q>, want %q", got.Value, want)
	}
}

// bookSlot is the student's way from the front page to the confirmation.
func (s *e2eSite) bookSlot(t *testing.T, tab context.Context, st e2eStudent) e2eBooked {
	t.Helper()
	e2eNavigate(t, tab, "open the front page", http.StatusOK, chromedp.Navigate(s.base+"/"))
	if st.switchLanguage {
		e2eNavigate(t, tab, "switch language", http.StatusOK, chromedp.Click(chromedp.CSS("a.lang-switch")))
	}
	e2ePageLang(t, tab, st.lang)

	// The topic, then the slot list.
	e2eNavigate(t, tab, "choose the topic", http.StatusOK,
		chromedp.Click(chromedp.ID("topic-"+e2eTopic)),
		chromedp.Click(chromedp.CSS(`form[action="/topics"] button[type="submit"]`)),
	)
	if h1 := e2eValue(t, tab, "slot list heading", chromedp.Text(chromedp.CSS("h1"))); !strings.Contains(h1, e2eTopicName[st.lang]) {
		t.Errorf("slot list: got heading %q, want it to name %q", h1, e2eTopicName[st.lang])
	}
	when := e2eValue(t, tab, "first slot's time", chromedp.AttributeValue(chromedp.CSS("a.slot time"), "datetime"))
	start, err := time.Parse(time.RFC3339, when.Value)
	if err != nil {
		t.Fatalf("first slot: datetime %q: %v", when.Value, err)
	}
	if now := s.now(); !start.After(now.Add(24 * time.Hour)) {
		t.Errorf("first slot at %v is within the 24 hours' notice of %v", start, now)
	}

	// The form.
	e2eNavigate(t, tab, "pick the first slot", http.StatusOK, chromedp.Click(chromedp.CSS("a.slot")))
	e2eStep(t, tab, "fill in the form",
		chromedp.SendKeys(chromedp.ID("name"), st.name),
		chromedp.SendKeys(chromedp.ID("email"), st.email),
		chromedp.SendKeys(chromedp.ID("question"), st.question),
		chromedp.SetValue(chromedp.ID("level"), st.level),
		chromedp.SendKeys(chromedp.ID("programme"), st.programme),
	)
	// The meeting language is a choice when the slot is offered in both.
	radios := e2eValue(t, tab, "language choices", chromedp.Nodes(chromedp.CSSAll(`input[type="radio"][name="language"]`), chromedp.AtLeast(0)))
	if len(radios) > 0 {
		e2eStep(t, tab, "choose the meeting language", chromedp.Click(chromedp.ID("language-"+st.lang)))
	}
	e2eStep(t, tab, "consent", chromedp.Click(chromedp.ID("consent")))
	e2eNavigate(t, tab, "submit the booking", http.StatusOK,
		chromedp.Click(chromedp.CSS(`form[method="post"] button[type="submit"]`)))

	// The confirmation.
	loc := e2eValue(t, tab, "confirmation URL", chromedp.Location())
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	token, ok := strings.CutPrefix(u.Path, "/booking/")
	if !ok || token == "" || strings.Contains(token, "/") || u.Query().Get("new") != "1" {
		t.Fatalf("after booking: got %s, want /booking/{token}?new=1", loc)
	}
	if got, want := e2eValue(t, tab, "confirmation heading", chromedp.Text(chromedp.CSS(".notice.success h1"))), web.T(st.lang, "booking.title.new"); got != want {
		t.Errorf("confirmation: got heading %q, want %q", got, want)
	}
	if got := e2eValue(t, tab, "confirmation time", chromedp.AttributeValue(chromedp.CSS("dl.summary time"), "datetime")); got.Value != when.Value {
		t.Errorf("confirmation: got time %q, want the slot's %q", got.Value, when.Value)
	}
	ics := e2eValue(t, tab, ".ics link", chromedp.AttributeValue(chromedp.CSS(`a[href$="/ics"]`), "href"))
	if !ics.Exists {
		t.Fatal("confirmation: no .ics link")
	}
	icsURL, err := u.Parse(ics.Value)
	if err != nil {
		t.Fatalf(".ics link %q: %v", ics.Value, err)
	}
	return e2eBooked{token: token, start: start, manageURL: s.base + u.Path, icsURL: icsURL.String()}
}

// e2eScreenshot saves the page for whoever debugs a failure.
func e2eScreenshot(t *testing.T, tab context.Context, name string) {
	t.Helper()
	png := e2eValue(t, tab, "screenshot", chromedp.FullScreenshot(100))
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", p)
}

// e2eGet fetches a URL as a program would.
func e2eGet(t *testing.T, u string) (int, http.Header, []byte) {
	t.Helper()
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Get(u)
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

// e2eCheckICS fetches the student's .ics and checks that it is the booking.
func e2eCheckICS(t *testing.T, icsURL string, b booking.Booking, wantMethod string) {
	t.Helper()
	status, h, body := e2eGet(t, icsURL)
	if status != http.StatusOK {
		t.Fatalf("GET .ics: got status %d, want 200; body:\n%s", status, body)
	}
	if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") {
		t.Errorf("GET .ics: got Content-Type %q, want text/calendar", ct)
	}
	if !bytes.HasPrefix(body, []byte("BEGIN:VCALENDAR\r\n")) {
		t.Fatalf("GET .ics: does not start with BEGIN:VCALENDAR:\n%s", body)
	}
	cal, err := goical.NewDecoder(bytes.NewReader(body)).Decode()
	if err != nil {
		t.Fatalf("GET .ics: parse: %v\n%s", err, body)
	}
	if got, _ := cal.Props.Text(goical.PropMethod); got != wantMethod {
		t.Errorf(".ics: got METHOD %q, want %q", got, wantMethod)
	}
	events := cal.Events()
	if len(events) != 1 {
		t.Fatalf(".ics: got %d events, want 1:\n%s", len(events), body)
	}
	ev := events[0]
	if uid, _ := ev.Props.Text(goical.PropUID); uid == "" || uid != b.EventUID {
		t.Errorf(".ics: got UID %q, want the booking's %q", uid, b.EventUID)
	}
	if start, err := ev.DateTimeStart(time.UTC); err != nil || !start.Equal(b.Start) {
		t.Errorf(".ics: got DTSTART %v (%v), want %v", start, err, b.Start)
	}
}

// librarianClient is a CalDAV client logged in as the demo librarian.
func (s *e2eSite) librarianClient(t *testing.T, username string) *gocaldav.Client {
	t.Helper()
	hc := webdav.HTTPClientWithBasicAuth(&http.Client{Timeout: 30 * time.Second}, username, demo.Password)
	c, err := gocaldav.NewClient(hc, s.base+"/dav/")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// e2eBookingsCalendar finds the librarian's bookings calendar the way a
// calendar app does: principal, calendar home, calendars.
func e2eBookingsCalendar(t *testing.T, ctx context.Context, c *gocaldav.Client, username string) string {
	t.Helper()
	principal, err := c.FindCurrentUserPrincipal(ctx)
	if err != nil {
		t.Fatalf("CalDAV as %s: current-user-principal: %v", username, err)
	}
	home, err := c.FindCalendarHomeSet(ctx, principal)
	if err != nil {
		t.Fatalf("CalDAV as %s: calendar-home-set: %v", username, err)
	}
	cals, err := c.FindCalendars(ctx, home)
	if err != nil {
		t.Fatalf("CalDAV as %s: calendars in %s: %v", username, home, err)
	}
	want := "/dav/calendars/" + username + "/bookings/"
	var paths []string
	for _, cal := range cals {
		if cal.Path == want {
			return cal.Path
		}
		paths = append(paths, cal.Path)
	}
	t.Fatalf("CalDAV as %s: got calendars %q, want %s among them", username, paths, want)
	return ""
}

// e2eBookingEvents lists the events of a calendar whose ATTENDEE is email.
func e2eBookingEvents(t *testing.T, ctx context.Context, c *gocaldav.Client, calendar, email string) []gocaldav.CalendarObject {
	t.Helper()
	objs, err := c.QueryCalendar(ctx, calendar, &gocaldav.CalendarQuery{
		CompRequest: gocaldav.CalendarCompRequest{Name: goical.CompCalendar, AllProps: true, AllComps: true},
		CompFilter:  gocaldav.CompFilter{Name: goical.CompCalendar, Comps: []gocaldav.CompFilter{{Name: goical.CompEvent}}},
	})
	if err != nil {
		t.Fatalf("CalDAV: calendar-query on %s: %v", calendar, err)
	}
	var out []gocaldav.CalendarObject
	for _, o := range objs {
		for _, ev := range o.Data.Events() {
			for _, att := range ev.Props.Values(goical.PropAttendee) {
				if strings.EqualFold(att.Value, "mailto:"+email) {
					out = append(out, o)
				}
			}
		}
	}
	return out
}

// librarianCancels is the librarian's side: find the booking's event in
// the bookings calendar over CalDAV, check it, and delete it.
func (s *e2eSite) librarianCancels(t *testing.T, b booking.Booking, librarian booking.User, st e2eStudent) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), e2eStepTimeout)
	defer cancel()
	c := s.librarianClient(t, librarian.Username)
	cal := e2eBookingsCalendar(t, ctx, c, librarian.Username)
	objs := e2eBookingEvents(t, ctx, c, cal, st.email)
	if len(objs) != 1 {
		t.Fatalf("CalDAV: got %d events in %s with ATTENDEE mailto:%s, want 1", len(objs), cal, st.email)
	}
	obj := objs[0]
	ev := obj.Data.Events()[0]
	if uid, _ := ev.Props.Text(goical.PropUID); uid != b.EventUID {
		t.Errorf("CalDAV event: got UID %q, want %q", uid, b.EventUID)
	}
	cats := ev.Props.Get(goical.PropCategories)
	var topics []string
	if cats != nil {
		topics, _ = cats.TextList()
	}
	if !slices.Contains(topics, e2eTopic) {
		t.Errorf("CalDAV event: got CATEGORIES %q, want %q among them", topics, e2eTopic)
	}
	if start, err := ev.DateTimeStart(time.UTC); err != nil || !start.Equal(b.Start) {
		t.Errorf("CalDAV event: got DTSTART %v (%v), want %v", start, err, b.Start)
	}
	if org := ev.Props.Get(goical.PropOrganizer); org == nil || !strings.EqualFold(org.Value, "mailto:"+librarian.Email) {
		t.Errorf("CalDAV event: got ORGANIZER %v, want mailto:%s", org, librarian.Email)
	}
	if desc, _ := ev.Props.Text(goical.PropDescription); !strings.Contains(desc, st.question) {
		t.Errorf("CalDAV event: got DESCRIPTION %q, want the student's question %q in it", desc, st.question)
	}

	if err := c.RemoveAll(ctx, obj.Path); err != nil {
		t.Fatalf("CalDAV: DELETE %s: %v", obj.Path, err)
	}
	if left := e2eBookingEvents(t, ctx, c, cal, st.email); len(left) != 0 {
		t.Errorf("CalDAV: the event is still in %s after DELETE", cal)
	}
}

// studentFlow is one whole run: book on the web, check the .ics, the
// store and the librarian's calendar, cancel as the librarian, and see
// the cancellation on the manage page.
func (s *e2eSite) studentFlow(t *testing.T, browser context.Context, st e2eStudent, shot string) {
	tab := e2eTab(t, browser, st.acceptLanguage, st.noJS)
	got := s.bookSlot(t, tab, st)
	if shot != "" {
		e2eScreenshot(t, tab, shot)
	}

	// Who got it, from the store.
	ctx, cancel := context.WithTimeout(context.Background(), e2eStepTimeout)
	defer cancel()
	sum := sha256.Sum256([]byte(got.token))
	b, err := s.app.Store.BookingByTokenHash(ctx, hex.EncodeToString(sum[:]))
	if err != nil {
		t.Fatalf("the booking of the manage link: %v", err)
	}
	if b.Status != booking.StatusConfirmed || !b.Start.Equal(got.start) || b.StudentEmail != st.email || b.StudentName != st.name {
		t.Errorf("stored booking: got %s at %v for %q <%s>, want confirmed at %v for %q <%s>",
			b.Status, b.Start, b.StudentName, b.StudentEmail, got.start, st.name, st.email)
	}
	if b.Language != st.lang || b.Locale != st.lang || b.StudyLevel != st.level || b.Programme != st.programme {
		t.Errorf("stored booking: got language %q, locale %q, level %q, programme %q; want %q, %q, %q, %q",
			b.Language, b.Locale, b.StudyLevel, b.Programme, st.lang, st.lang, st.level, st.programme)
	}
	librarian, err := s.app.Store.UserByID(ctx, b.LibrarianID)
	if err != nil {
		t.Fatalf("the booking's librarian %d: %v", b.LibrarianID, err)
	}
	t.Logf("%s booked %v with %s", st.email, b.Start.In(s.app.Location), librarian.Username)

	e2eCheckICS(t, got.icsURL, b, "PUBLISH")
	s.librarianCancels(t, b, librarian, st)

	after, err := s.app.Store.BookingByID(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Status != booking.StatusCancelled || after.CancelledBy != booking.PartyLibrarian {
		t.Errorf("after the librarian's DELETE: got booking %s by %q, want cancelled by librarian", after.Status, after.CancelledBy)
	}

	// The student reloads the manage page.
	e2eNavigate(t, tab, "reload the manage page", http.StatusOK, chromedp.Navigate(got.manageURL))
	e2ePageLang(t, tab, st.lang)
	if got, want := e2eValue(t, tab, "manage page heading", chromedp.Text(chromedp.CSS("h1"))), web.T(st.lang, "booking.title.cancelled"); got != want {
		t.Errorf("manage page: got heading %q, want %q", got, want)
	}
	if got, want := e2eValue(t, tab, "manage page summary", chromedp.Text(chromedp.CSS("dl.summary"))), web.T(st.lang, "status.cancelled.librarian"); !strings.Contains(got, want) {
		t.Errorf("manage page: got summary %q, want status %q in it", got, want)
	}
	links := e2eValue(t, tab, "manage page actions", chromedp.Nodes(chromedp.CSSAll(`a[href$="/ics"], a[href$="/cancel"]`), chromedp.AtLeast(0)))
	if len(links) != 0 {
		t.Errorf("manage page of a cancelled booking: got %d download or cancel links, want none", len(links))
	}
	e2eCheckICS(t, got.icsURL, after, "CANCEL")
}

// TestE2EBooking runs the student's and the librarian's whole flow in
// headless Chromium, in both languages and without JavaScript, on each
// database.
func TestE2EBooking(t *testing.T) {
	browser := e2eBrowser(t)
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			site := startE2ESite(t, d)
			students := []struct {
				name string
				st   e2eStudent
				shot string
			}{
				{"nb", e2eStudent{
					lang: "nb", acceptLanguage: "nb-NO,nb;q=0.9,en;q=0.5",
					name: "Nora Student", email: "nora.student@uio.example.no",
					question: "Hvordan bygger jeg et søk i PubMed?", programme: "Master i helsefag", level: "master",
				}, "confirmation-" + string(d) + "-nb.png"},
				{"en-by-switch", e2eStudent{
					lang: "en", acceptLanguage: "nb-NO,nb;q=0.9", switchLanguage: true,
					name: "Sam Student", email: "sam.student@uio.example.no",
					question: "How do I document my search strategy?", programme: "PhD in medicine", level: "phd",
				}, "confirmation-" + string(d) + "-en.png"},
				{"nb-no-javascript", e2eStudent{
					lang: "nb", acceptLanguage: "nb-NO,nb;q=0.9", noJS: true,
					name: "Per Uten Skript", email: "per.utenskript@uio.example.no",
					question: "Kan jeg få hjelp uten JavaScript?", programme: "Bachelor i sykepleie", level: "bachelor",
				}, ""},
			}
			for _, c := range students {
				t.Run(c.name, func(t *testing.T) {
					site.studentFlow(t, browser, c.st, c.shot)
				})
			}
		})
	}
}

// exists says whether a page is there, following redirects (a staff page
// may send an anonymous visitor on to its login); a page that is there
// but fails is an error.
func (s *e2eSite) exists(t *testing.T, p string) (bool, error) {
	t.Helper()
	status, _, _ := e2eGet(t, s.base+p)
	switch {
	case status == http.StatusNotFound:
		return false, nil
	case status >= 400:
		return false, fmt.Errorf("status %d", status)
	}
	return true, nil
}
