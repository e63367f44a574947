package calquery

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/veileder/veileder/recurrence"
)

// recurrable are the components with recurrence sets (RFC 5545 §3.8.5).
var recurrable = map[string]bool{ical.CompEvent: true, ical.CompToDo: true, ical.CompJournal: true}

func hasRecurrable(c *ical.Component) bool {
	for _, ch := range c.Children {
		if recurrable[ch.Name] {
			return true
		}
	}
	return false
}

// Shape returns the calendar data a CALDAV:calendar-data request asks for
// (RFC 4791 §9.6), as a new calendar; cal is not changed. A nil request
// returns a copy of everything.
//
// The steps run in this order: expand (§9.6.5) or limit-recurrence-set
// (§9.6.6), then limit-freebusy-set (§9.6.7), then the comp/prop selection
// (§9.6.1–§9.6.4).
//
// expand gives one component per instance overlapping the range, sorted by
// start, each with RECURRENCE-ID (when the component recurs), DTSTART and
// DTEND (or DUE) in UTC, no RRULE, RDATE, EXDATE or EXRULE, overrides
// applied, and no VTIMEZONE; every other TZID-qualified value is converted
// to UTC too. All-day instances stay DATE values: a date has no zone to
// convert from. Floating times are read in opts.Location and written in UTC.
// When the expansion is cut short by opts.MaxInstances or MaxDuration,
// Shape returns ErrInstanceLimit.
//
// The result may lack properties RFC 5545 requires (RFC 4791 §7.8.1 itself
// returns a VEVENT without DTSTAMP), which go-ical's encoder refuses: write it
// with Encode.
func Shape(cal *ical.Calendar, req *CalendarDataRequest, opts recurrence.Options) (*ical.Calendar, error) {
	if cal == nil || cal.Component == nil {
		return nil, errors.New("calquery: shape: no calendar")
	}
	e := newEnv(cal, opts)
	out := cloneComponent(cal.Component)
	if req == nil {
		return &ical.Calendar{Component: out}, nil
	}
	switch {
	case req.Expand != nil:
		var err error
		if out, err = e.expand(*req.Expand); err != nil {
			return nil, err
		}
	case req.LimitRecurrenceSet != nil:
		e.limitRecurrenceSet(out, *req.LimitRecurrenceSet)
	}
	if req.LimitFreeBusySet != nil {
		e.limitFreeBusySet(out, *req.LimitFreeBusySet)
	}
	if req.Comp != nil {
		out = selectComp(out, req.Comp)
	}
	return &ical.Calendar{Component: out}, nil
}

// expand implements CALDAV:expand (RFC 4791 §9.6.5).
func (e *env) expand(tr TimeRange) (*ical.Component, error) {
	root := e.cal.Component
	out := &ical.Component{Name: root.Name, Props: cloneProps(root.Props)}
	// Components without recurrence (VFREEBUSY, X- components) stay as they
	// are; VTIMEZONEs go, since nothing refers to them any more.
	for _, c := range root.Children {
		if recurrable[c.Name] || c.Name == ical.CompTimezone {
			continue
		}
		cc := cloneComponent(c)
		e.zonedToUTC(cc)
		out.Children = append(out.Children, cc)
	}
	if !hasRecurrable(root) {
		return out, nil
	}
	insts, truncated, err := recurrence.Expand(e.cal, tr.Start, tr.End, e.opts)
	if err != nil {
		return nil, fmt.Errorf("calquery: expand: %w", err)
	}
	if truncated {
		// A partial expansion would look like a complete one to the
		// client: refuse it, and let the caller say the answer is cut.
		return nil, fmt.Errorf("calquery: expand: %d instances: %w", len(insts), ErrInstanceLimit)
	}
	sort.SliceStable(insts, func(i, j int) bool { return insts[i].Start.Before(insts[j].Start) })
	for i := range insts {
		if insts[i].Component == nil || !recurrable[insts[i].Component.Name] {
			continue
		}
		out.Children = append(out.Children, e.instanceComponent(&insts[i]))
	}
	return out, nil
}

// instanceComponent turns one instance into a stand-alone component
// (RFC 4791 §9.6.5).
func (e *env) instanceComponent(inst *recurrence.Instance) *ical.Component {
	src := inst.Component
	c := cloneComponent(src)
	recurring := src.Props.Get(ical.PropRecurrenceRule) != nil ||
		src.Props.Get(ical.PropRecurrenceDates) != nil ||
		src.Props.Get(ical.PropRecurrenceID) != nil
	for _, name := range []string{ical.PropRecurrenceRule, ical.PropRecurrenceDates, ical.PropExceptionDates, "EXRULE"} {
		c.Props.Del(name)
	}
	hasStart := src.Props.Get(ical.PropDateTimeStart) != nil
	if hasStart {
		setTime(c, ical.PropDateTimeStart, inst.Start, inst.AllDay)
	}
	if src.Props.Get(ical.PropDateTimeEnd) != nil {
		setTime(c, ical.PropDateTimeEnd, inst.End, inst.AllDay)
	}
	if p := src.Props.Get(ical.PropDue); p != nil {
		t, date, err := e.propTime(p)
		if hasStart && !inst.End.IsZero() {
			// The instance's end is its DUE when the to-do has DTSTART and
			// DUE (RFC 4791 §9.9).
			t, err = inst.End, nil
		}
		if err == nil {
			setTime(c, ical.PropDue, t, date)
		}
	}
	if recurring {
		rid, ridDate := inst.RecurrenceID, inst.AllDay
		if p := src.Props.Get(ical.PropRecurrenceID); p != nil {
			if t, date, err := e.propTime(p); err == nil {
				rid, ridDate = t, date
			}
		}
		if rid.IsZero() {
			rid = inst.Start
		}
		setTime(c, ical.PropRecurrenceID, rid, ridDate)
	}
	e.zonedToUTC(c)
	return c
}

// setTime replaces a property by a UTC DATE-TIME (or a DATE), keeping its
// other parameters.
func setTime(c *ical.Component, name string, t time.Time, date bool) {
	p := ical.NewProp(name)
	if old := c.Props.Get(name); old != nil {
		for k, v := range old.Params {
			p.Params[k] = append([]string(nil), v...)
		}
	}
	p.Params.Del(ical.PropTimezoneID)
	p.Params.Del(ical.ParamValue)
	p.Params.Del(ical.ParamRange)
	if date {
		p.Params.Set(ical.ParamValue, string(ical.ValueDate))
		p.Value = t.Format(dateLayout)
	} else {
		p.Value = formatUTC(t)
	}
	c.Props.Set(p)
}

// zonedToUTC rewrites every TZID-qualified DATE-TIME value of c and its
// sub-components in UTC (RFC 4791 §9.6.5).
func (e *env) zonedToUTC(c *ical.Component) {
	for _, props := range c.Props {
		for i := range props {
			p := &props[i]
			if p.Params.Get(ical.PropTimezoneID) == "" {
				continue
			}
			spans, err := e.propSpans(p)
			if err != nil || len(spans) == 0 || spans[0].Date {
				continue
			}
			values := make([]string, len(spans))
			for j, s := range spans {
				values[j] = formatUTC(s.Start)
				if !s.End.Equal(s.Start) {
					values[j] += "/" + formatUTC(s.End)
				}
			}
			p.Params.Del(ical.PropTimezoneID)
			p.Value = strings.Join(values, ",")
		}
	}
	for _, ch := range c.Children {
		e.zonedToUTC(ch)
	}
}

// limitRecurrenceSet implements CALDAV:limit-recurrence-set (RFC 4791
// §9.6.6): the master stays, and an overridden component stays when it
// "impacts" the range: its own times overlap it, the times of the instance
// it replaces overlap it, or it is RANGE=THISANDFUTURE and starts before the
// range ends.
func (e *env) limitRecurrenceSet(root *ical.Component, tr TimeRange) {
	masters := make(map[string]*ical.Component)
	for _, c := range root.Children {
		if recurrable[c.Name] && c.Props.Get(ical.PropRecurrenceID) == nil {
			masters[c.Name+"\x00"+propValue(c, ical.PropUID)] = c
		}
	}
	kept := root.Children[:0]
	for _, c := range root.Children {
		if !recurrable[c.Name] || c.Props.Get(ical.PropRecurrenceID) == nil ||
			e.overrideImpacts(c, masters[c.Name+"\x00"+propValue(c, ical.PropUID)], tr) {
			kept = append(kept, c)
		}
	}
	root.Children = kept
}

func (e *env) overrideImpacts(c, master *ical.Component, tr TimeRange) bool {
	if start, end, allDay, ok := e.componentSpan(c); ok &&
		recurrence.Overlaps(recurrence.Instance{Start: start, End: end, AllDay: allDay, Component: c}, tr.Start, tr.End) {
		return true
	}
	ridProp := c.Props.Get(ical.PropRecurrenceID)
	rid, ridDate, err := e.propTime(ridProp)
	if err != nil {
		return true // cannot tell: keep it
	}
	if strings.EqualFold(ridProp.Params.Get(ical.ParamRange), "THISANDFUTURE") {
		return tr.End.IsZero() || rid.Before(tr.End)
	}
	// The replaced instance lasted as long as the master does.
	end := rid
	if master != nil {
		if ms, me, mDate, ok := e.componentSpan(master); ok {
			if mDate && ridDate {
				end = rid.AddDate(0, 0, daysBetween(ms, me))
			} else {
				end = rid.Add(me.Sub(ms))
			}
		}
	} else if ridDate {
		end = rid.AddDate(0, 0, 1)
	}
	return recurrence.Overlaps(recurrence.Instance{Start: rid, End: end, AllDay: ridDate, RecurrenceID: rid, Component: c}, tr.Start, tr.End)
}

// componentSpan is the time a single (not expanded) component occupies:
// DTSTART to DTEND, DTSTART+DURATION or DUE; a DATE lasts one day
// (RFC 5545 §3.6.1). A VTODO with only DUE is that instant.
func (e *env) componentSpan(c *ical.Component) (start, end time.Time, allDay, ok bool) {
	start, allDay, ok = e.compTime(c, ical.PropDateTimeStart)
	if !ok {
		due, _, okDue := e.compTime(c, ical.PropDue)
		return due, due, false, okDue
	}
	if t, _, okEnd := e.compTime(c, ical.PropDateTimeEnd); okEnd {
		return start, t, allDay, true
	}
	if p := c.Props.Get(ical.PropDuration); p != nil {
		if d, err := recurrence.ParseDuration(p.Value); err == nil {
			return start, d.AddTo(start), allDay, true
		}
	}
	if t, _, okDue := e.compTime(c, ical.PropDue); okDue {
		return start, t, allDay, true
	}
	if allDay {
		return start, start.AddDate(0, 0, 1), true, true
	}
	return start, start, false, true
}

// daysBetween counts calendar days from a to b (both midnights).
func daysBetween(a, b time.Time) int {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	da := time.Date(ay, am, ad, 0, 0, 0, 0, time.UTC)
	db := time.Date(by, bm, bd, 0, 0, 0, 0, time.UTC)
	return int(db.Sub(da).Hours() / 24)
}

// limitFreeBusySet implements CALDAV:limit-freebusy-set (RFC 4791 §9.6.7):
// only the FREEBUSY periods that overlap the range are kept.
func (e *env) limitFreeBusySet(root *ical.Component, tr TimeRange) {
	for _, c := range root.Children {
		if c.Name != ical.CompFreeBusy {
			continue
		}
		var kept []ical.Prop
		for _, p := range c.Props.Values(ical.PropFreeBusy) {
			var values []string
			for _, v := range strings.Split(p.Value, ",") {
				q := p
				q.Value = strings.TrimSpace(v)
				spans, err := e.propSpans(&q)
				if err == nil && len(spans) == 1 && spanOverlaps(spans[0], tr) {
					values = append(values, q.Value)
				}
			}
			if len(values) > 0 {
				p.Value = strings.Join(values, ",")
				kept = append(kept, p)
			}
		}
		if len(kept) == 0 {
			c.Props.Del(ical.PropFreeBusy)
		} else {
			c.Props[ical.PropFreeBusy] = kept
		}
	}
}

// selectComp applies a CALDAV:comp request (RFC 4791 §9.6.1–§9.6.4) to c,
// which is already a private copy.
func selectComp(c *ical.Component, req *CompRequest) *ical.Component {
	out := &ical.Component{Name: c.Name, Props: c.Props}
	if !req.AllProps {
		out.Props = make(ical.Props)
		for _, pr := range req.Props {
			for _, p := range c.Props.Values(pr.Name) {
				if pr.NoValue {
					p.Value = ""
				}
				out.Props.Add(&p)
			}
		}
	}
	if req.AllComps {
		out.Children = c.Children
		return out
	}
	for _, ch := range c.Children {
		for i := range req.Comps {
			if strings.EqualFold(req.Comps[i].Name, ch.Name) {
				out.Children = append(out.Children, selectComp(ch, &req.Comps[i]))
				break
			}
		}
	}
	return out
}

func cloneComponent(c *ical.Component) *ical.Component {
	out := &ical.Component{Name: c.Name, Props: cloneProps(c.Props)}
	for _, ch := range c.Children {
		out.Children = append(out.Children, cloneComponent(ch))
	}
	return out
}

func cloneProps(props ical.Props) ical.Props {
	out := make(ical.Props, len(props))
	for name, ps := range props {
		cp := make([]ical.Prop, len(ps))
		for i, p := range ps {
			cp[i] = cloneProp(p)
		}
		out[name] = cp
	}
	return out
}

func cloneProp(p ical.Prop) ical.Prop {
	q := p
	q.Params = make(ical.Params, len(p.Params))
	for k, v := range p.Params {
		q.Params[k] = append([]string(nil), v...)
	}
	return q
}
