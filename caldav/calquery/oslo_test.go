package calquery

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/veileder/veileder/recurrence"
)

// Europe/Oslo changes to CEST on Sunday 2026-03-29 (02:00 -> 03:00) and back
// to CET on Sunday 2026-10-25 (03:00 -> 02:00).

const osloVTimezone = `BEGIN:VTIMEZONE
TZID:Europe/Oslo
X-LIC-LOCATION:Europe/Oslo
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
`

// weeklySeries meets Sundays at 10:00 Oslo time from 2026-03-22, skips
// 5 and 12 April (one comma-list EXDATE), moves the 18 October meeting
// (CEST) to Monday 26 October (CET), and cancels 1 November. The master
// has a 15-minute alarm; the overrides have none.
const weeklySeries = `BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Veileder//test//EN
` + osloVTimezone + `BEGIN:VEVENT
UID:weekly@veileder.test
DTSTAMP:20260101T000000Z
DTSTART;TZID=Europe/Oslo:20260322T100000
DTEND;TZID=Europe/Oslo:20260322T110000
RRULE:FREQ=WEEKLY;UNTIL=20261231T230000Z
EXDATE;TZID=Europe/Oslo:20260405T100000,20260412T100000
SUMMARY:Veiledning
BEGIN:VALARM
ACTION:DISPLAY
DESCRIPTION:Veiledning
TRIGGER:-PT15M
END:VALARM
END:VEVENT
BEGIN:VEVENT
UID:weekly@veileder.test
DTSTAMP:20260101T000000Z
RECURRENCE-ID;TZID=Europe/Oslo:20261018T100000
DTSTART;TZID=Europe/Oslo:20261026T100000
DTEND;TZID=Europe/Oslo:20261026T110000
SUMMARY:Veiledning (flyttet)
END:VEVENT
BEGIN:VEVENT
UID:weekly@veileder.test
DTSTAMP:20260101T000000Z
RECURRENCE-ID;TZID=Europe/Oslo:20261101T100000
DTSTART;TZID=Europe/Oslo:20261101T100000
DTEND;TZID=Europe/Oslo:20261101T110000
STATUS:CANCELLED
SUMMARY:Veiledning (avlyst)
END:VEVENT
END:VCALENDAR
`

func oslo(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatalf("load Europe/Oslo: %v", err)
	}
	return loc
}

// veventFilter parses a calendar-query whose VEVENT comp-filter holds inner.
func veventFilter(t testing.TB, inner string) *CompFilter {
	t.Helper()
	q, err := ParseCalendarQuery(strings.NewReader(`<C:calendar-query xmlns:C="urn:ietf:params:xml:ns:caldav"><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">` + inner + `</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`))
	if err != nil {
		t.Fatalf("ParseCalendarQuery(%s): %v", inner, err)
	}
	return q.Filter
}

func timeRange(start, end string) string {
	s := `<C:time-range`
	if start != "" {
		s += ` start="` + start + `"`
	}
	if end != "" {
		s += ` end="` + end + `"`
	}
	return s + `/>`
}

type matchCase struct {
	name   string
	filter string // inside the VEVENT comp-filter
	want   bool
}

func runMatchCases(t *testing.T, cal *ical.Calendar, opts recurrence.Options, cases []matchCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Match(cal, veventFilter(t, tc.filter), opts)
			if err != nil {
				t.Fatalf("Match: %v", err)
			}
			if got != tc.want {
				t.Errorf("Match(%s) = %v, want %v", tc.filter, got, tc.want)
			}
		})
	}
}

func TestOsloWeeklySeries(t *testing.T) {
	opts := recurrence.Options{Location: oslo(t)}
	cases := []matchCase{
		{"22 March 10:00 CET is 09:00Z", timeRange("20260322T090000Z", "20260322T090100Z"), true},
		{"22 March nothing at 10:00Z", timeRange("20260322T100000Z", "20260322T103000Z"), false},
		{"29 March 10:00 CEST is 08:00Z", timeRange("20260329T080000Z", "20260329T080100Z"), true},
		{"29 March nothing at 09:00Z", timeRange("20260329T090000Z", "20260329T093000Z"), false},
		{"range starting inside the instance", timeRange("20260329T085900Z", "20260329T120000Z"), true},
		{"EXDATE 5 April", timeRange("20260405T000000Z", "20260406T000000Z"), false},
		{"EXDATE 12 April, second of the list", timeRange("20260412T000000Z", "20260413T000000Z"), false},
		{"19 April", timeRange("20260419T000000Z", "20260420T000000Z"), true},
		{"18 October moved away", timeRange("20261018T000000Z", "20261019T000000Z"), false},
		{"25 October 10:00 CET is 09:00Z", timeRange("20261025T090000Z", "20261025T090100Z"), true},
		{"25 October nothing at 08:00Z", timeRange("20261025T080000Z", "20261025T090000Z"), false},
		{"moved to 26 October 10:00 CET, 09:00Z", timeRange("20261026T090000Z", "20261026T090100Z"), true},
		{"26 October nothing at 08:00Z", timeRange("20261026T080000Z", "20261026T090000Z"), false},
		{"start-only range (DAVx5)", timeRange("20261020T000000Z", ""), true},
		{"start-only range after the series", timeRange("20270101T000000Z", ""), false},
		{"end-only range before the series", timeRange("", "20260301T000000Z"), false},
		{"end-only range into the first instance", timeRange("", "20260322T093000Z"), true},
		{"cancelled occurrence in range",
			timeRange("20261030T000000Z", "20261102T000000Z") + `<C:prop-filter name="STATUS"><C:text-match>CANCELLED</C:text-match></C:prop-filter>`, true},
		{"cancelled occurrence only elsewhere",
			timeRange("20261024T000000Z", "20261027T000000Z") + `<C:prop-filter name="STATUS"><C:text-match>CANCELLED</C:text-match></C:prop-filter>`, false},
		{"not cancelled, negated, in the cancelled week",
			timeRange("20261030T000000Z", "20261102T000000Z") + `<C:prop-filter name="STATUS"><C:text-match negate-condition="yes">CANCELLED</C:text-match></C:prop-filter>`, false},
		{"the override's own SUMMARY",
			timeRange("20261024T000000Z", "20261027T000000Z") + `<C:prop-filter name="SUMMARY"><C:text-match>flyttet</C:text-match></C:prop-filter>`, true},
		{"the master's instance has no override SUMMARY",
			timeRange("20261025T000000Z", "20261025T230000Z") + `<C:prop-filter name="SUMMARY"><C:text-match>flyttet</C:text-match></C:prop-filter>`, false},
		{"alarm of 25 October at 08:45Z",
			`<C:comp-filter name="VALARM">` + timeRange("20261025T084500Z", "20261025T084600Z") + `</C:comp-filter>`, true},
		{"no alarm at 07:45Z on 25 October",
			`<C:comp-filter name="VALARM">` + timeRange("20261025T074500Z", "20261025T075500Z") + `</C:comp-filter>`, false},
		{"alarm of 29 March at 07:45Z",
			`<C:comp-filter name="VALARM">` + timeRange("20260329T074500Z", "20260329T074600Z") + `</C:comp-filter>`, true},
		{"the moved occurrence has no alarm",
			`<C:comp-filter name="VALARM">` + timeRange("20261026T084500Z", "20261026T084600Z") + `</C:comp-filter>`, false},
		{"alarm nested under the instance's time-range",
			timeRange("20261025T000000Z", "20261026T000000Z") + `<C:comp-filter name="VALARM">` + timeRange("20261025T084500Z", "20261025T084600Z") + `</C:comp-filter>`, true},
		{"alarm of another instance than the time-range's",
			timeRange("20261025T000000Z", "20261026T000000Z") + `<C:comp-filter name="VALARM">` + timeRange("20261108T084500Z", "20261108T084600Z") + `</C:comp-filter>`, false},
	}
	tzids := []struct{ name, tzid string }{
		{"IANA", "Europe/Oslo"},
		{"Windows", "W. Europe Standard Time"},
		{"Mozilla prefix", "/mozilla.org/20050126_1/Europe/Oslo"},
	}
	for _, tz := range tzids {
		t.Run(tz.name, func(t *testing.T) {
			text := strings.ReplaceAll(weeklySeries, "TZID=Europe/Oslo", "TZID="+tz.tzid)
			text = strings.ReplaceAll(text, "TZID:Europe/Oslo", "TZID:"+tz.tzid)
			runMatchCases(t, mustDecode(t, text), opts, cases)
		})
	}
}

func TestOsloAllDayOnDSTDays(t *testing.T) {
	opts := recurrence.Options{Location: oslo(t)}
	cal := mustDecode(t, `BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Veileder//test//EN
BEGIN:VEVENT
UID:spring@veileder.test
DTSTAMP:20260101T000000Z
DTSTART;VALUE=DATE:20260329
DTEND;VALUE=DATE:20260330
SUMMARY:Sommertid
END:VEVENT
END:VCALENDAR
`)
	runMatchCases(t, cal, opts, []matchCase{
		{"starts at Oslo midnight, 23:00Z the day before", timeRange("20260328T230000Z", "20260328T233000Z"), true},
		{"not before Oslo midnight", timeRange("20260328T220000Z", "20260328T230000Z"), false},
		{"a 23-hour day: last half hour", timeRange("20260329T213000Z", "20260329T220000Z"), true},
		{"ends at the next Oslo midnight, 22:00Z", timeRange("20260329T220000Z", "20260329T230000Z"), false},
	})

	autumn := mustDecode(t, `BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Veileder//test//EN
BEGIN:VEVENT
UID:autumn@veileder.test
DTSTAMP:20260101T000000Z
DTSTART;VALUE=DATE:20261025
DTEND;VALUE=DATE:20261026
SUMMARY:Vintertid
END:VEVENT
END:VCALENDAR
`)
	runMatchCases(t, autumn, opts, []matchCase{
		{"starts at Oslo midnight, 22:00Z the day before", timeRange("20261024T220000Z", "20261024T223000Z"), true},
		{"not before Oslo midnight", timeRange("20261024T210000Z", "20261024T220000Z"), false},
		{"a 25-hour day: last half hour", timeRange("20261025T223000Z", "20261025T230000Z"), true},
		{"ends at the next Oslo midnight, 23:00Z", timeRange("20261025T230000Z", "20261026T000000Z"), false},
	})

	got := FreeBusy([]*ical.Calendar{autumn}, utc("20261020T000000Z"), utc("20261030T000000Z"), opts)
	want := []Period{{utc("20261024T220000Z"), utc("20261025T230000Z"), BusyType}}
	if !slices.Equal(got, want) {
		t.Errorf("FreeBusy(all-day 25 October) = %v, want %v", got, want)
	}

	shaped, err := Shape(autumn, &CalendarDataRequest{Expand: &TimeRange{utc("20261020T000000Z"), utc("20261030T000000Z")}}, opts)
	if err != nil {
		t.Fatalf("Shape: %v", err)
	}
	ev := shaped.Children[0]
	if p := ev.Props.Get("DTSTART"); p == nil || p.Value != "20261025" || p.Params.Get("VALUE") != "DATE" {
		t.Errorf("expanded all-day DTSTART = %+v, want VALUE=DATE:20261025", p)
	}
	if p := ev.Props.Get("DTEND"); p == nil || p.Value != "20261026" {
		t.Errorf("expanded all-day DTEND = %+v, want VALUE=DATE:20261026", p)
	}
}

func TestOsloFloatingTimes(t *testing.T) {
	opts := recurrence.Options{Location: oslo(t)}
	cal := mustDecode(t, `BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Veileder//test//EN
BEGIN:VEVENT
UID:floating@veileder.test
DTSTAMP:20260101T000000Z
DTSTART:20260329T120000
DTEND:20260329T130000
SUMMARY:Lunsj
END:VEVENT
END:VCALENDAR
`)
	runMatchCases(t, cal, opts, []matchCase{
		{"12:00 CEST is 10:00Z", timeRange("20260329T100000Z", "20260329T100100Z"), true},
		{"ends 11:00Z", timeRange("20260329T110000Z", "20260329T120000Z"), false},
		{"not read as UTC", timeRange("20260329T120000Z", "20260329T130000Z"), false},
	})
	runMatchCases(t, cal, recurrence.Options{}, []matchCase{
		{"without a zone, floating is UTC", timeRange("20260329T120000Z", "20260329T130000Z"), true},
	})

	// 02:30 on 2026-10-25 happens twice; RFC 5545 §3.3.5 means the first
	// (CEST, 00:30Z). 02:30 on 2026-03-29 does not happen; it means 03:30
	// CEST (01:30Z).
	twice := mustDecode(t, `BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Veileder//test//EN
BEGIN:VEVENT
UID:twice@veileder.test
DTSTAMP:20260101T000000Z
DTSTART:20261025T023000
DURATION:PT30M
SUMMARY:To ganger
END:VEVENT
END:VCALENDAR
`)
	runMatchCases(t, twice, opts, []matchCase{
		{"repeated 02:30 is the first, 00:30Z", timeRange("20261025T003000Z", "20261025T003100Z"), true},
		{"not the second, 01:30Z", timeRange("20261025T013000Z", "20261025T014500Z"), false},
	})
	never := mustDecode(t, `BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Veileder//test//EN
BEGIN:VEVENT
UID:never@veileder.test
DTSTAMP:20260101T000000Z
DTSTART:20260329T023000
DURATION:PT30M
SUMMARY:Aldri
END:VEVENT
END:VCALENDAR
`)
	runMatchCases(t, never, opts, []matchCase{
		{"missing 02:30 is 01:30Z", timeRange("20260329T013000Z", "20260329T013100Z"), true},
		{"not 00:30Z", timeRange("20260329T003000Z", "20260329T010000Z"), false},
	})

	// A TZID nobody knows is read in the calendar's zone, never an error.
	unknown := mustDecode(t, strings.ReplaceAll(weeklySeries, "TZID=Europe/Oslo", "TZID=Mars/Olympus_Mons"))
	runMatchCases(t, unknown, opts, []matchCase{
		{"unknown TZID read as Europe/Oslo", timeRange("20261025T090000Z", "20261025T090100Z"), true},
	})
}

func TestOsloShape(t *testing.T) {
	opts := recurrence.Options{Location: oslo(t)}
	cal := mustDecode(t, weeklySeries)
	before := canonical(t, cal)

	expanded, err := Shape(cal, &CalendarDataRequest{Expand: &TimeRange{utc("20261024T000000Z"), utc("20261027T000000Z")}}, opts)
	if err != nil {
		t.Fatalf("Shape(expand): %v", err)
	}
	want := mustDecode(t, `BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Veileder//test//EN
BEGIN:VEVENT
UID:weekly@veileder.test
DTSTAMP:20260101T000000Z
RECURRENCE-ID:20261025T090000Z
DTSTART:20261025T090000Z
DTEND:20261025T100000Z
SUMMARY:Veiledning
BEGIN:VALARM
ACTION:DISPLAY
DESCRIPTION:Veiledning
TRIGGER:-PT15M
END:VALARM
END:VEVENT
BEGIN:VEVENT
UID:weekly@veileder.test
DTSTAMP:20260101T000000Z
RECURRENCE-ID:20261018T080000Z
DTSTART:20261026T090000Z
DTEND:20261026T100000Z
SUMMARY:Veiledning (flyttet)
END:VEVENT
END:VCALENDAR
`)
	if g, w := canonical(t, expanded), canonical(t, want); g != w {
		t.Errorf("expand 24–27 October:\n%s\nwant:\n%s", g, w)
	}

	spring, err := Shape(cal, &CalendarDataRequest{Expand: &TimeRange{utc("20260328T000000Z"), utc("20260330T000000Z")}}, opts)
	if err != nil {
		t.Fatalf("Shape(expand spring): %v", err)
	}
	if n := len(spring.Children); n != 1 {
		t.Fatalf("expand 28–30 March: %d components, want 1", n)
	}
	if got := spring.Children[0].Props.Get("DTSTART").Value; got != "20260329T080000Z" {
		t.Errorf("expand 28–30 March: DTSTART %s, want 20260329T080000Z", got)
	}

	for _, tc := range []struct {
		name       string
		start, end string
		want       []string // RECURRENCE-IDs of the kept overrides
	}{
		{"moved into the range", "20261024T000000Z", "20261027T000000Z", []string{"20261018T100000"}},
		{"moved out of the range", "20261018T000000Z", "20261019T000000Z", []string{"20261018T100000"}},
		{"cancelled", "20261031T000000Z", "20261102T000000Z", []string{"20261101T100000"}},
		{"none", "20260601T000000Z", "20260602T000000Z", nil},
	} {
		t.Run("limit-recurrence-set "+tc.name, func(t *testing.T) {
			got, err := Shape(cal, &CalendarDataRequest{LimitRecurrenceSet: &TimeRange{utc(tc.start), utc(tc.end)}}, opts)
			if err != nil {
				t.Fatalf("Shape: %v", err)
			}
			var masters int
			var rids []string
			for _, c := range got.Children {
				switch {
				case c.Name == "VTIMEZONE":
				case c.Props.Get("RECURRENCE-ID") == nil:
					masters++
				default:
					rids = append(rids, c.Props.Get("RECURRENCE-ID").Value)
				}
			}
			if masters != 1 || !slices.Equal(rids, tc.want) {
				t.Errorf("kept %d masters and overrides %v, want 1 and %v", masters, rids, tc.want)
			}
		})
	}

	if canonical(t, cal) != before {
		t.Errorf("Shape changed its input")
	}

	fb := FreeBusy([]*ical.Calendar{cal}, utc("20261019T000000Z"), utc("20261103T000000Z"), opts)
	wantFB := []Period{
		{utc("20261025T090000Z"), utc("20261025T100000Z"), BusyType},
		{utc("20261026T090000Z"), utc("20261026T100000Z"), BusyType},
	}
	if !slices.Equal(fb, wantFB) {
		t.Errorf("FreeBusy(19 October–3 November) = %v, want %v", fb, wantFB)
	}
}
