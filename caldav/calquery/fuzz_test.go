package calquery

import (
	"bytes"
	"errors"
	"testing"

	"github.com/veileder/veileder/recurrence"
)

// FuzzParseCalendarQuery: any body parses or fails with ErrBadRequest,
// never panics, and what parses can be matched and shaped.
func FuzzParseCalendarQuery(f *testing.F) {
	for _, s := range []string{rfc781, rfc782, rfc783, rfc784, rfc785, rfc786, rfc787, rfc788, rfc789, rfc7810,
		`<C:calendar-query xmlns:C="urn:ietf:params:xml:ns:caldav"><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="20261020T000000Z"/></C:comp-filter></C:comp-filter></C:filter><C:timezone>BEGIN:VCALENDAR
BEGIN:VTIMEZONE
TZID:Europe/Oslo
END:VTIMEZONE
END:VCALENDAR</C:timezone></C:calendar-query>`,
	} {
		f.Add([]byte(s))
	}
	cals := appendixB(f)
	names := []string{"abcd2.ics", "abcd3.ics", "abcd5.ics", "abcd8.ics"}
	f.Fuzz(func(t *testing.T, body []byte) {
		q, err := ParseCalendarQuery(bytes.NewReader(body))
		if err != nil {
			if !errors.Is(err, ErrBadRequest) {
				t.Fatalf("error %v does not wrap ErrBadRequest", err)
			}
			return
		}
		if q.Filter == nil || q.Filter.Name != "VCALENDAR" {
			t.Fatalf("parsed filter %+v, want a VCALENDAR comp-filter", q.Filter)
		}
		opts := recurrence.Options{Location: q.Location(nil), MaxInstances: 200}
		for _, name := range names {
			if _, err := Match(cals[name], q.Filter, opts); err != nil {
				t.Fatalf("Match(%s): %v", name, err)
			}
			if q.CalendarData != nil {
				if _, err := Shape(cals[name], q.CalendarData, opts); err != nil {
					t.Fatalf("Shape(%s): %v", name, err)
				}
			}
		}
	})
}
