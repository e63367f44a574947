package store

import (
	"context"
	"fmt"

	"github.com/veileder/veileder/booking"
)

// The private, read-only ICS link to a librarian's bookings calendar
// (bookings_feed_links). The store keeps the nonce the token is derived
// from and the token's SHA-256; the derivation is the caller's
// (external.Links).

// BookingsFeedNonce returns the nonce of a user's link; booking.ErrNotFound
// when they have none (never made, or revoked).
func (s *Store) BookingsFeedNonce(ctx context.Context, userID int64) (string, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var nonce string
	err := s.db.GetContext(ctx, &nonce, s.db.Rebind(`SELECT nonce FROM bookings_feed_links WHERE user_id = ?`), userID)
	if err != nil {
		return "", fmt.Errorf("store: bookings link of user %d: %w", userID, dbErr(err))
	}
	return nonce, nil
}

// SetBookingsFeedLink stores a user's link, replacing (and so revoking)
// the one before. booking.ErrNotFound when the user does not exist.
func (s *Store) SetBookingsFeedLink(ctx context.Context, userID int64, nonce, tokenHash string) error {
	if nonce == "" || tokenHash == "" {
		return fmt.Errorf("store: set bookings link of user %d: %w", userID, booking.ErrInvalid)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	_, err := s.db.ExecContext(ctx, s.db.Rebind(`
		INSERT INTO bookings_feed_links (user_id, nonce, token_hash, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE
		SET nonce = excluded.nonce, token_hash = excluded.token_hash, created_at = excluded.created_at`),
		userID, nonce, tokenHash, s.now().Unix())
	if err != nil {
		return fmt.Errorf("store: set bookings link of user %d: %w", userID, dbErr(err))
	}
	return nil
}

// RevokeBookingsFeedLink removes a user's link: it answers 404 from now
// on. Revoking a link that does not exist is no error.
func (s *Store) RevokeBookingsFeedLink(ctx context.Context, userID int64) error {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	if _, err := s.db.ExecContext(ctx, s.db.Rebind(`DELETE FROM bookings_feed_links WHERE user_id = ?`), userID); err != nil {
		return fmt.Errorf("store: revoke bookings link of user %d: %w", userID, dbErr(err))
	}
	return nil
}

// UserByBookingsFeedToken returns the user whose link has the token of
// this SHA-256; booking.ErrNotFound for none.
func (s *Store) UserByBookingsFeedToken(ctx context.Context, tokenHash string) (int64, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var id int64
	err := s.db.GetContext(ctx, &id, s.db.Rebind(`SELECT user_id FROM bookings_feed_links WHERE token_hash = ?`), tokenHash)
	if err != nil {
		return 0, fmt.Errorf("store: bookings link: %w", dbErr(err))
	}
	return id, nil
}
