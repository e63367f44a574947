// Package signintest runs a real OpenID Connect provider in the test
// process (oauth2-proxy/mockoidc, over real HTTP on a loopback port),
// shaped like Feide: the ID token carries only the subject, and the
// name, e-mail address and eduPersonPrincipalName come from userinfo.
// It can be made to misbehave the ways a provider can: a wrong nonce, a
// token signed with a key it does not publish, an expired token, or
// being down. Only tests import it; the service binary does not.
package signintest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"
)

// PrincipalClaim is where Feide's userinfo puts eduPersonPrincipalName
// (attribute group userid-feide).
const PrincipalClaim = "https://n.feide.no/claims/eduPersonPrincipalName"

// User is a person the provider signs in.
type User struct {
	Subject string
	// Principal is eduPersonPrincipalName, e.g. "ola@uio.no".
	Principal string
	Name      string
	Email     string
	// EmailVerified, when set, is sent as email_verified; nil sends no
	// such claim. Feide sends false, always.
	EmailVerified *bool
	// Affiliations are eduPersonAffiliation, which Feide gives in the
	// extended userinfo only (ExtendedUserinfo).
	Affiliations []string
	// Nonce, when set, replaces the login's nonce in the ID token.
	Nonce string
}

var _ mockoidc.User = (*User)(nil)

// ID is the subject.
func (u *User) ID() string { return u.Subject }

// Userinfo is Feide's userinfo (/openid/userinfo): everything but the
// subject lives here, not in the ID token.
func (u *User) Userinfo([]string) ([]byte, error) {
	m := map[string]any{"sub": u.Subject}
	if u.Name != "" {
		m["name"] = u.Name
	}
	if u.Email != "" {
		m["email"] = u.Email
	}
	if u.EmailVerified != nil {
		m["email_verified"] = *u.EmailVerified
	}
	if u.Principal != "" {
		m[PrincipalClaim] = u.Principal
	}
	return json.Marshal(m)
}

// Claims makes the ID token minimal, as Feide's: the registered claims
// and the nonce.
func (u *User) Claims(_ []string, base *mockoidc.IDTokenClaims) (jwt.Claims, error) {
	if u.Nonce != "" {
		c := *base
		c.Nonce = u.Nonce
		return &c, nil
	}
	return base, nil
}

// Verified is a helper for User.EmailVerified.
func Verified(v bool) *bool { return &v }

// Provider is a running provider.
type Provider struct {
	*mockoidc.MockOIDC
	down      atomic.Bool
	tokenDown atomic.Bool
	forge     atomic.Bool
	forgeKey  *rsa.PrivateKey
	forgedKid string
	// base is how far the provider's clock is from the real one, so that
	// it agrees with a test's clock (Follow).
	base time.Duration

	mu    sync.Mutex
	users map[string]*User // by subject, for the extended userinfo
}

// Start runs a provider until the test ends.
func Start(t testing.TB) *Provider {
	t.Helper()
	m, err := mockoidc.NewServer(nil)
	if err != nil {
		t.Fatalf("signintest: provider: %v", err)
	}
	// Only S256: a client that sent "plain" would be refused.
	m.CodeChallengeMethodsSupported = []string{"S256"}
	p := &Provider{MockOIDC: m, users: map[string]*User{}}
	p.forgeKey, err = rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("signintest: key: %v", err)
	}
	p.forgedKid, _ = m.Keypair.KeyID()
	if err := m.AddMiddleware(p.misbehave); err != nil {
		t.Fatalf("signintest: %v", err)
	}
	ln, err := newListener()
	if err != nil {
		t.Fatalf("signintest: listen: %v", err)
	}
	if err := m.Start(ln, nil); err != nil {
		t.Fatalf("signintest: start: %v", err)
	}
	t.Cleanup(func() { _ = m.Shutdown() })
	return p
}

// Queue makes u the one who signs in at the next authorization request.
func (p *Provider) Queue(u *User) {
	p.mu.Lock()
	p.users[u.Subject] = u
	p.mu.Unlock()
	p.QueueUser(u)
}

// ExtendedUserinfo serves, until the test ends, Feide's extended
// userinfo (api.dataporten.no/userinfo/v1/userinfo) for the provider's
// access tokens: the token is checked by the provider's own userinfo
// endpoint, and the answer gives eduPersonAffiliation and the principal
// name as lists, as Feide's does. It returns the address.
func (p *Provider) ExtendedUserinfo(t testing.TB) string {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, _ := http.NewRequestWithContext(r.Context(), http.MethodGet, p.UserinfoEndpoint(), nil)
		req.Header.Set("Authorization", r.Header.Get("Authorization"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		var info struct {
			Sub string `json:"sub"`
		}
		if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&info) != nil {
			http.Error(w, "invalid token", http.StatusUnauthorized)
			return
		}
		p.mu.Lock()
		u := p.users[info.Sub]
		p.mu.Unlock()
		if u == nil {
			http.Error(w, "unknown user", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"eduPersonPrincipalName": []string{u.Principal},
			"eduPersonAffiliation":   u.Affiliations,
			"displayName":            u.Name,
		})
	}))
	t.Cleanup(ts.Close)
	return ts.URL
}

// SetDown makes every endpoint answer 503 (or serve again).
func (p *Provider) SetDown(down bool) { p.down.Store(down) }

// SetTokenDown makes only the token endpoint answer 503: the browser
// signs in, and the code cannot be redeemed.
func (p *Provider) SetTokenDown(down bool) { p.tokenDown.Store(down) }

// SetForge makes the token endpoint sign ID tokens with a key the
// provider does not publish, under the published key's id.
func (p *Provider) SetForge(forge bool) { p.forge.Store(forge) }

// Follow sets the provider's clock to agree with now, a test's clock
// that runs at the real rate from some other start.
func (p *Provider) Follow(now func() time.Time) {
	p.base = time.Until(now())
	p.Expire(0)
}

// Expire moves the provider's clock back by d for the next tokens, so
// that they have expired by our clock; Expire(0) sets it right again.
func (p *Provider) Expire(d time.Duration) {
	p.FastForward(p.base - d - p.FastForward(0))
}

// misbehave is the provider's middleware for SetDown and SetForge.
func (p *Provider) misbehave(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p.down.Load() || (p.tokenDown.Load() && r.URL.Path == mockoidc.TokenEndpoint) {
			http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
			return
		}
		if !p.forge.Load() || r.URL.Path != mockoidc.TokenEndpoint {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		var body map[string]any
		if rec.Code == http.StatusOK && json.Unmarshal(rec.Body.Bytes(), &body) == nil {
			if raw, ok := body["id_token"].(string); ok {
				if forged, err := p.resign(raw); err == nil {
					body["id_token"] = forged
				}
			}
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		_ = json.NewEncoder(w).Encode(body)
	})
}

// resign signs the payload of a JWT again with the forging key.
func (p *Provider) resign(raw string) (string, error) {
	parts := strings.Split(raw, ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: p.forgeKey},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", p.forgedKid))
	if err != nil {
		return "", err
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}

func newListener() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }
