package app_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/veileder/veileder/app"
	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// thSite is the service behind a trusted proxy (the test itself), so that
// each request can come from the address its X-Forwarded-For names.
type thSite struct {
	base string
	app  *app.App
}

func thStart(t *testing.T, d store.Dialect) *thSite {
	t.Helper()
	cfg := storetest.NewConfig(t, d)
	ts := httptest.NewUnstartedServer(nil)
	s := &thSite{base: "http://" + ts.Listener.Addr().String()}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a, err := app.New(ctx, app.Config{Store: &cfg, BaseURL: s.base, TrustedProxies: []string{"127.0.0.1", "::1"},
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	s.app = a
	ts.Config.Handler = a.Handler
	ts.Start()
	t.Cleanup(func() { ts.Close(); a.Close() })
	for _, u := range []string{"lib1", "lib2"} {
		if _, err := a.Store.CreateUser(ctx, booking.User{Username: u, Email: u + "@ub.example.org"}, stPassword); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// thBrowser is a browser at one address, with its own cookies.
type thBrowser struct {
	t    *testing.T
	site *thSite
	addr string
	c    *http.Client
}

func (s *thSite) browser(t *testing.T, addr string) *thBrowser {
	jar, _ := cookiejar.New(nil)
	return &thBrowser{t: t, site: s, addr: addr, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// forgetSession drops the session cookie (keeping the device cookie), as
// a browser does when the session ends.
func (b *thBrowser) forgetSession() {
	u, _ := url.Parse(b.site.base)
	b.c.Jar.SetCookies(u, []*http.Cookie{{Name: "staff", Path: "/", MaxAge: -1}})
}

func (b *thBrowser) do(method, path, lang string, body io.Reader, header ...string) (int, http.Header, string) {
	b.t.Helper()
	req, err := http.NewRequest(method, b.site.base+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("X-Forwarded-For", b.addr)
	req.Header.Set("Accept-Language", lang)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(out)
}

// login posts the sign-in form, in lang, and returns the status and page.
func (b *thBrowser) login(user, password, lang string) (int, http.Header, string) {
	b.t.Helper()
	_, _, page := b.do(http.MethodGet, "/staff/login", lang, nil)
	m := csrfInput.FindStringSubmatch(page)
	if m == nil {
		b.t.Fatalf("no CSRF token on the sign-in page:\n%s", page)
	}
	form := url.Values{"csrf": {m[1]}, "username": {user}, "password": {password}}
	return b.do(http.MethodPost, "/staff/login", lang, strings.NewReader(form.Encode()),
		"Content-Type", "application/x-www-form-urlencoded")
}

func (b *thBrowser) propfind(user, password string) int {
	b.t.Helper()
	req, err := http.NewRequest("PROPFIND", b.site.base+"/dav/", nil)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("X-Forwarded-For", b.addr)
	req.Header.Set("Depth", "0")
	req.SetBasicAuth(user, password)
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// Failing on purpose cannot lock a staff member out: after wrong
// passwords for lib1 from many addresses (which lock out untrusted
// clients, as OWASP's device-cookie pattern has it), the browser lib1
// signed in with before gets in at once by its device cookie, and so does
// a calendar app with an app password; a stolen or forged cookie helps no
// one, and a device cookie that fails often is refused itself. Both doors
// share one throttle in the database.
func TestSignInCannotBeLockedFromElsewhere(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			s := thStart(t, d)
			ctx := t.Context()
			lib1, err := s.app.Store.UserByUsername(ctx, "lib1")
			if err != nil {
				t.Fatal(err)
			}
			app1, _, err := s.app.Store.CreateAppPassword(ctx, lib1.ID, "phone")
			if err != nil {
				t.Fatal(err)
			}

			// lib1 has signed in on the office computer before.
			office := s.browser(t, "198.51.100.7")
			if status, _, body := office.login("lib1", stPassword, "en"); status != http.StatusSeeOther {
				t.Fatalf("first sign-in: got %d:\n%s", status, body)
			}
			office.forgetSession()
			// A forged device cookie: lib1's cookie moved to the name of
			// another user's cookie is not valid there.
			var deviceCookie *http.Cookie
			u, _ := url.Parse(s.base)
			for _, ck := range office.c.Jar.Cookies(u) {
				if strings.HasPrefix(ck.Name, "device-") {
					deviceCookie = ck
				}
			}
			if deviceCookie == nil {
				t.Fatal("no device cookie after signing in")
			}

			// Someone fails as lib1 from 40 addresses, then 100 times from
			// one more, over the web and over CalDAV.
			start := time.Now()
			for i := range 40 {
				b := s.browser(t, fmt.Sprintf("203.0.113.%d", i+1))
				if i%2 == 0 {
					b.login("lib1", "guess", "en")
				} else {
					b.propfind("lib1", "guess")
				}
			}
			refused := 0
			guesser := s.browser(t, "192.0.2.66")
			for range 100 {
				if status, _, _ := guesser.login("lib1", "guess", "en"); status == http.StatusTooManyRequests {
					refused++
				}
			}
			t.Logf("140 wrong passwords for lib1 took %v; of the last 100 from one address %d were refused with 429",
				time.Since(start).Round(time.Millisecond), refused)
			if refused != 100 {
				t.Errorf("after 40 failures from elsewhere: got %d of 100 refused, want all (the user's limit is %d)", refused, store.DefaultThrottlePolicy.PerUser)
			}

			type try struct {
				name     string
				do       func() (int, http.Header, string)
				want     int
				wantText string
			}
			tries := []try{
				{"an untrusted browser, in English", func() (int, http.Header, string) {
					return s.browser(t, "198.51.100.99").login("lib1", stPassword, "en")
				}, http.StatusTooManyRequests, "Too many failed sign-ins. Try again in 15 minutes."},
				{"an untrusted browser, in Norwegian", func() (int, http.Header, string) {
					return s.browser(t, "198.51.100.99").login("lib1", stPassword, "nb")
				}, http.StatusTooManyRequests, "For mange mislykkede forsøk på å logge inn. Prøv igjen om 15 minutter."},
				{"lib1's device cookie under lib2's name", func() (int, http.Header, string) {
					b := s.browser(t, "198.51.100.7")
					for _, ck := range office.c.Jar.Cookies(u) {
						if strings.HasPrefix(ck.Name, "device-") {
							b.c.Jar.SetCookies(u, []*http.Cookie{{Name: ck.Name, Value: ck.Value, Path: "/"}})
						}
					}
					return b.login("lib2", "guess", "en")
				}, http.StatusUnauthorized, ""},
				{"a tampered device cookie", func() (int, http.Header, string) {
					b := s.browser(t, "198.51.100.7")
					other := "A"
					if deviceCookie.Value[0] == 'A' {
						other = "B"
					}
					b.c.Jar.SetCookies(u, []*http.Cookie{{Name: deviceCookie.Name, Value: other + deviceCookie.Value[1:], Path: "/"}})
					return b.login("lib1", stPassword, "en")
				}, http.StatusTooManyRequests, ""},
				{"the office browser with its device cookie", func() (int, http.Header, string) {
					defer office.forgetSession()
					return office.login("lib1", stPassword, "en")
				}, http.StatusSeeOther, ""},
				{"the office browser's cookie, moved to another address", func() (int, http.Header, string) {
					b := s.browser(t, "192.0.2.66")
					for _, ck := range office.c.Jar.Cookies(u) {
						if strings.HasPrefix(ck.Name, "device-") {
							b.c.Jar.SetCookies(u, []*http.Cookie{{Name: ck.Name, Value: ck.Value, Path: "/"}})
						}
					}
					return b.login("lib1", stPassword, "en")
				}, http.StatusSeeOther, ""},
				{"a calendar app with the app password", func() (int, http.Header, string) {
					return s.browser(t, "192.0.2.66").propfind("lib1", app1), nil, ""
				}, http.StatusMultiStatus, ""},
				{"a calendar app with the account password", func() (int, http.Header, string) {
					return s.browser(t, "198.51.100.99").propfind("lib1", stPassword), nil, ""
				}, http.StatusTooManyRequests, ""},
				{"another user from the guesser's address", func() (int, http.Header, string) {
					return s.browser(t, "192.0.2.66").login("lib2", stPassword, "en")
				}, http.StatusSeeOther, ""},
			}
			for _, tr := range tries {
				begin := time.Now()
				status, header, body := tr.do()
				took := time.Since(begin)
				if status != tr.want {
					t.Errorf("%s: got %d, want %d", tr.name, status, tr.want)
				}
				if status == http.StatusTooManyRequests && header != nil && header.Get("Retry-After") == "" {
					t.Errorf("%s: 429 without Retry-After", tr.name)
				}
				if tr.wantText != "" && !strings.Contains(body, tr.wantText) {
					t.Errorf("%s: the page lacks %q:\n%s", tr.name, tr.wantText, body)
				}
				// The status says whether the throttle held the user back
				// (it refuses, it never delays); the time is only logged.
				t.Logf("%s: %d in %v", tr.name, status, took.Round(time.Millisecond))
			}

			// The office browser's device cookie fails too often and is
			// refused itself; a fresh sign-in elsewhere does not help it.
			statuses := []int{}
			for range store.DefaultThrottlePolicy.PerDevice + 1 {
				status, _, _ := office.login("lib1", "typo", "en")
				statuses = append(statuses, status)
			}
			if got := statuses[len(statuses)-1]; got != http.StatusTooManyRequests {
				t.Errorf("device cookie after %d failures: got %v, want the last refused with 429", store.DefaultThrottlePolicy.PerDevice, statuses)
			}
			if got := statuses[len(statuses)-2]; got != http.StatusUnauthorized {
				t.Errorf("device cookie failures: got %v, want 401 until the limit", statuses)
			}
		})
	}
}
