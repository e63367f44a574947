package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/veileder/veileder/booking"
)

// Sign-in with an OpenID Connect provider (Feide): staff whose account is
// linked to the provider's subject sign in without a password, and a
// student may sign in on the booking form so that name and e-mail address
// come verified from the provider. None of it is served unless
// SignInConfig.Client is set.
//
// The browser goes to the provider by a link (GET), not a form: the
// pages' Content-Security-Policy allows forms to post only to us. The
// state of the login is in the database (any replica finishes it) and,
// to bind it to this browser, in a short-lived cookie that the callback
// compares (RFC 6749 §10.12).

// SignIn is the OpenID Connect client (package signin).
type SignIn interface {
	// Name is the provider's name on buttons ("Feide").
	Name() string
	// Issuer is the provider's issuer URL, for links an admin makes.
	Issuer() string
	// Begin starts a login for purpose that comes back to the path ret;
	// it returns where to send the browser and the login's state.
	// booking.ErrUnavailable when the provider cannot be reached.
	Begin(ctx context.Context, purpose, ret string) (authURL, state string, err error)
	// Finish checks the callback's state and code and returns who signed
	// in and the login begun. booking.ErrUnauthenticated for a refused
	// login, booking.ErrUnavailable when the provider cannot be reached.
	Finish(ctx context.Context, state, code string) (booking.Identity, booking.LoginState, error)
}

// SignInStore is what sign-in needs from the store (store/signin.go).
type SignInStore interface {
	UserByIdentity(ctx context.Context, issuer, subject string) (booking.User, error)
	LinkIdentity(ctx context.Context, l booking.StaffIdentity) error
	UnlinkIdentity(ctx context.Context, userID int64) error
	IdentityOf(ctx context.Context, userID int64) (booking.StaffIdentity, error)
	CreateStudentSession(ctx context.Context, st booking.StudentSession, ttl time.Duration) (string, error)
	StudentSession(ctx context.Context, token string) (booking.StudentSession, error)
	DeleteStudentSession(ctx context.Context, token string) error
	LocalPasswordsOff(ctx context.Context) (bool, error)
	SetLocalPasswordsOff(ctx context.Context, off bool) error
	SetServiceRequiresSignIn(ctx context.Context, slug string, required bool) error
}

// IdentityBookings lists a signed-in student's bookings (scheduling).
type IdentityBookings interface {
	IdentityBookings(ctx context.Context, identity string) ([]booking.IdentityBooking, error)
}

// SignInConfig configures sign-in; it is served when Client, Store and
// Bookings are set, with the staff pages for its staff half.
type SignInConfig struct {
	Client   SignIn
	Store    SignInStore
	Bookings IdentityBookings
	// StudentTTL is how long a student stays signed in; zero means two
	// hours, time to book and look at their bookings.
	StudentTTL time.Duration
}

func (s *Server) signInEnabled() bool {
	cfg := s.cfg.SignIn
	return cfg.Client != nil && cfg.Store != nil && cfg.Bookings != nil
}

// loginStateCookie binds a login under way to the browser that began it.
// Its path is the callback's, so that no other request carries it.
func (s *Server) loginStateCookie(c *gin.Context, state string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: "signin_state", Value: state, Path: "/signin/", MaxAge: maxAge,
		Secure: s.cfg.SecureCookies, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) studentCookieName() string {
	if s.cfg.SecureCookies {
		return "__Host-student"
	}
	return "student"
}

// studentSession is the student signed in on this browser, if any.
func (s *Server) studentSession(c *gin.Context) (booking.StudentSession, bool) {
	if !s.signInEnabled() {
		return booking.StudentSession{}, false
	}
	ck, err := c.Request.Cookie(s.studentCookieName())
	if err != nil || ck.Value == "" {
		return booking.StudentSession{}, false
	}
	st, err := s.cfg.SignIn.Store.StudentSession(c.Request.Context(), ck.Value)
	if err != nil {
		if !errors.Is(err, booking.ErrUnauthenticated) {
			s.logger.Warn("student session", "err", err)
		}
		return booking.StudentSession{}, false
	}
	return st, true
}

// safeStudentReturn accepts only the student pages a login may come back
// to: the booking form and the page of bookings.
func safeStudentReturn(ret string) bool {
	return (strings.HasPrefix(ret, "/book/") || ret == "/my-bookings") &&
		!strings.ContainsAny(ret, "\\\r\n") && !strings.HasPrefix(ret, "//")
}

// beginAllowed counts a login begun against the client address's booking
// attempts (Config.BookingLimit): each one stores a row until it expires.
func (s *Server) beginAllowed(c *gin.Context) error {
	if ok, wait := s.limiter.allow(c.ClientIP(), s.now()); !ok {
		retryAfter(c, wait)
		return errStatus(http.StatusTooManyRequests)
	}
	return nil
}

// signInStaff sends the browser to the provider for a staff login.
func (s *Server) signInStaff(c *gin.Context) error {
	if err := s.beginAllowed(c); err != nil {
		return err
	}
	next := c.Query("next")
	if !safeNext(next) {
		next = ""
	}
	authURL, state, err := s.cfg.SignIn.Client.Begin(c.Request.Context(), booking.LoginStaff, next)
	if err != nil {
		return s.staffSignInFailed(c, err, next)
	}
	s.loginStateCookie(c, booking.LoginStaff+":"+state, int((10 * time.Minute).Seconds()))
	c.Redirect(http.StatusSeeOther, authURL)
	return nil
}

// signInStudent sends the browser to the provider for a student login.
func (s *Server) signInStudent(c *gin.Context) error {
	if err := s.beginAllowed(c); err != nil {
		return err
	}
	ret := c.Query("return")
	if !safeStudentReturn(ret) {
		ret = "/my-bookings"
	}
	authURL, state, err := s.cfg.SignIn.Client.Begin(c.Request.Context(), booking.LoginStudent, ret)
	if err != nil {
		return s.studentSignInFailed(c, err, ret)
	}
	s.loginStateCookie(c, booking.LoginStudent+":"+state, int((10 * time.Minute).Seconds()))
	c.Redirect(http.StatusSeeOther, authURL)
	return nil
}

// signInCallback is where the provider sends the browser back.
func (s *Server) signInCallback(c *gin.Context) error {
	state := c.Query("state")
	// The cookie holds the purpose and the state; the purpose only picks
	// the page a failure is shown on.
	var purpose, bound string
	if ck, err := c.Request.Cookie("signin_state"); err == nil {
		purpose, bound, _ = strings.Cut(ck.Value, ":")
	}
	s.loginStateCookie(c, "", -1)
	ctx := c.Request.Context()
	var (
		id    booking.Identity
		login = booking.LoginState{Purpose: purpose}
		err   error
	)
	switch {
	case c.Query("error") != "":
		// The person cancelled at the provider, or it refused them; the
		// login's row expires unused.
		err = fmt.Errorf("web: provider answered %q: %w", c.Query("error"), booking.ErrUnauthenticated)
	case bound == "" || state == "" || subtle.ConstantTimeCompare([]byte(bound), []byte(state)) != 1:
		// Another browser's login, or a callback nobody began here.
		err = fmt.Errorf("web: sign-in callback state is not this browser's: %w", booking.ErrUnauthenticated)
	default:
		var got booking.LoginState
		id, got, err = s.cfg.SignIn.Client.Finish(ctx, state, c.Query("code"))
		if got.Purpose != "" {
			login = got
		}
	}
	if err != nil {
		s.logger.Info("sign-in refused", "purpose", login.Purpose, "err", err)
		if login.Purpose == booking.LoginStudent || !s.staffEnabled() {
			return s.studentSignInFailed(c, err, login.Return)
		}
		return s.staffSignInFailed(c, err, login.Return)
	}
	switch {
	case login.Purpose == booking.LoginStudent:
		return s.finishStudent(c, id, login.Return)
	case login.Purpose == booking.LoginStaff && s.staffEnabled():
		return s.finishStaff(c, id, login.Return)
	}
	return errStatus(http.StatusNotFound)
}

// finishStaff signs in the staff account linked to the identity, linking
// it first when the identity's verified e-mail address or principal name
// matches exactly one account.
func (s *Server) finishStaff(c *gin.Context, id booking.Identity, next string) error {
	ctx := c.Request.Context()
	u, err := s.cfg.SignIn.Store.UserByIdentity(ctx, id.Issuer, id.Subject)
	if errors.Is(err, booking.ErrNotFound) {
		u, err = s.autoLink(ctx, id)
	}
	switch {
	case errors.Is(err, booking.ErrNotFound) || (err == nil && u.Disabled):
		s.logger.Info("staff sign-in with the provider: no account", "principal", id.Principal)
		return s.renderLoginError(c, http.StatusForbidden, "staff.signin.noaccount", next)
	case err != nil:
		return err
	}
	s.logger.Info("staff signed in with the provider", "user", u.Username)
	return s.startStaffSession(c, u, next)
}

// autoLink links the identity to the one enabled account it matches
// (booking.Identity.MatchesAccount); booking.ErrNotFound when none or
// more than one does, which only an admin can settle.
func (s *Server) autoLink(ctx context.Context, id booking.Identity) (booking.User, error) {
	users, err := s.cfg.Staff.Store.Users(ctx)
	if err != nil {
		return booking.User{}, err
	}
	var found booking.User
	how := ""
	for _, u := range users {
		if m := id.MatchesAccount(u); m != "" && !u.Disabled {
			if how != "" {
				return booking.User{}, fmt.Errorf("web: identity matches several accounts: %w", booking.ErrNotFound)
			}
			found, how = u, m
		}
	}
	if how == "" {
		return booking.User{}, fmt.Errorf("web: identity matches no account: %w", booking.ErrNotFound)
	}
	err = s.cfg.SignIn.Store.LinkIdentity(ctx, booking.StaffIdentity{UserID: found.ID, Issuer: id.Issuer, Subject: id.Subject, How: how})
	if errors.Is(err, booking.ErrConflict) {
		return booking.User{}, fmt.Errorf("web: identity linked meanwhile: %w", booking.ErrNotFound)
	}
	if err != nil {
		return booking.User{}, err
	}
	s.logger.Info("staff account linked to the provider's identity", "user", found.Username, "how", how)
	return found, nil
}

// finishStudent signs the student in: only a verified e-mail address may
// fill the booking form, since the booking says it was verified.
func (s *Server) finishStudent(c *gin.Context, id booking.Identity, ret string) error {
	name := strings.TrimSpace(id.Name)
	if name == "" {
		name = id.Principal
	}
	if !id.EmailVerified || id.Email == "" || name == "" || !validEmail(id.Email) {
		s.logger.Info("student sign-in refused: e-mail address not verified")
		return s.renderSignInFailed(c, http.StatusForbidden, "signin.failed.unverified", ret)
	}
	token, err := s.cfg.SignIn.Store.CreateStudentSession(c.Request.Context(),
		booking.StudentSession{Identity: id.Key(), Name: name, Email: id.Email}, s.studentTTL())
	if err != nil {
		return err
	}
	if old, err := c.Request.Cookie(s.studentCookieName()); err == nil && old.Value != "" {
		_ = s.cfg.SignIn.Store.DeleteStudentSession(c.Request.Context(), old.Value)
	}
	http.SetCookie(c.Writer, &http.Cookie{
		Name: s.studentCookieName(), Value: token, Path: "/", MaxAge: int(s.studentTTL().Seconds()),
		Secure: s.cfg.SecureCookies, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
	if !safeStudentReturn(ret) {
		ret = "/my-bookings"
	}
	c.Redirect(http.StatusSeeOther, ret)
	return nil
}

func (s *Server) studentTTL() time.Duration {
	if s.cfg.SignIn.StudentTTL > 0 {
		return s.cfg.SignIn.StudentTTL
	}
	return 2 * time.Hour
}

// signInMessage is the text key for why a login failed.
func signInMessage(err error, prefix string) (string, int) {
	if errors.Is(err, booking.ErrUnavailable) {
		return prefix + ".unavailable", http.StatusServiceUnavailable
	}
	return prefix + ".refused", http.StatusUnauthorized
}

// staffSignInFailed shows the staff sign-in page with why, so that the
// password form is at hand; other errors are the error page's.
func (s *Server) staffSignInFailed(c *gin.Context, err error, next string) error {
	if !errors.Is(err, booking.ErrUnavailable) && !errors.Is(err, booking.ErrUnauthenticated) {
		return err
	}
	key, status := signInMessage(err, "staff.signin")
	return s.renderLoginError(c, status, key, next)
}

func (s *Server) renderLoginError(c *gin.Context, status int, key, next string) error {
	// The language switch leads to the sign-in page, not back to the
	// callback (its code) or to a new login.
	// (The request's own address is put back for the log.)
	self, _ := url.Parse(loginURL(next))
	orig := c.Request.URL
	c.Request.URL = self
	p, err := s.newLoginPage(c, next)
	c.Request.URL = orig
	if err != nil {
		return err
	}
	p.Errors = []formError{{Message: p.T(key, s.cfg.SignIn.Client.Name())}}
	return s.render(c, status, "staff_login", p)
}

// signInFailedPage tells a student why signing in failed, with the way
// back to the form, where they can book without signing in.
type signInFailedPage struct {
	page
	Key      string
	Provider string
	Return   string
	Retry    string
}

func (s *Server) studentSignInFailed(c *gin.Context, err error, ret string) error {
	if !errors.Is(err, booking.ErrUnavailable) && !errors.Is(err, booking.ErrUnauthenticated) {
		return err
	}
	key, status := signInMessage(err, "signin.failed")
	return s.renderSignInFailed(c, status, key, ret)
}

func (s *Server) renderSignInFailed(c *gin.Context, status int, key, ret string) error {
	if !safeStudentReturn(ret) {
		ret = "/"
	}
	// The language switch leads to where the student came from.
	self, _ := url.Parse(ret)
	p := signInFailedPage{page: s.newPage(c, self), Key: key, Provider: s.cfg.SignIn.Client.Name(), Return: ret}
	if ret != "/" {
		p.Retry = studentSignInURL(ret)
	}
	return s.render(c, status, "signin_failed", p)
}

func studentSignInURL(ret string) string {
	return "/signin/student?" + url.Values{"return": {ret}}.Encode()
}

// myBookingsPage is a signed-in student's bookings.
type myBookingsPage struct {
	page
	Provider string
	SignIn   string
	Student  booking.StudentSession
	Signed   bool
	Bookings []booking.IdentityBooking
	Now      time.Time
}

func (s *Server) myBookings(c *gin.Context) error {
	p := myBookingsPage{page: s.newPage(c, nil), Provider: s.cfg.SignIn.Client.Name(), SignIn: studentSignInURL("/my-bookings"), Now: s.now()}
	p.CSRF = s.csrfToken(c)
	st, ok := s.studentSession(c)
	if ok {
		bs, err := s.cfg.SignIn.Bookings.IdentityBookings(c.Request.Context(), st.Identity)
		if err != nil {
			return err
		}
		p.Student, p.Signed, p.Bookings = st, true, bs
	}
	return s.render(c, http.StatusOK, "my_bookings", p)
}

func (s *Server) myBookingsSignOut(c *gin.Context) error {
	if ck, err := c.Request.Cookie(s.studentCookieName()); err == nil && ck.Value != "" {
		if err := s.cfg.SignIn.Store.DeleteStudentSession(c.Request.Context(), ck.Value); err != nil {
			return err
		}
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: s.studentCookieName(), Value: "", Path: "/", MaxAge: -1,
		Secure: s.cfg.SecureCookies, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	c.Redirect(http.StatusSeeOther, "/")
	return nil
}

// StatusText of a listed booking, in the page's language.
func (p myBookingsPage) StatusText(b booking.IdentityBooking) string {
	switch {
	case !b.Active():
		return p.T("status.cancelled")
	case b.End.Before(p.Now):
		return p.T("mybookings.past")
	}
	return p.T("status.confirmed")
}

// localPasswordsOff says whether staff passwords are turned off for the
// web: only when sign-in with the provider is there to replace them.
func (s *Server) localPasswordsOff(ctx context.Context) (bool, error) {
	if !s.signInEnabled() {
		return false, nil
	}
	return s.cfg.SignIn.Store.LocalPasswordsOff(ctx)
}
