package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/veileder/veileder/booking"
)

// What the admin's topic and service forms share: the booking rules
// they edit, and what the store's refusals show on them.

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
