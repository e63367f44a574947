package web

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"veileder/booking"
)

// errorPage is the page for a status the user cannot fix on the spot.
type errorPage struct {
	page
	Status int
}

// failPage renders the error page for status in the user's language.
func (s *Server) failPage(c *gin.Context, status int) {
	p := errorPage{page: s.newPage(c, nil), Status: status}
	s.render(c, status, "error", p)
}

// fail maps an error from the Booker to a page: the user sees a clear
// status, the log gets the detail (without the token). It is the one
// place where pages map domain errors.
func (s *Server) fail(c *gin.Context, err error, token string) {
	switch {
	case errors.Is(err, booking.ErrNotFound):
		s.failPage(c, http.StatusNotFound)
	case errors.Is(err, booking.ErrConflict), errors.Is(err, booking.ErrInvalid):
		s.logger.Info("refused", "path", redactPath(c.Request.URL.Path), "err", scrub(err, token))
		s.failPage(c, http.StatusConflict)
	default:
		s.logger.Error("request failed", "path", redactPath(c.Request.URL.Path), "err", scrub(err, token))
		s.failPage(c, http.StatusInternalServerError)
	}
}
