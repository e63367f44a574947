package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/veileder/veileder/booking"
)

// AcquireLease takes or renews the lease on a periodic job for holder,
// until now+ttl, and reports whether holder has it. Another holder gets it
// only once it has expired, so that of several replicas running the same
// job one at a time does the work; a replica that dies gives it up by
// letting it expire. Both databases do it in one upsert.
func (s *Store) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	if name == "" || holder == "" || ttl <= 0 {
		return false, fmt.Errorf("store: acquire lease %q: %w", name, booking.ErrInvalid)
	}
	now := s.now()
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	res, err := s.db.ExecContext(ctx, s.db.Rebind(`
		INSERT INTO job_leases (name, holder, expires_at)
		VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE
		SET holder = excluded.holder, expires_at = excluded.expires_at
		WHERE job_leases.holder = excluded.holder OR job_leases.expires_at <= ?`),
		name, holder, now.Add(ttl).Unix(), now.Unix())
	if err != nil {
		return false, fmt.Errorf("store: acquire lease %q: %w", name, dbErr(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: acquire lease %q: %w", name, err)
	}
	return n == 1, nil
}

// ReleaseLease gives up holder's lease, if it holds it, so that another
// replica need not wait for it to expire.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	if _, err := s.db.ExecContext(ctx, s.db.Rebind(`
		DELETE FROM job_leases WHERE name = ? AND holder = ?`), name, holder); err != nil {
		return fmt.Errorf("store: release lease %q: %w", name, dbErr(err))
	}
	return nil
}

// BookingsToAnonymise lists, oldest first, up to limit bookings whose
// meeting ended before cutoff and that still hold personal data.
func (s *Store) BookingsToAnonymise(ctx context.Context, cutoff time.Time, limit int) ([]int64, error) {
	if limit <= 0 {
		limit = 100
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var ids []int64
	err := s.db.SelectContext(ctx, &ids, s.db.Rebind(`
		SELECT id FROM bookings
		WHERE NOT anonymised AND end_at < ?
		ORDER BY end_at, id
		LIMIT ?`), cutoff.Unix(), limit)
	if err != nil {
		return nil, fmt.Errorf("store: bookings to anonymise: %w", dbErr(err))
	}
	return ids, nil
}

// BookingIDsByEmail lists the bookings, oldest first, made with the
// e-mail address, in any case: what a student's request for access or
// erasure concerns.
func (s *Store) BookingIDsByEmail(ctx context.Context, email string) ([]int64, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return nil, fmt.Errorf("store: bookings of an empty e-mail address: %w", booking.ErrInvalid)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var ids []int64
	err := s.db.SelectContext(ctx, &ids, s.db.Rebind(`
		SELECT id FROM bookings
		WHERE lower(student_email) = lower(?)
		ORDER BY start_at, id`), email)
	if err != nil {
		return nil, fmt.Errorf("store: bookings of an e-mail address: %w", dbErr(err))
	}
	return ids, nil
}

// ScrubOutbox clears what the outbox may hold about a booking's student:
// a failed delivery's error text can quote the address. The messages
// themselves hold only references.
func (t *Tx) ScrubOutbox(ctx context.Context, bookingID int64) error {
	_, err := t.tx.ExecContext(ctx, t.tx.Rebind(`
		UPDATE outbox SET last_error = '' WHERE booking_id = ? AND last_error <> ''`), bookingID)
	if err != nil {
		return fmt.Errorf("store: scrub outbox of booking %d: %w", bookingID, dbErr(err))
	}
	return nil
}

// OutboxOf lists the messages queued about a booking, oldest first.
func (s *Store) OutboxOf(ctx context.Context, bookingID int64) ([]booking.SentMessage, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var rows []struct {
		Kind      string `db:"kind"`
		Status    string `db:"status"`
		CreatedAt int64  `db:"created_at"`
		SentAt    *int64 `db:"sent_at"`
	}
	err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`
		SELECT kind, status, created_at, sent_at FROM outbox WHERE booking_id = ? ORDER BY id`), bookingID)
	if err != nil {
		return nil, fmt.Errorf("store: outbox of booking %d: %w", bookingID, dbErr(err))
	}
	out := make([]booking.SentMessage, 0, len(rows))
	for _, r := range rows {
		e := booking.SentMessage{Kind: booking.MessageKind(r.Kind), Status: r.Status, CreatedAt: fromUnix(r.CreatedAt)}
		if r.SentAt != nil {
			e.SentAt = fromUnix(*r.SentAt)
		}
		out = append(out, e)
	}
	return out, nil
}
