package recurrence

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-ical"
)

// The rules of RFC 4791 a calendar object resource can break, one error
// each. Validate returns an *InvalidError that wraps one of them; check
// with errors.Is. The CalDAV server answers each with its precondition
// element (403); other writers treat any of them as a bug in what they
// built.
var (
	// ErrInvalidData: not iCalendar that can be evaluated (RFC 4791
	// §5.3.2.1, CALDAV:valid-calendar-data): it does not parse, is not a
	// VCALENDAR, or its dates or rules are wrong.
	ErrInvalidData = errors.New("invalid calendar data")
	// ErrInvalidObject: breaks a restriction on calendar object resources
	// (RFC 4791 §4.1, CALDAV:valid-calendar-object-resource): a METHOD,
	// mixed components or UIDs, no UID, overrides twice.
	ErrInvalidObject = errors.New("invalid calendar object resource")
	// ErrUnsupportedComponent: holds a component the calendar does not
	// take (RFC 4791 §5.3.2.1, CALDAV:supported-calendar-component).
	ErrUnsupportedComponent = errors.New("unsupported calendar component")
	// ErrUnsupportedData: not text/calendar in a form the server takes
	// (RFC 4791 §5.3.2.1, CALDAV:supported-calendar-data, 415): the bytes
	// are not UTF-8, the one charset RFC 5545 §6 and we keep.
	ErrUnsupportedData = errors.New("unsupported calendar data")
)

// maxNesting is the deepest component nesting accepted: VCALENDAR >
// VEVENT > VALARM is 3, VCALENDAR > VTIMEZONE > STANDARD is 3; real
// clients never come near 8, and a decoder should not walk 50,000.
const maxNesting = 8

// InvalidError says why data is not a calendar object resource: the rule
// it breaks (one of the errors above, which it unwraps to) and a reason
// fit to show the client.
type InvalidError struct {
	Rule   error
	Reason string
}

func (e *InvalidError) Error() string { return e.Rule.Error() + ": " + e.Reason }
func (e *InvalidError) Unwrap() error { return e.Rule }

// maxUID is the longest UID accepted, in bytes: it is an index column.
const maxUID = 1000

// Object is what Validate learns of a calendar object resource: what a
// store indexes it by, and the parsed calendar, so that nothing later in
// the same write needs to parse it again.
type Object struct {
	Calendar  *ical.Calendar
	Component string // VEVENT, VTODO or VJOURNAL
	UID       string
	// FirstStart and LastEnd are Bounds: zero for open.
	FirstStart, LastEnd time.Time
}

// Validate parses data as one calendar object resource (RFC 4791 §4.1)
// for a calendar that takes the main components accepts reports true for
// (nil accepts every one), and computes its bounds with opts. Every
// failure is an *InvalidError.
func Validate(data []byte, accepts func(component string) bool, opts Options) (Object, error) {
	invalid := func(rule error, reason string) (Object, error) {
		return Object{}, &InvalidError{Rule: rule, Reason: reason}
	}
	if !utf8.Valid(data) {
		return invalid(ErrUnsupportedData, "the body is not UTF-8 (RFC 5545 §6)")
	}
	if d := nesting(data); d > maxNesting {
		return invalid(ErrInvalidData, fmt.Sprintf("components nested %d deep; at most %d", d, maxNesting))
	}
	parsed, err := ParseCalendar(data)
	if err != nil {
		return invalid(ErrInvalidData, err.Error())
	}
	if parsed.Name != ical.CompCalendar {
		return invalid(ErrInvalidData, "the body is not a VCALENDAR")
	}
	if parsed.Props.Get(ical.PropMethod) != nil {
		return invalid(ErrInvalidObject, "calendar object resources must not have a METHOD (RFC 4791 §4.1)")
	}
	var kind, uid string
	masters := 0
	seenRID := map[string]bool{}
	for _, child := range parsed.Children {
		switch child.Name {
		case ical.CompTimezone:
			continue
		case ical.CompEvent, ical.CompToDo, ical.CompJournal:
		default:
			return invalid(ErrUnsupportedComponent, "unsupported component "+child.Name)
		}
		if kind == "" {
			kind = child.Name
		} else if kind != child.Name {
			return invalid(ErrInvalidObject, "one resource holds one kind of component")
		}
		u := child.Props.Get(ical.PropUID)
		if u == nil || strings.TrimSpace(u.Value) == "" {
			return invalid(ErrInvalidObject, "every component needs a UID")
		}
		if uid == "" {
			uid = u.Value
		} else if uid != u.Value {
			return invalid(ErrInvalidObject, "all components of one resource share one UID")
		}
		if rid := child.Props.Get(ical.PropRecurrenceID); rid != nil {
			if seenRID[rid.Value] {
				return invalid(ErrInvalidObject, "two overrides of the same RECURRENCE-ID")
			}
			seenRID[rid.Value] = true
		} else {
			masters++
		}
		if child.Name == ical.CompEvent && child.Props.Get(ical.PropDateTimeStart) == nil {
			return invalid(ErrInvalidData, "VEVENT without DTSTART")
		}
		if reason := checkZones(parsed, child); reason != "" {
			return invalid(ErrInvalidData, reason)
		}
		if reason := checkOrder(parsed, child, opts.Location); reason != "" {
			return invalid(ErrInvalidData, reason)
		}
	}
	if kind == "" {
		return invalid(ErrInvalidObject, "no VEVENT, VTODO or VJOURNAL in the resource")
	}
	if masters > 1 {
		return invalid(ErrInvalidObject, "more than one component without RECURRENCE-ID")
	}
	if len(uid) > maxUID {
		return invalid(ErrInvalidObject, "UID longer than 1000 bytes")
	}
	if accepts != nil && !accepts(kind) {
		return invalid(ErrUnsupportedComponent, "this calendar does not take "+kind)
	}
	first, last, err := Bounds(parsed, opts)
	if err != nil {
		return invalid(ErrInvalidData, err.Error())
	}
	return Object{Calendar: parsed, Component: kind, UID: uid, FirstStart: first, LastEnd: last}, nil
}

// ParsedCalendar returns the calendar of a stored object's data: parsed,
// when it is the *ical.Calendar that Validate gave the writer of the same
// write (Object.Calendar, passed on), so that nothing parses one write
// twice; else data parsed now with ParseCalendar.
func ParsedCalendar(parsed any, data []byte) (*ical.Calendar, error) {
	if c, ok := parsed.(*ical.Calendar); ok && c != nil {
		return c, nil
	}
	return ParseCalendar(data)
}

// nesting is the deepest BEGIN nesting of data's lines (RFC 5545 §3.4:
// a folded line starts with white space, so a line that starts with BEGIN:
// is a component's start). It reads the bytes before the decoder does, so
// that a body nested 50,000 deep costs one pass.
func nesting(data []byte) int {
	depth, deepest := 0, 0
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		switch {
		case len(line) >= 6 && bytes.EqualFold(line[:6], []byte("BEGIN:")):
			if depth++; depth > deepest {
				deepest = depth
			}
		case len(line) >= 4 && bytes.EqualFold(line[:4], []byte("END:")):
			depth--
		}
	}
	return deepest
}

// zonedProps are the properties whose TZID must name a zone.
var zonedProps = []string{ical.PropDateTimeStart, ical.PropDateTimeEnd, ical.PropDue, ical.PropRecurrenceID,
	ical.PropExceptionDates, ical.PropRecurrenceDates}

// checkZones refuses a TZID that no VTIMEZONE of the object defines and
// that is no IANA or Windows zone name (RFC 5545 §3.2.19: "an individual
// VTIMEZONE calendar component MUST be specified for each unique TZID").
// Outlook's Windows names and Mozilla's prefixed IANA names are zones.
func checkZones(cal *ical.Calendar, c *ical.Component) string {
	for _, name := range zonedProps {
		for _, p := range c.Props.Values(name) {
			tzid := p.Params.Get(ical.ParamTimezoneID)
			if tzid == "" {
				continue
			}
			n := strings.TrimSpace(strings.Trim(strings.TrimSpace(tzid), `"`))
			if loadIANA(n) == nil && loadWindows(n) == nil && findVTimezone(cal.Component, n) == nil {
				return fmt.Sprintf("%s names the time zone %q, which has no VTIMEZONE and is no known zone", name, tzid)
			}
		}
	}
	return ""
}

// checkOrder refuses an event that ends before it starts (RFC 5545
// §3.8.2.2: DTEND "MUST be later in time than the value of the DTSTART")
// and a to-do due before it starts (§3.8.2.3). An end equal to the start
// is let through: clients write such zero-length events, and the RFC's
// own VEVENT default (§3.6.1) is one.
func checkOrder(cal *ical.Calendar, c *ical.Component, floating *time.Location) string {
	endName := ical.PropDateTimeEnd
	if c.Name == ical.CompToDo {
		endName = ical.PropDue
	}
	sp, ep := c.Props.Get(ical.PropDateTimeStart), c.Props.Get(endName)
	if sp == nil || ep == nil {
		return ""
	}
	start, err1 := propInstant(cal, sp, floating)
	end, err2 := propInstant(cal, ep, floating)
	if err1 != nil || err2 != nil {
		return "" // Bounds reports unreadable values
	}
	if end.Before(start) {
		return fmt.Sprintf("%s %s is before DTSTART %s", endName, ep.Value, sp.Value)
	}
	return ""
}

// propInstant reads a DATE or DATE-TIME property as an instant: UTC, in
// its TZID's zone, or floating in floating (dates at local midnight).
func propInstant(cal *ical.Calendar, p *ical.Prop, floating *time.Location) (time.Time, error) {
	wall, _, utc, err := ParseDateTime(p.Value, p.Params.Get(ical.ParamValue))
	if err != nil {
		return time.Time{}, err
	}
	if utc {
		return wall, nil
	}
	loc := floating
	if loc == nil {
		loc = time.UTC
	}
	if tzid := p.Params.Get(ical.ParamTimezoneID); tzid != "" {
		loc, _ = ResolveLocation(tzid, cal, loc)
	}
	return LocalTime(wall, loc), nil
}
