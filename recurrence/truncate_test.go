package recurrence

import (
	"testing"
	"time"
)

// TestExpandSeriesUnknownFrom: where a capped expansion stops knowing.
// Everything that starts before UnknownFrom was returned; nothing is
// claimed about what comes after.
func TestExpandSeriesUnknownFrom(t *testing.T) {
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		cal       []string
		opts      Options
		start     time.Time
		wantN     int
		truncated bool
		unknown   time.Time
	}{
		{
			name:  "within the cap",
			cal:   vevent("DTSTART:20260302T080000Z", "DURATION:PT1H", "RRULE:FREQ=HOURLY;COUNT=5"),
			opts:  Options{MaxInstances: 10},
			start: day, wantN: 5,
		},
		{
			name:  "cut by the instance cap",
			cal:   vevent("DTSTART:20260302T000000Z", "DURATION:PT1M", "RRULE:FREQ=MINUTELY"),
			opts:  Options{MaxInstances: 100},
			start: day, wantN: 100, truncated: true,
			unknown: day.Add(99 * time.Minute),
		},
		{
			name:  "cut by the instance cap, a series begun years before",
			cal:   vevent("DTSTART:20200101T000000Z", "DURATION:PT1M", "RRULE:FREQ=SECONDLY;INTERVAL=30"),
			opts:  Options{MaxInstances: 10},
			start: day, wantN: 10, truncated: true,
			// The first overlaps the range from 23:59:30 the day before.
			unknown: day.Add(8 * 30 * time.Second),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, err := ExpandSeries(ics(t, tt.cal...), tt.start, tt.start.AddDate(0, 0, 1), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(x.Instances) != tt.wantN || x.Truncated != tt.truncated || !x.UnknownFrom.Equal(tt.unknown) {
				t.Errorf("got %d instances, truncated %v, unknown from %v; want %d, %v, %v",
					len(x.Instances), x.Truncated, x.UnknownFrom, tt.wantN, tt.truncated, tt.unknown)
			}
			if x.Master == nil {
				t.Errorf("no master component")
			}
			for _, in := range x.Instances {
				if x.Truncated && in.Start.After(x.UnknownFrom) {
					t.Errorf("instance at %v is after unknown-from %v", in.Start, x.UnknownFrom)
				}
			}
		})
	}

	// A walk cut by the time cap: what it knows ends before where it
	// stopped, never before the range.
	x, err := ExpandSeries(ics(t, vevent("DTSTART:20200101T000000Z", "RRULE:FREQ=SECONDLY")...), day, day.AddDate(1, 0, 0),
		Options{MaxInstances: 1 << 30, MaxDuration: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if !x.Truncated || x.UnknownFrom.Before(day) || !x.UnknownFrom.Before(day.AddDate(1, 0, 0)) {
		t.Errorf("timed out: truncated %v, unknown from %v; want truncated, within the range", x.Truncated, x.UnknownFrom)
	}
}
