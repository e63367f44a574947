// Package signin signs people in with an OpenID Connect provider: Feide,
// or any other (Microsoft Entra ID, Keycloak, Google). It runs the
// authorization code flow (OpenID Connect Core 1.0 §3.1) with PKCE
// (RFC 7636, S256), checks state and nonce, verifies the ID token against
// the provider's keys with go-oidc, and reads the userinfo endpoint for
// what a minimal ID token leaves out (Feide's carries only the subject).
//
// A login under way lives in the database (States), not in the process,
// so that any replica can finish a login that another started; the
// callback takes it once. No token is kept after the callback.
package signin

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/veileder/veileder/booking"
)

// States keeps the logins under way (store/signin.go).
type States interface {
	SaveLoginState(ctx context.Context, l booking.LoginState) error
	// TakeLoginState returns and deletes the login whose state has the
	// hash; booking.ErrNotFound when there is none or it has expired.
	TakeLoginState(ctx context.Context, stateHash string) (booking.LoginState, error)
}

// Claims names the claims that carry what Veileder reads, where they
// differ from provider to provider.
type Claims struct {
	// Principal is the user name claim; Feide's is
	// "eduPersonPrincipalName", others' "preferred_username" or "upn".
	Principal string
	Email     string
	Name      string
	// Affiliation holds the person's roles (Feide's extended userinfo:
	// "eduPersonAffiliation").
	Affiliation string
}

// Config configures the client.
type Config struct {
	// Issuer is the provider's issuer URL, whose
	// /.well-known/openid-configuration is read (Feide:
	// https://auth.dataporten.no).
	Issuer       string
	ClientID     string
	ClientSecret string
	// RedirectURL is Veileder's callback, as registered with the provider:
	// the public address followed by /signin/callback.
	RedirectURL string
	// Scopes are asked for besides "openid"; nil means profile and email.
	Scopes []string
	Claims Claims
	// ExtraUserinfoURL, when set, is read with the access token after the
	// standard userinfo endpoint and its claims merged in (Feide's
	// extended userinfo, https://api.dataporten.no/userinfo/v1/userinfo,
	// gives the affiliation).
	ExtraUserinfoURL string
	// TrustEmail takes the e-mail claim as verified whatever
	// email_verified says: Feide's addresses come from the institution's
	// directory, and Feide sends email_verified false for every one.
	TrustEmail bool
	// DisplayName is the provider's name on buttons ("Feide").
	DisplayName string
	// ClockSkew is how far the provider's clock may be from ours; zero
	// means two minutes.
	ClockSkew time.Duration
	// LoginTTL is how long a login may take between the redirect and the
	// callback; zero means ten minutes.
	LoginTTL   time.Duration
	HTTPClient *http.Client
	Now        func() time.Time
	Store      States
	Logger     *slog.Logger
}

// Client signs people in with one provider. The provider's discovery
// document is read at the first login, not at start, so that Veileder
// starts (and local passwords work) while the provider is down.
type Client struct {
	cfg    Config
	scopes []string
	http   *http.Client

	mu       sync.Mutex
	provider *oidc.Provider
}

// New checks the configuration; it makes no request.
func New(cfg Config) (*Client, error) {
	switch {
	case cfg.Issuer == "":
		return nil, errors.New("signin: no issuer")
	case cfg.ClientID == "":
		return nil, errors.New("signin: no client id")
	case cfg.RedirectURL == "":
		return nil, errors.New("signin: no redirect URL")
	case cfg.Store == nil:
		return nil, errors.New("signin: no store for logins")
	}
	if u, err := url.Parse(cfg.RedirectURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("signin: redirect URL %q is not an absolute http(s) URL", cfg.RedirectURL)
	}
	if cfg.ClockSkew <= 0 {
		cfg.ClockSkew = 2 * time.Minute
	}
	if cfg.LoginTTL <= 0 {
		cfg.LoginTTL = 10 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.DisplayName == "" {
		cfg.DisplayName = "Feide"
	}
	if cfg.Claims.Email == "" {
		cfg.Claims.Email = "email"
	}
	if cfg.Claims.Name == "" {
		cfg.Claims.Name = "name"
	}
	if cfg.Claims.Principal == "" {
		cfg.Claims.Principal = "preferred_username"
	}
	c := &Client{cfg: cfg, http: cfg.HTTPClient}
	if c.http == nil {
		c.http = &http.Client{Timeout: 10 * time.Second}
	}
	scopes := cfg.Scopes
	if scopes == nil {
		scopes = []string{"profile", "email"}
	}
	c.scopes = append([]string{oidc.ScopeOpenID}, slices.DeleteFunc(slices.Clone(scopes), func(s string) bool { return s == oidc.ScopeOpenID || s == "" })...)
	return c, nil
}

// Name is the provider's name for buttons.
func (c *Client) Name() string { return c.cfg.DisplayName }

// Issuer is the provider's issuer URL, which ID tokens must name.
func (c *Client) Issuer() string { return c.cfg.Issuer }

// discover returns the provider, reading its discovery document the first
// time; a failure is not remembered, so that the next login tries again.
func (c *Client) discover(ctx context.Context) (*oidc.Provider, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.provider != nil {
		return c.provider, nil
	}
	ctx, cancel := context.WithTimeout(oidc.ClientContext(ctx, c.http), 10*time.Second)
	defer cancel()
	p, err := oidc.NewProvider(ctx, c.cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("signin: discover %s: %v: %w", c.cfg.Issuer, err, booking.ErrUnavailable)
	}
	c.provider = p
	return p, nil
}

func (c *Client) oauth(p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{
		ClientID: c.cfg.ClientID, ClientSecret: c.cfg.ClientSecret,
		Endpoint: p.Endpoint(), RedirectURL: c.cfg.RedirectURL, Scopes: c.scopes,
	}
}

// Begin starts a login for purpose that returns to the path ret, and
// returns the provider's authorization URL to send the browser to and
// the state, which the caller also binds to the browser (a cookie), so
// that a callback from another browser is refused (login CSRF, RFC 6749
// §10.12). booking.ErrUnavailable when the provider cannot be reached.
func (c *Client) Begin(ctx context.Context, purpose, ret string) (authURL, state string, err error) {
	p, err := c.discover(ctx)
	if err != nil {
		return "", "", err
	}
	state, nonce, verifier := random(), random(), oauth2.GenerateVerifier()
	now := c.cfg.Now()
	if err := c.cfg.Store.SaveLoginState(ctx, booking.LoginState{
		StateHash: hash(state), Nonce: nonce, Verifier: verifier, Purpose: purpose, Return: ret,
		CreatedAt: now, ExpiresAt: now.Add(c.cfg.LoginTTL),
	}); err != nil {
		return "", "", fmt.Errorf("signin: begin: %w", err)
	}
	return c.oauth(p).AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), state, nil
}

// Finish completes the login of the callback's state and code: it takes
// the login (once), exchanges the code with the PKCE verifier, verifies
// the ID token (signature against the provider's keys, issuer, audience,
// expiry with ClockSkew, nonce) and reads userinfo. It returns the
// identity and the login (its purpose and return path).
// booking.ErrUnauthenticated for every refusal (unknown, used or expired
// state, a code the provider refuses, a token that does not verify);
// booking.ErrUnavailable when the provider cannot be reached.
func (c *Client) Finish(ctx context.Context, state, code string) (booking.Identity, booking.LoginState, error) {
	if state == "" || code == "" || len(state) > 512 || len(code) > 4096 {
		return booking.Identity{}, booking.LoginState{}, fmt.Errorf("signin: callback without state or code: %w", booking.ErrUnauthenticated)
	}
	login, err := c.cfg.Store.TakeLoginState(ctx, hash(state))
	if errors.Is(err, booking.ErrNotFound) {
		return booking.Identity{}, booking.LoginState{}, fmt.Errorf("signin: unknown, used or expired state: %w", booking.ErrUnauthenticated)
	}
	if err != nil {
		return booking.Identity{}, booking.LoginState{}, fmt.Errorf("signin: finish: %w", err)
	}
	p, err := c.discover(ctx)
	if err != nil {
		return booking.Identity{}, login, err
	}
	hctx, cancel := context.WithTimeout(oidc.ClientContext(ctx, c.http), 15*time.Second)
	defer cancel()
	tok, err := c.oauth(p).Exchange(hctx, code, oauth2.VerifierOption(login.Verifier))
	if err != nil {
		// The provider's refusal (invalid_grant for a used code or a wrong
		// verifier) is the login's failure; a provider answering 5xx, or
		// not at all, is down.
		if re, ok := errors.AsType[*oauth2.RetrieveError](err); ok && (re.Response == nil || re.Response.StatusCode < 500) {
			return booking.Identity{}, login, fmt.Errorf("signin: code refused: %v: %w", err, booking.ErrUnauthenticated)
		}
		return booking.Identity{}, login, fmt.Errorf("signin: exchange code: %v: %w", err, booking.ErrUnavailable)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return booking.Identity{}, login, fmt.Errorf("signin: token response without an ID token: %w", booking.ErrUnauthenticated)
	}
	// The expiry is checked against a clock ClockSkew behind ours, so that
	// a provider whose clock runs behind is still believed; go-oidc allows
	// five minutes for "not before" on its own.
	v := p.Verifier(&oidc.Config{ClientID: c.cfg.ClientID, Now: func() time.Time { return c.cfg.Now().Add(-c.cfg.ClockSkew) }})
	idt, err := v.Verify(hctx, raw)
	if err != nil {
		return booking.Identity{}, login, fmt.Errorf("signin: ID token: %v: %w", err, booking.ErrUnauthenticated)
	}
	if !secureEqual(idt.Nonce, login.Nonce) {
		return booking.Identity{}, login, fmt.Errorf("signin: ID token nonce does not match the login's: %w", booking.ErrUnauthenticated)
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			return booking.Identity{}, login, fmt.Errorf("signin: at_hash: %v: %w", err, booking.ErrUnauthenticated)
		}
	}
	claims := map[string]any{}
	if err := idt.Claims(&claims); err != nil {
		return booking.Identity{}, login, fmt.Errorf("signin: ID token claims: %v: %w", err, booking.ErrUnauthenticated)
	}
	if p.UserInfoEndpoint() != "" {
		ui, err := p.UserInfo(hctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			return booking.Identity{}, login, fmt.Errorf("signin: userinfo: %v: %w", err, booking.ErrUnavailable)
		}
		// OpenID Connect Core 1.0 §5.3.2: a userinfo response about
		// another subject must not be used.
		if ui.Subject != idt.Subject {
			return booking.Identity{}, login, fmt.Errorf("signin: userinfo is about another subject: %w", booking.ErrUnauthenticated)
		}
		if err := merge(claims, ui.Claims); err != nil {
			return booking.Identity{}, login, fmt.Errorf("signin: userinfo claims: %v: %w", err, booking.ErrUnauthenticated)
		}
	}
	if c.cfg.ExtraUserinfoURL != "" {
		if err := c.extraUserinfo(hctx, tok, claims); err != nil {
			return booking.Identity{}, login, err
		}
	}
	return c.identity(idt.Issuer, idt.Subject, claims), login, nil
}

// extraUserinfo reads a second userinfo document with the access token
// (Feide's extended userinfo) and merges claims the others lack.
func (c *Client) extraUserinfo(ctx context.Context, tok *oauth2.Token, claims map[string]any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.cfg.ExtraUserinfoURL, nil)
	if err != nil {
		return fmt.Errorf("signin: extended userinfo: %w", err)
	}
	tok.SetAuthHeader(req)
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("signin: extended userinfo: %v: %w", err, booking.ErrUnavailable)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("signin: extended userinfo: status %d: %w", resp.StatusCode, booking.ErrUnavailable)
	}
	var extra map[string]any
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&extra); err != nil {
		return fmt.Errorf("signin: extended userinfo: %v: %w", err, booking.ErrUnavailable)
	}
	for k, v := range extra {
		if _, ok := claims[k]; !ok && k != "sub" {
			claims[k] = v
		}
	}
	return nil
}

// merge adds userinfo's claims to the ID token's; the ID token's win,
// being signed.
func merge(claims map[string]any, read func(any) error) error {
	var ui map[string]any
	if err := read(&ui); err != nil {
		return err
	}
	for k, v := range ui {
		if _, ok := claims[k]; !ok {
			claims[k] = v
		}
	}
	return nil
}

func (c *Client) identity(issuer, subject string, claims map[string]any) booking.Identity {
	id := booking.Identity{
		Issuer: issuer, Subject: subject,
		Principal: str(claims[c.cfg.Claims.Principal]),
		Email:     str(claims[c.cfg.Claims.Email]),
		Name:      str(claims[c.cfg.Claims.Name]),
	}
	switch v := claims["email_verified"].(type) {
	case bool:
		id.EmailVerified = v
	case string: // some providers send "true"
		id.EmailVerified = v == "true"
	}
	if c.cfg.TrustEmail && id.Email != "" {
		id.EmailVerified = true
	}
	if id.Name == "" {
		id.Name = strings.TrimSpace(str(claims["given_name"]) + " " + str(claims["family_name"]))
	}
	if c.cfg.Claims.Affiliation != "" {
		switch v := claims[c.cfg.Claims.Affiliation].(type) {
		case string:
			id.Affiliations = []string{v}
		case []any:
			for _, a := range v {
				if s := str(a); s != "" {
					id.Affiliations = append(id.Affiliations, s)
				}
			}
		}
	}
	return id
}

// str reads a claim as text: a string, or the first of a list of them
// (Feide's extended userinfo sends eduPersonPrincipalName as a list).
func str(v any) string {
	switch v := v.(type) {
	case string:
		return strings.TrimSpace(v)
	case []any:
		if len(v) > 0 {
			return str(v[0])
		}
	}
	return ""
}

// random is 256 bits for a state or nonce.
func random() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// hash is how a state is stored.
func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func secureEqual(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
