package caldav_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// TestRefusedCalendarData: iCalendar the RFCs say to refuse gets its
// status and precondition, and nothing is stored; what real clients send
// (Windows zones, X- properties) is still taken.
func TestRefusedCalendarData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		srv := newServer(t, s)
		cal := "/dav/calendars/alice/personal/"
		tests := []struct {
			name, contentType, body string
			status                  int
			precondition            string
		}{
			{"DTEND before DTSTART", icalType, event("o@test", "O", "20270104T100000Z", "20270104T090000Z"), 403, "valid-calendar-data"},
			{"unknown zone", icalType, strings.Replace(event("z@test", "Z", "20270104T090000Z", "20270104T100000Z"), "DTSTART:20270104T090000Z", "DTSTART;TZID=Atlantis/Capital:20270104T090000", 1), 403, "valid-calendar-data"},
			{"nested 40 deep", icalType, strings.Replace(event("n@test", "N", "20270104T090000Z", "20270104T100000Z"), "END:VEVENT", strings.Repeat("BEGIN:VALARM\r\n", 40)+strings.Repeat("END:VALARM\r\n", 40)+"END:VEVENT", 1), 403, "valid-calendar-data"},
			{"declared Latin-1", "text/calendar; charset=iso-8859-1", event("l@test", "L", "20270104T090000Z", "20270104T100000Z"), 415, "supported-calendar-data"},
			{"bytes not UTF-8", icalType, event("b@test", "M\xf8te", "20270104T090000Z", "20270104T100000Z"), 415, "supported-calendar-data"},
			{"Outlook's Windows zone", icalType, strings.NewReplacer("DTSTART:20270104T090000Z", "DTSTART;TZID=W. Europe Standard Time:20270104T090000",
				"DTEND:20270104T100000Z", "DTEND;TZID=W. Europe Standard Time:20270104T100000").Replace(event("w@test", "W", "20270104T090000Z", "20270104T100000Z", "X-MICROSOFT-CDO-BUSYSTATUS:BUSY")), 201, ""},
			{"US-ASCII", "text/calendar; charset=US-ASCII", event("a@test", "A", "20270104T090000Z", "20270104T100000Z", "X-APPLE-STRUCTURED-LOCATION;VALUE=URI:geo:59.9,10.7"), 201, ""},
		}
		for _, tc := range tests {
			name := strings.ReplaceAll(tc.name, " ", "-") + ".ics"
			r := srv.do("alice", "PUT", cal+name, tc.body, "Content-Type", tc.contentType)
			if r.status != tc.status {
				t.Errorf("%s: status %d, want %d; body %s", tc.name, r.status, tc.status, r.body)
				continue
			}
			if tc.precondition != "" {
				contains(t, r.body, "<C:"+tc.precondition+"/>", tc.name)
				if got := srv.do("alice", "GET", cal+name, ""); got.status != http.StatusNotFound {
					t.Errorf("%s: refused object answers GET with %d, want 404", tc.name, got.status)
				}
			}
		}

		// A MKCALENDAR body nested 50,000 deep is the client's error.
		deep := `<?xml version="1.0"?><C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">` +
			strings.Repeat("<D:set>", 50000) + strings.Repeat("</D:set>", 50000) + `</C:mkcalendar>`
		r := srv.do("alice", "MKCALENDAR", "/dav/calendars/alice/deep/", deep, "Content-Type", "application/xml")
		if r.status < 400 || r.status >= 500 {
			t.Errorf("MKCALENDAR nested 50,000 deep: status %d, want 4xx", r.status)
		}
		if got := srv.do("alice", "PROPFIND", "/dav/calendars/alice/deep/", "", "Depth", "0"); got.status != http.StatusNotFound {
			t.Errorf("deep calendar: PROPFIND %d, want 404 (not made)", got.status)
		}
	})
}
