package e2e_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/veileder/veileder/app"
	"github.com/veileder/veileder/demo"
	"github.com/veileder/veileder/signin/signintest"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// The browser's way through sign-in with an OpenID Connect provider: a
// real provider (mockoidc) on a loopback port, shaped like Feide, that
// signs the queued user in as soon as the browser arrives.

// signInSite starts the demo site with sign-in through a new provider,
// configured as the README says for Feide.
func signInSite(t *testing.T, dialect store.Dialect) (*e2eSite, *signintest.Provider) {
	t.Helper()
	p := signintest.Start(t)
	extended := p.ExtendedUserinfo(t)
	s := startE2ESite(t, dialect, func(c *app.Config) {
		p.Follow(c.Now)
		c.SignIn = app.SignInConfig{
			Issuer: p.Issuer(), ClientID: p.ClientID, ClientSecret: p.ClientSecret,
			PrincipalClaim: signintest.PrincipalClaim, AffiliationClaim: "eduPersonAffiliation",
			ExtraUserinfoURL: extended, TrustEmail: true, DisplayName: "Feide",
		}
	})
	return s, p
}

// clickSignIn follows the page's "Sign in with Feide" link through the
// provider and back, and checks where the browser lands.
func clickSignIn(t *testing.T, tab context.Context, wantPath string) {
	t.Helper()
	e2eNavigate(t, tab, "sign in with Feide", http.StatusOK, chromedp.Click(chromedp.CSS(`a[href^="/signin/"]`)))
	loc := e2eValue(t, tab, "location", chromedp.Location())
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	if u.Path != wantPath {
		t.Fatalf("after signing in: at %s, want %s", loc, wantPath)
	}
}

func TestSignInE2E(t *testing.T) {
	axeJS := axeScript(t)
	browser := e2eBrowser(t)
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			s, p := signInSite(t, d)
			shots := d == store.SQLite

			t.Run("staff", func(t *testing.T) {
				for _, lang := range []string{"nb", "en"} {
					tab := e2eTab(t, browser, lang, false)
					e2eNavigate(t, tab, "sign-in page", http.StatusOK, chromedp.Navigate(s.base+"/staff/login"))
					e2ePageLang(t, tab, lang)
					axeCheck(t, tab, axeJS, lang+" staff sign-in with Feide")
					if shots && lang == "nb" {
						extShoot(t, tab, "signin-staff-login")
					}
					// Ingrid's Feide principal is her user name: the first
					// sign-in links her account, and she is at her pages.
					p.Queue(&signintest.User{Subject: "feide-ingrid", Principal: "ingrid", Name: "Ingrid Haugen"})
					clickSignIn(t, tab, "/staff/bookings")
					if who := staffText(t, tab, ".staff-nav .who span"); !strings.Contains(who, "Ingrid Haugen") {
						t.Errorf("signed in as %q, want Ingrid Haugen", who)
					}
					e2eNavigate(t, tab, "calendar set-up", http.StatusOK, chromedp.Navigate(s.base+"/staff/caldav"))
					staffSignOut(t, tab)
				}

				// The admin's pages on sign-in, in both languages.
				for _, lang := range []string{"nb", "en"} {
					tab := e2eTab(t, browser, lang, false)
					e2eNavigate(t, tab, "sign-in page", http.StatusOK, chromedp.Navigate(s.base+"/staff/login"))
					p.Queue(&signintest.User{Subject: "feide-admin", Principal: "admin"})
					clickSignIn(t, tab, "/staff/bookings")
					for _, page := range []string{"/admin/signin", "/admin/services/bibliotekar"} {
						e2eNavigate(t, tab, page, http.StatusOK, chromedp.Navigate(s.base+page))
						axeCheck(t, tab, axeJS, lang+" "+page)
					}
					users, err := s.app.Store.Users(t.Context())
					if err != nil {
						t.Fatal(err)
					}
					for _, u := range users {
						if u.Username == "ingrid" {
							page := "/admin/users/" + strconv.FormatInt(u.ID, 10)
							e2eNavigate(t, tab, page, http.StatusOK, chromedp.Navigate(s.base+page))
							axeCheck(t, tab, axeJS, lang+" a linked user's page")
							if txt := staffText(t, tab, "main dl.summary code"); txt != "feide-ingrid" {
								t.Errorf("user page shows subject %q, want feide-ingrid", txt)
							}
							if shots && lang == "en" {
								extShoot(t, tab, "signin-admin-user")
							}
						}
					}
				}
			})

			t.Run("student", func(t *testing.T) {
				for _, lang := range []string{"nb", "en"} {
					tab := e2eTab(t, browser, lang, false)
					e2eNavigate(t, tab, "front page", http.StatusOK, chromedp.Navigate(s.base+"/"))
					e2eNavigate(t, tab, "slot list", http.StatusOK, chromedp.Navigate(s.base+"/topics/"+e2eTopic))
					e2eNavigate(t, tab, "pick a slot", http.StatusOK, chromedp.Click(chromedp.CSS("a.slot")))
					axeCheck(t, tab, axeJS, lang+" booking form with sign-in offered")
					name, email := "Siri Student "+lang, "siri."+lang+"@student.uio.no"
					p.Queue(&signintest.User{Subject: "feide-siri-" + lang, Principal: "siri" + lang + "@uio.no", Name: name,
						Email: email, EmailVerified: signintest.Verified(false), Affiliations: []string{"student"}}) // as Feide sends it
					clickSignIn(t, tab, "/book/"+e2eTopic)
					for id, want := range map[string]string{"name": name, "email": email} {
						v := e2eValue(t, tab, id, chromedp.Evaluate[string]("document.getElementById('"+id+"').value"))
						ro := e2eValue(t, tab, id+" read-only", chromedp.Evaluate[bool]("document.getElementById('"+id+"').readOnly"))
						if v != want || !ro {
							t.Errorf("%s: got %q (read-only %v), want %q read-only", id, v, ro, want)
						}
					}
					axeCheck(t, tab, axeJS, lang+" booking form signed in")
					if shots {
						extShoot(t, tab, "signin-book-"+lang)
					}
					e2eStep(t, tab, "the question", chromedp.SendKeys(chromedp.ID("question"), "Søk i Oria"))
					radios := e2eValue(t, tab, "language choices", chromedp.Nodes(chromedp.CSSAll(`input[type="radio"][name="language"]`), chromedp.AtLeast(0)))
					if len(radios) > 0 {
						e2eStep(t, tab, "meeting language", chromedp.Click(chromedp.ID("language-"+lang)))
					}
					e2eStep(t, tab, "consent", chromedp.Click(chromedp.ID("consent")))
					e2eNavigate(t, tab, "book", http.StatusOK, chromedp.Click(chromedp.CSS(`form[method="post"] button[type="submit"]`)))
					if loc := e2eValue(t, tab, "location", chromedp.Location()); !strings.Contains(loc, "/booking/") {
						t.Fatalf("after booking: at %s, want the confirmation", loc)
					}

					e2eNavigate(t, tab, "my bookings", http.StatusOK, chromedp.Navigate(s.base+"/my-bookings"))
					axeCheck(t, tab, axeJS, lang+" my bookings")
					if shots {
						extShoot(t, tab, "signin-my-bookings-"+lang)
					}
					if txt := staffText(t, tab, "ul.my-bookings h2"); txt != e2eTopicName[lang] {
						t.Errorf("my bookings: first is %q, want %q", txt, e2eTopicName[lang])
					}
					// The manage link works in a browser that never signed in.
					href := e2eValue(t, tab, "manage link", chromedp.AttributeValue(chromedp.CSS(`ul.my-bookings a[href*="/booking/"]`), "href"))
					anon := e2eTab(t, browser, lang, true)
					e2eNavigate(t, anon, "manage link without sign-in", http.StatusOK, chromedp.Navigate(href.Value))
					e2eNavigate(t, tab, "sign out", http.StatusOK, chromedp.Click(chromedp.CSS(`form[action="/my-bookings/sign-out"] button`)))
					e2eNavigate(t, tab, "my bookings signed out", http.StatusOK, chromedp.Navigate(s.base+"/my-bookings"))
					axeCheck(t, tab, axeJS, lang+" my bookings signed out")
				}
			})

			t.Run("provider down", func(t *testing.T) {
				// The provider signs Lars in but cannot redeem the code: our
				// sign-in page says so, and his password still works.
				tab := e2eTab(t, browser, "en", false)
				e2eNavigate(t, tab, "sign-in page", http.StatusOK, chromedp.Navigate(s.base+"/staff/login"))
				p.Queue(&signintest.User{Subject: "feide-lars", Principal: "lars"})
				p.SetTokenDown(true)
				defer p.SetTokenDown(false)
				e2eNavigate(t, tab, "sign in with Feide while it is down", http.StatusServiceUnavailable, chromedp.Click(chromedp.CSS(`a[href^="/signin/"]`)))
				if txt := staffText(t, tab, ".error-summary li"); !strings.Contains(txt, "cannot reach Feide") {
					t.Errorf("message: got %q, want it to say Feide cannot be reached", txt)
				}
				axeCheck(t, tab, axeJS, "en sign-in page, provider down")
				if shots {
					extShoot(t, tab, "signin-provider-down")
				}
				staffSubmitLogin(t, tab, "lars", demo.Password, http.StatusOK)
				if loc := e2eValue(t, tab, "location", chromedp.Location()); loc != s.base+"/staff/bookings" {
					t.Errorf("password sign-in while the provider is down: at %s", loc)
				}
			})

			t.Run("another replica finishes the login", func(t *testing.T) {
				// Replica B answers the callback; replica A, where the
				// browser begins, sends the provider B's address, as a load
				// balancer would route the callback to any replica.
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				tsB := httptest.NewUnstartedServer(nil)
				baseB := "http://" + tsB.Listener.Addr().String()
				cfgB := s.cfg
				cfgB.Logger = slog.New(slog.DiscardHandler)
				b, err := app.New(ctx, cfgB)
				if err != nil {
					t.Fatal(err)
				}
				tsB.Config.Handler = b.Handler
				tsB.Start()
				t.Cleanup(func() { tsB.Close(); _ = b.Close() })
				cfgA := cfgB
				cfgA.SignIn.RedirectURL = baseB + "/signin/callback"
				a, err := app.New(ctx, cfgA)
				if err != nil {
					t.Fatal(err)
				}
				tsA := httptest.NewServer(a.Handler)
				t.Cleanup(func() { tsA.Close(); _ = a.Close() })

				tab := e2eTab(t, browser, "nb", false)
				e2eNavigate(t, tab, "sign-in page on A", http.StatusOK, chromedp.Navigate(tsA.URL+"/staff/login"))
				p.Queue(&signintest.User{Subject: "feide-sara", Principal: "sara"})
				e2eNavigate(t, tab, "sign in with Feide", http.StatusOK, chromedp.Click(chromedp.CSS(`a[href^="/signin/"]`)))
				if loc := e2eValue(t, tab, "location", chromedp.Location()); loc != baseB+"/staff/bookings" {
					t.Fatalf("after the callback on B: at %s, want %s/staff/bookings", loc, baseB)
				}
				// The session is the database's: A knows it too.
				e2eNavigate(t, tab, "staff page on A", http.StatusOK, chromedp.Navigate(tsA.URL+"/staff/profile"))
				if who := staffText(t, tab, ".staff-nav .who span"); !strings.Contains(who, "Sara Nilsen") {
					t.Errorf("on A: signed in as %q, want Sara Nilsen", who)
				}
			})
		})
	}
}
