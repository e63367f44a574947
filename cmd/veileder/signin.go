package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/veileder/veileder/app"
)

// signInOptions configure sign-in with an OpenID Connect provider; see
// the README's "Sign in with Feide".
type signInOptions struct {
	issuer, clientID, clientSecret, redirectURL, scopes     string
	principalClaim, emailClaim, nameClaim, affiliationClaim string
	extraUserinfo, displayName, trustEmail                  string
}

func (o *signInOptions) register(fs *flag.FlagSet) {
	fs.StringVar(&o.issuer, "oidc-issuer", envOr("VEILEDER_OIDC_ISSUER", ""),
		"OpenID Connect issuer URL, e.g. https://auth.dataporten.no for Feide; empty turns sign-in with a provider off (env VEILEDER_OIDC_ISSUER)")
	fs.StringVar(&o.clientID, "oidc-client-id", envOr("VEILEDER_OIDC_CLIENT_ID", ""),
		"client id registered with the provider (env VEILEDER_OIDC_CLIENT_ID)")
	fs.StringVar(&o.clientSecret, "oidc-client-secret", envOr("VEILEDER_OIDC_CLIENT_SECRET", ""),
		"client secret registered with the provider; prefer the environment to the command line (env VEILEDER_OIDC_CLIENT_SECRET)")
	fs.StringVar(&o.redirectURL, "oidc-redirect-url", envOr("VEILEDER_OIDC_REDIRECT_URL", ""),
		"callback registered with the provider; default <base-url>/signin/callback (env VEILEDER_OIDC_REDIRECT_URL)")
	fs.StringVar(&o.scopes, "oidc-scopes", envOr("VEILEDER_OIDC_SCOPES", "profile,email"),
		"comma-separated scopes asked for besides openid; Feide: profile,email,userid-feide,groups-org (env VEILEDER_OIDC_SCOPES)")
	fs.StringVar(&o.principalClaim, "oidc-claim-username", envOr("VEILEDER_OIDC_CLAIM_USERNAME", "preferred_username"),
		"claim with the user name matched against staff accounts; Feide: https://n.feide.no/claims/eduPersonPrincipalName (env VEILEDER_OIDC_CLAIM_USERNAME)")
	fs.StringVar(&o.emailClaim, "oidc-claim-email", envOr("VEILEDER_OIDC_CLAIM_EMAIL", "email"),
		"claim with the e-mail address (env VEILEDER_OIDC_CLAIM_EMAIL)")
	fs.StringVar(&o.nameClaim, "oidc-claim-name", envOr("VEILEDER_OIDC_CLAIM_NAME", "name"),
		"claim with the display name (env VEILEDER_OIDC_CLAIM_NAME)")
	fs.StringVar(&o.affiliationClaim, "oidc-claim-affiliation", envOr("VEILEDER_OIDC_CLAIM_AFFILIATION", ""),
		"claim with the affiliation (student, employee); Feide: eduPersonAffiliation (env VEILEDER_OIDC_CLAIM_AFFILIATION)")
	fs.StringVar(&o.extraUserinfo, "oidc-extra-userinfo-url", envOr("VEILEDER_OIDC_EXTRA_USERINFO_URL", ""),
		"second userinfo document read with the access token; Feide's extended userinfo is https://api.dataporten.no/userinfo/v1/userinfo (env VEILEDER_OIDC_EXTRA_USERINFO_URL)")
	fs.StringVar(&o.displayName, "oidc-display-name", envOr("VEILEDER_OIDC_DISPLAY_NAME", "Feide"),
		"the provider's name on buttons: \"Sign in with <name>\" (env VEILEDER_OIDC_DISPLAY_NAME)")
	fs.StringVar(&o.trustEmail, "oidc-trust-email", envOr("VEILEDER_OIDC_TRUST_EMAIL", "false"),
		"true takes the e-mail address as verified whatever email_verified says; Feide says false for every address, which come from the institution's directory (env VEILEDER_OIDC_TRUST_EMAIL)")
}

func (o *signInOptions) apply(cfg *app.Config) error {
	if o.issuer == "" {
		return nil
	}
	if o.clientID == "" {
		return fmt.Errorf("--oidc-issuer is set but --oidc-client-id is not")
	}
	var trust bool
	switch strings.ToLower(o.trustEmail) {
	case "true", "1", "yes":
		trust = true
	case "false", "0", "no", "":
	default:
		return fmt.Errorf("oidc trust email %q: want true or false", o.trustEmail)
	}
	scopes := strings.FieldsFunc(o.scopes, func(r rune) bool { return r == ',' || r == ' ' })
	cfg.SignIn = app.SignInConfig{
		Issuer: o.issuer, ClientID: o.clientID, ClientSecret: o.clientSecret, RedirectURL: o.redirectURL,
		Scopes: scopes, PrincipalClaim: o.principalClaim, EmailClaim: o.emailClaim, NameClaim: o.nameClaim,
		AffiliationClaim: o.affiliationClaim, ExtraUserinfoURL: o.extraUserinfo, TrustEmail: trust, DisplayName: o.displayName,
	}
	return nil
}
