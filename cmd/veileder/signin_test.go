package main

import (
	"flag"
	"io"
	"slices"
	"testing"

	"github.com/veileder/veileder/app"
)

func TestSignInOptions(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr bool
		check   func(app.SignInConfig) bool
	}{
		{"off by default", nil, false, func(c app.SignInConfig) bool { return c.Issuer == "" }},
		{"issuer without client", []string{"--oidc-issuer", "https://auth.dataporten.no"}, true, nil},
		{"feide", []string{"--oidc-issuer", "https://auth.dataporten.no", "--oidc-client-id", "id",
			"--oidc-scopes", "profile, email,userid-feide", "--oidc-trust-email", "true",
			"--oidc-claim-username", "https://n.feide.no/claims/eduPersonPrincipalName"}, false,
			func(c app.SignInConfig) bool {
				return c.ClientID == "id" && c.TrustEmail && slices.Equal(c.Scopes, []string{"profile", "email", "userid-feide"}) &&
					c.PrincipalClaim == "https://n.feide.no/claims/eduPersonPrincipalName" && c.DisplayName == "Feide"
			}},
		{"bad trust", []string{"--oidc-issuer", "https://idp", "--oidc-client-id", "id", "--oidc-trust-email", "maybe"}, true, nil},
	}
	for _, tc := range tests {
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		var o signInOptions
		o.register(fs)
		if err := fs.Parse(tc.args); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var cfg app.Config
		err := o.apply(&cfg)
		if (err != nil) != tc.wantErr {
			t.Errorf("%s: err = %v, want error %v", tc.name, err, tc.wantErr)
			continue
		}
		if tc.check != nil && !tc.check(cfg.SignIn) {
			t.Errorf("%s: got %+v", tc.name, cfg.SignIn)
		}
	}
}
