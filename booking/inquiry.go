package booking

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// The first line's inquiry log: what students ask at the desk, on the
// phone, by e-mail and chat, counted so that the library can see where
// its competence is needed. An inquiry holds no personal data about the
// student, so it outlives the retention purge and its counts with it.

// Channel is how an inquiry reached the first line.
type Channel string

const (
	ChannelDesk    Channel = "desk"
	ChannelPhone   Channel = "phone"
	ChannelEmail   Channel = "email"
	ChannelChat    Channel = "chat"
	ChannelRoaming Channel = "roaming"
)

// Channels are the channels in the order the log offers them.
var Channels = []Channel{ChannelDesk, ChannelPhone, ChannelEmail, ChannelChat, ChannelRoaming}

// Outcome is how an inquiry ended.
type Outcome string

const (
	OutcomeAnswered Outcome = "answered"
	// OutcomeReferred sent the student to a librarian without a booking.
	OutcomeReferred Outcome = "referred"
	// OutcomeBooked booked a librarian for the student at the desk; the
	// booking records the inquiry.
	OutcomeBooked Outcome = "booked"
	// OutcomeElsewhere sent the student outside the library's guidance.
	OutcomeElsewhere Outcome = "elsewhere"
)

// Outcomes are the outcomes in the order the log offers them.
var Outcomes = []Outcome{OutcomeAnswered, OutcomeReferred, OutcomeBooked, OutcomeElsewhere}

// Referred reports whether the outcome handed the student on to a
// librarian (referred or booked): the share the competence page counts.
func (o Outcome) Referred() bool { return o == OutcomeReferred || o == OutcomeBooked }

// The READ scale (Reference Effort Assessment Data, Gerlich and Berard)
// grades an inquiry's effort from 1 (directions, no expertise) to 6
// (in-depth research help over time).
const (
	MinREAD = 1
	MaxREAD = 6
)

// Limits of an inquiry's fields.
const (
	MaxInquiryMinutes = 600
	MaxInquiryNoteLen = 1000
	MaxInquiryTags    = 5
	MaxInquiryTagLen  = 60
)

// Inquiry is one entry of the first-line log.
type Inquiry struct {
	ID int64
	// UserID is the staff member who logged it; 0 once the account is
	// gone (the entry still counts).
	UserID  int64
	Channel Channel
	// TopicID is the topic from the competence vocabulary; 0 means
	// "other", described by Tags.
	TopicID int64
	// Tags are free-text words for an inquiry no topic fits, lower case,
	// for admins to map to topics later.
	Tags    []string
	READ    int
	Minutes int
	Outcome Outcome
	// Note is free text for the staff member; the form warns against
	// personal data in it.
	Note string
	// BookingID is the booking made for the student from this inquiry.
	BookingID int64
	// At is when the inquiry was logged, CreatedAt and UpdatedAt when
	// the row was written.
	At        time.Time
	UpdatedAt time.Time
}

// ParseChannel accepts a channel name in any case.
func ParseChannel(s string) (Channel, error) {
	c := Channel(strings.ToLower(strings.TrimSpace(s)))
	if slices.Contains(Channels, c) {
		return c, nil
	}
	return "", fmt.Errorf("channel %q: %w", s, &FieldError{Field: "channel", Code: "invalid"})
}

// ParseOutcome accepts an outcome name in any case.
func ParseOutcome(s string) (Outcome, error) {
	o := Outcome(strings.ToLower(strings.TrimSpace(s)))
	if slices.Contains(Outcomes, o) {
		return o, nil
	}
	return "", fmt.Errorf("outcome %q: %w", s, &FieldError{Field: "outcome", Code: "invalid"})
}

// ParseTags splits free text at commas into at most MaxInquiryTags tags,
// trimmed, lower case, without repeats.
func ParseTags(s string) ([]string, error) {
	var tags []string
	for part := range strings.SplitSeq(s, ",") {
		t := strings.ToLower(strings.Join(strings.Fields(part), " "))
		if t == "" || slices.Contains(tags, t) {
			continue
		}
		if utf8.RuneCountInString(t) > MaxInquiryTagLen {
			return nil, fmt.Errorf("tag %q: %w", t, &FieldError{Field: "tags", Code: "too_long"})
		}
		tags = append(tags, t)
	}
	if len(tags) > MaxInquiryTags {
		return nil, fmt.Errorf("%d tags: %w", len(tags), &FieldError{Field: "tags", Code: "too_long"})
	}
	return tags, nil
}

// Validate checks an inquiry's fields: a known channel and outcome, READ
// 1–6, 0 to MaxInquiryMinutes minutes, at least one tag for "other", a note within its limit. It does not check that TopicID
// exists; the store's foreign key does.
func (q Inquiry) Validate() error {
	if _, err := ParseChannel(string(q.Channel)); err != nil {
		return err
	}
	if _, err := ParseOutcome(string(q.Outcome)); err != nil {
		return err
	}
	if q.READ < MinREAD || q.READ > MaxREAD {
		return fmt.Errorf("READ %d: %w", q.READ, &FieldError{Field: "read", Code: "invalid"})
	}
	if q.Minutes < 0 || q.Minutes > MaxInquiryMinutes {
		return fmt.Errorf("%d minutes: %w", q.Minutes, &FieldError{Field: "minutes", Code: "invalid"})
	}
	switch {
	case q.TopicID < 0:
		return fmt.Errorf("topic %d: %w", q.TopicID, &FieldError{Field: "topic", Code: "invalid"})
	case q.TopicID == 0 && len(q.Tags) == 0:
		return fmt.Errorf("other without tags: %w", &FieldError{Field: "tags", Code: "required"})
	case len(q.Tags) > MaxInquiryTags:
		return fmt.Errorf("%d tags: %w", len(q.Tags), &FieldError{Field: "tags", Code: "too_long"})
	}
	for _, t := range q.Tags {
		if t == "" || utf8.RuneCountInString(t) > MaxInquiryTagLen {
			return fmt.Errorf("tag %q: %w", t, &FieldError{Field: "tags", Code: "invalid"})
		}
	}
	if utf8.RuneCountInString(q.Note) > MaxInquiryNoteLen {
		return fmt.Errorf("note: %w", &FieldError{Field: "note", Code: "too_long"})
	}
	return nil
}

// InquirySearch selects inquiries. Zero fields do not filter.
type InquirySearch struct {
	UserID int64
	// From and To keep inquiries logged in [From, To).
	From, To time.Time
}

// DeskSlot is a free slot as desk staff see it when they book for a
// student: the slot a student would see, and the librarian the booking
// would go to if it were made now.
type DeskSlot struct {
	Slot
	LibrarianID   int64
	LibrarianName string
	Location      string
}

// APIToken is a staff member's token for the JSON API, for a desk system
// or a chat plug-in that logs inquiries in their name. Its plain text is
// shown once, when it is made; only its hash is kept.
type APIToken struct {
	ID         int64
	UserID     int64
	Label      string
	CreatedAt  time.Time
	LastUsedAt time.Time // zero if never used
}
