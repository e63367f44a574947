package web

import (
	"errors"
	"net/http"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/veileder/veileder/booking"
)

// A signed-in user changes their own account password. The current one
// must be given, so that a browser left signed in cannot be used to take
// the account over; its checks count in the sign-in throttle, so that
// the form is no way around it.

// The account password's length, as the store enforces it.
const (
	minPasswordLen = 8
	maxPasswordLen = 128
)

type passwordPage struct {
	staffPage
	MinLen, MaxLen int
}

func (s *Server) newPasswordPage(c *gin.Context) passwordPage {
	return passwordPage{staffPage: s.newStaffPage(c, me(c)), MinLen: minPasswordLen, MaxLen: maxPasswordLen}
}

func (s *Server) staffPassword(c *gin.Context) error {
	return s.render(c, http.StatusOK, "staff_password", s.newPasswordPage(c))
}

// staffChangePassword checks the form, then the current password, and
// stores the new one. The page never echoes a password back.
//
// On success every session of the user ends, here too, and this browser
// gets a new one: the user stays signed in, as they just proved they know
// the password, while a session someone else may hold (a stolen cookie,
// a shared computer) dies, and so does any copy of this browser's old
// token. App passwords are not touched, so calendar apps keep working.
func (s *Server) staffChangePassword(c *gin.Context) error {
	u := me(c)
	p := s.newPasswordPage(c)
	current := c.PostForm("current_password")
	fresh := c.PostForm("new_password")
	repeat := c.PostForm("repeat_password")

	if current == "" {
		p.Errors = append(p.Errors, formError{Field: "current_password", Message: p.T("staff.password.current.required")})
	}
	if n := utf8.RuneCountInString(fresh); !utf8.ValidString(fresh) || n < minPasswordLen || n > maxPasswordLen {
		p.Errors = append(p.Errors, formError{Field: "new_password", Message: p.T("staff.password.new.length", minPasswordLen, maxPasswordLen)})
	} else if repeat != fresh {
		p.Errors = append(p.Errors, formError{Field: "repeat_password", Message: p.T("staff.password.repeat.mismatch")})
	}
	if p.Errors != nil {
		return s.render(c, http.StatusUnprocessableEntity, "staff_password", p)
	}

	// Every check of the current password counts, as every sign-in
	// attempt does, in the same throttle.
	ctx := c.Request.Context()
	client := s.loginClient(c, u.Username)
	wait, err := s.loginWait(c, client)
	if err != nil {
		return err
	}
	if wait > 0 {
		p.Errors = []formError{{Field: "current_password", Message: p.T("staff.password.rate")}}
		return s.render(c, http.StatusTooManyRequests, "staff_password", p)
	}
	if len(current) > 1024 {
		err = booking.ErrUnauthenticated
	} else {
		_, err = s.cfg.Staff.Store.AuthenticateAccount(ctx, u.Username, current)
	}
	if errors.Is(err, booking.ErrUnauthenticated) {
		if err := s.cfg.Staff.Store.LoginFailed(ctx, client); err != nil {
			s.logger.Error("count failed password check", "user", u.Username, "err", err)
		}
	}
	switch {
	case errors.Is(err, booking.ErrUnauthenticated):
		s.logger.Info("staff password change: wrong current password", "user", u.Username)
		p.Errors = []formError{{Field: "current_password", Message: p.T("staff.password.current.wrong")}}
		return s.render(c, http.StatusUnprocessableEntity, "staff_password", p)
	case err != nil:
		return err
	}

	if err := s.cfg.Staff.Store.SetPassword(ctx, u.Username, fresh); err != nil {
		if errors.Is(err, booking.ErrInvalid) {
			p.Errors = []formError{{Field: "new_password", Message: p.T("staff.password.new.length", minPasswordLen, maxPasswordLen)}}
			return s.render(c, http.StatusUnprocessableEntity, "staff_password", p)
		}
		return err
	}
	if err := s.cfg.Staff.Store.DeleteSessionsOfUser(ctx, u.ID); err != nil {
		return err
	}
	token, err := s.cfg.Staff.Store.CreateSession(ctx, u.ID, s.staff.cfg.SessionTTL)
	if err != nil {
		// The password is changed and the old sessions are gone: the
		// user signs in again with the new password.
		s.logger.Error("staff session after password change", "user", u.Username, "err", err)
		s.setStaffCookie(c, "", -1)
		c.Redirect(http.StatusSeeOther, "/staff/login")
		return nil
	}
	s.setStaffCookie(c, token, int(s.staff.cfg.SessionTTL.Seconds()))
	s.logger.Info("staff changed own password", "user", u.Username)
	return done(c, "/staff/password", "password")
}
