package recurrence

import (
	"testing"
	"time"
)

// The oracle below transcribes the RFC 4791 §9.9 tables literally; a zero
// range end is infinite.
type bound struct {
	t    time.Time
	open bool // -∞ for a range start, +∞ for a range end
}

func le(a bound, b time.Time) bool { return a.open || !a.t.After(b) }  // range start <= b
func lt(a bound, b time.Time) bool { return a.open || a.t.Before(b) }  // range start < b
func ge(a bound, b time.Time) bool { return a.open || !a.t.Before(b) } // range end >= b
func gt(a bound, b time.Time) bool { return a.open || a.t.After(b) }   // range end > b

type rfcComponent struct {
	kind                                string
	dtstart, dtend, due, completed, crt *time.Time
	dur                                 *time.Duration
	date                                bool
}

func (c rfcComponent) matches(start, end bound) bool {
	switch c.kind {
	case "VEVENT":
		switch {
		case c.dtend != nil:
			return lt(start, *c.dtend) && gt(end, *c.dtstart)
		case c.dur != nil && *c.dur > 0:
			return lt(start, c.dtstart.Add(*c.dur)) && gt(end, *c.dtstart)
		case c.dur != nil:
			return le(start, *c.dtstart) && gt(end, *c.dtstart)
		case !c.date:
			return le(start, *c.dtstart) && gt(end, *c.dtstart)
		default:
			return lt(start, c.dtstart.Add(24*time.Hour)) && gt(end, *c.dtstart)
		}
	case "VTODO":
		switch {
		case c.dtstart != nil && c.dur != nil:
			e := c.dtstart.Add(*c.dur)
			return le(start, e) && (gt(end, *c.dtstart) || ge(end, e))
		case c.dtstart != nil && c.due != nil:
			return (lt(start, *c.due) || le(start, *c.dtstart)) && (gt(end, *c.dtstart) || ge(end, *c.due))
		case c.dtstart != nil:
			return le(start, *c.dtstart) && gt(end, *c.dtstart)
		case c.due != nil:
			return lt(start, *c.due) && ge(end, *c.due)
		case c.completed != nil && c.crt != nil:
			return (le(start, *c.crt) || le(start, *c.completed)) && (ge(end, *c.crt) || ge(end, *c.completed))
		case c.completed != nil:
			return le(start, *c.completed) && ge(end, *c.completed)
		case c.crt != nil:
			return gt(end, *c.crt)
		}
		return true
	case "VJOURNAL":
		switch {
		case c.dtstart == nil:
			return false
		case !c.date:
			return le(start, *c.dtstart) && gt(end, *c.dtstart)
		default:
			return lt(start, c.dtstart.Add(24*time.Hour)) && gt(end, *c.dtstart)
		}
	}
	panic("unknown kind " + c.kind)
}

func TestOverlapsRFC4791Tables(t *testing.T) {
	t0 := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC) // Options.Location is UTC below
	at := func(d time.Duration) *time.Time { v := t0.Add(d); return &v }
	dur := func(d time.Duration) *time.Duration { return &d }
	tests := []struct {
		lines []string
		rfc   rfcComponent
	}{
		{vevent("DTSTART:20260105T100000Z", "DTEND:20260105T110000Z"),
			rfcComponent{kind: "VEVENT", dtstart: at(0), dtend: at(time.Hour)}},
		{vevent("DTSTART:20260105T100000Z", "DURATION:PT1H"),
			rfcComponent{kind: "VEVENT", dtstart: at(0), dur: dur(time.Hour)}},
		{vevent("DTSTART:20260105T100000Z", "DURATION:PT0S"),
			rfcComponent{kind: "VEVENT", dtstart: at(0), dur: dur(0)}},
		{vevent("DTSTART:20260105T100000Z"),
			rfcComponent{kind: "VEVENT", dtstart: at(0)}},
		{vevent("DTSTART;VALUE=DATE:20260105"),
			rfcComponent{kind: "VEVENT", dtstart: at(-10 * time.Hour), date: true}},
		{[]string{"BEGIN:VTODO", "UID:t", "DTSTART:20260105T100000Z", "DURATION:PT1H", "END:VTODO"},
			rfcComponent{kind: "VTODO", dtstart: at(0), dur: dur(time.Hour)}},
		{[]string{"BEGIN:VTODO", "UID:t", "DTSTART:20260105T100000Z", "DURATION:PT0S", "END:VTODO"},
			rfcComponent{kind: "VTODO", dtstart: at(0), dur: dur(0)}},
		{[]string{"BEGIN:VTODO", "UID:t", "DTSTART:20260105T100000Z", "DUE:20260105T110000Z", "END:VTODO"},
			rfcComponent{kind: "VTODO", dtstart: at(0), due: at(time.Hour)}},
		{[]string{"BEGIN:VTODO", "UID:t", "DTSTART:20260105T100000Z", "DUE:20260105T100000Z", "END:VTODO"},
			rfcComponent{kind: "VTODO", dtstart: at(0), due: at(0)}},
		{[]string{"BEGIN:VTODO", "UID:t", "DTSTART:20260105T100000Z", "END:VTODO"},
			rfcComponent{kind: "VTODO", dtstart: at(0)}},
		{[]string{"BEGIN:VTODO", "UID:t", "DUE:20260105T100000Z", "END:VTODO"},
			rfcComponent{kind: "VTODO", due: at(0)}},
		{[]string{"BEGIN:VTODO", "UID:t", "CREATED:20260105T100000Z", "COMPLETED:20260105T120000Z", "END:VTODO"},
			rfcComponent{kind: "VTODO", crt: at(0), completed: at(2 * time.Hour)}},
		{[]string{"BEGIN:VTODO", "UID:t", "COMPLETED:20260105T100000Z", "END:VTODO"},
			rfcComponent{kind: "VTODO", completed: at(0)}},
		{[]string{"BEGIN:VTODO", "UID:t", "CREATED:20260105T100000Z", "END:VTODO"},
			rfcComponent{kind: "VTODO", crt: at(0)}},
		{[]string{"BEGIN:VTODO", "UID:t", "SUMMARY:no dates", "END:VTODO"},
			rfcComponent{kind: "VTODO"}},
		{[]string{"BEGIN:VJOURNAL", "UID:t", "DTSTART:20260105T100000Z", "END:VJOURNAL"},
			rfcComponent{kind: "VJOURNAL", dtstart: at(0)}},
		{[]string{"BEGIN:VJOURNAL", "UID:t", "DTSTART;VALUE=DATE:20260105", "END:VJOURNAL"},
			rfcComponent{kind: "VJOURNAL", dtstart: at(-10 * time.Hour), date: true}},
		{[]string{"BEGIN:VJOURNAL", "UID:t", "SUMMARY:undated", "END:VJOURNAL"},
			rfcComponent{kind: "VJOURNAL"}},
	}
	var points []bound
	points = append(points, bound{open: true})
	for _, d := range []time.Duration{-11 * time.Hour, -10 * time.Hour, -time.Hour, 0, 30 * time.Minute, time.Hour, 2 * time.Hour, 3 * time.Hour, 14 * time.Hour} {
		points = append(points, bound{t: t0.Add(d)})
	}
	for _, tt := range tests {
		cal := ics(t, tt.lines...)
		for _, s := range points {
			for _, e := range points {
				if !s.open && !e.open && !s.t.Before(e.t) {
					continue
				}
				want := tt.rfc.matches(s, e)
				got, _, err := Expand(cal, s.t, e.t, Options{Location: time.UTC})
				if err != nil {
					t.Fatalf("%v: %v", tt.lines, err)
				}
				if (len(got) > 0) != want {
					t.Errorf("%v in [%v, %v): matched %v, want %v", tt.lines[2:len(tt.lines)-1], s.t, e.t, len(got) > 0, want)
				}
			}
		}
	}
}

func TestOverlapsOpenInstance(t *testing.T) {
	t0 := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		inst       Instance
		start, end time.Time
		want       bool
	}{
		{"half-open: end at start", Instance{Start: t0, End: t0.Add(time.Hour)}, t0.Add(-time.Hour), t0, false},
		{"half-open: start at end", Instance{Start: t0, End: t0.Add(time.Hour)}, t0.Add(time.Hour), t0.Add(2 * time.Hour), false},
		{"half-open: inside", Instance{Start: t0, End: t0.Add(time.Hour)}, t0.Add(time.Minute), t0.Add(2 * time.Minute), true},
		{"zero length at range start", Instance{Start: t0, End: t0}, t0, t0.Add(time.Hour), true},
		{"zero length at range end", Instance{Start: t0, End: t0}, t0.Add(-time.Hour), t0, false},
		{"open range", Instance{Start: t0, End: t0}, time.Time{}, time.Time{}, true},
		{"unbounded end", Instance{Start: t0}, t0.Add(1000 * time.Hour), time.Time{}, true},
	}
	for _, tt := range tests {
		if got := Overlaps(tt.inst, tt.start, tt.end); got != tt.want {
			t.Errorf("%s: Overlaps = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestBounds(t *testing.T) {
	tests := []struct {
		name        string
		lines       []string
		opts        Options
		first, last string
	}{
		{
			name:  "single event, in UTC",
			lines: vevent("DTSTART;TZID=Europe/Oslo:20260105T100000", "DTEND;TZID=Europe/Oslo:20260105T110000"),
			first: "2026-01-05T09:00:00Z", last: "2026-01-05T10:00:00Z",
		},
		{
			name:  "all-day",
			lines: vevent("DTSTART;VALUE=DATE:20260105"),
			first: "2026-01-04T23:00:00Z", last: "2026-01-05T23:00:00Z",
		},
		{
			name:  "COUNT",
			lines: vevent("DTSTART:20260105T090000Z", "DURATION:PT1H", "RRULE:FREQ=DAILY;COUNT=3"),
			first: "2026-01-05T09:00:00Z", last: "2026-01-07T10:00:00Z",
		},
		{
			name:  "UNTIL",
			lines: vevent("DTSTART:20260105T090000Z", "DURATION:PT1H", "RRULE:FREQ=WEEKLY;UNTIL=20260127T000000Z"),
			first: "2026-01-05T09:00:00Z", last: "2026-01-26T10:00:00Z",
		},
		{
			name:  "no COUNT or UNTIL: last is zero",
			lines: vevent("DTSTART:20260105T090000Z", "RRULE:FREQ=DAILY"),
			first: "2026-01-05T09:00:00Z",
		},
		{
			name:  "EXDATE on DTSTART of an unbounded rule",
			lines: vevent("DTSTART:20260105T090000Z", "RRULE:FREQ=DAILY", "EXDATE:20260105T090000Z"),
			first: "2026-01-06T09:00:00Z",
		},
		{
			name:  "EXDATE on the last instance",
			lines: vevent("DTSTART:20260105T090000Z", "RRULE:FREQ=DAILY;COUNT=3", "EXDATE:20260107T090000Z"),
			first: "2026-01-05T09:00:00Z", last: "2026-01-06T09:00:00Z",
		},
		{
			name:  "RDATE before DTSTART, PERIOD after",
			lines: vevent("DTSTART:20260105T090000Z", "RDATE:20260101T090000Z", "RDATE;VALUE=PERIOD:20260110T090000Z/PT5H"),
			first: "2026-01-01T09:00:00Z", last: "2026-01-10T14:00:00Z",
		},
		{
			name: "overrides moved outside the series",
			lines: join(
				vevent("DTSTART:20260105T090000Z", "RRULE:FREQ=DAILY;COUNT=3"),
				vevent("RECURRENCE-ID:20260105T090000Z", "DTSTART:20260101T090000Z"),
				vevent("RECURRENCE-ID:20260106T090000Z", "DTSTART:20260201T090000Z", "DURATION:PT1H"),
			),
			first: "2026-01-01T09:00:00Z", last: "2026-02-01T10:00:00Z",
		},
		{
			name:  "every instance excluded",
			lines: vevent("DTSTART:20260105T090000Z", "RRULE:FREQ=DAILY;COUNT=1", "EXDATE:20260105T090000Z"),
		},
		{
			name:  "rule cut by MaxDuration widens to UNTIL",
			lines: vevent("DTSTART:20260105T090000Z", "DURATION:PT1H", "RRULE:FREQ=MINUTELY;UNTIL=20300101T000000Z"),
			opts:  Options{MaxDuration: time.Nanosecond},
			first: "2026-01-05T09:00:00Z", last: "2030-01-01T01:00:00Z",
		},
		{
			name:  "rule cut by MaxDuration without UNTIL is unbounded",
			lines: vevent("DTSTART:20260105T090000Z", "RRULE:FREQ=MINUTELY;COUNT=1000000"),
			opts:  Options{MaxDuration: time.Nanosecond},
			first: "2026-01-05T09:00:00Z",
		},
		{
			name:  "VTODO without dates",
			lines: []string{"BEGIN:VTODO", "UID:t", "SUMMARY:x", "END:VTODO"},
		},
		{
			name:  "VTODO with DUE only",
			lines: []string{"BEGIN:VTODO", "UID:t", "DUE:20260105T090000Z", "END:VTODO"},
			first: "2026-01-05T09:00:00Z", last: "2026-01-05T09:00:00Z",
		},
		{
			name:  "VTODO with CREATED only never ends",
			lines: []string{"BEGIN:VTODO", "UID:t", "CREATED:20260105T090000Z", "END:VTODO"},
			first: "2026-01-05T09:00:00Z",
		},
		{
			name:  "VTODO DTSTART and DUE",
			lines: []string{"BEGIN:VTODO", "UID:t", "DTSTART:20260105T090000Z", "DUE:20260106T090000Z", "RRULE:FREQ=WEEKLY;COUNT=2", "END:VTODO"},
			first: "2026-01-05T09:00:00Z", last: "2026-01-13T09:00:00Z",
		},
		{
			name:  "VJOURNAL without DTSTART has no instance",
			lines: []string{"BEGIN:VJOURNAL", "UID:t", "SUMMARY:x", "END:VJOURNAL"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			if opts.Location == nil {
				opts.Location = oslo
			}
			first, last, err := Bounds(ics(t, tt.lines...), opts)
			if err != nil {
				t.Fatalf("Bounds: %v", err)
			}
			if want := ts(t, tt.first); !first.Equal(want) || first.Location() != time.UTC {
				t.Errorf("Bounds first = %v, want %v in UTC", first, want)
			}
			if want := ts(t, tt.last); !last.Equal(want) || last.Location() != time.UTC {
				t.Errorf("Bounds last = %v, want %v in UTC", last, want)
			}
		})
	}
}

// TestBoundsCoverExpand checks the indexing contract: every instance lies
// within [first, last].
func TestBoundsCoverExpand(t *testing.T) {
	objects := [][]string{
		vevent("DTSTART;TZID=Europe/Oslo:20260316T100000", "DTEND;TZID=Europe/Oslo:20260316T110000", "RRULE:FREQ=WEEKLY;COUNT=40", "RDATE:20250101T000000Z"),
		vevent("DTSTART;VALUE=DATE:20261020", "DURATION:P3D", "RRULE:FREQ=DAILY;UNTIL=20261101"),
		join(
			vevent("DTSTART:20260105T090000Z", "RRULE:FREQ=HOURLY;INTERVAL=5;COUNT=50"),
			vevent("RECURRENCE-ID:20260105T190000Z", "DTSTART:20270105T090000Z", "DTEND:20270106T090000Z"),
		),
	}
	for _, lines := range objects {
		cal := ics(t, lines...)
		first, last, err := Bounds(cal, Options{Location: oslo})
		if err != nil {
			t.Fatal(err)
		}
		all, _, err := Expand(cal, time.Time{}, time.Time{}, Options{Location: oslo})
		if err != nil {
			t.Fatal(err)
		}
		var gotFirst, gotLast time.Time
		for i, in := range all {
			if i == 0 || in.Start.Before(gotFirst) {
				gotFirst = in.Start
			}
			if i == 0 || in.End.After(gotLast) {
				gotLast = in.End
			}
		}
		if !gotFirst.Equal(first) || !gotLast.Equal(last) {
			t.Errorf("%v: Bounds = [%v, %v], want [%v, %v] from Expand", lines, first, last, gotFirst, gotLast)
		}
	}
}
