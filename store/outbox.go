package store

import (
	"context"
	"database/sql"
	"fmt"

	"veileder/booking"
)

// Enqueue stores a message to send in the outbox, in the transaction, so
// that it is sent if and only if the change that caused it commits. A zero
// SendAfter means now.
func (t *Tx) Enqueue(ctx context.Context, m booking.Message) error {
	switch m.Kind {
	case booking.MessageConfirmation, booking.MessageReminder, booking.MessageMoved,
		booking.MessageCancelled, booking.MessageLibrarianNew:
	default:
		return fmt.Errorf("store: enqueue: message kind %q: %w", m.Kind, booking.ErrInvalid)
	}
	now := t.s.now()
	if m.SendAfter.IsZero() {
		m.SendAfter = now
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
