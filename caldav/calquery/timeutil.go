package calquery

import (
	"fmt"
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/veileder/veileder/recurrence"
)

const (
	dateLayout      = "20060102"
	maxAlarmRepeats = 1000
)

// env is what evaluating one calendar object needs: the object (for its
// VTIMEZONEs), the expansion options and a cache of resolved TZIDs.
type env struct {
	cal  *ical.Calendar
	opts recurrence.Options
	loc  *time.Location // floating times and dates; opts.Location or UTC
	tz   map[string]*time.Location
}

func newEnv(cal *ical.Calendar, opts recurrence.Options) *env {
	loc := opts.Location
	if loc == nil {
		loc = time.UTC
	}
	return &env{cal: cal, opts: opts, loc: loc, tz: make(map[string]*time.Location)}
}

// location resolves a TZID. An unknown zone falls back to the calendar's
// zone: one odd object must never fail a whole REPORT.
func (e *env) location(tzid string) *time.Location {
	if loc, ok := e.tz[tzid]; ok {
		return loc
	}
	cal := e.cal
	if cal == nil {
		cal = ical.NewCalendar()
	}
	loc, _ := recurrence.ResolveLocation(tzid, cal, e.loc)
	if loc == nil {
		loc = e.loc
	}
	e.tz[tzid] = loc
	return loc
}

// span is one value of a DATE, DATE-TIME or PERIOD property: a DATE is its
// whole day [Start, End), a DATE-TIME the instant Start == End.
type span struct {
	Start, End time.Time
	Date       bool
}

// propSpans parses every value of a property (comma lists included: RFC
// 5545 §3.8.5.1 EXDATE, §3.8.5.2 RDATE, §3.8.2.6 FREEBUSY).
func (e *env) propSpans(p *ical.Prop) ([]span, error) {
	loc := e.loc
	if tzid := p.Params.Get(ical.PropTimezoneID); tzid != "" {
		loc = e.location(tzid)
	}
	valueType := ical.ValueType(strings.ToUpper(p.Params.Get(ical.ParamValue)))
	var out []span
	for _, v := range strings.Split(p.Value, ",") {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		if i := strings.IndexByte(v, '/'); i >= 0 {
			start, _, err := e.parseTime(v[:i], loc, ical.ValueDateTime)
			if err != nil {
				return nil, err
			}
			end, err := periodEnd(start, v[i+1:], loc, e)
			if err != nil {
				return nil, err
			}
			out = append(out, span{Start: start, End: end})
			continue
		}
		t, date, err := e.parseTime(v, loc, valueType)
		if err != nil {
			return nil, err
		}
		s := span{Start: t, End: t, Date: date}
		if date {
			s.End = t.AddDate(0, 0, 1)
		}
		out = append(out, s)
	}
	return out, nil
}

func periodEnd(start time.Time, v string, loc *time.Location, e *env) (time.Time, error) {
	if strings.ContainsAny(v, "Pp") {
		d, err := recurrence.ParseDuration(v)
		if err != nil {
			return time.Time{}, err
		}
		return d.AddTo(start), nil
	}
	end, _, err := e.parseTime(v, loc, ical.ValueDateTime)
	return end, err
}

// propTime parses the first value of a DATE or DATE-TIME property.
func (e *env) propTime(p *ical.Prop) (t time.Time, date bool, err error) {
	spans, err := e.propSpans(p)
	if err != nil {
		return time.Time{}, false, err
	}
	if len(spans) == 0 {
		return time.Time{}, false, fmt.Errorf("property %s has no value", p.Name)
	}
	return spans[0].Start, spans[0].Date, nil
}

// compTime parses the named DATE or DATE-TIME property of c; ok is false
// when it is missing or malformed.
func (e *env) compTime(c *ical.Component, name string) (t time.Time, date, ok bool) {
	p := c.Props.Get(name)
	if p == nil {
		return time.Time{}, false, false
	}
	t, date, err := e.propTime(p)
	if err != nil {
		return time.Time{}, false, false
	}
	return t, date, true
}

// parseTime parses a DATE (floating: midnight in the calendar's zone), a
// UTC DATE-TIME, or a local DATE-TIME in loc, with recurrence's readings of
// RFC 5545 §3.3.4 and §3.3.5 so that a query and an expansion agree on
// every time. A VALUE other than DATE or DATE-TIME (PERIOD, say) is read by
// the value's shape.
func (e *env) parseTime(v string, loc *time.Location, valueType ical.ValueType) (time.Time, bool, error) {
	vt := string(valueType)
	if valueType != ical.ValueDate && valueType != ical.ValueDateTime {
		vt = ""
	}
	wall, date, utc, err := recurrence.ParseDateTime(v, vt)
	switch {
	case err != nil:
		return time.Time{}, false, fmt.Errorf("%q is not a DATE or DATE-TIME: %w", v, err)
	case date:
		return recurrence.LocalTime(wall, e.loc), true, nil
	case utc:
		return wall, false, nil
	}
	return recurrence.LocalTime(wall, loc), false, nil
}

// inRange reports start <= t < end with open ends: the test RFC 4791 §9.9
// applies to a single instant (alarm triggers, DATE-TIME properties).
func inRange(t time.Time, tr TimeRange) bool {
	return (tr.Start.IsZero() || !t.Before(tr.Start)) && (tr.End.IsZero() || t.Before(tr.End))
}

// spanOverlaps reports start < s.End && end > s.Start with open ends, the
// overlap test of RFC 4791 §9.9 for a span with a length.
func spanOverlaps(s span, tr TimeRange) bool {
	if s.End.Equal(s.Start) {
		return inRange(s.Start, tr)
	}
	return (tr.Start.IsZero() || tr.Start.Before(s.End)) && (tr.End.IsZero() || tr.End.After(s.Start))
}

func formatUTC(t time.Time) string { return t.UTC().Format(utcLayout) }
