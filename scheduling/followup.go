package scheduling

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/veileder/veileder/booking"
)

// After the meeting: the links in the follow-up e-mails. The student's
// rating link and the librarian's held / no-show links carry a token
// derived from the booking under Config.TokenKey, so nothing is stored
// for them: "<booking id>.<HMAC>", where the HMAC covers what the link
// may do, the booking and its event UID. A link works for its booking
// only, and stops working when the booking is anonymised.

// Link purposes, each with its own HMAC.
const (
	purposeFeedback   = "feedback"
	purposeAttendance = "attendance"
)

// followUpToken is the link token of a booking for purpose.
func (s *Service) followUpToken(purpose string, b booking.Booking) string {
	m := hmac.New(sha256.New, s.tokenKey)
	fmt.Fprintf(m, "veileder %s link\x00%d\x00%s\x00%d", purpose, b.ID, b.EventUID, b.LibrarianID)
	return strconv.FormatInt(b.ID, 10) + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// FeedbackURL is the student's rating page of a booking, for the
// follow-up e-mail; "" without a token key.
func (s *Service) FeedbackURL(b booking.Booking) string {
	if len(s.tokenKey) == 0 || b.ID == 0 {
		return ""
	}
	return s.baseURL + "/feedback/" + s.followUpToken(purposeFeedback, b)
}

// AttendanceURL is the librarian's page to mark a booking's meeting held
// or a no-show, for their follow-up e-mail; "" without a token key.
func (s *Service) AttendanceURL(b booking.Booking) string {
	if len(s.tokenKey) == 0 || b.ID == 0 {
		return ""
	}
	return s.baseURL + "/attendance/" + s.followUpToken(purposeAttendance, b)
}

// followUpBooking finds the booking of a link token, checking its HMAC.
// booking.ErrNotFound for a token that is not one, or whose booking is
// gone or anonymised (the link's end with the personal data).
func (s *Service) followUpBooking(ctx context.Context, purpose, token string) (booking.View, error) {
	idText, _, ok := strings.Cut(token, ".")
	id, err := strconv.ParseInt(idText, 10, 64)
	if !ok || err != nil || id <= 0 || len(s.tokenKey) == 0 {
		return booking.View{}, fmt.Errorf("scheduling: %s link: %w", purpose, booking.ErrNotFound)
	}
	b, err := s.store.BookingByID(ctx, id)
	if err != nil {
		return booking.View{}, fmt.Errorf("scheduling: %s link: %w", purpose, err)
	}
	if b.Anonymised || !hmac.Equal([]byte(s.followUpToken(purpose, b)), []byte(token)) {
		return booking.View{}, fmt.Errorf("scheduling: %s link of booking %d: %w", purpose, id, booking.ErrNotFound)
	}
	return s.view(ctx, b)
}

// FeedbackBooking is the booking a rating link is about, and its rating
// when it has one (zero Feedback otherwise).
func (s *Service) FeedbackBooking(ctx context.Context, token string) (booking.View, booking.Feedback, error) {
	v, err := s.followUpBooking(ctx, purposeFeedback, token)
	if err != nil {
		return booking.View{}, booking.Feedback{}, err
	}
	f, err := s.store.FeedbackOf(ctx, v.ID)
	if err != nil && !errors.Is(err, booking.ErrNotFound) {
		return booking.View{}, booking.Feedback{}, err
	}
	return v, f, nil
}

// RecordFeedback stores the student's rating of the meeting of a rating
// link. booking.ErrConflict when the meeting was rated already;
// booking.ErrInvalid (a *booking.FieldError) for a rating out of 1–5 or a
// comment too long, and for a meeting that has not begun or was
// cancelled.
func (s *Service) RecordFeedback(ctx context.Context, token string, rating int, comment string) error {
	v, err := s.followUpBooking(ctx, purposeFeedback, token)
	if err != nil {
		return err
	}
	if !v.Active() || s.now().Before(v.Start) {
		return fmt.Errorf("scheduling: feedback of booking %d: the meeting has not taken place: %w", v.ID, booking.ErrInvalid)
	}
	f := booking.Feedback{BookingID: v.ID, TopicID: v.TopicID, Rating: rating, Comment: comment, CreatedAt: s.now()}
	if err := s.store.InsertFeedback(ctx, f); err != nil {
		return fmt.Errorf("scheduling: feedback of booking %d: %w", v.ID, err)
	}
	return nil
}

// AttendanceBooking is the booking an attendance link is about.
func (s *Service) AttendanceBooking(ctx context.Context, token string) (booking.View, error) {
	return s.followUpBooking(ctx, purposeAttendance, token)
}

// MarkAttendance marks the meeting of an attendance link held or a
// no-show (or clears the mark), as the librarian does on their bookings
// page. booking.ErrInvalid before the meeting has begun or for a
// cancelled booking.
func (s *Service) MarkAttendance(ctx context.Context, token string, a booking.Attendance) error {
	v, err := s.followUpBooking(ctx, purposeAttendance, token)
	if err != nil {
		return err
	}
	if !v.Active() || s.now().Before(v.Start) {
		return fmt.Errorf("scheduling: attendance of booking %d: the meeting has not begun: %w", v.ID, booking.ErrInvalid)
	}
	return s.store.SetAttendance(ctx, v.ID, v.LibrarianID, a)
}
