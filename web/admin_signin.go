package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/veileder/veileder/booking"
)

// The admins' side of sign-in with the provider: whether staff passwords
// still work on the web, each account's link to a provider's subject, and
// which services need a signed-in student.

type adminSignInPage struct {
	staffPage
	Provider     string
	Issuer       string
	PasswordsOff bool
	// Linked says the admin's own account is linked, without which
	// turning passwords off would lock them out.
	Linked bool
}

func (s *Server) adminSignIn(c *gin.Context) error {
	return s.renderAdminSignIn(c, http.StatusOK, nil)
}

func (s *Server) renderAdminSignIn(c *gin.Context, status int, errs []formError) error {
	ctx := c.Request.Context()
	off, err := s.cfg.SignIn.Store.LocalPasswordsOff(ctx)
	if err != nil {
		return err
	}
	_, err = s.cfg.SignIn.Store.IdentityOf(ctx, me(c).ID)
	if err != nil && !errors.Is(err, booking.ErrNotFound) {
		return err
	}
	p := adminSignInPage{staffPage: s.newStaffPage(c, me(c)), Provider: s.cfg.SignIn.Client.Name(),
		Issuer: s.cfg.SignIn.Client.Issuer(), PasswordsOff: off, Linked: err == nil}
	p.Errors = errs
	return s.render(c, status, "admin_signin", p)
}

// adminSaveSignIn turns staff passwords off or on for the web. An admin
// whose own account is not linked to the provider cannot turn them off:
// they would lock themselves out. CalDAV's app passwords are not
// affected either way.
func (s *Server) adminSaveSignIn(c *gin.Context) error {
	ctx := c.Request.Context()
	off := c.PostForm("passwords_off") == "1"
	if off {
		if _, err := s.cfg.SignIn.Store.IdentityOf(ctx, me(c).ID); errors.Is(err, booking.ErrNotFound) {
			return s.renderAdminSignIn(c, http.StatusUnprocessableEntity,
				[]formError{{Field: "passwords_off", Message: T(s.lang(c), "staff.signin.admin.notlinked", s.cfg.SignIn.Client.Name())}})
		} else if err != nil {
			return err
		}
	}
	if err := s.cfg.SignIn.Store.SetLocalPasswordsOff(ctx, off); err != nil {
		return err
	}
	s.logger.Info("admin changed staff passwords on the web", "admin", me(c).Username, "off", off)
	return done(c, "/admin/signin", "saved")
}

// identityBox is an account's link on its admin page.
type identityBox struct {
	Provider string
	Linked   bool
	Link     booking.StaffIdentity
}

func (s *Server) identityBox(c *gin.Context, userID int64) (identityBox, error) {
	b := identityBox{Provider: s.cfg.SignIn.Client.Name()}
	l, err := s.cfg.SignIn.Store.IdentityOf(c.Request.Context(), userID)
	switch {
	case err == nil:
		b.Linked, b.Link = true, l
	case !errors.Is(err, booking.ErrNotFound):
		return identityBox{}, err
	}
	return b, nil
}

// adminLinkIdentity links the account to a subject of the provider that
// the admin types (Feide's subject is the user's "Feide ID" UUID).
func (s *Server) adminLinkIdentity(c *gin.Context) error {
	id, err := s.idParam(c, "id")
	if err != nil {
		return err
	}
	u, err := s.cfg.Staff.Store.UserByID(c.Request.Context(), id)
	if err != nil {
		return err
	}
	subject := strings.TrimSpace(c.PostForm("subject"))
	err = s.cfg.SignIn.Store.LinkIdentity(c.Request.Context(), booking.StaffIdentity{
		UserID: u.ID, Issuer: s.cfg.SignIn.Client.Issuer(), Subject: subject, How: booking.LinkedByAdmin,
	})
	var key string
	switch {
	case errors.Is(err, booking.ErrInvalid):
		key = "staff.signin.link.invalid"
	case errors.Is(err, booking.ErrConflict):
		key = "staff.signin.link.taken"
	case err != nil:
		return err
	}
	if key != "" {
		p := userPage{staffPage: s.newStaffPage(c, me(c)), Target: u, Roles: roles}
		box, err := s.identityBox(c, u.ID)
		if err != nil {
			return err
		}
		p.SignIn = &box
		p.Errors = []formError{{Field: "subject", Message: T(s.lang(c), key)}}
		return s.render(c, http.StatusUnprocessableEntity, "admin_user", p)
	}
	s.logger.Info("admin linked account to the provider", "admin", me(c).Username, "user", u.Username)
	return done(c, "/admin/users/"+c.Param("id"), "saved")
}

func (s *Server) adminUnlinkIdentity(c *gin.Context) error {
	id, err := s.idParam(c, "id")
	if err != nil {
		return err
	}
	u, err := s.cfg.Staff.Store.UserByID(c.Request.Context(), id)
	if err != nil {
		return err
	}
	if err := s.cfg.SignIn.Store.UnlinkIdentity(c.Request.Context(), u.ID); err != nil {
		return err
	}
	s.logger.Info("admin unlinked account from the provider", "admin", me(c).Username, "user", u.Username)
	return done(c, "/admin/users/"+c.Param("id"), "saved")
}

// adminServiceSignIn says whether the service's bookings need a student
// signed in with the provider.
func (s *Server) adminServiceSignIn(c *gin.Context) error {
	slug := c.Param("slug")
	if err := s.cfg.SignIn.Store.SetServiceRequiresSignIn(c.Request.Context(), slug, c.PostForm("require_signin") == "1"); err != nil {
		return err
	}
	return done(c, "/admin/services/"+slug, "saved")
}
