package booking

import (
	"fmt"
	"strings"
	"time"
)

// CalendarKind says what a calendar is for. It decides how the booking
// engine reads the calendar: availability windows, bookings written by
// Veileder, the shared drop-in calendar, or ordinary busy time.
type CalendarKind string

const (
	KindAvailability CalendarKind = "availability"
	KindBookings     CalendarKind = "bookings"
	KindPersonal     CalendarKind = "personal"
	KindDropIn       CalendarKind = "dropin"
	// KindOther is a calendar the librarian made with MKCALENDAR; it counts
	// for busy time like the personal one.
	KindOther CalendarKind = "other"
)

// Calendar is a calendar collection. Owned calendars belong to one staff
// user; shared calendars (the drop-in calendar) have OwnerID 0 and appear in
// every staff user's calendar home, writable for coordinators only.
type Calendar struct {
	ID          int64
	OwnerID     int64 // 0 for a shared calendar
	Slug        string
	Kind        CalendarKind
	DisplayName string
	Description string
	Color       string // "#RRGGBB" or "#RRGGBBAA" as Apple sends it; "" for none
	Order       int
	// Components lists the iCalendar components the calendar takes, such as
	// "VEVENT" and "VTODO".
	Components []string
	TimeZone   string // a VTIMEZONE text or "" for the library's zone
	// Properties are other WebDAV properties a calendar app set (RFC 4918
	// dead properties), by "{namespace}name", each as its XML content.
	Properties map[string]string
	// SyncSeq grows by one with every change of a member; it is the CTag and
	// the sync-token's number.
	SyncSeq   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Shared reports whether the calendar is a shared one.
func (c Calendar) Shared() bool { return c.OwnerID == 0 }

// AcceptsComponent reports whether the calendar takes objects whose main
// component is name.
func (c Calendar) AcceptsComponent(name string) bool {
	for _, comp := range c.Components {
		if strings.EqualFold(comp, name) {
			return true
		}
	}
	return false
}

// ValidCalendarSlug reports whether s can name a calendar collection. The
// slug is the last path segment of the calendar's URL.
func ValidCalendarSlug(s string) error {
	if s == "" || len(s) > 100 {
		return fmt.Errorf("calendar name must be 1 to 100 characters: %w", ErrInvalid)
	}
	if s == "." || s == ".." {
		return fmt.Errorf("calendar name %q is reserved: %w", s, ErrInvalid)
	}
	for _, r := range s {
		if r < 0x20 || r == '/' || r == '\\' || r == 0x7f {
			return fmt.Errorf("calendar name %q holds a character that cannot be in a path: %w", s, ErrInvalid)
		}
	}
	return nil
}

// CalendarObject is one iCalendar resource in a calendar collection, stored
// byte for byte as the client sent it.
type CalendarObject struct {
	CalendarID int64
	Name       string // the resource name, the last path segment
	UID        string
	Component  string // VEVENT, VTODO or VJOURNAL
	Data       []byte
	// Size is the length of Data in bytes, also when Data was not read
	// (a listing for ETags), for DAV:getcontentlength.
	Size int64
	ETag string // without quotes
	// FirstStart and LastEnd bound every instance of the object, so that a
	// time-range query can pick candidates from indexed columns. A zero
	// FirstStart means "from the beginning of time", a zero LastEnd "for
	// ever" (an unbounded recurrence, or a to-do without dates).
	FirstStart time.Time
	LastEnd    time.Time
	ModifiedAt time.Time
	// Seq is the calendar's SyncSeq at the object's last change.
	Seq int64
	// Parsed is Data as the writer parsed it to validate it (a go-ical
	// calendar, from recurrence.Validate), handed to the object hook of
	// the same write so that the hook does not parse Data again. It is
	// never stored: an object read from the store has none.
	Parsed any
}

// WriteCondition is the client's precondition for a write, from If-Match
// and If-None-Match.
type WriteCondition struct {
	// IfMatch, when not empty, is the ETag the stored object must have ("*"
	// for "any existing object").
	IfMatch string
	// IfNoneMatchAny means the object must not exist yet (If-None-Match: *).
	IfNoneMatchAny bool
	// IfNoneMatch, when not empty, is an ETag the stored object must not have.
	IfNoneMatch string
}

// Change is one entry of a calendar's change log, for sync-collection.
type Change struct {
	Name    string
	Seq     int64
	Deleted bool
}
