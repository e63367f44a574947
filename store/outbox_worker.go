package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"github.com/veileder/veileder/booking"
)

// The outbox's sender side: claiming due messages under a lease, marking
// them sent, skipped, retried or failed, and the reminder job's insert.
// Times are Unix seconds, as everywhere in the store.
//
// A message moves pending → sent | skipped | failed. While one sender
// works on it, locked_until holds the end of its lease: other senders
// (replicas) pass it by until then. The lease is short and the sender
// renews it while it works (RenewMessageLeases), so that a sender that
// dies mid-send leaves the message to others within one short lease; it
// is then taken again, sent at most once more, with the same Message-ID.

// outboxRow is the part of an outbox row a sender needs.
type outboxRow struct {
	ID        int64         `db:"id"`
	Kind      string        `db:"kind"`
	BookingID sql.NullInt64 `db:"booking_id"`
	Sequence  int           `db:"sequence"`
	SendAfter int64         `db:"send_after"`
	CreatedAt int64         `db:"created_at"`
	Attempts  int           `db:"attempts"`
	// External is the external calendar of a message about one.
	External sql.NullInt64 `db:"external_calendar_id"`
	// Offer is the waitlist offer of a message about one.
	Offer     sql.NullInt64 `db:"waitlist_offer_id"`
	Recipient string        `db:"recipient"`
	Payload   string        `db:"payload"`
	// Request and User are a request's message's request and librarian.
	Request sql.NullInt64 `db:"request_id"`
	User    sql.NullInt64 `db:"user_id"`
}

func (r outboxRow) message() booking.Message {
	return booking.Message{
		ID:        r.ID,
		Kind:      booking.MessageKind(r.Kind),
		BookingID: r.BookingID.Int64,
		Sequence:  r.Sequence,
		SendAfter: fromUnix(r.SendAfter),
		CreatedAt: fromUnix(r.CreatedAt),

		ExternalCalendarID: r.External.Int64,
		WaitlistOfferID:    r.Offer.Int64,
		Recipient:          r.Recipient,
		Payload:            []byte(r.Payload),
		RequestID:          r.Request.Int64,
		UserID:             r.User.Int64,
	}
}

// maxErrorLen bounds the last error kept with a message.
const maxErrorLen = 1000

func clipError(s string) string {
	if len(s) <= maxErrorLen {
		return s
	}
	s = s[:maxErrorLen]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// ClaimMessages takes up to limit pending messages that are due at now
// and not leased by another sender, oldest first, and leases them until
// now+lease. Each claim counts as an attempt, so that a message that
// crashes its sender every time still runs out of attempts.
//
// On PostgreSQL the rows are picked with FOR UPDATE SKIP LOCKED, so that
// senders on several replicas claiming at once take different messages
// without waiting on one another; a row another sender has just claimed
// and committed no longer matches when it is re-read under the lock. On
// SQLite the single writer does the same: the transaction holds the write
// lock from BEGIN.
func (s *Store) ClaimMessages(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]booking.Message, error) {
	if limit <= 0 {
		limit = 1
	}
	lock := ""
	if s.dialect == Postgres {
		lock = "FOR UPDATE SKIP LOCKED"
	}
	query := `
		UPDATE outbox SET locked_until = ?, attempts = attempts + 1
		WHERE id IN (
			SELECT id FROM outbox
			WHERE status = 'pending' AND send_after <= ? AND (locked_until IS NULL OR locked_until <= ?)
			ORDER BY send_after, id
			LIMIT ?
			` + lock + `)
		RETURNING id, kind, booking_id, sequence, send_after, created_at, attempts, external_calendar_id, recipient, payload, request_id, user_id, waitlist_offer_id`
	var rows []outboxRow
	err := s.inTx(ctx, func(ctx context.Context, tx *sqlx.Tx) error {
		n := now.Unix()
		return tx.SelectContext(ctx, &rows, tx.Rebind(query), now.Add(lease).Unix(), n, n, limit)
	})
	if err != nil {
		return nil, fmt.Errorf("store: claim messages: %w", dbErr(err))
	}
	out := make([]booking.Message, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.message())
	}
	// RETURNING gives no order; send oldest first.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && earlier(out[j], out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out, nil
}

func earlier(a, b booking.Message) bool {
	if !a.SendAfter.Equal(b.SendAfter) {
		return a.SendAfter.Before(b.SendAfter)
	}
	return a.ID < b.ID
}

// RenewMessageLeases extends to until the leases on the given messages
// that the caller still holds: those still pending whose lease ends at
// held, the end its claim (or last renewal) set. It returns the ids it
// renewed; a message missing from them is no longer the caller's (it was
// settled, or its lease ran out and another sender claimed it, which set
// another end).
func (s *Store) RenewMessageLeases(ctx context.Context, ids []int64, held, until time.Time) ([]int64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	query, args, err := sqlx.In(`
		UPDATE outbox SET locked_until = ?
		WHERE id IN (?) AND status = 'pending' AND locked_until = ?
		RETURNING id`, until.Unix(), ids, held.Unix())
	if err != nil {
		return nil, fmt.Errorf("store: renew message leases: %w", err)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var kept []int64
	if err := s.db.SelectContext(ctx, &kept, s.db.Rebind(query), args...); err != nil {
		return nil, fmt.Errorf("store: renew message leases: %w", dbErr(err))
	}
	return kept, nil
}

// settle moves a pending message to a final status.
func (s *Store) settle(ctx context.Context, id int64, status string, now time.Time, reason string) error {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	sentAt := sql.NullInt64{Int64: now.Unix(), Valid: status == "sent"}
	// A sent iTIP message's payload (an event's details) is not kept:
	// it was for the sending only. A failed one keeps it for a requeue.
	_, err := s.db.ExecContext(ctx, s.db.Rebind(`
		UPDATE outbox SET status = ?, sent_at = ?, last_error = ?, locked_until = NULL,
		       payload = CASE WHEN ? THEN '' ELSE payload END
		WHERE id = ? AND status = 'pending'`),
		status, sentAt, clipError(reason), status == "sent", id)
	if err != nil {
		return fmt.Errorf("store: mark message %d %s: %w", id, status, dbErr(err))
	}
	return nil
}

// MarkMessageSent records that the message was handed to the mail server.
func (s *Store) MarkMessageSent(ctx context.Context, id int64, now time.Time) error {
	return s.settle(ctx, id, "sent", now, "")
}

// MarkMessageSkipped records that the message will not be sent, and why
// (its booking was anonymised, or a later change made it moot).
func (s *Store) MarkMessageSkipped(ctx context.Context, id int64, now time.Time, reason string) error {
	return s.settle(ctx, id, "skipped", now, reason)
}

// FailMessage gives up on the message at once (the mail server refused it
// for good): it is marked failed, for an admin to see.
func (s *Store) FailMessage(ctx context.Context, id int64, now time.Time, reason string) error {
	return s.settle(ctx, id, "failed", now, reason)
}

// RetryMessage records a failed attempt. When the message has had
// maxAttempts attempts it is marked failed; otherwise it is released to
// be tried again at now+backoff(attempts), attempts counting this one.
func (s *Store) RetryMessage(ctx context.Context, id int64, now time.Time, reason string, maxAttempts int, backoff func(attempts int) time.Duration) (attempts int, failed bool, err error) {
	err = s.inTx(ctx, func(ctx context.Context, tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &attempts, tx.Rebind(`
			SELECT attempts FROM outbox WHERE id = ? AND status = 'pending'`), id); err != nil {
			return dbErr(err)
		}
		if attempts >= maxAttempts {
			failed = true
			_, err := tx.ExecContext(ctx, tx.Rebind(`
				UPDATE outbox SET status = 'failed', last_error = ?, locked_until = NULL WHERE id = ?`),
				clipError(reason), id)
			return dbErr(err)
		}
		next := now.Add(backoff(attempts))
		_, err := tx.ExecContext(ctx, tx.Rebind(`
			UPDATE outbox SET send_after = ?, last_error = ?, locked_until = NULL WHERE id = ?`),
			next.Unix(), clipError(reason), id)
		return dbErr(err)
	})
	if err != nil {
		return 0, false, fmt.Errorf("store: retry message %d: %w", id, err)
	}
	return attempts, failed, nil
}

// EnqueueReminders queues a MessageReminder for every confirmed booking,
// not anonymised, that starts in (now, now+before] and has none for its
// current sequence, and returns how many it queued. A booking made or
// moved at or after its reminder time (start-before) gets none: the
// confirmation or the change message it just got says the same.
//
// Every replica may run it at once: the unique index on (booking_id,
// kind, sequence) lets one insert win and the others do nothing.
func (s *Store) EnqueueReminders(ctx context.Context, now time.Time, before time.Duration) (int, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	n, win := now.Unix(), int64(before/time.Second)
	res, err := s.db.ExecContext(ctx, s.db.Rebind(`
		INSERT INTO outbox (kind, booking_id, sequence, send_after, created_at, attempts, status, last_error)
		SELECT 'reminder', b.id, b.sequence, ?, ?, 0, 'pending', ''
		FROM bookings b
		WHERE b.status = 'confirmed' AND b.anonymised = FALSE
		  AND b.start_at > ? AND b.start_at <= ?
		  AND b.updated_at < b.start_at - ?
		  AND NOT EXISTS (
		      SELECT 1 FROM outbox o
		      WHERE o.booking_id = b.id AND o.kind = 'reminder' AND o.sequence = b.sequence)
		ON CONFLICT DO NOTHING`),
		n, n, n, n+win, win)
	if err != nil {
		return 0, fmt.Errorf("store: enqueue reminders: %w", dbErr(err))
	}
	added, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: enqueue reminders: %w", err)
	}
	return int(added), nil
}

// MessageBooking returns the booking a message is about, as it is now,
// with its topic and its librarian's name, address and languages.
// booking.ErrNotFound when the booking is gone.
func (s *Store) MessageBooking(ctx context.Context, bookingID int64) (booking.View, error) {
	b, err := s.BookingByID(ctx, bookingID)
	if err != nil {
		return booking.View{}, err
	}
	v := booking.View{Booking: b}
	t, err := s.TopicByID(ctx, b.TopicID)
	if err != nil && !errors.Is(err, booking.ErrNotFound) {
		return booking.View{}, err
	}
	v.Topic = t
	u, err := s.UserByID(ctx, b.LibrarianID)
	if err != nil && !errors.Is(err, booking.ErrNotFound) {
		return booking.View{}, err
	}
	if err == nil {
		v.LibrarianName, v.LibrarianMail = strings.TrimSpace(u.DisplayName), u.Email
		if v.LibrarianName == "" {
			v.LibrarianName = u.Username
		}
		p, err := s.Profile(ctx, u.ID)
		if err != nil && !errors.Is(err, booking.ErrNotFound) {
			return booking.View{}, err
		}
		v.LibrarianLanguages = p.Languages
	}
	return v, nil
}

// OutboxStats counts the outbox's messages by status, for the admin page.
func (s *Store) OutboxStats(ctx context.Context) (booking.OutboxStats, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var rows []struct {
		Status string `db:"status"`
		N      int    `db:"n"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT status, COUNT(*) AS n FROM outbox GROUP BY status`); err != nil {
		return booking.OutboxStats{}, fmt.Errorf("store: outbox stats: %w", dbErr(err))
	}
	var st booking.OutboxStats
	for _, r := range rows {
		switch r.Status {
		case "pending":
			st.Pending = r.N
		case "sent":
			st.Sent = r.N
		case "failed":
			st.Failed = r.N
		case "skipped":
			st.Skipped = r.N
		}
	}
	return st, nil
}

// FailedMessages lists the newest failed messages, at most limit.
func (s *Store) FailedMessages(ctx context.Context, limit int) ([]booking.FailedMessage, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var rows []struct {
		outboxRow
		LastError string `db:"last_error"`
	}
	err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`
		SELECT id, kind, booking_id, sequence, send_after, created_at, attempts, last_error
		FROM outbox WHERE status = 'failed'
		ORDER BY id DESC LIMIT ?`), limit)
	if err != nil {
		return nil, fmt.Errorf("store: failed messages: %w", dbErr(err))
	}
	out := make([]booking.FailedMessage, 0, len(rows))
	for _, r := range rows {
		out = append(out, booking.FailedMessage{
			ID: r.ID, Kind: booking.MessageKind(r.Kind), BookingID: r.BookingID.Int64, Sequence: r.Sequence,
			Attempts: r.Attempts, LastError: r.LastError, CreatedAt: fromUnix(r.CreatedAt),
		})
	}
	return out, nil
}

// RequeueMessage puts a failed message back in the queue, due at now and
// with its attempts counted afresh, for an admin who has dealt with the
// cause (a mail server that was down for longer than the retries last).
// It is rendered from the booking as it is then, like any other message.
// booking.ErrNotFound when there is no such message; booking.ErrConflict
// when it is not failed (sent, skipped, or requeued already).
func (s *Store) RequeueMessage(ctx context.Context, id int64, now time.Time) error {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	res, err := s.db.ExecContext(ctx, s.db.Rebind(`
		UPDATE outbox SET status = 'pending', attempts = 0, send_after = ?, locked_until = NULL
		WHERE id = ? AND status = 'failed'`),
		now.Unix(), id)
	if err != nil {
		return fmt.Errorf("store: requeue message %d: %w", id, dbErr(err))
	}
	if n, err := res.RowsAffected(); err == nil && n > 0 {
		return nil
	}
	var status string
	err = s.db.GetContext(ctx, &status, s.db.Rebind(`SELECT status FROM outbox WHERE id = ?`), id)
	if err != nil {
		return fmt.Errorf("store: requeue message %d: %w", id, dbErr(err))
	}
	return fmt.Errorf("store: requeue message %d: it is %s, not failed: %w", id, status, booking.ErrConflict)
}
