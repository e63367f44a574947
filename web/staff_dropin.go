package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/veileder/veileder/booking"
)

// The drop-in session form, for coordinators without a calendar app: it
// writes the same events in the shared drop-in calendar that their app
// would.

type dropinListPage struct {
	staffPage
	Sessions []booking.DropinSession
}

func (s *Server) staffDropins(c *gin.Context) error {
	list, err := s.cfg.Staff.Service.DropinSessions(c.Request.Context(), s.now().AddDate(0, 0, -1))
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "staff_dropin", dropinListPage{staffPage: s.newStaffPage(c, me(c)), Sessions: list})
}

type dropinFormPage struct {
	staffPage
	Session booking.DropinSession
	Topics  []booking.TopicListing
	Action  string
	New     bool
	// Start, End and Until are what was typed, kept when the form comes
	// back.
	Start, End, Until string
}

// Has says whether the session has the theme, for the checkboxes.
func (p dropinFormPage) Has(slug string) bool {
	for _, t := range p.Session.Themes {
		if t == slug {
			return true
		}
	}
	return false
}

func (s *Server) staffNewDropin(c *gin.Context) error {
	start := s.now().In(s.loc).Add(7 * 24 * time.Hour).Truncate(time.Hour)
	d := booking.DropinSession{Start: start, End: start.Add(time.Hour), Editable: true}
	return s.renderDropinForm(c, http.StatusOK, d, true, nil)
}

func (s *Server) staffEditDropin(c *gin.Context) error {
	d, err := s.cfg.Staff.Service.DropinSession(c.Request.Context(), c.Param("name"))
	if err != nil {
		return err
	}
	return s.renderDropinForm(c, http.StatusOK, d, false, nil)
}

func (s *Server) renderDropinForm(c *gin.Context, status int, d booking.DropinSession, isNew bool, errs []formError) error {
	topics, err := s.cfg.Staff.Store.AllTopics(c.Request.Context())
	if err != nil {
		return err
	}
	p := dropinFormPage{staffPage: s.newStaffPage(c, me(c)), Session: d, Topics: topics, New: isNew}
	p.Start, p.End, p.Until = p.LocalInput(d.Start), p.LocalInput(d.End), p.DateInput(d.RepeatUntil)
	p.Action = "/staff/dropin"
	if !isNew {
		p.Action = "/staff/dropin/" + url.PathEscape(d.Name)
	}
	p.Errors = errs
	return s.render(c, status, "staff_dropin_form", p)
}

// readDropinForm reads the posted session; field errors come back as
// formErrors with the ids of the controls.
func (s *Server) readDropinForm(c *gin.Context) (booking.DropinSession, []formError) {
	lang := s.lang(c)
	d := booking.DropinSession{
		Name:        c.Param("name"),
		ETag:        c.PostForm("etag"),
		Title:       c.PostForm("title"),
		Place:       c.PostForm("place"),
		Description: c.PostForm("description"),
		Themes:      c.PostFormArray("themes"),
		Weekly:      c.PostForm("weekly") == "1",
		Editable:    true,
	}
	var errs []formError
	parse := func(field, v, layout string) time.Time {
		if strings.TrimSpace(v) == "" {
			return time.Time{}
		}
		t, err := time.ParseInLocation(layout, strings.TrimSpace(v), s.loc)
		if err != nil {
			errs = append(errs, formError{Field: field, Message: T(lang, "staff.dropin."+field+".invalid")})
		}
		return t
	}
	d.Start = parse("start", c.PostForm("start"), "2006-01-02T15:04")
	d.End = parse("end", c.PostForm("end"), "2006-01-02T15:04")
	if d.Weekly {
		d.RepeatUntil = parse("until", c.PostForm("until"), time.DateOnly)
	}
	return d, errs
}

func (s *Server) staffSaveDropin(c *gin.Context) error {
	d, errs := s.readDropinForm(c)
	isNew := d.Name == ""
	if len(errs) > 0 {
		return s.renderDropinFormKeep(c, d, isNew, errs)
	}
	_, err := s.cfg.Staff.Service.SaveDropinSession(c.Request.Context(), d)
	var fe *booking.FieldError
	switch {
	case err == nil:
		return done(c, "/staff/dropin", "saved")
	case errors.As(err, &fe):
		return s.renderDropinFormKeep(c, d, isNew, []formError{{Field: fe.Field, Message: T(s.lang(c), "staff.dropin."+fe.Field+"."+fe.Code)}})
	case errors.Is(err, booking.ErrPreconditionFailed):
		// Changed in a calendar app since the form was shown.
		return s.renderDropinFormKeep(c, d, isNew, []formError{{Message: T(s.lang(c), "staff.dropin.changed")}})
	}
	return err
}

// renderDropinFormKeep shows the form again with what was typed.
func (s *Server) renderDropinFormKeep(c *gin.Context, d booking.DropinSession, isNew bool, errs []formError) error {
	topics, err := s.cfg.Staff.Store.AllTopics(c.Request.Context())
	if err != nil {
		return err
	}
	p := dropinFormPage{staffPage: s.newStaffPage(c, me(c)), Session: d, Topics: topics, New: isNew,
		Start: c.PostForm("start"), End: c.PostForm("end"), Until: c.PostForm("until")}
	p.Action = "/staff/dropin"
	if !isNew {
		p.Action = "/staff/dropin/" + url.PathEscape(d.Name)
	}
	p.Errors = errs
	return s.render(c, http.StatusUnprocessableEntity, "staff_dropin_form", p)
}

func (s *Server) staffDeleteDropin(c *gin.Context) error {
	err := s.cfg.Staff.Service.DeleteDropinSession(c.Request.Context(), c.Param("name"), c.PostForm("etag"))
	if err != nil {
		return err
	}
	return done(c, "/staff/dropin", "deleted")
}
