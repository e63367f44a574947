// Package storetest gives tests a fresh, empty store on each database, so
// that one test body runs against SQLite and PostgreSQL:
//
//	func TestThing(t *testing.T) {
//		storetest.Each(t, func(t *testing.T, s *store.Store) {
//			...
//		})
//	}
//
// SQLite stores live in a temporary directory. PostgreSQL stores live in a
// schema of their own, created for the test and dropped after it, in the
// database at $VEILEDER_TEST_DATABASE_URL (default DefaultPostgresURL), so
// tests may run in parallel. If PostgreSQL cannot be reached the PostgreSQL
// half is skipped, unless $CI is "true", where it fails.
//
// Stores use bcrypt's minimum cost, so that tests that create users are
// fast.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/lib/pq" // the postgres driver, for the admin connection
	"golang.org/x/crypto/bcrypt"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/recurrence"
	"github.com/veileder/veileder/scheduling"
	"github.com/veileder/veileder/store"
)

// DefaultPostgresURL is the PostgreSQL used when $VEILEDER_TEST_DATABASE_URL
// is not set: the docker-compose one, or a local one with trust auth.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// Dialects lists the databases Each runs on, in order.
func Dialects() []store.Dialect { return []store.Dialect{store.SQLite, store.Postgres} }

// Each runs fn as a subtest named after each dialect ("sqlite",
// "postgres"), each with a fresh store that is closed after the subtest.
// The subtests run one after the other; fn may call t.Parallel.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, d := range Dialects() {
		t.Run(string(d), func(t *testing.T) {
			fn(t, Open(t, d))
		})
	}
}

// Object is data as a calendar object of cal named name, validated and
// indexed as the CalDAV server does before it stores a PUT, with loc for
// floating times.
func Object(cal booking.Calendar, name string, data []byte, loc *time.Location) (booking.CalendarObject, error) {
	v, err := recurrence.Validate(data, cal.AcceptsComponent, recurrence.Options{Location: loc})
	if err != nil {
		return booking.CalendarObject{}, err
	}
	return booking.CalendarObject{
		CalendarID: cal.ID, Name: name, UID: v.UID, Component: v.Component, Data: data,
		FirstStart: v.FirstStart, LastEnd: v.LastEnd, Parsed: v.Calendar,
	}, nil
}

// Open returns a fresh store on the dialect's database, closed when the
// test ends.
func Open(t testing.TB, dialect store.Dialect) *store.Store {
	t.Helper()
	cfg := NewConfig(t, dialect)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := store.OpenWith(ctx, cfg)
	if err != nil {
		t.Fatalf("open %s store: %v", dialect, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close %s store: %v", dialect, err)
		}
	})
	return s
}

// NewConfig prepares an empty database of the dialect (a temporary
// directory, or a schema that is dropped when the test ends) and returns a
// Config that opens it with bcrypt's minimum cost. It is for tests that
// open the store themselves, for instance to reopen it; they must close
// it before the test ends, or in a cleanup registered after NewConfig
// (cleanups run last first, so the schema is dropped after it).
func NewConfig(t testing.TB, dialect store.Dialect) store.Config {
	t.Helper()
	// Tests check behaviour, not latency: under -race on a loaded CI
	// machine a queued writer can wait longer than the production
	// per-call timeout, which would turn a correct test into a flaky one.
	cfg := store.Config{BcryptCost: bcrypt.MinCost, QueryTimeout: 30 * time.Second}
	switch dialect {
	case store.SQLite:
		cfg.DataDir = t.TempDir()
	case store.Postgres:
		cfg.DatabaseURL = postgresSchema(t)
	default:
		t.Fatalf("unknown dialect %q", dialect)
	}
	return cfg
}

// postgresSchema creates a schema for the test and returns the URL of the
// test database with search_path set to it. lib/pq sends URL parameters it
// does not know itself to the server as run-time parameters, so every
// connection of the store's pool starts in the schema.
func postgresSchema(t testing.TB) string {
	t.Helper()
	base := os.Getenv("VEILEDER_TEST_DATABASE_URL")
	if base == "" {
		base = DefaultPostgresURL
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("VEILEDER_TEST_DATABASE_URL: %v", err)
	}

	admin, err := sql.Open("postgres", base)
	if err != nil {
		t.Fatalf("open postgres at %s: %v", u.Redacted(), err)
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		msg := fmt.Sprintf("postgres at %s is unreachable (%v); set VEILEDER_TEST_DATABASE_URL or start it with docker compose up -d postgres", u.Redacted(), err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}

	if err := ensureBtreeGist(ctx, admin); err != nil {
		t.Fatalf("postgres at %s: %v", u.Redacted(), err)
	}

	// 130 random bits in lower case, which needs no quoting.
	schema := "t_" + strings.ToLower(rand.Text())
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		db, err := sql.Open("postgres", base)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer db.Close()
		if _, err := db.ExecContext(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})

	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// ensureBtreeGist installs btree_gist, which the bookings table's exclusion
// constraint needs, in the public schema, before any test schema exists.
// Otherwise the first test's migration would install it in that test's
// schema, and dropping the schema after the test would take the extension,
// and with it the constraints of every other test running, along.
// Test packages run in parallel and may race to create it; the loser's
// error is harmless once the extension is there.
func ensureBtreeGist(ctx context.Context, admin *sql.DB) error {
	_, err := admin.ExecContext(ctx, `CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA public`)
	if err == nil {
		return nil
	}
	var exists bool
	if qerr := admin.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'btree_gist')`).Scan(&exists); qerr != nil || !exists {
		return fmt.Errorf("create extension btree_gist: %w", err)
	}
	return nil
}

// SchedulingStore is the store as the app hands it to the scheduling
// service (app/app.go does the same): Store.Tx takes a function of
// *store.Tx, which the service sees as its Tx.
type SchedulingStore struct{ *store.Store }

// Tx runs fn in one of the store's transactions.
func (s SchedulingStore) Tx(ctx context.Context, lockLibrarianID int64, fn func(ctx context.Context, tx scheduling.Tx) error) error {
	return s.Store.Tx(ctx, lockLibrarianID, func(ctx context.Context, tx *store.Tx) error { return fn(ctx, tx) })
}

// TryTx runs fn in one of the store's transactions unless the librarian is
// locked.
func (s SchedulingStore) TryTx(ctx context.Context, lockLibrarianID int64, fn func(ctx context.Context, tx scheduling.Tx) error) (bool, error) {
	return s.Store.TryTx(ctx, lockLibrarianID, func(ctx context.Context, tx *store.Tx) error { return fn(ctx, tx) })
}
