package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"golang.org/x/crypto/bcrypt"

	"github.com/veileder/veileder/booking"
)

// userRow is a row of users.
type userRow struct {
	ID           int64  `db:"id"`
	Username     string `db:"username"`
	DisplayName  string `db:"display_name"`
	Email        string `db:"email"`
	Role         string `db:"role"`
	PasswordHash string `db:"password_hash"`
	Disabled     bool   `db:"disabled"`
	CreatedAt    int64  `db:"created_at"`
}

func (r userRow) user() booking.User {
	return booking.User{
		ID:          r.ID,
		Username:    r.Username,
		DisplayName: r.DisplayName,
		Email:       r.Email,
		Role:        booking.Role(r.Role),
		Disabled:    r.Disabled,
		CreatedAt:   fromUnix(r.CreatedAt),
	}
}

// defaultCalendars are the calendars every new user's home starts with; the
// booking engine finds them by kind.
var defaultCalendars = []booking.Calendar{
	{Slug: "availability", Kind: booking.KindAvailability, DisplayName: "Tilgjengelig for veiledning", Components: []string{"VEVENT"}},
	{Slug: "bookings", Kind: booking.KindBookings, DisplayName: "Bookinger", Components: []string{"VEVENT"}},
	{Slug: "personal", Kind: booking.KindPersonal, DisplayName: "Kalender", Components: []string{"VEVENT", "VTODO"}},
}

// CreateUser stores a new staff user with the given password, and in the
// same transaction creates the user's availability, bookings and personal
// calendars. An empty role means librarian. booking.ErrConflict when the
// user name is taken.
func (s *Store) CreateUser(ctx context.Context, u booking.User, password string) (booking.User, error) {
	if err := booking.ValidUsername(u.Username); err != nil {
		return booking.User{}, fmt.Errorf("store: create user: %w", err)
	}
	if u.Role == "" {
		u.Role = booking.RoleLibrarian
	}
	role, err := booking.ParseRole(string(u.Role))
	if err != nil {
		return booking.User{}, fmt.Errorf("store: create user %s: %w", u.Username, err)
	}
	// Hash before the transaction: bcrypt is slow on purpose, and on SQLite
	// the transaction holds the write lock.
	hash, err := s.hashPassword(password)
	if err != nil {
		return booking.User{}, fmt.Errorf("store: create user %s: %w", u.Username, err)
	}
	now := s.now().Unix()
	row := userRow{
		Username:     u.Username,
		DisplayName:  u.DisplayName,
		Email:        u.Email,
		Role:         string(role),
		PasswordHash: hash,
		Disabled:     u.Disabled,
		CreatedAt:    now,
	}
	err = s.inTx(ctx, func(ctx context.Context, tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &row.ID, tx.Rebind(`
			INSERT INTO users (username, display_name, email, role, password_hash, disabled, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			RETURNING id`),
			row.Username, row.DisplayName, row.Email, row.Role, row.PasswordHash, row.Disabled, row.CreatedAt)
		if err != nil {
			return dbErr(err)
		}
		for i, cal := range defaultCalendars {
			cal.OwnerID = row.ID
			cal.Order = i
			if _, err := insertCalendar(ctx, tx, cal, now); err != nil {
				return fmt.Errorf("calendar %s: %w", cal.Slug, err)
			}
		}
		return nil
	})
	if err != nil {
		return booking.User{}, fmt.Errorf("store: create user %s: %w", u.Username, err)
	}
	return row.user(), nil
}

// UserByUsername returns the user of that name, enabled or not.
func (s *Store) UserByUsername(ctx context.Context, username string) (booking.User, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var row userRow
	err := s.db.GetContext(ctx, &row, s.db.Rebind(`
		SELECT id, username, display_name, email, role, password_hash, disabled, created_at
		FROM users
		WHERE username = ?`), username)
	if err != nil {
		return booking.User{}, fmt.Errorf("store: user %s: %w", username, dbErr(err))
	}
	return row.user(), nil
}

// UserByID returns the user with that id, enabled or not.
func (s *Store) UserByID(ctx context.Context, id int64) (booking.User, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var row userRow
	err := s.db.GetContext(ctx, &row, s.db.Rebind(`
		SELECT id, username, display_name, email, role, password_hash, disabled, created_at
		FROM users
		WHERE id = ?`), id)
	if err != nil {
		return booking.User{}, fmt.Errorf("store: user %d: %w", id, dbErr(err))
	}
	return row.user(), nil
}

// Users lists every user by user name.
func (s *Store) Users(ctx context.Context) ([]booking.User, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var rows []userRow
	err := s.db.SelectContext(ctx, &rows, `
		SELECT id, username, display_name, email, role, password_hash, disabled, created_at
		FROM users
		ORDER BY username`)
	if err != nil {
		return nil, fmt.Errorf("store: users: %w", dbErr(err))
	}
	users := make([]booking.User, 0, len(rows))
	for _, r := range rows {
		users = append(users, r.user())
	}
	return users, nil
}

// SetPassword replaces a user's account password. App passwords stay.
func (s *Store) SetPassword(ctx context.Context, username, password string) error {
	hash, err := s.hashPassword(password)
	if err != nil {
		return fmt.Errorf("store: set password of %s: %w", username, err)
	}
	if err := s.updateUser(ctx, `UPDATE users SET password_hash = ? WHERE username = ?`, hash, username); err != nil {
		return fmt.Errorf("store: set password of %s: %w", username, err)
	}
	return nil
}

// SetDisabled disables or enables a user. A disabled user cannot sign in,
// with the account password or any app password.
func (s *Store) SetDisabled(ctx context.Context, username string, disabled bool) error {
	if err := s.updateUser(ctx, `UPDATE users SET disabled = ? WHERE username = ?`, disabled, username); err != nil {
		return fmt.Errorf("store: set disabled of %s: %w", username, err)
	}
	return nil
}

// SetRole changes a user's role.
func (s *Store) SetRole(ctx context.Context, username string, role booking.Role) error {
	role, err := booking.ParseRole(string(role))
	if err != nil {
		return fmt.Errorf("store: set role of %s: %w", username, err)
	}
	if err := s.updateUser(ctx, `UPDATE users SET role = ? WHERE username = ?`, string(role), username); err != nil {
		return fmt.Errorf("store: set role of %s: %w", username, err)
	}
	return nil
}

// updateUser runs an UPDATE of one user and reports booking.ErrNotFound if
// there was none.
func (s *Store) updateUser(ctx context.Context, query string, args ...any) error {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	res, err := s.db.ExecContext(ctx, s.db.Rebind(query), args...)
	if err != nil {
		return dbErr(err)
	}
	return oneRow(res)
}

// oneRow turns "no row changed" into booking.ErrNotFound.
func oneRow(res sql.Result) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return booking.ErrNotFound
	}
	return nil
}

// Authenticate checks a user name and either the account password or one
// of the user's app passwords, and returns the user if enabled. Any wrong
// credential, a disabled or an unknown user give booking.ErrUnauthenticated;
// only a failing database gives another error, so that a client is not told
// its password is wrong during an outage.
//
// User names are matched in lower case, as they are stored, so that a
// capitalised log-in typed on a phone still works.
func (s *Store) Authenticate(ctx context.Context, username, password string) (booking.User, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	row, err := s.userWithHash(ctx, username)
	if errors.Is(err, booking.ErrNotFound) {
		// Spend the time a known user would, so that the answer's delay
		// does not tell which user names exist.
		_ = bcrypt.CompareHashAndPassword(s.dummyHash, bcryptInput(password))
		return booking.User{}, fmt.Errorf("store: authenticate %s: %w", username, booking.ErrUnauthenticated)
	}
	if err != nil {
		return booking.User{}, fmt.Errorf("store: authenticate %s: %w", username, err)
	}
	if bcrypt.CompareHashAndPassword([]byte(row.PasswordHash), bcryptInput(password)) == nil {
		if row.Disabled {
			return booking.User{}, fmt.Errorf("store: authenticate %s: user disabled: %w", username, booking.ErrUnauthenticated)
		}
		return row.user(), nil
	}
	if row.Disabled {
		return booking.User{}, fmt.Errorf("store: authenticate %s: %w", username, booking.ErrUnauthenticated)
	}

	if err := s.checkAppPassword(ctx, row, password); err != nil {
		return booking.User{}, fmt.Errorf("store: authenticate %s: %w", username, err)
	}
	return row.user(), nil
}

// AuthenticateAppPassword checks a user name and one of the user's app
// passwords only, and returns the user if enabled; errors as
// Authenticate's. An app password is a per-device credential of 80 random
// bits, so the CalDAV server checks it even while password guessing from
// elsewhere keeps the account password locked.
func (s *Store) AuthenticateAppPassword(ctx context.Context, username, password string) (booking.User, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	if !appPasswordShape(password) {
		// Not even a query for what cannot be one.
		return booking.User{}, fmt.Errorf("store: authenticate %s: %w", username, booking.ErrUnauthenticated)
	}
	row, err := s.userWithHash(ctx, username)
	if errors.Is(err, booking.ErrNotFound) {
		return booking.User{}, fmt.Errorf("store: authenticate %s: %w", username, booking.ErrUnauthenticated)
	}
	if err == nil && row.Disabled {
		err = booking.ErrUnauthenticated
	}
	if err == nil {
		err = s.checkAppPassword(ctx, row, password)
	}
	if err != nil {
		return booking.User{}, fmt.Errorf("store: authenticate %s: %w", username, err)
	}
	return row.user(), nil
}

// checkAppPassword compares password with the user's app passwords, most
// recently used first, as the one a client used last is the one it will
// use again. Each is a bcrypt compare, so the CalDAV layer should remember
// a recent success briefly.
func (s *Store) checkAppPassword(ctx context.Context, row userRow, password string) error {
	if !appPasswordShape(password) {
		// Not one that newAppPassword makes: no bcrypt is spent on it.
		return booking.ErrUnauthenticated
	}
	apps, err := s.appPasswordHashes(ctx, row.ID)
	if err != nil {
		return err
	}
	for _, app := range apps {
		if bcrypt.CompareHashAndPassword([]byte(app.PasswordHash), bcryptInput(password)) == nil {
			return s.touchAppPassword(ctx, app.ID)
		}
	}
	return booking.ErrUnauthenticated
}

func (s *Store) userWithHash(ctx context.Context, username string) (userRow, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var row userRow
	err := s.db.GetContext(ctx, &row, s.db.Rebind(`
		SELECT id, username, display_name, email, role, password_hash, disabled, created_at
		FROM users
		WHERE username = ?`), username)
	return row, dbErr(err)
}

func (s *Store) appPasswordHashes(ctx context.Context, userID int64) ([]appPasswordRow, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var rows []appPasswordRow
	err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`
		SELECT id, user_id, label, password_hash, created_at, last_used_at
		FROM app_passwords
		WHERE user_id = ?
		ORDER BY COALESCE(last_used_at, 0) DESC, id DESC`), userID)
	return rows, dbErr(err)
}

// lastUsedResolution is how stale app_passwords.last_used_at may get. A
// calendar app sends the password with every request; writing on each one
// would make every read a write.
const lastUsedResolution = time.Minute

func (s *Store) touchAppPassword(ctx context.Context, id int64) error {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	now := s.now()
	_, err := s.db.ExecContext(ctx, s.db.Rebind(`
		UPDATE app_passwords SET last_used_at = ?
		WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`),
		now.Unix(), id, now.Add(-lastUsedResolution).Unix())
	return dbErr(err)
}

// appPasswordRow is a row of app_passwords.
type appPasswordRow struct {
	ID           int64         `db:"id"`
	UserID       int64         `db:"user_id"`
	Label        string        `db:"label"`
	PasswordHash string        `db:"password_hash"`
	CreatedAt    int64         `db:"created_at"`
	LastUsedAt   sql.NullInt64 `db:"last_used_at"`
}

func (r appPasswordRow) appPassword() booking.AppPassword {
	return booking.AppPassword{
		ID:         r.ID,
		UserID:     r.UserID,
		Label:      r.Label,
		CreatedAt:  fromUnix(r.CreatedAt),
		LastUsedAt: fromUnixOrZero(r.LastUsedAt),
	}
}

// CreateAppPassword makes a random app password for the user, labelled so
// that the user can tell it from the others ("iPhone"), and returns its
// plain text, which is not kept, and its id.
func (s *Store) CreateAppPassword(ctx context.Context, userID int64, label string) (plain string, id int64, err error) {
	label = strings.TrimSpace(label)
	if label == "" || utf8.RuneCountInString(label) > 100 || !utf8.ValidString(label) {
		return "", 0, fmt.Errorf("store: create app password: label must be 1 to 100 characters: %w", booking.ErrInvalid)
	}
	plain = newAppPassword()
	hash, err := s.hashPassword(plain)
	if err != nil {
		return "", 0, fmt.Errorf("store: create app password: %w", err)
	}
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	err = s.db.GetContext(ctx, &id, s.db.Rebind(`
		INSERT INTO app_passwords (user_id, label, password_hash, created_at)
		VALUES (?, ?, ?, ?)
		RETURNING id`), userID, label, hash, s.now().Unix())
	if err != nil {
		return "", 0, fmt.Errorf("store: create app password for user %d: %w", userID, dbErr(err))
	}
	return plain, id, nil
}

// AppPasswords lists a user's app passwords, oldest first.
func (s *Store) AppPasswords(ctx context.Context, userID int64) ([]booking.AppPassword, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var rows []appPasswordRow
	err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`
		SELECT id, user_id, label, password_hash, created_at, last_used_at
		FROM app_passwords
		WHERE user_id = ?
		ORDER BY id`), userID)
	if err != nil {
		return nil, fmt.Errorf("store: app passwords of user %d: %w", userID, dbErr(err))
	}
	out := make([]booking.AppPassword, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.appPassword())
	}
	return out, nil
}

// RevokeAppPassword deletes one of the user's app passwords;
// booking.ErrNotFound if the user has none with that id.
func (s *Store) RevokeAppPassword(ctx context.Context, userID, id int64) error {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	res, err := s.db.ExecContext(ctx, s.db.Rebind(`
		DELETE FROM app_passwords WHERE id = ? AND user_id = ?`), id, userID)
	if err == nil {
		err = oneRow(res)
	}
	if err != nil {
		return fmt.Errorf("store: revoke app password %d of user %d: %w", id, userID, dbErr(err))
	}
	return nil
}

// appPasswordAlphabet has 32 letters and digits, without the ones that are
// easy to misread (0, o, 1, l), so that a password typed from a screen into
// a phone comes out right.
const appPasswordAlphabet = "abcdefghijkmnpqrstuvwxyz23456789"

// newAppPassword returns 16 random characters (80 bits) in groups of four:
// "abcd-efgh-jkmn-pqrs".
func newAppPassword() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand since Go 1.24)
	var sb strings.Builder
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			sb.WriteByte('-')
		}
		sb.WriteByte(appPasswordAlphabet[c%32])
	}
	return sb.String()
}

// appPasswordShape reports whether p looks like what newAppPassword makes.
func appPasswordShape(p string) bool {
	if len(p) != 19 {
		return false
	}
	for i := 0; i < len(p); i++ {
		if i%5 == 4 {
			if p[i] != '-' {
				return false
			}
		} else if !strings.ContainsRune(appPasswordAlphabet, rune(p[i])) {
			return false
		}
	}
	return true
}

// Password rules. bcrypt reads at most 72 bytes, so longer passwords are
// hashed with SHA-256 first (see bcryptInput).
const (
	minPasswordLen = 8
	maxPasswordLen = 128
)

func (s *Store) hashPassword(password string) (string, error) {
	n := utf8.RuneCountInString(password)
	if !utf8.ValidString(password) || n < minPasswordLen || n > maxPasswordLen {
		return "", fmt.Errorf("password must be %d to %d characters: %w", minPasswordLen, maxPasswordLen, booking.ErrInvalid)
	}
	hash, err := bcrypt.GenerateFromPassword(bcryptInput(password), s.cfg.BcryptCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(hash), nil
}

// bcryptInput is what bcrypt hashes for a password. Up to bcrypt's limit of
// 72 bytes that is the password itself, so that ordinary hashes stay plain
// bcrypt, which an operator can make with any tool; beyond it the password
// is replaced by the base64 of its SHA-256, so that no byte of a long
// password is ignored.
func bcryptInput(password string) []byte {
	if len(password) <= 72 {
		return []byte(password)
	}
	sum := sha256.Sum256([]byte(password))
	return []byte(base64.StdEncoding.EncodeToString(sum[:]))
}
