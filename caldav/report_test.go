package caldav_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// weekly is a 10:00 Oslo series on Thursdays across the October 2026 DST
// change, with an EXDATE list and a moved occurrence.
const weekly = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n" +
	"BEGIN:VTIMEZONE\r\nTZID:Europe/Oslo\r\nBEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n" +
	"BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n" +
	"BEGIN:VEVENT\r\nUID:weekly-1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;TZID=Europe/Oslo:20261008T100000\r\nDTEND;TZID=Europe/Oslo:20261008T110000\r\n" +
	"RRULE:FREQ=WEEKLY;COUNT=8\r\nEXDATE;TZID=Europe/Oslo:20261015T100000,20261105T100000\r\nSUMMARY:Guidance #zotero\r\nEND:VEVENT\r\n" +
	"BEGIN:VEVENT\r\nUID:weekly-1\r\nDTSTAMP:20260101T000000Z\r\nRECURRENCE-ID;TZID=Europe/Oslo:20261029T100000\r\nDTSTART;TZID=Europe/Oslo:20261030T140000\r\nDTEND;TZID=Europe/Oslo:20261030T150000\r\nSUMMARY:Guidance (moved)\r\nEND:VEVENT\r\n" +
	"END:VCALENDAR\r\n"

func queryBody(start, end, extra string) string {
	tr := `<C:time-range start="` + start + `"`
	if end != "" {
		tr += ` end="` + end + `"`
	}
	tr += `/>`
	return `<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/>` + extra + `</D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">` + tr + `</C:comp-filter></C:comp-filter></C:filter>
</C:calendar-query>`
}

func TestCalendarQuery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		srv := newServer(t, s)
		cal := "/dav/calendars/alice/personal/"
		put := func(name, body string) {
			t.Helper()
			srv.expect(srv.do("alice", "PUT", cal+name, body, "Content-Type", icalType), http.StatusCreated, "put "+name)
		}
		put("weekly.ics", weekly)
		put("dst-day.ics", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:dst-day\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20261025\r\nDTEND;VALUE=DATE:20261026\r\nSUMMARY:All day\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
		put("floating.ics", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:floating\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260329T023000\r\nDTEND:20260329T040000\r\nSUMMARY:Floating in the spring gap\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
		put("outlook.ics", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:outlook\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;TZID=W. Europe Standard Time:20261201T090000\r\nDTEND;TZID=W. Europe Standard Time:20261201T100000\r\nSUMMARY:From Outlook\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
		put("long-ago.ics", event("long-ago", "Long ago", "20200101T090000Z", "20200101T100000Z"))

		tests := []struct {
			name, start, end string
			want, unwanted   []string
		}{
			// 29 Oct 10:00 is moved to 30 Oct 14:00 Oslo (13:00Z after the change).
			{"week with the moved occurrence", "20261026T000000Z", "20261102T000000Z", []string{"weekly.ics"}, []string{"long-ago.ics", "outlook.ics"}},
			{"week of an EXDATE only", "20261014T000000Z", "20261016T000000Z", nil, []string{"weekly.ics"}},
			{"the original time of the moved occurrence", "20261029T080000Z", "20261029T110000Z", nil, []string{"weekly.ics"}},
			{"after the DST change, 10:00 Oslo is 09:00Z", "20261112T085900Z", "20261112T090100Z", []string{"weekly.ics"}, nil},
			{"after the DST change, 08:00Z is 09:00 Oslo", "20261112T075900Z", "20261112T080100Z", nil, []string{"weekly.ics"}},
			{"before it, 10:00 Oslo is 08:00Z", "20261008T080000Z", "20261008T080100Z", []string{"weekly.ics"}, nil},
			{"all-day on the 25-hour day, its last hour", "20261025T225900Z", "20261025T230000Z", []string{"dst-day.ics"}, nil},
			{"all-day ends at local midnight", "20261025T230000Z", "20261026T000000Z", nil, []string{"dst-day.ics"}},
			{"floating time in the spring gap is 03:30 Oslo", "20260329T013000Z", "20260329T014500Z", []string{"floating.ics"}, nil},
			{"Windows zone name", "20261201T080000Z", "20261201T083000Z", []string{"outlook.ics"}, nil},
			{"start-only range as DAVx5 sends", "20261120T000000Z", "", []string{"weekly.ics", "outlook.ics"}, []string{"long-ago.ics", "dst-day.ics"}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r := srv.do("alice", "REPORT", cal, queryBody(tc.start, tc.end, ""), "Depth", "1")
				srv.expect(r, http.StatusMultiStatus, tc.name)
				for _, w := range tc.want {
					contains(t, r.body, cal+w, tc.name)
				}
				for _, u := range tc.unwanted {
					lacks(t, r.body, cal+u, tc.name)
				}
			})
		}

		// expand returns one VEVENT per instance in UTC with RECURRENCE-ID.
		r := srv.do("alice", "REPORT", cal, queryBody("20261019T000000Z", "20261102T000000Z",
			`<C:calendar-data><C:expand start="20261019T000000Z" end="20261102T000000Z"/></C:calendar-data>`), "Depth", "1")
		srv.expect(r, http.StatusMultiStatus, "expand")
		for _, want := range []string{"DTSTART:20261022T080000Z", "DTSTART:20261030T130000Z", "RECURRENCE-ID:20261029T090000Z"} {
			contains(t, r.body, want, "expand")
		}
		lacks(t, r.body, "RRULE", "expand")

		// calendar-multiget, with one href that does not exist.
		mg := `<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/><C:calendar-data/></D:prop>` +
			`<D:href>` + cal + `weekly.ics</D:href><D:href>` + cal + `missing.ics</D:href></C:calendar-multiget>`
		r = srv.do("alice", "REPORT", cal, mg, "Depth", "1")
		srv.expect(r, http.StatusMultiStatus, "multiget")
		contains(t, r.body, "UID:weekly-1", "multiget")
		contains(t, r.body, "<D:href>"+cal+"missing.ics</D:href><D:status>HTTP/1.1 404 Not Found</D:status>", "multiget")

		// free-busy-query over the moved week.
		fb := `<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav"><C:time-range start="20261026T000000Z" end="20261102T000000Z"/></C:free-busy-query>`
		r = srv.do("alice", "REPORT", cal, fb, "Depth", "1")
		srv.expect(r, http.StatusOK, "free-busy")
		contains(t, r.body, "BEGIN:VFREEBUSY", "free-busy")
		contains(t, r.body, "20261030T130000Z/", "free-busy")

		// An unsupported collation is refused with its precondition.
		bad := strings.Replace(queryBody("20261026T000000Z", "20261102T000000Z", ""), `<C:time-range`,
			`<C:prop-filter name="SUMMARY"><C:text-match collation="i;nonsense">x</C:text-match></C:prop-filter><C:time-range`, 1)
		r = srv.do("alice", "REPORT", cal, bad, "Depth", "1")
		srv.expect(r, http.StatusForbidden, "bad collation")
		contains(t, r.body, "supported-collation", "bad collation")

		// text-match with negate-condition.
		neg := strings.Replace(queryBody("20200101T000000Z", "20270101T000000Z", ""), `<C:time-range`,
			`<C:prop-filter name="SUMMARY"><C:text-match negate-condition="yes">guidance</C:text-match></C:prop-filter><C:time-range`, 1)
		r = srv.do("alice", "REPORT", cal, neg, "Depth", "1")
		srv.expect(r, http.StatusMultiStatus, "negate")
		lacks(t, r.body, cal+"weekly.ics", "negate")
		contains(t, r.body, cal+"outlook.ics", "negate")
	})
}
