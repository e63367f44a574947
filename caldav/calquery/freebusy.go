package calquery

import (
	"sort"
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/veileder/veileder/recurrence"
)

// Free/busy time types (RFC 5545 §3.2.9).
const (
	BusyType            = "BUSY"
	BusyTentativeType   = "BUSY-TENTATIVE"
	BusyUnavailableType = "BUSY-UNAVAILABLE"
	freeType            = "FREE"
)

// ProdID is the PRODID of calendars this package builds.
const ProdID = "-//Veileder//CalDAV Server//EN"

// Period is one busy period of a free-busy answer, in UTC.
type Period struct {
	Start, End time.Time
	Type       string
}

// FreeBusy computes the busy time of calendar objects within [start, end)
// as RFC 4791 §7.10 lays out: each VEVENT instance overlapping the range is
// BUSY, or BUSY-TENTATIVE when its STATUS is TENTATIVE; CANCELLED and
// TRANSP:TRANSPARENT instances are left out (STATUS and TRANSP read from the
// instance's own component, so a cancelled occurrence frees its slot);
// VFREEBUSY components contribute their FREEBUSY periods with their FBTYPE
// (FREE left out). VTODO and VJOURNAL are not busy time.
//
// Periods are clipped to the range, merged per type where they overlap or
// touch, and sorted by start. A zero start or end is an open end. An object
// that cannot be expanded is skipped: one broken object must not hide
// everybody's busy time.
func FreeBusy(cals []*ical.Calendar, start, end time.Time, opts recurrence.Options) []Period {
	tr := TimeRange{Start: start, End: end}
	var out []Period
	add := func(s, e time.Time, typ string) {
		if !start.IsZero() && s.Before(start) {
			s = start
		}
		if !end.IsZero() && e.After(end) {
			e = end
		}
		if e.After(s) {
			out = append(out, Period{Start: s.UTC(), End: e.UTC(), Type: typ})
		}
	}
	for _, cal := range cals {
		if cal == nil || cal.Component == nil {
			continue
		}
		e := newEnv(cal, opts)
		if hasRecurrable(cal.Component) {
			x, err := recurrence.ExpandSeries(cal, start, end, opts)
			if err != nil {
				x = recurrence.Expansion{} // a broken object is skipped (see above)
			}
			for _, inst := range x.Instances {
				if inst.Component == nil || inst.Component.Name != ical.CompEvent {
					continue
				}
				if typ := eventBusyType(inst.Component); typ != "" {
					add(inst.Start, inst.End, typ)
				}
			}
			// A series cut short by a cap is busy from where it was cut to
			// the end of the range: reporting the rest of the day free when
			// nobody looked is the one answer that is surely wrong. An open
			// range has no end to be busy to.
			if m := x.Master; x.Truncated && m != nil && m.Name == ical.CompEvent && !end.IsZero() {
				if typ := eventBusyType(m); typ != "" {
					add(x.UnknownFrom, end, typ)
				}
			}
		}
		for _, c := range cal.Children {
			if c.Name != ical.CompFreeBusy {
				continue
			}
			for _, p := range c.Props.Values(ical.PropFreeBusy) {
				typ := strings.ToUpper(p.Params.Get(ical.ParamFreeBusyType))
				if typ == "" {
					typ = BusyType
				}
				if typ == freeType {
					continue
				}
				spans, err := e.propSpans(&p)
				if err != nil {
					continue
				}
				for _, s := range spans {
					if spanOverlaps(s, tr) {
						add(s.Start, s.End, typ)
					}
				}
			}
		}
	}
	return mergePeriods(out)
}

// eventBusyType is the FBTYPE an event instance contributes, "" for none
// (RFC 4791 §7.10; TRANSP defaults to OPAQUE, RFC 5545 §3.8.2.7).
func eventBusyType(c *ical.Component) string {
	if strings.EqualFold(strings.TrimSpace(propValue(c, ical.PropTransparency)), "TRANSPARENT") {
		return ""
	}
	switch strings.ToUpper(strings.TrimSpace(propValue(c, ical.PropStatus))) {
	case "CANCELLED":
		return ""
	case "TENTATIVE":
		return BusyTentativeType
	}
	return BusyType
}

// typeOrder sorts periods that start together.
func typeOrder(t string) int {
	switch t {
	case BusyType:
		return 0
	case BusyTentativeType:
		return 1
	case BusyUnavailableType:
		return 2
	}
	return 3
}

// mergePeriods joins overlapping or touching periods of the same type and
// sorts the result by start.
func mergePeriods(ps []Period) []Period {
	sort.Slice(ps, func(i, j int) bool {
		if ps[i].Type != ps[j].Type {
			oi, oj := typeOrder(ps[i].Type), typeOrder(ps[j].Type)
			if oi != oj {
				return oi < oj
			}
			return ps[i].Type < ps[j].Type
		}
		return ps[i].Start.Before(ps[j].Start)
	})
	var out []Period
	for _, p := range ps {
		if n := len(out); n > 0 && out[n-1].Type == p.Type && !p.Start.After(out[n-1].End) {
			if p.End.After(out[n-1].End) {
				out[n-1].End = p.End
			}
			continue
		}
		out = append(out, p)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Start.Equal(out[j].Start) {
			return out[i].Start.Before(out[j].Start)
		}
		return typeOrder(out[i].Type) < typeOrder(out[j].Type)
	})
	return out
}

// EncodeFreeBusy builds the VCALENDAR answer of a free-busy-query
// (RFC 4791 §7.10): one VFREEBUSY with DTSTART and DTEND of the queried
// range (left out for an open end), DTSTAMP, a UID and one FREEBUSY property
// per type listing its periods in UTC (RFC 5545 §3.8.2.6; FBTYPE left out
// for BUSY, its default).
//
// stamp is the DTSTAMP, taken from the caller's clock; RFC 5545 §3.6.4
// requires it and a UID, and go-ical's encoder refuses a VFREEBUSY without
// them.
func EncodeFreeBusy(periods []Period, start, end, stamp time.Time) *ical.Calendar {
	cal := ical.NewCalendar()
	cal.Props.Set(&ical.Prop{Name: ical.PropVersion, Params: ical.Params{}, Value: "2.0"})
	cal.Props.Set(&ical.Prop{Name: ical.PropProductID, Params: ical.Params{}, Value: ProdID})

	fb := ical.NewComponent(ical.CompFreeBusy)
	fb.Props.Set(&ical.Prop{Name: ical.PropDateTimeStamp, Params: ical.Params{}, Value: formatUTC(stamp)})
	fb.Props.Set(&ical.Prop{Name: ical.PropUID, Params: ical.Params{},
		Value: "freebusy-" + formatUTC(start) + "-" + formatUTC(end) + "-" + formatUTC(stamp) + "@veileder"})
	if !start.IsZero() {
		fb.Props.Set(&ical.Prop{Name: ical.PropDateTimeStart, Params: ical.Params{}, Value: formatUTC(start)})
	}
	if !end.IsZero() {
		fb.Props.Set(&ical.Prop{Name: ical.PropDateTimeEnd, Params: ical.Params{}, Value: formatUTC(end)})
	}

	// One FREEBUSY property per period rather than a comma list: both are
	// RFC 5545 §3.8.2.6, but widely deployed parsers (python-icalendar 4,
	// which python-caldav uses) cannot read the list form.
	sorted := append([]Period(nil), periods...)
	sort.SliceStable(sorted, func(i, j int) bool { return typeOrder(sorted[i].Type) < typeOrder(sorted[j].Type) })
	for _, period := range sorted {
		p := ical.NewProp(ical.PropFreeBusy)
		if period.Type != BusyType {
			p.Params.Set(ical.ParamFreeBusyType, period.Type)
		}
		p.Value = formatUTC(period.Start) + "/" + formatUTC(period.End)
		fb.Props.Add(p)
	}
	cal.Children = append(cal.Children, fb)
	return cal
}
