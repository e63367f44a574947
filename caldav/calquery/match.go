package calquery

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/veileder/veileder/recurrence"
)

// Match reports whether a calendar object matches a filter (RFC 4791 §9.7).
// A nil filter matches everything.
//
// A time-range on VEVENT, VTODO or VJOURNAL is evaluated per recurrence
// instance (§9.9) with recurrence.Expand: RRULE, RDATE, EXDATE and
// overridden instances count, all-day and floating times are taken in
// opts.Location. The comp-filter's prop-filters and nested comp-filters must
// then hold for the same instance, tested against that instance's own
// component (the master or the override), so "VEVENT in range with
// STATUS:CANCELLED" does not match a series whose only cancelled occurrence
// is elsewhere.
//
// A time-range on VALARM is tested against the trigger times (§9.9): a
// relative TRIGGER counts from the start or end of each instance of the
// parent, REPEAT/DURATION add the repetitions; a START-related trigger of a
// VTODO without DTSTART counts from DUE (best effort: RFC 5545 §3.8.6.3 does
// not allow it, but RFC 4791's own example data does it).
//
// An unknown TZID is read as the calendar's zone, never an error. When an
// expansion is cut short by opts.MaxInstances or opts.MaxDuration (an
// endless series and an open range) without a match, the object matches if
// its master or an override passes the other conditions on its own: a client
// is better served by one extra object than by a missing one. The error is
// for data that cannot be expanded at all (a broken RRULE, two masters); the
// handler should log it and skip the object rather than fail the REPORT.
func Match(cal *ical.Calendar, f *CompFilter, opts recurrence.Options) (bool, error) {
	if f == nil {
		return true, nil
	}
	if cal == nil || cal.Component == nil {
		return false, errors.New("calquery: match: no calendar")
	}
	e := newEnv(cal, opts)
	if !strings.EqualFold(cal.Name, f.Name) {
		return f.IsNotDefined, nil
	}
	if f.IsNotDefined {
		return false, nil
	}
	return e.matchInside(f, cal.Component, nil)
}

// matchInside tests the prop-filters and nested comp-filters of f against
// comp, which already passed f's name and time-range. inst is the instance
// of comp that passed the time-range, nil when there was none.
func (e *env) matchInside(f *CompFilter, comp *ical.Component, inst *recurrence.Instance) (bool, error) {
	for i := range f.PropFilters {
		if !e.matchPropFilter(&f.PropFilters[i], comp) {
			return false, nil
		}
	}
	for i := range f.CompFilters {
		ok, err := e.matchCompFilter(&f.CompFilters[i], comp, inst)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

// matchCompFilter applies a comp-filter to the children of parent
// (RFC 4791 §9.7.1): it matches when one child of that name passes.
func (e *env) matchCompFilter(f *CompFilter, parent *ical.Component, parentInst *recurrence.Instance) (bool, error) {
	var cands []*ical.Component
	for _, c := range parent.Children {
		if strings.EqualFold(c.Name, f.Name) {
			cands = append(cands, c)
		}
	}
	if f.IsNotDefined {
		return len(cands) == 0, nil
	}
	if len(cands) == 0 {
		return false, nil
	}
	if f.TimeRange == nil {
		for _, c := range cands {
			ok, err := e.matchInside(f, c, nil)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	}
	tr := *f.TimeRange
	switch f.Name {
	case ical.CompEvent, ical.CompToDo, ical.CompJournal:
		opts := e.opts
		if len(f.PropFilters) == 0 && len(f.CompFilters) == 0 {
			// Any instance will do: do not expand more than one.
			opts.MaxInstances = 1
		}
		insts, truncated, err := recurrence.Expand(e.cal, tr.Start, tr.End, opts)
		if err != nil {
			return false, fmt.Errorf("calquery: match %s: %w", f.Name, err)
		}
		for i := range insts {
			inst := &insts[i]
			if inst.Component == nil || !strings.EqualFold(inst.Component.Name, f.Name) || !isChild(parent, inst.Component) {
				continue
			}
			ok, err := e.matchInside(f, inst.Component, inst)
			if err != nil || ok {
				return ok, err
			}
		}
		if truncated {
			// Instances past the cap come from the master or an override:
			// one of those must pass the other conditions on its own.
			for _, c := range cands {
				ok, err := e.matchInside(f, c, nil)
				if err != nil || ok {
					return ok, err
				}
			}
		}
		return false, nil
	case ical.CompFreeBusy:
		for _, c := range cands {
			if !e.freeBusyOverlaps(c, tr) {
				continue
			}
			ok, err := e.matchInside(f, c, nil)
			if err != nil || ok {
				return ok, err
			}
		}
	case ical.CompAlarm:
		for _, c := range cands {
			hit, err := e.alarmFires(c, parent, parentInst, tr)
			if err != nil {
				return false, err
			}
			if !hit {
				continue
			}
			ok, err := e.matchInside(f, c, parentInst)
			if err != nil || ok {
				return ok, err
			}
		}
	}
	return false, nil
}

// isChild reports whether c is one of parent's children, by identity or, if
// the expander handed out copies, by UID and RECURRENCE-ID.
func isChild(parent, c *ical.Component) bool {
	for _, p := range parent.Children {
		if sameComponent(p, c) {
			return true
		}
	}
	return false
}

func sameComponent(a, b *ical.Component) bool {
	if a == b {
		return true
	}
	return a.Name == b.Name &&
		propValue(a, ical.PropUID) == propValue(b, ical.PropUID) &&
		propValue(a, ical.PropRecurrenceID) == propValue(b, ical.PropRecurrenceID) &&
		propValue(a, ical.PropDateTimeStart) == propValue(b, ical.PropDateTimeStart)
}

func propValue(c *ical.Component, name string) string {
	if p := c.Props.Get(name); p != nil {
		return p.Value
	}
	return ""
}

// freeBusyOverlaps is the VFREEBUSY rule of RFC 4791 §9.9: by DTSTART and
// DTEND when both are present, else by any FREEBUSY period, else never.
func (e *env) freeBusyOverlaps(c *ical.Component, tr TimeRange) bool {
	start, _, okStart := e.compTime(c, ical.PropDateTimeStart)
	end, _, okEnd := e.compTime(c, ical.PropDateTimeEnd)
	if okStart && okEnd {
		return (tr.Start.IsZero() || !tr.Start.After(end)) && (tr.End.IsZero() || tr.End.After(start))
	}
	for i := range c.Props.Values(ical.PropFreeBusy) {
		spans, err := e.propSpans(&c.Props.Values(ical.PropFreeBusy)[i])
		if err != nil {
			continue
		}
		for _, s := range spans {
			if spanOverlaps(s, tr) {
				return true
			}
		}
	}
	return false
}

// alarmFires reports whether a trigger time of alarm falls in tr
// (RFC 4791 §9.9, VALARM). parent is the VEVENT or VTODO holding the alarm;
// parentInst, when set, is the one instance to consider.
func (e *env) alarmFires(alarm, parent *ical.Component, parentInst *recurrence.Instance, tr TimeRange) (bool, error) {
	trig := alarm.Props.Get(ical.PropTrigger)
	if trig == nil {
		return false, nil
	}
	// REPEAT and DURATION add repetitions after the first trigger
	// (RFC 5545 §3.8.6.2, §3.6.6).
	// Repetitions beyond the limits of a duration (a century) cannot
	// fire in any range a client asks about and are left out.
	offsets := []recurrence.Duration{{}}
	if rp := alarm.Props.Get(ical.PropRepeat); rp != nil {
		n, err := strconv.Atoi(strings.TrimSpace(rp.Value))
		dp := alarm.Props.Get(ical.PropDuration)
		if err == nil && n > 0 && dp != nil {
			if step, err := recurrence.ParseDuration(dp.Value); err == nil {
				n = min(n, maxAlarmRepeats)
				for k := 1; k <= n; k++ {
					o, ok := step.Times(k)
					if !ok {
						break
					}
					offsets = append(offsets, o)
				}
			}
		}
	}

	// An absolute trigger (VALUE=DATE-TIME, always UTC) is one instant.
	if strings.EqualFold(trig.Params.Get(ical.ParamValue), string(ical.ValueDateTime)) || !strings.ContainsAny(trig.Value, "Pp") {
		t, _, err := e.propTime(trig)
		if err != nil {
			return false, nil
		}
		for _, o := range offsets {
			if inRange(o.AddTo(t), tr) {
				return true, nil
			}
		}
		return false, nil
	}

	rel, err := recurrence.ParseDuration(trig.Value)
	if err != nil {
		return false, nil
	}
	shifted := offsets[:0]
	for _, o := range offsets {
		if o, ok := o.Plus(rel); ok {
			shifted = append(shifted, o)
		}
	}
	offsets = shifted
	if len(offsets) == 0 {
		return false, nil
	}
	related := strings.ToUpper(trig.Params.Get(ical.ParamRelated))

	anchors, truncated, err := e.alarmAnchors(parent, parentInst, offsets, tr)
	if err != nil {
		return false, err
	}
	for _, a := range anchors {
		base := a.Start
		if related == "END" {
			base = a.End
		}
		if base.IsZero() {
			continue // a VTODO without that date (RFC 4791 §9.9 rows)
		}
		for _, o := range offsets {
			if inRange(o.AddTo(base), tr) {
				return true, nil
			}
		}
	}
	// See Match: an expansion cut short reports a match.
	return truncated, nil
}

// alarmAnchors returns the start and end of each instance of parent whose
// alarm could fire in tr; truncated is set when the expansion was cut
// short.
func (e *env) alarmAnchors(parent *ical.Component, parentInst *recurrence.Instance, offsets []recurrence.Duration, tr TimeRange) (anchors []span, truncated bool, err error) {
	// A VTODO without DTSTART has only its DUE (RFC 5545 §3.6.2) and cannot
	// recur (RRULE needs DTSTART).
	if parent.Props.Get(ical.PropDateTimeStart) == nil {
		due, _, ok := e.compTime(parent, ical.PropDue)
		if !ok {
			return nil, false, nil
		}
		return []span{{Start: due, End: due}}, false, nil
	}
	if parentInst != nil {
		return []span{{Start: parentInst.Start, End: parentInst.End}}, false, nil
	}
	// Widen the range by the trigger offsets so that every instance whose
	// alarm may fire in tr is expanded, then test the exact times.
	lo, hi := offsets[0].Approx(), offsets[0].Approx()
	for _, o := range offsets[1:] {
		lo, hi = min(lo, o.Approx()), max(hi, o.Approx())
	}
	const slack = 48 * time.Hour // nominal days across DST, instance length
	start, end := tr.Start, tr.End
	if !start.IsZero() {
		start = start.Add(-hi - slack)
	}
	if !end.IsZero() {
		end = end.Add(-lo + slack)
	}
	insts, truncated, err := recurrence.Expand(e.cal, start, end, e.opts)
	if err != nil {
		return nil, false, fmt.Errorf("calquery: match VALARM: %w", err)
	}
	for _, inst := range insts {
		if inst.Component != nil && sameComponent(inst.Component, parent) {
			anchors = append(anchors, span{Start: inst.Start, End: inst.End})
		}
	}
	return anchors, truncated, nil
}

// matchPropFilter applies a prop-filter to comp (RFC 4791 §9.7.2): one
// property of that name must pass every condition.
func (e *env) matchPropFilter(f *PropFilter, comp *ical.Component) bool {
	props := comp.Props.Values(f.Name)
	if f.IsNotDefined {
		return len(props) == 0
	}
	for i := range props {
		if e.matchProp(f, &props[i]) {
			return true
		}
	}
	return false
}

func (e *env) matchProp(f *PropFilter, p *ical.Prop) bool {
	switch {
	case f.TimeRange != nil:
		spans, err := e.propSpans(p)
		if err != nil {
			return false
		}
		hit := false
		for _, s := range spans {
			if spanOverlaps(s, *f.TimeRange) {
				hit = true
				break
			}
		}
		if !hit {
			return false
		}
	case f.TextMatch != nil:
		if !textMatches(f.TextMatch, propText(p)) {
			return false
		}
	}
	for i := range f.ParamFilters {
		if !matchParamFilter(&f.ParamFilters[i], p) {
			return false
		}
	}
	return true
}

// matchParamFilter applies a param-filter to a property (RFC 4791 §9.7.3);
// for a multi-valued parameter one value must match.
func matchParamFilter(f *ParamFilter, p *ical.Prop) bool {
	values := p.Params.Values(f.Name)
	if f.IsNotDefined {
		return len(values) == 0
	}
	if len(values) == 0 {
		return false
	}
	if f.TextMatch == nil {
		return true
	}
	for _, v := range values {
		if textMatches(f.TextMatch, v) {
			return true
		}
	}
	return false
}

// propText is the value a text-match sees: TEXT values unescaped
// (RFC 5545 §3.3.11), others as written.
func propText(p *ical.Prop) string {
	switch p.ValueType() {
	case ical.ValueText, ical.ValueDefault:
		return recurrence.UnescapeText(p.Value)
	}
	return p.Value
}

// textMatches is a substring match under the collation (RFC 4791 §9.7.5,
// RFC 4790 §9.2 i;octet, §9.3 i;ascii-casemap). i;unicode-casemap
// (RFC 5051) is approximated by Unicode simple case folding of Go's
// strings package, without the normalisation step.
func textMatches(tm *TextMatch, value string) bool {
	var ok bool
	switch tm.Collation {
	case CollationOctet:
		ok = strings.Contains(value, tm.Text)
	case CollationUnicodeCasemap:
		ok = strings.Contains(foldUnicode(value), foldUnicode(tm.Text))
	default:
		ok = strings.Contains(asciiLower(value), asciiLower(tm.Text))
	}
	return ok != tm.Negate
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func foldUnicode(s string) string {
	return strings.ToLower(strings.ToUpper(s))
}
