package web

import (
	"encoding/json"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// GDPR requests about one e-mail address: access (a JSON export) and
// erasure. Both are POSTs, so that the address is never in a URL or a
// log line.

type privacyPage struct {
	staffPage
	Email  string
	Erased int
	// Confirm asks before erasing.
	Confirm bool
	Count   int
}

func (s *Server) adminPrivacy(c *gin.Context) error {
	p := privacyPage{staffPage: s.newStaffPage(c, me(c)), Erased: -1}
	if n, err := strconv.Atoi(c.Query("erased")); err == nil {
		p.Erased = n
	}
	return s.render(c, http.StatusOK, "admin_privacy", p)
}

// privacyEmail reads the form's address; errs is not nil when it is none.
func (s *Server) privacyEmail(c *gin.Context) (email string, errs []formError) {
	email = strings.TrimSpace(c.PostForm("email"))
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email || len(email) > 254 {
		return email, []formError{{Field: "email", Message: T(s.lang(c), "field.email.invalid")}}
	}
	return email, nil
}

// badEmail shows the form again for an address that is none.
func (s *Server) badEmail(c *gin.Context, email string, errs []formError) error {
	p := privacyPage{staffPage: s.newStaffPage(c, me(c)), Email: email, Erased: -1}
	p.Errors = errs
	return s.render(c, http.StatusUnprocessableEntity, "admin_privacy", p)
}

func (s *Server) adminExport(c *gin.Context) error {
	email, errs := s.privacyEmail(c)
	if errs != nil {
		return s.badEmail(c, email, errs)
	}
	x, err := s.cfg.Staff.Privacy.Export(c.Request.Context(), email)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(x, "", "  ")
	if err != nil {
		return err
	}
	s.logger.Info("admin exported personal data", "admin", me(c).Username, "bookings", len(x.Bookings))
	c.Header("Cache-Control", "no-store")
	c.Header("Content-Disposition", `attachment; filename="veileder-export-`+s.now().In(s.loc).Format(time.DateOnly)+`.json"`)
	c.Data(http.StatusOK, "application/json; charset=utf-8", b)
	return nil
}

// adminErase asks first (confirm=1 is not posted), then erases.
func (s *Server) adminErase(c *gin.Context) error {
	email, errs := s.privacyEmail(c)
	if errs != nil {
		return s.badEmail(c, email, errs)
	}
	if c.PostForm("confirm") != "1" {
		x, err := s.cfg.Staff.Privacy.Export(c.Request.Context(), email)
		if err != nil {
			return err
		}
		p := privacyPage{staffPage: s.newStaffPage(c, me(c)), Email: email, Confirm: true, Count: len(x.Bookings), Erased: -1}
		c.Header("Cache-Control", "no-store")
		return s.render(c, http.StatusOK, "admin_privacy", p)
	}
	n, err := s.cfg.Staff.Privacy.Erase(c.Request.Context(), email)
	if err != nil {
		return err
	}
	s.logger.Info("admin erased personal data", "admin", me(c).Username, "bookings", n)
	c.Redirect(http.StatusSeeOther, "/admin/privacy?erased="+strconv.Itoa(n))
	return nil
}
