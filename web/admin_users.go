package web

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/veileder/veileder/booking"
)

// The admin's user pages: accounts, roles, first and reset passwords.

type usersPage struct {
	staffPage
	Users []booking.User
	Roles []booking.Role
	Form  userForm
}

type userForm struct {
	Username, Name, Email, Role string
}

var roles = []booking.Role{booking.RoleDesk, booking.RoleLibrarian, booking.RoleCoordinator, booking.RoleAdmin}

func (s *Server) adminUsers(c *gin.Context) error {
	return s.renderUsers(c, http.StatusOK, userForm{Role: string(booking.RoleLibrarian)}, nil)
}

func (s *Server) renderUsers(c *gin.Context, status int, form userForm, errs []formError) error {
	users, err := s.cfg.Staff.Store.Users(c.Request.Context())
	if err != nil {
		return err
	}
	p := usersPage{staffPage: s.newStaffPage(c, me(c)), Users: users, Roles: roles, Form: form}
	p.Errors = errs
	return s.render(c, status, "admin_users", p)
}

// newPassword is a random first password for an account, shown once to
// the admin, who passes it on; 16 characters of an unambiguous alphabet.
func newPassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 16)
	rand.Read(b) // never fails
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

type userPage struct {
	staffPage
	Target   booking.User
	Roles    []booking.Role
	Password string // a new password, shown once
	// SignIn is the account's link to the provider, when sign-in with
	// one is configured (admin_signin.go).
	SignIn *identityBox
}

func (s *Server) adminCreateUser(c *gin.Context) error {
	lang := s.lang(c)
	form := userForm{
		Username: strings.ToLower(strings.TrimSpace(c.PostForm("username"))),
		Name:     strings.TrimSpace(c.PostForm("name")),
		Email:    strings.TrimSpace(c.PostForm("email")),
		Role:     c.PostForm("role"),
	}
	role, err := booking.ParseRole(form.Role)
	if err != nil {
		return s.renderUsers(c, http.StatusUnprocessableEntity, form, []formError{{Field: "role", Message: T(lang, "staff.users.role.invalid")}})
	}
	if err := booking.ValidUsername(form.Username); err != nil {
		return s.renderUsers(c, http.StatusUnprocessableEntity, form, []formError{{Field: "username", Message: T(lang, "staff.users.username.invalid")}})
	}
	password := newPassword()
	u, err := s.cfg.Staff.Store.CreateUser(c.Request.Context(), booking.User{Username: form.Username, DisplayName: form.Name, Email: form.Email, Role: role}, password)
	switch {
	case errors.Is(err, booking.ErrConflict):
		return s.renderUsers(c, http.StatusConflict, form, []formError{{Field: "username", Message: T(lang, "staff.users.username.taken")}})
	case err != nil:
		return err
	}
	s.logger.Info("admin created user", "admin", me(c).Username, "user", u.Username, "role", u.Role)
	return s.renderUser(c, http.StatusOK, u, password)
}

func (s *Server) adminUser(c *gin.Context) error {
	id, err := s.idParam(c, "id")
	if err != nil {
		return err
	}
	u, err := s.cfg.Staff.Store.UserByID(c.Request.Context(), id)
	if err != nil {
		return err
	}
	return s.renderUser(c, http.StatusOK, u, "")
}

func (s *Server) renderUser(c *gin.Context, status int, u booking.User, password string) error {
	p := userPage{staffPage: s.newStaffPage(c, me(c)), Target: u, Roles: roles, Password: password}
	if s.signInEnabled() {
		box, err := s.identityBox(c, u.ID)
		if err != nil {
			return err
		}
		p.SignIn = &box
	}
	if password != "" {
		c.Header("Cache-Control", "no-store")
	}
	return s.render(c, status, "admin_user", p)
}

// adminUpdateUser changes a user's name, address, role and whether the
// account is enabled. An admin cannot take their own admin role or
// disable themselves, so that the last admin cannot lock everyone out.
func (s *Server) adminUpdateUser(c *gin.Context) error {
	id, err := s.idParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	st := s.cfg.Staff.Store
	u, err := st.UserByID(ctx, id)
	if err != nil {
		return err
	}
	role, err := booking.ParseRole(c.PostForm("role"))
	if err != nil {
		return err
	}
	disabled := c.PostForm("disabled") == "1"
	if u.ID == me(c).ID && (role != booking.RoleAdmin || disabled) {
		return fmt.Errorf("admin %s cannot demote or disable themselves: %w", u.Username, booking.ErrInvalid)
	}
	if err := st.SetUserDetails(ctx, id, c.PostForm("name"), c.PostForm("email")); err != nil {
		return err
	}
	if role != u.Role {
		if err := st.SetRole(ctx, u.Username, role); err != nil {
			return err
		}
	}
	if disabled != u.Disabled {
		if err := st.SetDisabled(ctx, u.Username, disabled); err != nil {
			return err
		}
		if disabled {
			if err := st.DeleteSessionsOfUser(ctx, id); err != nil {
				return err
			}
		}
	}
	s.logger.Info("admin changed user", "admin", me(c).Username, "user", u.Username, "role", role, "disabled", disabled)
	return done(c, "/admin/users/"+strconv.FormatInt(id, 10), "saved")
}

// adminResetPassword gives the user a new random password, shown once,
// and signs them out everywhere. Their app passwords stay.
func (s *Server) adminResetPassword(c *gin.Context) error {
	id, err := s.idParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	u, err := s.cfg.Staff.Store.UserByID(ctx, id)
	if err != nil {
		return err
	}
	password := newPassword()
	if err := s.cfg.Staff.Store.SetPassword(ctx, u.Username, password); err != nil {
		return err
	}
	if err := s.cfg.Staff.Store.DeleteSessionsOfUser(ctx, id); err != nil {
		return err
	}
	s.logger.Info("admin reset password", "admin", me(c).Username, "user", u.Username)
	return s.renderUser(c, http.StatusOK, u, password)
}
