package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/veileder/veileder/booking"
)

// UserByEmail returns the enabled user whose e-mail address is email
// (compared without case), the attendee of an invitation or the subject of
// a free-busy lookup; the oldest account when several share it.
func (s *Store) UserByEmail(ctx context.Context, email string) (booking.User, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var row userRow
	err := s.db.GetContext(ctx, &row, s.db.Rebind(`
		SELECT id, username, display_name, email, role, password_hash, disabled, created_at
		FROM users
		WHERE LOWER(email) = LOWER(?) AND email <> '' AND disabled = FALSE
		ORDER BY id
		LIMIT 1`), email)
	if err != nil {
		return booking.User{}, fmt.Errorf("store: user with address %s: %w", email, dbErr(err))
	}
	return row.user(), nil
}

// deliverITIP stores the iTIP messages of a write in its transaction: a
// Veileder user's in their schedule inbox, anybody else's in the outbox
// as an 'itip' e-mail (migration 00011).
func (s *Store) deliverITIP(ctx context.Context, tx *sqlx.Tx, out []booking.ITIPDelivery) error {
	now := s.now().Unix()
	for _, d := range out {
		if d.Method == "" || len(d.Data) == 0 {
			return fmt.Errorf("store: deliver iTIP to %s: no message: %w", d.Recipient, booking.ErrInvalid)
		}
		if d.UserID != 0 {
			var nonce [12]byte
			_, _ = rand.Read(nonce[:])
			sum := sha256.Sum256(d.Data)
			_, err := tx.ExecContext(ctx, tx.Rebind(`
				INSERT INTO schedule_inbox (user_id, name, data, etag, size, created_at)
				VALUES (?, ?, ?, ?, ?, ?)`),
				d.UserID, hex.EncodeToString(nonce[:])+".ics", string(d.Data), hex.EncodeToString(sum[:16]), len(d.Data), now)
			if err != nil {
				return fmt.Errorf("store: deliver iTIP to user %d: %w", d.UserID, dbErr(err))
			}
			continue
		}
		if d.Recipient == "" {
			return fmt.Errorf("store: deliver iTIP: no recipient: %w", booking.ErrInvalid)
		}
		_, err := tx.ExecContext(ctx, tx.Rebind(`
			INSERT INTO outbox (kind, booking_id, sequence, send_after, created_at, attempts, status, last_error, recipient, payload)
			VALUES (?, NULL, ?, ?, ?, 0, 'pending', '', ?, ?)`),
			string(booking.MessageITIP), d.Sequence, now, now, d.Recipient, string(d.Data))
		if err != nil {
			return fmt.Errorf("store: enqueue iTIP for %s: %w", d.Recipient, dbErr(err))
		}
	}
	return nil
}

// inboxRow is a row of schedule_inbox.
type inboxRow struct {
	Name      string `db:"name"`
	Data      string `db:"data"`
	ETag      string `db:"etag"`
	Size      int64  `db:"size"`
	CreatedAt int64  `db:"created_at"`
}

func (r inboxRow) object() booking.CalendarObject {
	o := booking.CalendarObject{Name: r.Name, ETag: r.ETag, Size: r.Size, ModifiedAt: fromUnix(r.CreatedAt)}
	if r.Data != "" {
		o.Data = []byte(r.Data)
	}
	return o
}

// InboxItems lists the user's schedule inbox (RFC 6638 §2.2), oldest
// first, with data only if withData.
func (s *Store) InboxItems(ctx context.Context, userID int64, withData bool) ([]booking.CalendarObject, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	data := "''"
	if withData {
		data = "data"
	}
	var rows []inboxRow
	err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`
		SELECT name, `+data+` AS data, etag, size, created_at
		FROM schedule_inbox WHERE user_id = ? ORDER BY created_at, name`), userID)
	if err != nil {
		return nil, fmt.Errorf("store: schedule inbox of user %d: %w", userID, dbErr(err))
	}
	out := make([]booking.CalendarObject, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.object())
	}
	return out, nil
}

// InboxItem returns one message of the user's schedule inbox.
func (s *Store) InboxItem(ctx context.Context, userID int64, name string) (booking.CalendarObject, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var row inboxRow
	err := s.db.GetContext(ctx, &row, s.db.Rebind(`
		SELECT name, data, etag, size, created_at
		FROM schedule_inbox WHERE user_id = ? AND name = ?`), userID, name)
	if err != nil {
		return booking.CalendarObject{}, fmt.Errorf("store: inbox item %s of user %d: %w", name, userID, dbErr(err))
	}
	return row.object(), nil
}

// DeleteInboxItem removes a message the user's calendar app has handled.
func (s *Store) DeleteInboxItem(ctx context.Context, userID int64, name string) error {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	res, err := s.db.ExecContext(ctx, s.db.Rebind(`DELETE FROM schedule_inbox WHERE user_id = ? AND name = ?`), userID, name)
	if err == nil {
		err = oneRow(res)
	}
	if err != nil {
		return fmt.Errorf("store: delete inbox item %s of user %d: %w", name, userID, dbErr(err))
	}
	return nil
}
