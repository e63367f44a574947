package store

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/veileder/veileder/booking"
)

// Sign-in with an OpenID Connect provider: the logins under way, staff
// accounts' links to a provider's subject, students' sessions, and the
// site's sign-in settings. No provider token is stored here.

// maxLoginField bounds what a login row and a student session hold.
const maxLoginField = 2048

// SaveLoginState stores a login under way until l.ExpiresAt.
func (s *Store) SaveLoginState(ctx context.Context, l booking.LoginState) error {
	for _, f := range []string{l.StateHash, l.Nonce, l.Verifier, l.Purpose, l.Return} {
		if len(f) > maxLoginField || !utf8.ValidString(f) || strings.ContainsRune(f, 0) {
			return fmt.Errorf("store: save login: %w", booking.ErrInvalid)
		}
	}
	if l.StateHash == "" || l.Nonce == "" || l.Verifier == "" || !l.ExpiresAt.After(l.CreatedAt) {
		return fmt.Errorf("store: save login: %w", booking.ErrInvalid)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	_, err := s.db.ExecContext(ctx, s.db.Rebind(`
		INSERT INTO oidc_logins (state_hash, nonce, verifier, purpose, return_to, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`),
		l.StateHash, l.Nonce, l.Verifier, l.Purpose, l.Return, l.CreatedAt.Unix(), l.ExpiresAt.Unix())
	if err != nil {
		return fmt.Errorf("store: save login: %w", dbErr(err))
	}
	return nil
}

// TakeLoginState returns the login whose state has the hash and deletes
// it in the same statement, so that of two callbacks with one state (a
// replay, or two replicas at once) only one gets it.
// booking.ErrNotFound when there is no such login or it has expired.
func (s *Store) TakeLoginState(ctx context.Context, stateHash string) (booking.LoginState, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var row struct {
		StateHash string `db:"state_hash"`
		Nonce     string `db:"nonce"`
		Verifier  string `db:"verifier"`
		Purpose   string `db:"purpose"`
		Return    string `db:"return_to"`
		CreatedAt int64  `db:"created_at"`
		ExpiresAt int64  `db:"expires_at"`
	}
	err := s.db.GetContext(ctx, &row, s.db.Rebind(`
		DELETE FROM oidc_logins WHERE state_hash = ?
		RETURNING state_hash, nonce, verifier, purpose, return_to, created_at, expires_at`), stateHash)
	if err != nil {
		return booking.LoginState{}, fmt.Errorf("store: take login: %w", dbErr(err))
	}
	if row.ExpiresAt <= s.now().Unix() {
		return booking.LoginState{}, fmt.Errorf("store: take login: expired: %w", booking.ErrNotFound)
	}
	return booking.LoginState{
		StateHash: row.StateHash, Nonce: row.Nonce, Verifier: row.Verifier, Purpose: row.Purpose, Return: row.Return,
		CreatedAt: fromUnix(row.CreatedAt), ExpiresAt: fromUnix(row.ExpiresAt),
	}, nil
}

// PurgeSignIns deletes the logins and student sessions that have expired
// and returns how many rows went.
func (s *Store) PurgeSignIns(ctx context.Context) (int64, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var total int64
	for _, q := range []string{
		`DELETE FROM oidc_logins WHERE expires_at <= ?`,
		`DELETE FROM student_sessions WHERE expires_at <= ?`,
	} {
		res, err := s.db.ExecContext(ctx, s.db.Rebind(q), s.now().Unix())
		if err != nil {
			return total, fmt.Errorf("store: purge sign-ins: %w", dbErr(err))
		}
		n, _ := res.RowsAffected()
		total += n
	}
	return total, nil
}

// UserByIdentity returns the enabled staff account linked to the
// provider's subject; booking.ErrNotFound when none is.
func (s *Store) UserByIdentity(ctx context.Context, issuer, subject string) (booking.User, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var row userRow
	err := s.db.GetContext(ctx, &row, s.db.Rebind(`
		SELECT u.id, u.username, u.display_name, u.email, u.role, u.password_hash, u.disabled, u.created_at
		FROM staff_identities si
		JOIN users u ON u.id = si.user_id
		WHERE si.issuer = ? AND si.subject = ?`), issuer, subject)
	if err != nil {
		return booking.User{}, fmt.Errorf("store: user of identity: %w", dbErr(err))
	}
	return row.user(), nil
}

// LinkIdentity links a staff account to a provider's subject, replacing
// the account's earlier link. booking.ErrConflict when the subject is
// linked to another account; booking.ErrNotFound when the user does not
// exist.
func (s *Store) LinkIdentity(ctx context.Context, l booking.StaffIdentity) error {
	l.Subject = strings.TrimSpace(l.Subject)
	if l.Issuer == "" || l.Subject == "" || len(l.Subject) > 255 || !utf8.ValidString(l.Subject) || strings.ContainsRune(l.Subject, 0) {
		return fmt.Errorf("store: link identity: %w", booking.ErrInvalid)
	}
	if l.LinkedAt.IsZero() {
		l.LinkedAt = s.now()
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: link identity: %w", dbErr(err))
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM staff_identities WHERE user_id = ?`), l.UserID); err != nil {
		return fmt.Errorf("store: link identity: %w", dbErr(err))
	}
	if _, err := tx.ExecContext(ctx, tx.Rebind(`
		INSERT INTO staff_identities (issuer, subject, user_id, how, linked_at) VALUES (?, ?, ?, ?, ?)`),
		l.Issuer, l.Subject, l.UserID, l.How, l.LinkedAt.Unix()); err != nil {
		return fmt.Errorf("store: link identity of user %d: %w", l.UserID, dbErr(err))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: link identity: %w", dbErr(err))
	}
	return nil
}

// UnlinkIdentity removes the staff account's link, if it has one.
func (s *Store) UnlinkIdentity(ctx context.Context, userID int64) error {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	if _, err := s.db.ExecContext(ctx, s.db.Rebind(`DELETE FROM staff_identities WHERE user_id = ?`), userID); err != nil {
		return fmt.Errorf("store: unlink identity of user %d: %w", userID, dbErr(err))
	}
	return nil
}

// IdentityOf returns the staff account's link; booking.ErrNotFound when
// it has none.
func (s *Store) IdentityOf(ctx context.Context, userID int64) (booking.StaffIdentity, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var row struct {
		Issuer   string `db:"issuer"`
		Subject  string `db:"subject"`
		How      string `db:"how"`
		LinkedAt int64  `db:"linked_at"`
	}
	err := s.db.GetContext(ctx, &row, s.db.Rebind(`
		SELECT issuer, subject, how, linked_at FROM staff_identities WHERE user_id = ?`), userID)
	if err != nil {
		return booking.StaffIdentity{}, fmt.Errorf("store: identity of user %d: %w", userID, dbErr(err))
	}
	return booking.StaffIdentity{UserID: userID, Issuer: row.Issuer, Subject: row.Subject, How: row.How, LinkedAt: fromUnix(row.LinkedAt)}, nil
}

// CreateStudentSession signs a student in for ttl and returns the
// cookie's token; only its SHA-256 is stored, beside the identity and
// the verified name and e-mail address.
func (s *Store) CreateStudentSession(ctx context.Context, st booking.StudentSession, ttl time.Duration) (string, error) {
	if ttl <= 0 || st.Identity == "" {
		return "", fmt.Errorf("store: create student session: %w", booking.ErrInvalid)
	}
	for _, f := range []string{st.Identity, st.Name, st.Email} {
		if len(f) > maxLoginField || !utf8.ValidString(f) || strings.ContainsRune(f, 0) {
			return "", fmt.Errorf("store: create student session: %w", booking.ErrInvalid)
		}
	}
	var b [sessionTokenBytes]byte
	rand.Read(b[:]) // never fails (crypto/rand since Go 1.24)
	token := base64.RawURLEncoding.EncodeToString(b[:])
	now := s.now()
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	_, err := s.db.ExecContext(ctx, s.db.Rebind(`
		INSERT INTO student_sessions (token_hash, identity, name, email, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?)`),
		SessionTokenHash(token), st.Identity, st.Name, st.Email, now.Unix(), now.Add(ttl).Unix())
	if err != nil {
		return "", fmt.Errorf("store: create student session: %w", dbErr(err))
	}
	return token, nil
}

// StudentSession returns the signed-in student of a token;
// booking.ErrUnauthenticated when it is unknown or expired.
func (s *Store) StudentSession(ctx context.Context, token string) (booking.StudentSession, error) {
	if !validSessionToken(token) {
		return booking.StudentSession{}, fmt.Errorf("store: student session: malformed token: %w", booking.ErrUnauthenticated)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var row struct {
		Identity  string `db:"identity"`
		Name      string `db:"name"`
		Email     string `db:"email"`
		ExpiresAt int64  `db:"expires_at"`
	}
	err := s.db.GetContext(ctx, &row, s.db.Rebind(`
		SELECT identity, name, email, expires_at FROM student_sessions
		WHERE token_hash = ? AND expires_at > ?`), SessionTokenHash(token), s.now().Unix())
	if errors.Is(dbErr(err), booking.ErrNotFound) {
		return booking.StudentSession{}, fmt.Errorf("store: student session: unknown or expired: %w", booking.ErrUnauthenticated)
	}
	if err != nil {
		return booking.StudentSession{}, fmt.Errorf("store: student session: %w", dbErr(err))
	}
	return booking.StudentSession{Identity: row.Identity, Name: row.Name, Email: row.Email, Expires: fromUnix(row.ExpiresAt)}, nil
}

// DeleteStudentSession signs a student out; an unknown token is no error.
func (s *Store) DeleteStudentSession(ctx context.Context, token string) error {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	if _, err := s.db.ExecContext(ctx, s.db.Rebind(`
		DELETE FROM student_sessions WHERE token_hash = ?`), SessionTokenHash(token)); err != nil {
		return fmt.Errorf("store: delete student session: %w", dbErr(err))
	}
	return nil
}

// DeleteStudentSessionsByEmail signs out every session of the e-mail
// address (any case), for an erasure request, and returns how many.
func (s *Store) DeleteStudentSessionsByEmail(ctx context.Context, email string) (int64, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	res, err := s.db.ExecContext(ctx, s.db.Rebind(`
		DELETE FROM student_sessions WHERE lower(email) = lower(?)`), strings.TrimSpace(email))
	if err != nil {
		return 0, fmt.Errorf("store: delete student sessions: %w", dbErr(err))
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// BookingsOfIdentity lists the bookings made with a verified identity,
// newest meeting first, anonymised ones left out.
func (s *Store) BookingsOfIdentity(ctx context.Context, identity string) ([]booking.Booking, error) {
	if identity == "" {
		return nil, fmt.Errorf("store: bookings of an empty identity: %w", booking.ErrInvalid)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var rows []bookingRow
	err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`
		SELECT `+bookingColumns+` FROM bookings
		WHERE student_identity = ? AND NOT anonymised
		ORDER BY start_at DESC, id DESC
		LIMIT 500`), identity)
	if err != nil {
		return nil, fmt.Errorf("store: bookings of identity: %w", dbErr(err))
	}
	return bookingsOf(rows), nil
}

// SetServiceRequiresSignIn says whether the service's bookings need a
// signed-in student. booking.ErrNotFound when there is no such service.
func (s *Store) SetServiceRequiresSignIn(ctx context.Context, slug string, required bool) error {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	res, err := s.db.ExecContext(ctx, s.db.Rebind(`UPDATE services SET require_signin = ? WHERE slug = ?`), required, slug)
	if err == nil {
		err = oneRow(res)
	}
	if err != nil {
		return fmt.Errorf("store: service %s sign-in: %w", slug, dbErr(err))
	}
	return nil
}

// settingLocalPasswordsOff names the site setting that turns staff
// passwords off on the web (CalDAV's app passwords stay).
const settingLocalPasswordsOff = "web.local_passwords_off"

// LocalPasswordsOff says whether an admin has turned staff passwords off
// for the web.
func (s *Store) LocalPasswordsOff(ctx context.Context) (bool, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var v string
	err := s.db.GetContext(ctx, &v, s.db.Rebind(`SELECT value FROM site_settings WHERE name = ?`), settingLocalPasswordsOff)
	if errors.Is(dbErr(err), booking.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: setting: %w", dbErr(err))
	}
	return v == "1", nil
}

// SetLocalPasswordsOff turns staff passwords off (or on again) for the web.
func (s *Store) SetLocalPasswordsOff(ctx context.Context, off bool) error {
	v := "0"
	if off {
		v = "1"
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	_, err := s.db.ExecContext(ctx, s.db.Rebind(`
		INSERT INTO site_settings (name, value) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`), settingLocalPasswordsOff, v)
	if err != nil {
		return fmt.Errorf("store: set setting: %w", dbErr(err))
	}
	return nil
}
