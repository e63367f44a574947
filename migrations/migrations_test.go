package migrations_test

import (
	"database/sql"
	"io/fs"
	"path/filepath"
	"slices"
	"testing"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite"

	"github.com/veileder/veileder/migrations"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// Every migration exists for both dialects, under the same name.
func TestDialectsHaveTheSameMigrations(t *testing.T) {
	names := func(fsys fs.FS) []string {
		t.Helper()
		got, err := fs.Glob(fsys, "*.sql")
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	pg, lite := names(migrations.Postgres()), names(migrations.SQLite())
	if len(pg) == 0 || !slices.Equal(pg, lite) {
		t.Errorf("got postgres %v and sqlite %v, want the same non-empty list", pg, lite)
	}
}

// Every migration goes up, down and up again on both databases, so that
// its Down section is known to undo its Up section.
func TestUpDownUp(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := t.Context()
			cfg := storetest.NewConfig(t, d)
			var (
				db      *sql.DB
				err     error
				dialect goose.Dialect
				fsys    fs.FS
			)
			switch d {
			case store.SQLite:
				db, err = sql.Open("sqlite", filepath.Join(cfg.DataDir, "test.db")+"?_pragma=foreign_keys(1)")
				dialect, fsys = goose.DialectSQLite3, migrations.SQLite()
			case store.Postgres:
				db, err = sql.Open("postgres", cfg.DatabaseURL)
				dialect, fsys = goose.DialectPostgres, migrations.Postgres()
			}
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()

			p, err := goose.NewProvider(dialect, db, fsys, goose.WithDisableGlobalRegistry(true))
			if err != nil {
				t.Fatal(err)
			}
			latest := p.ListSources()[len(p.ListSources())-1].Version
			steps := []struct {
				name string
				run  func() error
				want int64
			}{
				{"up", func() error { _, err := p.Up(ctx); return err }, latest},
				{"down to 0", func() error { _, err := p.DownTo(ctx, 0); return err }, 0},
				{"up again", func() error { _, err := p.Up(ctx); return err }, latest},
			}
			for _, step := range steps {
				if err := step.run(); err != nil {
					t.Fatalf("%s: %v", step.name, err)
				}
				got, err := p.GetDBVersion(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if got != step.want {
					t.Errorf("%s: version got %d, want %d", step.name, got, step.want)
				}
			}
			var dropins int
			if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM calendars WHERE slug = 'dropin' AND owner_id IS NULL`).Scan(&dropins); err != nil {
				t.Fatal(err)
			}
			if dropins != 1 {
				t.Errorf("shared dropin calendars: got %d, want 1", dropins)
			}
		})
	}
}
