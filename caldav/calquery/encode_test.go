package calquery

import (
	"bytes"
	"strings"
	"testing"

	"github.com/emersion/go-ical"
)

func TestEncodeFoldsAndRoundTrips(t *testing.T) {
	long := strings.Repeat("Veiledning i biblioteket, ", 6) + "æøå " + strings.Repeat("ø", 60)
	cal := ical.NewCalendar()
	cal.Props.Set(&ical.Prop{Name: "VERSION", Params: ical.Params{}, Value: "2.0"})
	ev := ical.NewComponent("VEVENT")
	ev.Props.Set(&ical.Prop{Name: "SUMMARY", Params: ical.Params{}, Value: long})
	ev.Props.Set(&ical.Prop{Name: "ATTENDEE", Params: ical.Params{"CN": {"Doe, John"}, "X-Q": {`say "hi"`}}, Value: "mailto:john@example.com"})
	cal.Children = append(cal.Children, ev)

	var b bytes.Buffer
	if err := Encode(&b, cal); err != nil {
		t.Fatalf("Encode: %v", err)
	}
	out := b.String()
	if !strings.HasSuffix(out, "END:VCALENDAR\r\n") {
		t.Errorf("output ends %q, want END:VCALENDAR and CRLF", out[max(0, len(out)-20):])
	}
	for _, line := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Errorf("line of %d octets, want at most 75: %q", len(line), line)
		}
		if !strings.ContainsRune(line, '\uFFFD') && !utf8Valid(line) {
			t.Errorf("line splits a UTF-8 sequence: %q", line)
		}
	}
	if !strings.Contains(out, `CN="Doe, John"`) {
		t.Errorf("output has no quoted CN:\n%s", out)
	}
	back, err := ical.NewDecoder(strings.NewReader(out)).Decode()
	if err != nil {
		t.Fatalf("decode Encode output: %v\n%s", err, out)
	}
	if got := back.Children[0].Props.Get("SUMMARY").Value; got != long {
		t.Errorf("SUMMARY after round trip = %q, want %q", got, long)
	}
	if got := back.Children[0].Props.Get("ATTENDEE").Params.Get("CN"); got != "Doe, John" {
		t.Errorf("CN after round trip = %q, want %q", got, "Doe, John")
	}
}

func utf8Valid(s string) bool {
	return strings.ToValidUTF8(s, "\uFFFD") == s
}

// A shaped answer lacking PRODID and DTSTAMP (RFC 4791 §7.8.1) is written
// by Encode though go-ical's encoder refuses it.
func TestEncodePartialCalendar(t *testing.T) {
	cal := appendixB(t)["abcd3.ics"]
	q, err := ParseCalendarQuery(strings.NewReader(rfc781))
	if err != nil {
		t.Fatal(err)
	}
	shaped, err := Shape(cal, q.CalendarData, rfcOpts)
	if err != nil {
		t.Fatal(err)
	}
	if err := ical.NewEncoder(&bytes.Buffer{}).Encode(shaped); err == nil {
		t.Log("go-ical now encodes partial calendars; Encode may be unnecessary")
	}
	var b bytes.Buffer
	if err := Encode(&b, shaped); err != nil {
		t.Fatalf("Encode: %v", err)
	}
	if !strings.HasPrefix(b.String(), "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTIMEZONE\r\n") {
		t.Errorf("Encode output starts\n%s\nwant VCALENDAR, VERSION, VTIMEZONE", b.String()[:80])
	}
}
