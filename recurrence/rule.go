package recurrence

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/teambition/rrule-go"
)

// Limits on what a rule may ask for. Each guards rrule-go, which runs a
// period's whole set in one call with no cost cap: without them one PUT could
// stall the server or exhaust its memory (RFC 4791 §5.3.2.1 lets a server
// refuse what it cannot handle).
const (
	maxInterval    = 1000000
	maxTimesPerDay = 1440 // BYHOUR × BYMINUTE × BYSECOND for DAILY and coarser
	maxRules       = 8    // RRULEs per component; RFC 5545 §3.8.5.3: SHOULD NOT occur more than once
)

// ruleSpec is one parsed RRULE (RFC 5545 §3.3.10, §3.8.5.3), evaluated on
// wall clock fields (see value.go).
//
// DAILY and coarser rules run on rrule-go, anchored at the start of the
// period that holds the range start rather than at DTSTART. HOURLY, MINUTELY
// and SECONDLY run on rrule-go only to pick days; the times within a day come
// from subDaily, because rrule-go's sub-daily iterator steps one interval at
// a time, loops forever when BYHOUR/BYMINUTE/BYSECOND can never be reached
// from DTSTART, and cannot start near the range.
type ruleSpec struct {
	opt   rrule.ROption // BYxxx defaults made explicit; no DTSTART, COUNT or UNTIL
	count int           // COUNT, 0 if absent; counted here, including DTSTART
	until time.Time     // UNTIL as an instant, zero if absent
	empty bool          // provably no instance besides DTSTART
	sub   *subDaily
}

type subDaily struct {
	freq    rrule.Frequency
	step    int64 // seconds between grid points: INTERVAL × unit
	base    int64 // wall second of DTSTART, truncated to the unit
	hours   []int // limit; nil: every hour
	minutes []int // HOURLY: expansion; MINUTELY, SECONDLY: limit (nil: every minute)
	seconds []int // HOURLY, MINUTELY: expansion; SECONDLY: limit (nil: every second)
	setPos  []int
	day     rrule.ROption // DAILY rule with the day-level parts, selecting the days
}

// parseRule parses an RRULE value for a series starting at the wall time dt
// (a DATE if date) in loc.
func parseRule(value string, dt time.Time, date bool, loc *time.Location) (*ruleSpec, error) {
	if strings.ContainsAny(value, "\r\n") {
		return nil, errors.New("malformed RRULE")
	}
	r := &ruleSpec{}
	var kept []string
	untilText := ""
	for _, part := range strings.Split(strings.ToUpper(strings.TrimSpace(value)), ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("malformed RRULE part %q", part)
		}
		switch k {
		case "COUNT":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return nil, fmt.Errorf("invalid COUNT %q", v)
			}
			r.count = n
		case "UNTIL":
			untilText = v
		case "RSCALE": // RFC 7529
			if v != "GREGORIAN" {
				return nil, fmt.Errorf("unsupported RSCALE %q", v)
			}
		case "SKIP": // RFC 7529: only meaningful with a non-Gregorian RSCALE
		case "BYEASTER", "DTSTART":
			// rrule-go extensions, not RFC 5545; BYEASTER out of range panics.
			return nil, fmt.Errorf("unsupported RRULE part %s", k)
		default:
			kept = append(kept, part)
		}
	}
	parsed, err := rrule.StrToROption(strings.Join(kept, ";"))
	if err != nil {
		return nil, fmt.Errorf("invalid RRULE: %w", err)
	}
	opt := *parsed
	if opt.Freq < rrule.YEARLY || opt.Freq > rrule.SECONDLY {
		return nil, errors.New("invalid FREQ")
	}
	if opt.Interval < 0 || opt.Interval > maxInterval {
		return nil, fmt.Errorf("INTERVAL %d out of range", opt.Interval)
	}
	if opt.Interval == 0 {
		opt.Interval = 1
	}
	// rrule-go indexes a year-long table with BYDAY's ordinal in month
	// context; a month has at most five of a weekday.
	if opt.Freq == rrule.MONTHLY || (opt.Freq == rrule.YEARLY && len(opt.Bymonth) > 0) {
		for _, wd := range opt.Byweekday {
			if wd.N() > 5 || wd.N() < -5 {
				return nil, fmt.Errorf("BYDAY %v out of range within a month", wd)
			}
		}
	}
	// RFC 5545 §3.3.10: BYSECOND, BYMINUTE and BYHOUR MUST NOT be used with
	// a DATE DTSTART; an all-day series has no time of day to recur on.
	if date && (opt.Freq > rrule.DAILY || len(opt.Byhour) > 0 || len(opt.Byminute) > 0 || len(opt.Bysecond) > 0) {
		return nil, errors.New("time-of-day recurrence on a DATE DTSTART")
	}
	// Range checks of every BYxxx part.
	check := opt
	check.Dtstart = dt
	if _, err := rrule.NewRRule(check); err != nil {
		return nil, fmt.Errorf("invalid RRULE: %w", err)
	}
	if untilText != "" {
		w, udate, utc, err := ParseDateTime(untilText, "")
		if err != nil {
			return nil, fmt.Errorf("invalid UNTIL: %w", err)
		}
		switch {
		case utc:
			r.until = w
		case udate && !date:
			// A DATE UNTIL on a DATE-TIME series (RFC 5545 requires the same
			// type, clients still send it) includes that whole day.
			r.until = localTime(w.Add(24*time.Hour-time.Second), loc)
		default:
			r.until = localTime(w, loc)
		}
	}

	opt.Bymonth = uniqueSorted(opt.Bymonth)
	opt.Bymonthday = uniqueSorted(opt.Bymonthday)
	opt.Byyearday = uniqueSorted(opt.Byyearday)
	opt.Byweekno = uniqueSorted(opt.Byweekno)
	opt.Byhour = uniqueSorted(opt.Byhour)
	opt.Byminute = uniqueSorted(opt.Byminute)
	opt.Bysecond = uniqueSorted(opt.Bysecond)
	opt.Bysetpos = uniqueSorted(opt.Bysetpos)

	if opt.Freq >= rrule.HOURLY {
		r.sub = newSubDaily(opt, dt)
		r.empty = r.sub.unreachable() || !daysSatisfiable(r.sub.day)
		return r, nil
	}

	// The defaults rrule-go derives from DTSTART (buildRRule), made explicit
	// so that the rule can be anchored at any period start.
	if len(opt.Byweekno) == 0 && len(opt.Byyearday) == 0 && len(opt.Bymonthday) == 0 && len(opt.Byweekday) == 0 {
		switch opt.Freq {
		case rrule.YEARLY:
			if len(opt.Bymonth) == 0 {
				opt.Bymonth = []int{int(dt.Month())}
			}
			opt.Bymonthday = []int{dt.Day()}
		case rrule.MONTHLY:
			opt.Bymonthday = []int{dt.Day()}
		case rrule.WEEKLY:
			opt.Byweekday = []rrule.Weekday{weekdayOf(dt)}
		}
	}
	if len(opt.Byhour) == 0 {
		opt.Byhour = []int{dt.Hour()}
	}
	if len(opt.Byminute) == 0 {
		opt.Byminute = []int{dt.Minute()}
	}
	if len(opt.Bysecond) == 0 {
		opt.Bysecond = []int{dt.Second()}
	}
	perDay := len(opt.Byhour) * len(opt.Byminute) * len(opt.Bysecond)
	if perDay > maxTimesPerDay {
		return nil, fmt.Errorf("RRULE yields %d times a day, more than %d", perDay, maxTimesPerDay)
	}
	r.opt = opt
	// A BYSETPOS beyond the largest possible set selects nothing; rrule-go
	// would search to year 9999 for it.
	if len(opt.Bysetpos) > 0 {
		days := map[rrule.Frequency]int{rrule.YEARLY: 366, rrule.MONTHLY: 31, rrule.WEEKLY: 7, rrule.DAILY: 1}[opt.Freq]
		r.empty = !slices.ContainsFunc(opt.Bysetpos, func(p int) bool { return abs(p) <= days*perDay })
	}
	if !daysSatisfiable(opt) {
		r.empty = true
	}
	return r, nil
}

func newSubDaily(opt rrule.ROption, dt time.Time) *subDaily {
	s := &subDaily{freq: opt.Freq, setPos: opt.Bysetpos, hours: opt.Byhour}
	sec := dt.Unix()
	switch opt.Freq {
	case rrule.HOURLY:
		s.step = 3600
		s.base = sec - floorMod(sec, 3600)
		s.minutes = orDefault(opt.Byminute, dt.Minute())
		s.seconds = orDefault(opt.Bysecond, dt.Second())
	case rrule.MINUTELY:
		s.step = 60
		s.base = sec - floorMod(sec, 60)
		s.minutes = opt.Byminute
		s.seconds = orDefault(opt.Bysecond, dt.Second())
	default:
		s.step = 1
		s.base = sec
		s.minutes = opt.Byminute
		s.seconds = opt.Bysecond
	}
	s.step *= int64(opt.Interval)
	s.day = rrule.ROption{
		Freq:       rrule.DAILY,
		Interval:   1,
		Wkst:       opt.Wkst,
		Bymonth:    opt.Bymonth,
		Bymonthday: opt.Bymonthday,
		Byyearday:  opt.Byyearday,
		Byweekno:   opt.Byweekno,
		Byweekday:  opt.Byweekday, // ordinals are ignored below MONTHLY
		Byhour:     []int{0},
		Byminute:   []int{0},
		Bysecond:   []int{0},
	}
	return s
}

// unreachable reports whether no grid point can ever satisfy the time-of-day
// limits, or BYSETPOS selects nothing. Grid points fall on times of day
// congruent to DTSTART modulo gcd(step, 1 day).
func (s *subDaily) unreachable() bool {
	setSize := 1
	switch s.freq {
	case rrule.HOURLY:
		setSize = len(s.minutes) * len(s.seconds)
	case rrule.MINUTELY:
		setSize = len(s.seconds)
	}
	if len(s.setPos) > 0 && !slices.ContainsFunc(s.setPos, func(p int) bool { return abs(p) <= setSize }) {
		return true
	}
	g := gcd(s.step, 86400)
	base := floorMod(s.base, 86400)
	for _, h := range orAll(s.hours, 24) {
		if s.freq == rrule.HOURLY {
			if floorMod(int64(h)*3600-base, g) == 0 {
				return false
			}
			continue
		}
		for _, m := range orAll(s.minutes, 60) {
			if s.freq == rrule.MINUTELY {
				if floorMod(int64(h)*3600+int64(m)*60-base, g) == 0 {
					return false
				}
				continue
			}
			for _, sec := range orAll(s.seconds, 60) {
				if floorMod(int64(h)*3600+int64(m)*60+int64(sec)-base, g) == 0 {
					return false
				}
			}
		}
	}
	return true
}

// expandDay appends the grid points of the day starting at the wall time
// day that satisfy the limits, in order, applying BYSETPOS per interval
// (RFC 5545 §3.3.10: BYSETPOS selects within "the set of recurrence
// instances" of each interval).
func (s *subDaily) expandDay(day time.Time, out []time.Time) []time.Time {
	d0 := day.Unix()
	var set []int64
	emit := func() {
		out = appendSetPos(out, set, s.setPos)
		set = set[:0]
	}
	for _, h := range orAll(s.hours, 24) {
		hs := d0 + int64(h)*3600
		if s.freq == rrule.HOURLY {
			if floorMod(hs-s.base, s.step) != 0 {
				continue
			}
			for _, m := range s.minutes {
				for _, sec := range s.seconds {
					set = append(set, hs+int64(m)*60+int64(sec))
				}
			}
			emit()
			continue
		}
		for _, m := range orAll(s.minutes, 60) {
			ms := hs + int64(m)*60
			switch {
			case s.freq == rrule.MINUTELY:
				if floorMod(ms-s.base, s.step) != 0 {
					continue
				}
				for _, sec := range s.seconds {
					set = append(set, ms+int64(sec))
				}
				emit()
			case s.seconds == nil:
				for t := ms + floorMod(s.base-ms, s.step); t < ms+60; t += s.step {
					set = append(set, t)
					emit()
				}
			default:
				for _, sec := range s.seconds {
					if t := ms + int64(sec); floorMod(t-s.base, s.step) == 0 {
						set = append(set, t)
						emit()
					}
				}
			}
		}
	}
	return out
}

func appendSetPos(out []time.Time, set []int64, pos []int) []time.Time {
	if len(pos) == 0 {
		for _, t := range set {
			out = append(out, time.Unix(t, 0).UTC())
		}
		return out
	}
	var picked []int64
	for _, p := range pos {
		i := p - 1
		if p < 0 {
			i = len(set) + p
		}
		if i >= 0 && i < len(set) && !slices.Contains(picked, set[i]) {
			picked = append(picked, set[i])
		}
	}
	slices.Sort(picked)
	for _, t := range picked {
		out = append(out, time.Unix(t, 0).UTC())
	}
	return out
}

// iter returns the rule's wall times in order, from the start of the period
// that holds from (DTSTART's period if from is not later).
func (r *ruleSpec) iter(dt, from time.Time) (func() (time.Time, bool), error) {
	if r.sub != nil {
		o := r.sub.day
		o.Dtstart = dateOf(dt)
		if f := dateOf(from); f.After(o.Dtstart) {
			o.Dtstart = f
		}
		rr, err := rrule.NewRRule(o)
		if err != nil {
			return nil, err
		}
		days := rr.Iterator()
		var buf []time.Time
		return func() (time.Time, bool) {
			for len(buf) == 0 {
				d, ok := days()
				if !ok {
					return time.Time{}, false
				}
				buf = r.sub.expandDay(d, buf[:0])
			}
			w := buf[0]
			buf = buf[1:]
			return w, true
		}, nil
	}
	o := r.opt
	o.Dtstart = anchor(o, dt, from)
	rr, err := rrule.NewRRule(o)
	if err != nil {
		return nil, err
	}
	return rr.Iterator(), nil
}

// anchor returns the start of the rule's period that holds from, on the grid
// that starts at dt, or dt itself if that period is DTSTART's. All BYxxx
// defaults are explicit in o, so the anchor only places the grid.
func anchor(o rrule.ROption, dt, from time.Time) time.Time {
	if !from.After(dt) {
		return dt
	}
	n := max(o.Interval, 1)
	switch o.Freq {
	case rrule.YEARLY:
		if k := (from.Year() - dt.Year()) / n; k > 0 {
			return time.Date(dt.Year()+k*n, 1, 1, 0, 0, 0, 0, time.UTC)
		}
	case rrule.MONTHLY:
		m0 := dt.Year()*12 + int(dt.Month()) - 1
		if k := (from.Year()*12 + int(from.Month()) - 1 - m0) / n; k > 0 {
			m := m0 + k*n
			return time.Date(m/12, time.Month(m%12+1), 1, 0, 0, 0, 0, time.UTC)
		}
	case rrule.WEEKLY:
		weekStart := dayNum(dt) - int64((pyWeekday(dt)-o.Wkst.Day()+7)%7)
		if k := (dayNum(from) - weekStart) / int64(7*n); k > 0 {
			return fromDayNum(weekStart + k*int64(7*n))
		}
	case rrule.DAILY:
		if k := (dayNum(from) - dayNum(dt)) / int64(n); k > 0 {
			return fromDayNum(dayNum(dt) + k*int64(n))
		}
	}
	return dt
}

// walk calls fn with each instance the rule adds after DTSTART (wall time and
// instant), in order, until fn returns false, the rule ends, or the deadline
// passes (timedOut). Iteration starts near from unless COUNT forces a start
// at DTSTART.
//
// DTSTART itself is not passed: it is always the first instance and counts
// towards COUNT even when the rule does not produce it (RFC 5545 §3.8.5.3).
// Walls map to instants with localTime; two walls in a DST gap may land on
// the same instant (rrule-go's duplicated spring-forward hour), which
// callers drop as duplicates ("only one recurrence is considered").
func (r *ruleSpec) walk(dt time.Time, loc *time.Location, from, deadline time.Time, fn func(w, at time.Time) bool) (timedOut bool, err error) {
	if r.empty {
		return false, nil
	}
	if r.count > 0 || from.Before(dt) {
		from = dt
	}
	gen, err := r.iter(dt, from)
	if err != nil {
		return false, fmt.Errorf("invalid RRULE: %w", err)
	}
	next := guard(gen)
	var untilStop time.Time
	if !r.until.IsZero() {
		// Walls are not monotonic in instants across a gap; stop a day past.
		untilStop = wallOf(r.until.In(loc)).Add(24 * time.Hour)
	}
	n := 1
	for i := 0; ; i++ {
		// Checked before the first step too: after the deadline, every
		// further rule of the call gives up without a costly rrule-go step.
		if i%64 == 0 && !deadline.IsZero() && time.Now().After(deadline) {
			return true, nil
		}
		w, ok, err := next()
		if err != nil {
			return false, err
		}
		if !ok {
			return false, nil
		}
		if !w.After(dt) {
			continue
		}
		if r.count > 0 {
			if n++; n > r.count {
				return false, nil
			}
		}
		at := localTime(w, loc)
		if !r.until.IsZero() && at.After(r.until) {
			if w.After(untilStop) {
				return false, nil
			}
			continue
		}
		if !fn(w, at) {
			return false, nil
		}
	}
}

// guard turns a panic inside rrule-go into an error. parseRule rejects the
// inputs known to overrun its fixed-size tables; this is the backstop for
// the ones not yet known, because one stored object must not take down a
// REPORT.
func guard(gen func() (time.Time, bool)) func() (time.Time, bool, error) {
	return func() (w time.Time, ok bool, err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("rrule-go: %v", p)
			}
		}()
		w, ok = gen()
		return w, ok, nil
	}
}

// daysSatisfiable reports whether any day passes the day-level parts of a
// rule (BYMONTH, BYMONTHDAY, BYYEARDAY, BYDAY's weekday) over one 400-year
// Gregorian cycle (146097 days, a whole number of weeks). For DAILY and
// finer this is exact; for coarser rules, which also apply BYDAY ordinals
// and BYSETPOS, it is a necessary condition. A rule matching no day would
// make rrule-go scan to year 9999 on every evaluation (0.1–0.2 s).
func daysSatisfiable(o rrule.ROption) bool {
	if len(o.Byweekno) > 0 {
		return true // not modelled; rrule-go's scan is bounded anyway
	}
	if len(o.Bymonth) == 0 && len(o.Bymonthday) == 0 && len(o.Byyearday) == 0 && len(o.Byweekday) == 0 {
		return true
	}
	var weekdays []int
	for _, wd := range o.Byweekday {
		weekdays = append(weekdays, wd.Day())
	}
	wd := pyWeekday(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC))
	for y := 2000; y < 2400; y++ {
		ylen := 365
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			ylen = 366
		}
		yday := 1
		for m := 1; m <= 12; m++ {
			mlen := time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
			for md := 1; md <= mlen; md, yday, wd = md+1, yday+1, (wd+1)%7 {
				if len(o.Bymonth) > 0 && !slices.Contains(o.Bymonth, m) {
					continue
				}
				if len(weekdays) > 0 && !slices.Contains(weekdays, wd) {
					continue
				}
				if len(o.Bymonthday) > 0 && !slices.Contains(o.Bymonthday, md) && !slices.Contains(o.Bymonthday, md-mlen-1) {
					continue
				}
				if len(o.Byyearday) > 0 && !slices.Contains(o.Byyearday, yday) && !slices.Contains(o.Byyearday, yday-ylen-1) {
					continue
				}
				return true
			}
		}
	}
	return false
}

// weekdayOf converts to rrule-go's weekday (Monday first).
func weekdayOf(t time.Time) rrule.Weekday {
	return [...]rrule.Weekday{rrule.SU, rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA}[t.Weekday()]
}

// pyWeekday numbers weekdays as rrule-go does: Monday 0 … Sunday 6.
func pyWeekday(t time.Time) int { return (int(t.Weekday()) + 6) % 7 }

// dayNum numbers the calendar day of a wall-UTC time.
func dayNum(w time.Time) int64 { return floorDiv(w.Unix(), 86400) }

func fromDayNum(n int64) time.Time { return time.Unix(n*86400, 0).UTC() }

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 {
	m := a % b
	if m != 0 && ((m < 0) != (b < 0)) {
		m += b
	}
	return m
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	if a < 0 {
		return -a
	}
	return a
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func uniqueSorted(s []int) []int {
	if len(s) == 0 {
		return nil
	}
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

func orDefault(s []int, v int) []int {
	if len(s) == 0 {
		return []int{v}
	}
	return s
}

var allValues = func() []int {
	s := make([]int, 60)
	for i := range s {
		s[i] = i
	}
	return s
}()

// orAll returns s, or 0..n-1 when s is empty (no limit).
func orAll(s []int, n int) []int {
	if len(s) == 0 {
		return allValues[:n]
	}
	return s
}
