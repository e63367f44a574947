package recurrence

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-ical"
)

// Wall clock times are carried as time.Time values in UTC whose fields are the
// local clock fields ("wall-UTC"). Recurrence rules are evaluated on these
// fields (RFC 5545 §3.3.10 defines them on local time), so the rule engine
// never sees a DST gap or fold; localTime then maps each wall time to an
// instant in the event's zone once, with the RFC 5545 rules for gaps and folds.

// wallOf returns the wall clock fields of t as a wall-UTC time.
func wallOf(t time.Time) time.Time {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	return time.Date(y, mo, d, h, mi, s, t.Nanosecond(), time.UTC)
}

// dateOf truncates a wall-UTC time to its calendar day.
func dateOf(w time.Time) time.Time {
	y, mo, d := w.Date()
	return time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
}

// localTime maps the wall clock time w (wall-UTC) to an instant in loc.
//
// RFC 5545 §3.3.5: a local time that occurs twice (the autumn fold) means the
// first occurrence, and a local time that does not exist (the spring gap) is
// read with the UTC offset in effect before the gap, so 02:30 on
// 2026-03-29 in Europe/Oslo is 03:30 CEST. §3.3.10 applies the same rules to
// computed recurrence instances. time.Date leaves both choices unspecified
// (in practice it picks the second occurrence in Europe/Oslo and, for New
// York's gap, the time before it), so the offsets are tried explicitly.
func localTime(w time.Time, loc *time.Location) time.Time {
	if loc == nil || loc == time.UTC {
		return w
	}
	y, mo, d := w.Date()
	h, mi, s := w.Clock()
	t := time.Date(y, mo, d, h, mi, s, w.Nanosecond(), loc)
	_, off := t.Zone()
	// A day either side is far enough to leave the transition w may sit in,
	// and near enough not to cross another one.
	_, offBefore := t.Add(-26 * time.Hour).Zone()
	_, offAfter := t.Add(26 * time.Hour).Zone()
	var best time.Time
	for _, o := range [...]int{off, offBefore, offAfter} {
		c := w.Add(-time.Duration(o) * time.Second).In(loc)
		if wallOf(c).Equal(w) && (best.IsZero() || c.Before(best)) {
			best = c
		}
	}
	if !best.IsZero() {
		return best
	}
	return w.Add(-time.Duration(offBefore) * time.Second).In(loc)
}

// dtValue is a parsed DATE or DATE-TIME value (RFC 5545 §3.3.4, §3.3.5).
type dtValue struct {
	wall time.Time      // wall clock fields, wall-UTC; midnight for a DATE
	date bool           // VALUE=DATE
	loc  *time.Location // UTC for "Z" values, the TZID zone, or Options.Location for floating times and dates
}

func (v dtValue) instant() time.Time { return localTime(v.wall, v.loc) }

// ParseDateTime parses a DATE "YYYYMMDD" or a DATE-TIME "YYYYMMDDTHHMMSS[Z]"
// (RFC 5545 §3.3.4, §3.3.5) into its wall clock fields (wall-UTC: see
// localTime), whether it is a DATE and whether it is in UTC. valueType is the
// VALUE parameter ("DATE", "DATE-TIME" or empty: decided by the shape). Every
// field is checked (month, the day in that month, hour, minute, second up to
// a leap 60), and any other VALUE is refused.
func ParseDateTime(s, valueType string) (wall time.Time, date, utc bool, err error) {
	switch valueType {
	case "", "DATE", "DATE-TIME":
	default:
		return time.Time{}, false, false, fmt.Errorf("unsupported VALUE=%s", valueType)
	}
	if len(s) < 8 {
		return time.Time{}, false, false, fmt.Errorf("invalid date %q", s)
	}
	y, ok1 := digits(s[0:4])
	mo, ok2 := digits(s[4:6])
	d, ok3 := digits(s[6:8])
	if !ok1 || !ok2 || !ok3 || mo < 1 || mo > 12 || d < 1 || d > 31 {
		return time.Time{}, false, false, fmt.Errorf("invalid date %q", s)
	}
	var h, mi, sec int
	switch {
	case len(s) == 8 && valueType != "DATE-TIME":
		date = true
	case (len(s) == 15 || len(s) == 16) && (s[8] == 'T' || s[8] == 't') && valueType != "DATE":
		var ok4, ok5, ok6 bool
		h, ok4 = digits(s[9:11])
		mi, ok5 = digits(s[11:13])
		sec, ok6 = digits(s[13:15])
		if !ok4 || !ok5 || !ok6 || h > 23 || mi > 59 || sec > 60 {
			return time.Time{}, false, false, fmt.Errorf("invalid date-time %q", s)
		}
		if sec == 60 {
			sec = 59 // a leap second (RFC 5545 §3.3.12); Go has none
		}
		if len(s) == 16 {
			if s[15] != 'Z' && s[15] != 'z' {
				return time.Time{}, false, false, fmt.Errorf("invalid date-time %q", s)
			}
			utc = true
		}
	default:
		return time.Time{}, false, false, fmt.Errorf("invalid date or date-time %q", s)
	}
	wall = time.Date(y, time.Month(mo), d, h, mi, sec, 0, time.UTC)
	if wall.Day() != d {
		return time.Time{}, false, false, fmt.Errorf("invalid date %q", s)
	}
	return wall, date, utc, nil
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, len(s) > 0
}

// Duration is an RFC 5545 §3.3.6 duration: days and weeks are nominal
// (calendar days: "the exact duration of a day depends on its position in the
// calendar"), hours, minutes and seconds are exact. Both parts carry the sign.
// It is the one reading of DURATION, TRIGGER and PERIOD durations, for the
// expansion here and for CalDAV's time-range tests.
type Duration struct {
	days int
	secs int64
}

// Limits keep every duration, the sum of two and the sum of both parts
// representable as a time.Duration (±292 years). The CalDAV query code once
// had a second parser that took nine digits of any unit and no bound, so
// "P999999999W" or "PT999999999H" overflowed time.Duration and wrapped round
// to a time in another century; a calendar has no use for a duration of more
// than a century, so this stricter bound is the one kept.
const (
	maxDurationDays = 36600
	maxDurationSecs = int64(maxDurationDays) * 86400
)

var errDuration = errors.New("invalid duration")

// ParseDuration parses dur-value = (["+"] / "-") "P" (dur-date / dur-time /
// dur-week) of RFC 5545 §3.3.6. It takes the parts in any order and case,
// as real calendars write them, but refuses an empty "P" or "PT", a second
// "T", a date unit after "T" or a time unit before it, and durations beyond
// the limits above.
func ParseDuration(s string) (Duration, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" || s[0] != 'P' {
		return Duration{}, errDuration
	}
	s = s[1:]
	var d Duration
	inTime, any, timePart := false, false, false
	for s != "" {
		if s[0] == 'T' {
			if inTime {
				return Duration{}, errDuration
			}
			inTime = true
			s = s[1:]
			continue
		}
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == 0 || i == len(s) || i > 10 {
			return Duration{}, errDuration
		}
		n, err := strconv.ParseInt(s[:i], 10, 64)
		if err != nil {
			return Duration{}, errDuration
		}
		unit := s[i]
		s = s[i+1:]
		switch {
		case !inTime && unit == 'W':
			d.days += int(n) * 7
		case !inTime && unit == 'D':
			d.days += int(n)
		case inTime && unit == 'H':
			d.secs += n * 3600
		case inTime && unit == 'M':
			d.secs += n * 60
		case inTime && unit == 'S':
			d.secs += n
		default:
			return Duration{}, errDuration
		}
		if !d.inLimits() {
			return Duration{}, errors.New("duration out of range")
		}
		any = true
		timePart = timePart || inTime
	}
	if !any || inTime && !timePart {
		return Duration{}, errDuration
	}
	if neg {
		d.days, d.secs = -d.days, -d.secs
	}
	return d, nil
}

func (d Duration) inLimits() bool {
	return d.days <= maxDurationDays && d.days >= -maxDurationDays &&
		d.secs <= maxDurationSecs && d.secs >= -maxDurationSecs
}

func (d Duration) positive() bool { return d.days > 0 || d.secs > 0 }

// upper bounds the exact length of d: a nominal day lasts at most 25 hours
// across a DST change.
func (d Duration) upper() time.Duration {
	return time.Duration(d.days)*25*time.Hour + time.Duration(d.secs)*time.Second
}

// Approx is d with a day counted as 24 hours, for widening a search window.
func (d Duration) Approx() time.Duration {
	return time.Duration(d.days)*24*time.Hour + time.Duration(d.secs)*time.Second
}

// Times is d repeated n times (an alarm's REPEAT, RFC 5545 §3.8.6.2); ok is
// false when the result leaves the limits of a duration.
func (d Duration) Times(n int) (r Duration, ok bool) {
	if n < 0 || n > maxDurationDays {
		return Duration{}, false
	}
	r = Duration{days: d.days * n, secs: d.secs * int64(n)}
	return r, r.inLimits()
}

// Plus is d + o; ok is false when the sum leaves the limits of a duration.
func (d Duration) Plus(o Duration) (r Duration, ok bool) {
	r = Duration{days: d.days + o.days, secs: d.secs + o.secs}
	return r, r.inLimits()
}

// AddTo adds d to t: nominal days on t's wall clock in t's location, then
// the exact part (RFC 5545 §3.3.6).
func (d Duration) AddTo(t time.Time) time.Time {
	return d.add(t, wallOf(t), t.Location())
}

// add adds d to the instant start whose wall clock time in loc is wall:
// nominal days first, on the wall clock, then the exact part (RFC 5545 §3.3.6).
func (d Duration) add(start, wall time.Time, loc *time.Location) time.Time {
	if d.days != 0 {
		start = localTime(wall.AddDate(0, 0, d.days), loc)
	}
	return start.Add(time.Duration(d.secs) * time.Second)
}

// parseUTCOffset parses an RFC 5545 §3.3.14 UTC offset ("+0100", "-053000")
// into seconds east of UTC.
func parseUTCOffset(s string) (int, error) {
	s = strings.TrimSpace(s)
	if (len(s) != 5 && len(s) != 7) || (s[0] != '+' && s[0] != '-') {
		return 0, fmt.Errorf("invalid UTC offset %q", s)
	}
	h, ok1 := digits(s[1:3])
	m, ok2 := digits(s[3:5])
	sec, ok3 := 0, true
	if len(s) == 7 {
		sec, ok3 = digits(s[5:7])
	}
	if !ok1 || !ok2 || !ok3 || h > 23 || m > 59 || sec > 59 {
		return 0, fmt.Errorf("invalid UTC offset %q", s)
	}
	off := h*3600 + m*60 + sec
	if s[0] == '-' {
		off = -off
	}
	return off, nil
}

// valueType returns the upper-cased VALUE parameter of p.
func valueType(p *ical.Prop) string {
	return strings.ToUpper(strings.TrimSpace(p.Params.Get(ical.ParamValue)))
}

// ParseCalendar decodes one iCalendar object (one VCALENDAR, nothing
// after it). go-ical can panic on some malformed input, so a panic becomes
// an error. Everything that reads stored or received calendar data goes
// through here.
func ParseCalendar(data []byte) (c *ical.Calendar, err error) {
	defer func() {
		if v := recover(); v != nil {
			c, err = nil, fmt.Errorf("malformed iCalendar: %v", v)
		}
	}()
	dec := ical.NewDecoder(bytes.NewReader(data))
	c, err = dec.Decode()
	if err != nil {
		return nil, fmt.Errorf("malformed iCalendar: %w", err)
	}
	if _, err := dec.Decode(); err != io.EOF {
		return nil, errors.New("more than one VCALENDAR in one resource")
	}
	return c, nil
}

// LocalTime maps the wall clock time w (its fields read as a wall clock,
// whatever its location) to an instant in loc, as RFC 5545 §3.3.5 reads
// local times: see localTime. It is the one reading of local times: the
// CalDAV query code once had its own, which tried fixed shifts of half an
// hour to three hours and so missed a zone whose change is another size;
// this one asks the zone for its offsets either side of the time.
func LocalTime(w time.Time, loc *time.Location) time.Time { return localTime(wallOf(w), loc) }
