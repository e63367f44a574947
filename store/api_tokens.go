package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/veileder/veileder/booking"
)

// API tokens (migration 00012): a staff member's bearer tokens for the
// JSON API, made and revoked on their staff page like app passwords. A
// token is 32 random bytes, so its SHA-256 is stored rather than a slow
// hash: there is nothing to guess, and each API call checks one.

// apiTokenPrefix marks a token as Veileder's, so that a leaked one is
// recognisable in logs and by secret scanners.
const apiTokenPrefix = "vlt_"

type apiTokenRow struct {
	ID         int64         `db:"id"`
	UserID     int64         `db:"user_id"`
	Label      string        `db:"label"`
	CreatedAt  int64         `db:"created_at"`
	LastUsedAt sql.NullInt64 `db:"last_used_at"`
}

func apiTokenHash(plain string) string {
	sum := sha256.Sum256([]byte(plain))
	return hex.EncodeToString(sum[:])
}

// validAPIToken checks a token's shape before the database is asked.
func validAPIToken(plain string) bool {
	rest, ok := strings.CutPrefix(plain, apiTokenPrefix)
	if !ok || len(rest) != 43 {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(rest)
	return err == nil
}

// CreateAPIToken makes a token for the user and returns its plain text,
// which is not stored. booking.ErrInvalid for a label that is empty or
// longer than 100 characters.
func (s *Store) CreateAPIToken(ctx context.Context, userID int64, label string) (plain string, id int64, err error) {
	label = strings.TrimSpace(label)
	if label == "" || utf8.RuneCountInString(label) > 100 || !utf8.ValidString(label) || strings.ContainsRune(label, 0) {
		return "", 0, fmt.Errorf("store: create API token: label must be 1 to 100 characters: %w", booking.ErrInvalid)
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	plain = apiTokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	err = s.db.GetContext(ctx, &id, s.db.Rebind(`
		INSERT INTO api_tokens (user_id, label, token_hash, created_at) VALUES (?, ?, ?, ?) RETURNING id`),
		userID, label, apiTokenHash(plain), s.now().Unix())
	if err != nil {
		return "", 0, fmt.Errorf("store: create API token for user %d: %w", userID, dbErr(err))
	}
	return plain, id, nil
}

// APITokens lists a user's tokens, oldest first.
func (s *Store) APITokens(ctx context.Context, userID int64) ([]booking.APIToken, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var rows []apiTokenRow
	err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`
		SELECT id, user_id, label, created_at, last_used_at FROM api_tokens WHERE user_id = ? ORDER BY id`), userID)
	if err != nil {
		return nil, fmt.Errorf("store: API tokens of user %d: %w", userID, dbErr(err))
	}
	out := make([]booking.APIToken, 0, len(rows))
	for _, r := range rows {
		out = append(out, booking.APIToken{ID: r.ID, UserID: r.UserID, Label: r.Label, CreatedAt: fromUnix(r.CreatedAt), LastUsedAt: fromUnixOrZero(r.LastUsedAt)})
	}
	return out, nil
}

// RevokeAPIToken deletes one of the user's tokens; booking.ErrNotFound
// when the user has no such token.
func (s *Store) RevokeAPIToken(ctx context.Context, userID, id int64) error {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	res, err := s.db.ExecContext(ctx, s.db.Rebind(`DELETE FROM api_tokens WHERE id = ? AND user_id = ?`), id, userID)
	if err != nil {
		return fmt.Errorf("store: revoke API token %d: %w", id, dbErr(err))
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("store: revoke API token %d of user %d: %w", id, userID, booking.ErrNotFound)
	}
	return nil
}

// UserByAPIToken returns the enabled user a token belongs to and notes
// its use. booking.ErrUnauthenticated for a malformed, unknown or revoked
// token, or a disabled user.
func (s *Store) UserByAPIToken(ctx context.Context, plain string) (booking.User, error) {
	if !validAPIToken(plain) {
		return booking.User{}, fmt.Errorf("store: API token: malformed: %w", booking.ErrUnauthenticated)
	}
	hash := apiTokenHash(plain)
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var row userRow
	err := s.db.GetContext(ctx, &row, s.db.Rebind(`
		SELECT u.id, u.username, u.display_name, u.email, u.role, u.password_hash, u.disabled, u.created_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = ?`), hash)
	if err != nil {
		err = dbErr(err)
		if errors.Is(err, booking.ErrNotFound) {
			return booking.User{}, fmt.Errorf("store: API token: unknown: %w", booking.ErrUnauthenticated)
		}
		return booking.User{}, fmt.Errorf("store: API token: %w", err)
	}
	if row.Disabled {
		return booking.User{}, fmt.Errorf("store: API token: user %s is disabled: %w", row.Username, booking.ErrUnauthenticated)
	}
	if _, err := s.db.ExecContext(ctx, s.db.Rebind(`UPDATE api_tokens SET last_used_at = ? WHERE token_hash = ?`), s.now().Unix(), hash); err != nil {
		return booking.User{}, fmt.Errorf("store: API token: note use: %w", dbErr(err))
	}
	return row.user(), nil
}
