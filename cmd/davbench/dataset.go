package main

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"
)

// The data set is generated from a seed, and the generator remembers every
// instance of every event it wrote. The expected answers are computed from
// that knowledge alone, never with the server's own code, so that a server
// bug cannot hide behind the same bug in the check.

// weekStart is the Monday of the queried week, at midnight in the library's
// zone; the data set is centred on it.
var weekStart = time.Date(2026, 1, 19, 0, 0, 0, 0, oslo)

// eventsPerYear is the density of the data set: 5,000 events (the default
// size) fill one year around the week, and other sizes fill a span in
// proportion. A larger calendar holds the same first 5,000 events in the
// year around the week and puts the rest in the years before and after,
// where no series reaches the week (the longest lasts 20 weeks): the
// queried week then holds the very same events whatever the calendar's
// size, and any growth of the week query is the cost of size alone.
const eventsPerYear = 5000

// interval is one instance of an event: [start, end). A zero-length
// instance (start == end) is an instant.
type interval struct {
	start, end time.Time
	allDay     bool
}

// overlaps is the time-range test of RFC 4791 §9.9 for a VEVENT with a
// DTEND: start < range end and end > range start; an instant matches if it
// lies in [range start, range end).
func (iv interval) overlaps(from, to time.Time) bool {
	if iv.start.Equal(iv.end) {
		return !iv.start.Before(from) && iv.start.Before(to)
	}
	return iv.start.Before(to) && iv.end.After(from)
}

// event is one calendar object as written, with its instances.
type event struct {
	name      string // resource name, e.g. e00042.ics
	uid       string
	kind      string // "single", "all-day", "weekly", "daily"
	ics       string
	instances []interval
}

// dataset is the whole calendar.
type dataset struct {
	events []event
	loc    *time.Location // zone of all-day events (the server's)
}

// genOptions shapes a data set.
type genOptions struct {
	n    int
	seed uint64
	loc  *time.Location // the server's zone, in which dates are read
}

// generate builds n events deterministically from the seed: a fifth
// recurring (weekly or daily, ending by COUNT or UNTIL, some with an EXDATE
// and some with a moved instance), about 5 % all-day, the rest single
// events; half of the timed ones in Europe/Oslo with a VTIMEZONE, half in
// UTC.
func generate(o genOptions) *dataset {
	r := rand.New(rand.NewPCG(o.seed, o.seed^0x5eed))
	year := time.Duration(float64(365*24*time.Hour) * float64(min(o.n, eventsPerYear)) / eventsPerYear)
	outside := time.Duration(float64(365*24*time.Hour)*float64(o.n)/eventsPerYear) - year
	centre := weekStart.Add(84 * time.Hour)
	ds := &dataset{loc: o.loc}
	for i := range o.n {
		// A random local day and a start between 07:00 and 18:45. One
		// draw per event either way, so that the first 5,000 are the
		// same in every size.
		offset := time.Duration(r.Int64N(int64(year)+1)) - year/2
		if i >= eventsPerYear {
			offset = time.Duration(r.Int64N(int64(outside)+1)) - outside/2
			if offset < 0 {
				offset -= year / 2
			} else {
				offset += year / 2
			}
		}
		day := centre.Add(offset)
		dy, dm, dd := day.In(o.loc).Date()
		hour, minute := 7+r.IntN(12), 15*r.IntN(4)
		e := event{name: fmt.Sprintf("e%06d.ics", i), uid: fmt.Sprintf("davbench-%d-%d@example.org", o.seed, i)}
		k := r.Float64()
		switch {
		case k < 0.20:
			e.kind = "weekly"
			if r.IntN(10) < 3 {
				e.kind = "daily"
			}
			loc := oslo
			if r.IntN(2) == 0 {
				loc = time.UTC
			}
			writeSeries(&e, r, time.Date(dy, dm, dd, hour, minute, 0, 0, loc), durations[r.IntN(len(durations))])
		case k < 0.25:
			e.kind = "all-day"
			days := 1 + r.IntN(3)
			writeAllDay(&e, dy, dm, dd, days, o.loc)
		default:
			e.kind = "single"
			loc := oslo
			if r.IntN(2) == 0 {
				loc = time.UTC
			}
			start := time.Date(dy, dm, dd, hour, minute, 0, 0, loc)
			end := start.Add(durations[r.IntN(len(durations))])
			e.instances = []interval{{start: start, end: end}}
			e.ics = calendar(loc, vevent(e.uid, "Single "+e.uid, dtProp("DTSTART", start), dtProp("DTEND", end)))
		}
		ds.events = append(ds.events, e)
	}
	return ds
}

var durations = []time.Duration{30 * time.Minute, 45 * time.Minute, time.Hour, 90 * time.Minute, 2 * time.Hour}

// writeSeries writes a weekly or daily series from start. Each instance is
// at the same local time in start's zone (RFC 5545 §3.3.10: a TZID series
// keeps its wall-clock time across DST).
func writeSeries(e *event, r *rand.Rand, start time.Time, dur time.Duration) {
	step, freq := 7, "WEEKLY"
	if e.kind == "daily" {
		step, freq = 1, "DAILY"
	}
	n := 2 + r.IntN(19)
	at := func(k int) time.Time {
		return time.Date(start.Year(), start.Month(), start.Day()+k*step, start.Hour(), start.Minute(), 0, 0, start.Location())
	}
	rule := fmt.Sprintf("RRULE:FREQ=%s;COUNT=%d", freq, n)
	if r.IntN(2) == 0 {
		// UNTIL is inclusive and, with a TZID start, in UTC (§3.3.10);
		// a few hours after the last instance, so it is not on it.
		until := at(n - 1).Add(time.Duration(1+r.IntN(5)) * time.Hour).UTC()
		rule = fmt.Sprintf("RRULE:FREQ=%s;UNTIL=%s", freq, until.Format("20060102T150405Z"))
	}
	props := []string{dtProp("DTSTART", start), dtProp("DTEND", start.Add(dur)), rule}
	excluded, moved := -1, -1
	if r.IntN(10) < 3 {
		excluded = 1 + r.IntN(n-1)
		props = append(props, dtProp("EXDATE", at(excluded)))
	}
	if r.IntN(10) < 2 {
		moved = 1 + r.IntN(n-1)
		if moved == excluded {
			moved = -1
		}
	}
	comps := []string{vevent(e.uid, "Series "+e.uid, props...)}
	for k := range n {
		s := at(k)
		switch k {
		case excluded:
			continue
		case moved:
			// The moved instance starts two hours later and lasts 30
			// minutes longer: it may move into or out of the week.
			ms := s.Add(2 * time.Hour)
			me := ms.Add(dur + 30*time.Minute)
			comps = append(comps, vevent(e.uid, "Moved "+e.uid, dtProp("RECURRENCE-ID", s), dtProp("DTSTART", ms), dtProp("DTEND", me)))
			e.instances = append(e.instances, interval{start: ms, end: me})
			continue
		}
		e.instances = append(e.instances, interval{start: s, end: s.Add(dur)})
	}
	e.ics = calendar(start.Location(), comps...)
}

// writeAllDay writes an event of whole days: DTSTART and DTEND are DATE
// values, read as midnight in the server's zone (RFC 4791 §9.9).
func writeAllDay(e *event, y int, m time.Month, d, days int, loc *time.Location) {
	start := time.Date(y, m, d, 0, 0, 0, 0, loc)
	end := time.Date(y, m, d+days, 0, 0, 0, 0, loc)
	e.instances = []interval{{start: start, end: end, allDay: true}}
	e.ics = calendar(time.UTC, vevent(e.uid, "All day "+e.uid,
		"DTSTART;VALUE=DATE:"+start.Format("20060102"), "DTEND;VALUE=DATE:"+end.Format("20060102")))
}

// dtProp writes a DATE-TIME property in t's zone: UTC as ...Z, Oslo with
// TZID.
func dtProp(name string, t time.Time) string {
	if t.Location() == time.UTC {
		return name + ":" + t.Format("20060102T150405Z")
	}
	return name + ";TZID=" + t.Location().String() + ":" + t.Format("20060102T150405")
}

func vevent(uid, summary string, props ...string) string {
	var b strings.Builder
	b.WriteString("BEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:" + summary + "\r\n")
	for _, p := range props {
		b.WriteString(p + "\r\n")
	}
	b.WriteString("END:VEVENT\r\n")
	return b.String()
}

// osloTimezone is Europe/Oslo's rules since 1996, as calendar apps send them.
const osloTimezone = "BEGIN:VTIMEZONE\r\nTZID:Europe/Oslo\r\n" +
	"BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n" +
	"BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n" +
	"END:VTIMEZONE\r\n"

// calendar wraps components in a VCALENDAR, with Oslo's VTIMEZONE when loc
// is Oslo.
func calendar(loc *time.Location, comps ...string) string {
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Veileder//davbench//EN\r\n")
	if loc == oslo {
		b.WriteString(osloTimezone)
	}
	for _, c := range comps {
		b.WriteString(c)
	}
	b.WriteString("END:VCALENDAR\r\n")
	return b.String()
}

// inRange returns the names of the events with an instance overlapping
// [from, to), sorted, and the number of such instances: what a
// calendar-query answers, and what the same query with CALDAV:expand
// answers as components.
func (ds *dataset) inRange(from, to time.Time) (names []string, instances int) {
	for _, e := range ds.events {
		hit := false
		for _, iv := range e.instances {
			if iv.overlaps(from, to) {
				hit = true
				instances++
			}
		}
		if hit {
			names = append(names, e.name)
		}
	}
	sort.Strings(names)
	return names, instances
}

// expandedStarts returns, for the events overlapping [from, to), the start
// of every overlapping instance keyed by UID: what an expanded answer must
// hold, instance for instance.
func (ds *dataset) expandedStarts(from, to time.Time) map[string][]time.Time {
	out := map[string][]time.Time{}
	for _, e := range ds.events {
		for _, iv := range e.instances {
			if iv.overlaps(from, to) {
				out[e.uid] = append(out[e.uid], iv.start)
			}
		}
	}
	for _, s := range out {
		sort.Slice(s, func(i, j int) bool { return s[i].Before(s[j]) })
	}
	return out
}

// counts says how many events of each kind the data set holds.
func (ds *dataset) counts() map[string]int {
	c := map[string]int{}
	for _, e := range ds.events {
		c[e.kind]++
	}
	return c
}
