package recurrence

import (
	"testing"
	"time"

	"github.com/teambition/rrule-go"
)

// TestSubDailyMatchesRRuleGo compares the sub-daily generator with rrule-go
// on rules rrule-go itself can evaluate (UTC, so walls are instants).
func TestSubDailyMatchesRRuleGo(t *testing.T) {
	rules := []string{
		"FREQ=HOURLY",
		"FREQ=HOURLY;INTERVAL=5",
		"FREQ=HOURLY;BYHOUR=9,17;BYMINUTE=0,30",
		"FREQ=HOURLY;INTERVAL=7;BYDAY=MO,WE;BYMONTH=1,2",
		"FREQ=HOURLY;INTERVAL=3;BYMINUTE=15,45;BYSECOND=5,10;BYSETPOS=1,-1",
		"FREQ=HOURLY;INTERVAL=11;BYMONTHDAY=-1,1",
		"FREQ=MINUTELY;INTERVAL=17",
		"FREQ=MINUTELY;BYHOUR=9;BYMINUTE=0,15,30,45",
		"FREQ=MINUTELY;INTERVAL=7;BYHOUR=10,11;BYSECOND=0,30",
		"FREQ=MINUTELY;INTERVAL=90;BYMONTHDAY=1,15,-1",
		"FREQ=MINUTELY;INTERVAL=45;BYYEARDAY=1,-1;BYDAY=TH,FR",
		"FREQ=SECONDLY;INTERVAL=7919",
		"FREQ=SECONDLY;INTERVAL=7;BYMINUTE=0,1;BYHOUR=12",
		"FREQ=SECONDLY;INTERVAL=13;BYSECOND=1,2,3",
	}
	dt := time.Date(2026, 1, 1, 9, 10, 20, 0, time.UTC)
	const n = 200
	for _, rule := range rules {
		r, err := parseRule(rule, dt, false, time.UTC)
		if err != nil {
			t.Fatalf("parseRule(%s): %v", rule, err)
		}
		var got []time.Time
		if _, err := r.walk(dt, time.UTC, time.Time{}, time.Time{}, func(w, at time.Time) bool {
			got = append(got, w)
			return len(got) < n
		}); err != nil {
			t.Fatalf("%s: walk: %v", rule, err)
		}

		opt, err := rrule.StrToROption(rule)
		if err != nil {
			t.Fatal(err)
		}
		opt.Dtstart = dt
		rr, err := rrule.NewRRule(*opt)
		if err != nil {
			t.Fatal(err)
		}
		next := rr.Iterator()
		var want []time.Time
		for len(want) < n {
			v, ok := next()
			if !ok {
				break
			}
			if v.After(dt) {
				want = append(want, v)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s: got %d instances, want %d", rule, len(got), len(want))
			continue
		}
		for i := range got {
			if !got[i].Equal(want[i]) {
				t.Errorf("%s: instance %d = %v, want %v", rule, i, got[i], want[i])
				break
			}
		}
	}
}

// TestPathologicalRulesTerminate covers rules that make rrule-go loop
// forever, scan to year 9999, or panic. They must end (this test would hang
// otherwise) and never panic.
func TestPathologicalRulesTerminate(t *testing.T) {
	tests := []struct {
		rule    string
		wantErr bool
		empty   bool
	}{
		{rule: "FREQ=SECONDLY;INTERVAL=2;BYSECOND=1", empty: true},
		{rule: "FREQ=MINUTELY;INTERVAL=2;BYMINUTE=1", empty: true},
		{rule: "FREQ=HOURLY;INTERVAL=2;BYHOUR=2", empty: true}, // DTSTART is at an odd hour
		{rule: "FREQ=HOURLY;BYSETPOS=2", empty: true},
		{rule: "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", empty: true},
		{rule: "FREQ=DAILY;BYSETPOS=2", empty: true},
		{rule: "FREQ=WEEKLY;BYMONTH=2;BYMONTHDAY=30", empty: true},
		{rule: "FREQ=SECONDLY;BYMONTH=4;BYMONTHDAY=31;BYHOUR=9;BYMINUTE=0;BYSECOND=0", empty: true},
		{rule: "FREQ=SECONDLY;INTERVAL=7;BYHOUR=9;BYMINUTE=0;BYSECOND=0;BYMONTH=2;BYMONTHDAY=29"},
		{rule: "FREQ=MONTHLY;BYDAY=5MO;BYMONTH=2;BYMONTHDAY=1"},
		{rule: "FREQ=YEARLY;BYWEEKNO=53;BYDAY=MO;BYMONTH=6"},
		{rule: "FREQ=MONTHLY;BYDAY=-53MO", wantErr: true},
		{rule: "FREQ=YEARLY;BYMONTH=1;BYDAY=6MO", wantErr: true},
		{rule: "FREQ=YEARLY;BYEASTER=400", wantErr: true},
		{rule: "FREQ=DAILY;INTERVAL=9223372036854775807", wantErr: true},
		{rule: "FREQ=DAILY;INTERVAL=-1", wantErr: true},
		{rule: "FREQ=DAILY;WKST=XX", wantErr: true},
		{rule: "FREQ=WEEKLY;RSCALE=HEBREW", wantErr: true},
	}
	dt := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	for _, tt := range tests {
		r, err := parseRule(tt.rule, dt, false, time.UTC)
		if (err != nil) != tt.wantErr {
			t.Errorf("parseRule(%s) error = %v, want error: %v", tt.rule, err, tt.wantErr)
			continue
		}
		if err != nil {
			continue
		}
		if r.empty != tt.empty {
			t.Errorf("parseRule(%s).empty = %v, want %v", tt.rule, r.empty, tt.empty)
		}
		n := 0
		deadline := time.Now().Add(2 * time.Second)
		if _, err := r.walk(dt, time.UTC, time.Time{}, deadline, func(w, at time.Time) bool {
			n++
			return n < 3
		}); err != nil {
			t.Errorf("%s: walk: %v", tt.rule, err)
		}
	}
}

func TestWalkHonoursPastDeadline(t *testing.T) {
	dt := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	r, err := parseRule("FREQ=MONTHLY;BYDAY=5MO;BYMONTH=2;BYMONTHDAY=1", dt, false, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	called := false
	timedOut, err := r.walk(dt, time.UTC, time.Time{}, time.Now().Add(-time.Second), func(w, at time.Time) bool {
		called = true
		return true
	})
	if !timedOut || err != nil || called {
		t.Errorf("walk after the deadline = timedOut %v, err %v, called %v; want true, nil, false", timedOut, err, called)
	}
}

func TestAnchor(t *testing.T) {
	dt := time.Date(2026, 1, 7, 10, 0, 0, 0, time.UTC) // a Wednesday
	from := time.Date(2026, 9, 17, 15, 0, 0, 0, time.UTC)
	tests := []struct {
		rule string
		want time.Time
	}{
		{"FREQ=YEARLY", dt}, // same year: DTSTART's own period
		{"FREQ=MONTHLY;INTERVAL=5", time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)},
		{"FREQ=WEEKLY;INTERVAL=2", time.Date(2026, 9, 14, 0, 0, 0, 0, time.UTC)}, // 36 weeks after 5 January
		{"FREQ=WEEKLY;INTERVAL=2;WKST=SU", time.Date(2026, 9, 13, 0, 0, 0, 0, time.UTC)},
		{"FREQ=DAILY;INTERVAL=10", time.Date(2026, 9, 14, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		opt, err := rrule.StrToROption(tt.rule)
		if err != nil {
			t.Fatal(err)
		}
		if got := anchor(*opt, dt, from); !got.Equal(tt.want) {
			t.Errorf("anchor(%s) = %v, want %v", tt.rule, got, tt.want)
		}
	}
}
