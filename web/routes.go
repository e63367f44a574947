package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"veileder/booking"
)

// routes lists every route of the web front in one place.
func (s *Server) routes() {
	e := s.engine
	e.GET("/healthz", func(c *gin.Context) { c.String(http.StatusOK, "ok\n") })
	e.GET("/readyz", s.readyz)
	if s.cfg.Metrics != nil {
		e.GET("/metrics", gin.WrapH(s.cfg.Metrics))
	}
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
	if s.cfg.Staff.Privacy != nil {
		manage.GET("/delete-data", s.deleteDataConfirm)
		manage.POST("/delete-data", limitBody, s.checkCSRF, s.deleteData)
	}

	// Drop-in sessions (dropin.go): the page, the widget for other sites'
	// <iframe>, one session's calendar file, and the subscription feeds,
	// which the feeds package answers itself (conditional GET, CORS).
	e.GET("/dropin", s.dropin)
	e.GET("/dropin/widget", s.dropinWidget)
	e.GET("/dropin/session/*file", s.dropinSession)
	e.HEAD("/dropin/session/*file", s.dropinSession)
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodOptions} {
		e.Handle(m, "/feeds/dropin.ics", s.dropinFeed)
		e.Handle(m, "/feeds/dropin/:file", s.dropinThemeFeed)
	}

	// JSON API (API.md). Requiring a JSON content type on POST, with no
	// CORS, is its defence against cross-site requests.
	api := e.Group("/api", limitBody)
	api.GET("/topics", s.apiTopics)
	api.GET("/slots", s.apiSlots)
	api.POST("/bookings", s.apiBook)
	api.GET("/bookings/:token", noStore, s.apiBooking)
	api.DELETE("/bookings/:token", noStore, s.apiCancel)

	// Staff pages (staff.go): every route needs a session with at least
	// the role of its group, and every POST the CSRF token. Anonymous
	// requests go to the sign-in page; a lesser role gets 403.
	if s.staffEnabled() {
		e.GET("/static/staff.css", s.staffStyle)
		e.GET("/staff/login", noStore, s.staffLoginForm)
		e.POST("/staff/login", noStore, limitBody, s.checkCSRF, s.staffLogin)
		e.POST("/staff/logout", noStore, limitBody, s.checkCSRF, s.staffLogout)

		lib := e.Group("/staff", noStore, limitBody, s.requireRole(booking.RoleLibrarian))
		lib.GET("", s.staffHome)
		lib.GET("/bookings", s.staffBookings)
		lib.POST("/bookings/:id/no-show", s.checkCSRF, s.staffNoShow)
		lib.GET("/profile", s.staffProfile)
		lib.POST("/profile", s.checkCSRF, s.staffSaveProfile)
		lib.GET("/competences", s.staffCompetences)
		lib.POST("/competences", s.checkCSRF, s.staffAddCompetence)
		lib.POST("/competences/:slug/delete", s.checkCSRF, s.staffRemoveCompetence)
		lib.GET("/caldav", s.staffCalDAV)
		lib.POST("/app-passwords", s.checkCSRF, s.staffCreateAppPassword)
		lib.POST("/app-passwords/:id/revoke", s.checkCSRF, s.staffRevokeAppPassword)
		lib.GET("/password", s.staffPassword)
		lib.POST("/password", s.checkCSRF, s.staffChangePassword)

		coord := e.Group("/staff/dropin", noStore, limitBody, s.requireRole(booking.RoleCoordinator))
		coord.GET("", s.staffDropins)
		coord.GET("/new", s.staffNewDropin)
		coord.POST("", s.checkCSRF, s.staffSaveDropin)
		coord.GET("/:name", s.staffEditDropin)
		coord.POST("/:name", s.checkCSRF, s.staffSaveDropin)
		coord.POST("/:name/delete", s.checkCSRF, s.staffDeleteDropin)

		admin := e.Group("/admin", noStore, limitBody, s.requireRole(booking.RoleAdmin))
		admin.GET("", s.adminHome)
		admin.GET("/users", s.adminUsers)
		admin.POST("/users", s.checkCSRF, s.adminCreateUser)
		admin.GET("/users/:id", s.adminUser)
		admin.POST("/users/:id", s.checkCSRF, s.adminUpdateUser)
		admin.POST("/users/:id/password", s.checkCSRF, s.adminResetPassword)
		admin.GET("/users/:id/competences", s.staffCompetences)
		admin.POST("/users/:id/competences", s.checkCSRF, s.staffAddCompetence)
		admin.POST("/users/:id/competences/:slug/delete", s.checkCSRF, s.staffRemoveCompetence)
		admin.GET("/topics", s.adminTopics)
		admin.POST("/topics", s.checkCSRF, s.adminCreateTopic)
		admin.GET("/topics/:id", s.adminTopic)
		admin.POST("/topics/:id", s.checkCSRF, s.adminUpdateTopic)
		admin.GET("/services", s.adminServices)
		admin.POST("/services", s.checkCSRF, s.adminCreateService)
		admin.GET("/services/:slug", s.adminService)
		admin.POST("/services/:slug", s.checkCSRF, s.adminUpdateService)
		admin.GET("/bookings", s.adminBookings)
		admin.POST("/bookings/:id/cancel", s.checkCSRF, s.adminCancelBooking)
		admin.GET("/stats", s.adminStats)
		admin.GET("/stats/:table", s.adminStatsCSV)
		if s.cfg.Staff.Privacy != nil {
			admin.GET("/privacy", s.adminPrivacy)
			admin.POST("/privacy/export", s.checkCSRF, s.adminExport)
			admin.POST("/privacy/erase", s.checkCSRF, s.adminErase)
		}
		if s.cfg.Staff.Outbox != nil {
			admin.GET("/outbox", s.adminOutbox)
			admin.POST("/outbox/:id/retry", s.checkCSRF, s.adminRetryMessage)
		}
		if s.cfg.Staff.DropInTags != nil {
			admin.GET("/dropin-tags", s.adminDropinTags)
		}
	}

	e.NoRoute(func(c *gin.Context) {
		if c.Request.URL.Path == "/api" || strings.HasPrefix(c.Request.URL.Path, "/api/") {
			s.apiFail(c, http.StatusNotFound, "not_found", "", s.lang(c))
			return
		}
		s.failPage(c, http.StatusNotFound)
	})
}
