package app_test

// The staff pages, the privacy jobs and the operations endpoints, over a
// real socket against app.New's handler, on SQLite and PostgreSQL.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/lib/pq"
	_ "modernc.org/sqlite"

	"github.com/veileder/veileder/app"
	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

const stPassword = "correct horse battery"

// stSite is a running service with a librarian, a coordinator, an admin,
// a topic and an availability window, and a clock the test moves.
type stSite struct {
	base    string
	app     *app.App
	cfg     store.Config
	dialect store.Dialect
	loc     *time.Location
	skew    atomic.Int64 // added to the clock, in nanoseconds
	start   time.Time
	began   time.Time
	logs    *siteLog
	users   map[string]booking.User
}

func (s *stSite) now() time.Time {
	return s.start.Add(time.Since(s.began) + time.Duration(s.skew.Load()))
}

// advance moves the clock on.
func (s *stSite) advance(d time.Duration) { s.skew.Add(int64(d)) }

func stStart(t *testing.T, dialect store.Dialect) *stSite {
	t.Helper()
	return stStartWith(t, dialect, app.MailConfig{})
}

// stStartWith is stStart with the given mail configuration.
func stStartWith(t *testing.T, dialect store.Dialect, mail app.MailConfig) *stSite {
	t.Helper()
	return stStartConfig(t, dialect, func(c *app.Config) { c.Mail = mail })
}

// stStartConfig is stStart with a change to the service's configuration.
func stStartConfig(t *testing.T, dialect store.Dialect, mod func(*app.Config)) *stSite {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	// Monday 4 May 2026, 08:00 in Oslo, as in e2e/e2e_test.go.
	s := &stSite{dialect: dialect, loc: loc, start: time.Date(2026, time.May, 4, 8, 0, 0, 0, loc), began: time.Now(),
		logs: &siteLog{}, users: map[string]booking.User{}}
	s.cfg = storetest.NewConfig(t, dialect)
	s.cfg.Now = s.now
	ts := httptest.NewUnstartedServer(nil)
	s.base = "http://" + ts.Listener.Addr().String()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg := s.cfg
	acfg := app.Config{
		Store: &cfg, BaseURL: s.base, Now: s.now,
		Logger: slog.New(slog.NewTextHandler(s.logs, &slog.HandlerOptions{Level: slog.LevelInfo})),
	}
	if mod != nil {
		mod(&acfg)
	}
	a, err := app.New(ctx, acfg)
	if err != nil {
		t.Fatalf("app.New on %s: %v", dialect, err)
	}
	s.app = a
	ts.Config.Handler = a.Handler
	ts.Start()
	t.Cleanup(func() {
		ts.Close()
		if err := a.Close(); err != nil {
			t.Errorf("close app: %v", err)
		}
	})
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the server's log:\n%s", s.logs)
		}
	})
	for _, u := range []booking.User{
		{Username: "lib1", DisplayName: "Liv Bibliotekar", Email: "liv@ub.example.org", Role: booking.RoleLibrarian},
		{Username: "coord", DisplayName: "Kåre Koordinator", Email: "kare@ub.example.org", Role: booking.RoleCoordinator},
		{Username: "admin", DisplayName: "Ada Admin", Email: "ada@ub.example.org", Role: booking.RoleAdmin},
		{Username: "desk1", DisplayName: "Dina Skranke", Email: "dina@ub.example.org", Role: booking.RoleDesk},
	} {
		created, err := a.Store.CreateUser(ctx, u, stPassword)
		if err != nil {
			t.Fatal(err)
		}
		s.users[u.Username] = created
	}
	if _, err := a.Store.CreateTopic(ctx, booking.Topic{Slug: "zotero", ServiceSlug: "bibliotekar", NameNB: "Zotero og referanser", NameEN: "Zotero and references"}); err != nil {
		t.Fatal(err)
	}
	// Tuesdays 09:00–12:00 for four weeks, at Blindern.
	s.putObject(t, "lib1", "availability", "w1.ics", "w1@test", strings.Join([]string{
		"DTSTART;TZID=Europe/Oslo:20260505T090000", "DTEND;TZID=Europe/Oslo:20260505T120000",
		"SUMMARY:Veiledning", "LOCATION:Blindern", "RRULE:FREQ=WEEKLY;COUNT=4",
	}, "\r\n"))
	return s
}

func (s *stSite) putObject(t *testing.T, user, calendar, name, uid, body string) {
	t.Helper()
	ctx := t.Context()
	cal, err := s.app.Store.CalendarBySlug(ctx, s.users[user].ID, calendar)
	if err != nil {
		t.Fatal(err)
	}
	data := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:" + uid +
		"\r\nDTSTAMP:20260501T000000Z\r\n" + body + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	obj, err := storetest.Object(cal, name, []byte(data), s.loc)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.app.Store.PutObject(ctx, obj, booking.WriteCondition{}); err != nil {
		t.Fatal(err)
	}
}

// stClient is a browser: a cookie jar, no redirects followed.
type stClient struct {
	t    *testing.T
	site *stSite
	c    *http.Client
	csrf string
}

type stReply struct {
	status int
	header http.Header
	body   string
}

func (s *stSite) client(t *testing.T) *stClient {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &stClient{t: t, site: s, c: &http.Client{
		Jar:           jar,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (c *stClient) do(req *http.Request) stReply {
	c.t.Helper()
	req.Header.Set("Accept-Language", "en")
	res, err := c.c.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	r := stReply{status: res.StatusCode, header: res.Header, body: string(b)}
	if m := csrfInput.FindStringSubmatch(r.body); m != nil {
		c.csrf = m[1]
	}
	return r
}

func (c *stClient) get(path string) stReply {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.site.base+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

// post sends a form with the client's CSRF token (fetched from the
// sign-in page if it has none yet).
func (c *stClient) post(path string, form url.Values) stReply {
	c.t.Helper()
	if c.csrf == "" {
		c.get("/staff/login")
	}
	if form == nil {
		form = url.Values{}
	}
	if form.Get("csrf") == "" {
		form.Set("csrf", c.csrf)
	}
	req, err := http.NewRequest(http.MethodPost, c.site.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

func (c *stClient) login(username string) {
	c.t.Helper()
	r := c.post("/staff/login", url.Values{"username": {username}, "password": {stPassword}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/staff" {
		c.t.Fatalf("sign in as %s: got %d to %q, want 303 to /staff:\n%s", username, r.status, r.header.Get("Location"), r.body)
	}
}

func (s *stSite) signedIn(t *testing.T, username string) *stClient {
	c := s.client(t)
	c.login(username)
	return c
}

// api calls the JSON API.
func (c *stClient) api(method, path string, body any) (int, map[string]any) {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.site.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	r := c.do(req)
	var out map[string]any
	_ = json.Unmarshal([]byte(r.body), &out)
	return r.status, out
}

// slots returns the free starts for zotero.
func (c *stClient) slots() []string {
	c.t.Helper()
	status, out := c.api(http.MethodGet, "/api/slots?topic=zotero", nil)
	if status != http.StatusOK {
		c.t.Fatalf("GET /api/slots: got %d %v", status, out)
	}
	var starts []string
	list, _ := out["slots"].([]any)
	for _, sl := range list {
		starts = append(starts, sl.(map[string]any)["start"].(string))
	}
	return starts
}

type stStudent struct{ name, email, question, programme string }

// book books the slot starting at start for the student and returns the
// manage token.
func (c *stClient) book(start string, st stStudent) string {
	c.t.Helper()
	status, out := c.api(http.MethodPost, "/api/bookings", map[string]any{
		"topic": "zotero", "start": start, "name": st.name, "email": st.email, "question": st.question,
		"programme": st.programme, "study_level": "master", "language": "nb", "consent": true,
	})
	if status != http.StatusCreated {
		c.t.Fatalf("book %s: got %d %v", start, status, out)
	}
	return out["manage_token"].(string)
}

// withCompetence gives lib1 the zotero competence through the web page.
func (s *stSite) withCompetence(t *testing.T) {
	c := s.signedIn(t, "lib1")
	if r := c.post("/staff/competences", url.Values{"topic": {"zotero"}, "level": {"primary"}}); r.status != http.StatusSeeOther {
		t.Fatalf("add competence: got %d:\n%s", r.status, r.body)
	}
}

// stRoute is one staff route and the least role that may use it.
type stRoute struct {
	method, path string
	form         url.Values
	role         booking.Role
}

// Every staff and admin route, tried by everyone.
var stRoutes = []stRoute{
	{"GET", "/staff", nil, booking.RoleDesk},
	{"GET", "/staff/bookings", nil, booking.RoleLibrarian},
	{"POST", "/staff/bookings/999999/no-show", url.Values{"no_show": {"1"}}, booking.RoleLibrarian},
	{"POST", "/staff/bookings/999999/attendance", url.Values{"attendance": {"held"}}, booking.RoleLibrarian},
	{"GET", "/staff/bookings/999999/cancel", nil, booking.RoleLibrarian},
	{"POST", "/staff/bookings/999999/cancel", nil, booking.RoleLibrarian},
	{"GET", "/staff/bookings/999999/move", nil, booking.RoleLibrarian},
	{"POST", "/staff/bookings/999999/move", nil, booking.RoleLibrarian},
	{"GET", "/staff/profile", nil, booking.RoleLibrarian},
	{"POST", "/staff/profile", url.Values{"languages": {"nb, en"}, "in_person": {"1"}}, booking.RoleLibrarian},
	{"GET", "/staff/competences", nil, booking.RoleLibrarian},
	{"POST", "/staff/competences", url.Values{"level": {"primary"}}, booking.RoleLibrarian},
	{"POST", "/staff/competences/nosuch/delete", nil, booking.RoleLibrarian},
	{"GET", "/staff/caldav", nil, booking.RoleLibrarian},
	{"POST", "/staff/app-passwords", url.Values{"label": {"matrix"}}, booking.RoleLibrarian},
	{"POST", "/staff/app-passwords/999999/revoke", nil, booking.RoleLibrarian},
	{"GET", "/staff/password", nil, booking.RoleDesk},
	// No current password: refused before it is checked, so that the
	// matrix changes no password and spends none of the sign-in limit.
	{"POST", "/staff/password", url.Values{"new_password": {"matrix password"}, "repeat_password": {"matrix password"}}, booking.RoleDesk},
	// The first line's inquiry log and hand-over: every staff role.
	{"GET", "/staff/desk", nil, booking.RoleDesk},
	{"POST", "/staff/desk", url.Values{"channel": {"phone"}, "tags": {"matrix"}, "read": {"1"}, "minutes": {"1"}, "outcome": {"answered"}}, booking.RoleDesk},
	{"GET", "/staff/desk/999999", nil, booking.RoleDesk},
	{"POST", "/staff/desk/999999", url.Values{"channel": {"phone"}, "tags": {"matrix"}, "read": {"1"}, "outcome": {"answered"}}, booking.RoleDesk},
	{"POST", "/staff/desk/999999/delete", nil, booking.RoleDesk},
	{"GET", "/staff/desk/book", nil, booking.RoleDesk},
	{"GET", "/staff/desk/book?topic=zotero", nil, booking.RoleDesk},
	{"POST", "/staff/desk/book", url.Values{"topic": {"zotero"}}, booking.RoleDesk},
	{"GET", "/staff/api-tokens", nil, booking.RoleDesk},
	{"POST", "/staff/api-tokens", url.Values{"label": {"matrix"}}, booking.RoleDesk},
	{"POST", "/staff/api-tokens/999999/revoke", nil, booking.RoleDesk},
	// Requests: every role files and closes one; librarians list, take,
	// offer and book them. Without consent or with an unknown request
	// nothing is written.
	{"GET", "/staff/requests/new", nil, booking.RoleDesk},
	{"GET", "/staff/requests/new?topic=zotero", nil, booking.RoleDesk},
	{"POST", "/staff/requests/new", url.Values{"topic": {"zotero"}, "need": {"matrix"}}, booking.RoleDesk},
	{"GET", "/staff/requests/999999", nil, booking.RoleDesk},
	{"POST", "/staff/requests/999999/close", url.Values{"reason": {"matrix"}}, booking.RoleDesk},
	{"GET", "/staff/requests", nil, booking.RoleLibrarian},
	{"POST", "/staff/requests/999999/take", nil, booking.RoleLibrarian},
	{"POST", "/staff/requests/999999/offer", nil, booking.RoleLibrarian},
	{"POST", "/staff/requests/999999/book", url.Values{"start": {"2026-05-05T10:00:00Z in-person"}}, booking.RoleLibrarian},
	{"GET", "/staff/hours", nil, booking.RoleLibrarian},
	// From after To: refused before anything is written.
	{"POST", "/staff/hours", url.Values{"weekday": {"1"}, "from": {"12:00"}, "to": {"10:00"}}, booking.RoleLibrarian},
	{"GET", "/staff/hours/nosuch.ics", nil, booking.RoleLibrarian},
	{"POST", "/staff/hours/nosuch.ics", url.Values{"weekday": {"1"}, "from": {"12:00"}, "to": {"10:00"}}, booking.RoleLibrarian},
	{"POST", "/staff/hours/nosuch.ics/delete", nil, booking.RoleLibrarian},
	{"GET", "/staff/external", nil, booking.RoleLibrarian},
	// An empty name is refused before the address is fetched.
	{"POST", "/staff/external", url.Values{"name": {""}, "url": {"https://example.org/a.ics"}}, booking.RoleLibrarian},
	{"POST", "/staff/external/refresh", nil, booking.RoleLibrarian},
	{"POST", "/staff/external/prefs", nil, booking.RoleLibrarian},
	{"POST", "/staff/external/999999/delete", nil, booking.RoleLibrarian},
	{"POST", "/staff/caldav/bookings-link/revoke", nil, booking.RoleLibrarian},
	{"POST", "/staff/caldav/bookings-link", nil, booking.RoleLibrarian},
	{"GET", "/staff/dropin", nil, booking.RoleCoordinator},
	{"GET", "/staff/dropin/new", nil, booking.RoleCoordinator},
	{"POST", "/staff/dropin", url.Values{"title": {""}}, booking.RoleCoordinator},
	{"GET", "/staff/dropin/nosuch.ics", nil, booking.RoleCoordinator},
	{"POST", "/staff/dropin/nosuch.ics", url.Values{"title": {""}}, booking.RoleCoordinator},
	{"POST", "/staff/dropin/nosuch.ics/delete", nil, booking.RoleCoordinator},
	{"GET", "/admin", nil, booking.RoleAdmin},
	{"GET", "/admin/users", nil, booking.RoleAdmin},
	{"POST", "/admin/users", url.Values{"username": {"matrixuser"}, "role": {"admin"}}, booking.RoleAdmin},
	{"GET", "/admin/users/999999", nil, booking.RoleAdmin},
	{"POST", "/admin/users/999999", url.Values{"role": {"admin"}}, booking.RoleAdmin},
	{"POST", "/admin/users/999999/password", nil, booking.RoleAdmin},
	{"GET", "/admin/users/999999/competences", nil, booking.RoleAdmin},
	{"POST", "/admin/users/999999/competences", url.Values{"topic": {"zotero"}}, booking.RoleAdmin},
	{"POST", "/admin/users/999999/competences/zotero/delete", nil, booking.RoleAdmin},
	{"GET", "/admin/external", nil, booking.RoleAdmin},
	{"GET", "/admin/users/999999/external", nil, booking.RoleAdmin},
	{"POST", "/admin/users/999999/external", url.Values{"name": {""}}, booking.RoleAdmin},
	{"POST", "/admin/users/999999/external/refresh", nil, booking.RoleAdmin},
	{"POST", "/admin/users/999999/external/prefs", nil, booking.RoleAdmin},
	{"POST", "/admin/users/999999/external/1/delete", nil, booking.RoleAdmin},
	{"GET", "/admin/topics", nil, booking.RoleAdmin},
	{"POST", "/admin/topics", url.Values{"slug": {""}}, booking.RoleAdmin},
	{"GET", "/admin/topics/999999", nil, booking.RoleAdmin},
	{"POST", "/admin/topics/999999", nil, booking.RoleAdmin},
	{"GET", "/admin/services", nil, booking.RoleAdmin},
	{"POST", "/admin/services", url.Values{"slug": {""}}, booking.RoleAdmin},
	{"GET", "/admin/services/nosuch", nil, booking.RoleAdmin},
	{"POST", "/admin/services/nosuch", nil, booking.RoleAdmin},
	{"POST", "/admin/services/nosuch/questions", url.Values{"kind": {"text"}, "label_nb": {"x"}}, booking.RoleAdmin},
	{"POST", "/admin/topics/999999/questions", url.Values{"kind": {"text"}, "label_nb": {"x"}}, booking.RoleAdmin},
	{"GET", "/admin/questions/999999", nil, booking.RoleAdmin},
	{"POST", "/admin/questions/999999", url.Values{"kind": {"text"}, "label_nb": {"x"}}, booking.RoleAdmin},
	{"POST", "/admin/questions/999999/delete", nil, booking.RoleAdmin},
	{"POST", "/admin/questions/999999/up", nil, booking.RoleAdmin},
	{"GET", "/admin/bookings", nil, booking.RoleAdmin},
	{"POST", "/admin/bookings/999999/cancel", nil, booking.RoleAdmin},
	{"GET", "/admin/stats", nil, booking.RoleAdmin},
	{"GET", "/admin/stats/topic.csv", nil, booking.RoleAdmin},
	{"GET", "/admin/competence", nil, booking.RoleAdmin},
	{"GET", "/admin/competence?from=2026-05-01&to=2026-04-01", nil, booking.RoleAdmin},
	{"GET", "/admin/competence.csv", nil, booking.RoleAdmin},
	// An empty tag is refused before anything is written.
	{"POST", "/admin/competence/tags", url.Values{"tag": {""}, "topic": {"zotero"}}, booking.RoleAdmin},
	{"GET", "/admin/privacy", nil, booking.RoleAdmin},
	{"POST", "/admin/privacy/export", url.Values{"email": {"nobody@example.org"}}, booking.RoleAdmin},
	{"POST", "/admin/privacy/erase", url.Values{"email": {"nobody@example.org"}}, booking.RoleAdmin},
	// Sign-in with the provider (app/signin_test.go starts one for the
	// matrix): the admins' settings, links and per-service requirement.
	{"GET", "/admin/signin", nil, booking.RoleAdmin},
	{"POST", "/admin/signin", url.Values{}, booking.RoleAdmin},
	{"POST", "/admin/users/999999/identity", url.Values{"subject": {"matrix"}}, booking.RoleAdmin},
	{"POST", "/admin/users/999999/identity/delete", nil, booking.RoleAdmin},
	{"POST", "/admin/services/nosuch/signin", url.Values{"require_signin": {"1"}}, booking.RoleAdmin},
}

func rank(r booking.Role) int {
	return map[booking.Role]int{booking.RoleDesk: 1, booking.RoleLibrarian: 2, booking.RoleCoordinator: 3, booking.RoleAdmin: 4}[r]
}

// TestStaffAuthorization tries every staff route as anonymous, as a
// student holding a manage link, as a librarian, a coordinator and an
// admin: only the allowed ones get past the door (anonymous and students
// are sent to sign in, lesser roles get 403), and a refused POST changes
// nothing.
func TestStaffAuthorization(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			_, signIn := withSignIn(t)
			s := stStartConfig(t, d, signIn)
			s.withCompetence(t)
			student := s.client(t)
			token := student.book(student.slots()[0], stStudent{"Siri Student", "siri@student.example.org", "", ""})
			if r := student.get("/booking/" + token + "/cancel"); r.status != http.StatusOK {
				t.Fatalf("student's manage page: got %d", r.status)
			}
			actors := []struct {
				name string
				role booking.Role // "" for no staff session
				c    *stClient
			}{
				{"anonymous", "", s.client(t)},
				{"student", "", student},
				{"desk", booking.RoleDesk, s.signedIn(t, "desk1")},
				{"librarian", booking.RoleLibrarian, s.signedIn(t, "lib1")},
				{"coordinator", booking.RoleCoordinator, s.signedIn(t, "coord")},
				{"admin", booking.RoleAdmin, s.signedIn(t, "admin")},
			}
			for _, a := range actors {
				for _, rt := range stRoutes {
					t.Run(a.name+" "+rt.method+" "+rt.path, func(t *testing.T) {
						a.c.t = t
						var r stReply
						if rt.method == http.MethodGet {
							r = a.c.get(rt.path)
						} else {
							form := url.Values{}
							for k, v := range rt.form {
								form[k] = v
							}
							r = a.c.post(rt.path, form)
						}
						toLogin := r.status == http.StatusSeeOther && strings.HasPrefix(r.header.Get("Location"), "/staff/login")
						switch {
						case a.role == "":
							if !toLogin {
								t.Errorf("got %d (Location %q), want 303 to /staff/login", r.status, r.header.Get("Location"))
							}
						case rank(a.role) < rank(rt.role):
							if r.status != http.StatusForbidden || !strings.Contains(r.body, "No access") {
								t.Errorf("got %d, want 403 No access", r.status)
							}
						default:
							if toLogin || r.status == http.StatusForbidden || r.status >= 500 {
								t.Errorf("got %d (Location %q), want the page itself:\n%s", r.status, r.header.Get("Location"), r.body)
							}
							if strings.Contains(r.body, "MISSING:") || strings.Contains(r.body, " style=") || strings.Contains(r.body, "<script") {
								t.Errorf("page shows a missing message, inline style or script:\n%s", r.body)
							}
							if r.status == http.StatusOK && rt.method == http.MethodGet && !strings.HasSuffix(rt.path, ".csv") && r.header.Get("Cache-Control") != "no-store" {
								t.Errorf("Cache-Control: got %q, want no-store", r.header.Get("Cache-Control"))
							}
						}
					})
				}
			}
			// The refused user creation left no user behind; the admin's
			// own try was refused for want of a valid form... or made it.
			users, err := s.app.Store.Users(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, u := range users {
				if u.Username == "matrixuser" {
					n++
				}
			}
			if n > 1 {
				t.Errorf("users named matrixuser: got %d, want at most the admin's one", n)
			}
			// A POST without the CSRF token is refused even for an admin.
			admin := actors[len(actors)-1].c
			admin.t = t
			r := admin.post("/admin/users", url.Values{"csrf": {"forged"}, "username": {"csrfuser"}, "role": {"admin"}})
			if r.status != http.StatusForbidden {
				t.Errorf("POST with a forged CSRF token: got %d, want 403", r.status)
			}
			if _, err := s.app.Store.UserByUsername(t.Context(), "csrfuser"); err == nil {
				t.Errorf("a forged POST created a user")
			}
		})
	}
}

// TestStaffSignIn checks the session cookie, the generic error, the rate
// limit, that an app password does not open the web pages, and that
// signing out ends the session in the database.
func TestStaffSignIn(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			s := stStart(t, d)
			c := s.client(t)
			r := c.post("/staff/login", url.Values{"username": {"lib1"}, "password": {stPassword}})
			if r.status != http.StatusSeeOther {
				t.Fatalf("sign in: got %d", r.status)
			}
			var cookie *http.Cookie
			for _, ck := range (&http.Response{Header: r.header}).Cookies() {
				if ck.Name == "staff" {
					cookie = ck
				}
			}
			if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Path != "/" || cookie.MaxAge <= 0 {
				t.Fatalf("session cookie: got %+v, want HttpOnly, SameSite=Lax, Path=/ and a lifetime", cookie)
			}
			// Only the token's SHA-256 is in the database.
			db := stDB(t, s)
			var hashes []string
			rows, err := db.QueryContext(t.Context(), `SELECT token_hash FROM staff_sessions`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var h string
				if err := rows.Scan(&h); err != nil {
					t.Fatal(err)
				}
				hashes = append(hashes, h)
			}
			rows.Close()
			sum := sha256.Sum256([]byte(cookie.Value))
			if len(hashes) != 1 || hashes[0] != hex.EncodeToString(sum[:]) {
				t.Errorf("stored session: got %v, want the one SHA-256 of the cookie", hashes)
			}
			if r := c.get("/staff/bookings"); r.status != http.StatusOK {
				t.Errorf("bookings page when signed in: got %d", r.status)
			}

			// Signing out deletes the session: the old cookie is dead.
			if r := c.post("/staff/logout", nil); r.status != http.StatusSeeOther || r.header.Get("Location") != "/staff/login?out=1" {
				t.Errorf("sign out: got %d to %q", r.status, r.header.Get("Location"))
			}
			replay := s.client(t)
			u, _ := url.Parse(s.base)
			replay.c.Jar.SetCookies(u, []*http.Cookie{{Name: "staff", Value: cookie.Value, Path: "/"}})
			if r := replay.get("/staff/bookings"); r.status != http.StatusSeeOther {
				t.Errorf("old cookie after sign-out: got %d, want 303 to sign in", r.status)
			}

			// The same message for a wrong password, an unknown user and
			// an app password, which is for calendar apps only.
			plain, _, err := s.app.Store.CreateAppPassword(t.Context(), s.users["lib1"].ID, "phone")
			if err != nil {
				t.Fatal(err)
			}
			for _, try := range []struct{ user, password string }{{"lib1", "wrong password"}, {"nosuchuser", stPassword}, {"lib1", plain}} {
				r := s.client(t).post("/staff/login", url.Values{"username": {try.user}, "password": {try.password}})
				if r.status != http.StatusUnauthorized || !strings.Contains(r.body, "Wrong user name or password.") {
					t.Errorf("sign in as %s with a bad password: got %d, want 401 with the generic message", try.user, r.status)
				}
			}
			// A disabled user's session stops working at once.
			admin := s.signedIn(t, "admin")
			lib := s.signedIn(t, "lib1")
			if r := admin.post(fmt.Sprintf("/admin/users/%d", s.users["lib1"].ID), url.Values{"role": {"librarian"}, "disabled": {"1"}, "name": {"Liv"}}); r.status != http.StatusSeeOther {
				t.Fatalf("disable lib1: got %d:\n%s", r.status, r.body)
			}
			if r := lib.get("/staff/bookings"); r.status != http.StatusSeeOther {
				t.Errorf("disabled user's session: got %d, want 303 to sign in", r.status)
			}

			// Sign-in attempts are limited per user name.
			limited := false
			for i := 0; i < 12 && !limited; i++ {
				r := s.client(t).post("/staff/login", url.Values{"username": {"coord"}, "password": {"wrong password"}})
				limited = r.status == http.StatusTooManyRequests && r.header.Get("Retry-After") != ""
			}
			if !limited {
				t.Errorf("12 failed sign-ins for one user were not limited")
			}
		})
	}
}

// TestLibrarianPages: profile, competences (which show in the slot search
// at once), app passwords usable from CalDAV, and no-shows.
func TestLibrarianPages(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			s := stStart(t, d)
			lib := s.signedIn(t, "lib1")
			student := s.client(t)

			r := lib.post("/staff/profile", url.Values{"languages": {"nb, en"}, "campus": {"Blindern"}, "in_person": {"1"}, "notify_new_booking": {"1"}})
			if r.status != http.StatusSeeOther {
				t.Fatalf("save profile: got %d:\n%s", r.status, r.body)
			}
			p, err := s.app.Store.Profile(t.Context(), s.users["lib1"].ID)
			if err != nil || p.Campus != "Blindern" || p.Online || !p.InPerson || !p.NotifyNewBooking || !reflect.DeepEqual(p.Languages, []string{"nb", "en"}) {
				t.Errorf("profile: got %+v, %v", p, err)
			}
			if r := lib.post("/staff/profile", url.Values{"languages": {"norsk!"}}); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `aria-invalid="true"`) {
				t.Errorf("bad profile: got %d, want 422 with the field marked", r.status)
			}

			if got := student.slots(); len(got) != 0 {
				t.Fatalf("slots before the competence: got %d, want none", len(got))
			}
			if r := lib.post("/staff/competences", url.Values{"topic": {"zotero"}, "level": {"primary"}, "languages": {"nb"}}); r.status != http.StatusSeeOther {
				t.Fatalf("add competence: got %d:\n%s", r.status, r.body)
			}
			if got := student.slots(); len(got) == 0 {
				t.Fatalf("slots after the competence: got none")
			}
			if r := lib.get("/staff/competences"); !strings.Contains(r.body, "Zotero and references") {
				t.Errorf("competences page lacks the topic:\n%s", r.body)
			}
			if r := lib.post("/staff/competences/zotero/delete", nil); r.status != http.StatusSeeOther {
				t.Fatalf("remove competence: got %d", r.status)
			}
			if got := student.slots(); len(got) != 0 {
				t.Errorf("slots after removing the competence: got %d, want none", len(got))
			}
			lib.post("/staff/competences", url.Values{"topic": {"zotero"}, "level": {"secondary"}})

			// The CalDAV page names the exact URLs.
			r = lib.get("/staff/caldav")
			for _, want := range []string{s.base + "/dav/principals/lib1/", s.base + "/dav/calendars/lib1/", s.base + "/dav/calendars/lib1/bookings/"} {
				if !strings.Contains(r.body, want) {
					t.Errorf("CalDAV page lacks %s", want)
				}
			}
			// An app password is shown once and works in a calendar app;
			// a revoked one does not.
			pw := regexp.MustCompile(`class="secret">([a-z0-9-]+)<`)
			r = lib.post("/staff/app-passwords", url.Values{"label": {"iPhone"}})
			m := pw.FindStringSubmatch(r.body)
			if r.status != http.StatusOK || m == nil || r.header.Get("Cache-Control") != "no-store" {
				t.Fatalf("create app password: got %d, no-store %q, password %v", r.status, r.header.Get("Cache-Control"), m)
			}
			if strings.Contains(lib.get("/staff/caldav").body, m[1]) {
				t.Errorf("the app password is shown again")
			}
			if got := stPropfind(t, s, "lib1", m[1]); got != http.StatusMultiStatus {
				t.Errorf("PROPFIND with the app password: got %d, want 207", got)
			}
			r = lib.post("/staff/app-passwords", url.Values{"label": {"Thunderbird"}})
			second := pw.FindStringSubmatch(r.body)[1]
			list, err := s.app.Store.AppPasswords(t.Context(), s.users["lib1"].ID)
			if err != nil || len(list) != 2 {
				t.Fatalf("app passwords: got %v, %v", list, err)
			}
			if r := lib.post(fmt.Sprintf("/staff/app-passwords/%d/revoke", list[1].ID), nil); r.status != http.StatusSeeOther {
				t.Fatalf("revoke: got %d", r.status)
			}
			if got := stPropfind(t, s, "lib1", second); got != http.StatusUnauthorized {
				t.Errorf("PROPFIND with a revoked app password: got %d, want 401", got)
			}
			// Another user cannot revoke lib1's password.
			coord := s.signedIn(t, "coord")
			if r := coord.post(fmt.Sprintf("/staff/app-passwords/%d/revoke", list[0].ID), nil); r.status != http.StatusNotFound {
				t.Errorf("revoke another's app password: got %d, want 404", r.status)
			}

			// A booking shows on the librarian's page; after the meeting
			// it can be marked as a no-show, not before.
			slot := student.slots()[0]
			student.book(slot, stStudent{"Nils Nordmann", "nils@student.example.org", "Zotero i Word", ""})
			r = lib.get("/staff/bookings")
			if !strings.Contains(r.body, "Nils Nordmann") {
				t.Fatalf("bookings page lacks the booking:\n%s", r.body)
			}
			bs, err := s.app.Store.StaffBookings(t.Context(), booking.BookingSearch{LibrarianID: s.users["lib1"].ID})
			if err != nil || len(bs) != 1 {
				t.Fatalf("bookings: %v, %v", bs, err)
			}
			id := bs[0].ID
			if r := lib.post(fmt.Sprintf("/staff/bookings/%d/no-show", id), url.Values{"no_show": {"1"}}); r.status != http.StatusConflict {
				t.Errorf("no-show before the meeting: got %d, want 409", r.status)
			}
			s.advance(bs[0].End.Sub(s.now()) + time.Minute)
			// The sessions expired meanwhile.
			lib, coord = s.signedIn(t, "lib1"), s.signedIn(t, "coord")
			if r := coord.post(fmt.Sprintf("/staff/bookings/%d/no-show", id), url.Values{"no_show": {"1"}}); r.status != http.StatusNotFound {
				t.Errorf("no-show of another librarian's booking: got %d, want 404", r.status)
			}
			if r := lib.post(fmt.Sprintf("/staff/bookings/%d/no-show", id), url.Values{"no_show": {"1"}}); r.status != http.StatusSeeOther {
				t.Fatalf("no-show: got %d:\n%s", r.status, r.body)
			}
			if b, err := s.app.Store.StaffBooking(t.Context(), id); err != nil || !b.NoShow {
				t.Errorf("booking after no-show: got %+v, %v", b, err)
			}
			// "Held" replaces the no-show mark; an unknown mark is refused.
			if r := lib.post(fmt.Sprintf("/staff/bookings/%d/attendance", id), url.Values{"attendance": {"held"}}); r.status != http.StatusSeeOther {
				t.Fatalf("held: got %d:\n%s", r.status, r.body)
			}
			if b, err := s.app.Store.StaffBooking(t.Context(), id); err != nil || !b.Held || b.NoShow {
				t.Errorf("booking after held: got %+v, %v", b, err)
			}
			if r := lib.post(fmt.Sprintf("/staff/bookings/%d/attendance", id), url.Values{"attendance": {"maybe"}}); r.status != http.StatusBadRequest {
				t.Errorf("attendance maybe: got %d, want 400", r.status)
			}
			if r := coord.post(fmt.Sprintf("/staff/bookings/%d/attendance", id), url.Values{"attendance": {"no-show"}}); r.status != http.StatusNotFound {
				t.Errorf("attendance of another librarian's booking: got %d, want 404", r.status)
			}
			if r := lib.get("/staff/bookings"); !strings.Contains(r.body, `name="attendance" value=""`) {
				t.Errorf("bookings page lacks the undo of the held mark:\n%s", r.body)
			}
		})
	}
}

// TestStaffPasswordChange: a librarian changes their own password on the
// web. A wrong current password changes nothing; the right one ends the
// other sessions, keeps this browser signed in, and leaves the app
// passwords working.
func TestStaffPasswordChange(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			s := stStart(t, d)
			plain, _, err := s.app.Store.CreateAppPassword(t.Context(), s.users["lib1"].ID, "phone")
			if err != nil {
				t.Fatal(err)
			}
			lib := s.signedIn(t, "lib1")
			other := s.signedIn(t, "lib1")
			const fresh = "a brand new password"
			if r := lib.get("/staff/password"); r.status != http.StatusOK || !strings.Contains(r.body, `autocomplete="current-password"`) {
				t.Fatalf("password page: got %d:\n%s", r.status, r.body)
			}
			r := lib.post("/staff/password", url.Values{"current_password": {"wrong password"}, "new_password": {fresh}, "repeat_password": {fresh}})
			if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "The current password is wrong") {
				t.Errorf("wrong current password: got %d, want 422 with the message", r.status)
			}
			if _, err := s.app.Store.AuthenticateAccount(t.Context(), "lib1", stPassword); err != nil {
				t.Fatalf("after a wrong current password, the old password: %v", err)
			}
			r = lib.post("/staff/password", url.Values{"current_password": {stPassword}, "new_password": {fresh}, "repeat_password": {fresh}})
			if r.status != http.StatusSeeOther || r.header.Get("Location") != "/staff/password?done=password" {
				t.Fatalf("change password: got %d to %q:\n%s", r.status, r.header.Get("Location"), r.body)
			}
			if r := lib.get("/staff/password?done=password"); r.status != http.StatusOK || !strings.Contains(r.body, "Your password is changed.") {
				t.Errorf("after the change: got %d, want the page with the confirmation:\n%s", r.status, r.body)
			}
			if r := other.get("/staff/bookings"); r.status != http.StatusSeeOther {
				t.Errorf("the other browser after the change: got %d, want 303 to sign in", r.status)
			}
			if _, err := s.app.Store.AuthenticateAccount(t.Context(), "lib1", stPassword); err == nil {
				t.Errorf("the old password still works")
			}
			if _, err := s.app.Store.AuthenticateAccount(t.Context(), "lib1", fresh); err != nil {
				t.Errorf("the new password: %v", err)
			}
			if got := stPropfind(t, s, "lib1", plain); got != http.StatusMultiStatus {
				t.Errorf("PROPFIND with the app password after the change: got %d, want 207", got)
			}
		})
	}
}

// stPropfind asks the CalDAV server for the user's home with Basic auth.
func stPropfind(t *testing.T, s *stSite, user, password string) int {
	t.Helper()
	req, err := http.NewRequest("PROPFIND", s.base+"/dav/calendars/"+user+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(user, password)
	req.Header.Set("Depth", "0")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// TestDropinForm: a coordinator creates, edits and deletes a weekly
// session; it is an ordinary event in the shared calendar.
func TestDropinForm(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			s := stStart(t, d)
			c := s.signedIn(t, "coord")
			form := url.Values{"title": {"Zotero-verksted, «grunnkurs»"}, "themes": {"zotero"}, "place": {"Georg Sverdrups hus, rom 2"},
				"start": {"2026-10-20T14:00"}, "end": {"2026-10-20T15:30"}, "weekly": {"1"}, "until": {"2026-11-10"}}
			if r := c.post("/staff/dropin", form); r.status != http.StatusSeeOther {
				t.Fatalf("create session: got %d:\n%s", r.status, r.body)
			}
			r := c.get("/staff/dropin")
			link := regexp.MustCompile(`href="/staff/dropin/([^"]+\.ics)"`).FindStringSubmatch(r.body)
			if link == nil || !strings.Contains(r.body, "Zotero-verksted") {
				t.Fatalf("session list lacks the session:\n%s", r.body)
			}
			dcal, err := s.app.Store.CalendarBySlug(t.Context(), 0, "dropin")
			if err != nil {
				t.Fatal(err)
			}
			obj, err := s.app.Store.Object(t.Context(), dcal.ID, link[1])
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"DTSTART;TZID=Europe/Oslo:20261020T140000", "RRULE:FREQ=WEEKLY;UNTIL=20261110T225959Z",
				"CATEGORIES:zotero", "BEGIN:VTIMEZONE", "SEQUENCE:0"} {
				if !strings.Contains(string(obj.Data), want) {
					t.Errorf("stored event lacks %q:\n%s", want, obj.Data)
				}
			}
			// Across the October DST change, the last session is still at
			// 14:00 local time.
			insts, err := s.app.Scheduling.DropinSessions(t.Context(), time.Date(2026, 10, 1, 0, 0, 0, 0, s.loc))
			if err != nil || len(insts) != 1 || insts[0].Start.In(s.loc).Hour() != 14 || !insts[0].Weekly {
				t.Errorf("sessions: got %+v, %v", insts, err)
			}

			// Edit, then an unknown theme is refused.
			r = c.get("/staff/dropin/" + link[1])
			etag := regexp.MustCompile(`name="etag" value="([^"]+)"`).FindStringSubmatch(r.body)
			if etag == nil {
				t.Fatalf("edit form lacks the ETag:\n%s", r.body)
			}
			form.Set("title", "Zotero-verksted")
			form.Set("etag", etag[1])
			if r := c.post("/staff/dropin/"+link[1], form); r.status != http.StatusSeeOther {
				t.Fatalf("edit session: got %d:\n%s", r.status, r.body)
			}
			obj, _ = s.app.Store.Object(t.Context(), dcal.ID, link[1])
			if !strings.Contains(string(obj.Data), "SEQUENCE:1") {
				t.Errorf("edited event: want SEQUENCE:1:\n%s", obj.Data)
			}
			// The old ETag is stale now.
			if r := c.post("/staff/dropin/"+link[1], form); r.status != http.StatusUnprocessableEntity {
				t.Errorf("edit with a stale ETag: got %d, want 422", r.status)
			}
			form.Del("etag")
			form.Set("themes", "nosuchtheme")
			if r := c.post("/staff/dropin", form); r.status != http.StatusUnprocessableEntity {
				t.Errorf("unknown theme: got %d, want 422", r.status)
			}
			if r := c.post("/staff/dropin/"+link[1]+"/delete", nil); r.status != http.StatusSeeOther {
				t.Fatalf("delete session: got %d", r.status)
			}
			if _, err := s.app.Store.Object(t.Context(), dcal.ID, link[1]); err == nil {
				t.Errorf("the deleted session is still stored")
			}
		})
	}
}

// TestAdminPages: users and roles, topics with rules, booking search and
// cancel on behalf.
func TestAdminPages(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			s := stStart(t, d)
			s.withCompetence(t)
			admin := s.signedIn(t, "admin")
			ctx := t.Context()

			r := admin.post("/admin/users", url.Values{"username": {"nyansatt"}, "name": {"Ny Ansatt"}, "email": {"ny@ub.example.org"}, "role": {"librarian"}})
			m := regexp.MustCompile(`class="secret">([A-Za-z0-9]+)<`).FindStringSubmatch(r.body)
			if r.status != http.StatusOK || m == nil {
				t.Fatalf("create user: got %d:\n%s", r.status, r.body)
			}
			if _, err := s.app.Store.AuthenticateAccount(ctx, "nyansatt", m[1]); err != nil {
				t.Errorf("the new user cannot sign in with the password shown: %v", err)
			}
			if r := admin.post("/admin/users", url.Values{"username": {"nyansatt"}, "role": {"librarian"}}); r.status != http.StatusConflict {
				t.Errorf("taken user name: got %d, want 409", r.status)
			}
			u, _ := s.app.Store.UserByUsername(ctx, "nyansatt")
			if r := admin.post(fmt.Sprintf("/admin/users/%d", u.ID), url.Values{"role": {"coordinator"}, "name": {"Ny Ansatt"}}); r.status != http.StatusSeeOther {
				t.Fatalf("change role: got %d", r.status)
			}
			if u, _ := s.app.Store.UserByUsername(ctx, "nyansatt"); u.Role != booking.RoleCoordinator {
				t.Errorf("role: got %s, want coordinator", u.Role)
			}
			if r := admin.post(fmt.Sprintf("/admin/users/%d", s.users["admin"].ID), url.Values{"role": {"librarian"}}); r.status != http.StatusConflict {
				t.Errorf("admin demoting themselves: got %d, want 409", r.status)
			}
			// The admin gives a competence on another's behalf.
			if r := admin.post(fmt.Sprintf("/admin/users/%d/competences", u.ID), url.Values{"topic": {"zotero"}, "level": {"primary"}}); r.status != http.StatusSeeOther {
				t.Errorf("competence on behalf: got %d", r.status)
			}

			// A topic with its own meeting length, then a bad rule.
			r = admin.post("/admin/topics", url.Values{"slug": {"endnote"}, "service": {"bibliotekar"}, "name_nb": {"EndNote"}, "name_en": {"EndNote"},
				"active": {"1"}, "order": {"3"}, "meeting_length": {"30"}})
			if r.status != http.StatusSeeOther {
				t.Fatalf("create topic: got %d:\n%s", r.status, r.body)
			}
			topic, err := s.app.Store.TopicBySlug(ctx, "endnote")
			if err != nil || topic.Rules.MeetingLength == nil || *topic.Rules.MeetingLength != 30*time.Minute {
				t.Errorf("topic: got %+v, %v", topic, err)
			}
			if r := admin.post(fmt.Sprintf("/admin/topics/%d", topic.ID), url.Values{"service": {"bibliotekar"}, "name_nb": {"EndNote"}, "name_en": {"EndNote"}, "slot_grid": {"7"}}); r.status != http.StatusUnprocessableEntity {
				t.Errorf("a grid that does not divide the day: got %d, want 422", r.status)
			}
			if r := admin.post("/admin/services/bibliotekar", url.Values{"name_nb": {"Bestill en bibliotekar"}, "name_en": {"Book a librarian"}, "buffer": {"10"}}); r.status != http.StatusSeeOther {
				t.Errorf("update service: got %d:\n%s", r.status, r.body)
			}

			// Search the bookings, then cancel one on the student's behalf:
			// the event leaves the calendar and the student is told.
			student := s.client(t)
			student.book(student.slots()[0], stStudent{"Berit Bruker", "Berit.Bruker@student.example.org", "Hjelp", ""})
			r = admin.get("/admin/bookings?email=berit.bruker&topic=zotero&status=confirmed")
			if !strings.Contains(r.body, "Berit Bruker") || !strings.Contains(r.body, "Results: 1") {
				t.Fatalf("search: got\n%s", r.body)
			}
			if r := admin.get("/admin/bookings?email=nobody"); !strings.Contains(r.body, "Results: 0") {
				t.Errorf("search for nobody found something")
			}
			bs, _ := s.app.Store.StaffBookings(ctx, booking.BookingSearch{Email: "berit"})
			if r := admin.post(fmt.Sprintf("/admin/bookings/%d/cancel", bs[0].ID), nil); r.status != http.StatusSeeOther {
				t.Fatalf("cancel on behalf: got %d:\n%s", r.status, r.body)
			}
			b, err := s.app.Store.StaffBooking(ctx, bs[0].ID)
			if err != nil || b.Status != booking.StatusCancelled || b.CancelledBy != booking.PartyAdmin {
				t.Errorf("cancelled booking: got %+v, %v", b, err)
			}
			cal, _ := s.app.Store.CalendarBySlug(ctx, s.users["lib1"].ID, "bookings")
			if _, err := s.app.Store.Object(ctx, cal.ID, b.EventName); err == nil {
				t.Errorf("the cancelled booking's event is still in the calendar")
			}
			var cancelled int
			db := stDB(t, s)
			if err := db.QueryRowContext(ctx, stRebind(s, `SELECT COUNT(*) FROM outbox WHERE booking_id = ? AND kind = 'cancelled'`), b.ID).Scan(&cancelled); err != nil || cancelled != 1 {
				t.Errorf("cancellation messages: got %d, %v; want 1", cancelled, err)
			}
		})
	}
}

// stDB opens the test's database directly, for what no page shows.
func stDB(t *testing.T, s *stSite) *sql.DB {
	t.Helper()
	var (
		db  *sql.DB
		err error
	)
	if s.dialect == store.SQLite {
		db, err = sql.Open("sqlite", filepath.Join(s.cfg.DataDir, "veileder.db")+"?_pragma=busy_timeout(10000)")
	} else {
		db, err = sql.Open("postgres", s.cfg.DatabaseURL)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func stRebind(s *stSite, q string) string {
	if s.dialect == store.SQLite {
		return q
	}
	n := 0
	return regexp.MustCompile(`\?`).ReplaceAllStringFunc(q, func(string) string { n++; return fmt.Sprintf("$%d", n) })
}

// stDump is every row of every table, as text, for a test that looks for
// personal data anywhere.
func stDump(t *testing.T, s *stSite) string {
	t.Helper()
	ctx := t.Context()
	db := stDB(t, s)
	q := `SELECT name FROM sqlite_master WHERE type = 'table'`
	if s.dialect == store.Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`
	}
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	if len(tables) < 10 {
		t.Fatalf("tables: got %v", tables)
	}
	var sb strings.Builder
	for _, table := range tables {
		rows, err := db.QueryContext(ctx, `SELECT * FROM `+table)
		if err != nil {
			t.Fatalf("dump %s: %v", table, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&sb, "%s:", table)
			for _, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				fmt.Fprintf(&sb, " %v", v)
			}
			sb.WriteByte('\n')
		}
		rows.Close()
	}
	return sb.String()
}

// TestRetention: after the retention period nothing personal about a
// booking is left in any table or calendar object, the calendar apps see
// the change, and the statistics are the same.
func TestRetention(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			s := stStart(t, d)
			s.withCompetence(t)
			ctx := t.Context()
			student := s.client(t)
			slots := student.slots()
			kept := stStudent{"Åse Testesen-Ødegård", "ase.testesen@student.example.org", "Hvordan siterer jeg «Zotero»-kilder; i oppgaven?\nOg i Word?", "Master i bibliotekfag"}
			gone := stStudent{"Petter Prøvesen", "petter.provesen@student.example.org", "Systematisk søk i PubMed", "Bachelor i sykepleie"}
			student.book(slots[0], kept)
			token := student.book(slots[len(slots)-1], gone)
			if status, out := student.api(http.MethodDelete, "/api/bookings/"+token, nil); status != http.StatusOK {
				t.Fatalf("cancel: got %d %v", status, out)
			}
			dump := stDump(t, s)
			for _, needle := range []string{kept.email, kept.name, "Zotero»-kilder", gone.email} {
				if !strings.Contains(strings.ToLower(dump), strings.ToLower(needle)) {
					t.Fatalf("the dump lacks %q before retention: the test would prove nothing", needle)
				}
			}
			from, to := s.start.AddDate(0, -1, 0), s.start.AddDate(0, 3, 0)
			before, err := s.app.Store.Statistics(ctx, from, to, s.loc)
			if err != nil {
				t.Fatal(err)
			}
			cal, _ := s.app.Store.CalendarBySlug(ctx, s.users["lib1"].ID, "bookings")

			// Not yet: the meetings ended less than 90 days ago.
			s.advance(60 * 24 * time.Hour)
			if n, err := s.app.Privacy.RunRetention(ctx, app.DefaultRetention, "test"); err != nil || n != 0 {
				t.Fatalf("retention after 60 days: got %d, %v; want 0", n, err)
			}
			s.advance(70 * 24 * time.Hour)
			n, err := s.app.Privacy.RunRetention(ctx, app.DefaultRetention, "test")
			if err != nil || n != 2 {
				t.Fatalf("retention after 130 days: got %d, %v; want 2", n, err)
			}
			dump = strings.ToLower(stDump(t, s))
			for _, st := range []stStudent{kept, gone} {
				for _, needle := range []string{st.name, st.email, st.question, st.programme, strings.Split(st.question, "\n")[0], strings.Split(st.email, "@")[0]} {
					if strings.Contains(dump, strings.ToLower(needle)) {
						i := strings.Index(dump, strings.ToLower(needle))
						t.Errorf("%q is still stored: …%s…", needle, dump[max(0, i-200):min(len(dump), i+100)])
					}
				}
			}
			// The kept booking's event is still in the calendar, without
			// the student, as a new version that sync picks up.
			after, _ := s.app.Store.CalendarBySlug(ctx, s.users["lib1"].ID, "bookings")
			if after.SyncSeq <= cal.SyncSeq {
				t.Errorf("bookings calendar sync seq: got %d, want more than %d", after.SyncSeq, cal.SyncSeq)
			}
			objs, _ := s.app.Store.Objects(ctx, cal.ID, true)
			if len(objs) != 1 || strings.Contains(string(objs[0].Data), "ATTENDEE") || !strings.Contains(string(objs[0].Data), "SUMMARY:Veiledning: Zotero og referanser") {
				t.Errorf("event after retention: got %v", objs)
			}
			stats, err := s.app.Store.Statistics(ctx, from, to, s.loc)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(stats, before) {
				t.Errorf("statistics changed:\n got %+v\nwant %+v", stats, before)
			}
			// A second run finds nothing to do; two replicas do not
			// both run it (the lease).
			if n, err := s.app.Privacy.RunRetention(ctx, app.DefaultRetention, "test"); err != nil || n != 0 {
				t.Errorf("second run: got %d, %v", n, err)
			}
			ok, err := s.app.Store.AcquireLease(ctx, "retention", "replica-a", time.Minute)
			if err != nil || !ok {
				t.Fatalf("lease for replica a: %v, %v", ok, err)
			}
			if ok, err := s.app.Store.AcquireLease(ctx, "retention", "replica-b", time.Minute); err != nil || ok {
				t.Errorf("lease for replica b while a holds it: got %v, %v; want false", ok, err)
			}
			s.advance(2 * time.Minute)
			if ok, err := s.app.Store.AcquireLease(ctx, "retention", "replica-b", time.Minute); err != nil || !ok {
				t.Errorf("lease for replica b after a's expired: got %v, %v; want true", ok, err)
			}
		})
	}
}

// TestPrivacyRequests: a student deletes their data from the manage
// link; an admin exports and erases everything about an address.
func TestPrivacyRequests(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			s := stStart(t, d)
			s.withCompetence(t)
			ctx := t.Context()
			student := s.client(t)
			slots := student.slots()
			me := stStudent{"Marte Mus", "marte.mus@student.example.org", "Referanser i LaTeX", "PhD"}
			token := student.book(slots[0], me)

			// Not while the meeting is to come: cancel first.
			if r := student.get("/booking/" + token + "/delete-data"); r.status != http.StatusSeeOther {
				t.Errorf("delete-data page of a coming meeting: got %d, want 303 back", r.status)
			}
			if status, _ := student.api(http.MethodDelete, "/api/bookings/"+token, nil); status != http.StatusOK {
				t.Fatalf("cancel: got %d", status)
			}
			if r := student.get("/booking/" + token); !strings.Contains(r.body, "/delete-data") {
				t.Errorf("manage page of a cancelled booking lacks the delete link")
			}
			r := student.get("/booking/" + token + "/delete-data")
			if r.status != http.StatusOK {
				t.Fatalf("delete-data page: got %d", r.status)
			}
			if r := student.post("/booking/"+token+"/delete-data", url.Values{"csrf": {"forged"}}); r.status != http.StatusForbidden {
				t.Errorf("delete without CSRF: got %d, want 403", r.status)
			}
			if r := student.post("/booking/"+token+"/delete-data", nil); r.status != http.StatusOK || !strings.Contains(r.body, "Your details are deleted") {
				t.Fatalf("delete data: got %d:\n%s", r.status, r.body)
			}
			if r := student.get("/booking/" + token); r.status != http.StatusNotFound {
				t.Errorf("manage link after deletion: got %d, want 404", r.status)
			}
			if strings.Contains(stDump(t, s), me.email) {
				t.Errorf("the address is still stored after the student deleted their data")
			}

			// An admin's export and erasure for another address, with a
			// booking still to come.
			other := stStudent{"Ola Olsen", "ola.olsen@student.example.org", "Open access-publisering", ""}
			student.book(slots[1], other)
			admin := s.signedIn(t, "admin")
			r = admin.post("/admin/privacy/export", url.Values{"email": {"OLA.olsen@student.example.org"}})
			var x booking.DataExport
			if err := json.Unmarshal([]byte(r.body), &x); err != nil || r.status != http.StatusOK {
				t.Fatalf("export: got %d, %v:\n%s", r.status, err, r.body)
			}
			if len(x.Bookings) != 1 || x.Bookings[0].Name != other.name || !strings.Contains(x.Bookings[0].CalendarEvent, "ATTENDEE") {
				t.Errorf("export: got %+v", x)
			}
			if r := admin.post("/admin/privacy/erase", url.Values{"email": {other.email}}); r.status != http.StatusOK || !strings.Contains(r.body, "1 bookings have this address") {
				t.Fatalf("erase asks first: got %d:\n%s", r.status, r.body)
			}
			if r := admin.post("/admin/privacy/erase", url.Values{"email": {other.email}, "confirm": {"1"}}); r.status != http.StatusSeeOther {
				t.Fatalf("erase: got %d:\n%s", r.status, r.body)
			}
			dump := stDump(t, s)
			for _, needle := range []string{other.email, other.name, other.question} {
				if strings.Contains(dump, needle) {
					t.Errorf("%q is still stored after erasure", needle)
				}
			}
			bs, _ := s.app.Store.StaffBookings(ctx, booking.BookingSearch{Status: booking.StatusCancelled})
			for _, b := range bs {
				if !b.Anonymised {
					t.Errorf("booking %d is not anonymised", b.ID)
				}
			}
		})
	}
}

// TestStatisticsPage: tables, charts and CSV.
func TestStatisticsPage(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			s := stStart(t, d)
			s.withCompetence(t)
			student := s.client(t)
			student.book(student.slots()[0], stStudent{"A Student", "a@student.example.org", "", ""})
			student.book(student.slots()[0], stStudent{"B Student", "b@student.example.org", "", ""})
			// A search that finds nothing is unmet demand.
			if _, err := s.app.Store.CreateTopic(t.Context(), booking.Topic{Slug: "endnote", ServiceSlug: "bibliotekar", NameNB: "EndNote", NameEN: "EndNote"}); err != nil {
				t.Fatal(err)
			}
			student.api(http.MethodGet, "/api/slots?topic=endnote", nil)

			admin := s.signedIn(t, "admin")
			r := admin.get("/admin/stats")
			if r.status != http.StatusOK {
				t.Fatalf("stats page: got %d", r.status)
			}
			for _, want := range []string{"Bookings per topic", `<svg class="chart" role="img"`, "<th scope=\"row\">Zotero and references</th><td class=\"num\" data-label=\"bookings\">2</td>",
				"Searches with no free time", "EndNote", "Liv Bibliotekar", "/admin/stats/topic.csv?from=2026-02-09&amp;to=2026-06-07"} {
				if !strings.Contains(r.body, want) {
					t.Errorf("stats page lacks %q", want)
				}
			}
			if strings.Contains(r.body, "<script") || strings.Contains(r.body, " style=") {
				t.Errorf("stats page has script or inline style")
			}
			r = admin.get("/admin/stats/topic.csv")
			if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") ||
				!strings.Contains(r.body, "Topic,bookings,held or upcoming,cancelled,no-shows,hours\r\nZotero and references,2,2,0,0,1.5\r\n") {
				t.Errorf("topic CSV: got %d %q:\n%q", r.status, r.header.Get("Content-Type"), r.body)
			}
			if r := admin.get("/admin/stats/nosuch.csv"); r.status != http.StatusNotFound {
				t.Errorf("unknown table: got %d, want 404", r.status)
			}
			if r := admin.get("/admin/stats?from=2026-05-10&to=2026-05-01"); r.status != http.StatusUnprocessableEntity {
				t.Errorf("backwards range: got %d, want 422", r.status)
			}
		})
	}
}

// TestOperations: health, readiness and metrics.
func TestOperations(t *testing.T) {
	s := stStart(t, store.SQLite)
	s.withCompetence(t)
	c := s.client(t)
	c.book(c.slots()[0], stStudent{"M Student", "m@student.example.org", "", ""})
	for _, path := range []string{"/healthz", "/readyz"} {
		if r := c.get(path); r.status != http.StatusOK {
			t.Errorf("%s: got %d", path, r.status)
		}
	}
	if got := stPropfind(t, s, "lib1", stPassword); got != http.StatusMultiStatus {
		t.Fatalf("PROPFIND: got %d", got)
	}
	r := c.get("/metrics")
	for _, want := range []string{
		`veileder_http_requests_total{method="GET",route="/api/slots",status="200"}`,
		`veileder_http_request_duration_seconds_bucket{method="POST",route="/api/bookings"`,
		`veileder_caldav_requests_total{method="PROPFIND",status="207"} 1`,
		`veileder_bookings_created_total 1`,
		`veileder_bookings_cancelled_total{by="student"} 0`,
		`veileder_outbox_pending`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	// No token ever becomes a label.
	if strings.Contains(r.body, "/booking/") && !strings.Contains(r.body, "/booking/:token") {
		t.Errorf("metrics hold a booking path")
	}
	// Not ready once the database is gone.
	s.app.Store.Close()
	if r := c.get("/readyz"); r.status != http.StatusServiceUnavailable {
		t.Errorf("/readyz without a database: got %d, want 503", r.status)
	}
}

// siteLog keeps the server's log, shown when a test fails.
type siteLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *siteLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *siteLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.buf.String()
	if len(s) > 8000 {
		s = "…" + s[len(s)-8000:]
	}
	return s
}
