package calquery

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"veileder/recurrence"
)

const (
	dateLayout      = "20060102"
	localLayout     = "20060102T150405"
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
		d, err := parseDuration(v)
		if err != nil {
			return time.Time{}, err
		}
		return d.addTo(start), nil
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
// UTC DATE-TIME, or a local DATE-TIME in loc.
func (e *env) parseTime(v string, loc *time.Location, valueType ical.ValueType) (time.Time, bool, error) {
	switch {
	case valueType == ical.ValueDate || len(v) == len(dateLayout):
		t, err := time.ParseInLocation(dateLayout, v, e.loc)
		return t, true, err
	case len(v) == len(utcLayout) && (v[len(v)-1] == 'Z' || v[len(v)-1] == 'z'):
		t, err := time.Parse(utcLayout, strings.ToUpper(v))
		return t, false, err
	case len(v) == len(localLayout):
		t, err := time.Parse(localLayout, v)
		if err != nil {
			return time.Time{}, false, err
		}
		return localTime(t, loc), false, nil
	}
	return time.Time{}, false, fmt.Errorf("%q is not a DATE or DATE-TIME", v)
}

// localTime places the wall clock of naive (read as UTC) in loc. A wall
// clock that happens twice (Europe/Oslo 2026-10-25 02:30) is the first
// occurrence, as RFC 5545 §3.3.5 says; Go may pick the second. One that
// does not happen (2026-03-29 02:30) is moved forward by the gap, which is
// also what RFC 5545 says and what Go does.
func localTime(naive time.Time, loc *time.Location) time.Time {
	y, mo, d := naive.Date()
	h, mi, s := naive.Clock()
	t := time.Date(y, mo, d, h, mi, s, 0, loc)
	for _, shift := range []time.Duration{3 * time.Hour, 2 * time.Hour, time.Hour, 30 * time.Minute} {
		alt := t.Add(-shift).In(loc)
		ay, amo, ad := alt.Date()
		ah, ami, as := alt.Clock()
		if ay == y && amo == mo && ad == d && ah == h && ami == mi && as == s {
			return alt
		}
	}
	return t
}

// duration is an RFC 5545 §3.3.6 duration: days and weeks are nominal
// (calendar days, not 24 hours across a DST change), the rest exact.
type duration struct {
	days  int
	exact time.Duration
}

func (d duration) addTo(t time.Time) time.Time {
	return t.AddDate(0, 0, d.days).Add(d.exact)
}

// approx is the duration with a day counted as 24 hours, for widening a
// search window.
func (d duration) approx() time.Duration {
	return time.Duration(d.days)*24*time.Hour + d.exact
}

func (d duration) times(n int) duration {
	return duration{days: d.days * n, exact: d.exact * time.Duration(n)}
}

func (d duration) plus(o duration) duration {
	return duration{days: d.days + o.days, exact: d.exact + o.exact}
}

// parseDuration parses dur-value = (["+"] / "-") "P" (dur-date / dur-time /
// dur-week) of RFC 5545 §3.3.6, leniently (any order of parts).
func parseDuration(s string) (duration, error) {
	var d duration
	orig := s
	s = strings.ToUpper(strings.TrimSpace(s))
	neg := false
	if strings.HasPrefix(s, "-") {
		neg = true
		s = s[1:]
	} else if strings.HasPrefix(s, "+") {
		s = s[1:]
	}
	if !strings.HasPrefix(s, "P") {
		return d, fmt.Errorf("%q is not a duration", orig)
	}
	s = s[1:]
	inTime, parts := false, false
	for s != "" {
		if s[0] == 'T' {
			inTime = true
			s = s[1:]
			continue
		}
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == 0 || i == len(s) || i > 9 {
			return d, fmt.Errorf("%q is not a duration", orig)
		}
		n, err := strconv.Atoi(s[:i])
		if err != nil {
			return d, fmt.Errorf("%q is not a duration", orig)
		}
		unit := s[i]
		s = s[i+1:]
		parts = true
		switch {
		case unit == 'W' && !inTime:
			d.days += 7 * n
		case unit == 'D' && !inTime:
			d.days += n
		case unit == 'H' && inTime:
			d.exact += time.Duration(n) * time.Hour
		case unit == 'M' && inTime:
			d.exact += time.Duration(n) * time.Minute
		case unit == 'S' && inTime:
			d.exact += time.Duration(n) * time.Second
		default:
			return d, fmt.Errorf("%q is not a duration", orig)
		}
	}
	if !parts {
		return d, fmt.Errorf("%q is not a duration", orig)
	}
	if neg {
		d.days, d.exact = -d.days, -d.exact
	}
	return d, nil
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
