package recurrence

import (
	"strings"
	"testing"
	"time"
)

func TestExpand(t *testing.T) {
	tests := []struct {
		name       string
		lines      []string
		start, end string
		opts       Options // Location defaults to Europe/Oslo
		want       []string
		truncated  bool
	}{
		// Single instances and the RFC 4791 §9.9 VEVENT rows.
		{
			name:  "DTEND",
			lines: vevent("DTSTART;TZID=Europe/Oslo:20260105T100000", "DTEND;TZID=Europe/Oslo:20260105T110000"),
			start: "2026-01-05T00:00:00+01:00", end: "2026-01-06T00:00:00+01:00",
			want: []string{"2026-01-05T10:00:00+01:00/2026-01-05T11:00:00+01:00"},
		},
		{
			name:  "DTEND: range ending at DTSTART does not overlap",
			lines: vevent("DTSTART;TZID=Europe/Oslo:20260105T100000", "DTEND;TZID=Europe/Oslo:20260105T110000"),
			start: "2026-01-05T00:00:00+01:00", end: "2026-01-05T10:00:00+01:00",
		},
		{
			name:  "DTEND: range starting at DTEND does not overlap",
			lines: vevent("DTSTART;TZID=Europe/Oslo:20260105T100000", "DTEND;TZID=Europe/Oslo:20260105T110000"),
			start: "2026-01-05T11:00:00+01:00", end: "2026-01-05T12:00:00+01:00",
		},
		{
			name:  "DTSTART only: End equals Start, matched when start <= DTSTART",
			lines: vevent("DTSTART:20260105T090000Z"),
			start: "2026-01-05T09:00:00Z", end: "2026-01-05T09:00:01Z",
			want: []string{"2026-01-05T09:00:00Z/2026-01-05T09:00:00Z"},
		},
		{
			name:  "DTSTART only: not matched when end == DTSTART",
			lines: vevent("DTSTART:20260105T090000Z"),
			start: "2026-01-05T08:00:00Z", end: "2026-01-05T09:00:00Z",
		},
		{
			name:  "DTSTART only: not matched when start > DTSTART",
			lines: vevent("DTSTART:20260105T090000Z"),
			start: "2026-01-05T09:00:01Z", end: "2026-01-05T10:00:00Z",
		},
		{
			name:  "DURATION zero reads as DTSTART only",
			lines: vevent("DTSTART:20260105T090000Z", "DURATION:PT0S"),
			start: "2026-01-05T09:00:00Z", end: "2026-01-05T09:00:01Z",
			want: []string{"2026-01-05T09:00:00Z/2026-01-05T09:00:00Z"},
		},
		{
			name:  "open start, open end",
			lines: vevent("DTSTART:20260105T090000Z", "DTEND:20260105T100000Z"),
			want:  []string{"2026-01-05T09:00:00Z/2026-01-05T10:00:00Z"},
		},

		// All-day events: calendar days in Options.Location, DTEND exclusive.
		{
			name:  "all-day across spring forward lasts 23 hours",
			lines: vevent("DTSTART;VALUE=DATE:20260329"),
			start: "2026-03-01T00:00:00+01:00", end: "2026-04-01T00:00:00+02:00",
			want: []string{"2026-03-29T00:00:00+01:00/2026-03-30T00:00:00+02:00"},
		},
		{
			name:  "all-day DURATION:P1D across fall back lasts 25 hours",
			lines: vevent("DTSTART;VALUE=DATE:20261025", "DURATION:P1D"),
			want:  []string{"2026-10-25T00:00:00+02:00/2026-10-26T00:00:00+01:00"},
		},
		{
			name:  "all-day DTEND is exclusive",
			lines: vevent("DTSTART;VALUE=DATE:20260105", "DTEND;VALUE=DATE:20260107"),
			start: "2026-01-07T00:00:00+01:00", end: "2026-01-08T00:00:00+01:00",
		},
		{
			name:  "all-day two days",
			lines: vevent("DTSTART;VALUE=DATE:20260105", "DTEND;VALUE=DATE:20260107"),
			start: "2026-01-06T23:59:00+01:00", end: "2026-01-08T00:00:00+01:00",
			want: []string{"2026-01-05T00:00:00+01:00/2026-01-07T00:00:00+01:00"},
		},
		{
			name:  "all-day starts at local midnight, not UTC midnight",
			lines: vevent("DTSTART;VALUE=DATE:20260105"),
			start: "2026-01-04T23:00:00Z", end: "2026-01-04T23:30:00Z",
			want: []string{"2026-01-05T00:00:00+01:00/2026-01-06T00:00:00+01:00"},
		},
		{
			name:  "all-day ends at local midnight",
			lines: vevent("DTSTART;VALUE=DATE:20260105"),
			start: "2026-01-05T23:00:00Z", end: "2026-01-06T00:00:00Z",
		},
		{
			name:  "all-day evaluated in UTC when asked",
			lines: vevent("DTSTART;VALUE=DATE:20260329"),
			opts:  Options{Location: time.UTC},
			want:  []string{"2026-03-29T00:00:00Z/2026-03-30T00:00:00Z"},
		},
		{
			name:  "all-day weekly keeps midnight across DST",
			lines: vevent("DTSTART;VALUE=DATE:20260327", "DTEND;VALUE=DATE:20260329", "RRULE:FREQ=WEEKLY;COUNT=2"),
			want: []string{
				"2026-03-27T00:00:00+01:00/2026-03-29T00:00:00+01:00",
				"2026-04-03T00:00:00+02:00/2026-04-05T00:00:00+02:00",
			},
		},
		{
			name:  "all-day with DTEND equal to DTSTART lasts one day",
			lines: vevent("DTSTART;VALUE=DATE:20260105", "DTEND;VALUE=DATE:20260105"),
			want:  []string{"2026-01-05T00:00:00+01:00/2026-01-06T00:00:00+01:00"},
		},

		// Durations: days nominal, hours exact (RFC 5545 §3.3.6).
		{
			name:  "DURATION:P1D is a calendar day across spring forward",
			lines: vevent("DTSTART;TZID=Europe/Oslo:20260328T100000", "DURATION:P1D"),
			want:  []string{"2026-03-28T10:00:00+01:00/2026-03-29T10:00:00+02:00"},
		},
		{
			name:  "DURATION:PT24H is 24 hours",
			lines: vevent("DTSTART;TZID=Europe/Oslo:20260328T100000", "DURATION:PT24H"),
			want:  []string{"2026-03-28T10:00:00+01:00/2026-03-29T11:00:00+02:00"},
		},
		{
			name:  "DTEND gives the same exact duration to every instance",
			lines: vevent("DTSTART;TZID=Europe/Oslo:20260328T100000", "DTEND;TZID=Europe/Oslo:20260329T100000", "RRULE:FREQ=DAILY;COUNT=2"),
			want: []string{
				"2026-03-28T10:00:00+01:00/2026-03-29T10:00:00+02:00",
				"2026-03-29T10:00:00+02:00/2026-03-30T09:00:00+02:00",
			},
		},

		// Time zones.
		{
			name:  "UTC",
			lines: vevent("DTSTART:20260601T090000Z", "DTEND:20260601T100000Z"),
			want:  []string{"2026-06-01T09:00:00Z/2026-06-01T10:00:00Z"},
		},
		{
			name:  "floating time is read in Options.Location",
			lines: vevent("DTSTART:20260601T090000", "DTEND:20260601T100000"),
			want:  []string{"2026-06-01T09:00:00+02:00/2026-06-01T10:00:00+02:00"},
		},
		{
			name:  "floating time in another Location",
			lines: vevent("DTSTART:20260601T090000", "DTEND:20260601T100000"),
			opts:  Options{Location: mustLoad("America/New_York")},
			want:  []string{"2026-06-01T09:00:00-04:00/2026-06-01T10:00:00-04:00"},
		},
		{
			name:  "TZID with Mozilla prefix",
			lines: vevent("DTSTART;TZID=/mozilla.org/20050126_1/America/New_York:20260601T100000"),
			opts:  Options{Location: time.UTC},
			want:  []string{"2026-06-01T10:00:00-04:00/2026-06-01T10:00:00-04:00"},
		},
		{
			name:  "TZID as Windows name",
			lines: vevent("DTSTART;TZID=Eastern Standard Time:20260601T100000"),
			want:  []string{"2026-06-01T10:00:00-04:00/2026-06-01T10:00:00-04:00"},
		},
		{
			name:  "TZID as quoted Windows name",
			lines: vevent(`DTSTART;TZID="W. Europe Standard Time":20260105T100000`),
			opts:  Options{Location: time.UTC},
			want:  []string{"2026-01-05T10:00:00+01:00/2026-01-05T10:00:00+01:00"},
		},
		{
			name:  "unknown TZID falls back to Options.Location",
			lines: vevent("DTSTART;TZID=Mars/Olympus_Mons:20260601T100000"),
			want:  []string{"2026-06-01T10:00:00+02:00/2026-06-01T10:00:00+02:00"},
		},
		{
			name: "TZID via X-LIC-LOCATION",
			lines: join([]string{
				"BEGIN:VTIMEZONE", "TZID:Chicago time", "X-LIC-LOCATION:America/Chicago",
				"BEGIN:STANDARD", "DTSTART:19701101T020000", "TZOFFSETFROM:-0500", "TZOFFSETTO:-0600", "END:STANDARD",
				"END:VTIMEZONE",
			}, vevent("DTSTART;TZID=Chicago time:20260601T100000")),
			want: []string{"2026-06-01T10:00:00-05:00/2026-06-01T10:00:00-05:00"},
		},
		{
			name: "Outlook custom VTIMEZONE is matched to a zone with its DST rules",
			lines: join([]string{
				"BEGIN:VTIMEZONE", "TZID:Customized Time Zone",
				"BEGIN:STANDARD", "DTSTART:16010101T030000", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100",
				"RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10", "END:STANDARD",
				"BEGIN:DAYLIGHT", "DTSTART:16010101T020000", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200",
				"RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3", "END:DAYLIGHT",
				"END:VTIMEZONE",
			}, vevent("DTSTART;TZID=Customized Time Zone:20260105T100000", "RDATE;TZID=Customized Time Zone:20260601T100000")),
			opts: Options{Location: time.UTC},
			want: []string{
				"2026-01-05T10:00:00+01:00/2026-01-05T10:00:00+01:00",
				"2026-06-01T10:00:00+02:00/2026-06-01T10:00:00+02:00",
			},
		},
		{
			name: "VTIMEZONE matching no zone gives its fixed STANDARD offset",
			lines: join([]string{
				"BEGIN:VTIMEZONE", "TZID:Odd",
				"BEGIN:STANDARD", "DTSTART:19700101T000000", "TZOFFSETFROM:+0117", "TZOFFSETTO:+0117", "END:STANDARD",
				"END:VTIMEZONE",
			}, vevent("DTSTART;TZID=Odd:20260601T100000")),
			want: []string{"2026-06-01T10:00:00+01:17/2026-06-01T10:00:00+01:17"},
		},

		// Europe/Oslo DST, 2026.
		{
			name:  "02:30 on 29 March does not exist: 03:30 CEST",
			lines: vevent("DTSTART;TZID=Europe/Oslo:20260329T023000"),
			want:  []string{"2026-03-29T03:30:00+02:00/2026-03-29T03:30:00+02:00"},
		},
		{
			name:  "02:30 on 25 October happens twice: the first, +02:00",
			lines: vevent("DTSTART;TZID=Europe/Oslo:20261025T023000"),
			want:  []string{"2026-10-25T02:30:00+02:00/2026-10-25T02:30:00+02:00"},
		},
		{
			name:  "weekly 10:00 keeps 10:00 across spring forward",
			lines: vevent("DTSTART;TZID=Europe/Oslo:20260316T100000", "DTEND;TZID=Europe/Oslo:20260316T110000", "RRULE:FREQ=WEEKLY"),
			start: "2026-03-16T00:00:00+01:00", end: "2026-04-07T00:00:00+02:00",
			want: []string{
				"2026-03-16T10:00:00+01:00/2026-03-16T11:00:00+01:00",
				"2026-03-23T10:00:00+01:00/2026-03-23T11:00:00+01:00",
				"2026-03-30T10:00:00+02:00/2026-03-30T11:00:00+02:00",
				"2026-04-06T10:00:00+02:00/2026-04-06T11:00:00+02:00",
			},
		},
		{
			name:  "weekly 10:00 keeps 10:00 across fall back, iterated from the range",
			lines: vevent("DTSTART;TZID=Europe/Oslo:20260316T100000", "DTEND;TZID=Europe/Oslo:20260316T110000", "RRULE:FREQ=WEEKLY"),
			start: "2026-10-12T00:00:00+02:00", end: "2026-11-03T00:00:00+01:00",
			want: []string{
				"2026-10-12T10:00:00+02:00/2026-10-12T11:00:00+02:00",
				"2026-10-19T10:00:00+02:00/2026-10-19T11:00:00+02:00",
				"2026-10-26T10:00:00+01:00/2026-10-26T11:00:00+01:00",
				"2026-11-02T10:00:00+01:00/2026-11-02T11:00:00+01:00",
			},
		},
		{
			name:  "daily 02:30 through the spring gap",
			lines: vevent("DTSTART;TZID=Europe/Oslo:20260327T023000", "RRULE:FREQ=DAILY;COUNT=4"),
			want: []string{
				"2026-03-27T02:30:00+01:00/2026-03-27T02:30:00+01:00",
				"2026-03-28T02:30:00+01:00/2026-03-28T02:30:00+01:00",
				"2026-03-29T03:30:00+02:00/2026-03-29T03:30:00+02:00",
				"2026-03-30T02:30:00+02:00/2026-03-30T02:30:00+02:00",
			},
		},
		{
			name:  "daily 02:30 through the autumn fold takes the first",
			lines: vevent("DTSTART;TZID=Europe/Oslo:20261024T023000", "RRULE:FREQ=DAILY;COUNT=3"),
			want: []string{
				"2026-10-24T02:30:00+02:00/2026-10-24T02:30:00+02:00",
				"2026-10-25T02:30:00+02:00/2026-10-25T02:30:00+02:00",
				"2026-10-26T02:30:00+01:00/2026-10-26T02:30:00+01:00",
			},
		},
		{
			name:  "hourly at spring forward: the missing hour is not duplicated",
			lines: vevent("DTSTART;TZID=Europe/Oslo:20260329T000000", "RRULE:FREQ=HOURLY;COUNT=5"),
			want: []string{
				"2026-03-29T00:00:00+01:00/2026-03-29T00:00:00+01:00",
				"2026-03-29T01:00:00+01:00/2026-03-29T01:00:00+01:00",
				"2026-03-29T03:00:00+02:00/2026-03-29T03:00:00+02:00",
				"2026-03-29T04:00:00+02:00/2026-03-29T04:00:00+02:00",
			},
		},
		{
			name:  "hourly at fall back follows the wall clock",
			lines: vevent("DTSTART;TZID=Europe/Oslo:20261025T000000", "RRULE:FREQ=HOURLY;COUNT=5"),
			want: []string{
				"2026-10-25T00:00:00+02:00/2026-10-25T00:00:00+02:00",
				"2026-10-25T01:00:00+02:00/2026-10-25T01:00:00+02:00",
				"2026-10-25T02:00:00+02:00/2026-10-25T02:00:00+02:00",
				"2026-10-25T03:00:00+01:00/2026-10-25T03:00:00+01:00",
				"2026-10-25T04:00:00+01:00/2026-10-25T04:00:00+01:00",
			},
		},
		{
			name:  "New York gap: 02:30 EST is read as 03:30 EDT",
			lines: vevent("DTSTART;TZID=America/New_York:20260308T023000"),
			want:  []string{"2026-03-08T03:30:00-04:00/2026-03-08T03:30:00-04:00"},
		},

		// RRULE.
		{
			name:  "DAILY COUNT",
			lines: vevent("DTSTART:20260105T090000Z", "RRULE:FREQ=DAILY;COUNT=3"),
			want: []string{
				"2026-01-05T09:00:00Z/2026-01-05T09:00:00Z",
				"2026-01-06T09:00:00Z/2026-01-06T09:00:00Z",
				"2026-01-07T09:00:00Z/2026-01-07T09:00:00Z",
			},
		},
		{
			name:  "WEEKLY BYDAY UNTIL inclusive",
			lines: vevent("DTSTART;TZID=Europe/Oslo:20260105T100000", "RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL=20260116T090000Z"),
			want: []string{
				"2026-01-05T10:00:00+01:00/2026-01-05T10:00:00+01:00",
				"2026-01-07T10:00:00+01:00/2026-01-07T10:00:00+01:00",
				"2026-01-09T10:00:00+01:00/2026-01-09T10:00:00+01:00",
				"2026-01-12T10:00:00+01:00/2026-01-12T10:00:00+01:00",
				"2026-01-14T10:00:00+01:00/2026-01-14T10:00:00+01:00",
				"2026-01-16T10:00:00+01:00/2026-01-16T10:00:00+01:00",
			},
		},
		{
			name:  "UNTIL as a DATE on a timed series includes that day",
			lines: vevent("DTSTART;TZID=Europe/Oslo:20260105T100000", "RRULE:FREQ=DAILY;UNTIL=20260106"),
			want: []string{
				"2026-01-05T10:00:00+01:00/2026-01-05T10:00:00+01:00",
				"2026-01-06T10:00:00+01:00/2026-01-06T10:00:00+01:00",
			},
		},
		{
			name:  "WEEKLY INTERVAL=2 iterated from the range keeps its weeks",
			lines: vevent("DTSTART;TZID=Europe/Oslo:20260105T100000", "RRULE:FREQ=WEEKLY;INTERVAL=2"),
			start: "2026-03-01T00:00:00+01:00", end: "2026-04-01T00:00:00+02:00",
			want: []string{
				"2026-03-02T10:00:00+01:00/2026-03-02T10:00:00+01:00",
				"2026-03-16T10:00:00+01:00/2026-03-16T10:00:00+01:00",
				"2026-03-30T10:00:00+02:00/2026-03-30T10:00:00+02:00",
			},
		},
		{
			name:  "MONTHLY on the 31st skips short months",
			lines: vevent("DTSTART:20260131T120000Z", "RRULE:FREQ=MONTHLY;COUNT=4"),
			want: []string{
				"2026-01-31T12:00:00Z/2026-01-31T12:00:00Z",
				"2026-03-31T12:00:00Z/2026-03-31T12:00:00Z",
				"2026-05-31T12:00:00Z/2026-05-31T12:00:00Z",
				"2026-07-31T12:00:00Z/2026-07-31T12:00:00Z",
			},
		},
		{
			name:  "MONTHLY last Friday",
			lines: vevent("DTSTART:20260130T120000Z", "RRULE:FREQ=MONTHLY;BYDAY=-1FR;COUNT=3"),
			want: []string{
				"2026-01-30T12:00:00Z/2026-01-30T12:00:00Z",
				"2026-02-27T12:00:00Z/2026-02-27T12:00:00Z",
				"2026-03-27T12:00:00Z/2026-03-27T12:00:00Z",
			},
		},
		{
			name:  "YEARLY second Sunday of May",
			lines: vevent("DTSTART:20260510T120000Z", "RRULE:FREQ=YEARLY;BYMONTH=5;BYDAY=2SU;COUNT=2"),
			want: []string{
				"2026-05-10T12:00:00Z/2026-05-10T12:00:00Z",
				"2027-05-09T12:00:00Z/2027-05-09T12:00:00Z",
			},
		},
		{
			name:  "MONTHLY BYSETPOS last weekday",
			lines: vevent("DTSTART:20260130T120000Z", "RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=3"),
			want: []string{
				"2026-01-30T12:00:00Z/2026-01-30T12:00:00Z",
				"2026-02-27T12:00:00Z/2026-02-27T12:00:00Z",
				"2026-03-31T12:00:00Z/2026-03-31T12:00:00Z",
			},
		},
		{
			name:  "DTSTART not matching the rule is still the first instance and counts",
			lines: vevent("DTSTART:20260106T120000Z", "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=2"),
			want: []string{
				"2026-01-06T12:00:00Z/2026-01-06T12:00:00Z",
				"2026-01-12T12:00:00Z/2026-01-12T12:00:00Z",
			},
		},
		{
			name:  "lower-case rule and trailing semicolon",
			lines: vevent("DTSTART:20260105T090000Z", "RRULE:freq=daily;count=2;"),
			want: []string{
				"2026-01-05T09:00:00Z/2026-01-05T09:00:00Z",
				"2026-01-06T09:00:00Z/2026-01-06T09:00:00Z",
			},
		},
		{
			name:  "MINUTELY from 2020 queried for an hour in 2026",
			lines: vevent("DTSTART:20200101T000700Z", "RRULE:FREQ=MINUTELY;INTERVAL=15"),
			start: "2026-03-02T00:00:00Z", end: "2026-03-02T01:00:00Z",
			want: []string{
				"2026-03-02T00:07:00Z/2026-03-02T00:07:00Z",
				"2026-03-02T00:22:00Z/2026-03-02T00:22:00Z",
				"2026-03-02T00:37:00Z/2026-03-02T00:37:00Z",
				"2026-03-02T00:52:00Z/2026-03-02T00:52:00Z",
			},
		},
		{
			name:  "HOURLY with BYHOUR that the interval never reaches is empty, not a hang",
			lines: vevent("DTSTART:20260105T000000Z", "RRULE:FREQ=HOURLY;INTERVAL=2;BYHOUR=1"),
			want:  []string{"2026-01-05T00:00:00Z/2026-01-05T00:00:00Z"},
		},
		{
			name:  "rule matching no day is empty",
			lines: vevent("DTSTART:20260105T000000Z", "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"),
			want:  []string{"2026-01-05T00:00:00Z/2026-01-05T00:00:00Z"},
		},

		// RDATE.
		{
			name:  "RDATE without RRULE, as a value list",
			lines: vevent("DTSTART;TZID=Europe/Oslo:20260105T100000", "DTEND;TZID=Europe/Oslo:20260105T110000", "RDATE;TZID=Europe/Oslo:20260109T100000,20260107T100000"),
			want: []string{
				"2026-01-05T10:00:00+01:00/2026-01-05T11:00:00+01:00",
				"2026-01-07T10:00:00+01:00/2026-01-07T11:00:00+01:00",
				"2026-01-09T10:00:00+01:00/2026-01-09T11:00:00+01:00",
			},
		},
		{
			name:  "RDATE PERIOD values give their own ends",
			lines: vevent("DTSTART:20260105T090000Z", "DTEND:20260105T100000Z", "RDATE;VALUE=PERIOD:20260110T090000Z/20260110T120000Z,20260111T090000Z/PT30M"),
			want: []string{
				"2026-01-05T09:00:00Z/2026-01-05T10:00:00Z",
				"2026-01-10T09:00:00Z/2026-01-10T12:00:00Z",
				"2026-01-11T09:00:00Z/2026-01-11T09:30:00Z",
			},
		},
		{
			name:  "RDATE equal to a rule instance counts once",
			lines: vevent("DTSTART:20260105T090000Z", "RRULE:FREQ=DAILY;COUNT=2", "RDATE:20260106T090000Z"),
			want: []string{
				"2026-01-05T09:00:00Z/2026-01-05T09:00:00Z",
				"2026-01-06T09:00:00Z/2026-01-06T09:00:00Z",
			},
		},
		{
			name:  "all-day RDATE",
			lines: vevent("DTSTART;VALUE=DATE:20260105", "RDATE;VALUE=DATE:20260108"),
			want: []string{
				"2026-01-05T00:00:00+01:00/2026-01-06T00:00:00+01:00",
				"2026-01-08T00:00:00+01:00/2026-01-09T00:00:00+01:00",
			},
		},

		// EXDATE.
		{
			name: "EXDATE as comma list and several properties, in any zone",
			lines: vevent("DTSTART;TZID=Europe/Oslo:20260105T100000", "RRULE:FREQ=DAILY;COUNT=6",
				"EXDATE;TZID=Europe/Oslo:20260106T100000,20260108T100000", "EXDATE:20260109T090000Z"),
			want: []string{
				"2026-01-05T10:00:00+01:00/2026-01-05T10:00:00+01:00",
				"2026-01-07T10:00:00+01:00/2026-01-07T10:00:00+01:00",
				"2026-01-10T10:00:00+01:00/2026-01-10T10:00:00+01:00",
			},
		},
		{
			name:  "EXDATE on DTSTART",
			lines: vevent("DTSTART:20260105T090000Z", "RRULE:FREQ=DAILY;COUNT=2", "EXDATE:20260105T090000Z"),
			want:  []string{"2026-01-06T09:00:00Z/2026-01-06T09:00:00Z"},
		},
		{
			name:  "EXDATE excludes an RDATE",
			lines: vevent("DTSTART:20260105T090000Z", "RDATE:20260106T090000Z", "EXDATE:20260106T090000Z"),
			want:  []string{"2026-01-05T09:00:00Z/2026-01-05T09:00:00Z"},
		},
		{
			name:  "all-day EXDATE",
			lines: vevent("DTSTART;VALUE=DATE:20260105", "RRULE:FREQ=DAILY;COUNT=3", "EXDATE;VALUE=DATE:20260106"),
			want: []string{
				"2026-01-05T00:00:00+01:00/2026-01-06T00:00:00+01:00",
				"2026-01-07T00:00:00+01:00/2026-01-08T00:00:00+01:00",
			},
		},

		// RECURRENCE-ID overrides.
		{
			name: "override moves one instance",
			lines: join(
				vevent("DTSTART;TZID=Europe/Oslo:20260105T100000", "DTEND;TZID=Europe/Oslo:20260105T110000", "RRULE:FREQ=DAILY;COUNT=3"),
				vevent("RECURRENCE-ID;TZID=Europe/Oslo:20260106T100000", "DTSTART;TZID=Europe/Oslo:20260106T140000", "DTEND;TZID=Europe/Oslo:20260106T150000"),
			),
			want: []string{
				"2026-01-05T10:00:00+01:00/2026-01-05T11:00:00+01:00",
				"2026-01-06T14:00:00+01:00/2026-01-06T15:00:00+01:00*",
				"2026-01-07T10:00:00+01:00/2026-01-07T11:00:00+01:00",
			},
		},
		{
			name: "override RECURRENCE-ID in UTC matches a zoned series",
			lines: join(
				vevent("DTSTART;TZID=Europe/Oslo:20260105T100000", "RRULE:FREQ=DAILY;COUNT=2"),
				vevent("RECURRENCE-ID:20260106T090000Z", "DTSTART:20260106T130000Z"),
			),
			want: []string{
				"2026-01-05T10:00:00+01:00/2026-01-05T10:00:00+01:00",
				"2026-01-06T13:00:00Z/2026-01-06T13:00:00Z*",
			},
		},
		{
			name: "override moved into the range from outside it",
			lines: join(
				vevent("DTSTART;TZID=Europe/Oslo:20260105T100000", "RRULE:FREQ=DAILY;COUNT=3"),
				vevent("RECURRENCE-ID;TZID=Europe/Oslo:20260106T100000", "DTSTART;TZID=Europe/Oslo:20260120T120000"),
			),
			start: "2026-01-20T00:00:00+01:00", end: "2026-01-21T00:00:00+01:00",
			want: []string{"2026-01-20T12:00:00+01:00/2026-01-20T12:00:00+01:00*"},
		},
		{
			name: "override moved out of the range leaves nothing behind",
			lines: join(
				vevent("DTSTART;TZID=Europe/Oslo:20260105T100000", "RRULE:FREQ=DAILY;COUNT=3"),
				vevent("RECURRENCE-ID;TZID=Europe/Oslo:20260106T100000", "DTSTART;TZID=Europe/Oslo:20260120T120000"),
			),
			start: "2026-01-06T00:00:00+01:00", end: "2026-01-07T00:00:00+01:00",
		},
		{
			name: "cancelled override is returned; the caller reads STATUS",
			lines: join(
				vevent("DTSTART:20260105T090000Z", "RRULE:FREQ=DAILY;COUNT=2"),
				vevent("RECURRENCE-ID:20260106T090000Z", "DTSTART:20260106T090000Z", "STATUS:CANCELLED"),
			),
			want: []string{
				"2026-01-05T09:00:00Z/2026-01-05T09:00:00Z",
				"2026-01-06T09:00:00Z/2026-01-06T09:00:00Z*",
			},
		},
		{
			name: "THISANDFUTURE is read as a plain override",
			lines: join(
				vevent("DTSTART:20260105T090000Z", "RRULE:FREQ=DAILY;COUNT=3"),
				vevent("RECURRENCE-ID;RANGE=THISANDFUTURE:20260106T090000Z", "DTSTART:20260106T100000Z"),
			),
			want: []string{
				"2026-01-05T09:00:00Z/2026-01-05T09:00:00Z",
				"2026-01-06T10:00:00Z/2026-01-06T10:00:00Z*",
				"2026-01-07T09:00:00Z/2026-01-07T09:00:00Z",
			},
		},
		{
			name:  "override without its master",
			lines: vevent("RECURRENCE-ID:20260106T090000Z", "DTSTART:20260106T100000Z", "DTEND:20260106T110000Z"),
			want:  []string{"2026-01-06T10:00:00Z/2026-01-06T11:00:00Z*"},
		},
		{
			name: "all-day override by DATE",
			lines: join(
				vevent("DTSTART;VALUE=DATE:20260105", "RRULE:FREQ=DAILY;COUNT=2"),
				vevent("RECURRENCE-ID;VALUE=DATE:20260106", "DTSTART;VALUE=DATE:20260110"),
			),
			want: []string{
				"2026-01-05T00:00:00+01:00/2026-01-06T00:00:00+01:00",
				"2026-01-10T00:00:00+01:00/2026-01-11T00:00:00+01:00*",
			},
		},

		// Ranges and caps.
		{
			name:  "start-only range, as DAVx5 sends, includes the instance under way",
			lines: vevent("DTSTART;TZID=Europe/Oslo:20260101T100000", "DTEND;TZID=Europe/Oslo:20260101T110000", "RRULE:FREQ=DAILY"),
			start: "2026-06-01T10:30:00+02:00",
			opts:  Options{Location: oslo, MaxInstances: 3},
			want: []string{
				"2026-06-01T10:00:00+02:00/2026-06-01T11:00:00+02:00",
				"2026-06-02T10:00:00+02:00/2026-06-02T11:00:00+02:00",
				"2026-06-03T10:00:00+02:00/2026-06-03T11:00:00+02:00",
			},
			truncated: true,
		},
		{
			name:  "end-only range",
			lines: vevent("DTSTART:20260105T090000Z", "RRULE:FREQ=DAILY"),
			end:   "2026-01-07T00:00:00Z",
			want: []string{
				"2026-01-05T09:00:00Z/2026-01-05T09:00:00Z",
				"2026-01-06T09:00:00Z/2026-01-06T09:00:00Z",
			},
		},
		{
			name:  "long instances that began before the range",
			lines: vevent("DTSTART:20260101T000000Z", "DURATION:P10D", "RRULE:FREQ=WEEKLY"),
			start: "2026-03-01T00:00:00Z", end: "2026-03-02T00:00:00Z",
			opts: Options{Location: time.UTC},
			// 19 February + 10 days ends exactly at the range start: no overlap.
			want: []string{"2026-02-26T00:00:00Z/2026-03-08T00:00:00Z"},
		},
		{
			name:  "MaxInstances truncates and keeps the earliest",
			lines: vevent("DTSTART:20260105T090000Z", "RRULE:FREQ=DAILY;COUNT=10"),
			opts:  Options{MaxInstances: 2},
			want: []string{
				"2026-01-05T09:00:00Z/2026-01-05T09:00:00Z",
				"2026-01-06T09:00:00Z/2026-01-06T09:00:00Z",
			},
			truncated: true,
		},
		{
			name: "MaxInstances counts overrides in order",
			lines: join(
				vevent("DTSTART:20260105T090000Z", "RRULE:FREQ=DAILY"),
				vevent("RECURRENCE-ID:20260110T090000Z", "DTSTART:20260104T090000Z"),
			),
			opts: Options{MaxInstances: 2},
			want: []string{
				"2026-01-04T09:00:00Z/2026-01-04T09:00:00Z*",
				"2026-01-05T09:00:00Z/2026-01-05T09:00:00Z",
			},
			truncated: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			if opts.Location == nil {
				opts.Location = oslo
			}
			got, truncated, err := Expand(ics(t, tt.lines...), ts(t, tt.start), ts(t, tt.end), opts)
			if err != nil {
				t.Fatalf("Expand: %v", err)
			}
			if g := render(got); !equalStrings(g, tt.want) {
				t.Errorf("Expand instances:\n got %q\nwant %q", g, tt.want)
			}
			if truncated != tt.truncated {
				t.Errorf("Expand truncated = %v, want %v", truncated, tt.truncated)
			}
		})
	}
}

func TestExpandRecurrenceID(t *testing.T) {
	cal := ics(t, join(
		vevent("DTSTART;TZID=Europe/Oslo:20260105T100000", "RRULE:FREQ=DAILY;COUNT=2", "SUMMARY:master"),
		vevent("RECURRENCE-ID;TZID=Europe/Oslo:20260106T100000", "DTSTART;TZID=Europe/Oslo:20260106T120000", "SUMMARY:moved"),
	)...)
	got, _, err := Expand(cal, time.Time{}, time.Time{}, Options{Location: oslo})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d instances, want 2", len(got))
	}
	want := []struct {
		rid     string
		summary string
		over    bool
	}{
		{"2026-01-05T10:00:00+01:00", "master", false},
		{"2026-01-06T10:00:00+01:00", "moved", true},
	}
	for i, w := range want {
		if !got[i].RecurrenceID.Equal(ts(t, w.rid)) {
			t.Errorf("instance %d RecurrenceID = %v, want %v", i, got[i].RecurrenceID, w.rid)
		}
		if s, _ := got[i].Component.Props.Text("SUMMARY"); s != w.summary {
			t.Errorf("instance %d component SUMMARY = %q, want %q", i, s, w.summary)
		}
		if got[i].Overridden != w.over {
			t.Errorf("instance %d Overridden = %v, want %v", i, got[i].Overridden, w.over)
		}
	}

	single, _, err := Expand(ics(t, vevent("DTSTART:20260105T090000Z")...), time.Time{}, time.Time{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(single) != 1 || !single[0].RecurrenceID.IsZero() || single[0].AllDay {
		t.Errorf("non-recurring instance = %+v, want one with zero RecurrenceID, not all-day", single)
	}
	allDay, _, err := Expand(ics(t, vevent("DTSTART;VALUE=DATE:20260105")...), time.Time{}, time.Time{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(allDay) != 1 || !allDay[0].AllDay {
		t.Errorf("all-day instance = %+v, want AllDay", allDay)
	}
}

// TestExpandWindowMatchesFullExpansion checks that iterating from near the
// range start (the anchor) gives what a walk from DTSTART gives.
func TestExpandWindowMatchesFullExpansion(t *testing.T) {
	rules := []string{
		"FREQ=DAILY;INTERVAL=3",
		"FREQ=DAILY;BYDAY=MO,FR;BYHOUR=8,17",
		"FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=SU",
		"FREQ=WEEKLY;INTERVAL=3",
		"FREQ=MONTHLY;INTERVAL=5;BYMONTHDAY=-1,15",
		"FREQ=MONTHLY;BYDAY=2WE,-1MO",
		"FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1,-1",
		"FREQ=YEARLY;INTERVAL=2;BYMONTH=2;BYMONTHDAY=29",
		"FREQ=YEARLY;BYWEEKNO=1,20;BYDAY=MO",
		"FREQ=YEARLY;BYYEARDAY=1,100,-1",
		"FREQ=HOURLY;INTERVAL=7;BYDAY=SA",
		"FREQ=HOURLY;INTERVAL=5;BYHOUR=1,2,3,4,5,6;BYMINUTE=10,50",
		"FREQ=MINUTELY;INTERVAL=97;BYHOUR=9,10",
		"FREQ=SECONDLY;INTERVAL=4099;BYMONTH=3,10",
		"FREQ=HOURLY;BYMINUTE=0,20,40;BYSETPOS=2,-1",
	}
	starts := []string{"20240229T023000", "20250330T020000"}
	windows := [][2]string{
		{"2026-03-28T00:00:00+01:00", "2026-04-02T00:00:00+02:00"},
		{"2026-10-24T12:00:00+02:00", "2026-10-26T12:00:00+01:00"},
		{"2028-02-27T00:00:00+01:00", "2028-03-02T00:00:00+01:00"},
		{"2027-01-01T00:00:00+01:00", "2027-01-12T00:00:00+01:00"},
		{"2027-05-10T00:00:00+02:00", "2027-05-24T00:00:00+02:00"},
	}
	for _, rule := range rules {
		compared := 0
		for _, dt := range starts {
			cal := ics(t, vevent("DTSTART;TZID=Europe/Oslo:"+dt, "DURATION:PT90M", "RRULE:"+rule+";UNTIL=20290101T000000Z")...)
			all, truncated, err := Expand(cal, time.Time{}, time.Time{}, Options{Location: oslo, MaxInstances: 1 << 20, MaxDuration: time.Minute})
			if err != nil {
				t.Fatalf("%s from %s: %v", rule, dt, err)
			}
			if truncated {
				t.Fatalf("%s from %s: full expansion truncated", rule, dt)
			}
			for _, w := range windows {
				ws, we := ts(t, w[0]), ts(t, w[1])
				var want []Instance
				for _, in := range all {
					if Overlaps(in, ws, we) {
						want = append(want, in)
					}
				}
				got, _, err := Expand(cal, ws, we, Options{Location: oslo, MaxDuration: time.Minute})
				if err != nil {
					t.Fatalf("%s from %s: %v", rule, dt, err)
				}
				if g, w := render(got), render(want); !equalStrings(g, w) {
					t.Errorf("%s from %s in [%v, %v):\n got %q\nwant %q", rule, dt, ws, we, g, w)
				}
				compared += len(want)
			}
		}
		if compared == 0 {
			t.Errorf("%s: no instance in any window; the test compares nothing", rule)
		}
	}
}

func TestExpandErrors(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		want  string
	}{
		{"bad RRULE", vevent("DTSTART:20260105T090000Z", "RRULE:FREQ=SOMETIMES"), "RRULE"},
		{"RRULE without FREQ", vevent("DTSTART:20260105T090000Z", "RRULE:COUNT=3"), "RRULE"},
		{"COUNT=0", vevent("DTSTART:20260105T090000Z", "RRULE:FREQ=DAILY;COUNT=0"), "COUNT"},
		{"BYMONTHDAY out of range", vevent("DTSTART:20260105T090000Z", "RRULE:FREQ=MONTHLY;BYMONTHDAY=32"), "bymonthday"},
		{"BYDAY ordinal beyond a month", vevent("DTSTART:20260105T090000Z", "RRULE:FREQ=MONTHLY;BYDAY=53MO"), "BYDAY"},
		{"BYEASTER", vevent("DTSTART:20260105T090000Z", "RRULE:FREQ=YEARLY;BYEASTER=400"), "BYEASTER"},
		{"too many times a day", vevent("DTSTART:20260105T090000Z", "RRULE:FREQ=DAILY;BYMINUTE=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59;BYSECOND=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29"), "times a day"},
		{"time of day on a DATE series", vevent("DTSTART;VALUE=DATE:20260105", "RRULE:FREQ=DAILY;BYHOUR=9"), "DATE"},
		{"VEVENT without DTSTART", vevent("SUMMARY:no start"), "DTSTART"},
		{"RDATE without DTSTART", []string{"BEGIN:VTODO", "UID:x", "RDATE:20260105T090000Z", "END:VTODO"}, "DTSTART"},
		{"bad DTSTART", vevent("DTSTART:2026-01-05"), "DTSTART"},
		{"impossible date", vevent("DTSTART;VALUE=DATE:20260230"), "DTSTART"},
		{"bad DURATION", vevent("DTSTART:20260105T090000Z", "DURATION:1H"), "DURATION"},
		{"bad EXDATE", vevent("DTSTART:20260105T090000Z", "RRULE:FREQ=DAILY", "EXDATE:yesterday"), "EXDATE"},
		{"bad RECURRENCE-ID", join(vevent("DTSTART:20260105T090000Z"), vevent("RECURRENCE-ID:x")), "RECURRENCE-ID"},
		{"too many RRULEs", vevent("DTSTART:20260105T090000Z", "RRULE:FREQ=DAILY", "RRULE:FREQ=DAILY", "RRULE:FREQ=DAILY",
			"RRULE:FREQ=DAILY", "RRULE:FREQ=DAILY", "RRULE:FREQ=DAILY", "RRULE:FREQ=DAILY", "RRULE:FREQ=DAILY", "RRULE:FREQ=DAILY"), "RRULE"},
		{"two masters", join(vevent("DTSTART:20260105T090000Z"), vevent("DTSTART:20260106T090000Z")), "more than one"},
		{"no component", []string{"BEGIN:VTIMEZONE", "TZID:x", "END:VTIMEZONE"}, "no VEVENT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cal := ics(t, tt.lines...)
			_, _, err := Expand(cal, time.Time{}, time.Time{}, Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Expand error = %v, want one mentioning %q", err, tt.want)
			}
			if _, _, err := Bounds(cal, Options{}); err == nil {
				t.Errorf("Bounds error = nil, want one")
			}
		})
	}
	if _, _, err := Expand(nil, time.Time{}, time.Time{}, Options{}); err == nil {
		t.Errorf("Expand(nil) error = nil, want one")
	}
}
