package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/veileder/veileder/booking"
)

// The first line's inquiry log (migration 00012). An inquiry holds no
// personal data of the student, so the retention purge leaves it alone.

// inquiryRow is a row of inquiries.
type inquiryRow struct {
	ID        int64         `db:"id"`
	UserID    sql.NullInt64 `db:"user_id"`
	Channel   string        `db:"channel"`
	TopicID   sql.NullInt64 `db:"topic_id"`
	Tags      string        `db:"tags"`
	READ      int           `db:"read_level"`
	Minutes   int           `db:"minutes"`
	Outcome   string        `db:"outcome"`
	Note      string        `db:"note"`
	BookingID sql.NullInt64 `db:"booking_id"`
	At        int64         `db:"at"`
	UpdatedAt int64         `db:"updated_at"`
}

const inquiryColumns = `id, user_id, channel, topic_id, tags, read_level, minutes, outcome, note, booking_id, at, updated_at`

func (r inquiryRow) inquiry() booking.Inquiry {
	q := booking.Inquiry{
		ID: r.ID, UserID: r.UserID.Int64, Channel: booking.Channel(r.Channel), TopicID: r.TopicID.Int64,
		READ: r.READ, Minutes: r.Minutes, Outcome: booking.Outcome(r.Outcome), Note: r.Note,
		BookingID: r.BookingID.Int64, At: fromUnix(r.At), UpdatedAt: fromUnix(r.UpdatedAt),
	}
	if r.Tags != "" {
		q.Tags = strings.Split(r.Tags, ",")
	}
	return q
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// checkInquiry validates q for the store: the domain's rules, and text
// both databases accept. Tags are stored comma-joined, so a tag must not
// hold a comma (booking.ParseTags never makes one that does).
func checkInquiry(q booking.Inquiry) error {
	if err := q.Validate(); err != nil {
		return err
	}
	if err := validText("note", q.Note, false, booking.MaxInquiryNoteLen); err != nil {
		return err
	}
	for _, t := range q.Tags {
		if strings.Contains(t, ",") {
			return fmt.Errorf("tag %q holds a comma: %w", t, &booking.FieldError{Field: "tags", Code: "invalid"})
		}
		if err := validText("tag", t, true, booking.MaxInquiryTagLen); err != nil {
			return err
		}
	}
	return nil
}

// CreateInquiry logs an inquiry by q.UserID. A zero At means now; an
// outcome of booked is set only by a booking (InsertBooking), so it is
// refused here. booking.ErrInvalid (a *booking.FieldError where one field
// is at fault) for bad fields; booking.ErrNotFound for an unknown topic
// or user.
func (s *Store) CreateInquiry(ctx context.Context, q booking.Inquiry) (booking.Inquiry, error) {
	if err := checkInquiry(q); err != nil {
		return booking.Inquiry{}, fmt.Errorf("store: create inquiry: %w", err)
	}
	if q.Outcome == booking.OutcomeBooked {
		return booking.Inquiry{}, fmt.Errorf("store: create inquiry: booked without a booking: %w", &booking.FieldError{Field: "outcome", Code: "invalid"})
	}
	if q.UserID == 0 {
		return booking.Inquiry{}, fmt.Errorf("store: create inquiry: no user: %w", booking.ErrInvalid)
	}
	now := s.now()
	if q.At.IsZero() {
		q.At = now
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var row inquiryRow
	err := s.db.GetContext(ctx, &row, s.db.Rebind(`
		INSERT INTO inquiries (user_id, channel, topic_id, tags, read_level, minutes, outcome, note, at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING `+inquiryColumns),
		q.UserID, string(q.Channel), nullID(q.TopicID), strings.Join(q.Tags, ","), q.READ, q.Minutes,
		string(q.Outcome), q.Note, q.At.Unix(), now.Unix())
	if err != nil {
		return booking.Inquiry{}, fmt.Errorf("store: create inquiry: %w", dbErr(err))
	}
	return row.inquiry(), nil
}

// UpdateInquiry changes an inquiry of userID's logged at or after since
// (the start of the staff member's day: older entries are history). An
// inquiry that was booked keeps its outcome and booking. booking.ErrNotFound
// when there is no such inquiry of the user's in that time.
func (s *Store) UpdateInquiry(ctx context.Context, userID int64, since time.Time, q booking.Inquiry) (booking.Inquiry, error) {
	if err := checkInquiry(q); err != nil {
		return booking.Inquiry{}, fmt.Errorf("store: update inquiry %d: %w", q.ID, err)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	// A booked entry stays booked: its booking says so. Any other entry
	// may not claim to be booked.
	var row inquiryRow
	err := s.db.GetContext(ctx, &row, s.db.Rebind(`
		UPDATE inquiries
		   SET channel = ?, topic_id = ?, tags = ?, read_level = ?, minutes = ?, note = ?, updated_at = ?,
		       outcome = CASE WHEN booking_id IS NOT NULL THEN outcome ELSE ? END
		 WHERE id = ? AND user_id = ? AND at >= ?
		   AND (booking_id IS NOT NULL OR ? <> 'booked')
		RETURNING `+inquiryColumns),
		string(q.Channel), nullID(q.TopicID), strings.Join(q.Tags, ","), q.READ, q.Minutes, q.Note, s.now().Unix(),
		string(q.Outcome), q.ID, userID, since.Unix(), string(q.Outcome))
	if err != nil {
		return booking.Inquiry{}, fmt.Errorf("store: update inquiry %d: %w", q.ID, dbErr(err))
	}
	return row.inquiry(), nil
}

// DeleteInquiry removes an inquiry of userID's logged at or after since.
// A booking made from it keeps its booked_by and loses the link.
// booking.ErrNotFound when there is no such inquiry of the user's.
func (s *Store) DeleteInquiry(ctx context.Context, userID, id int64, since time.Time) error {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: delete inquiry %d: %w", id, dbErr(err))
	}
	defer func() { _ = tx.Rollback() }()
	// SQLite's bookings.inquiry_id has no foreign key (see its 00012), so
	// the link is cleared here for both databases.
	if _, err := tx.ExecContext(ctx, tx.Rebind(`
		UPDATE bookings SET inquiry_id = NULL
		 WHERE inquiry_id IN (SELECT id FROM inquiries WHERE id = ? AND user_id = ? AND at >= ?)`),
		id, userID, since.Unix()); err != nil {
		return fmt.Errorf("store: delete inquiry %d: %w", id, dbErr(err))
	}
	res, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM inquiries WHERE id = ? AND user_id = ? AND at >= ?`), id, userID, since.Unix())
	if err != nil {
		return fmt.Errorf("store: delete inquiry %d: %w", id, dbErr(err))
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("store: delete inquiry %d of user %d: %w", id, userID, booking.ErrNotFound)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: delete inquiry %d: %w", id, dbErr(err))
	}
	return nil
}

// Inquiry returns one inquiry.
func (s *Store) Inquiry(ctx context.Context, id int64) (booking.Inquiry, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var row inquiryRow
	if err := s.db.GetContext(ctx, &row, s.db.Rebind(`SELECT `+inquiryColumns+` FROM inquiries WHERE id = ?`), id); err != nil {
		return booking.Inquiry{}, fmt.Errorf("store: inquiry %d: %w", id, dbErr(err))
	}
	return row.inquiry(), nil
}

// Inquiries lists the inquiries f selects, the latest first.
func (s *Store) Inquiries(ctx context.Context, f booking.InquirySearch) ([]booking.Inquiry, error) {
	where, args := []string{"1 = 1"}, []any{}
	if f.UserID != 0 {
		where, args = append(where, "user_id = ?"), append(args, f.UserID)
	}
	if !f.From.IsZero() {
		where, args = append(where, "at >= ?"), append(args, f.From.Unix())
	}
	if !f.To.IsZero() {
		where, args = append(where, "at < ?"), append(args, f.To.Unix())
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var rows []inquiryRow
	err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`SELECT `+inquiryColumns+` FROM inquiries
		WHERE `+strings.Join(where, " AND ")+` ORDER BY at DESC, id DESC LIMIT 1000`), args...)
	if err != nil {
		return nil, fmt.Errorf("store: inquiries: %w", dbErr(err))
	}
	out := make([]booking.Inquiry, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.inquiry())
	}
	return out, nil
}

// InquiryFacts lists every inquiry logged in [from, to), oldest first,
// for the competence report: no limit, and without the staff's notes.
func (s *Store) InquiryFacts(ctx context.Context, from, to time.Time) ([]booking.Inquiry, error) {
	lo, hi := openRange(from, to)
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var rows []inquiryRow
	err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`
		SELECT id, user_id, channel, topic_id, tags, read_level, minutes, outcome, '' AS note, booking_id, at, updated_at
		FROM inquiries WHERE at >= ? AND at < ? ORDER BY at, id`), lo, hi)
	if err != nil {
		return nil, fmt.Errorf("store: inquiry facts: %w", dbErr(err))
	}
	out := make([]booking.Inquiry, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.inquiry())
	}
	return out, nil
}
