package store_test

import (
	"fmt"
	"io/fs"
	"path"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/veileder/veileder/migrations"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// migrationFiles is the number of migration files, the same in both
// dialects, and latestVersion the number of the newest: the two differ
// while a branch lacks a number another one takes.
var migrationFiles, latestVersion = func() (int64, int64) {
	pg, err := fs.Glob(migrations.FS, "postgres/*.sql")
	if err != nil {
		panic(err)
	}
	lite, err := fs.Glob(migrations.FS, "sqlite/*.sql")
	if err != nil || len(lite) != len(pg) || len(pg) == 0 {
		panic(fmt.Sprintf("migrations: %d postgres files, %d sqlite files (%v)", len(pg), len(lite), err))
	}
	var latest int64
	if _, err := fmt.Sscanf(path.Base(pg[len(pg)-1]), "%05d_", &latest); err != nil {
		panic(fmt.Sprintf("migrations: %s is not numbered: %v", pg[len(pg)-1], err))
	}
	return int64(len(pg)), latest
}()

// Opening applies the migrations; opening again finds nothing to do and
// keeps the data.
func TestMigrateIdempotent(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := t.Context()
			cfg := storetest.NewConfig(t, d)

			s, err := store.OpenWith(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if s.Dialect() != d {
				t.Errorf("Dialect: got %q, want %q", s.Dialect(), d)
			}
			createUser(t, s, "ola", "")
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}

			s, err = store.OpenWith(ctx, cfg)
			if err != nil {
				t.Fatalf("reopen: %v", err)
			}
			defer s.Close()
			if _, err := s.UserByUsername(ctx, "ola"); err != nil {
				t.Errorf("user after reopen: %v", err)
			}
			cals, err := s.Calendars(ctx, 0)
			if err != nil || len(cals) != 1 || cals[0].Slug != "dropin" {
				t.Errorf("shared calendars after reopen: got %v, %v; want the one dropin", cals, err)
			}

			current, latest, err := s.SchemaVersion(ctx)
			if err != nil || current != latestVersion || latest != latestVersion {
				t.Errorf("SchemaVersion: got %d, %d, %v; want %d, %d", current, latest, err, latestVersion, latestVersion)
			}

			dialect, fsys := goose.DialectSQLite3, migrations.SQLite()
			if d == store.Postgres {
				dialect, fsys = goose.DialectPostgres, migrations.Postgres()
			}
			p, err := goose.NewProvider(dialect, store.DB(s).DB, fsys, goose.WithDisableGlobalRegistry(true))
			if err != nil {
				t.Fatal(err)
			}
			status, err := p.Status(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if int64(len(status)) != migrationFiles {
				t.Errorf("goose status: got %d migrations, want %d", len(status), migrationFiles)
			}
			for i, st := range status {
				if st.State != goose.StateApplied || (i > 0 && st.Source.Version <= status[i-1].Source.Version) {
					t.Errorf("goose status %d: got version %d %s, want a higher version than the one before, applied", i, st.Source.Version, st.State)
				}
			}
		})
	}
}

// Each PostgreSQL store works in its own schema, set through search_path
// in the URL, which lib/pq passes to the server as a run-time parameter.
func TestPostgresSchemaPerTest(t *testing.T) {
	s := storetest.Open(t, store.Postgres)
	var schema string
	if err := store.DB(s).GetContext(t.Context(), &schema, `SELECT current_schema()`); err != nil {
		t.Fatal(err)
	}
	var tables int
	err := store.DB(s).GetContext(t.Context(), &tables,
		`SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename IN ('users', 'goose_db_version')`)
	if err != nil {
		t.Fatal(err)
	}
	if len(schema) < 3 || schema[:2] != "t_" || tables != 2 {
		t.Errorf("got schema %q with %d of the tables, want t_… with users and goose_db_version", schema, tables)
	}
}

func TestOpenRejectsOtherURLs(t *testing.T) {
	_, err := store.OpenWith(t.Context(), store.Config{DatabaseURL: "mysql://localhost/x", DataDir: t.TempDir()})
	if err == nil {
		t.Errorf("Open(mysql://...): got no error, want one")
	}
}

// The SQLite connection settings that correctness depends on are in force
// on every connection.
func TestSQLiteSettings(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	tests := []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"foreign_keys", "1"},
		{"busy_timeout", "10000"},
		{"synchronous", "2"}, // FULL
	}
	for _, tt := range tests {
		var got string
		if err := store.DB(s).GetContext(t.Context(), &got, "PRAGMA "+tt.pragma); err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("PRAGMA %s: got %q, want %q", tt.pragma, got, tt.want)
		}
	}
}
