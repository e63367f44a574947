package caldav

import (
	"context"
	"time"

	"github.com/veileder/veileder/booking"
)

// Store is what the CalDAV server needs from persistence. Errors are the
// booking package's domain errors (wrapped); the handler maps them to HTTP
// statuses in one place (errors.go).
type Store interface {
	// AuthenticateAccount checks a user name and the account password,
	// AuthenticateAppPassword one of the user's app passwords; each
	// returns the enabled user. Wrong credentials, a disabled or an
	// unknown user give booking.ErrUnauthenticated.
	AuthenticateAccount(ctx context.Context, username, password string) (booking.User, error)
	AuthenticateAppPassword(ctx context.Context, username, password string) (booking.User, error)
	// LoginWait, LoginFailed and LoginSucceeded are the sign-in throttle
	// shared with the web (store/throttle.go): how long the client must
	// wait (zero: it may try), a failure to count, a success that clears
	// the client's failures.
	LoginWait(ctx context.Context, c booking.LoginClient) (time.Duration, error)
	LoginFailed(ctx context.Context, c booking.LoginClient) error
	LoginSucceeded(ctx context.Context, c booking.LoginClient) error

	// SyncEpoch is the database's sync epoch, which sync tokens and CTags
	// carry; RenewSyncEpoch replaces it after a restore, so that every
	// token handed out before is stale (store/epoch.go).
	SyncEpoch(ctx context.Context) (string, error)
	RenewSyncEpoch(ctx context.Context) (string, error)
	UserByUsername(ctx context.Context, username string) (booking.User, error)

	// Calendars lists the calendars in the user's home: their own and the
	// shared ones.
	Calendars(ctx context.Context, userID int64) ([]booking.Calendar, error)
	// CalendarBySlug finds a calendar in the user's home: their own one of
	// that slug, else a shared one.
	CalendarBySlug(ctx context.Context, userID int64, slug string) (booking.Calendar, error)
	// CreateCalendar stores a new owned calendar; booking.ErrConflict when
	// the slug is taken in that home.
	CreateCalendar(ctx context.Context, cal booking.Calendar) (booking.Calendar, error)
	// UpdateCalendar stores changed display name, description, colour, order
	// and time zone. It does not change SyncSeq (RFC 6578 tokens track
	// members, not properties), but it does change UpdatedAt.
	UpdateCalendar(ctx context.Context, cal booking.Calendar) (booking.Calendar, error)
	// DeleteCalendar removes a calendar and all its objects.
	DeleteCalendar(ctx context.Context, calendarID int64) error

	// Object returns one object with its data.
	Object(ctx context.Context, calendarID int64, name string) (booking.CalendarObject, error)
	// Objects returns the named objects that exist, with data.
	ObjectsByName(ctx context.Context, calendarID int64, names []string) ([]booking.CalendarObject, error)
	// Objects lists every object of the calendar; with data only if withData.
	Objects(ctx context.Context, calendarID int64, withData bool) ([]booking.CalendarObject, error)
	// ObjectsOverlapping returns, with data, the objects of the given
	// component whose [FirstStart, LastEnd) may overlap [start, end), chosen
	// by the indexed columns alone. A zero start or end is open.
	ObjectsOverlapping(ctx context.Context, calendarID int64, component string, start, end time.Time) ([]booking.CalendarObject, error)
	// PutObject creates or replaces an object under cond, in one
	// transaction that also bumps the calendar's SyncSeq and logs the
	// change. It returns the stored object and whether it was created.
	// booking.ErrPreconditionFailed when cond does not hold;
	// booking.ErrConflict when another object of the calendar has the UID.
	PutObject(ctx context.Context, obj booking.CalendarObject, cond booking.WriteCondition) (booking.CalendarObject, bool, error)
	// DeleteObject removes an object under cond and logs a tombstone.
	DeleteObject(ctx context.Context, calendarID int64, name string, cond booking.WriteCondition) error
	// HomeSyncSeq is the position of the user's calendar home in its
	// change log (calendars created, changed and deleted);
	// HomeChangesSince is ChangesSince for the home, with calendars named
	// by slug.
	HomeSyncSeq(ctx context.Context, userID int64) (int64, error)
	HomeChangesSince(ctx context.Context, userID int64, seq int64) ([]booking.Change, int64, error)
	// Scheduling (RFC 6638, schedule.go). UserByEmail finds the enabled
	// user of an address (booking.ErrNotFound for none).
	// PutScheduledObject and DeleteScheduledObject are PutObject and
	// DeleteObject that hand out the organizer's iTIP messages in the
	// same transaction: to a Veileder user's schedule inbox, else by
	// e-mail through the outbox. InboxItems, InboxItem and
	// DeleteInboxItem read and empty the user's inbox.
	UserByEmail(ctx context.Context, email string) (booking.User, error)
	// ExternalEvents lists the events of the user's linked external
	// calendars that overlap [start, end), for free-busy.
	ExternalEvents(ctx context.Context, userID int64, start, end time.Time) ([]booking.ExternalEvent, error)
	PutScheduledObject(ctx context.Context, obj booking.CalendarObject, cond booking.WriteCondition, out []booking.ITIPDelivery) (booking.CalendarObject, bool, error)
	DeleteScheduledObject(ctx context.Context, calendarID int64, name string, cond booking.WriteCondition, out []booking.ITIPDelivery) error
	InboxItems(ctx context.Context, userID int64, withData bool) ([]booking.CalendarObject, error)
	InboxItem(ctx context.Context, userID int64, name string) (booking.CalendarObject, error)
	DeleteInboxItem(ctx context.Context, userID int64, name string) error
	// ChangesSince returns the latest change of each object changed after
	// seq, oldest first, and the calendar's current SyncSeq.
	// booking.ErrInvalid when seq is older than the kept log or newer than
	// the calendar (the client's token is not valid).
	ChangesSince(ctx context.Context, calendarID int64, seq int64) ([]booking.Change, int64, error)
}
