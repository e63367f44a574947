package app

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/veileder/veileder/scheduling"
	"github.com/veileder/veileder/signin"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/web"
)

// SignInConfig configures sign-in with an OpenID Connect provider (Feide
// or another). Empty Issuer: no sign-in, and nothing of it is shown.
type SignInConfig struct {
	Issuer, ClientID, ClientSecret string
	// RedirectURL is the callback registered with the provider; empty
	// means BaseURL + "/signin/callback".
	RedirectURL string
	// Scopes are asked for besides openid; nil means profile and email.
	Scopes []string
	// The claims that give the user name (principal), e-mail address,
	// display name and affiliation; empty means the signin package's
	// defaults (preferred_username, email, name, none).
	PrincipalClaim, EmailClaim, NameClaim, AffiliationClaim string
	// ExtraUserinfoURL is a second userinfo document to read (Feide's
	// extended userinfo, for the affiliation).
	ExtraUserinfoURL string
	// TrustEmail takes the e-mail address as verified whatever
	// email_verified says (Feide says false for every address, which come
	// from the institution's directory).
	TrustEmail bool
	// DisplayName is the provider's name on buttons; empty means "Feide".
	DisplayName string
	ClockSkew   time.Duration
	// HTTPClient talks to the provider; nil means a client with a timeout.
	HTTPClient *http.Client
}

// newSignIn builds the web front's sign-in from cfg, or nothing when no
// issuer is configured.
func newSignIn(cfg Config, st *store.Store, svc *scheduling.Service, now func() time.Time) (web.SignInConfig, error) {
	sc := cfg.SignIn
	if sc.Issuer == "" {
		return web.SignInConfig{}, nil
	}
	redirect := sc.RedirectURL
	if redirect == "" {
		redirect = strings.TrimSuffix(cfg.BaseURL, "/") + "/signin/callback"
	}
	client, err := signin.New(signin.Config{
		Issuer: sc.Issuer, ClientID: sc.ClientID, ClientSecret: sc.ClientSecret, RedirectURL: redirect,
		Scopes:           sc.Scopes,
		Claims:           signin.Claims{Principal: sc.PrincipalClaim, Email: sc.EmailClaim, Name: sc.NameClaim, Affiliation: sc.AffiliationClaim},
		ExtraUserinfoURL: sc.ExtraUserinfoURL, TrustEmail: sc.TrustEmail, DisplayName: sc.DisplayName,
		ClockSkew: sc.ClockSkew, HTTPClient: sc.HTTPClient, Now: now, Store: st,
		Logger: cfg.Logger.With("component", "signin"),
	})
	if err != nil {
		return web.SignInConfig{}, fmt.Errorf("app: %w", err)
	}
	return web.SignInConfig{Client: client, Store: st, Bookings: svc}, nil
}
