package recurrence

import (
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
)

var oslo = mustLoad("Europe/Oslo")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// ics wraps content lines in a VCALENDAR and parses it with go-ical, as the
// CalDAV server does.
func ics(t testing.TB, lines ...string) *ical.Calendar {
	t.Helper()
	text := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Veileder//test//EN\r\n" +
		strings.Join(lines, "\r\n") + "\r\nEND:VCALENDAR\r\n"
	cal, err := ical.NewDecoder(strings.NewReader(text)).Decode()
	if err != nil {
		t.Fatalf("decode: %v\n%s", err, text)
	}
	return cal
}

// vevent wraps property lines in a VEVENT.
func vevent(props ...string) []string {
	return append(append([]string{"BEGIN:VEVENT", "UID:test@veileder"}, props...), "END:VEVENT")
}

func join(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// ts parses an RFC 3339 time; "" is the zero time (an open range end).
func ts(t testing.TB, s string) time.Time {
	t.Helper()
	if s == "" {
		return time.Time{}
	}
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("bad test time %q: %v", s, err)
	}
	return v
}

// render shows instances as "start/end" in the instance's own zone, so that
// tests see both the instant and the offset it is expressed in, plus "*" for
// an override.
func render(ins []Instance) []string {
	out := make([]string, 0, len(ins))
	for _, in := range ins {
		s := in.Start.Format(time.RFC3339) + "/" + in.End.Format(time.RFC3339)
		if in.Overridden {
			s += "*"
		}
		out = append(out, s)
	}
	return out
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
