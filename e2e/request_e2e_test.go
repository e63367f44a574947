package e2e_test

// Requests in real headless Chromium, on SQLite and PostgreSQL: the desk
// files one when nothing fits, a librarian with the competence takes it
// and offers two of their free times, the student books one from the
// link in the e-mail, and the librarian finds the booking in their
// bookings calendar over CalDAV. TestRequestA11y scans every new page
// with axe-core in both languages, on a phone and a desktop.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/quotedprintable"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/veileder/veileder/app"
	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// requestLibrarian holds the topic (primary) with free windows.
const requestLibrarian = "ingrid"

// requestSite starts the site with its e-mails written to a folder,
// which it returns.
func requestSite(t *testing.T, d store.Dialect) (*e2eSite, string) {
	t.Helper()
	dir := t.TempDir()
	return startE2ESite(t, d, func(c *app.Config) { c.Mail.Dir = dir }), dir
}

var requestLinkRE = regexp.MustCompile(`http://[^\s]+/requests/[A-Za-z0-9_-]{43}`)

// requestMail sends what is due and returns the decoded text of the
// e-mails to addr.
func (s *e2eSite) requestMail(t *testing.T, dir, addr string) string {
	t.Helper()
	if _, err := s.app.Mailer.SendDue(t.Context()); err != nil {
		t.Fatalf("SendDue: %v", err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text, _ := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(raw)))
		if strings.Contains(string(text), "<"+addr+">") {
			out.Write(text)
		}
	}
	return out.String()
}

// requestShot saves a screenshot to $VEILEDER_E2E_SHOTS, when set, for
// people to look at.
func requestShot(t *testing.T, tab context.Context, name string) {
	t.Helper()
	dir := os.Getenv("VEILEDER_E2E_SHOTS")
	if dir == "" {
		return
	}
	png := e2eValue(t, tab, "screenshot", chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRequestE2E(t *testing.T) {
	browser := e2eBrowser(t)
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			site, mailDir := requestSite(t, d)
			site.withDeskUser(t)
			site.requestFlow(t, browser, mailDir)
		})
	}
}

func (s *e2eSite) requestFlow(t *testing.T, browser context.Context, mailDir string) {
	ctx := t.Context()
	const email = "silje.student@uio.example.no"
	lib, err := s.app.Store.UserByUsername(ctx, requestLibrarian)
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.app.Store.Profile(ctx, lib.ID)
	if err != nil {
		t.Fatal(err)
	}
	p.NotifyRequests = true
	if err := s.app.Store.SetProfile(ctx, p); err != nil {
		t.Fatal(err)
	}

	// The desk, on a phone in Norwegian, files the request.
	desk := e2eTab(t, browser, staffAcceptLanguage["nb"], false)
	e2eStep(t, desk, "phone", chromedp.EmulateViewport(390, 844))
	s.deskSignIn(t, desk)
	e2eNavigate(t, desk, "new request", http.StatusOK, chromedp.Click(chromedp.CSS(`nav a[href="/staff/requests/new"]`)))
	e2eStep(t, desk, "the request",
		chromedp.SetValue(chromedp.ID("topic"), staffBookTopic),
		chromedp.SendKeys(chromedp.ID("need"), "Søkestrategi til masteroppgaven i sykepleie"),
		chromedp.SendKeys(chromedp.ID("times"), "tirsdag formiddag"),
		chromedp.SendKeys(chromedp.ID("name"), "Silje Student"),
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SetValue(chromedp.ID("locale"), "en"),
		chromedp.Click(chromedp.ID("consent")),
	)
	requestShot(t, desk, "request-desk-form-phone-nb.png")
	e2eNavigate(t, desk, "send the request", http.StatusOK, chromedp.Click(chromedp.CSS(`form[action="/staff/requests/new"] button[type="submit"]`)))
	if loc := e2eValue(t, desk, "location", chromedp.Location()); !strings.HasSuffix(loc, "/staff/desk?done=requestfiled") {
		t.Fatalf("after filing: at %s, want the log with its confirmation", loc)
	}
	reqs, err := s.app.Store.Requests(ctx, booking.RequestSearch{})
	if err != nil || len(reqs) != 1 || reqs[0].StudentEmail != email {
		t.Fatalf("requests: got %+v, %v", reqs, err)
	}
	req := reqs[0]
	path := fmt.Sprintf("/staff/requests/%d", req.ID)
	if m := s.requestMail(t, mailDir, lib.Email); !strings.Contains(m, s.base+path) {
		t.Errorf("the librarian's e-mail lacks the request's page:\n%s", m)
	}

	// The librarian, on a desktop in English, takes it and offers two
	// times far apart.
	lt := e2eTab(t, browser, staffAcceptLanguage["en"], false)
	e2eStep(t, lt, "desktop", chromedp.EmulateViewport(1280, 800))
	s.staffSignIn(t, lt, requestLibrarian)
	e2eNavigate(t, lt, "requests", http.StatusOK, chromedp.Click(chromedp.CSS(`nav a[href="/staff/requests"]`)))
	e2eNavigate(t, lt, "the request", http.StatusOK, chromedp.Click(chromedp.CSS(fmt.Sprintf(`a[href=%q]`, path))))
	e2eNavigate(t, lt, "take it", http.StatusOK, chromedp.Click(chromedp.CSS(`form[action$="/take"] button[type="submit"]`)))
	n := len(e2eValue(t, lt, "free times", chromedp.Nodes(chromedp.CSSAll(`input[name="slot"]`), chromedp.AtLeast(0))))
	if n < 2 {
		t.Fatalf("offer form: %d free times, want at least two", n)
	}
	e2eStep(t, lt, "pick two times",
		chromedp.Click(chromedp.ID("slot-0")),
		chromedp.Click(chromedp.ID(fmt.Sprintf("slot-%d", n-1))),
	)
	requestShot(t, lt, "request-offer-desktop-en.png")
	e2eNavigate(t, lt, "offer", http.StatusOK, chromedp.Click(chromedp.CSS(`form[action$="/offer"] button[type="submit"]`)))
	if got := staffText(t, lt, `.notice.success`); !strings.Contains(got, "student by e-mail") {
		t.Errorf("after offering: got %q, want the confirmation", got)
	}

	// The student opens the link in the e-mail on a phone and books the
	// second time in one click.
	m := s.requestMail(t, mailDir, email)
	link := requestLinkRE.FindString(m)
	if link == "" {
		t.Fatalf("the student's e-mail has no link:\n%s", m)
	}
	st := e2eTab(t, browser, "en-GB,en;q=0.9", true)
	e2eStep(t, st, "phone", chromedp.EmulateViewport(390, 844))
	e2eNavigate(t, st, "the e-mailed link", http.StatusOK, chromedp.Navigate(link))
	if got := len(e2eValue(t, st, "offers", chromedp.Nodes(chromedp.CSSAll(`ul.offers button`), chromedp.AtLeast(0)))); got != 2 {
		t.Fatalf("offers page: %d times, want 2", got)
	}
	requestShot(t, st, "request-offers-phone-en.png")
	e2eNavigate(t, st, "book the second", http.StatusOK, chromedp.Click(chromedp.CSS(`ul.offers li:nth-child(2) button`)))
	if loc := e2eValue(t, st, "location", chromedp.Location()); !strings.Contains(loc, "/booking/") {
		t.Fatalf("after booking: at %s, want the booking's page", loc)
	}
	got, err := s.app.Store.Request(ctx, req.ID)
	if err != nil || got.State != booking.RequestBooked || got.BookingID == 0 {
		t.Fatalf("request after booking: got %+v, %v", got, err)
	}
	b, err := s.app.Store.BookingByID(ctx, got.BookingID)
	if err != nil || b.RequestID != req.ID || b.LibrarianID != lib.ID {
		t.Fatalf("booking: got %+v, %v", b, err)
	}
	c := s.librarianClient(t, requestLibrarian)
	cal := e2eBookingsCalendar(t, ctx, c, requestLibrarian)
	if evs := e2eBookingEvents(t, ctx, c, cal, email); len(evs) != 1 {
		t.Errorf("CalDAV: %s's bookings calendar holds %d events for %s, want 1", requestLibrarian, len(evs), email)
	}
}

// TestRequestA11y scans the request pages: the student's form (empty,
// with errors, thanks), the desk's form (empty, with errors), the
// librarians' list, one request (open, taken with its free times, with
// an error), the student's offered times (to choose, booked), and the
// competence page with requests and tags, in both languages, on a phone
// and a desktop.
func TestRequestA11y(t *testing.T) {
	axeJS := axeScript(t)
	browser := e2eBrowser(t)
	site, mailDir := requestSite(t, store.SQLite)
	site.withDeskUser(t)
	ctx := t.Context()
	for _, size := range []struct {
		name string
		w, h int64
	}{{"phone", 390, 844}, {"desktop", 1280, 800}} {
		t.Run(size.name, func(t *testing.T) {
			for _, lang := range []string{"nb", "en"} {
				tab := e2eTab(t, browser, staffAcceptLanguage[lang], false)
				e2eStep(t, tab, "window size", chromedp.EmulateViewport(size.w, size.h))
				scan := func(what string, wantStatus int64, open chromedp.Action[chromedp.Void]) {
					t.Helper()
					e2eNavigate(t, tab, what, wantStatus, open)
					e2ePageLang(t, tab, lang)
					axeCheck(t, tab, axeJS, lang+" "+size.name+" "+what)
				}
				email := fmt.Sprintf("a11y-%s-%s@uio.example.no", size.name, lang)
				// The student's form.
				scan("/request/"+staffBookTopic, http.StatusOK, chromedp.Navigate(site.base+"/request/"+staffBookTopic))
				scan("/request with errors", http.StatusUnprocessableEntity, chromedp.Click(chromedp.CSS(`form[action^="/request/"] button[type="submit"]`)))
				e2eStep(t, tab, "the student's request",
					chromedp.SendKeys(chromedp.ID("need"), "Hjelp med PubMed"),
					chromedp.SendKeys(chromedp.ID("name"), "Aksel A11y"),
					chromedp.SendKeys(chromedp.ID("email"), email),
					chromedp.Click(chromedp.ID("consent")),
				)
				scan("/request thanks", http.StatusCreated, chromedp.Click(chromedp.CSS(`form[action^="/request/"] button[type="submit"]`)))
				requestShot(t, tab, "request-thanks-"+size.name+"-"+lang+".png")

				// The desk's form.
				site.deskSignIn(t, tab)
				scan("/staff/requests/new", http.StatusOK, chromedp.Navigate(site.base+"/staff/requests/new"))
				scan("/staff/requests/new with errors", http.StatusUnprocessableEntity, chromedp.Click(chromedp.CSS(`form[action="/staff/requests/new"] button[type="submit"]`)))
				staffSignOut(t, tab)

				// The librarian's list and page.
				site.staffSignIn(t, tab, requestLibrarian)
				scan("/staff/requests", http.StatusOK, chromedp.Navigate(site.base+"/staff/requests"))
				reqs, err := site.app.Store.Requests(ctx, booking.RequestSearch{States: []booking.RequestState{booking.RequestOpen}})
				if err != nil || len(reqs) == 0 {
					t.Fatalf("open requests: %d, %v", len(reqs), err)
				}
				var req booking.HelpRequest
				for _, r := range reqs {
					if r.StudentEmail == email {
						req = r
					}
				}
				path := fmt.Sprintf("/staff/requests/%d", req.ID)
				scan(path+" open", http.StatusOK, chromedp.Navigate(site.base+path))
				scan(path+" taken", http.StatusOK, chromedp.Click(chromedp.CSS(`form[action$="/take"] button[type="submit"]`)))
				requestShot(t, tab, "request-taken-"+size.name+"-"+lang+".png")
				scan(path+" offer without times", http.StatusConflict, chromedp.Click(chromedp.CSS(`form[action$="/offer"] button[type="submit"]`)))
				e2eStep(t, tab, "pick two", chromedp.Click(chromedp.ID("slot-0")), chromedp.Click(chromedp.ID("slot-1")))
				scan(path+" offered", http.StatusOK, chromedp.Click(chromedp.CSS(`form[action$="/offer"] button[type="submit"]`)))
				staffSignOut(t, tab)

				// The student's offered times, then booked.
				link := requestLinkRE.FindString(site.requestMail(t, mailDir, email))
				if link == "" {
					t.Fatal("no link in the student's e-mail")
				}
				scan("/requests/:token", http.StatusOK, chromedp.Navigate(link))
				e2eNavigate(t, tab, "book one", http.StatusOK, chromedp.Click(chromedp.CSS(`ul.offers li:first-child button`)))
				scan("/requests/:token booked", http.StatusOK, chromedp.Navigate(link))

				// The section heads' page, with the requests and the tags.
				site.staffSignIn(t, tab, "admin")
				scan("/admin/competence", http.StatusOK, chromedp.Navigate(site.base+"/admin/competence"))
				requestShot(t, tab, "competence-"+size.name+"-"+lang+".png")
				staffSignOut(t, tab)
			}
		})
	}
}
