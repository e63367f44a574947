package scheduling

import (
	"context"
	"time"

	"github.com/veileder/veileder/booking"
)

// Store is what the scheduling service needs from persistence. Reads
// outside a transaction see committed data; everything that must be
// re-checked before a booking is stored is read again inside Tx.
type Store interface {
	Reader

	Services(ctx context.Context) ([]booking.Service, error)
	Topics(ctx context.Context) ([]booking.Topic, error)
	TopicBySlug(ctx context.Context, slug string) (booking.Topic, error)
	TopicByID(ctx context.Context, id int64) (booking.Topic, error)
	// LibrariansForTopic returns the enabled librarians holding a
	// competence in the topic, each with all their competences, languages,
	// campus and meeting modes.
	LibrariansForTopic(ctx context.Context, topicID int64) ([]booking.Librarian, error)
	UserByID(ctx context.Context, id int64) (booking.User, error)
	BookingByTokenHash(ctx context.Context, tokenHash string) (booking.Booking, error)
	BookingByID(ctx context.Context, id int64) (booking.Booking, error)
	// IntakeQuestions lists every service's and topic's own questions;
	// AskedQuestions those a booking of the topic answers.
	IntakeQuestions(ctx context.Context) ([]booking.Question, error)
	AskedQuestions(ctx context.Context, t booking.Topic) ([]booking.Question, error)
	// InsertFeedback stores a rating (booking.ErrConflict when the
	// booking has one); FeedbackOf reads it (booking.ErrNotFound).
	InsertFeedback(ctx context.Context, f booking.Feedback) error
	FeedbackOf(ctx context.Context, bookingID int64) (booking.Feedback, error)
	// SetAttendance marks a meeting that has begun held or a no-show.
	SetAttendance(ctx context.Context, bookingID, librarianID int64, a booking.Attendance) error
	// BookingsOfIdentity lists the bookings, not anonymised, that a
	// signed-in student made with the verified identity.
	BookingsOfIdentity(ctx context.Context, identity string) ([]booking.Booking, error)
	// ScheduleCalendars lists the users' own calendars with their sync
	// positions, by user in Calendars' order, and the sync epoch: a
	// calendar at the same position under the same epoch has the same
	// members.
	ScheduleCalendars(ctx context.Context, userIDs []int64) (epoch string, byUser map[int64][]booking.Calendar, err error)
	// BookingsOfLibrarians is BookingsOfLibrarian for several, by
	// librarian.
	BookingsOfLibrarians(ctx context.Context, librarianIDs []int64, start, end time.Time) (map[int64][]booking.Booking, error)
	// ExternalEventsOfUsers is ExternalEvents for several, by user.
	ExternalEventsOfUsers(ctx context.Context, userIDs []int64, start, end time.Time) (map[int64][]booking.ExternalEvent, error)
	// HoldsOfLibrarians is HoldsOfLibrarian for several, by librarian.
	HoldsOfLibrarians(ctx context.Context, librarianIDs []int64, start, end, now time.Time) (map[int64][]booking.WaitlistOffer, error)
	// RecordDemand stores a search that found no slot (no personal data).
	RecordDemand(ctx context.Context, d booking.DemandRecord) error

	// Tx runs fn in one database transaction. When lockLibrarianID is not
	// zero, writes touching that librarian's schedule are serialised: on
	// PostgreSQL by locking the librarian's row, on SQLite by the
	// database's single writer. fn's error rolls everything back.
	Tx(ctx context.Context, lockLibrarianID int64, fn func(ctx context.Context, tx Tx) error) error
	// TryTx is Tx, except that when another transaction holds the
	// librarian's lock it runs nothing and reports locked instead of
	// waiting (where locks are per librarian: PostgreSQL).
	TryTx(ctx context.Context, lockLibrarianID int64, fn func(ctx context.Context, tx Tx) error) (locked bool, err error)
}

// Reader are the reads needed both outside and inside a transaction.
type Reader interface {
	// Calendars lists a user's own calendars (and the shared ones).
	Calendars(ctx context.Context, userID int64) ([]booking.Calendar, error)
	CalendarBySlug(ctx context.Context, userID int64, slug string) (booking.Calendar, error)
	// ObjectsOverlapping picks, from indexed columns, the objects of a
	// component that may overlap [start, end).
	ObjectsOverlapping(ctx context.Context, calendarID int64, component string, start, end time.Time) ([]booking.CalendarObject, error)
	// BookingsOfLibrarian lists a librarian's confirmed bookings that
	// overlap [start, end).
	BookingsOfLibrarian(ctx context.Context, librarianID int64, start, end time.Time) ([]booking.Booking, error)
	// ExternalEvents lists the stored instances of a librarian's external
	// calendars (as their last good fetch left them) that overlap
	// [start, end).
	ExternalEvents(ctx context.Context, userID int64, start, end time.Time) ([]booking.ExternalEvent, error)
	// HoldsOfLibrarian lists a librarian's open waitlist offers that still
	// hold their time at now and overlap [start, end).
	HoldsOfLibrarian(ctx context.Context, librarianID int64, start, end, now time.Time) ([]booking.WaitlistOffer, error)
}

// Tx is a transaction's view of the store.
type Tx interface {
	Reader
	// ActiveBookingsByEmail counts confirmed bookings of a student e-mail
	// address (case-insensitive) that end after now.
	ActiveBookingsByEmail(ctx context.Context, email string, now time.Time) (int, error)
	InsertBooking(ctx context.Context, b booking.Booking) (booking.Booking, error)
	UpdateBooking(ctx context.Context, b booking.Booking) error
	BookingByID(ctx context.Context, id int64) (booking.Booking, error)
	// BookingByEvent finds the booking whose event has this UID in the
	// librarian's bookings calendar.
	BookingByEvent(ctx context.Context, librarianID int64, eventUID string) (booking.Booking, error)
	Object(ctx context.Context, calendarID int64, name string) (booking.CalendarObject, error)
	// PutObject and DeleteObject behave as the CalDAV store's (ETag, sync
	// token and change log), inside this transaction, without calling the
	// object hook.
	PutObject(ctx context.Context, obj booking.CalendarObject, cond booking.WriteCondition) (booking.CalendarObject, bool, error)
	DeleteObject(ctx context.Context, calendarID int64, name string, cond booking.WriteCondition) error
	// Enqueue stores a message to send in the outbox, in this transaction,
	// so that it is sent if and only if the change commits.
	Enqueue(ctx context.Context, m booking.Message) error
	// LockLibrarian locks a second librarian's schedule, as the Tx
	// function's lockLibrarianID locks the first; ids in ascending order.
	LockLibrarian(ctx context.Context, userID int64) error

	// The waitlist (waitlist.go). WaitlistEntry and WaitlistOffer read a
	// row and, on PostgreSQL, lock it until the transaction ends.
	WaitlistEntry(ctx context.Context, id int64) (booking.WaitlistEntry, error)
	WaitlistOffer(ctx context.Context, id int64) (booking.WaitlistOffer, error)
	// InsertWaitlistOffer stores an open offer; booking.ErrConflict when
	// the entry has one already.
	InsertWaitlistOffer(ctx context.Context, o booking.WaitlistOffer) (booking.WaitlistOffer, error)
	// SetWaitlistOffer settles an open offer; booking.ErrConflict when it
	// is not open.
	SetWaitlistOffer(ctx context.Context, id int64, status booking.OfferStatus, bookingID int64) error
	// EndWaitlistEntry takes a waiting entry out of the queue and
	// withdraws its open offer.
	EndWaitlistEntry(ctx context.Context, id int64, status booking.WaitlistStatus, now time.Time) error
	// EndWaitlistOf ends the address's waiting entry for a topic, as
	// booked.
	EndWaitlistOf(ctx context.Context, email string, topicID int64, now time.Time) error
}
