package signin_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/signin"
	"github.com/veileder/veileder/signin/signintest"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

const callback = "http://veileder.test/signin/callback"

func newClient(t *testing.T, st signin.States, issuer string, p *signintest.Provider, mod func(*signin.Config)) *signin.Client {
	t.Helper()
	cfg := signin.Config{
		Issuer: issuer, ClientID: p.ClientID, ClientSecret: p.ClientSecret, RedirectURL: callback,
		Claims: signin.Claims{Principal: signintest.PrincipalClaim, Affiliation: "eduPersonAffiliation"},
		Store:  st,
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := signin.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// authorize plays the browser: it follows the authorization URL to the
// provider, which signs the queued user in at once, and returns the
// state and code of the redirect back to us.
func authorize(t *testing.T, authURL string) (state, code string) {
	t.Helper()
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("authorize: status %d: %s", resp.StatusCode, body)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.String(), callback) {
		t.Fatalf("authorize redirected to %q, want our callback", resp.Header.Get("Location"))
	}
	return loc.Query().Get("state"), loc.Query().Get("code")
}

func begin(t *testing.T, c *signin.Client) (state, code string) {
	t.Helper()
	u, st, err := c.Begin(context.Background(), booking.LoginStudent, "/book/x")
	if err != nil {
		t.Fatalf("begin: %v", err)
	}
	q, _ := url.Parse(u)
	if got := q.Query().Get("code_challenge_method"); got != "S256" {
		t.Errorf("code_challenge_method = %q, want S256", got)
	}
	if q.Query().Get("nonce") == "" {
		t.Error("authorization URL carries no nonce")
	}
	state, code = authorize(t, u)
	if state != st {
		t.Fatalf("provider returned state %q, Begin gave %q", state, st)
	}
	return state, code
}

func ola() *signintest.User {
	return &signintest.User{
		Subject: "f7a6c2d1-0000-4000-8000-000000000001", Principal: "ola@uio.no", Name: "Ola Nordmann",
		Email: "ola.nordmann@uio.no", Affiliations: []string{"member", "student"},
	}
}

// TestFinish runs whole logins on both databases: the login state lives
// in the store, as on several replicas.
func TestFinish(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		p := signintest.Start(t)
		// Configured as for Feide: the affiliation from the extended
		// userinfo, and its addresses trusted.
		extended := p.ExtendedUserinfo(t)
		c := newClient(t, st, p.Issuer(), p, func(cfg *signin.Config) {
			cfg.TrustEmail = true
			cfg.ExtraUserinfoURL = extended
		})
		// A generic provider's client, which believes email_verified.
		generic := newClient(t, st, p.Issuer(), p, nil)
		ctx := context.Background()

		t.Run("feide-like identity from userinfo", func(t *testing.T) {
			p.Queue(ola())
			state, code := begin(t, c)
			id, login, err := c.Finish(ctx, state, code)
			if err != nil {
				t.Fatalf("finish: %v", err)
			}
			want := booking.Identity{Issuer: p.Issuer(), Subject: ola().Subject, Principal: "ola@uio.no",
				Email: "ola.nordmann@uio.no", EmailVerified: true, Name: "Ola Nordmann", Affiliations: []string{"member", "student"}}
			if id.Issuer != want.Issuer || id.Subject != want.Subject || id.Principal != want.Principal || id.Email != want.Email ||
				id.EmailVerified != want.EmailVerified || id.Name != want.Name || !slices.Equal(id.Affiliations, want.Affiliations) {
				t.Errorf("identity = %+v, want %+v", id, want)
			}
			if login.Purpose != booking.LoginStudent || login.Return != "/book/x" {
				t.Errorf("login = %+v, want purpose student, return /book/x", login)
			}
			// The state was taken: the same callback again is refused.
			if _, _, err := c.Finish(ctx, state, code); !errors.Is(err, booking.ErrUnauthenticated) {
				t.Errorf("replayed callback: err = %v, want ErrUnauthenticated", err)
			}
		})

		t.Run("another replica finishes", func(t *testing.T) {
			other := newClient(t, st, p.Issuer(), p, nil)
			p.Queue(ola())
			state, code := begin(t, c)
			if _, _, err := other.Finish(ctx, state, code); err != nil {
				t.Errorf("second client: %v", err)
			}
		})

		t.Run("e-mail not verified", func(t *testing.T) {
			for _, tc := range []struct {
				name     string
				verified *bool
				c        *signin.Client
				want     bool
			}{
				{"generic, false", signintest.Verified(false), generic, false},
				{"generic, absent", nil, generic, false},
				{"generic, true", signintest.Verified(true), generic, true},
				// Feide sends false for every address of its directories.
				{"trusted, false", signintest.Verified(false), c, true},
			} {
				u := ola()
				u.EmailVerified = tc.verified
				p.Queue(u)
				state, code := begin(t, tc.c)
				id, _, err := tc.c.Finish(ctx, state, code)
				if err != nil || id.EmailVerified != tc.want {
					t.Errorf("%s: finish = %+v, %v; want EmailVerified %v", tc.name, id, err, tc.want)
				}
			}
		})

		t.Run("clock skew tolerated", func(t *testing.T) {
			// Tokens live ten minutes; issued eleven minutes ago by the
			// provider's clock, this one expired a minute ago by ours.
			p.Expire(11 * time.Minute)
			defer p.Expire(0)
			p.Queue(ola())
			state, code := begin(t, c)
			if _, _, err := c.Finish(ctx, state, code); err != nil {
				t.Errorf("finish with a minute's skew: %v", err)
			}
		})

		refusals := []struct {
			name  string
			setup func() func()
			// finish runs the callback; nil uses the login's own state and code.
			finish func(state, code string) error
		}{
			{name: "wrong state", finish: func(_, code string) error {
				_, _, err := c.Finish(ctx, "not-a-state-of-ours", code)
				return err
			}},
			{name: "wrong nonce", setup: func() func() {
				u := ola()
				u.Nonce = "someone-elses-nonce"
				p.Queue(u)
				return func() {}
			}},
			{name: "expired ID token", setup: func() func() {
				p.Expire(time.Hour)
				p.Queue(ola())
				return func() { p.Expire(0) }
			}},
			{name: "wrongly signed ID token", setup: func() func() {
				p.SetForge(true)
				p.Queue(ola())
				return func() { p.SetForge(false) }
			}},
			{name: "replayed code", finish: func(state, code string) error {
				// The code is redeemed once; a second login's state with
				// it reaches the provider, which refuses the code.
				if _, _, err := c.Finish(ctx, state, code); err != nil {
					return errors.New("first use failed: " + err.Error())
				}
				_, _, err := c.Finish(ctx, mustState(t, c), code)
				return err
			}},
		}
		for _, tc := range refusals {
			t.Run(tc.name, func(t *testing.T) {
				if tc.setup != nil {
					defer tc.setup()()
				} else {
					p.Queue(ola())
				}
				state, code := begin(t, c)
				var err error
				if tc.finish != nil {
					err = tc.finish(state, code)
				} else {
					_, _, err = c.Finish(ctx, state, code)
				}
				if !errors.Is(err, booking.ErrUnauthenticated) {
					t.Errorf("err = %v, want ErrUnauthenticated", err)
				}
				t.Logf("refused: %v", err)
			})
		}

		t.Run("expired login", func(t *testing.T) {
			late := newClient(t, st, p.Issuer(), p, func(cfg *signin.Config) {
				cfg.Now = func() time.Time { return time.Now().Add(-time.Hour) }
			})
			p.Queue(ola())
			u, _, err := late.Begin(ctx, booking.LoginStaff, "/staff")
			if err != nil {
				t.Fatal(err)
			}
			state, code := authorize(t, u)
			if _, _, err := c.Finish(ctx, state, code); !errors.Is(err, booking.ErrUnauthenticated) {
				t.Errorf("login begun an hour ago: err = %v, want ErrUnauthenticated", err)
			}
		})

		t.Run("provider down", func(t *testing.T) {
			// Down before the first login: discovery fails, and comes back.
			fresh := newClient(t, st, p.Issuer(), p, nil)
			p.SetDown(true)
			_, _, err := fresh.Begin(ctx, booking.LoginStaff, "/staff")
			p.SetDown(false)
			if !errors.Is(err, booking.ErrUnavailable) {
				t.Errorf("begin while down: err = %v, want ErrUnavailable", err)
			}
			p.Queue(ola())
			state, code := begin(t, fresh)
			// Down between the redirect and the callback.
			p.SetDown(true)
			_, _, err = fresh.Finish(ctx, state, code)
			p.SetDown(false)
			if !errors.Is(err, booking.ErrUnavailable) {
				t.Errorf("finish while down: err = %v, want ErrUnavailable", err)
			}
		})

		t.Run("unknown issuer", func(t *testing.T) {
			// A discovery document that names another issuer than the
			// provider's tokens do: the ID token is not believed.
			proxy := httptest.NewServer(nil)
			t.Cleanup(proxy.Close)
			proxy.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				resp, err := http.Get(p.DiscoveryEndpoint())
				if err != nil {
					http.Error(w, err.Error(), http.StatusBadGateway)
					return
				}
				defer resp.Body.Close()
				var doc map[string]any
				_ = json.NewDecoder(resp.Body).Decode(&doc)
				doc["issuer"] = proxy.URL
				_ = json.NewEncoder(w).Encode(doc)
			})
			other := newClient(t, st, proxy.URL, p, nil)
			p.Queue(ola())
			state, code := begin(t, other)
			if _, _, err := other.Finish(ctx, state, code); !errors.Is(err, booking.ErrUnauthenticated) {
				t.Errorf("token of another issuer: err = %v, want ErrUnauthenticated", err)
			}
		})
	})
}

// mustState begins a login and returns its state, without going to the
// provider.
func mustState(t *testing.T, c *signin.Client) string {
	t.Helper()
	u, state, err := c.Begin(context.Background(), booking.LoginStudent, "/")
	if err != nil || u == "" {
		t.Fatalf("begin: %v", err)
	}
	return state
}

func TestNewRefusesIncompleteConfig(t *testing.T) {
	full := signin.Config{Issuer: "https://auth.dataporten.no", ClientID: "id", RedirectURL: callback, Store: storetest.Open(t, store.SQLite)}
	if _, err := signin.New(full); err != nil {
		t.Fatalf("New refused a complete configuration: %v", err)
	}
	tests := []struct {
		name string
		mod  func(*signin.Config)
	}{
		{"no issuer", func(c *signin.Config) { c.Issuer = "" }},
		{"no client id", func(c *signin.Config) { c.ClientID = "" }},
		{"no store", func(c *signin.Config) { c.Store = nil }},
		{"relative redirect", func(c *signin.Config) { c.RedirectURL = "/signin/callback" }},
	}
	for _, tc := range tests {
		cfg := full
		tc.mod(&cfg)
		if _, err := signin.New(cfg); err == nil {
			t.Errorf("%s: New accepted %+v", tc.name, cfg)
		}
	}
}
