package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/veileder/veileder/booking"
)

// routes lists every route of the web front in one place. Handlers that
// can fail return an error, which h answers (errors.go); the operations
// endpoints, the stylesheets and the feeds answer for themselves.
func (s *Server) routes() {
	e := s.engine
	h := s.handle
	csrf := h(s.checkCSRF)
	e.GET("/healthz", func(c *gin.Context) { c.String(http.StatusOK, "ok\n") })
	e.GET("/readyz", s.readyz)
	if s.cfg.Metrics != nil {
		e.GET("/metrics", gin.WrapH(s.cfg.Metrics))
	}
	e.GET("/static/style.css", style)
	e.GET("/static/favicon.svg", favicon)
	e.GET("/favicon.ico", favicon)

	// Student pages.
	e.GET("/", h(s.home))
	e.GET("/topics", h(s.chooseTopic))
	e.GET("/topics/:slug", h(s.topic))
	e.GET("/book/:slug", h(s.bookForm))
	e.GET("/privacy", h(s.privacy))

	forms := e.Group("", limitBody, csrf)
	forms.POST("/book/:slug", h(s.book))
	if s.staffEnabled() && s.requestsEnabled() {
		// A request when no free time fits, and the offered times from
		// the student's link (request.go).
		e.GET("/request/:slug", h(s.requestForm))
		forms.POST("/request/:slug", h(s.fileStudentRequest))
		e.GET("/requests/:token", noStore, h(s.requestOffers))
		e.POST("/requests/:token", noStore, limitBody, csrf, h(s.bookRequestOffer))
	}

	// The waitlist (waitlist.go): joining from a topic with no free time,
	// an entry's page that leaves it, and an offer's page whose one
	// button books the time held for the student.
	if s.cfg.Waitlist != nil {
		e.GET("/waitlist/:slug", h(s.waitlistFormPage))
		forms.POST("/waitlist/:slug", h(s.joinWaitlist))
		wl := e.Group("/waitlist", noStore)
		wl.GET("/leave/:token", h(s.waitlistEntry))
		wl.POST("/leave/:token", limitBody, csrf, h(s.leaveWaitlist))
		wl.GET("/offer/:token", h(s.waitlistOffer))
		wl.POST("/offer/:token", limitBody, csrf, h(s.acceptOffer))
	}

	manage := e.Group("/booking/:token", noStore)
	manage.GET("", h(s.manage))
	manage.GET("/ics", h(s.ics))
	manage.GET("/cancel", h(s.cancelConfirm))
	manage.POST("/cancel", limitBody, csrf, h(s.cancel))
	manage.GET("/move", h(s.moveForm))
	manage.POST("/move", limitBody, csrf, h(s.move))
	if s.cfg.Staff.Privacy != nil {
		manage.GET("/delete-data", h(s.deleteDataConfirm))
		manage.POST("/delete-data", limitBody, csrf, h(s.deleteData))
	}

	// After the meeting (followup.go): links from the follow-up e-mails.
	if s.cfg.FollowUp != nil {
		fu := e.Group("", noStore)
		fu.GET("/feedback/:token", h(s.feedbackForm))
		fu.POST("/feedback/:token", limitBody, csrf, h(s.feedback))
		fu.GET("/attendance/:token", h(s.attendanceForm))
		fu.POST("/attendance/:token", limitBody, csrf, h(s.attendance))
	}
	// Sign-in with the OpenID Connect provider (signin.go): the links
	// that go to it, its callback, and a signed-in student's bookings.
	if s.signInEnabled() {
		si := e.Group("", noStore)
		si.GET("/signin/student", h(s.signInStudent))
		si.GET("/signin/callback", h(s.signInCallback))
		si.GET("/my-bookings", h(s.myBookings))
		si.POST("/my-bookings/sign-out", limitBody, csrf, h(s.myBookingsSignOut))
		if s.staffEnabled() {
			si.GET("/signin/staff", h(s.signInStaff))
		}
	}

	// Drop-in sessions (dropin.go): the page, the widget for other sites'
	// <iframe>, one session's calendar file, and the subscription feeds,
	// which the feeds package answers itself (conditional GET, CORS).
	e.GET("/dropin", h(s.dropin))
	e.GET("/dropin/widget", h(s.dropinWidget))
	e.GET("/dropin/session/*file", s.dropinSession)
	e.HEAD("/dropin/session/*file", s.dropinSession)
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodOptions} {
		e.Handle(m, "/feeds/dropin.ics", s.dropinFeed)
		e.Handle(m, "/feeds/dropin/:file", s.dropinThemeFeed)
	}

	// JSON API (API.md). Requiring a JSON content type on POST, with no
	// CORS, is its defence against cross-site requests.
	api := e.Group("/api", limitBody)
	api.GET("/topics", h(s.apiTopics))
	api.GET("/slots", h(s.apiSlots))
	api.POST("/bookings", h(s.apiBook))
	api.GET("/bookings/:token", noStore, h(s.apiBooking))
	api.DELETE("/bookings/:token", noStore, h(s.apiCancel))
	api.POST("/bookings/:token/move", noStore, h(s.apiMove))
	if s.cfg.Waitlist != nil {
		api.POST("/waitlist", noStore, h(s.apiJoinWaitlist))
	}
	if s.staffEnabled() && s.tokensEnabled() {
		// A staff member's bearer token (staff_api_tokens.go), not a
		// cookie: no cross-site request can carry it.
		api.POST("/inquiries", noStore, h(s.apiLogInquiry))
		if s.requestsEnabled() {
			api.POST("/requests", noStore, h(s.apiFileRequest))
		}
	}

	// Staff pages (staff.go): every route needs a session with at least
	// the role of its group, and every POST the CSRF token. Anonymous
	// requests go to the sign-in page; a lesser role gets 403.
	if s.staffEnabled() {
		e.GET("/static/staff.css", staffStyle)
		e.GET("/staff/login", noStore, h(s.staffLoginForm))
		e.POST("/staff/login", noStore, limitBody, csrf, h(s.staffLogin))
		e.POST("/staff/logout", noStore, limitBody, csrf, h(s.staffLogout))

		// Every role, desk staff too: the home, the password, the
		// inquiry log (staff_desk.go).
		desk := e.Group("/staff", noStore, limitBody, s.requireRole(booking.RoleDesk))
		desk.GET("", s.staffHome)
		desk.GET("/password", h(s.staffPassword))
		desk.POST("/password", csrf, h(s.staffChangePassword))
		if s.deskEnabled() {
			desk.GET("/desk", h(s.staffDesk))
			desk.POST("/desk", csrf, h(s.staffLogInquiry))
			desk.GET("/desk/book", h(s.staffDeskBook))
			desk.POST("/desk/book", csrf, h(s.staffDeskBookPost))
			desk.GET("/desk/:id", h(s.staffEditInquiry))
			desk.POST("/desk/:id", csrf, h(s.staffUpdateInquiry))
			desk.POST("/desk/:id/delete", csrf, h(s.staffDeleteInquiry))
		}
		if s.requestsEnabled() {
			// Every role files and closes requests; librarians take,
			// offer and book them (staff_requests.go).
			desk.GET("/requests/new", h(s.staffNewRequest))
			desk.POST("/requests/new", csrf, h(s.staffFileRequest))
			desk.GET("/requests/:id", h(s.staffRequest))
			desk.POST("/requests/:id/close", csrf, h(s.staffCloseRequest))
		}
		if s.tokensEnabled() {
			desk.GET("/api-tokens", h(s.staffAPITokens))
			desk.POST("/api-tokens", csrf, h(s.staffCreateAPIToken))
			desk.POST("/api-tokens/:id/revoke", csrf, h(s.staffRevokeAPIToken))
		}

		lib := e.Group("/staff", noStore, limitBody, s.requireRole(booking.RoleLibrarian))
		lib.GET("/bookings", h(s.staffBookings))
		lib.POST("/bookings/:id/no-show", csrf, h(s.staffNoShow))
		lib.POST("/bookings/:id/attendance", csrf, h(s.staffAttendance))
		lib.GET("/bookings/:id/cancel", h(s.staffCancelConfirm))
		lib.POST("/bookings/:id/cancel", csrf, h(s.staffCancel))
		lib.GET("/bookings/:id/move", h(s.staffMoveForm))
		lib.POST("/bookings/:id/move", csrf, h(s.staffMove))
		if s.requestsEnabled() {
			lib.GET("/requests", h(s.staffRequests))
			lib.POST("/requests/:id/take", csrf, h(s.staffTakeRequest))
			lib.POST("/requests/:id/offer", csrf, h(s.staffOfferRequest))
			lib.POST("/requests/:id/book", csrf, h(s.staffBookRequest))
		}
		lib.GET("/profile", h(s.staffProfile))
		lib.POST("/profile", csrf, h(s.staffSaveProfile))
		lib.GET("/competences", h(s.staffCompetences))
		lib.POST("/competences", csrf, h(s.staffAddCompetence))
		lib.POST("/competences/:slug/delete", csrf, h(s.staffRemoveCompetence))
		lib.GET("/caldav", h(s.staffCalDAV))
		lib.POST("/app-passwords", csrf, h(s.staffCreateAppPassword))
		lib.POST("/app-passwords/:id/revoke", csrf, h(s.staffRevokeAppPassword))
		if s.cfg.Staff.Hours != nil {
			lib.GET("/hours", h(s.staffHours))
			lib.POST("/hours", csrf, h(s.staffSaveHours))
			lib.GET("/hours/:name", h(s.staffEditHours))
			lib.POST("/hours/:name", csrf, h(s.staffSaveHours))
			lib.POST("/hours/:name/delete", csrf, h(s.staffDeleteHours))
		}
		if s.cfg.Staff.External != nil {
			lib.GET("/external", h(s.staffExternal))
			lib.POST("/external", csrf, h(s.staffAddExternal))
			lib.POST("/external/refresh", csrf, h(s.staffRefreshExternal))
			lib.POST("/external/prefs", csrf, h(s.staffExternalPrefs))
			lib.POST("/external/:cal/delete", csrf, h(s.staffRemoveExternal))
			lib.POST("/caldav/bookings-link", csrf, h(s.staffRenewBookingsLink))
			lib.POST("/caldav/bookings-link/revoke", csrf, h(s.staffRevokeBookingsLink))
		}

		coord := e.Group("/staff/dropin", noStore, limitBody, s.requireRole(booking.RoleCoordinator))
		coord.GET("", h(s.staffDropins))
		coord.GET("/new", h(s.staffNewDropin))
		coord.POST("", csrf, h(s.staffSaveDropin))
		coord.GET("/:name", h(s.staffEditDropin))
		coord.POST("/:name", csrf, h(s.staffSaveDropin))
		coord.POST("/:name/delete", csrf, h(s.staffDeleteDropin))

		admin := e.Group("/admin", noStore, limitBody, s.requireRole(booking.RoleAdmin))
		admin.GET("", s.adminHome)
		admin.GET("/users", h(s.adminUsers))
		admin.POST("/users", csrf, h(s.adminCreateUser))
		admin.GET("/users/:id", h(s.adminUser))
		admin.POST("/users/:id", csrf, h(s.adminUpdateUser))
		admin.POST("/users/:id/password", csrf, h(s.adminResetPassword))
		admin.GET("/users/:id/competences", h(s.staffCompetences))
		admin.POST("/users/:id/competences", csrf, h(s.staffAddCompetence))
		admin.POST("/users/:id/competences/:slug/delete", csrf, h(s.staffRemoveCompetence))
		admin.GET("/topics", h(s.adminTopics))
		admin.POST("/topics", csrf, h(s.adminCreateTopic))
		admin.GET("/topics/:id", h(s.adminTopic))
		admin.POST("/topics/:id", csrf, h(s.adminUpdateTopic))
		admin.GET("/services", h(s.adminServices))
		admin.POST("/services", csrf, h(s.adminCreateService))
		admin.GET("/services/:slug", h(s.adminService))
		admin.POST("/services/:slug", csrf, h(s.adminUpdateService))
		if s.cfg.Staff.Questions != nil {
			admin.POST("/services/:slug/questions", csrf, h(s.adminAddServiceQuestion))
			admin.POST("/topics/:id/questions", csrf, h(s.adminAddTopicQuestion))
			admin.GET("/questions/:id", h(s.adminQuestion))
			admin.POST("/questions/:id", csrf, h(s.adminUpdateQuestion))
			admin.POST("/questions/:id/delete", csrf, h(s.adminDeleteQuestion))
			admin.POST("/questions/:id/up", csrf, h(s.adminQuestionUp))
		}
		admin.GET("/bookings", h(s.adminBookings))
		admin.POST("/bookings/:id/cancel", csrf, h(s.adminCancelBooking))
		admin.GET("/stats", h(s.adminStats))
		admin.GET("/stats/:table", h(s.adminStatsCSV))
		if s.cfg.Staff.Privacy != nil {
			admin.GET("/privacy", h(s.adminPrivacy))
			admin.POST("/privacy/export", csrf, h(s.adminExport))
			admin.POST("/privacy/erase", csrf, h(s.adminErase))
		}
		if s.cfg.Staff.Outbox != nil {
			admin.GET("/outbox", h(s.adminOutbox))
			admin.POST("/outbox/:id/retry", csrf, h(s.adminRetryMessage))
		}
		if s.cfg.Staff.DropInTags != nil {
			admin.GET("/dropin-tags", h(s.adminDropinTags))
		}
		if s.cfg.Staff.Competence != nil {
			admin.GET("/competence", h(s.adminCompetence))
			admin.GET("/competence.csv", h(s.adminCompetenceCSV))
			admin.POST("/competence/tags", csrf, h(s.adminMapTag))
		}
		if s.signInEnabled() {
			admin.GET("/signin", h(s.adminSignIn))
			admin.POST("/signin", csrf, h(s.adminSaveSignIn))
			admin.POST("/users/:id/identity", csrf, h(s.adminLinkIdentity))
			admin.POST("/users/:id/identity/delete", csrf, h(s.adminUnlinkIdentity))
			admin.POST("/services/:slug/signin", csrf, h(s.adminServiceSignIn))
		}
		if s.cfg.Staff.External != nil {
			admin.GET("/external", h(s.adminExternal))
			admin.GET("/users/:id/external", h(s.staffExternal))
			admin.POST("/users/:id/external", csrf, h(s.staffAddExternal))
			admin.POST("/users/:id/external/refresh", csrf, h(s.staffRefreshExternal))
			admin.POST("/users/:id/external/prefs", csrf, h(s.staffExternalPrefs))
			admin.POST("/users/:id/external/:cal/delete", csrf, h(s.staffRemoveExternal))
		}
	}

	// Unknown paths get the API's 404 under /api, the error page elsewhere.
	e.NoRoute(h(func(*gin.Context) error { return errStatus(http.StatusNotFound) }))
}
