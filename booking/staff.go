package booking

import "time"

// StaffBooking is a booking as the staff pages list it: with its topic's
// and librarian's names and whether the student came.
type StaffBooking struct {
	Booking
	TopicSlug     string
	TopicNameNB   string
	TopicNameEN   string
	LibrarianName string
	// NoShow marks a meeting the student did not come to, Held one the
	// librarian says took place; at most one is set.
	NoShow, Held bool
}

// Attendance is the librarian's mark on a meeting that has begun.
type Attendance string

const (
	AttendanceUnknown Attendance = ""
	AttendanceHeld    Attendance = "held"
	AttendanceNoShow  Attendance = "no-show"
)

// Attendance is the booking's mark.
func (b StaffBooking) Attendance() Attendance {
	switch {
	case b.NoShow:
		return AttendanceNoShow
	case b.Held:
		return AttendanceHeld
	}
	return AttendanceUnknown
}

// BookingSearch selects bookings for the staff pages. Zero fields do not
// filter.
type BookingSearch struct {
	LibrarianID int64
	TopicID     int64
	Status      Status
	// Email matches part of the student's address, in any case.
	Email string
	// From and To keep bookings starting in [From, To).
	From, To time.Time
	// Descending lists the latest first.
	Descending bool
	// Limit caps the list; zero means 200.
	Limit int
}

// SentMessage is one message queued about a booking, as a student's data
// export shows it.
type SentMessage struct {
	Kind      MessageKind `json:"kind"`
	Status    string      `json:"status"`
	CreatedAt time.Time   `json:"created_at"`
	SentAt    time.Time   `json:"sent_at,omitzero"`
}

// DropinSession is a drop-in session as the staff form edits it: one
// event in the shared drop-in calendar.
type DropinSession struct {
	// Name is the calendar object's resource name; empty for a new one.
	Name  string
	UID   string
	Title string
	// Themes are topic slugs, written as CATEGORIES.
	Themes      []string
	Place       string
	Description string
	Start, End  time.Time
	// Weekly repeats the session every week until RepeatUntil (a local
	// date, included), or without end when RepeatUntil is zero.
	Weekly      bool
	RepeatUntil time.Time
	// ETag is the object's ETag when it was read, so that an edit does not
	// overwrite a change made meanwhile in a calendar app.
	ETag string
	// Editable is false for an event the form cannot show faithfully (one
	// with exceptions or another recurrence than weekly); it is then left
	// to the calendar app.
	Editable bool
}

// DataExport is everything stored about one e-mail address, for a
// student's request for access (GDPR Art. 15).
type DataExport struct {
	Email    string            `json:"email"`
	Created  time.Time         `json:"created"`
	Bookings []ExportedBooking `json:"bookings"`
	Requests []ExportedRequest `json:"requests"`
	// Waitlist are the address's waitlist entries with the times offered
	// to them.
	Waitlist []ExportedWaitlistEntry `json:"waitlist"`
}

// ExportedRequest is one request in a DataExport.
type ExportedRequest struct {
	ID          int64        `json:"id"`
	Topic       string       `json:"topic"`
	Need        string       `json:"need"`
	Times       string       `json:"preferred_times"`
	Language    string       `json:"language"`
	Mode        string       `json:"mode"`
	Name        string       `json:"name"`
	Email       string       `json:"email"`
	Locale      string       `json:"locale"`
	State       RequestState `json:"state"`
	CloseReason string       `json:"close_reason,omitempty"`
	Created     time.Time    `json:"created"`
	Updated     time.Time    `json:"updated"`
}

// ExportedWaitlistEntry is one waitlist entry in a DataExport.
type ExportedWaitlistEntry struct {
	ID          int64           `json:"id"`
	Topic       string          `json:"topic"`
	Name        string          `json:"name"`
	Email       string          `json:"email"`
	Mode        string          `json:"mode"`
	Language    string          `json:"language"`
	Weekdays    []time.Weekday  `json:"weekdays"`
	TimesOfDay  []string        `json:"times_of_day"`
	LibrarianID int64           `json:"librarian_id,omitempty"`
	Locale      string          `json:"locale"`
	Status      WaitlistStatus  `json:"status"`
	Created     time.Time       `json:"created"`
	Expires     time.Time       `json:"expires"`
	Offers      []ExportedOffer `json:"offers"`
}

// ExportedOffer is one time offered to a waitlist entry.
type ExportedOffer struct {
	Start     time.Time   `json:"start"`
	End       time.Time   `json:"end"`
	Status    OfferStatus `json:"status"`
	Offered   time.Time   `json:"offered"`
	Expires   time.Time   `json:"expires"`
	BookingID int64       `json:"booking_id,omitempty"`
}

// ExportedBooking is one booking in a DataExport.
type ExportedBooking struct {
	ID         int64     `json:"id"`
	Topic      string    `json:"topic"`
	Librarian  string    `json:"librarian"`
	Start      time.Time `json:"start"`
	End        time.Time `json:"end"`
	Online     bool      `json:"online"`
	Location   string    `json:"location"`
	Name       string    `json:"name"`
	Email      string    `json:"email"`
	Question   string    `json:"question"`
	Programme  string    `json:"programme"`
	StudyLevel string    `json:"study_level"`
	// Answers are the answers to the library's own questions, in the
	// student's language.
	Answers     []ExportedAnswer `json:"answers"`
	Language    string           `json:"language"`
	Locale      string           `json:"locale"`
	Status      Status           `json:"status"`
	CancelledBy Party            `json:"cancelled_by,omitempty"`
	Created     time.Time        `json:"created"`
	Updated     time.Time        `json:"updated"`
	// SignedInAs is the verified identity (issuer and subject) the
	// student booked with after signing in, if they did.
	SignedInAs string `json:"signed_in_as,omitempty"`
	// CalendarEvent is the booking's event in the librarian's calendar,
	// as iCalendar text, while it exists.
	CalendarEvent string        `json:"calendar_event,omitempty"`
	Messages      []SentMessage `json:"messages"`
	// Feedback is the student's rating of the meeting, if they gave one.
	Feedback *ExportedFeedback `json:"feedback,omitempty"`
}

// ExportedFeedback is a rating in a data export.
type ExportedFeedback struct {
	Rating  int       `json:"rating"`
	Comment string    `json:"comment"`
	Created time.Time `json:"created"`
}

// ExportedAnswer is one intake question and the student's answer.
type ExportedAnswer struct {
	Question string `json:"question"`
	Answer   string `json:"answer"`
}

// Profile is how a librarian guides: in which languages, at which campus
// library, in person and/or online, and whether they want an e-mail for
// each new booking.
type Profile struct {
	UserID    int64
	Languages []string // "nb", "en"
	Campus    string
	InPerson  bool
	Online    bool
	// NotifyNewBooking sends the librarian a message for each new booking,
	// besides the event in their bookings calendar.
	NotifyNewBooking bool
	// NotifyRequests sends the librarian a message for each new request
	// in a topic of theirs (default off).
	NotifyRequests bool
	// MeetingURL is the librarian's own online room (Zoom, Teams), given
	// to online bookings whose window names none (MeetingLink).
	MeetingURL string
}

// DefaultProfile is a librarian's profile until one is set: both of the
// library's languages, no campus, in person and online, no e-mails.
func DefaultProfile(userID int64) Profile {
	return Profile{UserID: userID, Languages: []string{"nb", "en"}, InPerson: true, Online: true}
}

// AppPassword is a password for one calendar app. Its plain text is shown
// once, when it is made; only its hash is kept.
type AppPassword struct {
	ID         int64
	UserID     int64
	Label      string
	CreatedAt  time.Time
	LastUsedAt time.Time // zero if never used
}

// TopicListing is a topic with the catalogue settings that only admins
// see: whether students are offered it, and its place in the list.
type TopicListing struct {
	Topic
	Active    bool
	SortOrder int
}

// OutboxStats counts the outbox's messages by status.
type OutboxStats struct {
	Pending, Sent, Failed, Skipped int
}

// FailedMessage is a message that could not be delivered, as an admin
// sees it: no personal data beyond the booking's number.
type FailedMessage struct {
	ID        int64
	Kind      MessageKind
	BookingID int64 // 0 when the booking is gone
	Sequence  int
	Attempts  int
	LastError string
	CreatedAt time.Time
}

// WeeklyHours is a weekly guidance window in a librarian's availability
// calendar: one recurring event (RRULE FREQ=WEEKLY;BYDAY, EXDATE for the
// exceptions), so that calendar apps show and edit the same window. The
// staff page writes and edits the ones it marked as its own (Managed);
// the others, made in a calendar app, it only lists.
type WeeklyHours struct {
	// Name is the calendar object's resource name; empty for a new one.
	Name, UID string
	// ETag is the object's ETag when it was read, so that an edit does not
	// overwrite a change made meanwhile in a calendar app.
	ETag    string
	Weekday time.Weekday
	// From and To are local times of day, in minutes after midnight.
	From, To int
	// Topics narrow the window to some of the librarian's topics (slugs);
	// empty means all of them.
	Topics []string
	// Place is where the meeting is, empty for the librarian's campus;
	// Online makes it an online meeting.
	Place  string
	Online bool
	// Exceptions are the local dates (midnight) without the window.
	Exceptions []time.Time
	// Managed is set for a window the staff page wrote; Editable when the
	// page can show it faithfully (a calendar app may since have given it
	// another rule or an override).
	Managed, Editable bool
	// Summary, Start, End and Recurring describe a window for the list:
	// its title and its first instance.
	Summary    string
	Start, End time.Time
	Recurring  bool
}
