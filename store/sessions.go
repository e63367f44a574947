package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/veileder/veileder/booking"
)

// sessionTokenBytes is the length of a staff session token before
// encoding: 256 random bits.
const sessionTokenBytes = 32

// sessionTouchResolution is how stale staff_sessions.last_seen_at may get,
// so that every page view is not a write.
const sessionTouchResolution = time.Minute

// SessionTokenHash is the stored form of a staff session token.
func SessionTokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// validSessionToken reports whether s can be a session token at all, so
// that junk in a cookie does not reach the database.
func validSessionToken(s string) bool {
	b, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil && len(b) == sessionTokenBytes
}

// CreateSession signs the user in on the web: it stores a new session that
// expires after ttl and returns its token, for the cookie. Only the
// token's SHA-256 is stored. booking.ErrNotFound when the user does not
// exist.
func (s *Store) CreateSession(ctx context.Context, userID int64, ttl time.Duration) (string, error) {
	if ttl <= 0 {
		return "", fmt.Errorf("store: create session: ttl %v: %w", ttl, booking.ErrInvalid)
	}
	var b [sessionTokenBytes]byte
	rand.Read(b[:]) // never fails (crypto/rand since Go 1.24)
	token := base64.RawURLEncoding.EncodeToString(b[:])
	now := s.now()
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	_, err := s.db.ExecContext(ctx, s.db.Rebind(`
		INSERT INTO staff_sessions (token_hash, user_id, created_at, expires_at, last_seen_at)
		VALUES (?, ?, ?, ?, ?)`),
		SessionTokenHash(token), userID, now.Unix(), now.Add(ttl).Unix(), now.Unix())
	if err != nil {
		return "", fmt.Errorf("store: create session for user %d: %w", userID, dbErr(err))
	}
	return token, nil
}

// SessionUser returns the user a session token belongs to, if the session
// has not expired and the user is enabled; booking.ErrUnauthenticated
// otherwise. The user is read afresh, so that a changed role or a
// disabled account takes effect at the next request.
func (s *Store) SessionUser(ctx context.Context, token string) (booking.User, error) {
	if !validSessionToken(token) {
		return booking.User{}, fmt.Errorf("store: session: malformed token: %w", booking.ErrUnauthenticated)
	}
	now := s.now()
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var row struct {
		userRow
		LastSeenAt int64 `db:"last_seen_at"`
	}
	hash := SessionTokenHash(token)
	err := s.db.GetContext(ctx, &row, s.db.Rebind(`
		SELECT u.id, u.username, u.display_name, u.email, u.role, u.password_hash, u.disabled, u.created_at,
		       ss.last_seen_at
		FROM staff_sessions ss
		JOIN users u ON u.id = ss.user_id
		WHERE ss.token_hash = ? AND ss.expires_at > ?`), hash, now.Unix())
	if err != nil {
		err = dbErr(err)
		if errors.Is(err, booking.ErrNotFound) {
			return booking.User{}, fmt.Errorf("store: session: unknown or expired: %w", booking.ErrUnauthenticated)
		}
		return booking.User{}, fmt.Errorf("store: session: %w", err)
	}
	if row.Disabled {
		return booking.User{}, fmt.Errorf("store: session of %s: user disabled: %w", row.Username, booking.ErrUnauthenticated)
	}
	if now.Unix()-row.LastSeenAt >= int64(sessionTouchResolution/time.Second) {
		if _, err := s.db.ExecContext(ctx, s.db.Rebind(`
			UPDATE staff_sessions SET last_seen_at = ? WHERE token_hash = ?`), now.Unix(), hash); err != nil {
			return booking.User{}, fmt.Errorf("store: touch session: %w", dbErr(err))
		}
	}
	return row.user(), nil
}

// DeleteSession signs a session out. An unknown token is no error: the
// result, no such session, is what was asked for.
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	if _, err := s.db.ExecContext(ctx, s.db.Rebind(`
		DELETE FROM staff_sessions WHERE token_hash = ?`), SessionTokenHash(token)); err != nil {
		return fmt.Errorf("store: delete session: %w", dbErr(err))
	}
	return nil
}

// DeleteSessionsOfUser signs the user out everywhere, as after a password
// reset.
func (s *Store) DeleteSessionsOfUser(ctx context.Context, userID int64) error {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	if _, err := s.db.ExecContext(ctx, s.db.Rebind(`
		DELETE FROM staff_sessions WHERE user_id = ?`), userID); err != nil {
		return fmt.Errorf("store: delete sessions of user %d: %w", userID, dbErr(err))
	}
	return nil
}

// PurgeExpiredSessions deletes the sessions that have expired and returns
// how many.
func (s *Store) PurgeExpiredSessions(ctx context.Context) (int64, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	res, err := s.db.ExecContext(ctx, s.db.Rebind(`
		DELETE FROM staff_sessions WHERE expires_at <= ?`), s.now().Unix())
	if err != nil {
		return 0, fmt.Errorf("store: purge sessions: %w", dbErr(err))
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// AuthenticateAccount checks a user name and the account password only,
// not the app passwords, which are for calendar apps: the web pages that
// make and revoke app passwords must not open with one. Errors as
// Authenticate's.
func (s *Store) AuthenticateAccount(ctx context.Context, username, password string) (booking.User, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	row, err := s.userWithHash(ctx, username)
	if errors.Is(err, booking.ErrNotFound) {
		_ = bcrypt.CompareHashAndPassword(s.dummyHash, bcryptInput(password))
		return booking.User{}, fmt.Errorf("store: authenticate %s: %w", username, booking.ErrUnauthenticated)
	}
	if err != nil {
		return booking.User{}, fmt.Errorf("store: authenticate %s: %w", username, err)
	}
	if bcrypt.CompareHashAndPassword([]byte(row.PasswordHash), bcryptInput(password)) != nil || row.Disabled {
		return booking.User{}, fmt.Errorf("store: authenticate %s: %w", username, booking.ErrUnauthenticated)
	}
	return row.user(), nil
}
