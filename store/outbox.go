package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/veileder/veileder/booking"
)

// Enqueue stores a message to send in the outbox, in the transaction, so
// that it is sent if and only if the change that caused it commits. A zero
// SendAfter means now.
//
// A MessageLibrarianNew is stored only when the booking's librarian has
// opted in (librarian_profiles.notify_new_booking); otherwise Enqueue
// stores nothing and returns nil. The choice is read in the transaction,
// so it is the one in force when the booking commits.
//
// booking.ErrNotFound when the booking does not exist; booking.ErrConflict
// when a message of the kind and sequence is queued for the booking
// already (one per booking, kind and sequence: 00003_outbox.sql).
func (t *Tx) Enqueue(ctx context.Context, m booking.Message) error {
	switch m.Kind {
	case booking.MessageConfirmation, booking.MessageReminder, booking.MessageMoved,
		booking.MessageCancelled, booking.MessageLibrarianNew:
	case booking.MessageLibrarianInvite:
		return t.enqueueLibrarianInvite(ctx, m) // store/external_outbox.go
	case booking.MessageLibrarianRelease:
		return t.enqueueLibrarianRelease(ctx, m) // store/external_outbox.go
	case booking.MessageRequestNew, booking.MessageRequestOffer:
		return t.enqueueRequest(ctx, m) // store/requests.go
	case booking.MessageWaitlistOffer:
		return t.enqueueWaitlistOffer(ctx, m) // store/waitlist.go
	default:
		return fmt.Errorf("store: enqueue: message kind %q: %w", m.Kind, booking.ErrInvalid)
	}
	now := t.s.now()
	if m.SendAfter.IsZero() {
		m.SendAfter = now
	}
	if m.Kind == booking.MessageLibrarianNew {
		return t.enqueueLibrarianNew(ctx, m, now.Unix())
	}
	_, err := t.tx.ExecContext(ctx, t.tx.Rebind(`
		INSERT INTO outbox (kind, booking_id, sequence, send_after, created_at, attempts, status, last_error)
		VALUES (?, ?, ?, ?, ?, 0, 'pending', '')`),
		string(m.Kind), sql.NullInt64{Int64: m.BookingID, Valid: m.BookingID != 0}, m.Sequence,
		m.SendAfter.Unix(), now.Unix())
	if err != nil {
		return fmt.Errorf("store: enqueue %s for booking %d: %w", m.Kind, m.BookingID, dbErr(err))
	}
	return nil
}

func (t *Tx) enqueueLibrarianNew(ctx context.Context, m booking.Message, now int64) error {
	return t.enqueueIf(ctx, m, now, `
		JOIN librarian_profiles p ON p.user_id = b.librarian_id
		WHERE b.id = ? AND p.notify_new_booking = TRUE`)
}

// enqueueIf queues m for its booking only where the booking, joined and
// filtered by cond (which ends with "b.id = ?" among its conditions, for
// m.BookingID), qualifies: a librarian's opt-in read in the transaction
// of the change. Nothing queued is no error, unless there is no such
// booking.
func (t *Tx) enqueueIf(ctx context.Context, m booking.Message, now int64, cond string) error {
	res, err := t.tx.ExecContext(ctx, t.tx.Rebind(`
		INSERT INTO outbox (kind, booking_id, sequence, send_after, created_at, attempts, status, last_error)
		SELECT ?, b.id, ?, ?, ?, 0, 'pending', ''
		FROM bookings b `+cond),
		string(m.Kind), m.Sequence, m.SendAfter.Unix(), now, m.BookingID)
	if err != nil {
		return fmt.Errorf("store: enqueue %s for booking %d: %w", m.Kind, m.BookingID, dbErr(err))
	}
	if n, err := res.RowsAffected(); err == nil && n > 0 {
		return nil
	}
	// Nothing inserted: the librarian did not opt in, or there is no such
	// booking, which is an error as for every other kind.
	var id int64
	err = t.tx.GetContext(ctx, &id, t.tx.Rebind(`SELECT id FROM bookings WHERE id = ?`), m.BookingID)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: enqueue %s for booking %d: %w", m.Kind, m.BookingID, booking.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: enqueue %s for booking %d: %w", m.Kind, m.BookingID, dbErr(err))
	}
	return nil
}
