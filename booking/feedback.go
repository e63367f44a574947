package booking

import (
	"strings"
	"time"
	"unicode/utf8"
)

// After the meeting: a follow-up e-mail asks the student for a rating
// (1–5) and an optional comment; the librarian marks the meeting held or
// a no-show. Ratings are statistics: they name the topic, not the
// student, and outlive the booking's personal data.

const (
	// MessageFollowUp asks the student, after the meeting, how it was.
	MessageFollowUp MessageKind = "followup"
	// MessageLibrarianFollowUp asks the librarian who opted in to
	// e-mails whether the meeting took place.
	MessageLibrarianFollowUp MessageKind = "librarian-followup"
)

// Rating bounds and the comment's length.
const (
	MinRating             = 1
	MaxRating             = 5
	MaxFeedbackCommentLen = 2000
)

// Feedback is a student's rating of one meeting.
type Feedback struct {
	BookingID int64 // 0 once the booking's personal data is gone
	TopicID   int64
	Rating    int
	Comment   string
	CreatedAt time.Time
}

// Validate checks the rating and the comment (trimmed); a *FieldError
// for "rating" or "comment" otherwise.
func (f *Feedback) Validate() error {
	f.Comment = strings.TrimSpace(f.Comment)
	switch {
	case f.Rating < MinRating || f.Rating > MaxRating:
		return &FieldError{"rating", "invalid"}
	case utf8.RuneCountInString(f.Comment) > MaxFeedbackCommentLen:
		return &FieldError{"comment", "too_long"}
	case !validText(f.Comment):
		return &FieldError{"comment", "invalid"}
	}
	return nil
}

// RatingRow sums up the ratings of one topic or service.
type RatingRow struct {
	Slug           string
	NameNB, NameEN string
	// Count is how many ratings there are, Sum their total, and Stars
	// how many gave each rating (Stars[0] for 1, …, Stars[4] for 5).
	Count, Sum int
	Stars      [MaxRating]int
}

// Name is the row's topic or service in lang, as InLang picks.
func (r RatingRow) Name(lang string) string {
	if n := InLang(lang, r.NameNB, r.NameEN); n != "" {
		return n
	}
	return r.Slug
}

// Average is the mean rating, 0 without ratings.
func (r RatingRow) Average() float64 {
	if r.Count == 0 {
		return 0
	}
	return float64(r.Sum) / float64(r.Count)
}

// FeedbackComment is one comment as the statistics list it: with its
// topic and rating, never with who wrote it.
type FeedbackComment struct {
	TopicNB, TopicEN string
	Rating           int
	Comment          string
	At               time.Time
}

// FeedbackStats are the ratings of a period, per topic and per service,
// and the comments given.
type FeedbackStats struct {
	ByTopic, ByService []RatingRow
	Comments           []FeedbackComment
}
