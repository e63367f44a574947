package web

import (
	"fmt"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/i18n"
)

// page is what every template gets: the language, the helpers that format
// for it, the language switch, the CSRF token and the form's errors. Page
// structs embed it.
type page struct {
	Lang string
	// Other is the language the switch offers; SwitchURL is this page in it.
	Other     string
	SwitchURL string
	CSRF      string
	// DropIn says the drop-in page is served, for the links to it;
	// DropInCurrent that it is this page.
	DropIn        bool
	DropInCurrent bool
	// MyBookings says students may sign in to see their bookings
	// (signin.go), for the footer's link.
	MyBookings bool
	// Errors fill the error summary at the top of the page; a FieldError
	// is also shown at its field.
	Errors []formError
	loc    *time.Location
}

// formError is one problem in a form. Field is the id of the control it
// belongs to, or empty for a problem with the form as a whole.
type formError struct {
	Field   string
	Message string
}

// newPage starts a page in the request's language; self is the address
// the language switch points at (the request's own by default).
func (s *Server) newPage(c *gin.Context, self *url.URL) page {
	lang := s.lang(c)
	p := page{Lang: lang, Other: "en", loc: s.loc, DropIn: s.cfg.DropIn != nil, MyBookings: s.signInEnabled()}
	p.DropInCurrent = p.DropIn && c.Request.URL.Path == "/dropin"
	if lang == "en" {
		p.Other = "nb"
	}
	if self == nil {
		self = c.Request.URL
	}
	q := self.Query()
	q.Set("lang", p.Other)
	p.SwitchURL = (&url.URL{Path: self.Path, RawQuery: q.Encode()}).String()
	return p
}

// T translates a message key.
func (p page) T(key string, args ...any) string { return T(p.Lang, key, args...) }

// OtherName is the switch's link text, in the other language.
func (p page) OtherName() string { return T(p.Other, "lang.self") }

// Err is the message for the control with this id, if any.
func (p page) Err(field string) string {
	for _, e := range p.Errors {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}

// Day, DateLong, Clock and Range format times in the library's zone.
func (p page) Day(t time.Time) string      { return i18n.Day(p.Lang, t.In(p.loc)) }
func (p page) DateLong(t time.Time) string { return i18n.DateLong(p.Lang, t.In(p.loc)) }
func (p page) Clock(t time.Time) string    { return i18n.Clock(p.Lang, t.In(p.loc)) }
func (p page) Range(a, b time.Time) string { return i18n.Range(p.Lang, a.In(p.loc), b.In(p.loc)) }

// ISO is the machine-readable time for <time datetime>.
func (p page) ISO(t time.Time) string { return t.In(p.loc).Format(time.RFC3339) }

// TopicName, TopicDescription, ServiceName and ServiceDescription pick
// the page's language, falling back to the other when a text is missing.
func (p page) TopicName(t booking.Topic) string             { return t.Name(p.Lang) }
func (p page) TopicDescription(t booking.Topic) string      { return t.Description(p.Lang) }
func (p page) ServiceName(sv booking.Service) string        { return sv.Name(p.Lang) }
func (p page) ServiceDescription(sv booking.Service) string { return sv.Description(p.Lang) }

// fieldMessage is the text for a booking.FieldError-style code on a field:
// "field.<field>.<code>", else the generic "field.<code>".
func fieldMessage(lang, field, code string) string {
	if m, ok := i18n.Lookup(lang, "field."+field+"."+code); ok {
		if code == "too_long" {
			return fmt.Sprintf(m, fieldMax[field])
		}
		return m
	}
	if m, ok := i18n.Lookup(lang, "field."+code); ok {
		return m
	}
	return T(lang, "field.invalid")
}
