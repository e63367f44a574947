// Package store keeps Veileder's state in PostgreSQL (production) or in an
// embedded SQLite file (the default when no database URL is configured).
//
// One SQL text serves both databases wherever it can: queries are written
// with '?' placeholders and rebound by sqlx, and every time is an integer of
// Unix seconds (see migrations/postgres/00001_caldav.sql for why). Driver
// errors leave this package as the booking package's domain errors, wrapped
// with what the store was doing and with the driver's text for the log.
package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"golang.org/x/crypto/bcrypt"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/migrations"
)

// Dialect names the database behind a Store.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DefaultQueryTimeout bounds each database call (one query or one
// transaction) when Config.QueryTimeout is zero.
const DefaultQueryTimeout = 5 * time.Second

// Config says which database to use and how.
type Config struct {
	// DatabaseURL is a postgres:// or postgresql:// URL for lib/pq. Run-time
	// parameters such as search_path may be given as URL parameters. Empty
	// means SQLite at DataDir/veileder.db.
	DatabaseURL string
	// DataDir holds the SQLite file; it is created if missing.
	DataDir string
	// BcryptCost is the cost of new password hashes; zero means
	// bcrypt.DefaultCost. Tests lower it to bcrypt.MinCost.
	BcryptCost int
	// QueryTimeout bounds each database call; zero means DefaultQueryTimeout.
	QueryTimeout time.Duration
	// MaxOpenConns caps the connection pool; zero means 20.
	MaxOpenConns int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger, when set, is told which migrations were applied at OpenWith.
	Logger *slog.Logger
	// Throttle limits failed sign-ins (throttle.go); zero fields mean
	// DefaultThrottlePolicy's.
	Throttle ThrottlePolicy
}

// Store is Veileder's persistence. It is safe for concurrent use.
type Store struct {
	db        *sqlx.DB
	dialect   Dialect
	cfg       Config
	migrator  *goose.Provider
	dummyHash []byte // compared against on unknown users, so they take as long
	throttle  ThrottlePolicy
	// hook is called inside CalDAV writes to bookings calendars; see
	// SetObjectHook.
	hook atomic.Pointer[objectHook]
}

// OpenWith opens the database at cfg.DatabaseURL, or the SQLite file in
// cfg.DataDir when the URL is empty, and applies pending migrations.
func OpenWith(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.BcryptCost == 0 {
		cfg.BcryptCost = bcrypt.DefaultCost
	}
	if cfg.BcryptCost < bcrypt.MinCost || cfg.BcryptCost > bcrypt.MaxCost {
		return nil, fmt.Errorf("store: bcrypt cost %d out of range: %w", cfg.BcryptCost, booking.ErrInvalid)
	}
	if cfg.QueryTimeout <= 0 {
		cfg.QueryTimeout = DefaultQueryTimeout
	}
	if cfg.MaxOpenConns <= 0 {
		cfg.MaxOpenConns = 20
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}

	var (
		db      *sqlx.DB
		dialect Dialect
		err     error
	)
	switch {
	case cfg.DatabaseURL == "":
		dialect = SQLite
		db, err = openSQLite(cfg.DataDir)
	case strings.HasPrefix(cfg.DatabaseURL, "postgres://"), strings.HasPrefix(cfg.DatabaseURL, "postgresql://"):
		dialect = Postgres
		db, err = sqlx.Open("postgres", cfg.DatabaseURL)
	default:
		return nil, fmt.Errorf("store: database URL must start with postgres:// (or be empty for SQLite): %w", booking.ErrInvalid)
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", dialect, err)
	}
	db.SetMaxOpenConns(cfg.MaxOpenConns)
	db.SetMaxIdleConns(cfg.MaxOpenConns) // idle ones are closed after ConnMaxIdleTime
	db.SetConnMaxIdleTime(5 * time.Minute)

	dummy, err := bcrypt.GenerateFromPassword([]byte("not a password of anyone"), cfg.BcryptCost)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("store: dummy hash: %w", err)
	}
	s := &Store{db: db, dialect: dialect, cfg: cfg, dummyHash: dummy, throttle: cfg.Throttle.withDefaults()}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// openSQLite opens dataDir/veileder.db with the settings a web service
// needs: WAL so that readers do not wait for the writer; a busy timeout so
// that a writer waits for another instead of failing; foreign keys, which
// SQLite leaves off by default; synchronous FULL so that a committed booking
// survives a power cut, not only a crash of the process; and _txlock=immediate
// so that every transaction takes the write lock at BEGIN. Without it a
// transaction that reads and then writes would fail with SQLITE_BUSY when
// another writer got there first, instead of waiting its turn.
func openSQLite(dataDir string) (*sqlx.DB, error) {
	if dataDir == "" {
		dataDir = "."
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, err
	}
	path := filepath.Join(dataDir, "veileder.db")
	if strings.ContainsRune(path, '?') {
		return nil, fmt.Errorf("data directory %q must not contain '?': %w", dataDir, booking.ErrInvalid)
	}
	dsn := path + "?" + url.Values{
		"_pragma": {"busy_timeout(10000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(FULL)"},
		"_txlock": {"immediate"},
	}.Encode()
	return sqlx.Open("sqlite", dsn)
}

// migrate applies the pending migrations with goose.
func (s *Store) migrate(ctx context.Context) error {
	var (
		fsys    fs.FS
		dialect goose.Dialect
		opts    = []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	)
	switch s.dialect {
	case SQLite:
		fsys, dialect = migrations.SQLite(), goose.DialectSQLite3
	case Postgres:
		fsys, dialect = migrations.Postgres(), goose.DialectPostgres
		// Replicas starting together must not run the same migration
		// twice. The advisory lock is keyed by database and schema, so
		// that stores in different schemas (as in tests) do not wait for
		// one another.
		id, err := s.migrationLockID(ctx)
		if err != nil {
			return err
		}
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(id), lock.WithLockTimeout(1, 300))
		if err != nil {
			return fmt.Errorf("store: migration lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	if s.cfg.Logger != nil {
		opts = append(opts, goose.WithSlog(s.cfg.Logger))
	}
	p, err := goose.NewProvider(dialect, s.db.DB, fsys, opts...)
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	s.migrator = p
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("store: apply migrations: %w", err)
	}
	if s.cfg.Logger != nil {
		for _, r := range results {
			s.cfg.Logger.InfoContext(ctx, "applied migration", "migration", r.String())
		}
	}
	return nil
}

func (s *Store) migrationLockID(ctx context.Context) (int64, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var where struct {
		Database string         `db:"database"`
		Schema   sql.NullString `db:"schema"`
	}
	if err := s.db.GetContext(ctx, &where, `SELECT current_database() AS database, current_schema() AS schema`); err != nil {
		return 0, fmt.Errorf("store: connect to postgres: %w", err)
	}
	if !where.Schema.Valid {
		return 0, fmt.Errorf("store: no schema of search_path exists in database %s: %w", where.Database, booking.ErrInvalid)
	}
	h := fnv.New64a()
	fmt.Fprintf(h, "veileder migrations %s.%s", where.Database, where.Schema.String)
	return int64(h.Sum64() & (1<<63 - 1)), nil
}

// SchemaVersion reports the schema version the database is at and the
// newest version this build knows.
func (s *Store) SchemaVersion(ctx context.Context) (current, latest int64, err error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	current, latest, err = s.migrator.GetVersions(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("store: schema version: %w", err)
	}
	return current, latest, nil
}

// Close closes the database.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// Dialect tells which database the store uses.
func (s *Store) Dialect() Dialect { return s.dialect }

// PoolSize is the most connections the store opens at once.
func (s *Store) PoolSize() int { return s.cfg.MaxOpenConns }

// Ping checks that the database answers, for health checks.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// querier is the pool or a transaction, so that a read can serve both the
// Store and a Tx without its SQL written twice.
type querier = sqlx.ExtContext

// timeout gives one database call, a query or a whole transaction, its
// deadline.
func (s *Store) timeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.cfg.QueryTimeout)
}

func (s *Store) now() time.Time { return s.cfg.Now() }

// inTx runs fn in a transaction under one deadline, and commits if fn
// succeeds. On SQLite the transaction holds the write lock from BEGIN
// (_txlock=immediate); on PostgreSQL it runs at READ COMMITTED, and writers
// that must not interleave serialise on a row lock they take first.
func (s *Store) inTx(ctx context.Context, fn func(ctx context.Context, tx *sqlx.Tx) error) error {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", dbErr(err))
	}
	defer tx.Rollback() // a no-op after Commit
	if err := fn(ctx, tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", dbErr(err))
	}
	return nil
}

// dbErr translates a driver error into a domain error, keeping the driver's
// text in the chain for the log. Errors that say nothing about the request
// (a lost connection, a timeout) stay as they are: the adapters answer them
// with a server error.
func dbErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return booking.ErrNotFound
	}
	var domain error
	if e := pq.As(err); e != nil {
		switch e.Code {
		case pqerror.UniqueViolation:
			domain = booking.ErrConflict
		case pqerror.ExclusionViolation:
			// The only exclusion constraint is bookings_no_overlap.
			domain = booking.ErrSlotTaken
		case pqerror.ForeignKeyViolation:
			domain = booking.ErrNotFound
		case pqerror.CheckViolation, pqerror.NotNullViolation,
			pqerror.CharacterNotInRepertoire, pqerror.UntranslatableCharacter,
			pqerror.StringDataRightTruncation, pqerror.NumericValueOutOfRange:
			domain = booking.ErrInvalid
		}
	}
	if e, ok := errors.AsType[*sqlite.Error](err); ok {
		switch e.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			domain = booking.ErrConflict
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			domain = booking.ErrNotFound
		case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL, sqlite3.SQLITE_CONSTRAINT_DATATYPE:
			domain = booking.ErrInvalid
		case sqlite3.SQLITE_CONSTRAINT_TRIGGER:
			// The triggers that stand in for PostgreSQL's exclusion
			// constraint (migrations/sqlite/00002_booking.sql).
			if strings.Contains(e.Error(), "bookings_no_overlap") {
				domain = booking.ErrSlotTaken
			}
		}
	}
	if domain != nil {
		return fmt.Errorf("%w (%w)", domain, err)
	}
	return err
}

// Times are stored as Unix seconds; the zero time is NULL ("open").

func unixOrNull(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.Unix(), Valid: true}
}

// unixCeil rounds up, so that a stored upper bound never shrinks.
func unixCeilOrNull(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	sec := t.Unix()
	if t.Nanosecond() > 0 {
		sec++
	}
	return sql.NullInt64{Int64: sec, Valid: true}
}

func fromUnix(sec int64) time.Time { return time.Unix(sec, 0).UTC() }

func fromUnixOrZero(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return fromUnix(n.Int64)
}

// etagOf is the ETag of an object's data: the first 128 bits of its SHA-256
// in hex. The same bytes give the same ETag, which lets a client's
// conditional request survive a no-op rewrite.
func etagOf(data []byte) string {
	sum := sha256.Sum256(data)
	return fmt.Sprintf("%x", sum[:16])
}
