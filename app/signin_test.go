package app_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/veileder/veileder/app"
	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/signin/signintest"
	"github.com/veileder/veileder/store/storetest"
)

// withSignIn starts an OpenID Connect provider and returns the change to
// the service's configuration that signs in with it, as Feide is set up
// (README) but for the e-mail address, which is believed only when the
// provider says it verified it, as for a generic provider.
func withSignIn(t *testing.T) (*signintest.Provider, func(*app.Config)) {
	t.Helper()
	p := signintest.Start(t)
	return p, func(c *app.Config) {
		if c.Now != nil {
			p.Follow(c.Now)
		}
		c.SignIn = app.SignInConfig{
			Issuer: p.Issuer(), ClientID: p.ClientID, ClientSecret: p.ClientSecret,
			PrincipalClaim: signintest.PrincipalClaim, AffiliationClaim: "eduPersonAffiliation",
			DisplayName: "Feide",
		}
	}
}

// through follows a sign-in link as a browser does: to the provider,
// which signs the queued user in at once, and back to the callback. It
// returns the callback's answer.
func (c *stClient) through(path string) stReply {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.toProvider(path), nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

// toProvider follows a sign-in link to the provider and returns the
// callback address the provider sends the browser back to.
func (c *stClient) toProvider(path string) string {
	c.t.Helper()
	r := c.get(path)
	if r.status != http.StatusSeeOther {
		c.t.Fatalf("GET %s: got %d, want 303 to the provider:\n%s", path, r.status, r.body)
	}
	res, err := c.c.Get(r.header.Get("Location"))
	if err != nil {
		c.t.Fatalf("provider: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusFound {
		c.t.Fatalf("provider: got %d, want 302 back to us", res.StatusCode)
	}
	return res.Header.Get("Location")
}

func verified() *bool { return signintest.Verified(true) }

func TestSignInStaff(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			p, mod := withSignIn(t)
			s := stStartConfig(t, d, mod)
			s.withCompetence(t)

			// Liv's Feide principal is her account's e-mail address: the
			// first sign-in links the account.
			liv := &signintest.User{Subject: "feide-liv", Principal: "liv@ub.example.org", Name: "Liv B.", Email: "liv@ub.example.org"}
			c := s.client(t)
			if r := c.get("/staff/login"); !strings.Contains(r.body, `href="/signin/staff"`) || !strings.Contains(r.body, "Sign in with Feide") {
				t.Fatalf("sign-in page offers no Feide:\n%s", r.body)
			}
			p.Queue(liv)
			r := c.through("/signin/staff?next=/staff/caldav")
			if r.status != http.StatusSeeOther || r.header.Get("Location") != "/staff/caldav" {
				t.Fatalf("callback: got %d to %q, want 303 to /staff/caldav:\n%s", r.status, r.header.Get("Location"), r.body)
			}
			if r := c.get("/staff/caldav"); r.status != http.StatusOK {
				t.Fatalf("calendar set-up page after Feide sign-in: got %d", r.status)
			}
			link, err := s.app.Store.IdentityOf(t.Context(), s.users["lib1"].ID)
			if err != nil || link.Subject != "feide-liv" || link.How != booking.LinkedByPrincipal || link.Issuer != p.Issuer() {
				t.Errorf("link = %+v, %v; want feide-liv by principal", link, err)
			}

			// The app-password page works for an account signed in with
			// Feide, and CalDAV takes the app password with Basic auth.
			r = c.post("/staff/app-passwords", url.Values{"label": {"Thunderbird"}})
			m := secretSpan.FindStringSubmatch(r.body)
			if r.status != http.StatusOK || m == nil {
				t.Fatalf("create app password: got %d:\n%s", r.status, r.body)
			}
			if got := davStatus(t, s, "lib1", m[1]); got != http.StatusMultiStatus {
				t.Errorf("PROPFIND with the app password: got %d, want 207", got)
			}

			// Passwords off: the admin links their account first, then
			// the password form is gone and refused; CalDAV still works.
			admin := s.signedIn(t, "admin")
			if r := admin.post("/admin/signin", url.Values{"passwords_off": {"1"}}); r.status != http.StatusUnprocessableEntity {
				t.Errorf("passwords off while not linked: got %d, want 422", r.status)
			}
			p.Queue(&signintest.User{Subject: "feide-ada", Principal: "admin", Email: "other@example.org"})
			if r := admin.through("/signin/staff"); r.status != http.StatusSeeOther {
				t.Fatalf("admin's Feide sign-in: got %d:\n%s", r.status, r.body)
			}
			if r := admin.post("/admin/signin", url.Values{"passwords_off": {"1"}}); r.status != http.StatusSeeOther {
				t.Fatalf("passwords off: got %d:\n%s", r.status, r.body)
			}
			fresh := s.client(t)
			if r := fresh.get("/staff/login"); strings.Contains(r.body, `name="password"`) {
				t.Errorf("sign-in page still has the password field:\n%s", r.body)
			}
			if r := fresh.post("/staff/login", url.Values{"username": {"coord"}, "password": {stPassword}}); r.status != http.StatusForbidden {
				t.Errorf("password sign-in with passwords off: got %d, want 403", r.status)
			}
			if got := davStatus(t, s, "lib1", m[1]); got != http.StatusMultiStatus {
				t.Errorf("PROPFIND with passwords off: got %d, want 207", got)
			}
			if r := admin.post("/admin/signin", url.Values{}); r.status != http.StatusSeeOther {
				t.Fatalf("passwords on again: got %d", r.status)
			}

			refusals := []struct {
				name   string
				user   *signintest.User
				status int
				text   string
				// setup makes the provider misbehave; it returns the undo.
				setup func() func()
			}{
				{"no account", &signintest.User{Subject: "feide-nobody", Principal: "nobody@uio.no", Email: "nobody@uio.no", EmailVerified: verified()},
					http.StatusForbidden, "No staff account is linked", nil},
				// Kåre's address, but the provider does not vouch for it.
				{"e-mail not verified", &signintest.User{Subject: "feide-kare", Principal: "kare@uio.no", Email: "kare@ub.example.org", EmailVerified: signintest.Verified(false)},
					http.StatusForbidden, "No staff account is linked", nil},
				{"wrong nonce", &signintest.User{Subject: "feide-liv", Nonce: "forged"}, http.StatusUnauthorized, "could not be completed", nil},
				{"expired ID token", liv, http.StatusUnauthorized, "could not be completed",
					func() func() { p.Expire(time.Hour); return func() { p.Expire(0) } }},
				{"wrongly signed ID token", liv, http.StatusUnauthorized, "could not be completed",
					func() func() { p.SetForge(true); return func() { p.SetForge(false) } }},
			}
			for _, tc := range refusals {
				t.Run(tc.name, func(t *testing.T) {
					if tc.setup != nil {
						defer tc.setup()()
					}
					c := s.client(t)
					p.Queue(tc.user)
					r := c.through("/signin/staff")
					if r.status != tc.status || !strings.Contains(r.body, tc.text) || !strings.Contains(r.body, `name="password"`) {
						t.Errorf("got %d, want %d with %q and the password form:\n%s", r.status, tc.status, tc.text, r.body)
					}
					if strings.Contains(r.body, "code=") {
						t.Errorf("the page repeats the callback's code:\n%s", r.body)
					}
				})
			}
			if _, err := s.app.Store.IdentityOf(t.Context(), s.users["coord"].ID); !errors.Is(err, booking.ErrNotFound) {
				t.Errorf("coordinator linked by an unverified address: %v", err)
			}
			// Kåre's verified address links his account.
			p.Queue(&signintest.User{Subject: "feide-kare", Principal: "kare@uio.no", Email: "kare@ub.example.org", EmailVerified: verified()})
			if r := s.client(t).through("/signin/staff"); r.status != http.StatusSeeOther {
				t.Errorf("verified e-mail address: got %d:\n%s", r.status, r.body)
			}

			t.Run("replayed callback", func(t *testing.T) {
				c := s.client(t)
				p.Queue(liv)
				back := c.toProvider("/signin/staff")
				for i, want := range []int{http.StatusSeeOther, http.StatusUnauthorized} {
					// The browser keeps the state cookie for the replay, as
					// an attacker with the whole request would.
					req, _ := http.NewRequest(http.MethodGet, back, nil)
					req.AddCookie(&http.Cookie{Name: "signin_state", Value: "staff:" + mustQuery(t, back, "state")})
					if r := c.do(req); r.status != want {
						t.Errorf("callback %d: got %d, want %d", i+1, r.status, want)
					}
				}
			})

			t.Run("state of another browser", func(t *testing.T) {
				// Mallory begins a login; Liv's browser is sent to the
				// callback with Mallory's state and code (login CSRF).
				mallory := s.client(t)
				p.Queue(liv)
				r := mallory.get("/signin/staff")
				res, err := mallory.c.Get(r.header.Get("Location"))
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				victim := s.client(t)
				req, _ := http.NewRequest(http.MethodGet, res.Header.Get("Location"), nil)
				if r := victim.do(req); r.status != http.StatusUnauthorized {
					t.Errorf("callback in another browser: got %d, want 401", r.status)
				}
			})

			t.Run("provider down", func(t *testing.T) {
				// Down between the redirect and the callback: the code
				// cannot be redeemed.
				c := s.client(t)
				p.Queue(liv)
				back := c.toProvider("/signin/staff")
				p.SetDown(true)
				defer p.SetDown(false)
				req, _ := http.NewRequest(http.MethodGet, back, nil)
				r := c.do(req)
				if r.status != http.StatusServiceUnavailable || !strings.Contains(r.body, "cannot reach Feide") || !strings.Contains(r.body, `name="password"`) {
					t.Errorf("provider down at the callback: got %d, want 503 saying so, with the password form:\n%s", r.status, r.body)
				}
				c.login("lib1")

				// Down when the service starts: it starts, and says so at
				// the first sign-in.
				other := stStartConfig(t, d, mod)
				c = other.client(t)
				r = c.get("/signin/staff")
				if r.status != http.StatusServiceUnavailable || !strings.Contains(r.body, "cannot reach Feide") {
					t.Errorf("provider down at start: got %d, want 503 saying so:\n%s", r.status, r.body)
				}
				c.login("lib1")
			})
		})
	}
}

func mustQuery(t *testing.T, raw, key string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get(key)
}

// davStatus is the status of a PROPFIND on the user's calendar home
// with Basic auth.
func davStatus(t *testing.T, s *stSite, user, password string) int {
	t.Helper()
	req, err := http.NewRequest("PROPFIND", s.base+"/dav/calendars/"+user+"/", strings.NewReader(`<?xml version="1.0"?><propfind xmlns="DAV:"><prop><displayname/></prop></propfind>`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Depth", "0")
	req.Header.Set("Content-Type", "application/xml")
	req.SetBasicAuth(user, password)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func TestSignInStudent(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			p, mod := withSignIn(t)
			s := stStartConfig(t, d, mod)
			s.withCompetence(t)
			starts := s.client(t).slots()
			ctx := t.Context()

			siri := &signintest.User{Subject: "feide-siri", Principal: "siri@uio.no", Name: "Siri Student",
				Email: "siri@student.uio.no", EmailVerified: verified(), Affiliations: []string{"student"}}
			c := s.client(t)
			form := "/book/zotero?mode=in-person&start=" + url.QueryEscape(starts[0])
			if r := c.get(form); !strings.Contains(r.body, "/signin/student?return=") {
				t.Fatalf("booking form offers no sign-in:\n%s", r.body)
			}
			p.Queue(siri)
			r := c.through("/signin/student?return=" + url.QueryEscape(form))
			if r.status != http.StatusSeeOther || r.header.Get("Location") != form {
				t.Fatalf("callback: got %d to %q, want 303 back to the form:\n%s", r.status, r.header.Get("Location"), r.body)
			}
			r = c.get(form)
			if !strings.Contains(r.body, `value="Siri Student" readonly`) || !strings.Contains(r.body, `value="siri@student.uio.no" readonly`) {
				t.Fatalf("form after sign-in: name and address not filled and read-only:\n%s", r.body)
			}
			// What the browser posts for name and address is ignored.
			r = c.post("/book/zotero", url.Values{"start": {starts[0]}, "mode": {"in-person"}, "name": {"Someone Else"},
				"email": {"else@example.org"}, "language": {"nb"}, "consent": {"yes"}})
			if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/booking/") {
				t.Fatalf("book: got %d:\n%s", r.status, r.body)
			}
			bs, err := s.app.Store.BookingsOfIdentity(ctx, booking.IdentityKey(p.Issuer(), "feide-siri"))
			if err != nil || len(bs) != 1 || bs[0].StudentName != "Siri Student" || bs[0].StudentEmail != "siri@student.uio.no" {
				t.Fatalf("bookings of the identity = %+v, %v; want one, by Siri", bs, err)
			}
			// The librarian sees that the student's identity was verified.
			if r := s.signedIn(t, "lib1").get("/staff/bookings"); !strings.Contains(r.body, "Identity verified by sign-in") {
				t.Errorf("librarian's bookings do not say the identity was verified:\n%s", r.body)
			}
			r = c.get("/my-bookings")
			if r.status != http.StatusOK || !strings.Contains(r.body, "Zotero and references") || !strings.Contains(r.body, "/booking/") {
				t.Errorf("my bookings: got %d:\n%s", r.status, r.body)
			}
			// The manage link works without signing in.
			anon := s.client(t)
			manage := manageLink.FindStringSubmatch(r.body)
			if manage == nil {
				t.Fatal("no manage link on the page of bookings")
			}
			u, _ := url.Parse(manage[1])
			if r := anon.get(u.Path); r.status != http.StatusOK {
				t.Errorf("manage link without sign-in: got %d", r.status)
			}

			// GDPR: the export names the identity; erasure ends the link
			// and the session.
			exp, err := s.app.Privacy.Export(ctx, "siri@student.uio.no")
			if err != nil || len(exp.Bookings) != 1 || exp.Bookings[0].SignedInAs != booking.IdentityKey(p.Issuer(), "feide-siri") {
				t.Errorf("export = %+v, %v; want the booking signed in as feide-siri", exp, err)
			}
			if _, err := s.app.Privacy.Erase(ctx, "siri@student.uio.no"); err != nil {
				t.Fatal(err)
			}
			if bs, _ := s.app.Store.BookingsOfIdentity(ctx, booking.IdentityKey(p.Issuer(), "feide-siri")); len(bs) != 0 {
				t.Errorf("bookings of the identity after erasure: %d, want 0", len(bs))
			}
			if b, err := s.app.Store.BookingByID(ctx, bs[0].ID); err != nil || b.StudentIdentity != "" || !b.Anonymised {
				t.Errorf("booking after erasure = identity %q, anonymised %v, %v; want no identity, anonymised", b.StudentIdentity, b.Anonymised, err)
			}
			if r := c.get("/my-bookings"); strings.Contains(r.body, "siri@student.uio.no") {
				t.Errorf("session outlived erasure:\n%s", r.body)
			}

			t.Run("e-mail not verified", func(t *testing.T) {
				c := s.client(t)
				p.Queue(&signintest.User{Subject: "feide-ola", Name: "Ola", Email: "ola@uio.no", EmailVerified: signintest.Verified(false)})
				r := c.through("/signin/student?return=" + url.QueryEscape(form))
				if r.status != http.StatusForbidden || !strings.Contains(r.body, "has not verified your e-mail address") || !strings.Contains(r.body, "book without signing in") {
					t.Errorf("unverified: got %d:\n%s", r.status, r.body)
				}
			})

			t.Run("provider down", func(t *testing.T) {
				c := s.client(t)
				p.Queue(siri)
				back := c.toProvider("/signin/student?return=" + url.QueryEscape(form))
				p.SetDown(true)
				defer p.SetDown(false)
				req, _ := http.NewRequest(http.MethodGet, back, nil)
				r := c.do(req)
				if r.status != http.StatusServiceUnavailable || !strings.Contains(r.body, "cannot reach Feide") || !strings.Contains(r.body, "book without signing in") {
					t.Errorf("down: got %d:\n%s", r.status, r.body)
				}
			})

			t.Run("service requires sign-in", func(t *testing.T) {
				admin := s.signedIn(t, "admin")
				if r := admin.post("/admin/services/bibliotekar/signin", url.Values{"require_signin": {"1"}}); r.status != http.StatusSeeOther {
					t.Fatalf("require sign-in: got %d", r.status)
				}
				anon := s.client(t)
				status, out := anon.api(http.MethodPost, "/api/bookings", map[string]any{
					"topic": "zotero", "start": starts[1], "name": "Anne", "email": "anne@example.org", "language": "nb", "consent": true,
				})
				if status != http.StatusForbidden {
					t.Errorf("API booking: got %d %v, want 403", status, out)
				}
				anon.get(form)
				r := anon.post("/book/zotero", url.Values{"start": {starts[1]}, "mode": {"in-person"}, "name": {"Anne"},
					"email": {"anne@example.org"}, "language": {"nb"}, "consent": {"yes"}})
				if r.status != http.StatusForbidden || !strings.Contains(r.body, "Sign in with Feide to book") {
					t.Errorf("form booking: got %d:\n%s", r.status, r.body)
				}
				// Signed in, the same booking goes through.
				p.Queue(siri)
				anon.through("/signin/student?return=/my-bookings")
				anon.get(form)
				r = anon.post("/book/zotero", url.Values{"start": {starts[1]}, "mode": {"in-person"}, "language": {"nb"}, "consent": {"yes"}})
				if r.status != http.StatusSeeOther {
					t.Errorf("signed-in booking: got %d:\n%s", r.status, r.body)
				}
			})
		})
	}
}

// TestSignInOtherReplica begins a login on one replica and finishes it
// on another over the same database: the login's state is not in either
// process.
func TestSignInOtherReplica(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			p, mod := withSignIn(t)
			s := stStartConfig(t, d, mod)
			// The second replica: another process on the same database, to
			// which the provider sends the browser back.
			ts := httptest.NewUnstartedServer(nil)
			second := "http://" + ts.Listener.Addr().String()
			cfg := s.cfg
			acfg := app.Config{Store: &cfg, BaseURL: s.base, Now: s.now, Logger: slog.New(slog.NewTextHandler(s.logs, nil))}
			mod(&acfg)
			acfg.SignIn.RedirectURL = second + "/signin/callback"
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			b, err := app.New(ctx, acfg)
			if err != nil {
				t.Fatal(err)
			}
			ts.Config.Handler = b.Handler
			ts.Start()
			t.Cleanup(func() { ts.Close(); _ = b.Close() })

			// The first replica begins, with the second's callback.
			first, err := app.New(ctx, acfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = first.Close() })
			fs := httptest.NewServer(first.Handler)
			t.Cleanup(fs.Close)

			c := s.client(t)
			p.Queue(&signintest.User{Subject: "feide-liv", Principal: "lib1"})
			res, err := c.c.Get(fs.URL + "/signin/staff")
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			res, err = c.c.Get(res.Header.Get("Location"))
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			back := res.Header.Get("Location")
			if !strings.HasPrefix(back, second+"/signin/callback") {
				t.Fatalf("provider sent the browser to %q, want the second replica", back)
			}
			req, _ := http.NewRequest(http.MethodGet, back, nil)
			if r := c.do(req); r.status != http.StatusSeeOther || r.header.Get("Location") != "/staff" {
				t.Fatalf("second replica's callback: got %d to %q:\n%s", r.status, r.header.Get("Location"), r.body)
			}
			// The session is in the database too: the first replica knows it.
			if r := c.get("/staff/bookings"); r.status != http.StatusOK {
				t.Errorf("staff page on the first site after signing in on the second: got %d", r.status)
			}
		})
	}
}

var manageLink = regexp.MustCompile(`<a href="([^"]*/booking/[^"]+)">`)

// TestSignInIdentityLimit: a signed-in student's attempts count per
// identity, against the same limit as an e-mail address's.
func TestSignInIdentityLimit(t *testing.T) {
	p, mod := withSignIn(t)
	s := stStartConfig(t, "sqlite", func(c *app.Config) { mod(c); c.EmailLimit = 1; c.BookingLimit = 3 })
	s.withCompetence(t)
	starts := s.client(t).slots()
	c := s.client(t)
	p.Queue(&signintest.User{Subject: "feide-per", Name: "Per", Email: "per@uio.no", EmailVerified: verified()})
	c.through("/signin/student?return=/my-bookings")
	for i, want := range []int{http.StatusSeeOther, http.StatusTooManyRequests} {
		c.get("/book/zotero?mode=in-person&start=" + url.QueryEscape(starts[i]))
		r := c.post("/book/zotero", url.Values{"start": {starts[i]}, "mode": {"in-person"}, "language": {"nb"}, "consent": {"yes"}})
		if r.status != want {
			t.Errorf("attempt %d: got %d, want %d:\n%s", i+1, r.status, want, r.body)
		}
	}
	// A login begun counts against the address's attempts too: it stores
	// a row until it expires. One begun and two bookings tried use up 3.
	if r := s.client(t).get("/signin/student"); r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" || !strings.Contains(r.body, "Too many attempts") {
		t.Errorf("begin over the address's limit: got %d:\n%s", r.status, r.body)
	}
}

// TestSignInOff checks that nothing of sign-in shows without a provider.
func TestSignInOff(t *testing.T) {
	s := stStart(t, "sqlite")
	s.withCompetence(t)
	c := s.client(t)
	for _, path := range []string{"/staff/login", "/", "/book/zotero?mode=in-person&start=" + url.QueryEscape(c.slots()[0])} {
		if r := c.get(path); strings.Contains(r.body, "/signin/") || strings.Contains(r.body, "/my-bookings") || strings.Contains(r.body, "Feide") {
			t.Errorf("%s mentions sign-in without a provider:\n%s", path, r.body)
		}
	}
	for _, path := range []string{"/signin/staff", "/signin/student", "/signin/callback?state=x&code=y", "/my-bookings"} {
		if r := c.get(path); r.status != http.StatusNotFound {
			t.Errorf("%s without a provider: got %d, want 404", path, r.status)
		}
	}
	admin := s.signedIn(t, "admin")
	if r := admin.get("/admin/signin"); r.status != http.StatusNotFound {
		t.Errorf("/admin/signin without a provider: got %d, want 404", r.status)
	}
}
