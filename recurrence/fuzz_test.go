package recurrence

import (
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
)

// decodeGuarded parses like the CalDAV server does. go-ical's decoder can
// panic on malformed input (docs/ICALENDAR.md); that is the caller's to guard,
// so the recover lives here, in the test, not in the package.
func decodeGuarded(data string) (cal *ical.Calendar) {
	defer func() {
		if recover() != nil {
			cal = nil
		}
	}()
	c, err := ical.NewDecoder(strings.NewReader(data)).Decode()
	if err != nil {
		return nil
	}
	return c
}

var fuzzSeeds = []string{
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTART;TZID=Europe/Oslo:20260105T100000\r\nDTEND;TZID=Europe/Oslo:20260105T110000\r\nRRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10\r\nEXDATE;TZID=Europe/Oslo:20260107T100000,20260112T100000\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:1\r\nRECURRENCE-ID;TZID=Europe/Oslo:20260114T100000\r\nDTSTART;TZID=Europe/Oslo:20260115T120000\r\nDURATION:PT1H\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
	"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260101\r\nRRULE:FREQ=YEARLY;BYMONTH=1;BYDAY=-1SU\r\nRDATE;VALUE=PERIOD:20260110T090000Z/PT2H\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
	"BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE\r\nTZID:Custom\r\nBEGIN:STANDARD\r\nDTSTART:16010101T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nDTSTART;TZID=Custom:20260329T023000\r\nRRULE:FREQ=HOURLY;INTERVAL=5;BYMINUTE=0,30\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
	"BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nDTSTART:20260105T090000Z\r\nDUE:20260106T090000Z\r\nRRULE:FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO,TU,WE,TH,FR\r\nEND:VTODO\r\nEND:VCALENDAR\r\n",
	"BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nCREATED:20260105T090000Z\r\nCOMPLETED:20260107T090000Z\r\nEND:VTODO\r\nEND:VCALENDAR\r\n",
	"BEGIN:VCALENDAR\r\nBEGIN:VJOURNAL\r\nDTSTART:20260105T090000\r\nRRULE:FREQ=SECONDLY;INTERVAL=7;BYHOUR=9;BYMONTHDAY=-1\r\nEND:VJOURNAL\r\nEND:VCALENDAR\r\n",
	"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;TZID=W. Europe Standard Time:20261025T023000\r\nRRULE:FREQ=MINUTELY;UNTIL=20261025T030000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
}

// FuzzExpand feeds raw iCalendar text through the decoder and every entry
// point: nothing may panic or hang, and what Expand returns must be capped,
// sorted and inside the range.
func FuzzExpand(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, oslo)
	end := time.Date(2026, 2, 1, 0, 0, 0, 0, oslo)
	ranges := [][2]time.Time{{start, end}, {start, {}}, {{}, end}, {}}
	f.Fuzz(func(t *testing.T, data string) {
		cal := decodeGuarded(data)
		if cal == nil {
			return
		}
		opts := Options{Location: oslo, MaxInstances: 20, MaxDuration: 50 * time.Millisecond}
		for _, r := range ranges {
			ins, _, err := Expand(cal, r[0], r[1], opts)
			if err != nil {
				continue
			}
			if len(ins) > opts.MaxInstances {
				t.Errorf("Expand returned %d instances, more than MaxInstances %d", len(ins), opts.MaxInstances)
			}
			for i, in := range ins {
				if !Overlaps(in, r[0], r[1]) {
					t.Errorf("instance %v–%v is outside [%v, %v)", in.Start, in.End, r[0], r[1])
				}
				if i > 0 && in.Start.Before(ins[i-1].Start) {
					t.Errorf("instances not sorted: %v before %v", ins[i-1].Start, in.Start)
				}
				if in.Component == nil {
					t.Errorf("instance without component")
				}
			}
		}
		_, _, _ = Bounds(cal, opts)
		for _, c := range cal.Children {
			for _, props := range c.Props {
				for _, p := range props {
					if tzid := p.Params.Get(ical.ParamTimezoneID); tzid != "" {
						if loc, _ := ResolveLocation(tzid, cal, oslo); loc == nil {
							t.Errorf("ResolveLocation(%q) = nil", tzid)
						}
					}
				}
			}
		}
	})
}

// FuzzExpandRule fuzzes the values that reach rrule-go and the DST code:
// RRULE, DTSTART, its TZID and DURATION, inside a well-formed object.
func FuzzExpandRule(f *testing.F) {
	f.Add("FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10", "20260105T100000", "Europe/Oslo", "PT1H")
	f.Add("FREQ=MONTHLY;BYDAY=-1FR;BYSETPOS=1", "20260329T023000", "America/New_York", "P1D")
	f.Add("FREQ=YEARLY;BYWEEKNO=1,-1;BYDAY=SU;WKST=SU", "20261025T023000", "", "P1W")
	f.Add("FREQ=HOURLY;INTERVAL=7;BYMINUTE=0,59;BYSETPOS=-1", "20260101", "W. Europe Standard Time", "PT0S")
	f.Add("FREQ=SECONDLY;INTERVAL=4099;BYHOUR=3;UNTIL=20270101", "20251231T235959Z", "/mozilla.org/x/Europe/Oslo", "-PT1H")
	f.Add("FREQ=DAILY;BYYEARDAY=366;BYMONTHDAY=-31;BYMONTH=12", "99991231T235959", "Asia/Kathmandu", "P1DT1S")
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, oslo)
	end := time.Date(2026, 2, 1, 0, 0, 0, 0, oslo)
	f.Fuzz(func(t *testing.T, rule, dtstart, tzid, dur string) {
		// Keep the object well-formed: the decoder is FuzzExpand's job.
		if strings.ContainsAny(rule, "\r\n") || strings.ContainsAny(dtstart+tzid+dur, "\r\n\":;,") {
			return
		}
		dtLine := "DTSTART:" + dtstart
		if tzid != "" {
			dtLine = "DTSTART;TZID=" + tzid + ":" + dtstart
		}
		text := "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n" + dtLine + "\r\nDURATION:" + dur + "\r\nRRULE:" + rule +
			"\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
		cal := decodeGuarded(text)
		if cal == nil {
			return
		}
		opts := Options{Location: oslo, MaxInstances: 20, MaxDuration: 50 * time.Millisecond}
		for _, r := range [][2]time.Time{{start, end}, {}} {
			ins, _, err := Expand(cal, r[0], r[1], opts)
			for i, in := range ins {
				if !Overlaps(in, r[0], r[1]) || i > 0 && in.Start.Before(ins[i-1].Start) {
					t.Errorf("instance %d (%v) outside the range or out of order", i, in.Start)
				}
			}
			if err == nil && len(ins) > opts.MaxInstances {
				t.Errorf("%d instances, more than %d", len(ins), opts.MaxInstances)
			}
		}
		_, _, _ = Bounds(cal, opts)
	})
}

// TestMinutelyFrom2020Week is the correctness half of the benchmark below.
func TestMinutelyFrom2020Week(t *testing.T) {
	cal := ics(t, vevent("DTSTART:20200101T000000Z", "RRULE:FREQ=MINUTELY")...)
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	ins, truncated, err := Expand(cal, start, start.AddDate(0, 0, 7), Options{Location: oslo, MaxInstances: 20000, MaxDuration: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if len(ins) != 7*24*60 || truncated {
		t.Fatalf("got %d instances (truncated %v), want %d", len(ins), truncated, 7*24*60)
	}
	if !ins[0].Start.Equal(start) || !ins[len(ins)-1].Start.Equal(start.AddDate(0, 0, 7).Add(-time.Minute)) {
		t.Errorf("got instances from %v to %v, want the week's first and last minute", ins[0].Start, ins[len(ins)-1].Start)
	}
}

func BenchmarkExpandMinutelyFrom2020(b *testing.B) {
	cal := ics(b, vevent("DTSTART:20200101T000000Z", "RRULE:FREQ=MINUTELY")...)
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(0, 0, 7)
	opts := Options{Location: oslo, MaxInstances: 20000, MaxDuration: time.Minute}
	for b.Loop() {
		if ins, _, err := Expand(cal, start, end, opts); err != nil || len(ins) != 7*24*60 {
			b.Fatalf("Expand: %d instances, %v", len(ins), err)
		}
	}
}

func BenchmarkExpandWeeklyMonth(b *testing.B) {
	cal := ics(b, vevent("DTSTART;TZID=Europe/Oslo:20200106T100000", "DTEND;TZID=Europe/Oslo:20200106T110000", "RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR", "EXDATE;TZID=Europe/Oslo:20260302T100000")...)
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, oslo)
	end := start.AddDate(0, 1, 0)
	for b.Loop() {
		if _, _, err := Expand(cal, start, end, Options{Location: oslo}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBoundsWeeklyCount(b *testing.B) {
	cal := ics(b, vevent("DTSTART;TZID=Europe/Oslo:20200106T100000", "DTEND;TZID=Europe/Oslo:20200106T110000", "RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=500")...)
	for b.Loop() {
		if _, _, err := Bounds(cal, Options{Location: oslo}); err != nil {
			b.Fatal(err)
		}
	}
}
