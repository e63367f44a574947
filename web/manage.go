package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/veileder/veileder/booking"
)

// maxTokenLen bounds a manage token in a path; longer ones are not ours
// and are not passed on.
const maxTokenLen = 256

type bookingPage struct {
	page
	V booking.View
	// Base is the manage page's own path.
	Base string
	// New and Cancelled say what just happened, for the heading.
	New, Cancelled, Moved bool
	Past                  bool
	// MeetingURL is the online meeting's address, when the location is one.
	MeetingURL string
	AnotherURL string
	// ManageURL is Base as an absolute address, for the web calendars'
	// links (calendar_links.go).
	ManageURL string
}

// manage is the student's confirmation and manage page.
func (s *Server) manage(c *gin.Context) error {
	token, v, err := s.loadBooking(c)
	if err != nil {
		return err
	}
	p := s.bookingPage(c, token, v)
	p.New = c.Query("new") == "1" && v.Active()
	p.Cancelled = c.Query("cancelled") == "1" && !v.Active()
	p.Moved = c.Query("moved") == "1" && v.Active()
	return s.render(c, http.StatusOK, "booking", p)
}

// cancelConfirm asks before cancelling: a link is easy to press by mistake.
func (s *Server) cancelConfirm(c *gin.Context) error {
	token, v, err := s.loadBooking(c)
	if err != nil {
		return err
	}
	p := s.bookingPage(c, token, v)
	if !v.Active() || p.Past {
		c.Redirect(http.StatusSeeOther, p.Base)
		return nil
	}
	p.CSRF = s.csrfToken(c)
	return s.render(c, http.StatusOK, "cancel", p)
}

// cancel cancels the booking, then shows the manage page.
func (s *Server) cancel(c *gin.Context) error {
	token := c.Param("token")
	if !validToken(token) {
		return errStatus(http.StatusNotFound)
	}
	if _, err := s.booker.Cancel(c.Request.Context(), token); err != nil {
		return withToken(err, token)
	}
	c.Redirect(http.StatusSeeOther, "/booking/"+url.PathEscape(token)+"?cancelled=1")
	return nil
}

// ics is the booking as a calendar file to download.
func (s *Server) ics(c *gin.Context) error {
	token := c.Param("token")
	if !validToken(token) {
		return errStatus(http.StatusNotFound)
	}
	b, err := s.booker.StudentICS(c.Request.Context(), token)
	if err != nil {
		return withToken(err, token)
	}
	c.Header("Content-Disposition", `attachment; filename="veileder.ics"`)
	c.Data(http.StatusOK, "text/calendar; charset=utf-8", b)
	return nil
}

func (s *Server) loadBooking(c *gin.Context) (string, booking.View, error) {
	token := c.Param("token")
	if !validToken(token) {
		return "", booking.View{}, errStatus(http.StatusNotFound)
	}
	v, err := s.booker.Booking(c.Request.Context(), token)
	if err != nil {
		return "", booking.View{}, withToken(err, token)
	}
	return token, v, nil
}

func (s *Server) bookingPage(c *gin.Context, token string, v booking.View) bookingPage {
	base := "/booking/" + url.PathEscape(token)
	p := bookingPage{page: s.newPage(c, &url.URL{Path: base}), V: v, Base: base}
	p.Past = !v.End.After(s.now())
	if v.Online {
		if u, err := url.Parse(v.Location); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
			p.MeetingURL = u.String()
		}
	}
	p.AnotherURL = "/topics/" + url.PathEscape(v.Topic.Slug)
	p.ManageURL = s.baseURL(c) + base
	return p
}

// StatusText says where the booking stands, and who cancelled it.
func (p bookingPage) StatusText() string {
	switch {
	case p.V.Active():
		return p.T("status.confirmed")
	case p.V.CancelledBy == booking.PartyStudent:
		return p.T("status.cancelled.student")
	case p.V.CancelledBy == booking.PartyLibrarian:
		return p.T("status.cancelled.librarian")
	case p.V.CancelledBy != "":
		return p.T("status.cancelled.library")
	}
	return p.T("status.cancelled")
}

func validToken(t string) bool {
	return t != "" && len(t) <= maxTokenLen && !strings.ContainsAny(t, "/\x00")
}
