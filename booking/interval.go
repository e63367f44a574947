package booking

import (
	"cmp"
	"slices"
	"time"
)

// Interval is the half-open span [Start, End) of real time. Intervals with
// End not after Start are empty and ignored.
type Interval struct {
	Start, End time.Time
}

// span is an Interval as UnixNano instants. The engine works on spans:
// they are 16 bytes without pointers, so sorting thousands of busy
// intervals is several times faster than sorting time.Time pairs, and
// comparisons are plain integer ones.
type span struct{ start, end int64 }

func toSpan(iv Interval) span { return span{iv.Start.UnixNano(), iv.End.UnixNano()} }

func fromNano(ns int64) time.Time { return time.Unix(0, ns).UTC() }

// mergeSpans sorts spans by start and joins those that overlap or touch,
// in place, in O(n log n). Touching busy spans join so that a gap of zero
// length never counts as free.
func mergeSpans(ss []span) []span {
	slices.SortFunc(ss, func(a, b span) int { return cmp.Compare(a.start, b.start) })
	out := ss[:0]
	for _, s := range ss {
		if n := len(out); n > 0 && s.start <= out[n-1].end {
			out[n-1].end = max(out[n-1].end, s.end)
			continue
		}
		out = append(out, s)
	}
	return out
}

const day = 24 * time.Hour

// grid finds slot starts: the instants whose local wall-clock time of day in
// loc is a multiple of step. Defining the grid on the wall clock (not on
// elapsed time since midnight) is what keeps 09:00, 09:15 … on every day,
// including the two DST days: in a skipped hour there simply are no wall
// times, and in a repeated hour each wall time is a distinct instant once.
//
// Within one span of constant UTC offset the wall clock is UTC plus the
// offset, so, because step divides a day, the grid there is an arithmetic
// progression; time.Time.ZoneBounds gives where the span ends.
type grid struct {
	loc  *time.Location
	step time.Duration
}

// gridPoint is a grid instant with the UTC offset in force there and the end
// of that offset's span (zero when the offset never changes again).
type gridPoint struct {
	t      time.Time
	offset time.Duration
	spanTo time.Time
}

// at returns the first grid point at or after t.
func (g grid) at(t time.Time) gridPoint {
	for {
		lt := t.In(g.loc)
		_, off := lt.Zone()
		_, end := lt.ZoneBounds()
		offset := time.Duration(off) * time.Second
		c := t
		if r := floorMod(wall(t, offset), g.step); r != 0 {
			c = t.Add(g.step - r)
		}
		if end.IsZero() || c.Before(end) {
			return gridPoint{t: c, offset: offset, spanTo: end}
		}
		// The offset changes before the next grid point of this span; the
		// first point of the new span may come sooner or later than c.
		t = end
	}
}

// next returns the grid point after p.
func (g grid) next(p gridPoint) gridPoint {
	n := p.t.Add(g.step)
	if !p.spanTo.IsZero() && !n.Before(p.spanTo) {
		return g.at(p.spanTo)
	}
	p.t = n
	return p
}

// localDay numbers the local calendar day of p, for per-day limits.
func (p gridPoint) localDay() int64 {
	return int64(floorDiv(wall(p.t, p.offset), day))
}

// localDayOf numbers the local calendar day of t in loc, like localDay.
func localDayOf(t time.Time, loc *time.Location) int64 {
	_, off := t.In(loc).Zone()
	return int64(floorDiv(wall(t, time.Duration(off)*time.Second), day))
}

// wall is t's local wall-clock time as nanoseconds since 1970-01-01 00:00
// local. It fits int64 for years 1678 to 2261.
func wall(t time.Time, offset time.Duration) time.Duration {
	return time.Duration(t.UnixNano()) + offset
}

func floorMod(a, b time.Duration) time.Duration {
	r := a % b
	if r < 0 {
		r += b
	}
	return r
}

func floorDiv(a, b time.Duration) time.Duration {
	return (a - floorMod(a, b)) / b
}
