package booking

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Status is where a booking stands.
type Status string

const (
	StatusConfirmed Status = "confirmed"
	StatusCancelled Status = "cancelled"
)

// Party says who did something to a booking.
type Party string

const (
	PartyStudent   Party = "student"
	PartyLibrarian Party = "librarian"
	PartyAdmin     Party = "admin"
	PartySystem    Party = "system"
)

// Booking is a student's reservation of one slot with one librarian for one
// topic. Its event lives in the librarian's bookings calendar under
// EventName, with EventUID as the iCalendar UID.
type Booking struct {
	ID          int64
	TopicID     int64
	LibrarianID int64
	Start, End  time.Time // UTC
	Online      bool
	Location    string

	StudentName  string
	StudentEmail string
	Question     string
	Programme    string // study programme or level, free text
	StudyLevel   string // bachelor, master, phd, staff, other
	Language     string // the meeting language, "nb" or "en"
	Locale       string // the language of the student's messages, "nb" or "en"
	// Answers are the student's answers to the library's own questions
	// (intake.go), in the form's order; personal data like the question.
	Answers []Answer

	Status      Status
	CancelledBy Party
	// Sequence is the iCalendar SEQUENCE of the event: it grows when the
	// time or status changes, so that invitations replace older ones.
	Sequence int
	EventUID string
	// EventName is the resource name of the event in the bookings calendar.
	EventName string
	// TokenHash is the SHA-256 of the manage link's token; the token itself
	// is only known to the student.
	TokenHash string
	CreatedAt time.Time
	UpdatedAt time.Time
	// Anonymised is set when personal data was removed after retention.
	Anonymised bool
	// BookedBy is the staff member who booked for the student at the
	// desk, and InquiryID the log entry it came from; both 0 for a
	// student's own booking. They are no personal data of the student's
	// and stay after retention, for the statistics.
	BookedBy  int64
	InquiryID int64
	// RequestID is the request the booking answered (0: none); the same
	// transaction marks the request booked.
	RequestID int64
	// StudentIdentity is the verified identity (Identity.Key) the student
	// booked with after signing in; "" for an anonymous booking.
	StudentIdentity string
}

// Active reports whether the booking still holds its slot.
func (b Booking) Active() bool { return b.Status == StatusConfirmed }

// Request is what a student sends to book.
type Request struct {
	TopicSlug    string
	Start        time.Time
	Language     string
	Mode         Mode
	Campus       string
	StudentName  string
	StudentEmail string
	Question     string
	Programme    string
	StudyLevel   string
	Locale       string
	Consent      bool
	// Answers are the answers to the topic's intake questions by
	// question ID, as typed (see Answers).
	Answers map[int64]string
	// BookedBy and InquiryID mark a booking made at the desk for the
	// student by that staff member, from that inquiry of theirs (0: none).
	BookedBy  int64
	InquiryID int64
	// LibrarianID asks for one librarian with the topic's competence; 0 is
	// "no preference", which keeps the fair assignment.
	LibrarianID int64
	// RequestID books a time for that request (its offered time, or the
	// librarian's direct booking); the booking records it.
	RequestID int64
	// StudentIdentity is the signed-in student's verified identity
	// (Identity.Key), whose name and e-mail address the request carries;
	// "" for an anonymous booking.
	StudentIdentity string
}

// Field limits, shared by the web form and the API.
const (
	MaxNameLen      = 200
	MaxEmailLen     = 254
	MaxQuestionLen  = 4000
	MaxProgrammeLen = 200
)

// FieldError names the request field that is wrong, so that a form can tie
// the message to its field.
type FieldError struct {
	Field string // "name", "email", "question", "programme", "study_level", "campus", "consent", "start", "topic", "language"
	// Code is a message key: "required", "too_long", "invalid"; for
	// "start" also "past", "too_soon", "too_far" and "off_grid" (see
	// Rules.CheckStart).
	Code string
}

func (e *FieldError) Error() string { return fmt.Sprintf("%s: %s", e.Field, e.Code) }
func (e *FieldError) Unwrap() error { return ErrInvalid }

// Validate checks a request's fields (not whether the slot is free) and
// returns a *FieldError for the first wrong one.
func (r *Request) Validate() error {
	r.StudentName = strings.TrimSpace(r.StudentName)
	r.StudentEmail = strings.TrimSpace(r.StudentEmail)
	r.Question = strings.TrimSpace(r.Question)
	r.Programme = strings.TrimSpace(r.Programme)
	switch {
	case r.TopicSlug == "":
		return &FieldError{"topic", "required"}
	case r.Start.IsZero():
		return &FieldError{"start", "required"}
	case r.StudentName == "":
		return &FieldError{"name", "required"}
	case utf8.RuneCountInString(r.StudentName) > MaxNameLen:
		return &FieldError{"name", "too_long"}
	case r.StudentEmail == "":
		return &FieldError{"email", "required"}
	case len(r.StudentEmail) > MaxEmailLen || !validEmail(r.StudentEmail):
		return &FieldError{"email", "invalid"}
	case utf8.RuneCountInString(r.Question) > MaxQuestionLen:
		return &FieldError{"question", "too_long"}
	case utf8.RuneCountInString(r.Programme) > MaxProgrammeLen:
		return &FieldError{"programme", "too_long"}
	case !r.Consent:
		return &FieldError{"consent", "required"}
	}
	for _, f := range []struct{ field, value string }{
		{"name", r.StudentName}, {"email", r.StudentEmail}, {"question", r.Question},
		{"programme", r.Programme}, {"campus", r.Campus},
	} {
		// Text is kept as sent, so it must be text: valid UTF-8 (never
		// silently repaired, which would store something the student did
		// not write) without NUL or other control characters but line
		// breaks and tabs.
		if !validText(f.value) {
			return &FieldError{f.field, "invalid"}
		}
	}
	level, err := ParseStudyLevel(r.StudyLevel)
	if err != nil {
		return err
	}
	r.StudyLevel = level
	return nil
}

// StudyLevels are the values a booking's study level may take; empty means
// not given.
var StudyLevels = []string{"bachelor", "master", "phd", "staff", "other"}

// ParseStudyLevel normalises a study level (case and spaces), or returns
// a *FieldError for "study_level" when it is none of StudyLevels.
func ParseStudyLevel(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" || slices.Contains(StudyLevels, s) {
		return s, nil
	}
	return "", &FieldError{"study_level", "invalid"}
}

// validText reports whether s is valid UTF-8 without control characters
// other than tab, line feed and carriage return.
func validText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' {
			return false
		}
	}
	return true
}

// validEmail accepts a bare address (no display name) with a dot in the
// domain, as a student types it.
func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && strings.Contains(s[at+1:], ".") && !strings.ContainsAny(s, " \t\r\n<>")
}

// EventChange is what a librarian's calendar app did to a booking's event.
type EventChange struct {
	Deleted    bool
	Cancelled  bool // STATUS:CANCELLED
	Start, End time.Time
}

// ChangeKind says what a booking change means for the student.
type ChangeKind string

const (
	ChangeNone      ChangeKind = ""
	ChangeCancelled ChangeKind = "cancelled"
	ChangeMoved     ChangeKind = "moved"
)

// ApplyEventChange works out how a change of the booking's event in the
// librarian's calendar changes the booking: deleting the event or setting
// it STATUS:CANCELLED cancels the booking; moving it moves the booking.
// Any other edit (a note in the description) changes nothing.
func ApplyEventChange(b Booking, ch EventChange, now time.Time) (Booking, ChangeKind) {
	if !b.Active() {
		return b, ChangeNone
	}
	switch {
	case ch.Deleted || ch.Cancelled:
		b.Status, b.CancelledBy = StatusCancelled, PartyLibrarian
		b.Sequence++
		b.UpdatedAt = now
		return b, ChangeCancelled
	case !ch.Start.IsZero() && !ch.End.IsZero() && (!ch.Start.Equal(b.Start) || !ch.End.Equal(b.End)):
		b.Start, b.End = ch.Start.UTC(), ch.End.UTC()
		b.Sequence++
		b.UpdatedAt = now
		return b, ChangeMoved
	}
	return b, ChangeNone
}

// Catalog is what students choose from: services and their topics.
type Catalog struct {
	Services []Service
	Topics   []Topic
	// Questions are every service's and topic's intake questions.
	Questions []Question
}

// QuestionsFor are the intake questions the form for t asks
// (AskedQuestions): none means the default questions.
func (c Catalog) QuestionsFor(t Topic) []Question {
	var serviceID int64
	for _, s := range c.Services {
		if s.Slug == t.ServiceSlug {
			serviceID = s.ID
		}
	}
	var own, svc []Question
	for _, q := range c.Questions {
		switch {
		case q.TopicID != 0 && q.TopicID == t.ID:
			own = append(own, q)
		case q.ServiceID != 0 && q.ServiceID == serviceID:
			svc = append(svc, q)
		}
	}
	return AskedQuestions(own, svc)
}

// SlotSearch is a student's slot search as the web front and the API send
// it; the scheduling service turns it into a SlotQuery.
type SlotSearch struct {
	TopicSlug string
	Language  string // "" for any
	Mode      Mode
	Campus    string // "" for any
	// From and To, when not zero, keep only slots starting in [From, To).
	From, To time.Time
	// RecordUnmet asks for the search to be recorded as unmet demand if
	// the student finds no slot at all within the booking horizon for
	// these filters (From and To do not narrow that judgement). Only the
	// search that stands for a student's visit sets it, so that paging
	// through empty weeks, or a page that asks again, does not count a
	// student twice, nor a student who saw free times elsewhere.
	RecordUnmet bool
}

// View is a booking with the names a page shows.
type View struct {
	Booking
	Topic         Topic
	LibrarianName string
	LibrarianMail string
	// LibrarianLanguages are the languages of the librarian's profile,
	// which their own e-mails are written in; the outbox's MessageBooking
	// fills them, other views may leave them empty.
	LibrarianLanguages []string
}

// MessageKind is what a message to a student (or librarian) is about.
type MessageKind string

const (
	MessageConfirmation MessageKind = "confirmation"
	MessageReminder     MessageKind = "reminder"
	MessageMoved        MessageKind = "moved"
	MessageCancelled    MessageKind = "cancelled"
	// MessageLibrarianNew tells a librarian who opted in about a new booking.
	MessageLibrarianNew MessageKind = "librarian-new"
	// MessageITIP carries an organizer's iTIP message (RFC 5546) about an
	// event in a staff calendar to an attendee outside Veileder, as iMIP
	// (RFC 6047). Unlike the others it holds its recipient and payload.
	MessageITIP MessageKind = "itip"
	// MessageRequestNew tells a librarian who opted in about a new request
	// in their competence; MessageRequestOffer sends the student the
	// times offered for their request, with the link to book one.
	MessageRequestNew   MessageKind = "request-new"
	MessageRequestOffer MessageKind = "request-offer"
	// MessageWaitlistOffer offers a student on a waitlist a time held for
	// them, with the link that books it; it refers to its offer
	// (WaitlistOfferID), not a booking.
	MessageWaitlistOffer MessageKind = "waitlist-offer"
)

// Message is an outbox entry: a notification to send about a booking. It
// holds only references; the sender renders the text from the booking as
// it is when sending, so personal data is not copied into the outbox.
type Message struct {
	ID        int64
	Kind      MessageKind
	BookingID int64
	// Sequence is the booking's Sequence when the message was queued; it
	// goes into the invitation and makes the Message-ID stable.
	Sequence  int
	SendAfter time.Time
	CreatedAt time.Time
	// ExternalCalendarID names the external calendar a message without a
	// booking is about (MessageExternalFailing).
	ExternalCalendarID int64
	// WaitlistOfferID names the offer a MessageWaitlistOffer is about.
	WaitlistOfferID int64
	// Recipient and Payload are a MessageITIP's attendee address and
	// iTIP object (text/calendar with METHOD); empty for other kinds.
	Recipient string
	Payload   []byte
	// RequestID names the request a MessageRequestNew or
	// MessageRequestOffer is about. UserID is the librarian a
	// MessageRequestNew goes to (the store queues one per librarian who
	// opted in), or the one a MessageLibrarianRelease is for: the
	// booking's librarian before it moved to another.
	RequestID int64
	UserID    int64
}

// ITIPDelivery is one organizer's iTIP message (RFC 5546) for one
// attendee, from a write to a staff calendar (RFC 6638 scheduling): to the
// schedule inbox of a Veileder user (UserID), else by e-mail to Recipient.
type ITIPDelivery struct {
	UserID    int64  // the attendee's account; 0 for e-mail
	Recipient string // the attendee's e-mail address
	Method    string // REQUEST or CANCEL
	UID       string
	Sequence  int
	Data      []byte // the iTIP iCalendar object, with METHOD
}
