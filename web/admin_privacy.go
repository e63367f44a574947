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

func (s *Server) adminPrivacy(c *gin.Context) {
	p := privacyPage{staffPage: s.newStaffPage(c, me(c)), Erased: -1}
	if n, err := strconv.Atoi(c.Query("erased")); err == nil {
		p.Erased = n
	}
	s.render(c, http.StatusOK, "admin_privacy", p)
}

// privacyEmail reads the form's address, or shows the form again.
func (s *Server) privacyEmail(c *gin.Context) (string, bool) {
	email := strings.TrimSpace(c.PostForm("email"))
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email || len(email) > 254 {
		p := privacyPage{staffPage: s.newStaffPage(c, me(c)), Email: email, Erased: -1}
		p.Errors = []formError{{Field: "email", Message: T(p.Lang, "field.email.invalid")}}
		s.render(c, http.StatusUnprocessableEntity, "admin_privacy", p)
		return "", false
	}
	return email, true
}

func (s *Server) adminExport(c *gin.Context) {
	email, ok := s.privacyEmail(c)
	if !ok {
		return
	}
	x, err := s.cfg.Staff.Privacy.Export(c.Request.Context(), email)
	if err != nil {
		s.staffFail(c, err)
		return
	}
	b, err := json.MarshalIndent(x, "", "  ")
	if err != nil {
		s.staffFail(c, err)
		return
	}
	s.logger.Info("admin exported personal data", "admin", me(c).Username, "bookings", len(x.Bookings))
	c.Header("Cache-Control", "no-store")
	c.Header("Content-Disposition", `attachment; filename="veileder-export-`+s.now().In(s.loc).Format(time.DateOnly)+`.json"`)
	c.Data(http.StatusOK, "application/json; charset=utf-8", b)
}

// adminErase asks first (confirm=1 is not posted), then erases.
func (s *Server) adminErase(c *gin.Context) {
	email, ok := s.privacyEmail(c)
	if !ok {
		return
	}
	if c.PostForm("confirm") != "1" {
		x, err := s.cfg.Staff.Privacy.Export(c.Request.Context(), email)
		if err != nil {
			s.staffFail(c, err)
			return
		}
		p := privacyPage{staffPage: s.newStaffPage(c, me(c)), Email: email, Confirm: true, Count: len(x.Bookings), Erased: -1}
		c.Header("Cache-Control", "no-store")
		s.render(c, http.StatusOK, "admin_privacy", p)
		return
	}
	n, err := s.cfg.Staff.Privacy.Erase(c.Request.Context(), email)
	if err != nil {
		s.staffFail(c, err)
		return
	}
	s.logger.Info("admin erased personal data", "admin", me(c).Username, "bookings", n)
	c.Redirect(http.StatusSeeOther, "/admin/privacy?erased="+strconv.Itoa(n))
}
