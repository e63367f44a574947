package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// routes lists every route of the web front in one place.
func (s *Server) routes() {
	e := s.engine
	e.GET("/healthz", func(c *gin.Context) { c.String(http.StatusOK, "ok\n") })
	e.GET("/static/style.css", s.style)

	// Student pages.
	e.GET("/", s.home)
	e.GET("/topics", s.chooseTopic)
	e.GET("/topics/:slug", s.topic)
	e.GET("/book/:slug", s.bookForm)
	e.GET("/privacy", s.privacy)

	forms := e.Group("", limitBody, s.checkCSRF)
	forms.POST("/book/:slug", s.book)

	manage := e.Group("/booking/:token", noStore)
	manage.GET("", s.manage)
	manage.GET("/ics", s.ics)
	manage.GET("/cancel", s.cancelConfirm)
	manage.POST("/cancel", limitBody, s.checkCSRF, s.cancel)

	// JSON API (API.md). Requiring a JSON content type on POST, with no
	// CORS, is its defence against cross-site requests.
	api := e.Group("/api", limitBody)
	api.GET("/topics", s.apiTopics)
	api.GET("/slots", s.apiSlots)
	api.POST("/bookings", s.apiBook)
	api.GET("/bookings/:token", noStore, s.apiBooking)
	api.DELETE("/bookings/:token", noStore, s.apiCancel)

	e.NoRoute(func(c *gin.Context) {
		if c.Request.URL.Path == "/api" || strings.HasPrefix(c.Request.URL.Path, "/api/") {
			s.apiFail(c, http.StatusNotFound, "not_found", "", s.lang(c))
			return
		}
		s.failPage(c, http.StatusNotFound)
	})
}
