package store_test

import (
	"database/sql"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/migrations"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// A database at schema version 1, holding data, is upgraded to the latest
// version at Open without losing any of it, and the new tables work with
// the old rows.
func TestUpgradeFromVersion1(t *testing.T) {
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
				db, err = sql.Open("sqlite", filepath.Join(cfg.DataDir, "veileder.db")+"?_pragma=foreign_keys(1)")
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
			if _, err := p.UpTo(ctx, 1); err != nil {
				t.Fatalf("migrate to version 1: %v", err)
			}

			// Data as version 1 knew it, written with its SQL.
			steps := []struct {
				query string
				args  []any
			}{
				{`INSERT INTO users (username, display_name, email, role, password_hash, disabled, created_at)
				  VALUES ('ola', 'Ola Dahl', 'ola@example.org', 'librarian', 'x', FALSE, 1700000000)`, nil},
				{`INSERT INTO calendars (owner_id, slug, kind, display_name, components, sync_seq, created_at, updated_at)
				  SELECT id, 'bookings', 'bookings', 'Bookinger', 'VEVENT', 1, 1700000000, 1700000000 FROM users WHERE username = 'ola'`, nil},
				{`INSERT INTO calendar_objects (calendar_id, name, uid, component, data, etag, size, first_start, last_end, modified_at, seq)
				  SELECT id, 'a.ics', 'uid-a', 'VEVENT', 'BEGIN:VCALENDAR', 'etag-a', 15, 1700000000, 1700003600, 1700000000, 1
				  FROM calendars WHERE slug = 'bookings' AND owner_id IS NOT NULL`, nil},
				{`INSERT INTO calendar_changes (calendar_id, seq, name, deleted)
				  SELECT id, 1, 'a.ics', FALSE FROM calendars WHERE slug = 'bookings' AND owner_id IS NOT NULL`, nil},
			}
			for _, st := range steps {
				if _, err := db.ExecContext(ctx, st.query, st.args...); err != nil {
					t.Fatalf("version 1 data: %v", err)
				}
			}
			db.Close()

			s, err := store.OpenWith(ctx, cfg)
			if err != nil {
				t.Fatalf("open and upgrade: %v", err)
			}
			defer s.Close()
			if current, latest, err := s.SchemaVersion(ctx); err != nil || current != latest || current != latestVersion {
				t.Errorf("SchemaVersion after upgrade: got %d, %d, %v; want %d", current, latest, err, latestVersion)
			}

			ola, err := s.UserByUsername(ctx, "ola")
			if err != nil || ola.DisplayName != "Ola Dahl" {
				t.Fatalf("user after upgrade: got %+v, %v", ola, err)
			}
			cal, err := s.CalendarBySlug(ctx, ola.ID, "bookings")
			if err != nil || cal.SyncSeq != 1 || cal.Kind != booking.KindBookings {
				t.Fatalf("calendar after upgrade: got %+v, %v", cal, err)
			}
			obj, err := s.Object(ctx, cal.ID, "a.ics")
			if err != nil || obj.ETag != "etag-a" || string(obj.Data) != "BEGIN:VCALENDAR" {
				t.Errorf("object after upgrade: got %+v, %v", obj, err)
			}
			changes, seq, err := s.ChangesSince(ctx, cal.ID, 0)
			if err != nil || seq != 1 || len(changes) != 1 || changes[0].Name != "a.ics" {
				t.Errorf("changes after upgrade: got %v, %d, %v; want a.ics at 1", changes, seq, err)
			}

			// The old librarian can take on the seeded general topic and
			// be booked.
			if err := s.AddCompetence(ctx, ola.ID, "generell", booking.LevelPrimary, nil); err != nil {
				t.Fatal(err)
			}
			libs, err := s.LibrariansForTopic(ctx, mustTopic(t, s, "generell").ID)
			if err != nil || len(libs) != 1 || libs[0].ID != ola.ID {
				t.Errorf("LibrariansForTopic(generell) after upgrade: got %+v, %v; want ola", libs, err)
			}
			mustInsert(t, s, newBooking(mustTopic(t, s, "generell").ID, ola.ID, 10, 0, "a@example.org", "t1"))
			// New users get ids after the old ones.
			kari := createUser(t, s, "kari", booking.RoleLibrarian)
			if kari.ID <= ola.ID {
				t.Errorf("new user id %d, want more than %d", kari.ID, ola.ID)
			}
		})
	}
}

func mustTopic(t *testing.T, s *store.Store, slug string) booking.Topic {
	t.Helper()
	topic, err := s.TopicBySlug(t.Context(), slug)
	if err != nil {
		t.Fatal(err)
	}
	return topic
}
