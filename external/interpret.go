package external

import (
	"fmt"
	"time"

	"github.com/emersion/go-ical"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/recurrence"
)

// Refresh hints are kept within these bounds: more often would hammer a
// feed server that asked for it, less often would leave a day's new
// meetings unseen.
const (
	MinRefresh = 5 * time.Minute
	MaxRefresh = 24 * time.Hour
)

// reader turns a feed into the instances to store.
type reader struct {
	// loc is the library's zone: all-day events (an all-day OOF blocks
	// the day) and floating times are read in it, as in the librarians'
	// own calendars.
	loc *time.Location
	// maxInstances bounds the instances of the whole feed, and maxTime
	// the time spent expanding it: a feed beyond either is refused, not
	// cut, since a cut feed would offer slots over real meetings.
	maxInstances int
	maxTime      time.Duration
}

// reading is what a feed says.
type reading struct {
	events []booking.ExternalEvent
	// refresh is the feed's refresh hint, zero for none.
	refresh time.Duration
	// skipped counts events that could not be expanded (a malformed
	// rule), left out and logged.
	skipped int
}

// read expands every event of the feed over [lo, hi) through package
// recurrence, the code that expands the librarians' own calendars: RRULE,
// RDATE, EXDATE and RECURRENCE-ID overrides, Windows and IANA zones with
// the feed's VTIMEZONEs, DST. A feed holds many events in one VCALENDAR,
// where a CalDAV resource holds one: it is cut into one calendar per UID
// (the master and its overrides, RFC 5545 §3.8.4.4), each with the feed's
// time zones.
func (r reader) read(data []byte, lo, hi time.Time) (reading, error) {
	cal, err := recurrence.ParseCalendar(data)
	if err != nil {
		// The decoder's text may quote the feed's content; the librarian
		// gets the gist.
		return reading{}, feedErr(ReasonInvalid, nil, "the calendar file is not valid iCalendar (RFC 5545)")
	}
	var out reading
	out.refresh = refreshHint(cal)

	var zones []*ical.Component
	groups := map[string][]*ical.Component{}
	var order []string
	for i, c := range cal.Children {
		switch c.Name {
		case ical.CompTimezone:
			zones = append(zones, c)
		case ical.CompEvent:
			uid := ""
			if p := c.Props.Get(ical.PropUID); p != nil {
				uid = p.Value
			}
			key := "u:" + uid
			if uid == "" {
				key = fmt.Sprintf("n:%d", i) // no UID: an event of its own
			}
			if _, ok := groups[key]; !ok {
				order = append(order, key)
			}
			groups[key] = append(groups[key], c)
		}
	}

	deadline := time.Now().Add(r.maxTime)
	budget := r.maxInstances
	for _, key := range order {
		if time.Now().After(deadline) {
			return reading{}, feedErr(ReasonSlow, r.maxTime, "the calendar takes longer than %s to read; it holds too many repeating events", r.maxTime)
		}
		comps := groups[key]
		obj := &ical.Calendar{Component: &ical.Component{
			Name:     ical.CompCalendar,
			Props:    cal.Props,
			Children: append(append([]*ical.Component(nil), zones...), comps...),
		}}
		insts, truncated, err := recurrence.Expand(obj, lo, hi, recurrence.Options{
			Location: r.loc, MaxInstances: budget + 1, MaxDuration: time.Until(deadline),
		})
		if err != nil {
			out.skipped++
			continue
		}
		if len(insts) > budget {
			return reading{}, feedErr(ReasonTooMany, r.maxInstances, "the calendar has more than %d events between %s and %s; Veileder reads at most %d",
				r.maxInstances, lo.In(r.loc).Format("2006-01-02"), hi.In(r.loc).Format("2006-01-02"), r.maxInstances)
		}
		if truncated {
			return reading{}, feedErr(ReasonSlow, r.maxTime, "the calendar takes longer than %s to read; it holds too many repeating events", r.maxTime)
		}
		uid := ""
		if len(comps) > 0 && comps[0].Props.Get(ical.PropUID) != nil {
			uid = comps[0].Props.Get(ical.PropUID).Value
		}
		for _, in := range insts {
			c := in.Component
			// Zero-length and cancelled instances take no time and offer
			// none, as in the librarians' own calendars (scheduling).
			if c == nil || !in.End.After(in.Start) || recurrence.Status(c) == "CANCELLED" {
				continue
			}
			ev := booking.ExternalEvent{UID: uid, Start: in.Start.UTC(), End: in.End.UTC(), Busy: recurrence.Busy(c), Tags: recurrence.Tags(c)}
			if len(ev.Tags) > 0 {
				// A tagged event may be an availability window: keep its
				// place. Busy events' details are not kept.
				online, url := recurrence.MeetingMode(c)
				ev.Online, ev.Location = online, recurrence.Text(c, ical.PropLocation)
				if online && url != "" {
					ev.Location = url
				}
			} else if !ev.Busy {
				continue // free and untagged: nothing to store
			}
			out.events = append(out.events, ev)
			budget--
		}
	}
	return out, nil
}

// refreshHint is the feed's own refresh interval: REFRESH-INTERVAL (RFC
// 7986 §5.7) or Microsoft's and Google's X-PUBLISHED-TTL, zero for none or
// a value that does not parse.
func refreshHint(cal *ical.Calendar) time.Duration {
	for _, name := range []string{"REFRESH-INTERVAL", "X-PUBLISHED-TTL"} {
		if p := cal.Props.Get(name); p != nil {
			// A nominal day counts as 24 hours here: a hint, not a time.
			if d, err := recurrence.ParseDuration(p.Value); err == nil && d.Approx() > 0 {
				return d.Approx()
			}
		}
	}
	return 0
}

// interval is how long until a calendar is fetched again: the feed's own
// hint within [MinRefresh, MaxRefresh], else the configured default.
func interval(hint, def time.Duration) time.Duration {
	if hint <= 0 {
		return def
	}
	return min(max(hint, MinRefresh), MaxRefresh)
}
