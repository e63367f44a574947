package recurrence

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
)

func TestValidate(t *testing.T) {
	cal := func(body string) string {
		return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + body + "END:VCALENDAR\r\n"
	}
	event := func(uid string, extra ...string) string {
		return "BEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20261104T090000Z\r\nDTEND:20261104T100000Z\r\n" +
			strings.Join(extra, "") + "END:VEVENT\r\n"
	}
	eventsOnly := func(c string) bool { return c == "VEVENT" }
	tests := []struct {
		name    string
		data    string
		accepts func(string) bool
		rule    error // nil: valid
		reason  string
	}{
		{"not iCalendar", "hello world", nil, ErrInvalidData, "malformed iCalendar"},
		{"truncated", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\n", nil, ErrInvalidData, "malformed iCalendar"},
		{"two calendars", cal(event("a")) + cal(event("b")), nil, ErrInvalidData, "more than one VCALENDAR in one resource"},
		{"METHOD", strings.Replace(cal(event("m")), "VERSION:2.0", "VERSION:2.0\r\nMETHOD:REQUEST", 1), nil, ErrInvalidObject, "must not have a METHOD"},
		{"VFREEBUSY", cal("BEGIN:VFREEBUSY\r\nUID:f\r\nEND:VFREEBUSY\r\n"), nil, ErrUnsupportedComponent, "unsupported component VFREEBUSY"},
		{"event and to-do", cal(event("a") + "BEGIN:VTODO\r\nUID:a\r\nEND:VTODO\r\n"), nil, ErrInvalidObject, "one kind of component"},
		{"no UID", cal("BEGIN:VEVENT\r\nDTSTART:20261104T090000Z\r\nEND:VEVENT\r\n"), nil, ErrInvalidObject, "every component needs a UID"},
		{"two UIDs", cal(event("a") + event("b")), nil, ErrInvalidObject, "share one UID"},
		{"two masters", cal(event("a") + event("a")), nil, ErrInvalidObject, "more than one component without RECURRENCE-ID"},
		{"one override twice", cal(event("a", "RECURRENCE-ID:20261104T090000Z\r\n") + event("a", "RECURRENCE-ID:20261104T090000Z\r\n")), nil, ErrInvalidObject, "two overrides"},
		{"no DTSTART", cal("BEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\n"), nil, ErrInvalidData, "VEVENT without DTSTART"},
		{"time zone only", cal("BEGIN:VTIMEZONE\r\nTZID:X\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"), nil, ErrInvalidObject, "no VEVENT, VTODO or VJOURNAL"},
		{"long UID", cal(event(strings.Repeat("u", 1001))), nil, ErrInvalidObject, "UID longer than 1000 bytes"},
		{"to-do where events go", cal("BEGIN:VTODO\r\nUID:t\r\nDTSTART:20261104T090000Z\r\nRRULE:FREQ=SOMETIMES\r\nEND:VTODO\r\n"), eventsOnly, ErrUnsupportedComponent, "this calendar does not take VTODO"},
		{"bad RRULE", cal(event("r", "RRULE:FREQ=SOMETIMES\r\n")), nil, ErrInvalidData, "RRULE"},
		{"bad DTSTART", cal("BEGIN:VEVENT\r\nUID:x\r\nDTSTART:2026XX04T090000Z\r\nEND:VEVENT\r\n"), nil, ErrInvalidData, "DTSTART"},
		{"DTEND before DTSTART", cal(strings.Replace(event("o"), "DTEND:20261104T100000Z", "DTEND:20261104T080000Z", 1)), nil, ErrInvalidData, "DTEND 20261104T080000Z is before DTSTART"},
		{"DTEND before DTSTART across zones", cal("BEGIN:VEVENT\r\nUID:z\r\nDTSTART:20261104T090000Z\r\nDTEND;TZID=Europe/Oslo:20261104T095900\r\nEND:VEVENT\r\n"), nil, ErrInvalidData, "is before DTSTART"},
		{"DUE before DTSTART", cal("BEGIN:VTODO\r\nUID:t\r\nDTSTART:20261104T090000Z\r\nDUE:20261103T090000Z\r\nEND:VTODO\r\n"), nil, ErrInvalidData, "DUE 20261103T090000Z is before DTSTART"},
		{"all-day DTEND before DTSTART", cal("BEGIN:VEVENT\r\nUID:d\r\nDTSTART;VALUE=DATE:20261104\r\nDTEND;VALUE=DATE:20261103\r\nEND:VEVENT\r\n"), nil, ErrInvalidData, "is before DTSTART"},
		{"unknown TZID", cal("BEGIN:VEVENT\r\nUID:u\r\nDTSTART;TZID=Mars/Olympus:20261104T090000\r\nEND:VEVENT\r\n"), nil, ErrInvalidData, `time zone "Mars/Olympus"`},
		{"unknown TZID in EXDATE", cal(event("x", "RRULE:FREQ=DAILY\r\n", "EXDATE;TZID=Nowhere:20261105T100000\r\n")), nil, ErrInvalidData, `time zone "Nowhere"`},
		{"nested too deep", cal(strings.Repeat("BEGIN:X-A\r\n", 20) + strings.Repeat("END:X-A\r\n", 20) + event("n")), nil, ErrInvalidData, "nested 21 deep"},
		{"not UTF-8", cal(event("l", "SUMMARY:M\xf8te\r\n")), nil, ErrUnsupportedData, "not UTF-8"},
		{"zero-length event", cal(strings.Replace(event("zero"), "DTEND:20261104T100000Z", "DTEND:20261104T090000Z", 1)), nil, nil, ""},
		{"Windows zone without VTIMEZONE", cal("BEGIN:VEVENT\r\nUID:w\r\nDTSTART;TZID=W. Europe Standard Time:20261104T090000\r\nDTEND;TZID=W. Europe Standard Time:20261104T100000\r\nEND:VEVENT\r\n"), nil, nil, ""},
		{"Mozilla zone without VTIMEZONE", cal("BEGIN:VEVENT\r\nUID:m\r\nDTSTART;TZID=/mozilla.org/20070129_1/Europe/Oslo:20261104T090000\r\nEND:VEVENT\r\n"), nil, nil, ""},
		{"custom zone with its VTIMEZONE", cal("BEGIN:VTIMEZONE\r\nTZID:Custom\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:c\r\nDTSTART;TZID=Custom:20261104T090000\r\nEND:VEVENT\r\n"), nil, nil, ""},
		{"Apple and Mozilla X- properties", cal(event("a", "X-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC\r\n", "X-MOZ-GENERATION:3\r\n")), nil, nil, ""},
		{"event", cal(event("e@test")), eventsOnly, nil, ""},
		{"to-do, any calendar", cal("BEGIN:VTODO\r\nUID:t@test\r\nDUE:20261104T090000Z\r\nEND:VTODO\r\n"), nil, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			obj, err := Validate([]byte(tc.data), tc.accepts, Options{Location: oslo})
			if tc.rule == nil {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				if obj.Calendar == nil || obj.UID == "" || obj.Component == "" {
					t.Errorf("got %+v, want the parsed calendar, UID and component", obj)
				}
				return
			}
			var ie *InvalidError
			if !errors.As(err, &ie) || !errors.Is(err, tc.rule) {
				t.Fatalf("got %v, want an *InvalidError for %v", err, tc.rule)
			}
			if !strings.Contains(ie.Reason, tc.reason) {
				t.Errorf("reason: got %q, want it to hold %q", ie.Reason, tc.reason)
			}
			for _, other := range []error{ErrInvalidData, ErrInvalidObject, ErrUnsupportedComponent, ErrUnsupportedData} {
				if other != tc.rule && errors.Is(err, other) {
					t.Errorf("%v is also %v", err, other)
				}
			}
		})
	}
}

// Validate's index columns are Bounds', and the UID and component the
// resource's.
func TestValidateIndex(t *testing.T) {
	data := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:w@test\r\nDTSTAMP:20260101T000000Z\r\n" +
		"DTSTART;TZID=Europe/Oslo:20261020T140000\r\nDTEND;TZID=Europe/Oslo:20261020T150000\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\n" +
		"END:VEVENT\r\nEND:VCALENDAR\r\n"
	obj, err := Validate([]byte(data), nil, Options{Location: oslo})
	if err != nil {
		t.Fatal(err)
	}
	// The third session, on 3 November, is after the October change.
	wantFirst, wantLast := time.Date(2026, 10, 20, 12, 0, 0, 0, time.UTC), time.Date(2026, 11, 3, 14, 0, 0, 0, time.UTC)
	if obj.UID != "w@test" || obj.Component != "VEVENT" || !obj.FirstStart.Equal(wantFirst) || !obj.LastEnd.Equal(wantLast) {
		t.Errorf("got %s %s %v–%v, want w@test VEVENT %v–%v", obj.UID, obj.Component, obj.FirstStart, obj.LastEnd, wantFirst, wantLast)
	}
}

// ParsedCalendar takes what Validate parsed when it is handed on, and
// parses the data otherwise.
func TestParsedCalendar(t *testing.T) {
	data := []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:p@test\r\n" +
		"DTSTAMP:20260101T000000Z\r\nDTSTART:20261104T090000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
	obj, err := Validate(data, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := ParsedCalendar(obj.Calendar, data); err != nil || got != obj.Calendar {
		t.Errorf("with Validate's calendar: got %p, %v; want the same calendar %p", got, err, obj.Calendar)
	}
	for _, parsed := range []any{nil, "not a calendar", (*ical.Calendar)(nil)} {
		got, err := ParsedCalendar(parsed, data)
		if err != nil || got == nil || got == obj.Calendar || len(got.Children) != 1 {
			t.Errorf("with %#v: got %v, %v; want the data parsed anew", parsed, got, err)
		}
	}
	if _, err := ParsedCalendar(nil, []byte("hello")); err == nil {
		t.Errorf("bad data without a parsed calendar: got no error, want one")
	}
}
