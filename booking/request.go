package booking

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Requests: when no free time fits, desk staff (or the student, from the
// topic's page) file a request for the topic. It goes to the librarians
// with that competence; one takes it, offers times from their own free
// slots, and the student books one from a link, or the librarian books
// one directly for the student.
//
//	open ──take──▶ taken ──offer──▶ offered ──book──▶ booked
//	  │              │  └───────────book────────────▶ booked
//	  └──────────────┴──────────close (staff)──────▶ closed
//
// An offered request may be offered more times, and closed. A request
// holds the student's personal data (name, e-mail, what they need, their
// preferred times) until the retention purge clears it; the row, its
// topic, times and states stay for the competence page's counts.

// RequestState is where a request stands.
type RequestState string

const (
	RequestOpen    RequestState = "open"
	RequestTaken   RequestState = "taken"
	RequestOffered RequestState = "offered"
	RequestBooked  RequestState = "booked"
	RequestClosed  RequestState = "closed"
)

// RequestStates are the states in the order of the flow.
var RequestStates = []RequestState{RequestOpen, RequestTaken, RequestOffered, RequestBooked, RequestClosed}

// Final reports whether nothing more can happen to a request in the state.
func (s RequestState) Final() bool { return s == RequestBooked || s == RequestClosed }

// Unanswered reports whether the student still waits for an answer: no
// librarian has offered a time yet. The response target is about these.
func (s RequestState) Unanswered() bool { return s == RequestOpen || s == RequestTaken }

// Limits of a request's fields.
const (
	MaxRequestNeedLen   = 2000
	MaxRequestTimesLen  = 500
	MaxRequestReasonLen = 500
	// MaxRequestOffers is how many times one request may hold in all.
	MaxRequestOffers = 10
)

// DefaultResponseDays is the default response target: a librarian
// answers a request (offers a time, books or closes it) within two
// working days of its filing.
const DefaultResponseDays = 2

// HelpRequest is a request for guidance in a topic that no free time
// fitted. (Request is the student's booking form.)
type HelpRequest struct {
	ID      int64
	TopicID int64
	// Need is what the student needs help with, Times their preferred
	// times as free text.
	Need  string
	Times string
	// Language is the meeting language wished for ("" for any), Mode in
	// person, online or any.
	Language string
	Mode     Mode
	// StudentName and StudentEmail reach the student; Locale is the
	// language of their e-mails, "nb" or "en".
	StudentName  string
	StudentEmail string
	Locale       string
	// FiledBy is the staff member who filed it for the student (0: the
	// student did, or the account is gone); InquiryID the desk log entry
	// it came from.
	FiledBy   int64
	InquiryID int64

	State RequestState
	// TakenBy is the librarian who took it, at TakenAt.
	TakenBy int64
	TakenAt time.Time
	// BookingID is the booking it ended in.
	BookingID int64
	// ClosedBy (staff) closed it for CloseReason.
	ClosedBy    int64
	CloseReason string
	// Round counts the times offered in batches: each offer raises it,
	// and the student's e-mail carries it (one e-mail per round).
	Round int
	// DueAt is the response target: the end of the working day by which
	// a librarian should have answered, fixed when the request is filed.
	DueAt time.Time
	// UID names the request; its student's link token may be derived
	// from it, and only the token's hash is kept in TokenHash.
	UID        string
	TokenHash  string
	Anonymised bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
	// AnsweredAt is when it was first offered, booked or closed.
	AnsweredAt time.Time
}

// RequestOffer is one time a librarian offered for a request: a slot of
// theirs that was free when offered.
type RequestOffer struct {
	ID          int64
	RequestID   int64
	LibrarianID int64
	Start, End  time.Time
	Online      bool
	Round       int
}

// OfferPick is a time a librarian picked to offer: a slot's start and
// whether it is the online kind.
type OfferPick struct {
	Start  time.Time
	Online bool
}

// RequestView is a request with what pages and e-mails show.
type RequestView struct {
	HelpRequest
	Topic     Topic
	TakenName string
	// TakenMail is the e-mail address of the librarian who took it.
	TakenMail string
	Offers    []RequestOffer
}

// Overdue reports whether the request is still unanswered past its
// response target at now.
func (r HelpRequest) Overdue(now time.Time) bool {
	return r.State.Unanswered() && !r.DueAt.IsZero() && now.After(r.DueAt)
}

// Validate checks a new request's fields and normalises them: a topic, a
// need, a name and a bare e-mail address, text within its limits, a
// known mode and locale.
func (r *HelpRequest) Validate() error {
	r.Need = strings.TrimSpace(r.Need)
	r.Times = strings.TrimSpace(r.Times)
	r.StudentName = strings.TrimSpace(r.StudentName)
	r.StudentEmail = strings.TrimSpace(r.StudentEmail)
	r.Language = strings.ToLower(strings.TrimSpace(r.Language))
	if r.Locale != "en" {
		r.Locale = "nb"
	}
	m, err := ParseMode(string(r.Mode))
	if err != nil {
		return &FieldError{"mode", "invalid"}
	}
	r.Mode = m
	switch {
	case r.TopicID <= 0:
		return &FieldError{"topic", "required"}
	case r.Need == "":
		return &FieldError{"need", "required"}
	case utf8.RuneCountInString(r.Need) > MaxRequestNeedLen:
		return &FieldError{"need", "too_long"}
	case utf8.RuneCountInString(r.Times) > MaxRequestTimesLen:
		return &FieldError{"times", "too_long"}
	case r.StudentName == "":
		return &FieldError{"name", "required"}
	case utf8.RuneCountInString(r.StudentName) > MaxNameLen:
		return &FieldError{"name", "too_long"}
	case r.StudentEmail == "":
		return &FieldError{"email", "required"}
	case len(r.StudentEmail) > MaxEmailLen || !validEmail(r.StudentEmail):
		return &FieldError{"email", "invalid"}
	case r.Language != "" && r.Language != "nb" && r.Language != "en":
		return &FieldError{"language", "invalid"}
	}
	for _, f := range []struct{ field, value string }{
		{"need", r.Need}, {"times", r.Times}, {"name", r.StudentName}, {"email", r.StudentEmail},
	} {
		if !validText(f.value) {
			return &FieldError{f.field, "invalid"}
		}
	}
	return nil
}

// NewHelpRequest starts a request filed at now, open, with its response
// target days working days ahead in loc (DueBy).
func NewHelpRequest(r HelpRequest, now time.Time, days int, loc *time.Location) HelpRequest {
	r.State = RequestOpen
	r.CreatedAt, r.UpdatedAt = now, now
	r.DueAt = DueBy(now, days, loc)
	return r
}

// DueBy is the response target of a request filed at t: the end of the
// days-th working day after t's day in loc (Monday to Friday count;
// Saturday and Sunday do not). A request filed on Friday afternoon with
// two days is due at the end of Tuesday; one filed on Saturday, at the
// end of Tuesday too, as the weekend's days are not working days. Zero or
// fewer days is the end of t's own day (or the next working day's end
// when t falls on a weekend). Public holidays are not known here.
func DueBy(t time.Time, days int, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	l := t.In(loc)
	d := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
	if !workingDay(d) {
		// Filed on a weekend: the next working day is the first of the
		// days (or the day itself for zero).
		for !workingDay(d) {
			d = d.AddDate(0, 0, 1)
		}
		if days > 0 {
			days--
		}
	}
	for ; days > 0; days-- {
		d = d.AddDate(0, 0, 1)
		for !workingDay(d) {
			d = d.AddDate(0, 0, 1)
		}
	}
	// The end of that day: its next midnight, which AddDate finds on the
	// wall clock across a DST change.
	return d.AddDate(0, 0, 1).UTC()
}

func workingDay(d time.Time) bool { return d.Weekday() != time.Saturday && d.Weekday() != time.Sunday }

// Take gives an open request to librarian by at now. A request another
// librarian took, or one past taking, is ErrConflict: the store makes
// the same check in one conditional write, so that of two librarians
// taking at once one wins.
func (r HelpRequest) Take(by int64, now time.Time) (HelpRequest, error) {
	if by == 0 {
		return r, fmt.Errorf("take request %d: no librarian: %w", r.ID, ErrInvalid)
	}
	if r.State != RequestOpen {
		return r, fmt.Errorf("take request %d in state %s: %w", r.ID, r.State, ErrConflict)
	}
	r.State, r.TakenBy, r.TakenAt, r.UpdatedAt = RequestTaken, by, now, now
	return r, nil
}

// Offer records that librarian by offered n more times at now. Only the
// librarian who took the request offers, while it is taken or offered,
// and at most MaxRequestOffers in all (held already).
func (r HelpRequest) Offer(by int64, n, held int, now time.Time) (HelpRequest, error) {
	switch {
	case r.State != RequestTaken && r.State != RequestOffered:
		return r, fmt.Errorf("offer for request %d in state %s: %w", r.ID, r.State, ErrConflict)
	case r.TakenBy != by:
		return r, fmt.Errorf("offer for request %d taken by %d: %w", r.ID, r.TakenBy, ErrForbidden)
	case n <= 0:
		return r, fmt.Errorf("offer for request %d: no times: %w", r.ID, &FieldError{"offers", "required"})
	case held+n > MaxRequestOffers:
		return r, fmt.Errorf("offer for request %d: %d times: %w", r.ID, held+n, &FieldError{"offers", "too_long"})
	}
	r.State = RequestOffered
	r.Round++
	r.UpdatedAt = now
	if r.AnsweredAt.IsZero() {
		r.AnsweredAt = now
	}
	return r, nil
}

// CanBook reports whether a booking may end the request: it is taken or
// offered (the student books an offered time; the librarian who took it
// books directly). by is the librarian booking directly, 0 for the
// student.
func (r HelpRequest) CanBook(by int64) error {
	switch {
	case r.State == RequestBooked:
		return fmt.Errorf("request %d is booked already: %w", r.ID, ErrConflict)
	case r.State == RequestClosed:
		return fmt.Errorf("request %d is closed: %w", r.ID, ErrConflict)
	case by == 0 && r.State != RequestOffered:
		return fmt.Errorf("request %d has no offered times: %w", r.ID, ErrConflict)
	case by != 0 && r.State == RequestOpen:
		return fmt.Errorf("request %d is not taken: %w", r.ID, ErrConflict)
	case by != 0 && r.TakenBy != by:
		return fmt.Errorf("request %d is taken by %d: %w", r.ID, r.TakenBy, ErrForbidden)
	}
	return nil
}

// Booked ends the request in booking bookingID at now (CanBook first).
func (r HelpRequest) Booked(bookingID int64, now time.Time) (HelpRequest, error) {
	if r.State != RequestTaken && r.State != RequestOffered {
		return r, fmt.Errorf("book request %d in state %s: %w", r.ID, r.State, ErrConflict)
	}
	r.State, r.BookingID, r.UpdatedAt = RequestBooked, bookingID, now
	if r.AnsweredAt.IsZero() {
		r.AnsweredAt = now
	}
	return r, nil
}

// Close ends a request that is not booked, by a staff member, for a
// reason (required: the desk and the section head read it).
func (r HelpRequest) Close(by int64, reason string, now time.Time) (HelpRequest, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case r.State.Final():
		return r, fmt.Errorf("close request %d in state %s: %w", r.ID, r.State, ErrConflict)
	case by == 0:
		return r, fmt.Errorf("close request %d: no staff member: %w", r.ID, ErrInvalid)
	case reason == "":
		return r, fmt.Errorf("close request %d: %w", r.ID, &FieldError{"reason", "required"})
	case utf8.RuneCountInString(reason) > MaxRequestReasonLen || !validText(reason):
		return r, fmt.Errorf("close request %d: %w", r.ID, &FieldError{"reason", "too_long"})
	}
	r.State, r.ClosedBy, r.CloseReason, r.UpdatedAt = RequestClosed, by, reason, now
	if r.AnsweredAt.IsZero() {
		r.AnsweredAt = now
	}
	return r, nil
}

// RequestSearch selects requests. Zero fields do not filter.
type RequestSearch struct {
	// TopicIDs keeps requests for these topics; TakenBy adds those
	// taken by that librarian whatever their topic (a librarian's list).
	TopicIDs []int64
	TakenBy  int64
	States   []RequestState
	// InquiryIDs keeps those filed from these desk log entries.
	InquiryIDs []int64
}

// Matches reports whether r is one the search selects.
func (f RequestSearch) Matches(r HelpRequest) bool {
	if len(f.States) > 0 && !slices.Contains(f.States, r.State) {
		return false
	}
	if len(f.InquiryIDs) > 0 && !slices.Contains(f.InquiryIDs, r.InquiryID) {
		return false
	}
	if len(f.TopicIDs) > 0 || f.TakenBy != 0 {
		return slices.Contains(f.TopicIDs, r.TopicID) || (f.TakenBy != 0 && r.TakenBy == f.TakenBy)
	}
	return true
}

// RequestFact is a request as the competence page counts it: no
// personal data, so it survives the retention purge.
type RequestFact struct {
	TopicID   int64
	State     RequestState
	CreatedAt time.Time
	DueAt     time.Time
	// AnsweredAt is zero while unanswered.
	AnsweredAt time.Time
}

// Overdue reports whether the request is still unanswered past its
// target at now, as HelpRequest.Overdue.
func (f RequestFact) Overdue(now time.Time) bool {
	return f.State.Unanswered() && !f.DueAt.IsZero() && now.After(f.DueAt)
}
