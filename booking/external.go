package booking

import (
	"time"
)

// ExternalState is where an external calendar's fetching stands.
type ExternalState string

const (
	// ExternalPending: added, not fetched yet.
	ExternalPending ExternalState = "pending"
	// ExternalOK: the last fetch succeeded (or the feed was unchanged).
	ExternalOK ExternalState = "ok"
	// ExternalFailing: the last fetch failed; the events of the last good
	// fetch still count.
	ExternalFailing ExternalState = "failing"
)

// ExternalCalendar is a librarian's calendar held elsewhere (Exchange /
// Microsoft 365, Google), read through its published ICS link. Its events
// are busy time, and tagged ones availability windows (ExternalEvent).
type ExternalCalendar struct {
	ID     int64
	UserID int64
	Name   string
	// URL is the feed's address. It is a secret, since whoever has it
	// reads the calendar: only the store and the fetcher use it; show
	// URLHint instead.
	URL string
	// URLHint is the host with an ellipsis, what pages, logs and the CLI
	// show after the URL is saved.
	URLHint string
	// ETag and LastModified are the validators of the last good fetch,
	// sent back for a conditional GET (RFC 9110 §13.1).
	ETag, LastModified string
	State              ExternalState
	// FailingSince is when the fetches started failing, zero while they
	// succeed.
	FailingSince time.Time
	LastFetched  time.Time
	LastOK       time.Time
	// Events is how many instances the last good fetch stored.
	Events int
	// Error says why the last fetch failed, for a person; it never holds
	// the URL. Reason and ReasonArg say the same as a code and its value
	// (external.Reason), for a front that speaks the librarian's
	// language; empty when the failure had none.
	Error             string
	Reason, ReasonArg string
	// Refresh is the feed's own refresh hint (X-PUBLISHED-TTL,
	// REFRESH-INTERVAL), zero when it gave none.
	Refresh   time.Duration
	NextFetch time.Time
	CreatedAt time.Time
}

// Flagged reports whether the calendar has been failing for longer than
// after at now: what pages, /metrics and the daily e-mail point out. A
// shorter failure is ordinary (a feed server's bad minute); the last good
// events count either way.
func (c ExternalCalendar) Flagged(now time.Time, after time.Duration) bool {
	return c.State == ExternalFailing && !c.FailingSince.IsZero() && now.Sub(c.FailingSince) >= after
}

// ExternalEvent is one instance of an event of an external calendar, as
// stored after a fetch: recurrence, time zones and free/busy status have
// been read, so that a slot search only compares times.
type ExternalEvent struct {
	// UID is the event's iCalendar UID (to recognise the bookings Veileder
	// delivered to that calendar).
	UID        string
	Start, End time.Time // UTC, End exclusive
	// Busy is false for events that do not block time: free or working
	// elsewhere, or transparent.
	Busy bool
	// Tags are the event's #hashtags and categories, lower case. A tag
	// naming a topic, or the availability keyword, makes the event an
	// availability window; the slot search decides with the topics in
	// force when it runs, not those of the fetch.
	Tags []string
	// Location and Online describe the meeting place of a tagged event;
	// they are left empty for untagged (busy) events, whose details are
	// not kept.
	Location string
	Online   bool
}

// ExternalPrefs are a librarian's choices about external calendars.
type ExternalPrefs struct {
	// InviteBookings sends an iMIP invitation for each booking, move and
	// cancellation even without an external calendar.
	InviteBookings bool
	// NotifyFailing sends a daily e-mail while a feed is flagged.
	NotifyFailing bool
}

// ExternalFetch is the outcome of one fetch of an external calendar, as
// the store records it. A failed fetch (Err set) and an unchanged feed
// (NotModified) keep the stored events.
type ExternalFetch struct {
	At time.Time
	// Err says why the fetch failed, for a person, without the URL; empty
	// on success. Reason and ReasonArg are its code and value.
	Err               string
	Reason, ReasonArg string
	NotModified       bool
	// ETag, LastModified, Events and Refresh replace the stored ones on
	// success (not on NotModified, where only Refresh is renewed).
	ETag, LastModified string
	Events             []ExternalEvent
	Refresh            time.Duration
	// NextFetch is when the calendar is due again.
	NextFetch time.Time
}

// Messages about external calendars.
const (
	// MessageLibrarianInvite carries a booking, move or cancellation to
	// the librarian's own address as an iMIP invitation (RFC 6047), for a
	// librarian with an external calendar or who asked for it.
	MessageLibrarianInvite MessageKind = "librarian-invite"
	// MessageLibrarianRelease cancels the copy in a librarian's own
	// calendar of a booking that moved to another librarian (an iMIP
	// CANCEL to Message.UserID), for a librarian who gets invitations.
	MessageLibrarianRelease MessageKind = "librarian-release"
	// MessageExternalFailing tells a librarian who opted in, once a day,
	// that one of their external calendars has been failing.
	MessageExternalFailing MessageKind = "external-failing"
)
