package web

import (
	"context"
	"crypto/rand"
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/i18n"
)

// The staff pages: librarians, drop-in coordinators and admins sign in
// with the account they use for CalDAV. A session lives in the database
// (only the SHA-256 of its random token is stored) and in an HttpOnly,
// SameSite=Lax cookie, Secure on HTTPS; every POST carries the CSRF token
// of csrf.go. Roles nest: a coordinator may do what a librarian may, an
// admin what a coordinator may.

// StaffStore is what the staff and admin pages need from the store.
type StaffStore interface {
	// AuthenticateAccount checks the account password only: app
	// passwords are for calendar apps, not for the web.
	AuthenticateAccount(ctx context.Context, username, password string) (booking.User, error)
	CreateSession(ctx context.Context, userID int64, ttl time.Duration) (string, error)
	SessionUser(ctx context.Context, token string) (booking.User, error)
	DeleteSession(ctx context.Context, token string) error
	DeleteSessionsOfUser(ctx context.Context, userID int64) error
	// LoginWait, LoginFailed and LoginSucceeded are the sign-in throttle
	// that CalDAV shares (store/throttle.go): how long the client must
	// wait (zero: it may try), a failure to count, a success that clears
	// the client's failures.
	LoginWait(ctx context.Context, c booking.LoginClient) (time.Duration, error)
	LoginFailed(ctx context.Context, c booking.LoginClient) error
	LoginSucceeded(ctx context.Context, c booking.LoginClient) error

	Profile(ctx context.Context, userID int64) (booking.Profile, error)
	SetProfile(ctx context.Context, p booking.Profile) error
	Competences(ctx context.Context, userID int64) ([]booking.Competence, error)
	AddCompetence(ctx context.Context, userID int64, topicSlug string, level booking.Level, languages []string) error
	RemoveCompetence(ctx context.Context, userID int64, topicSlug string) error
	AllTopics(ctx context.Context) ([]booking.TopicListing, error)
	Services(ctx context.Context) ([]booking.Service, error)
	StaffBookings(ctx context.Context, f booking.BookingSearch) ([]booking.StaffBooking, error)
	StaffBooking(ctx context.Context, id int64) (booking.StaffBooking, error)
	SetNoShow(ctx context.Context, bookingID, librarianID int64, noShow bool) error
	SetAttendance(ctx context.Context, bookingID, librarianID int64, a booking.Attendance) error
	CreateAppPassword(ctx context.Context, userID int64, label string) (plain string, id int64, err error)
	AppPasswords(ctx context.Context, userID int64) ([]booking.AppPassword, error)
	RevokeAppPassword(ctx context.Context, userID, id int64) error

	Users(ctx context.Context) ([]booking.User, error)
	UserByID(ctx context.Context, id int64) (booking.User, error)
	CreateUser(ctx context.Context, u booking.User, password string) (booking.User, error)
	SetPassword(ctx context.Context, username, password string) error
	SetDisabled(ctx context.Context, username string, disabled bool) error
	SetRole(ctx context.Context, username string, role booking.Role) error
	SetUserDetails(ctx context.Context, userID int64, displayName, email string) error
	CreateService(ctx context.Context, svc booking.Service) (booking.Service, error)
	UpdateService(ctx context.Context, svc booking.Service) (booking.Service, error)
	ServiceBySlug(ctx context.Context, slug string) (booking.Service, error)
	CreateTopic(ctx context.Context, t booking.Topic) (booking.Topic, error)
	UpdateTopic(ctx context.Context, t booking.Topic) (booking.Topic, error)
	TopicByID(ctx context.Context, id int64) (booking.Topic, error)
	SetTopicActive(ctx context.Context, topicID int64, active bool) error
	SetTopicOrder(ctx context.Context, topicID int64, order int) error
	Statistics(ctx context.Context, from, to time.Time, loc *time.Location) (booking.Stats, error)
	// FeedbackStats are the ratings given in [from, to), without names.
	FeedbackStats(ctx context.Context, from, to time.Time) (booking.FeedbackStats, error)
}

// StaffService is what the staff pages need from the scheduling service.
type StaffService interface {
	// CancelByID cancels a booking on behalf of the library: the event
	// leaves the librarian's calendar and the student is told.
	CancelByID(ctx context.Context, id int64, by booking.Party) (booking.View, error)
	// MoveByID moves a booking to another free time (staff_booking_move.go).
	MoveByID(ctx context.Context, id int64, r booking.MoveRequest) (booking.View, error)
	DropinSessions(ctx context.Context, from time.Time) ([]booking.DropinSession, error)
	DropinSession(ctx context.Context, name string) (booking.DropinSession, error)
	SaveDropinSession(ctx context.Context, d booking.DropinSession) (booking.DropinSession, error)
	DeleteDropinSession(ctx context.Context, name, etag string) error
}

// PrivacyService removes and exports students' personal data.
type PrivacyService interface {
	DeleteOwnData(ctx context.Context, token string) error
	Erase(ctx context.Context, email string) (int, error)
	Export(ctx context.Context, email string) (booking.DataExport, error)
}

// StaffConfig configures the staff and admin pages; they are served only
// when Store and Service are set.
type StaffConfig struct {
	Store   StaffStore
	Service StaffService
	Privacy PrivacyService
	// Outbox and DropInTags, when set, add the admin pages on the e-mail
	// outbox's health (admin_outbox.go) and on drop-in tags that name no
	// topic (admin_dropin_tags.go).
	Outbox     Outbox
	DropInTags DropInTags
	// External, when set, adds the pages on external calendars
	// (staff_external.go) and the private bookings link on the calendar
	// set-up page.
	External ExternalCalendars
	// Hours, when set, adds the weekly guidance hours page
	// (staff_hours.go).
	Hours HoursService
	// Questions, when set, adds the intake questions to the admin's
	// service and topic pages (admin_questions.go).
	Questions QuestionStore
	// SessionTTL is how long a sign-in lasts; zero means 10 hours, a
	// working day.
	SessionTTL time.Duration
	// DeviceKey signs the device cookies of device.go; replicas need the
	// same key. Nil means a random key per process.
	DeviceKey []byte
	// CalDAVPath is where the CalDAV tree is mounted ("/dav"), for the
	// set-up page.
	CalDAVPath string
	// Desk and DeskSlots, when both set, add the first line's inquiry log
	// and hand-over (staff_desk.go) for every staff role.
	Desk      DeskStore
	DeskSlots DeskSlots
	// Competence, when set, adds the admin's competence development page
	// (admin_competence.go).
	Competence CompetenceStore
	// Tokens, with the inquiry log, adds the staff's API tokens page and
	// POST /api/inquiries (api_inquiries.go).
	Tokens TokenStore
	// Requests and RequestStore, when both set, add the requests: the
	// staff's list and pages (staff_requests.go), the student's form and
	// offered times (request.go), and with Tokens POST /api/requests.
	Requests     RequestService
	RequestStore RequestStore
	// Offered, when set, adds the hours librarians offered to the
	// competence page (their availability windows for each topic).
	Offered OfferedHours
}

// staffDeps is the staff pages' share of the Server.
type staffDeps struct {
	cfg       StaffConfig
	deviceKey []byte
}

// staffPageNames are the staff templates the handlers render.
var staffPageNames = []string{
	"staff_login", "staff_forbidden", "staff_bookings", "staff_profile", "staff_competences", "staff_caldav", "staff_password",
	"staff_dropin", "staff_dropin_form", "staff_studentdata", "staff_desk", "staff_desk_book", "admin_competence", "staff_api_tokens",
	"admin_users", "admin_user", "admin_topics", "admin_topic", "admin_services", "admin_service",
	"admin_bookings", "admin_stats", "admin_privacy", "admin_outbox", "admin_dropin_tags",
	"staff_external", "admin_external", "staff_hours", "staff_hours_form", "admin_signin",
	"staff_requests", "staff_request", "staff_request_new",
}

// initStaff sets up the staff pages' templates and limits. The staff
// templates are parsed with staff_partials.html besides the layout, so
// that they share the staff navigation and the chart.
func (s *Server) initStaff() error {
	cfg := s.cfg.Staff
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 10 * time.Hour
	}
	if cfg.CalDAVPath == "" {
		cfg.CalDAVPath = "/dav"
	}
	s.staff = staffDeps{cfg: cfg, deviceKey: cfg.DeviceKey}
	if len(s.staff.deviceKey) == 0 {
		s.staff.deviceKey = make([]byte, 32)
		_, _ = rand.Read(s.staff.deviceKey) // crypto/rand.Read never fails
	}
	return s.parseStaffPages(templateFS)
}

func (s *Server) staffEnabled() bool { return s.cfg.Staff.Store != nil && s.cfg.Staff.Service != nil }

func (s *Server) parseStaffPages(fsys fs.FS) error {
	base, err := template.New("layout.html").ParseFS(fsys, "templates/layout.html", "templates/partials.html", "templates/staff_partials.html")
	if err != nil {
		return fmt.Errorf("web: parse staff layout: %w", err)
	}
	for _, pattern := range []string{"templates/staff_*.html", "templates/admin_*.html"} {
		names, err := fs.Glob(fsys, pattern)
		if err != nil {
			return fmt.Errorf("web: list staff templates: %w", err)
		}
		for _, file := range names {
			name := strings.TrimSuffix(path.Base(file), ".html")
			if name == "staff_partials" {
				delete(s.pages, name)
				continue
			}
			t, err := template.Must(base.Clone()).ParseFS(fsys, file)
			if err != nil {
				return fmt.Errorf("web: parse %s: %w", name, err)
			}
			s.pages[name] = t
		}
	}
	for _, want := range staffPageNames {
		if s.pages[want] == nil {
			return fmt.Errorf("web: template %s.html is missing", want)
		}
	}
	return nil
}

// The session cookie.

func (s *Server) staffCookieName() string {
	if s.cfg.SecureCookies {
		return "__Host-staff"
	}
	return "staff"
}

func (s *Server) setStaffCookie(c *gin.Context, token string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: s.staffCookieName(), Value: token, Path: "/", MaxAge: maxAge,
		Secure: s.cfg.SecureCookies, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
}

// staffUserKey holds the signed-in user in the Gin context.
const staffUserKey = "web.staffUser"

// staffUser returns the user the request's session belongs to, if any.
func (s *Server) staffUser(c *gin.Context) (booking.User, bool, error) {
	if v, ok := c.Get(staffUserKey); ok {
		return v.(booking.User), true, nil
	}
	ck, err := c.Request.Cookie(s.staffCookieName())
	if err != nil || ck.Value == "" {
		return booking.User{}, false, nil
	}
	u, err := s.cfg.Staff.Store.SessionUser(c.Request.Context(), ck.Value)
	switch {
	case errors.Is(err, booking.ErrUnauthenticated):
		return booking.User{}, false, nil
	case err != nil:
		return booking.User{}, false, err
	}
	c.Set(staffUserKey, u)
	return u, true, nil
}

// requireRole lets a signed-in user with at least role through. Anyone
// else is sent to the sign-in page (and back after it); a user with a
// lesser role gets 403.
func (s *Server) requireRole(role booking.Role) gin.HandlerFunc {
	return s.handle(func(c *gin.Context) error {
		u, ok, err := s.staffUser(c)
		if err != nil {
			return fmt.Errorf("web: staff session: %w", err)
		}
		if !ok {
			next := ""
			if c.Request.Method == http.MethodGet {
				next = c.Request.URL.Path
			}
			c.Redirect(http.StatusSeeOther, loginURL(next))
			c.Abort()
			return nil
		}
		if roleRank(u.Role) < roleRank(role) {
			// The staff's own 403, with their navigation, rather than the
			// error page, which speaks of stale forms.
			s.logger.Info("staff page refused", "path", c.Request.URL.Path, "user", u.Username, "role", u.Role)
			c.Abort()
			return s.render(c, http.StatusForbidden, "staff_forbidden", s.newStaffPage(c, u))
		}
		c.Next()
		return nil
	})
}

func roleRank(r booking.Role) int {
	switch r {
	case booking.RoleDesk:
		return 1
	case booking.RoleLibrarian:
		return 2
	case booking.RoleCoordinator:
		return 3
	case booking.RoleAdmin:
		return 4
	}
	return 0
}

func loginURL(next string) string {
	if !safeNext(next) {
		return "/staff/login"
	}
	return "/staff/login?" + url.Values{"next": {next}}.Encode()
}

// safeNext accepts only our own staff paths, so that the sign-in page
// cannot be made to send anyone elsewhere.
func safeNext(next string) bool {
	return (strings.HasPrefix(next, "/staff/") || strings.HasPrefix(next, "/admin/") || next == "/staff" || next == "/admin") &&
		!strings.ContainsAny(next, "\\\r\n") && !strings.HasPrefix(next, "//")
}

// me is the signed-in user; requireRole has run.
func me(c *gin.Context) booking.User {
	u, _ := c.Get(staffUserKey)
	return u.(booking.User)
}

// staffPage is what every staff template gets.
type staffPage struct {
	page
	User booking.User
	// Nav is the navigation in groups: the group of the page shown lists
	// its pages, the others are one link each, so that an admin's
	// twenty pages do not fill the screen.
	Nav []navGroup
	// Done is a confirmation of what the last form did.
	Done string
	// External says the external calendar pages are served.
	External bool
	// Path is the page's own path, for the links that mark it.
	Path string
}

type navItem struct {
	Path, Key string
	Current   bool
}

// navGroup is one group of the staff navigation: its name, its pages and
// whether the page shown is one of them.
type navGroup struct {
	Key     string
	Items   []navItem
	Current bool
}

// Path is where the group's link goes: its first page.
func (g navGroup) Path() string { return g.Items[0].Path }

// CurrentPage says the group's link is the page shown, not only its group.
func (g navGroup) CurrentPage() bool { return g.Current && len(g.Items) == 1 }

// newStaffPage starts a staff page for u (the zero user on the sign-in
// page), with the navigation the user's role allows.
func (s *Server) newStaffPage(c *gin.Context, u booking.User) staffPage {
	p := staffPage{page: s.newPage(c, nil), User: u, External: s.cfg.Staff.External != nil, Path: c.Request.URL.Path}
	// The students' "My bookings" would be a second link of that name
	// beside the librarian's own.
	p.MyBookings = false
	p.CSRF = s.csrfToken(c)
	if u.ID != 0 {
		p.Nav = s.staffNav(u, c.Request.URL.Path)
	}
	if d := c.Query("done"); d != "" {
		if _, ok := i18n.Lookup(p.Lang, "staff.done."+d); ok {
			p.Done = "staff.done." + d
		}
	}
	return p
}

// staffNav is the navigation u's role allows, with the page at path
// marked: in groups by what the pages are for (one's own work, the first
// line, drop-in, reports, administration). The password page is beside
// the sign-out button, on every page.
func (s *Server) staffNav(u booking.User, path string) []navGroup {
	var mine, reports, admin []navItem
	if roleRank(u.Role) >= roleRank(booking.RoleLibrarian) {
		mine = append(mine,
			navItem{Path: "/staff/bookings", Key: "staff.nav.bookings"},
		)
		if s.requestsEnabled() {
			mine = append(mine, navItem{Path: "/staff/requests", Key: "staff.nav.requests"})
		}
		mine = append(mine,
			navItem{Path: "/staff/profile", Key: "staff.nav.profile"},
			navItem{Path: "/staff/competences", Key: "staff.nav.competences"},
		)
		if s.cfg.Staff.Hours != nil {
			mine = append(mine, navItem{Path: "/staff/hours", Key: "staff.nav.hours"})
		}
		mine = append(mine, navItem{Path: "/staff/caldav", Key: "staff.nav.caldav"})
		if s.cfg.Staff.External != nil {
			mine = append(mine, navItem{Path: "/staff/external", Key: "staff.nav.external"})
		}
	}
	var groups []navGroup
	if len(mine) > 0 {
		groups = append(groups, navGroup{Key: "staff.nav.group.mine", Items: mine})
	}
	desk := s.deskNav()
	if s.requestsEnabled() {
		desk = append(desk, navItem{Path: "/staff/requests/new", Key: "staff.nav.requests.new"})
	}
	if len(desk) > 0 {
		groups = append(groups, navGroup{Key: "staff.nav.group.desk", Items: desk})
	}
	if roleRank(u.Role) >= roleRank(booking.RoleCoordinator) {
		groups = append(groups, navGroup{Key: "staff.nav.group.dropin", Items: []navItem{{Path: "/staff/dropin", Key: "staff.nav.dropin"}}})
	}
	if u.Role == booking.RoleAdmin {
		reports = append(reports, navItem{Path: "/admin/stats", Key: "staff.nav.admin.stats"})
		if s.cfg.Staff.Competence != nil {
			reports = append(reports, navItem{Path: "/admin/competence", Key: "staff.nav.admin.competence"})
		}
		admin = append(admin,
			navItem{Path: "/admin/bookings", Key: "staff.nav.admin.bookings"},
			navItem{Path: "/admin/users", Key: "staff.nav.admin.users"},
			navItem{Path: "/admin/topics", Key: "staff.nav.admin.topics"},
			navItem{Path: "/admin/services", Key: "staff.nav.admin.services"},
		)
		if s.cfg.Staff.DropInTags != nil {
			admin = append(admin, navItem{Path: "/admin/dropin-tags", Key: "staff.nav.admin.dropintags"})
		}
		if s.cfg.Staff.External != nil {
			admin = append(admin, navItem{Path: "/admin/external", Key: "staff.nav.admin.external"})
		}
		if s.cfg.Staff.Outbox != nil {
			admin = append(admin, navItem{Path: "/admin/outbox", Key: "staff.nav.admin.outbox"})
		}
		if s.signInEnabled() {
			admin = append(admin, navItem{Path: "/admin/signin", Key: "staff.nav.admin.signin"})
		}
		admin = append(admin, navItem{Path: "/admin/privacy", Key: "staff.nav.admin.privacy"})
		groups = append(groups,
			navGroup{Key: "staff.nav.group.reports", Items: reports},
			navGroup{Key: "staff.nav.group.admin", Items: admin})
	}
	// The page is the item whose path is the longest that the page's
	// begins with: /staff/requests/new is its own, not /staff/requests.
	best, bg, bi := -1, 0, 0
	for g := range groups {
		for i, it := range groups[g].Items {
			if (path == it.Path || strings.HasPrefix(path, it.Path+"/")) && len(it.Path) > best {
				best, bg, bi = len(it.Path), g, i
			}
		}
	}
	if best >= 0 {
		groups[bg].Items[bi].Current, groups[bg].Current = true, true
	}
	return groups
}

// RoleName is a role's name in the page's language.
func (p staffPage) RoleName(r booking.Role) string { return p.T("staff.role." + string(r)) }

// LocalInput formats a time for a datetime-local input in the library's
// zone.
func (p page) LocalInput(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(p.loc).Format("2006-01-02T15:04")
}

// DateInput formats a date for a date input.
func (p page) DateInput(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(p.loc).Format(time.DateOnly)
}

// Join joins strings with ", ".
func (p page) Join(list []string) string { return strings.Join(list, ", ") }

// done redirects after a successful form to path with a confirmation; it
// returns nil, so that a handler can end with it.
func done(c *gin.Context, path, what string) error {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	c.Redirect(http.StatusSeeOther, path+sep+"done="+url.QueryEscape(what))
	return nil
}

// idParam reads a numeric path parameter; a bad one is a page that does
// not exist.
func (s *Server) idParam(c *gin.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, errStatus(http.StatusNotFound)
	}
	return id, nil
}

// Sign-in and sign-out.

type loginPage struct {
	staffPage
	Username string
	Next     string
	Out      bool
	// Provider and SignInURL offer sign-in with the provider, when it is
	// configured; PasswordsOff hides the password form.
	Provider     string
	SignInURL    string
	PasswordsOff bool
}

// newLoginPage starts the sign-in page for the path next.
func (s *Server) newLoginPage(c *gin.Context, next string) (loginPage, error) {
	if !safeNext(next) {
		next = ""
	}
	p := loginPage{staffPage: s.newStaffPage(c, booking.User{}), Next: next}
	if s.signInEnabled() {
		p.Provider = s.cfg.SignIn.Client.Name()
		p.SignInURL = "/signin/staff"
		if next != "" {
			p.SignInURL += "?" + url.Values{"next": {next}}.Encode()
		}
		off, err := s.localPasswordsOff(c.Request.Context())
		if err != nil {
			return loginPage{}, err
		}
		p.PasswordsOff = off
	}
	return p, nil
}

func (s *Server) staffLoginForm(c *gin.Context) error {
	if u, ok, _ := s.staffUser(c); ok && u.ID != 0 {
		c.Redirect(http.StatusSeeOther, "/staff")
		return nil
	}
	p, err := s.newLoginPage(c, c.Query("next"))
	if err != nil {
		return err
	}
	p.Out = c.Query("out") == "1"
	return s.render(c, http.StatusOK, "staff_login", p)
}

// staffLogin checks the account password. Every failure gets the same
// message, so that the page does not tell which user names exist; failed
// tries are throttled in the store, shared with CalDAV (store/throttle.go),
// and a browser that signed in as the user before is judged by its device
// cookie alone (device.go).
func (s *Server) staffLogin(c *gin.Context) error {
	username := strings.ToLower(strings.TrimSpace(c.PostForm("username")))
	password := c.PostForm("password")
	next := c.PostForm("next")
	if !safeNext(next) {
		next = ""
	}
	p, err := s.newLoginPage(c, next)
	if err != nil {
		return err
	}
	p.Username = username
	if p.PasswordsOff {
		// Turned off by an admin (admin_signin.go): the provider only.
		p.Errors = []formError{{Message: p.T("staff.signin.passwordsoff", p.Provider)}}
		return s.render(c, http.StatusForbidden, "staff_login", p)
	}
	ctx := c.Request.Context()
	client := s.loginClient(c, username)
	wait, err := s.loginWait(c, client)
	if err != nil {
		return err
	}
	if wait > 0 {
		p.Errors = []formError{{Message: p.T("staff.login.locked", int((wait+time.Minute-1)/time.Minute))}}
		return s.render(c, http.StatusTooManyRequests, "staff_login", p)
	}
	var u booking.User
	err = booking.ErrUnauthenticated
	if username != "" && password != "" && len(password) <= 1024 && len(username) <= 254 {
		u, err = s.cfg.Staff.Store.AuthenticateAccount(ctx, username, password)
	}
	switch {
	case errors.Is(err, booking.ErrUnauthenticated):
		s.logger.Info("staff sign-in failed", "user", username)
		if err := s.cfg.Staff.Store.LoginFailed(ctx, client); err != nil {
			s.logger.Error("count failed staff sign-in", "user", username, "err", err)
		}
		p.Errors = []formError{{Field: "username", Message: p.T("staff.login.failed")}}
		return s.render(c, http.StatusUnauthorized, "staff_login", p)
	case err != nil:
		return err
	}
	if err := s.cfg.Staff.Store.LoginSucceeded(ctx, client); err != nil {
		s.logger.Warn("clear failed staff sign-ins", "user", username, "err", err)
	}
	s.setDeviceCookie(c, u.Username)
	s.logger.Info("staff signed in", "user", u.Username, "role", u.Role)
	return s.startStaffSession(c, u, next)
}

// startStaffSession signs u in on this browser, by password or with the
// provider, and goes to next (the staff home when empty).
func (s *Server) startStaffSession(c *gin.Context, u booking.User, next string) error {
	token, err := s.cfg.Staff.Store.CreateSession(c.Request.Context(), u.ID, s.staff.cfg.SessionTTL)
	if err != nil {
		return err
	}
	// A session the browser held before is ended: a new sign-in gets a
	// new token (no session fixation).
	if old, err := c.Request.Cookie(s.staffCookieName()); err == nil && old.Value != "" {
		if err := s.cfg.Staff.Store.DeleteSession(c.Request.Context(), old.Value); err != nil {
			s.logger.Warn("end previous staff session", "err", err)
		}
	}
	s.setStaffCookie(c, token, int(s.staff.cfg.SessionTTL.Seconds()))
	if !safeNext(next) {
		next = ""
	}
	if next == "" {
		next = "/staff"
	}
	c.Redirect(http.StatusSeeOther, next)
	return nil
}

// loginWait asks the throttle how long client must wait before it may
// try a password (zero: now); when it must wait, Retry-After says how
// long, and the caller renders its page.
func (s *Server) loginWait(c *gin.Context, client booking.LoginClient) (time.Duration, error) {
	wait, err := s.cfg.Staff.Store.LoginWait(c.Request.Context(), client)
	if err != nil || wait <= 0 {
		return 0, err
	}
	c.Header("Retry-After", strconv.Itoa(int(wait/time.Second)))
	s.logger.Warn("staff password check throttled", "user", client.Username, "device", client.Device != "", "wait", wait)
	return wait, nil
}

func (s *Server) staffLogout(c *gin.Context) error {
	if ck, err := c.Request.Cookie(s.staffCookieName()); err == nil && ck.Value != "" {
		if err := s.cfg.Staff.Store.DeleteSession(c.Request.Context(), ck.Value); err != nil {
			return err
		}
	}
	s.setStaffCookie(c, "", -1)
	c.Redirect(http.StatusSeeOther, "/staff/login?out=1")
	return nil
}

// staffHome sends each role to its first page.
func (s *Server) staffHome(c *gin.Context) {
	if me(c).Role == booking.RoleDesk {
		c.Redirect(http.StatusSeeOther, s.deskHome())
		return
	}
	c.Redirect(http.StatusSeeOther, "/staff/bookings")
}

func (s *Server) adminHome(c *gin.Context) { c.Redirect(http.StatusSeeOther, "/admin/bookings") }

//go:embed static/staff.css
var staffCSS []byte

// staffStyle serves the staff pages' stylesheet.
var staffStyle = embeddedFile(staffCSS, "text/css; charset=utf-8", 3600)
