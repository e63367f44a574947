package recurrence

import (
	"errors"
	"strings"
	"time"

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
)

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
