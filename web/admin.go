package web

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"veileder/booking"
)

// The admin pages: users and roles, topics and services with their rules,
// every booking with search and cancel on behalf.

// Users.

type usersPage struct {
	staffPage
	Users []booking.User
	Roles []booking.Role
	Form  userForm
}

type userForm struct {
	Username, Name, Email, Role string
}

var roles = []booking.Role{booking.RoleLibrarian, booking.RoleCoordinator, booking.RoleAdmin}

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

// Rules, as the topic and service forms edit them: an empty field
// inherits.

type rulesForm struct {
	MeetingLength, SlotGrid, Buffer string // minutes
	MinNotice                       string // hours
	Horizon                         string // days
	MaxActive, MaxPerDay            string
}

func rulesFormOf(o booking.RulesOverride) rulesForm {
	d := func(p *time.Duration, unit time.Duration) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(float64(*p)/float64(unit), 'f', -1, 64)
	}
	i := func(p *int) string {
		if p == nil {
			return ""
		}
		return strconv.Itoa(*p)
	}
	return rulesForm{
		MeetingLength: d(o.MeetingLength, time.Minute), SlotGrid: d(o.SlotGrid, time.Minute), Buffer: d(o.Buffer, time.Minute),
		MinNotice: d(o.MinNotice, time.Hour), Horizon: d(o.Horizon, 24*time.Hour),
		MaxActive: i(o.MaxActivePerStudent), MaxPerDay: i(o.MaxPerLibrarianPerDay),
	}
}

func readRulesForm(c *gin.Context) rulesForm {
	return rulesForm{
		MeetingLength: c.PostForm("meeting_length"), SlotGrid: c.PostForm("slot_grid"), Buffer: c.PostForm("buffer"),
		MinNotice: c.PostForm("min_notice"), Horizon: c.PostForm("horizon"),
		MaxActive: c.PostForm("max_active"), MaxPerDay: c.PostForm("max_per_day"),
	}
}

// override reads the form; the error names the first bad field.
func (f rulesForm) override() (booking.RulesOverride, string) {
	var o booking.RulesOverride
	dur := func(field, v string, unit time.Duration) (*time.Duration, bool) {
		v = strings.TrimSpace(v)
		if v == "" {
			return nil, true
		}
		n, err := strconv.ParseFloat(strings.ReplaceAll(v, ",", "."), 64)
		if err != nil || n < 0 || n > 1e6 {
			return nil, false
		}
		d := time.Duration(n * float64(unit)).Round(time.Second)
		return &d, true
	}
	num := func(v string) (*int, bool) {
		v = strings.TrimSpace(v)
		if v == "" {
			return nil, true
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 1000 {
			return nil, false
		}
		return &n, true
	}
	var ok bool
	if o.MeetingLength, ok = dur("meeting_length", f.MeetingLength, time.Minute); !ok {
		return o, "meeting_length"
	}
	if o.SlotGrid, ok = dur("slot_grid", f.SlotGrid, time.Minute); !ok {
		return o, "slot_grid"
	}
	if o.Buffer, ok = dur("buffer", f.Buffer, time.Minute); !ok {
		return o, "buffer"
	}
	if o.MinNotice, ok = dur("min_notice", f.MinNotice, time.Hour); !ok {
		return o, "min_notice"
	}
	if o.Horizon, ok = dur("horizon", f.Horizon, 24*time.Hour); !ok {
		return o, "horizon"
	}
	if o.MaxActivePerStudent, ok = num(f.MaxActive); !ok {
		return o, "max_active"
	}
	if o.MaxPerLibrarianPerDay, ok = num(f.MaxPerDay); !ok {
		return o, "max_per_day"
	}
	return o, ""
}

// Topics.

type adminTopicsPage struct {
	staffPage
	Topics   []booking.TopicListing
	Services []booking.Service
	Form     topicForm
}

type topicForm struct {
	Slug, Service, NameNB, NameEN, DescriptionNB, DescriptionEN string
	General, Active                                             bool
	Order                                                       string
	Rules                                                       rulesForm
}

func (s *Server) adminTopics(c *gin.Context) error {
	return s.renderAdminTopics(c, http.StatusOK, topicForm{Active: true}, nil)
}

func (s *Server) renderAdminTopics(c *gin.Context, status int, form topicForm, errs []formError) error {
	ctx := c.Request.Context()
	topics, err := s.cfg.Staff.Store.AllTopics(ctx)
	if err != nil {
		return err
	}
	services, err := s.cfg.Staff.Store.Services(ctx)
	if err != nil {
		return err
	}
	p := adminTopicsPage{staffPage: s.newStaffPage(c, me(c)), Topics: topics, Services: services, Form: form}
	p.Errors = errs
	return s.render(c, status, "admin_topics", p)
}

func readTopicForm(c *gin.Context) topicForm {
	return topicForm{
		Slug: strings.TrimSpace(c.PostForm("slug")), Service: c.PostForm("service"),
		NameNB: c.PostForm("name_nb"), NameEN: c.PostForm("name_en"),
		DescriptionNB: c.PostForm("description_nb"), DescriptionEN: c.PostForm("description_en"),
		General: c.PostForm("general") == "1", Active: c.PostForm("active") == "1",
		Order: c.PostForm("order"), Rules: readRulesForm(c),
	}
}

// topicOf checks the form; the formErrors name the fields.
func (s *Server) topicOf(c *gin.Context, f topicForm) (booking.Topic, []formError) {
	lang := s.lang(c)
	o, bad := f.Rules.override()
	if bad != "" {
		return booking.Topic{}, []formError{{Field: bad, Message: T(lang, "staff.rules.invalid")}}
	}
	if strings.TrimSpace(f.NameNB) == "" || strings.TrimSpace(f.NameEN) == "" {
		return booking.Topic{}, []formError{{Field: "name_nb", Message: T(lang, "staff.topics.names.required")}}
	}
	return booking.Topic{Slug: f.Slug, ServiceSlug: f.Service, NameNB: f.NameNB, NameEN: f.NameEN,
		DescriptionNB: f.DescriptionNB, DescriptionEN: f.DescriptionEN, General: f.General, Rules: o}, nil
}

func (s *Server) adminCreateTopic(c *gin.Context) error {
	f := readTopicForm(c)
	t, errs := s.topicOf(c, f)
	if errs != nil {
		return s.renderAdminTopics(c, http.StatusUnprocessableEntity, f, errs)
	}
	created, err := s.cfg.Staff.Store.CreateTopic(c.Request.Context(), t)
	if err != nil {
		status, errs, ok := s.catalogError(c, err, "slug")
		if !ok {
			return err
		}
		return s.renderAdminTopics(c, status, f, errs)
	}
	if err := s.setTopicListing(c, created.ID, f); err != nil {
		return err
	}
	return done(c, "/admin/topics", "saved")
}

func (s *Server) setTopicListing(c *gin.Context, id int64, f topicForm) error {
	ctx := c.Request.Context()
	if err := s.cfg.Staff.Store.SetTopicActive(ctx, id, f.Active); err != nil {
		return err
	}
	if n, err := strconv.Atoi(strings.TrimSpace(f.Order)); err == nil {
		return s.cfg.Staff.Store.SetTopicOrder(ctx, id, n)
	}
	return nil
}

// catalogError says what the form shows when the store refuses a topic
// or service: a taken slug at field (409), a service that does not exist
// or rules that cannot work above the form (422). ok is false for an
// error that no part of the form explains; the handler returns it.
func (s *Server) catalogError(c *gin.Context, err error, field string) (status int, errs []formError, ok bool) {
	lang := s.lang(c)
	switch {
	case errors.Is(err, booking.ErrConflict):
		return http.StatusConflict, []formError{{Field: field, Message: T(lang, "staff.catalog.slug.taken")}}, true
	case errors.Is(err, booking.ErrInvalid), errors.Is(err, booking.ErrNotFound):
		s.logger.Info("catalogue change refused", "err", err)
		return http.StatusUnprocessableEntity, []formError{{Message: T(lang, "staff.catalog.invalid")}}, true
	}
	return 0, nil, false
}

type adminTopicPage struct {
	staffPage
	ID       int64
	Services []booking.Service
	Form     topicForm
}

func (s *Server) adminTopic(c *gin.Context) error {
	id, err := s.idParam(c, "id")
	if err != nil {
		return err
	}
	all, err := s.cfg.Staff.Store.AllTopics(c.Request.Context())
	if err != nil {
		return err
	}
	for _, t := range all {
		if t.ID == id {
			f := topicForm{Slug: t.Slug, Service: t.ServiceSlug, NameNB: t.NameNB, NameEN: t.NameEN,
				DescriptionNB: t.DescriptionNB, DescriptionEN: t.DescriptionEN, General: t.General, Active: t.Active,
				Order: strconv.Itoa(t.SortOrder), Rules: rulesFormOf(t.Rules)}
			return s.renderAdminTopic(c, http.StatusOK, id, f, nil)
		}
	}
	return errStatus(http.StatusNotFound)
}

func (s *Server) renderAdminTopic(c *gin.Context, status int, id int64, f topicForm, errs []formError) error {
	services, err := s.cfg.Staff.Store.Services(c.Request.Context())
	if err != nil {
		return err
	}
	p := adminTopicPage{staffPage: s.newStaffPage(c, me(c)), ID: id, Services: services, Form: f}
	p.Errors = errs
	return s.render(c, status, "admin_topic", p)
}

func (s *Server) adminUpdateTopic(c *gin.Context) error {
	id, err := s.idParam(c, "id")
	if err != nil {
		return err
	}
	old, err := s.cfg.Staff.Store.TopicByID(c.Request.Context(), id)
	if err != nil {
		return err
	}
	f := readTopicForm(c)
	f.Slug = old.Slug // never changes: it is in librarians' hashtags
	t, errs := s.topicOf(c, f)
	if errs != nil {
		return s.renderAdminTopic(c, http.StatusUnprocessableEntity, id, f, errs)
	}
	t.ID = id
	if _, err := s.cfg.Staff.Store.UpdateTopic(c.Request.Context(), t); err != nil {
		status, errs, ok := s.catalogError(c, err, "service")
		if !ok {
			return err
		}
		return s.renderAdminTopic(c, status, id, f, errs)
	}
	if err := s.setTopicListing(c, id, f); err != nil {
		return err
	}
	return done(c, "/admin/topics/"+strconv.FormatInt(id, 10), "saved")
}

// Services.

type servicesPage struct {
	staffPage
	Services []booking.Service
	Form     serviceForm
}

type serviceForm struct {
	Slug, NameNB, NameEN, DescriptionNB, DescriptionEN string
	Rules                                              rulesForm
}

func (s *Server) adminServices(c *gin.Context) error {
	return s.renderServices(c, http.StatusOK, serviceForm{}, nil)
}

func (s *Server) renderServices(c *gin.Context, status int, f serviceForm, errs []formError) error {
	services, err := s.cfg.Staff.Store.Services(c.Request.Context())
	if err != nil {
		return err
	}
	p := servicesPage{staffPage: s.newStaffPage(c, me(c)), Services: services, Form: f}
	p.Errors = errs
	return s.render(c, status, "admin_services", p)
}

func readServiceForm(c *gin.Context) serviceForm {
	return serviceForm{
		Slug: strings.TrimSpace(c.PostForm("slug")), NameNB: c.PostForm("name_nb"), NameEN: c.PostForm("name_en"),
		DescriptionNB: c.PostForm("description_nb"), DescriptionEN: c.PostForm("description_en"), Rules: readRulesForm(c),
	}
}

func (s *Server) serviceOf(c *gin.Context, f serviceForm) (booking.Service, []formError) {
	lang := s.lang(c)
	o, bad := f.Rules.override()
	if bad != "" {
		return booking.Service{}, []formError{{Field: bad, Message: T(lang, "staff.rules.invalid")}}
	}
	if strings.TrimSpace(f.NameNB) == "" || strings.TrimSpace(f.NameEN) == "" {
		return booking.Service{}, []formError{{Field: "name_nb", Message: T(lang, "staff.topics.names.required")}}
	}
	return booking.Service{Slug: f.Slug, NameNB: f.NameNB, NameEN: f.NameEN, DescriptionNB: f.DescriptionNB,
		DescriptionEN: f.DescriptionEN, Rules: o}, nil
}

func (s *Server) adminCreateService(c *gin.Context) error {
	f := readServiceForm(c)
	svc, errs := s.serviceOf(c, f)
	if errs != nil {
		return s.renderServices(c, http.StatusUnprocessableEntity, f, errs)
	}
	if _, err := s.cfg.Staff.Store.CreateService(c.Request.Context(), svc); err != nil {
		status, errs, ok := s.catalogError(c, err, "slug")
		if !ok {
			return err
		}
		return s.renderServices(c, status, f, errs)
	}
	return done(c, "/admin/services", "saved")
}

type servicePage struct {
	staffPage
	Form serviceForm
}

func (s *Server) adminService(c *gin.Context) error {
	svc, err := s.cfg.Staff.Store.ServiceBySlug(c.Request.Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	f := serviceForm{Slug: svc.Slug, NameNB: svc.NameNB, NameEN: svc.NameEN, DescriptionNB: svc.DescriptionNB,
		DescriptionEN: svc.DescriptionEN, Rules: rulesFormOf(svc.Rules)}
	return s.render(c, http.StatusOK, "admin_service", servicePage{staffPage: s.newStaffPage(c, me(c)), Form: f})
}

func (s *Server) adminUpdateService(c *gin.Context) error {
	if _, err := s.cfg.Staff.Store.ServiceBySlug(c.Request.Context(), c.Param("slug")); err != nil {
		return err
	}
	f := readServiceForm(c)
	f.Slug = c.Param("slug")
	svc, errs := s.serviceOf(c, f)
	if errs == nil {
		if _, err := s.cfg.Staff.Store.UpdateService(c.Request.Context(), svc); err != nil {
			var ok bool
			if _, errs, ok = s.catalogError(c, err, "name_nb"); !ok {
				return err
			}
		}
	}
	if errs != nil {
		p := servicePage{staffPage: s.newStaffPage(c, me(c)), Form: f}
		p.Errors = errs
		return s.render(c, http.StatusUnprocessableEntity, "admin_service", p)
	}
	return done(c, "/admin/services/"+f.Slug, "saved")
}

// Bookings.

type adminBookingsPage struct {
	staffPage
	Bookings []booking.StaffBooking
	Topics   []booking.TopicListing
	Query    bookingQuery
	// Now tells which bookings can still be cancelled.
	Now time.Time
}

type bookingQuery struct {
	Email, Topic, From, To, Status string
}

// adminBookings lists every booking, newest first, filtered by the
// student's address, topic, date and status.
func (s *Server) adminBookings(c *gin.Context) error {
	ctx := c.Request.Context()
	q := bookingQuery{Email: strings.TrimSpace(c.Query("email")), Topic: c.Query("topic"), From: c.Query("from"), To: c.Query("to"), Status: c.Query("status")}
	f := booking.BookingSearch{Email: q.Email, Descending: true, Limit: 300}
	topics, err := s.cfg.Staff.Store.AllTopics(ctx)
	if err != nil {
		return err
	}
	p := adminBookingsPage{staffPage: s.newStaffPage(c, me(c)), Topics: topics, Query: q, Now: s.now()}
	for _, t := range topics {
		if t.Slug == q.Topic {
			f.TopicID = t.ID
		}
	}
	if q.Topic != "" && f.TopicID == 0 {
		p.Errors = append(p.Errors, formError{Field: "topic", Message: T(p.Lang, "staff.bookings.topic.invalid")})
	}
	switch q.Status {
	case "":
	case string(booking.StatusConfirmed), string(booking.StatusCancelled):
		f.Status = booking.Status(q.Status)
	default:
		p.Errors = append(p.Errors, formError{Field: "status", Message: T(p.Lang, "staff.bookings.status.invalid")})
	}
	for _, d := range []struct {
		field, v string
		dst      *time.Time
		days     int
	}{{"from", q.From, &f.From, 0}, {"to", q.To, &f.To, 1}} {
		if d.v == "" {
			continue
		}
		t, err := time.ParseInLocation(time.DateOnly, d.v, s.loc)
		if err != nil {
			p.Errors = append(p.Errors, formError{Field: d.field, Message: T(p.Lang, "staff.bookings.date.invalid")})
			continue
		}
		*d.dst = t.AddDate(0, 0, d.days)
	}
	status := http.StatusOK
	if p.Errors == nil {
		if p.Bookings, err = s.cfg.Staff.Store.StaffBookings(ctx, f); err != nil {
			return err
		}
	} else {
		status = http.StatusUnprocessableEntity
	}
	return s.render(c, status, "admin_bookings", p)
}

// adminCancelBooking cancels a booking on the library's behalf, through
// the scheduling service: the event leaves the librarian's calendar and
// the student is told.
func (s *Server) adminCancelBooking(c *gin.Context) error {
	id, err := s.idParam(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.cfg.Staff.Service.CancelByID(c.Request.Context(), id, booking.PartyAdmin); err != nil {
		return err
	}
	s.logger.Info("admin cancelled booking", "admin", me(c).Username, "booking", id)
	back := "/admin/bookings"
	if r := c.PostForm("back"); strings.HasPrefix(r, "/admin/bookings") && !strings.ContainsAny(r, "\r\n\\") {
		back = r
	}
	return done(c, back, "cancelled")
}
