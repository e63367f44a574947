package calquery

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-ical"

	"github.com/veileder/veileder/recurrence"
)

// filterOf parses a calendar-query whose VCALENDAR comp-filter holds inner.
func filterOf(t testing.TB, inner string) *CompFilter {
	t.Helper()
	q, err := ParseCalendarQuery(strings.NewReader(`<C:calendar-query xmlns:C="urn:ietf:params:xml:ns:caldav"><C:filter><C:comp-filter name="VCALENDAR">` + inner + `</C:comp-filter></C:filter></C:calendar-query>`))
	if err != nil {
		t.Fatalf("ParseCalendarQuery(%s): %v", inner, err)
	}
	return q.Filter
}

func TestMatchAppendixB(t *testing.T) {
	cals := appendixB(t)
	tests := []struct {
		name   string
		filter string
		want   []string
	}{
		{"ascii-casemap folds ASCII",
			`<C:comp-filter name="VEVENT"><C:prop-filter name="SUMMARY"><C:text-match>event #3</C:text-match></C:prop-filter></C:comp-filter>`,
			[]string{"abcd3.ics"}},
		{"octet is exact",
			`<C:comp-filter name="VEVENT"><C:prop-filter name="SUMMARY"><C:text-match collation="i;octet">event #3</C:text-match></C:prop-filter></C:comp-filter>`,
			nil},
		{"octet substring",
			`<C:comp-filter name="VEVENT"><C:prop-filter name="SUMMARY"><C:text-match collation="i;octet">Event #</C:text-match></C:prop-filter></C:comp-filter>`,
			[]string{"abcd1.ics", "abcd2.ics", "abcd3.ics"}},
		{"negate-condition",
			`<C:comp-filter name="VEVENT"><C:prop-filter name="SUMMARY"><C:text-match negate-condition="yes">event #2</C:text-match></C:prop-filter></C:comp-filter>`,
			[]string{"abcd1.ics", "abcd3.ics"}},
		{"negate-condition=no",
			`<C:comp-filter name="VEVENT"><C:prop-filter name="SUMMARY"><C:text-match negate-condition="no">event #2</C:text-match></C:prop-filter></C:comp-filter>`,
			[]string{"abcd2.ics"}},
		{"negated text-match needs the property",
			`<C:comp-filter name="VEVENT"><C:prop-filter name="STATUS"><C:text-match negate-condition="yes">CANCELLED</C:text-match></C:prop-filter></C:comp-filter>`,
			[]string{"abcd3.ics"}},
		{"property defined",
			`<C:comp-filter name="VEVENT"><C:prop-filter name="X-ABC-GUID"/></C:comp-filter>`,
			[]string{"abcd3.ics"}},
		{"property not defined",
			`<C:comp-filter name="VEVENT"><C:prop-filter name="DESCRIPTION"><C:is-not-defined/></C:prop-filter></C:comp-filter>`,
			[]string{"abcd2.ics", "abcd3.ics"}},
		{"param not defined",
			`<C:comp-filter name="VEVENT"><C:prop-filter name="ATTENDEE"><C:param-filter name="ROLE"><C:is-not-defined/></C:param-filter></C:prop-filter></C:comp-filter>`,
			[]string{"abcd3.ics"}},
		{"param defined",
			`<C:comp-filter name="VFREEBUSY"><C:prop-filter name="ORGANIZER"><C:param-filter name="CN"/></C:prop-filter></C:comp-filter>`,
			[]string{"abcd8.ics"}},
		{"param and text on one property",
			`<C:comp-filter name="VEVENT"><C:prop-filter name="ATTENDEE"><C:text-match>cyrus</C:text-match><C:param-filter name="PARTSTAT"><C:text-match>NEEDS-ACTION</C:text-match></C:param-filter></C:prop-filter></C:comp-filter>`,
			nil},
		{"negated param",
			`<C:comp-filter name="VEVENT"><C:prop-filter name="ATTENDEE"><C:param-filter name="PARTSTAT"><C:text-match negate-condition="yes">NEEDS-ACTION</C:text-match></C:param-filter></C:prop-filter></C:comp-filter>`,
			[]string{"abcd3.ics"}},
		{"DATE-TIME property time-range",
			`<C:comp-filter name="VEVENT"><C:prop-filter name="LAST-MODIFIED">` + timeRange("20060206T000000Z", "20060207T000000Z") + `</C:prop-filter></C:comp-filter>`,
			[]string{"abcd3.ics"}},
		{"DATE property time-range covers the day",
			`<C:comp-filter name="VTODO"><C:prop-filter name="DUE">` + timeRange("20060104T120000Z", "20060104T130000Z") + `</C:prop-filter></C:comp-filter>`,
			[]string{"abcd4.ics"}},
		{"zoned property time-range",
			`<C:comp-filter name="VEVENT"><C:prop-filter name="DTSTART">` + timeRange("20060104T150000Z", "20060104T150100Z") + `</C:prop-filter></C:comp-filter>`,
			[]string{"abcd3.ics"}},
		{"completed to-dos",
			`<C:comp-filter name="VTODO"><C:prop-filter name="COMPLETED">` + timeRange("", "20060101T000000Z") + `</C:prop-filter></C:comp-filter>`,
			[]string{"abcd6.ics"}},
		{"to-dos without alarm",
			`<C:comp-filter name="VTODO"><C:comp-filter name="VALARM"><C:is-not-defined/></C:comp-filter></C:comp-filter>`,
			[]string{"abcd6.ics", "abcd7.ics"}},
		{"no VTODO",
			`<C:comp-filter name="VTODO"><C:is-not-defined/></C:comp-filter>`,
			[]string{"abcd1.ics", "abcd2.ics", "abcd3.ics", "abcd8.ics"}},
		{"VTIMEZONE present",
			`<C:comp-filter name="VTIMEZONE"><C:prop-filter name="TZID"><C:text-match>US/Eastern</C:text-match></C:prop-filter></C:comp-filter>`,
			[]string{"abcd1.ics", "abcd2.ics", "abcd3.ics", "abcd5.ics"}},
		{"VFREEBUSY outside its DTSTART/DTEND",
			`<C:comp-filter name="VFREEBUSY">` + timeRange("20060201T000000Z", "20060301T000000Z") + `</C:comp-filter>`,
			nil},
		{"recurring event by its fifth day",
			`<C:comp-filter name="VEVENT">` + timeRange("20060106T000000Z", "") + `</C:comp-filter>`,
			[]string{"abcd2.ics"}},
		{"alarms before 7 January",
			`<C:comp-filter name="VTODO"><C:comp-filter name="VALARM">` + timeRange("", "20060107T000000Z") + `</C:comp-filter></C:comp-filter>`,
			[]string{"abcd4.ics", "abcd5.ics"}},
		{"VCALENDAR prop-filter",
			`<C:prop-filter name="PRODID"><C:text-match>example corp</C:text-match></C:prop-filter>`,
			[]string{"abcd1.ics", "abcd2.ics", "abcd3.ics", "abcd4.ics", "abcd5.ics", "abcd6.ics", "abcd7.ics", "abcd8.ics"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runQuery(t, cals, &Query{Filter: filterOf(t, tt.filter)}, rfcOpts)
			if !slices.Equal(got, tt.want) {
				t.Errorf("matching objects = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestMatchTopLevel(t *testing.T) {
	cal := appendixB(t)["abcd1.ics"]
	for _, tc := range []struct {
		name string
		f    *CompFilter
		want bool
	}{
		{"nil filter", nil, true},
		{"empty VCALENDAR", &CompFilter{Name: "VCALENDAR"}, true},
		{"VCALENDAR is-not-defined", &CompFilter{Name: "VCALENDAR", IsNotDefined: true}, false},
		{"other top component", &CompFilter{Name: "VCARD"}, false},
	} {
		got, err := Match(cal, tc.f, rfcOpts)
		if err != nil || got != tc.want {
			t.Errorf("%s: Match = %v, %v; want %v, nil", tc.name, got, err, tc.want)
		}
	}
}

func TestTextCollations(t *testing.T) {
	cal := mustDecode(t, `BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Veileder//test//EN
BEGIN:VEVENT
UID:text@veileder.test
DTSTAMP:20260101T000000Z
DTSTART:20260601T100000Z
SUMMARY:Ærfugl på ØYA\, rom 2
ATTENDEE;CN="Åse Ødegård":mailto:ase@example.no
END:VEVENT
END:VCALENDAR
`)
	for _, tc := range []struct {
		collation, text string
		negate          bool
		want            bool
	}{
		{CollationASCIICasemap, "ærfugl på øya", false, false}, // only A-Z fold
		{CollationASCIICasemap, "ÆRFUGL på ØYA", false, true},
		{CollationUnicodeCasemap, "ærfugl på øya", false, true},
		{CollationUnicodeCasemap, "ÆRFUGL", true, false},
		{CollationOctet, "ØYA", false, true},
		{CollationOctet, "øya", false, false},
		{CollationOctet, "ØYA, rom", false, true}, // TEXT is unescaped
		{CollationOctet, `\,`, false, false},
		{CollationOctet, "", false, true}, // the empty string is in every value
	} {
		f := veventFilter(t, `<C:prop-filter name="SUMMARY"><C:text-match collation="`+tc.collation+`" negate-condition="`+map[bool]string{true: "yes", false: "no"}[tc.negate]+`">`+tc.text+`</C:text-match></C:prop-filter>`)
		got, err := Match(cal, f, recurrence.Options{})
		if err != nil || got != tc.want {
			t.Errorf("SUMMARY %s %q negate=%v: Match = %v, %v; want %v", tc.collation, tc.text, tc.negate, got, err, tc.want)
		}
	}
	f := veventFilter(t, `<C:prop-filter name="ATTENDEE"><C:param-filter name="CN"><C:text-match collation="i;unicode-casemap">åse ødegård</C:text-match></C:param-filter></C:prop-filter>`)
	if got, err := Match(cal, f, recurrence.Options{}); err != nil || !got {
		t.Errorf("param CN unicode-casemap: Match = %v, %v; want true", got, err)
	}
}

// RFC 4791's Appendix B gives abcd4 and abcd5 TRIGGER;RELATED=START on
// to-dos without DTSTART; the alarm then counts from DUE.
func TestAlarmStartRelatedWithoutDTSTART(t *testing.T) {
	b, err := os.ReadFile("testdata/abcd5.ics")
	if err != nil {
		t.Fatal(err)
	}
	cal := mustDecode(t, strings.ReplaceAll(string(b), "RELATED=END", "RELATED=START"))
	q, err := ParseCalendarQuery(strings.NewReader(rfc785))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := Match(cal, q.Filter, rfcOpts); err != nil || !got {
		t.Errorf("Match(abcd5 RELATED=START, 7.8.5) = %v, %v; want true", got, err)
	}
}

func TestAlarmAbsoluteAndRepeat(t *testing.T) {
	cal := mustDecode(t, `BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Veileder//test//EN
BEGIN:VEVENT
UID:alarms@veileder.test
DTSTAMP:20260101T000000Z
DTSTART:20260601T100000Z
DTEND:20260601T110000Z
BEGIN:VALARM
ACTION:DISPLAY
DESCRIPTION:a
TRIGGER;VALUE=DATE-TIME:20260531T180000Z
END:VALARM
BEGIN:VALARM
ACTION:DISPLAY
DESCRIPTION:b
TRIGGER;RELATED=END:PT5M
REPEAT:2
DURATION:PT10M
END:VALARM
END:VEVENT
END:VCALENDAR
`)
	alarm := func(start, end string) string {
		return `<C:comp-filter name="VALARM">` + timeRange(start, end) + `</C:comp-filter>`
	}
	runMatchCases(t, cal, recurrence.Options{}, []matchCase{
		{"absolute trigger", alarm("20260531T180000Z", "20260531T180100Z"), true},
		{"END-related trigger", alarm("20260601T110500Z", "20260601T110600Z"), true},
		{"second repetition", alarm("20260601T112500Z", "20260601T112600Z"), true},
		{"after the last repetition", alarm("20260601T112600Z", "20260601T120000Z"), false},
		{"between repetitions", alarm("20260601T110600Z", "20260601T111500Z"), false},
	})
}

func TestFreeBusyTransparencyAndStatus(t *testing.T) {
	cal := func(extra string) *ical.Calendar {
		return mustDecode(t, `BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Veileder//test//EN
BEGIN:VEVENT
UID:fb@veileder.test
DTSTAMP:20260101T000000Z
DTSTART:20260601T100000Z
DTEND:20260601T110000Z
`+extra+`END:VEVENT
END:VCALENDAR
`)
	}
	start, end := utc("20260601T000000Z"), utc("20260602T000000Z")
	for _, tc := range []struct {
		name, extra string
		want        []Period
	}{
		{"opaque by default", "", []Period{{utc("20260601T100000Z"), utc("20260601T110000Z"), BusyType}}},
		{"confirmed", "STATUS:CONFIRMED\n", []Period{{utc("20260601T100000Z"), utc("20260601T110000Z"), BusyType}}},
		{"tentative", "STATUS:TENTATIVE\n", []Period{{utc("20260601T100000Z"), utc("20260601T110000Z"), BusyTentativeType}}},
		{"cancelled", "STATUS:CANCELLED\n", nil},
		{"transparent", "TRANSP:TRANSPARENT\n", nil},
	} {
		got := FreeBusy([]*ical.Calendar{cal(tc.extra)}, start, end, recurrence.Options{})
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: FreeBusy = %v, want %v", tc.name, got, tc.want)
		}
	}

	// Overlapping and touching periods of one type merge; clipped to the range.
	a := cal("")
	event := func(uid, start, end string) *ical.Calendar {
		return mustDecode(t, `BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Veileder//test//EN
BEGIN:VEVENT
UID:`+uid+`
DTSTAMP:20260101T000000Z
DTSTART:`+start+`
DTEND:`+end+`
END:VEVENT
END:VCALENDAR
`)
	}
	b := event("fb2@veileder.test", "20260601T103000Z", "20260601T120000Z")
	c := event("fb3@veileder.test", "20260601T120000Z", "20260601T130000Z")
	d := event("fb4@veileder.test", "20260531T230000Z", "20260601T010000Z")
	got := FreeBusy([]*ical.Calendar{a, b, nil, c, d}, start, end, recurrence.Options{})
	want := []Period{
		{utc("20260601T000000Z"), utc("20260601T010000Z"), BusyType},
		{utc("20260601T100000Z"), utc("20260601T130000Z"), BusyType},
	}
	if !slices.Equal(got, want) {
		t.Errorf("merged FreeBusy = %v, want %v", got, want)
	}
}

func TestMatchTruncatedExpansion(t *testing.T) {
	cal := mustDecode(t, `BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Veileder//test//EN
BEGIN:VEVENT
UID:daily@veileder.test
DTSTAMP:20260101T000000Z
DTSTART:20260101T090000Z
DURATION:PT1H
RRULE:FREQ=DAILY
SUMMARY:A
END:VEVENT
BEGIN:VEVENT
UID:daily@veileder.test
DTSTAMP:20260101T000000Z
RECURRENCE-ID:20300101T090000Z
DTSTART:20300101T090000Z
DURATION:PT1H
SUMMARY:B
END:VEVENT
END:VCALENDAR
`)
	opts := recurrence.Options{MaxInstances: 3}
	runMatchCases(t, cal, opts, []matchCase{
		{"time-range alone", timeRange("20260601T000000Z", ""), true},
		{"the master's SUMMARY", timeRange("20260601T000000Z", "") + `<C:prop-filter name="SUMMARY"><C:text-match collation="i;octet">A</C:text-match></C:prop-filter>`, true},
		{"an override past the cap", timeRange("20260601T000000Z", "") + `<C:prop-filter name="SUMMARY"><C:text-match collation="i;octet">B</C:text-match></C:prop-filter>`, true},
		{"no component has it", timeRange("20260601T000000Z", "") + `<C:prop-filter name="SUMMARY"><C:text-match collation="i;octet">C</C:text-match></C:prop-filter>`, false},
	})
}

func TestExpandRecurringToDo(t *testing.T) {
	opts := recurrence.Options{Location: oslo(t)}
	cal := mustDecode(t, `BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Veileder//test//EN
`+osloVTimezone+`BEGIN:VTODO
UID:todo@veileder.test
DTSTAMP:20260101T000000Z
DTSTART;TZID=Europe/Oslo:20261024T090000
DUE;TZID=Europe/Oslo:20261024T170000
RRULE:FREQ=DAILY;COUNT=3
SUMMARY:Levere rapport
END:VTODO
END:VCALENDAR
`)
	got, err := Shape(cal, &CalendarDataRequest{Expand: &TimeRange{utc("20261025T000000Z"), utc("20261026T000000Z")}}, opts)
	if err != nil {
		t.Fatalf("Shape: %v", err)
	}
	want := mustDecode(t, `BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Veileder//test//EN
BEGIN:VTODO
UID:todo@veileder.test
DTSTAMP:20260101T000000Z
DTSTART:20261025T080000Z
DUE:20261025T160000Z
RECURRENCE-ID:20261025T080000Z
SUMMARY:Levere rapport
END:VTODO
END:VCALENDAR
`)
	if g, w := canonical(t, got), canonical(t, want); g != w {
		t.Errorf("expand VTODO:\n%s\nwant:\n%s", g, w)
	}
}

// TestFreeBusyTruncatedSeries: a busy series cut by the instance cap is
// busy from where it was cut to the end of the range, not free.
func TestFreeBusyTruncatedSeries(t *testing.T) {
	cal := func(extra string) *ical.Calendar {
		return mustDecode(t, `BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Veileder//test//EN
BEGIN:VEVENT
UID:flood@veileder.test
DTSTAMP:20260101T000000Z
DTSTART:20260601T000000Z
DURATION:PT1M
RRULE:FREQ=MINUTELY;INTERVAL=2
`+extra+`END:VEVENT
END:VCALENDAR
`)
	}
	start, end := utc("20260601T000000Z"), utc("20260602T000000Z")
	opts := recurrence.Options{MaxInstances: 3}
	for _, tc := range []struct {
		name, extra string
		want        []Period
	}{
		{"busy", "", []Period{
			{utc("20260601T000000Z"), utc("20260601T000100Z"), BusyType},
			{utc("20260601T000200Z"), utc("20260601T000300Z"), BusyType},
			// The third instance and everything after it.
			{utc("20260601T000400Z"), end, BusyType},
		}},
		{"tentative", "STATUS:TENTATIVE\n", []Period{
			{utc("20260601T000000Z"), utc("20260601T000100Z"), BusyTentativeType},
			{utc("20260601T000200Z"), utc("20260601T000300Z"), BusyTentativeType},
			{utc("20260601T000400Z"), end, BusyTentativeType},
		}},
		{"transparent", "TRANSP:TRANSPARENT\n", nil},
	} {
		got := FreeBusy([]*ical.Calendar{cal(tc.extra)}, start, end, opts)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: FreeBusy = %v, want %v", tc.name, got, tc.want)
		}
	}
}
