// Package recurrence turns iCalendar objects, as parsed by go-ical, into
// concrete time instances: RRULE, RDATE, EXDATE and RECURRENCE-ID overrides
// (RFC 5545 §3.8.5, §3.8.4.4), time zones (§3.2.19, §3.3.5) and the
// time-range semantics of CalDAV (RFC 4791 §9.9).
//
// It serves the CalDAV server (time-range queries, expand, the first start
// and last end indexed at PUT), the booking engine and feeds. Rules are
// evaluated with rrule-go on wall clock time; see rule.go for what is done
// around it and why.
//
// It is also the one home of the small RFC 5545 rules every package that
// reads or writes iCalendar needs, so that they cannot drift apart:
// DATE, DATE-TIME and duration values and local times (value.go), TEXT
// escaping, line folding, parameter values and calendar addresses
// (text.go). It imports none of Veileder's packages.
package recurrence

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-ical"
)

// Defaults for Options.
const (
	DefaultMaxInstances = 5000
	DefaultMaxDuration  = 200 * time.Millisecond
)

// Options tunes expansion. Zero values get sane defaults.
type Options struct {
	// Location evaluates floating times, all-day dates and TZIDs that cannot
	// be resolved: the calendar's (or the library's) zone. Default time.UTC;
	// Veileder passes Europe/Oslo.
	Location *time.Location
	// MaxInstances caps the instances Expand returns per object (default
	// 5000). Exceeding it is not an error: Expand stops and reports
	// truncated. For a yes/no time-range match, pass 1.
	MaxInstances int
	// MaxDuration caps the wall-clock time of one call (default 200ms).
	// Expand then reports truncated; Bounds widens its answer.
	MaxDuration time.Duration
}

func (o Options) withDefaults() Options {
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.MaxInstances <= 0 {
		o.MaxInstances = DefaultMaxInstances
	}
	if o.MaxDuration <= 0 {
		o.MaxDuration = DefaultMaxDuration
	}
	return o
}

// Instance is one occurrence of a calendar object resource.
type Instance struct {
	// Start and End bound the occurrence; End is exclusive. A VEVENT with
	// only a DATE-TIME DTSTART has End == Start; one with a DATE DTSTART
	// lasts one calendar day. For a VTODO they follow the RFC 4791 §9.9
	// table (e.g. DUE only: Start == End == DUE), Start is zero for a VTODO
	// with no date at all, and End is zero when the VTODO is unbounded
	// (CREATED only, or no date). Use Overlaps rather than comparing.
	Start, End time.Time
	// AllDay is set when the start is a DATE; Start is then midnight in
	// Options.Location and End a later midnight (calendar days, not 24h).
	AllDay bool
	// RecurrenceID is the original start of this occurrence, the value a
	// RECURRENCE-ID would carry; zero for a non-recurring object.
	RecurrenceID time.Time
	// Component is the master (for generated instances) or the override
	// component (RECURRENCE-ID). STATUS is left for the caller to judge.
	Component *ical.Component
	// Overridden is set for instances taken from an override component.
	Overridden bool

	// closedStart and closedEnd record the VTODO rows of RFC 4791 §9.9 whose
	// comparisons include the boundary ("end >= DUE", "start <= COMPLETED").
	closedStart, closedEnd bool
}

// Overlaps applies the RFC 4791 §9.9 time-range test to one instance. A zero
// start or end leaves the range open on that side.
//
// For VEVENT and VJOURNAL the test is the half-open overlap, except that a
// zero-length instance matches when start <= DTSTART < end. (The §9.9 row
// for DTEND == DTSTART would never match; RFC 5545 §3.8.2.2 requires DTEND
// after DTSTART, so such events are read as zero-length.) VTODO rows with
// inclusive comparisons are honoured through flags Expand sets.
func Overlaps(inst Instance, start, end time.Time) bool {
	closedStart, closedEnd := inst.closedStart, inst.closedEnd
	if !closedStart && !closedEnd && !inst.Start.IsZero() && inst.End.Equal(inst.Start) {
		closedEnd = true
	}
	if !start.IsZero() && !inst.End.IsZero() {
		if closedEnd && start.After(inst.End) || !closedEnd && !start.Before(inst.End) {
			return false
		}
	}
	if !end.IsZero() && !inst.Start.IsZero() {
		if closedStart && end.Before(inst.Start) || !closedStart && !end.After(inst.Start) {
			return false
		}
	}
	return true
}

// Expand returns the instances of the object's main component type (the
// first VEVENT, VTODO or VJOURNAL in cal; other types are ignored) that
// overlap [start, end) per RFC 4791 §9.9. A zero start or end means open on
// that side. The result is sorted by Start. truncated is true if a cap was
// hit; the instances returned are then the earliest ones.
//
// Generated instances are those of the master's DTSTART, RRULEs and RDATEs
// less its EXDATEs (RFC 5545 §3.8.5.3), less the instances an override
// replaces; overrides are returned as they are, wherever they moved to, with
// RANGE=THISANDFUTURE read as a plain override.
func Expand(cal *ical.Calendar, start, end time.Time, opts Options) (instances []Instance, truncated bool, err error) {
	e, err := ExpandSeries(cal, start, end, opts)
	return e.Instances, e.Truncated, err
}

// Expansion is what ExpandSeries learnt of one object over a range.
type Expansion struct {
	// Instances are as Expand returns them.
	Instances []Instance
	// Truncated says a cap was hit; UnknownFrom is then the time from
	// which the instances are not known (never before the range's start
	// unless that is open): everything that starts before it was
	// returned. Busy time must count [UnknownFrom, end of range) as busy,
	// since the series may well go on there.
	Truncated   bool
	UnknownFrom time.Time
	// Master is the component without RECURRENCE-ID, or nil when there
	// are only overrides: what the unknown instances would look like.
	Master *ical.Component
}

// ExpandSeries is Expand, saying also where a truncated expansion stopped
// knowing (see Expansion).
func ExpandSeries(cal *ical.Calendar, start, end time.Time, opts Options) (Expansion, error) {
	opts = opts.withDefaults()
	x := newExpander(cal, opts)
	obj, err := x.parseObject()
	if err != nil {
		return Expansion{}, err
	}
	var truncated bool

	var items []Instance
	if obj.fixed != nil && Overlaps(*obj.fixed, start, end) {
		items = append(items, *obj.fixed)
	}
	for _, o := range obj.overrides {
		if Overlaps(o, start, end) {
			items = append(items, o)
		}
	}

	var horizon time.Time // when a cap was hit: the last start known complete
	cut := func(h time.Time) {
		truncated = true
		if horizon.IsZero() || h.Before(horizon) {
			horizon = h
		}
	}
	if s := obj.master; s != nil {
		seen := make(map[int64]bool)
		add := func(v dtValue, at, explicitEnd time.Time) bool {
			if s.excluded.has(v.wall, at) || s.overridden.has(v.wall, at) || seen[at.Unix()] {
				return false
			}
			seen[at.Unix()] = true
			in := s.instance(v, at, explicitEnd)
			if !Overlaps(in, start, end) {
				return false
			}
			items = append(items, in)
			return true
		}
		// RDATE periods go first so that their own end wins over the default
		// duration when a rule yields the same start.
		for _, rd := range s.rdates {
			add(rd.start, rd.start.instant(), rd.end)
		}
		add(s.start, s.start.instant(), time.Time{})

		loc := s.start.loc
		var from, to time.Time
		if !start.IsZero() {
			// An instance that began before the range can still overlap it.
			from = wallOf(start.Add(-s.shape.upper() - 24*time.Hour).In(loc))
		}
		if !end.IsZero() {
			to = wallOf(end.In(loc)).Add(24 * time.Hour)
		}
		for _, r := range s.rules {
			accepted := 0
			var capped, last, cappedAt time.Time
			timedOut, err := r.walk(s.start.wall, loc, from, x.deadline, func(w, at time.Time) bool {
				if !to.IsZero() && w.After(to) || !capped.IsZero() && w.After(capped.Add(24*time.Hour)) {
					return false
				}
				last = w
				if !capped.IsZero() && !at.Before(cappedAt.Add(3*time.Hour)) {
					// Past the cap only instances that a DST shift put
					// before the capped one can still be among the earliest
					// kept; the rest are walked (for the horizon) but not
					// held, or a sub-daily rule would hold a day of them
					// (86,400 for FREQ=SECONDLY).
					return true
				}
				if add(dtValue{wall: w, date: s.start.date, loc: loc}, at, time.Time{}) {
					if accepted++; accepted > opts.MaxInstances && capped.IsZero() {
						// Walls and instants may disagree in order by a DST
						// shift: collect a day more, keep what is certain.
						capped, cappedAt = w, at
					}
				}
				return true
			})
			if err != nil {
				return Expansion{}, err
			}
			switch {
			case timedOut && last.IsZero():
				cut(localTime(maxTime(from, s.start.wall), loc).Add(-12 * time.Hour))
			case timedOut:
				cut(localTime(last, loc).Add(-12 * time.Hour))
			case !capped.IsZero():
				cut(localTime(capped, loc).Add(12 * time.Hour))
			}
		}
	}

	if !horizon.IsZero() {
		items = slices.DeleteFunc(items, func(in Instance) bool { return in.Start.After(horizon) })
	}
	slices.SortFunc(items, func(a, b Instance) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		if c := a.RecurrenceID.Compare(b.RecurrenceID); c != 0 {
			return c
		}
		return cmp.Compare(boolInt(a.Overridden), boolInt(b.Overridden))
	})
	var unknown time.Time
	if len(items) > opts.MaxInstances {
		items = items[:opts.MaxInstances]
		truncated = true
		// The next one starts no earlier than the last one kept.
		unknown = items[len(items)-1].Start
	}
	if !horizon.IsZero() && (unknown.IsZero() || horizon.Before(unknown)) {
		unknown = horizon
	}
	if truncated && !start.IsZero() && (unknown.IsZero() || unknown.Before(start)) {
		unknown = start
	}
	e := Expansion{Instances: items, Truncated: truncated}
	if truncated {
		e.UnknownFrom = unknown
	}
	if obj.master != nil {
		e.Master = obj.master.comp
	}
	return e, nil
}

// Bounds returns the first start and last end over all instances of the
// object (master, overrides and RDATEs), in UTC, for indexing. last is zero
// when unbounded (an RRULE without COUNT or UNTIL, or a VTODO with no end);
// first is zero for a VTODO without any date. Both are zero when the object
// has no instance at all (e.g. a VJOURNAL without DTSTART). VTODO bounds can
// be inclusive (RFC 4791 §9.9), so prefilter a range [s, e) with
// first <= e && (last.IsZero() || last >= s).
//
// err reports objects that cannot be evaluated (a bad RRULE, a VEVENT
// without DTSTART): callers reject the PUT with valid-calendar-data. Bounds
// walks a bounded rule to its end within MaxDuration; past it, last widens to
// UNTIL plus the instance length, or to zero.
func Bounds(cal *ical.Calendar, opts Options) (first, last time.Time, err error) {
	opts = opts.withDefaults()
	x := newExpander(cal, opts)
	obj, err := x.parseObject()
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	openStart, openEnd := false, false
	track := func(in Instance) {
		if in.Start.IsZero() {
			openStart = true
		} else if first.IsZero() || in.Start.Before(first) {
			first = in.Start
		}
		if in.End.IsZero() {
			openEnd = true
		} else if last.IsZero() || in.End.After(last) {
			last = in.End
		}
	}
	if obj.fixed != nil {
		track(*obj.fixed)
	}
	for _, o := range obj.overrides {
		track(o)
	}
	if s := obj.master; s != nil {
		consider := func(v dtValue, at, explicitEnd time.Time) bool {
			if s.excluded.has(v.wall, at) || s.overridden.has(v.wall, at) {
				return false
			}
			track(s.instance(v, at, explicitEnd))
			return true
		}
		for _, rd := range s.rdates {
			consider(rd.start, rd.start.instant(), rd.end)
		}
		consider(s.start, s.start.instant(), time.Time{})
		loc := s.start.loc
		for _, r := range s.rules {
			bounded := r.count > 0 || !r.until.IsZero()
			var firstWall time.Time
			timedOut, err := r.walk(s.start.wall, loc, time.Time{}, x.deadline, func(w, at time.Time) bool {
				if !bounded && !firstWall.IsZero() && w.After(firstWall.Add(24*time.Hour)) {
					return false
				}
				if consider(dtValue{wall: w, date: s.start.date, loc: loc}, at, time.Time{}) && firstWall.IsZero() {
					firstWall = w
				}
				return true
			})
			if err != nil {
				return time.Time{}, time.Time{}, err
			}
			if timedOut && firstWall.IsZero() {
				// Not found in time: DTSTART is earlier than any instance.
				track(Instance{Start: s.start.instant(), End: s.start.instant()})
			}
			switch {
			case !bounded:
				openEnd = true
			case timedOut && !r.until.IsZero():
				track(Instance{Start: r.until, End: r.until.Add(s.shape.upper())})
			case timedOut:
				openEnd = true
			}
		}
	}
	if openStart {
		first = time.Time{}
	}
	if openEnd {
		last = time.Time{}
	}
	if !first.IsZero() {
		first = first.UTC()
	}
	if !last.IsZero() {
		last = last.UTC()
	}
	return first, last, nil
}

type expander struct {
	cal      *ical.Calendar
	opts     Options
	zones    map[string]*time.Location
	deadline time.Time
}

func newExpander(cal *ical.Calendar, opts Options) *expander {
	return &expander{
		cal:      cal,
		opts:     opts,
		zones:    make(map[string]*time.Location),
		deadline: time.Now().Add(opts.MaxDuration),
	}
}

// zone resolves a TZID once per call; an unknown zone falls back to
// Options.Location rather than failing (see ResolveLocation).
func (x *expander) zone(tzid string) *time.Location {
	if loc, ok := x.zones[tzid]; ok {
		return loc
	}
	loc, _ := resolve(tzid, x.cal, x.opts.Location, x.deadline)
	x.zones[tzid] = loc
	return loc
}

// value parses one DATE or DATE-TIME text with the property's TZID. A UTC
// value ignores TZID (RFC 5545 §3.2.19 forbids the pair); a DATE has no time
// zone and, like a floating time (§3.3.5 form #1), is read in
// Options.Location.
func (x *expander) value(text, vt, tzid string) (dtValue, error) {
	wall, date, utc, err := ParseDateTime(strings.TrimSpace(text), vt)
	if err != nil {
		return dtValue{}, err
	}
	v := dtValue{wall: wall, date: date, loc: x.opts.Location}
	switch {
	case utc:
		v.loc = time.UTC
	case !date && tzid != "":
		v.loc = x.zone(tzid)
	}
	return v, nil
}

func (x *expander) prop(p *ical.Prop) (dtValue, error) {
	v, err := x.value(p.Value, valueType(p), p.Params.Get(ical.ParamTimezoneID))
	if err != nil {
		return dtValue{}, fmt.Errorf("recurrence: %s: %w", p.Name, err)
	}
	return v, nil
}

// listValue is one value of an RDATE or EXDATE list.
type listValue struct {
	start dtValue
	end   time.Time // end of an RDATE PERIOD, zero otherwise
}

// list parses the comma-separated values of an RDATE or EXDATE (RFC 5545
// §3.8.5.1, §3.8.5.2), including PERIOD values "start/end" and
// "start/duration".
func (x *expander) list(p *ical.Prop) ([]listValue, error) {
	vt := valueType(p)
	tzid := p.Params.Get(ical.ParamTimezoneID)
	var out []listValue
	for _, item := range strings.Split(p.Value, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		a, b, period := strings.Cut(item, "/")
		itemType := vt
		if itemType == "PERIOD" {
			itemType = "DATE-TIME"
		}
		start, err := x.value(a, itemType, tzid)
		if err != nil {
			return nil, fmt.Errorf("recurrence: %s: %w", p.Name, err)
		}
		lv := listValue{start: start}
		if period {
			at := start.instant()
			if s := strings.TrimLeft(b, "+-"); strings.HasPrefix(strings.ToUpper(s), "P") {
				d, err := ParseDuration(b)
				if err != nil {
					return nil, fmt.Errorf("recurrence: %s: %w", p.Name, err)
				}
				lv.end = at
				if d.positive() {
					lv.end = d.add(at, start.wall, start.loc)
				}
			} else {
				e, err := x.value(b, "DATE-TIME", tzid)
				if err != nil {
					return nil, fmt.Errorf("recurrence: %s: %w", p.Name, err)
				}
				lv.end = maxTime(e.instant(), at)
			}
		}
		out = append(out, lv)
	}
	return out, nil
}

// object is a parsed calendar object resource: one master and its overrides
// (RFC 4791 §4.1 allows one component type and one UID per resource).
type object struct {
	master    *series
	overrides []Instance
	fixed     *Instance // a VTODO without DTSTART
}

func (x *expander) parseObject() (*object, error) {
	if x.cal == nil || x.cal.Component == nil {
		return nil, errors.New("recurrence: no calendar")
	}
	kind := ""
	for _, c := range x.cal.Children {
		if c.Name == ical.CompEvent || c.Name == ical.CompToDo || c.Name == ical.CompJournal {
			kind = c.Name
			break
		}
	}
	if kind == "" {
		return nil, errors.New("recurrence: no VEVENT, VTODO or VJOURNAL")
	}
	var master *ical.Component
	var overrides []*ical.Component
	for _, c := range x.cal.Children {
		if c.Name != kind {
			continue
		}
		if c.Props.Get(ical.PropRecurrenceID) != nil {
			overrides = append(overrides, c)
		} else if master != nil {
			return nil, fmt.Errorf("recurrence: more than one %s without RECURRENCE-ID", kind)
		} else {
			master = c
		}
	}

	obj := &object{}
	if master != nil {
		if err := x.parseMaster(obj, master, kind, len(overrides) > 0); err != nil {
			return nil, err
		}
	}
	for _, c := range overrides {
		rid, err := x.prop(c.Props.Get(ical.PropRecurrenceID))
		if err != nil {
			return nil, err
		}
		start := rid // an override without DTSTART keeps its original start
		if p := c.Props.Get(ical.PropDateTimeStart); p != nil {
			if start, err = x.prop(p); err != nil {
				return nil, err
			}
		}
		sh, err := x.shapeOf(c, kind, start)
		if err != nil {
			return nil, err
		}
		at := start.instant()
		obj.overrides = append(obj.overrides, Instance{
			Start:        at,
			End:          sh.end(at, start.wall, start.loc),
			AllDay:       start.date,
			RecurrenceID: rid.instant(),
			Component:    c,
			Overridden:   true,
			closedStart:  sh.closedStart,
			closedEnd:    sh.closedEnd,
		})
		if obj.master != nil {
			obj.master.overridden.add(rid, obj.master.start.date)
		}
	}
	return obj, nil
}

// series is a master component: DTSTART, the shape of each instance, and
// the recurrence set (RFC 5545 §3.8.5).
type series struct {
	comp       *ical.Component
	start      dtValue
	shape      shape
	rules      []*ruleSpec
	rdates     []listValue
	excluded   exclusions // EXDATE
	overridden exclusions // RECURRENCE-IDs of overrides
	recurring  bool
}

func (x *expander) parseMaster(obj *object, c *ical.Component, kind string, hasOverrides bool) error {
	rrules := c.Props.Values(ical.PropRecurrenceRule)
	rdates := c.Props.Values(ical.PropRecurrenceDates)
	sp := c.Props.Get(ical.PropDateTimeStart)
	if sp == nil {
		if len(rrules) > 0 || len(rdates) > 0 {
			return fmt.Errorf("recurrence: %s has RRULE or RDATE without DTSTART", kind)
		}
		switch kind {
		case ical.CompEvent:
			return errors.New("recurrence: VEVENT without DTSTART")
		case ical.CompToDo:
			in, err := x.todoWithoutStart(c)
			if err != nil {
				return err
			}
			obj.fixed = &in
		}
		// RFC 4791 §9.9: a VJOURNAL without DTSTART never matches a range.
		return nil
	}
	start, err := x.prop(sp)
	if err != nil {
		return err
	}
	sh, err := x.shapeOf(c, kind, start)
	if err != nil {
		return err
	}
	s := &series{comp: c, start: start, shape: sh}
	if len(rrules) > maxRules {
		return fmt.Errorf("recurrence: %d RRULE properties, more than %d", len(rrules), maxRules)
	}
	for _, p := range rrules {
		r, err := parseRule(p.Value, start.wall, start.date, start.loc)
		if err != nil {
			return fmt.Errorf("recurrence: RRULE: %w", err)
		}
		s.rules = append(s.rules, r)
	}
	// EXRULE was deprecated by RFC 5545 (Appendix A.3) and is ignored: that
	// yields more instances, never fewer.
	for _, p := range rdates {
		l, err := x.list(&p)
		if err != nil {
			return err
		}
		s.rdates = append(s.rdates, l...)
	}
	for _, p := range c.Props.Values(ical.PropExceptionDates) {
		l, err := x.list(&p)
		if err != nil {
			return err
		}
		for _, v := range l {
			s.excluded.add(v.start, start.date)
		}
	}
	s.recurring = len(s.rules) > 0 || len(s.rdates) > 0 || hasOverrides
	obj.master = s
	return nil
}

// instance builds the instance starting at at (wall time v.wall in v.loc).
func (s *series) instance(v dtValue, at, explicitEnd time.Time) Instance {
	in := Instance{
		Start:       at,
		AllDay:      v.date,
		Component:   s.comp,
		closedStart: s.shape.closedStart,
		closedEnd:   s.shape.closedEnd,
	}
	if s.recurring {
		in.RecurrenceID = at
	}
	if !explicitEnd.IsZero() {
		in.End = explicitEnd
	} else {
		in.End = s.shape.end(at, v.wall, v.loc)
	}
	return in
}

// exclusions matches EXDATEs or overridden RECURRENCE-IDs against instances:
// by instant, or by calendar day for DATE values and for all-day series (a
// DATE-TIME EXDATE on an all-day series, or a DATE one on a timed series,
// breaks RFC 5545's same-type rule; clients mean the day).
type exclusions struct {
	at   map[int64]bool
	days map[int64]bool
}

func (e *exclusions) add(v dtValue, allDay bool) {
	if v.date || allDay {
		if e.days == nil {
			e.days = make(map[int64]bool)
		}
		e.days[dayNum(v.wall)] = true
		return
	}
	if e.at == nil {
		e.at = make(map[int64]bool)
	}
	e.at[v.instant().Unix()] = true
}

func (e *exclusions) has(wall, at time.Time) bool {
	return e.at[at.Unix()] || e.days[dayNum(wall)]
}

type endKind int

const (
	endNone    endKind = iota // zero length
	endExact                  // DTEND/DUE: "the same exact duration" for every instance
	endNominal                // DURATION, or DATE to DATE: calendar days plus exact time
)

// shape is the length of each instance of a component and the RFC 4791 §9.9
// comparison flags.
type shape struct {
	kind                   endKind
	exact                  time.Duration
	nominal                Duration
	closedStart, closedEnd bool
}

func (sh shape) end(at, wall time.Time, loc *time.Location) time.Time {
	switch sh.kind {
	case endExact:
		return at.Add(sh.exact)
	case endNominal:
		return sh.nominal.add(at, wall, loc)
	}
	return at
}

// upper bounds the exact length of any instance, clamped so that range
// arithmetic cannot overflow (an instance longer than that is absurd).
func (sh shape) upper() time.Duration {
	const limit = 200 * 366 * 24 * time.Hour
	d := time.Duration(0)
	switch sh.kind {
	case endExact:
		d = sh.exact
	case endNominal:
		d = sh.nominal.upper()
	}
	return min(d, limit)
}

// shapeOf derives the instance length from DTEND, DUE or DURATION, as RFC
// 4791 §9.9 reads them and RFC 5545 §3.8.5.3 carries them to every instance:
// DTEND/DUE give "the same exact duration", DURATION "the same nominal
// duration".
func (x *expander) shapeOf(c *ical.Component, kind string, start dtValue) (shape, error) {
	// ending converts an end value into a shape: whole days between two
	// DATEs (an all-day series must not drift an hour across DST), else the
	// exact difference.
	ending := func(p *ical.Prop) (shape, error) {
		e, err := x.prop(p)
		if err != nil {
			return shape{}, err
		}
		if start.date && e.date {
			days := int((dayNum(e.wall) - dayNum(start.wall)))
			if days <= 0 {
				return shape{kind: endNone}, nil
			}
			return shape{kind: endNominal, nominal: Duration{days: days}}, nil
		}
		d := e.instant().Sub(start.instant())
		if d <= 0 {
			return shape{kind: endNone}, nil
		}
		return shape{kind: endExact, exact: d}, nil
	}
	durationOf := func(p *ical.Prop) (shape, error) {
		d, err := ParseDuration(p.Value)
		if err != nil {
			return shape{}, fmt.Errorf("recurrence: DURATION: %w", err)
		}
		if !d.positive() {
			return shape{kind: endNone}, nil
		}
		return shape{kind: endNominal, nominal: d}, nil
	}
	oneDay := shape{kind: endNominal, nominal: Duration{days: 1}}

	switch kind {
	case ical.CompEvent:
		if p := c.Props.Get(ical.PropDateTimeEnd); p != nil {
			sh, err := ending(p)
			if err == nil && sh.kind == endNone && start.date {
				sh = oneDay // DTEND on or before an all-day DTSTART: one day
			}
			return sh, err
		}
		if p := c.Props.Get(ical.PropDuration); p != nil {
			return durationOf(p)
		}
		if start.date {
			return oneDay, nil // §9.9: start < DTSTART+P1D
		}
		return shape{kind: endNone}, nil
	case ical.CompToDo:
		// §9.9: with DURATION, start <= DTSTART+DURATION (inclusive); with
		// DUE, start < DUE; a zero length makes both ends inclusive.
		var sh shape
		var err error
		switch {
		case c.Props.Get(ical.PropDue) != nil:
			sh, err = ending(c.Props.Get(ical.PropDue))
		case c.Props.Get(ical.PropDuration) != nil:
			sh, err = durationOf(c.Props.Get(ical.PropDuration))
			sh.closedEnd = true
		default:
			return shape{kind: endNone}, nil // start <= DTSTART < end
		}
		if sh.kind == endNone {
			sh.closedStart, sh.closedEnd = true, true
		}
		return sh, err
	case ical.CompJournal:
		if start.date {
			return oneDay, nil
		}
	}
	return shape{kind: endNone}, nil
}

// todoWithoutStart places a VTODO without DTSTART by the RFC 4791 §9.9 table.
func (x *expander) todoWithoutStart(c *ical.Component) (Instance, error) {
	get := func(name string) (*dtValue, error) {
		p := c.Props.Get(name)
		if p == nil {
			return nil, nil
		}
		v, err := x.prop(p)
		return &v, err
	}
	due, err := get(ical.PropDue)
	if err != nil {
		return Instance{}, err
	}
	completed, err := get(ical.PropCompleted)
	if err != nil {
		return Instance{}, err
	}
	created, err := get(ical.PropCreated)
	if err != nil {
		return Instance{}, err
	}
	in := Instance{Component: c}
	switch {
	case due != nil: // (start < DUE) AND (end >= DUE)
		in.Start, in.End, in.AllDay = due.instant(), due.instant(), due.date
		in.closedStart = true
	case completed != nil && created != nil: // either one inside, inclusive
		a, b := created.instant(), completed.instant()
		in.Start, in.End = minTime(a, b), maxTime(a, b)
		in.closedStart, in.closedEnd = true, true
	case completed != nil: // (start <= COMPLETED) AND (end >= COMPLETED)
		in.Start, in.End = completed.instant(), completed.instant()
		in.closedStart, in.closedEnd = true, true
	case created != nil: // (end > CREATED)
		in.Start = created.instant()
	}
	// No date at all: both zero, which Overlaps reads as TRUE.
	return in, nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
