package feeds

import (
	"fmt"
	"sort"
	"time"
)

// A VTIMEZONE (RFC 5545 §3.6.5) is generated from Go's zone data, so that
// a feed carries the real rules of the zone its TZIDs name rather than
// relying on each client's own tables. Transitions in the years the feed
// covers are read with time.Time.ZoneBounds; each run of yearly
// transitions that follow one rule ("last Sunday of March at 02:00")
// becomes one observance with a yearly RRULE, as calendar apps write
// them, and anything irregular becomes an observance of its own.

// observance is one STANDARD or DAYLIGHT sub-component.
type observance struct {
	daylight   bool
	start      time.Time // the onset's wall clock time in the offset before it, as wall-UTC
	offsetFrom int       // seconds east of UTC
	offsetTo   int
	name       string
	rrule      string // "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU[;UNTIL=...]", or "" for a single onset
}

// transition is one change of offset.
type transition struct {
	at         time.Time // the instant, UTC
	offsetFrom int
	offsetTo   int
	name       string
	daylight   bool
}

// zoneTransitions lists the offset changes of loc in [from, to).
func zoneTransitions(loc *time.Location, from, to time.Time) []transition {
	var out []transition
	t := from
	for range 10000 { // a zone changes a few times a year at most
		_, end := t.In(loc).ZoneBounds()
		if end.IsZero() || !end.Before(to) {
			break
		}
		before := end.Add(-time.Second).In(loc)
		after := end.In(loc)
		_, offFrom := before.Zone()
		name, offTo := after.Zone()
		if offFrom != offTo {
			out = append(out, transition{at: end.UTC(), offsetFrom: offFrom, offsetTo: offTo, name: name, daylight: after.IsDST()})
		}
		t = end
	}
	return out
}

// vtimezoneRange is the span of years a VTIMEZONE covers for times
// between first and last: from the start of the year before first, so that
// an onset precedes every time, to the end of the year after last.
func vtimezoneRange(first, last time.Time) (from, to time.Time) {
	from = time.Date(first.UTC().Year()-1, 1, 1, 0, 0, 0, 0, time.UTC)
	to = time.Date(last.UTC().Year()+2, 1, 1, 0, 0, 0, 0, time.UTC)
	return from, to
}

// observances builds the observances that describe loc for every time in
// [first, last].
func observances(loc *time.Location, first, last time.Time) []observance {
	from, to := vtimezoneRange(first, last)
	trs := zoneTransitions(loc, from, to)
	var out []observance
	if len(trs) == 0 || trs[0].at.After(first) {
		// No onset before the first time: one observance from the start
		// of the range, in the offset in effect then.
		at := from.In(loc)
		name, off := at.Zone()
		out = append(out, observance{
			daylight: at.IsDST(), start: wall(at), offsetFrom: off, offsetTo: off, name: name,
		})
	}

	// Group transitions of one kind (same offsets, name and local clock
	// time) into runs of consecutive years with the same yearly rule.
	type kind struct {
		from, to int
		name     string
		daylight bool
		clock    int
	}
	groups := map[kind][]transition{}
	var order []kind
	for _, tr := range trs {
		w := wallAt(tr.at, tr.offsetFrom)
		k := kind{tr.offsetFrom, tr.offsetTo, tr.name, tr.daylight, w.Hour()*3600 + w.Minute()*60 + w.Second()}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], tr)
	}
	lastYear := to.Year() - 1
	for _, k := range order {
		list := groups[k]
		for i := 0; i < len(list); {
			j := i + 1
			rule := yearlyRule(wallAt(list[i].at, k.from))
			for j < len(list) {
				w := wallAt(list[j].at, k.from)
				prev := wallAt(list[j-1].at, k.from)
				if rule == "" || yearlyRule(w) != rule || w.Year() != prev.Year()+1 {
					break
				}
				j++
			}
			ob := observance{
				daylight: k.daylight, start: wallAt(list[i].at, k.from),
				offsetFrom: k.from, offsetTo: k.to, name: k.name,
			}
			if j-i > 1 {
				ob.rrule = rule
				if wallAt(list[j-1].at, k.from).Year() < lastYear {
					ob.rrule += ";UNTIL=" + list[j-1].at.Format("20060102T150405Z")
				}
			}
			out = append(out, ob)
			i = j
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].start.Before(out[b].start) })
	return out
}

// yearlyRule is the RRULE that yields the wall clock date w every year:
// the n-th or last weekday of its month, or "" when w is neither (never
// for real zones, whose rules are written that way).
func yearlyRule(w time.Time) string {
	days := time.Date(w.Year(), w.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
	wd := [...]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}[w.Weekday()]
	n := (w.Day()-1)/7 + 1
	if w.Day() > days-7 {
		return fmt.Sprintf("FREQ=YEARLY;BYMONTH=%d;BYDAY=-1%s", int(w.Month()), wd)
	}
	if n <= 4 {
		return fmt.Sprintf("FREQ=YEARLY;BYMONTH=%d;BYDAY=%d%s", int(w.Month()), n, wd)
	}
	return ""
}

// wallAt is the wall clock time of the instant t at offset off, as
// wall-UTC (a UTC time whose fields are the local ones).
func wallAt(t time.Time, off int) time.Time {
	return t.UTC().Add(time.Duration(off) * time.Second)
}

// wall is t's wall clock fields as wall-UTC.
func wall(t time.Time) time.Time {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	return time.Date(y, mo, d, h, mi, s, 0, time.UTC)
}

// utcOffset formats seconds east of UTC as RFC 5545 §3.3.14 wants.
func utcOffset(off int) string {
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	h, m, s := off/3600, off/60%60, off%60
	if s != 0 {
		return fmt.Sprintf("%c%02d%02d%02d", sign, h, m, s)
	}
	return fmt.Sprintf("%c%02d%02d", sign, h, m)
}
