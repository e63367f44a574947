package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/i18n"
)

// The librarian's own pages: bookings, profile, competences and the
// CalDAV set-up with app passwords. Every role has them.

// pastDays is how far back the bookings page lists past meetings, to mark
// no-shows.
const pastDays = 30

type bookingsPage struct {
	staffPage
	Upcoming, Past []booking.StaffBooking
	now            time.Time
	// OpenRequests counts the open requests in the librarian's topics,
	// for the notice that leads to them (staff_requests.go).
	OpenRequests int
}

// NotBegun says whether the meeting is still to come, so that it can be
// cancelled.
func (p bookingsPage) NotBegun(b booking.StaffBooking) bool { return p.now.Before(b.Start) }

// TopicOf names a booking's topic in the page's language.
func (p staffPage) TopicOf(b booking.StaffBooking) string {
	return booking.InLang(p.Lang, b.TopicNameNB, b.TopicNameEN)
}

// LanguageOf names a booking's meeting language in the page's language.
func (p staffPage) LanguageOf(b booking.StaffBooking) string {
	return i18n.LanguageName(p.Lang, b.Language)
}

// StatusOf says where a booking stands, for staff.
func (p staffPage) StatusOf(b booking.StaffBooking) string {
	switch {
	case b.Active() && b.NoShow:
		return p.T("staff.status.noshow")
	case b.Active() && b.Held:
		return p.T("staff.status.held")
	case b.Active():
		return p.T("status.confirmed")
	case b.CancelledBy != "":
		return p.T("staff.status.cancelled." + string(b.CancelledBy))
	}
	return p.T("status.cancelled")
}

func (s *Server) staffBookings(c *gin.Context) error {
	u := me(c)
	now := s.now()
	ctx := c.Request.Context()
	up, err := s.cfg.Staff.Store.StaffBookings(ctx, booking.BookingSearch{LibrarianID: u.ID, From: now.Add(-2 * time.Hour), Status: booking.StatusConfirmed})
	if err != nil {
		return err
	}
	past, err := s.cfg.Staff.Store.StaffBookings(ctx, booking.BookingSearch{LibrarianID: u.ID, From: now.AddDate(0, 0, -pastDays), To: now, Status: booking.StatusConfirmed, Descending: true})
	if err != nil {
		return err
	}
	// A meeting under way is both upcoming and past: it may be marked.
	up = slices.DeleteFunc(up, func(b booking.StaffBooking) bool { return !b.End.After(now) })
	p := bookingsPage{staffPage: s.newStaffPage(c, u), Upcoming: up, Past: past, now: now}
	if s.requestsEnabled() {
		ids, err := s.myTopics(ctx, u.ID)
		if err != nil {
			return err
		}
		if len(ids) > 0 {
			open, err := s.cfg.Staff.RequestStore.Requests(ctx, booking.RequestSearch{TopicIDs: ids, States: []booking.RequestState{booking.RequestOpen}})
			if err != nil {
				return err
			}
			p.OpenRequests = len(open)
		}
	}
	return s.render(c, http.StatusOK, "staff_bookings", p)
}

// staffNoShow marks one of the librarian's past bookings as a no-show, or
// clears the mark.
func (s *Server) staffNoShow(c *gin.Context) error {
	id, err := s.idParam(c, "id")
	if err != nil {
		return err
	}
	noShow := c.PostForm("no_show") == "1"
	if err := s.cfg.Staff.Store.SetNoShow(c.Request.Context(), id, me(c).ID, noShow); err != nil {
		return err
	}
	return done(c, "/staff/bookings", "noshow")
}

// staffAttendance marks one of the librarian's meetings that has begun
// as held or as a no-show, or clears the mark.
func (s *Server) staffAttendance(c *gin.Context) error {
	id, err := s.idParam(c, "id")
	if err != nil {
		return err
	}
	a := booking.Attendance(c.PostForm("attendance"))
	switch a {
	case booking.AttendanceUnknown, booking.AttendanceHeld, booking.AttendanceNoShow:
	default:
		return errStatus(http.StatusBadRequest)
	}
	if err := s.cfg.Staff.Store.SetAttendance(c.Request.Context(), id, me(c).ID, a); err != nil {
		return err
	}
	return done(c, "/staff/bookings", "noshow")
}

// AnswerLabel and AnswerText show an intake answer in the page's language.
func (p staffPage) AnswerLabel(a booking.Answer) string { return a.Label(p.Lang) }
func (p staffPage) AnswerText(a booking.Answer) string  { return a.Text(p.Lang) }

// Profile.

type profilePage struct {
	staffPage
	Profile   booking.Profile
	Languages string
}

func (s *Server) staffProfile(c *gin.Context) error {
	u := me(c)
	p, err := s.cfg.Staff.Store.Profile(c.Request.Context(), u.ID)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "staff_profile", profilePage{staffPage: s.newStaffPage(c, u), Profile: p, Languages: strings.Join(p.Languages, ", ")})
}

func (s *Server) staffSaveProfile(c *gin.Context) error {
	u := me(c)
	page := profilePage{staffPage: s.newStaffPage(c, u), Languages: c.PostForm("languages")}
	page.Profile = booking.Profile{
		UserID:           u.ID,
		Campus:           strings.TrimSpace(c.PostForm("campus")),
		InPerson:         c.PostForm("in_person") == "1",
		Online:           c.PostForm("online") == "1",
		NotifyNewBooking: c.PostForm("notify_new_booking") == "1",
		NotifyRequests:   c.PostForm("notify_requests") == "1",
		MeetingURL:       strings.TrimSpace(c.PostForm("meeting_url")),
	}
	langs, err := parseLanguages(page.Languages)
	switch {
	case err != nil:
		page.Errors = []formError{{Field: "languages", Message: page.T("staff.profile.languages.invalid")}}
	case len(langs) == 0:
		page.Errors = []formError{{Field: "languages", Message: page.T("staff.profile.languages.required")}}
	case !page.Profile.InPerson && !page.Profile.Online:
		page.Errors = []formError{{Field: "in_person", Message: page.T("staff.profile.modes.required")}}
	case len([]rune(page.Profile.Campus)) > maxCampusLen:
		page.Errors = []formError{{Field: "campus", Message: fieldMessage(page.Lang, "campus", "too_long")}}
	default:
		var fe *booking.FieldError
		if err := booking.ValidMeetingURL(page.Profile.MeetingURL); errors.As(err, &fe) {
			page.Errors = []formError{{Field: fe.Field, Message: fieldMessage(page.Lang, fe.Field, fe.Code)}}
		}
	}
	if page.Errors != nil {
		return s.render(c, http.StatusUnprocessableEntity, "staff_profile", page)
	}
	page.Profile.Languages = langs
	if err := s.cfg.Staff.Store.SetProfile(c.Request.Context(), page.Profile); err != nil {
		if errors.Is(err, booking.ErrInvalid) {
			page.Errors = []formError{{Field: "languages", Message: page.T("staff.profile.languages.invalid")}}
			return s.render(c, http.StatusUnprocessableEntity, "staff_profile", page)
		}
		return err
	}
	return done(c, "/staff/profile", "saved")
}

// parseLanguages reads "nb, en" into codes of two or three letters.
func parseLanguages(s string) ([]string, error) {
	var out []string
	for part := range strings.SplitSeq(s, ",") {
		l := strings.ToLower(strings.TrimSpace(part))
		if l == "" {
			continue
		}
		if len(l) < 2 || len(l) > 3 || strings.Trim(l, "abcdefghijklmnopqrstuvwxyz") != "" {
			return nil, errors.New("bad language code")
		}
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out, nil
}

// Competences, the librarian's own (/staff/competences) or, for an admin,
// any user's (/admin/users/:id/competences).

type competencesPage struct {
	staffPage
	Target      booking.User
	Base        string
	Competences []competenceView
	Topics      []booking.TopicListing
	Form        competenceForm
}

type competenceView struct {
	booking.Competence
	Topic booking.TopicListing
}

type competenceForm struct {
	Topic, Level, Languages string
}

// targetUser is the user a librarian page is about, and the address of
// that page: the signed-in user at /staff/<page>, or, for an admin, the
// user of the path's id at /admin/users/<id>/<page>.
func (s *Server) targetUser(c *gin.Context, page string) (booking.User, string, error) {
	if c.Param("id") == "" {
		return me(c), "/staff/" + page, nil
	}
	id, err := s.idParam(c, "id")
	if err != nil {
		return booking.User{}, "", err
	}
	u, err := s.cfg.Staff.Store.UserByID(c.Request.Context(), id)
	if err != nil {
		return booking.User{}, "", err
	}
	return u, "/admin/users/" + strconv.FormatInt(id, 10) + "/" + page, nil
}

func (s *Server) staffCompetences(c *gin.Context) error {
	target, base, err := s.targetUser(c, "competences")
	if err != nil {
		return err
	}
	return s.renderCompetences(c, http.StatusOK, target, base, competenceForm{Level: string(booking.LevelPrimary)}, nil)
}

func (s *Server) renderCompetences(c *gin.Context, status int, target booking.User, base string, form competenceForm, errs []formError) error {
	ctx := c.Request.Context()
	comps, err := s.cfg.Staff.Store.Competences(ctx, target.ID)
	if err != nil {
		return err
	}
	topics, err := s.cfg.Staff.Store.AllTopics(ctx)
	if err != nil {
		return err
	}
	p := competencesPage{staffPage: s.newStaffPage(c, me(c)), Target: target, Base: base, Topics: topics, Form: form}
	p.Errors = errs
	for _, comp := range comps {
		v := competenceView{Competence: comp}
		for _, t := range topics {
			if t.ID == comp.TopicID {
				v.Topic = t
			}
		}
		p.Competences = append(p.Competences, v)
	}
	return s.render(c, status, "staff_competences", p)
}

func (s *Server) staffAddCompetence(c *gin.Context) error {
	target, base, err := s.targetUser(c, "competences")
	if err != nil {
		return err
	}
	form := competenceForm{Topic: c.PostForm("topic"), Level: c.PostForm("level"), Languages: c.PostForm("languages")}
	lang := s.lang(c)
	level, err := booking.ParseLevel(form.Level)
	if err != nil {
		return s.renderCompetences(c, http.StatusUnprocessableEntity, target, base, form, []formError{{Field: "level", Message: T(lang, "staff.competences.level.invalid")}})
	}
	langs, err := parseLanguages(form.Languages)
	if err != nil {
		return s.renderCompetences(c, http.StatusUnprocessableEntity, target, base, form, []formError{{Field: "languages", Message: T(lang, "staff.profile.languages.invalid")}})
	}
	if form.Topic == "" {
		return s.renderCompetences(c, http.StatusUnprocessableEntity, target, base, form, []formError{{Field: "topic", Message: T(lang, "staff.competences.topic.required")}})
	}
	err = s.cfg.Staff.Store.AddCompetence(c.Request.Context(), target.ID, form.Topic, level, langs)
	switch {
	case errors.Is(err, booking.ErrNotFound):
		return s.renderCompetences(c, http.StatusUnprocessableEntity, target, base, form, []formError{{Field: "topic", Message: T(lang, "staff.competences.topic.required")}})
	case err != nil:
		return err
	}
	return done(c, base, "saved")
}

func (s *Server) staffRemoveCompetence(c *gin.Context) error {
	target, base, err := s.targetUser(c, "competences")
	if err != nil {
		return err
	}
	if err := s.cfg.Staff.Store.RemoveCompetence(c.Request.Context(), target.ID, c.Param("slug")); err != nil {
		return err
	}
	return done(c, base, "removed")
}

// CalDAV set-up and app passwords.

type caldavPage struct {
	staffPage
	// ServerURL is the address to give a calendar app that discovers the
	// rest; PrincipalURL and HomeURL are the exact ones for apps that ask.
	ServerURL, PrincipalURL, HomeURL, Host string
	Calendars                              []calendarURL
	Passwords                              []booking.AppPassword
	// NewPassword is shown once, right after it was made.
	NewPassword, NewLabel string
	Label                 string
	// BookingsLinks says the private bookings link is offered;
	// BookingsLink is the user's, empty when they have none.
	BookingsLinks bool
	BookingsLink  string
}

type calendarURL struct{ Slug, URL string }

func (s *Server) staffCalDAV(c *gin.Context) error {
	return s.renderCalDAV(c, http.StatusOK, "", "", nil)
}

func (s *Server) renderCalDAV(c *gin.Context, status int, plain, label string, errs []formError) error {
	u := me(c)
	list, err := s.cfg.Staff.Store.AppPasswords(c.Request.Context(), u.ID)
	if err != nil {
		return err
	}
	base := s.baseURL(c)
	dav := base + strings.TrimSuffix(s.staff.cfg.CalDAVPath, "/")
	user := url.PathEscape(u.Username)
	p := caldavPage{
		staffPage:    s.newStaffPage(c, u),
		ServerURL:    base + "/",
		PrincipalURL: dav + "/principals/" + user + "/",
		HomeURL:      dav + "/calendars/" + user + "/",
		Passwords:    list,
		NewPassword:  plain,
		NewLabel:     label,
	}
	if pu, err := url.Parse(base); err == nil {
		p.Host = pu.Host
	}
	for _, slug := range []string{"availability", "bookings", "personal", "dropin"} {
		p.Calendars = append(p.Calendars, calendarURL{Slug: slug, URL: p.HomeURL + slug + "/"})
	}
	if ext := s.cfg.Staff.External; ext != nil {
		p.BookingsLinks = true
		if p.BookingsLink, err = ext.BookingsLink(c.Request.Context(), u.ID); err != nil {
			return err
		}
	}
	p.Errors = errs
	if plain != "" || p.BookingsLink != "" {
		// A password or a secret link is in this page: keep it out of
		// every cache.
		c.Header("Cache-Control", "no-store")
	}
	return s.render(c, status, "staff_caldav", p)
}

func (s *Server) staffCreateAppPassword(c *gin.Context) error {
	u := me(c)
	label := strings.TrimSpace(c.PostForm("label"))
	if label == "" || len([]rune(label)) > 100 {
		return s.renderCalDAV(c, http.StatusUnprocessableEntity, "", "", []formError{{Field: "label", Message: T(s.lang(c), "staff.caldav.label.invalid")}})
	}
	plain, _, err := s.cfg.Staff.Store.CreateAppPassword(c.Request.Context(), u.ID, label)
	if err != nil {
		return err
	}
	s.logger.Info("app password created", "user", u.Username)
	// Shown in the answer to the POST, never in a URL: a reload cannot
	// show it again.
	return s.renderCalDAV(c, http.StatusOK, plain, label, nil)
}

func (s *Server) staffRevokeAppPassword(c *gin.Context) error {
	id, err := s.idParam(c, "id")
	if err != nil {
		return err
	}
	if err := s.cfg.Staff.Store.RevokeAppPassword(c.Request.Context(), me(c).ID, id); err != nil {
		return err
	}
	return done(c, "/staff/caldav", "revoked")
}
