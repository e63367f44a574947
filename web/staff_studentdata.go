package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/veileder/veileder/booking"
)

// A student deletes their own data from the manage link, once the meeting
// is over or cancelled. (The file is named for the staff work it came
// with; the page is the student's.)

type studentDataPage struct {
	bookingPage
	Deleted bool
}

func (s *Server) deleteDataConfirm(c *gin.Context) error {
	token, v, err := s.loadBooking(c)
	if err != nil {
		return err
	}
	p := studentDataPage{bookingPage: s.bookingPage(c, token, v)}
	if v.Active() && !p.Past {
		c.Redirect(http.StatusSeeOther, p.Base)
		return nil
	}
	p.CSRF = s.csrfToken(c)
	return s.render(c, http.StatusOK, "staff_studentdata", p)
}

func (s *Server) deleteData(c *gin.Context) error {
	token := c.Param("token")
	if !validToken(token) || s.cfg.Staff.Privacy == nil {
		return errStatus(http.StatusNotFound)
	}
	err := s.cfg.Staff.Privacy.DeleteOwnData(c.Request.Context(), token)
	switch {
	case err == nil:
	case errors.Is(err, booking.ErrInvalid):
		// The meeting is still to come: cancel it first.
		c.Redirect(http.StatusSeeOther, "/booking/"+token)
		return nil
	default:
		return withToken(err, token)
	}
	p := studentDataPage{bookingPage: bookingPage{page: s.newPage(c, &url.URL{Path: "/"})}, Deleted: true}
	return s.render(c, http.StatusOK, "staff_studentdata", p)
}
