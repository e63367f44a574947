package booking

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// The waitlist: a student who finds no free time in a topic leaves their
// address and what suits them; a time that frees up or is added later is
// offered to the students waiting, first come first served, one at a time,
// held for them for a short while.

// WaitlistStatus is where a waitlist entry stands.
type WaitlistStatus string

const (
	// WaitlistWaiting is in the queue, with or without an open offer.
	WaitlistWaiting WaitlistStatus = "waiting"
	WaitlistBooked  WaitlistStatus = "booked"
	WaitlistLeft    WaitlistStatus = "left"
	WaitlistExpired WaitlistStatus = "expired"
)

// OfferStatus is where a waitlist offer stands.
type OfferStatus string

const (
	// OfferOpen holds its time for the student until it expires.
	OfferOpen      OfferStatus = "open"
	OfferAccepted  OfferStatus = "accepted"
	OfferExpired   OfferStatus = "expired"
	OfferWithdrawn OfferStatus = "withdrawn"
)

// Parts of the day a student may ask for, in the library's time zone.
const (
	// Morning is a meeting starting before noon.
	Morning = "morning"
	// Afternoon is a meeting starting at noon or later.
	Afternoon = "afternoon"
)

// TimesOfDay are the values WaitlistEntry.TimesOfDay may hold.
var TimesOfDay = []string{Morning, Afternoon}

// WaitlistEntry is one student waiting for a time in one topic.
type WaitlistEntry struct {
	ID      int64
	TopicID int64
	Name    string
	Email   string
	// Mode, Language and LibrarianID narrow the times offered: ModeAny,
	// "" and 0 for any.
	Mode        Mode
	Language    string
	LibrarianID int64
	// Weekdays and TimesOfDay are the days and parts of the day that suit,
	// in the library's time zone; empty for any.
	Weekdays   []time.Weekday
	TimesOfDay []string
	Locale     string // the language of the student's e-mails, "nb" or "en"
	// UID derives the token of the "leave the waitlist" link; TokenHash is
	// its SHA-256.
	UID       string
	TokenHash string
	Status    WaitlistStatus
	CreatedAt time.Time
	// ExpiresAt is when the entry stops waiting if nothing was booked.
	ExpiresAt time.Time
	EndedAt   time.Time
}

// Suits reports whether a meeting starting at start (in loc) falls on a
// weekday and in a part of the day the entry asked for.
func (e WaitlistEntry) Suits(start time.Time, loc *time.Location) bool {
	lt := start.In(loc)
	if len(e.Weekdays) > 0 && !slices.Contains(e.Weekdays, lt.Weekday()) {
		return false
	}
	if len(e.TimesOfDay) > 0 {
		part := Morning
		if lt.Hour() >= 12 {
			part = Afternoon
		}
		if !slices.Contains(e.TimesOfDay, part) {
			return false
		}
	}
	return true
}

// WaitlistOffer is a time offered to a waitlist entry. While it is open and
// has not expired it holds the time: slot search reads it as the
// librarian's busy time, so that nobody else can book it.
type WaitlistOffer struct {
	ID          int64
	EntryID     int64
	TopicID     int64
	LibrarianID int64
	Start, End  time.Time // UTC
	Online      bool
	Location    string
	// UID derives the token of the offer's link; TokenHash is its SHA-256.
	UID       string
	TokenHash string
	Status    OfferStatus
	OfferedAt time.Time
	ExpiresAt time.Time
	// BookingID is the booking an accepted offer became.
	BookingID int64
}

// Holds reports whether the offer keeps its time from others at now.
func (o WaitlistOffer) Holds(now time.Time) bool {
	return o.Status == OfferOpen && now.Before(o.ExpiresAt)
}

// OfferView is an offer with what its page and e-mail show.
type OfferView struct {
	Offer         WaitlistOffer
	Entry         WaitlistEntry
	Topic         Topic
	LibrarianName string
}

// WaitlistRequest is what a student sends to join a topic's waitlist.
type WaitlistRequest struct {
	TopicSlug   string
	Name        string
	Email       string
	Mode        Mode
	Language    string
	Weekdays    []time.Weekday
	TimesOfDay  []string
	LibrarianID int64
	Locale      string
	Consent     bool
}

// Validate checks the request's fields and returns a *FieldError for the
// first wrong one; it normalises what it keeps (spaces, case, order,
// duplicates).
func (r *WaitlistRequest) Validate() error {
	r.Name = strings.TrimSpace(r.Name)
	r.Email = strings.TrimSpace(r.Email)
	r.Language = strings.ToLower(strings.TrimSpace(r.Language))
	switch {
	case strings.TrimSpace(r.TopicSlug) == "":
		return &FieldError{"topic", "required"}
	case r.Name == "":
		return &FieldError{"name", "required"}
	case utf8.RuneCountInString(r.Name) > MaxNameLen:
		return &FieldError{"name", "too_long"}
	case !validText(r.Name):
		return &FieldError{"name", "invalid"}
	case r.Email == "":
		return &FieldError{"email", "required"}
	case len(r.Email) > MaxEmailLen || !validEmail(r.Email):
		return &FieldError{"email", "invalid"}
	case r.Mode != ModeAny && r.Mode != ModeInPerson && r.Mode != ModeOnline:
		return &FieldError{"mode", "invalid"}
	case len(r.Language) > 10 || strings.ContainsFunc(r.Language, func(c rune) bool { return (c < 'a' || c > 'z') && c != '-' }):
		return &FieldError{"language", "invalid"}
	case r.LibrarianID < 0:
		return &FieldError{"librarian", "invalid"}
	case !r.Consent:
		return &FieldError{"consent", "required"}
	}
	for _, d := range r.Weekdays {
		if d < time.Sunday || d > time.Saturday {
			return &FieldError{"weekdays", "invalid"}
		}
	}
	slices.Sort(r.Weekdays)
	r.Weekdays = slices.Compact(r.Weekdays)
	for i, p := range r.TimesOfDay {
		p = strings.ToLower(strings.TrimSpace(p))
		if !slices.Contains(TimesOfDay, p) {
			return &FieldError{"times_of_day", "invalid"}
		}
		r.TimesOfDay[i] = p
	}
	slices.Sort(r.TimesOfDay)
	r.TimesOfDay = slices.Compact(r.TimesOfDay)
	return nil
}

// DefaultOfferHold is how long an offer holds its time for the student.
const DefaultOfferHold = 30 * time.Minute
