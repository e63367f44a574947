package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/i18n"
)

// Weekly guidance hours, for librarians without a calendar app: the page
// writes recurring events in their availability calendar (through the
// scheduling service, as a calendar app's PUT would), lists the windows it
// wrote for change or removal, and lists the ones made in a calendar app
// without touching them.

// HoursService is what the weekly hours page needs from the scheduling
// service.
type HoursService interface {
	WeeklyHours(ctx context.Context, userID int64) ([]booking.WeeklyHours, error)
	WeeklyHoursWindow(ctx context.Context, userID int64, name string) (booking.WeeklyHours, error)
	// SaveWeeklyHours returns a *booking.FieldError for a wrong field,
	// booking.ErrPreconditionFailed when the event changed meanwhile.
	SaveWeeklyHours(ctx context.Context, userID int64, h booking.WeeklyHours) (booking.WeeklyHours, error)
	DeleteWeeklyHours(ctx context.Context, userID int64, name, etag string) error
}

// hoursWeek is the order the page lists weekdays in.
var hoursWeek = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

type hoursPage struct {
	staffPage
	Own, FromApps []booking.WeeklyHours
	Form          hoursForm
}

type hoursFormPage struct {
	staffPage
	Form hoursForm
}

// hoursForm is the form's state: the window, what was typed in the time
// and date fields, and the topics the librarian may narrow it to.
type hoursForm struct {
	Hours       booking.WeeklyHours
	Action      string
	New         bool
	From, To    string
	Exceptions  string
	Competences []booking.TopicListing
	Week        []time.Weekday
}

// Has says whether the window is narrowed to the topic.
func (f hoursForm) Has(slug string) bool { return slices.Contains(f.Hours.Topics, slug) }

// WeekdayName names a weekday in the page's language.
func (p page) WeekdayName(d time.Weekday) string {
	return p.T(fmt.Sprintf("staff.hours.weekday.%d", int(d)))
}

// Minutes formats minutes after midnight as a clock time in the page's
// language ("09.30", "09:30"); midnight at the end of the day is 24.
func (p page) Minutes(m int) string {
	if m >= 24*60 {
		return strings.Replace(i18n.Clock(p.Lang, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)), "00", "24", 1)
	}
	return i18n.Clock(p.Lang, time.Date(2000, 1, 1, m/60, m%60, 0, 0, time.UTC))
}

// Dates lists local dates as the form writes them.
func (p page) Dates(ds []time.Time) string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Format(time.DateOnly)
	}
	return strings.Join(out, ", ")
}

func (s *Server) staffHours(c *gin.Context) error {
	h := booking.WeeklyHours{Weekday: time.Monday, From: 10 * 60, To: 12 * 60}
	return s.renderHours(c, http.StatusOK, s.newHoursForm(h, true), nil)
}

func (s *Server) newHoursForm(h booking.WeeklyHours, isNew bool) hoursForm {
	f := hoursForm{Hours: h, New: isNew, Action: "/staff/hours", Week: hoursWeek}
	if !isNew {
		f.Action = "/staff/hours/" + url.PathEscape(h.Name)
	}
	f.From, f.To = fmt.Sprintf("%02d:%02d", h.From/60, h.From%60), fmt.Sprintf("%02d:%02d", h.To/60, h.To%60)
	ex := make([]string, len(h.Exceptions))
	for i, d := range h.Exceptions {
		ex[i] = d.Format(time.DateOnly)
	}
	f.Exceptions = strings.Join(ex, "\n")
	return f
}

// competenceTopics are the topics the signed-in librarian may narrow a
// window to: their competences.
func (s *Server) competenceTopics(ctx context.Context, userID int64) ([]booking.TopicListing, error) {
	comps, err := s.cfg.Staff.Store.Competences(ctx, userID)
	if err != nil {
		return nil, err
	}
	topics, err := s.cfg.Staff.Store.AllTopics(ctx)
	if err != nil {
		return nil, err
	}
	var out []booking.TopicListing
	for _, t := range topics {
		if slices.ContainsFunc(comps, func(c booking.Competence) bool { return c.TopicID == t.ID }) {
			out = append(out, t)
		}
	}
	return out, nil
}

// renderHours shows the list with the form for a new window.
func (s *Server) renderHours(c *gin.Context, status int, form hoursForm, errs []formError) error {
	ctx := c.Request.Context()
	u := me(c)
	list, err := s.cfg.Staff.Hours.WeeklyHours(ctx, u.ID)
	if err != nil {
		return err
	}
	p := hoursPage{staffPage: s.newStaffPage(c, u)}
	for _, h := range list {
		if h.Managed {
			p.Own = append(p.Own, h)
		} else {
			p.FromApps = append(p.FromApps, h)
		}
	}
	if form.Competences, err = s.competenceTopics(ctx, u.ID); err != nil {
		return err
	}
	p.Errors, p.Form = errs, form
	return s.render(c, status, "staff_hours", p)
}

// renderHoursForm shows the form for a window alone, to change it.
func (s *Server) renderHoursForm(c *gin.Context, status int, form hoursForm, errs []formError) error {
	u := me(c)
	p := hoursFormPage{staffPage: s.newStaffPage(c, u)}
	var err error
	if form.Competences, err = s.competenceTopics(c.Request.Context(), u.ID); err != nil {
		return err
	}
	p.Errors, p.Form = errs, form
	return s.render(c, status, "staff_hours_form", p)
}

func (s *Server) staffEditHours(c *gin.Context) error {
	h, err := s.cfg.Staff.Hours.WeeklyHoursWindow(c.Request.Context(), me(c).ID, c.Param("name"))
	if err != nil {
		return err
	}
	if !h.Managed || !h.Editable {
		// Made, or since changed, in a calendar app: it is the app's.
		return errStatus(http.StatusNotFound)
	}
	return s.renderHoursForm(c, http.StatusOK, s.newHoursForm(h, false), nil)
}

// readHoursForm reads the posted window; what cannot be parsed comes back
// as formErrors with the ids of the controls.
func (s *Server) readHoursForm(c *gin.Context) (hoursForm, []formError) {
	lang := s.lang(c)
	h := booking.WeeklyHours{
		Name:   c.Param("name"),
		ETag:   c.PostForm("etag"),
		Topics: c.PostFormArray("topics"),
		Place:  c.PostForm("place"),
		Online: c.PostForm("online") == "1",
	}
	form := hoursForm{Hours: h, New: h.Name == "", Action: "/staff/hours", Week: hoursWeek,
		From: c.PostForm("from"), To: c.PostForm("to"), Exceptions: c.PostForm("exceptions")}
	if !form.New {
		form.Action = "/staff/hours/" + url.PathEscape(h.Name)
	}
	var errs []formError
	fail := func(field, code string) {
		errs = append(errs, formError{Field: field, Message: T(lang, "staff.hours."+field+"."+code)})
	}
	day := c.PostForm("weekday")
	if i := slices.IndexFunc(hoursWeek, func(d time.Weekday) bool { return fmt.Sprint(int(d)) == day }); i >= 0 {
		form.Hours.Weekday = hoursWeek[i]
	} else {
		form.Hours.Weekday = -1
		fail("weekday", "invalid")
	}
	clock := func(field, v string) int {
		t, err := time.Parse("15:04", strings.TrimSpace(v))
		if err != nil {
			if strings.TrimSpace(v) == "24:00" && field == "to" {
				return 24 * 60
			}
			fail(field, "invalid")
			return 0
		}
		return t.Hour()*60 + t.Minute()
	}
	form.Hours.From, form.Hours.To = clock("from", form.From), clock("to", form.To)
	for v := range strings.FieldsFuncSeq(form.Exceptions, func(r rune) bool { return r == ',' || r == ';' || r == '\n' || r == '\r' || r == ' ' }) {
		d, err := parseDate(v, s.loc)
		if err != nil {
			fail("exceptions", "invalid")
			break
		}
		form.Hours.Exceptions = append(form.Hours.Exceptions, d)
	}
	return form, errs
}

// parseDate reads "2027-03-10" or "10.03.2027" as a local date.
func parseDate(v string, loc *time.Location) (time.Time, error) {
	for _, layout := range []string{time.DateOnly, "2.1.2006"} {
		if d, err := time.ParseInLocation(layout, v, loc); err == nil {
			return d, nil
		}
	}
	return time.Time{}, fmt.Errorf("web: %q is not a date", v)
}

func (s *Server) staffSaveHours(c *gin.Context) error {
	form, errs := s.readHoursForm(c)
	back := func(errs []formError) error {
		if form.New {
			return s.renderHours(c, http.StatusUnprocessableEntity, form, errs)
		}
		return s.renderHoursForm(c, http.StatusUnprocessableEntity, form, errs)
	}
	if len(errs) > 0 {
		return back(errs)
	}
	_, err := s.cfg.Staff.Hours.SaveWeeklyHours(c.Request.Context(), me(c).ID, form.Hours)
	var fe *booking.FieldError
	switch {
	case err == nil:
		return done(c, "/staff/hours", "hours.saved")
	case errors.As(err, &fe):
		return back([]formError{{Field: fe.Field, Message: T(s.lang(c), "staff.hours."+fe.Field+"."+fe.Code)}})
	case errors.Is(err, booking.ErrPreconditionFailed):
		// Changed in a calendar app since the form was shown.
		return back([]formError{{Message: T(s.lang(c), "staff.hours.changed")}})
	}
	return err
}

func (s *Server) staffDeleteHours(c *gin.Context) error {
	err := s.cfg.Staff.Hours.DeleteWeeklyHours(c.Request.Context(), me(c).ID, c.Param("name"), c.PostForm("etag"))
	if errors.Is(err, booking.ErrPreconditionFailed) {
		return done(c, "/staff/hours", "hours.changed")
	}
	if err != nil {
		return err
	}
	return done(c, "/staff/hours", "hours.deleted")
}
