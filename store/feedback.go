package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/veileder/veileder/booking"
)

// Feedback after the meeting, and the job that asks for it.

// FollowUpWindow is how long after a meeting's end a follow-up may still
// be queued: a replica that was down, or a service that turns follow-ups
// on, does not write to students about meetings long past.
const FollowUpWindow = 7 * 24 * time.Hour

// EnqueueFollowUps queues, once per booking, the follow-up to the
// student (MessageFollowUp) of every confirmed, not anonymised booking
// that ended in (now-after-FollowUpWindow, now-after] and was not marked a
// no-show, and the librarian's (MessageLibrarianFollowUp) when their
// profile asks for e-mails about their bookings. It returns how many
// messages it queued. Several replicas may run it at once: the unique
// index on (booking_id, kind, sequence) lets one insert win, and the
// NOT EXISTS keeps a booking moved since from being asked twice.
func (s *Store) EnqueueFollowUps(ctx context.Context, now time.Time, after time.Duration) (int, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	n := now.Unix()
	hi := now.Add(-after).Unix()
	lo := now.Add(-after - FollowUpWindow).Unix()
	var total int64
	for _, q := range []struct{ kind, extra string }{
		{string(booking.MessageFollowUp), ""},
		{string(booking.MessageLibrarianFollowUp), `
		  AND EXISTS (SELECT 1 FROM librarian_profiles p WHERE p.user_id = b.librarian_id AND p.notify_new_booking)`},
	} {
		res, err := s.db.ExecContext(ctx, s.db.Rebind(`
			INSERT INTO outbox (kind, booking_id, sequence, send_after, created_at, attempts, status, last_error)
			SELECT ?, b.id, b.sequence, ?, ?, 0, 'pending', ''
			FROM bookings b
			WHERE b.status = 'confirmed' AND b.anonymised = FALSE AND b.no_show = FALSE
			  AND b.end_at > ? AND b.end_at <= ?`+q.extra+`
			  AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.booking_id = b.id AND o.kind = ?)
			ON CONFLICT DO NOTHING`),
			q.kind, n, n, lo, hi, q.kind)
		if err != nil {
			return 0, fmt.Errorf("store: enqueue follow-ups: %w", dbErr(err))
		}
		added, err := res.RowsAffected()
		if err != nil {
			return 0, fmt.Errorf("store: enqueue follow-ups: %w", err)
		}
		total += added
	}
	return int(total), nil
}

// InsertFeedback stores a student's rating of a meeting.
// booking.ErrConflict when the booking has one already; a
// *booking.FieldError for a rating out of range or a comment too long.
func (s *Store) InsertFeedback(ctx context.Context, f booking.Feedback) error {
	if err := f.Validate(); err != nil {
		return fmt.Errorf("store: feedback: %w", err)
	}
	if !utf8.ValidString(f.Comment) || strings.ContainsRune(f.Comment, 0) {
		return fmt.Errorf("store: feedback: %w", booking.ErrInvalid)
	}
	if f.CreatedAt.IsZero() {
		f.CreatedAt = s.now()
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	if _, err := s.db.ExecContext(ctx, s.db.Rebind(`
		INSERT INTO feedback (booking_id, topic_id, rating, comment, created_at) VALUES (?, ?, ?, ?, ?)`),
		nullID(f.BookingID), f.TopicID, f.Rating, f.Comment, f.CreatedAt.Unix()); err != nil {
		return fmt.Errorf("store: feedback of booking %d: %w", f.BookingID, dbErr(err))
	}
	return nil
}

type feedbackRow struct {
	BookingID sql.NullInt64 `db:"booking_id"`
	TopicID   int64         `db:"topic_id"`
	Rating    int           `db:"rating"`
	Comment   string        `db:"comment"`
	CreatedAt int64         `db:"created_at"`
}

// FeedbackOf returns a booking's rating; booking.ErrNotFound when it has
// none.
func (s *Store) FeedbackOf(ctx context.Context, bookingID int64) (booking.Feedback, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var r feedbackRow
	if err := s.db.GetContext(ctx, &r, s.db.Rebind(`
		SELECT booking_id, topic_id, rating, comment, created_at FROM feedback WHERE booking_id = ?`), bookingID); err != nil {
		return booking.Feedback{}, fmt.Errorf("store: feedback of booking %d: %w", bookingID, dbErr(err))
	}
	return booking.Feedback{BookingID: r.BookingID.Int64, TopicID: r.TopicID, Rating: r.Rating, Comment: r.Comment,
		CreatedAt: fromUnix(r.CreatedAt)}, nil
}

// UnlinkFeedback cuts a booking's rating loose from it, so that what
// remains is statistics about the topic; with dropComment (the student
// asked for their data to be erased) the comment goes too.
func (t *Tx) UnlinkFeedback(ctx context.Context, bookingID int64, dropComment bool) error {
	query := `UPDATE feedback SET booking_id = NULL WHERE booking_id = ?`
	if dropComment {
		query = `UPDATE feedback SET booking_id = NULL, comment = '' WHERE booking_id = ?`
	}
	if _, err := t.tx.ExecContext(ctx, t.tx.Rebind(query), bookingID); err != nil {
		return fmt.Errorf("store: unlink feedback of booking %d: %w", bookingID, dbErr(err))
	}
	return nil
}

// FeedbackStats sums up the ratings given in [from, to) per topic and per
// service, and lists the comments, newest first, without anything that
// names the student.
func (s *Store) FeedbackStats(ctx context.Context, from, to time.Time) (booking.FeedbackStats, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var rows []struct {
		TopicSlug   string `db:"topic_slug"`
		TopicNB     string `db:"topic_nb"`
		TopicEN     string `db:"topic_en"`
		ServiceSlug string `db:"service_slug"`
		ServiceNB   string `db:"service_nb"`
		ServiceEN   string `db:"service_en"`
		Rating      int    `db:"rating"`
		Comment     string `db:"comment"`
		CreatedAt   int64  `db:"created_at"`
	}
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`
		SELECT t.slug AS topic_slug, t.name_nb AS topic_nb, t.name_en AS topic_en,
		       sv.slug AS service_slug, sv.name_nb AS service_nb, sv.name_en AS service_en,
		       f.rating, f.comment, f.created_at
		FROM feedback f
		JOIN topics t ON t.id = f.topic_id
		JOIN services sv ON sv.id = t.service_id
		WHERE f.created_at >= ? AND f.created_at < ?
		ORDER BY f.created_at DESC, f.id DESC`), from.Unix(), to.Unix()); err != nil {
		return booking.FeedbackStats{}, fmt.Errorf("store: feedback statistics: %w", dbErr(err))
	}
	var out booking.FeedbackStats
	add := func(list []booking.RatingRow, slug, nb, en string, rating int) []booking.RatingRow {
		i := 0
		for i < len(list) && list[i].Slug != slug {
			i++
		}
		if i == len(list) {
			list = append(list, booking.RatingRow{Slug: slug, NameNB: nb, NameEN: en})
		}
		list[i].Count++
		list[i].Sum += rating
		list[i].Stars[rating-booking.MinRating]++
		return list
	}
	for _, r := range rows {
		if r.Rating < booking.MinRating || r.Rating > booking.MaxRating {
			continue // the CHECK constraint keeps these out
		}
		out.ByTopic = add(out.ByTopic, r.TopicSlug, r.TopicNB, r.TopicEN, r.Rating)
		out.ByService = add(out.ByService, r.ServiceSlug, r.ServiceNB, r.ServiceEN, r.Rating)
		if c := strings.TrimSpace(r.Comment); c != "" {
			out.Comments = append(out.Comments, booking.FeedbackComment{TopicNB: r.TopicNB, TopicEN: r.TopicEN,
				Rating: r.Rating, Comment: c, At: fromUnix(r.CreatedAt)})
		}
	}
	return out, nil
}
