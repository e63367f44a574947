package booking

import (
	"strings"
	"time"
)

// Sign-in with an OpenID Connect provider (Feide, or another): the
// identity a provider vouches for, the state of a login under way, and
// the links that make the identity a staff account or a student's.

// Identity is what a provider says about the person who signed in, read
// from the verified ID token and the userinfo endpoint. Only Key and, for
// a booking, the name and e-mail address are kept.
type Identity struct {
	Issuer, Subject string
	// Principal is the user name the provider gives (Feide's
	// eduPersonPrincipalName, e.g. "ola@uio.no"); it may be empty.
	Principal     string
	Email         string
	EmailVerified bool
	Name          string
	// Affiliations are the person's roles at the institution ("student",
	// "employee", "staff"), when the provider tells them.
	Affiliations []string
}

// Key is the identity as stored: issuer and subject, which together name
// one person for good (a subject is unique only within its issuer).
func (id Identity) Key() string { return IdentityKey(id.Issuer, id.Subject) }

// IdentityKey joins an issuer and a subject into the stored form.
func IdentityKey(issuer, subject string) string { return issuer + " " + subject }

// Login purposes: who a login is for.
const (
	LoginStaff   = "staff"
	LoginStudent = "student"
)

// LoginState is a login under way, kept in the database between the
// redirect to the provider and the callback, so that any replica can
// finish a login another started. StateHash is the SHA-256 (hex) of the
// state parameter; the callback takes the row once.
type LoginState struct {
	StateHash string
	Nonce     string
	Verifier  string
	Purpose   string
	// Return is the path of ours the browser goes to afterwards.
	Return    string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// How a staff account came to be linked to an identity.
const (
	LinkedByAdmin     = "admin"
	LinkedByEmail     = "email"
	LinkedByPrincipal = "principal"
)

// StaffIdentity is a staff account's link to a provider's subject.
type StaffIdentity struct {
	UserID          int64
	Issuer, Subject string
	How             string
	LinkedAt        time.Time
}

// StudentSession is a student signed in with the provider: what the
// booking form fills in, and the identity the booking records.
type StudentSession struct {
	Identity string
	Name     string
	Email    string
	Expires  time.Time
}

// IdentityBooking is one of a signed-in student's bookings, for their
// page of bookings, with its manage link ("" when it cannot be made).
type IdentityBooking struct {
	View
	ManageURL string
}

// MatchesAccount says whether the identity may be linked to the account
// u without an admin: by a verified e-mail address equal to the
// account's, or by a principal name equal to its user name or e-mail
// address. It returns how, or "".
func (id Identity) MatchesAccount(u User) string {
	if p := strings.ToLower(strings.TrimSpace(id.Principal)); p != "" &&
		(p == strings.ToLower(u.Username) || (u.Email != "" && p == strings.ToLower(strings.TrimSpace(u.Email)))) {
		return LinkedByPrincipal
	}
	if e := strings.ToLower(strings.TrimSpace(id.Email)); id.EmailVerified && e != "" && u.Email != "" &&
		e == strings.ToLower(strings.TrimSpace(u.Email)) {
		return LinkedByEmail
	}
	return ""
}
