package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

func TestCalendars(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		ola := createUser(t, s, "ola", booking.RoleLibrarian)
		kari := createUser(t, s, "kari", booking.RoleCoordinator)

		// The shared drop-in calendar is in every home.
		for _, u := range []booking.User{ola, kari} {
			cal, err := s.CalendarBySlug(ctx, u.ID, "dropin")
			if err != nil {
				t.Fatalf("CalendarBySlug(%s, dropin): %v", u.Username, err)
			}
			if !cal.Shared() || cal.Kind != booking.KindDropIn || cal.DisplayName != "Drop-in" {
				t.Errorf("CalendarBySlug(%s, dropin): got %+v, want the shared drop-in calendar", u.Username, cal)
			}
		}

		created, err := s.CreateCalendar(ctx, booking.Calendar{
			OwnerID: ola.ID, Slug: "teaching", DisplayName: "Teaching", Color: "#FF0000FF", Order: 5,
		})
		if err != nil {
			t.Fatal(err)
		}
		if created.Kind != booking.KindOther || !slices.Equal(created.Components, []string{"VEVENT", "VTODO"}) || created.SyncSeq != 0 {
			t.Errorf("CreateCalendar defaults: got kind %q, components %v, seq %d; want other, VEVENT VTODO, 0",
				created.Kind, created.Components, created.SyncSeq)
		}

		tests := []struct {
			name string
			cal  booking.Calendar
			want error
		}{
			{"same slug in another home", booking.Calendar{OwnerID: kari.ID, Slug: "teaching"}, nil},
			{"taken slug", booking.Calendar{OwnerID: ola.ID, Slug: "teaching"}, booking.ErrConflict},
			{"default calendar slug", booking.Calendar{OwnerID: ola.ID, Slug: "personal"}, booking.ErrConflict},
			{"shared slug", booking.Calendar{OwnerID: ola.ID, Slug: "dropin"}, booking.ErrConflict},
			{"second shared dropin", booking.Calendar{Slug: "dropin", Kind: booking.KindDropIn}, booking.ErrConflict},
			{"bad slug", booking.Calendar{OwnerID: ola.ID, Slug: "a/b"}, booking.ErrInvalid},
			{"bad kind", booking.Calendar{OwnerID: ola.ID, Slug: "k", Kind: "weird"}, booking.ErrInvalid},
			{"unknown owner", booking.Calendar{OwnerID: 9999, Slug: "nobody"}, booking.ErrNotFound},
		}
		for _, tt := range tests {
			_, err := s.CreateCalendar(ctx, tt.cal)
			checkErr(t, tt.name, err, tt.want)
		}

		// An owned calendar hides a shared one of the same name.
		if _, err := s.CreateCalendar(ctx, booking.Calendar{Slug: "teaching", Kind: booking.KindOther}); err != nil {
			t.Fatal(err)
		}
		got, err := s.CalendarBySlug(ctx, ola.ID, "teaching")
		if err != nil || got.ID != created.ID {
			t.Errorf("CalendarBySlug(ola, teaching): got %d, %v; want own %d", got.ID, err, created.ID)
		}

		cals, err := s.Calendars(ctx, ola.ID)
		if err != nil {
			t.Fatal(err)
		}
		var slugs []string
		for _, c := range cals {
			slugs = append(slugs, c.Slug)
		}
		if want := []string{"availability", "bookings", "personal", "teaching", "dropin", "teaching"}; !slices.Equal(slugs, want) {
			t.Errorf("Calendars(ola): got %v, want %v", slugs, want)
		}

		_, err = s.CalendarBySlug(ctx, ola.ID, "missing")
		checkErr(t, "CalendarBySlug missing", err, booking.ErrNotFound)

		checkErr(t, "DeleteCalendar", s.DeleteCalendar(ctx, created.ID), nil)
		checkErr(t, "DeleteCalendar again", s.DeleteCalendar(ctx, created.ID), booking.ErrNotFound)
		_, err = s.CalendarByID(ctx, created.ID)
		checkErr(t, "CalendarByID deleted", err, booking.ErrNotFound)
	})
}

func TestUpdateCalendar(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := t.Context()
			now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
			cfg := storetest.NewConfig(t, d)
			cfg.Now = func() time.Time { return now }
			s, err := store.OpenWith(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })

			u := createUser(t, s, "ola", booking.RoleLibrarian)
			cal := createCalendar(t, s, u.ID, "work")
			putEvent(t, s, cal.ID, "a.ics", "a", "A")

			now = now.Add(time.Hour)
			cal.DisplayName, cal.Description, cal.Color, cal.Order, cal.TimeZone = "Work", "My work", "#00FF00", 3, "BEGIN:VTIMEZONE"
			cal.Slug, cal.SyncSeq = "ignored", 99
			got, err := s.UpdateCalendar(ctx, cal)
			if err != nil {
				t.Fatal(err)
			}
			if got.DisplayName != "Work" || got.Description != "My work" || got.Color != "#00FF00" || got.Order != 3 || got.TimeZone != "BEGIN:VTIMEZONE" {
				t.Errorf("UpdateCalendar: got %+v, want the new properties", got)
			}
			if got.Slug != "work" || got.SyncSeq != 1 {
				t.Errorf("UpdateCalendar: got slug %q, seq %d; want work, 1 (unchanged)", got.Slug, got.SyncSeq)
			}
			if !got.UpdatedAt.Equal(now) || !got.CreatedAt.Equal(now.Add(-time.Hour)) {
				t.Errorf("UpdateCalendar: got created %v, updated %v; want %v, %v", got.CreatedAt, got.UpdatedAt, now.Add(-time.Hour), now)
			}

			_, err = s.UpdateCalendar(ctx, booking.Calendar{ID: 9999})
			checkErr(t, "UpdateCalendar missing", err, booking.ErrNotFound)

			// Deleting the calendar deletes its objects; deleting the user
			// would delete the calendar (ON DELETE CASCADE).
			checkErr(t, "DeleteCalendar", s.DeleteCalendar(ctx, cal.ID), nil)
			var n int
			if err := store.DB(s).GetContext(ctx, &n, `SELECT COUNT(*) FROM calendar_objects`); err != nil || n != 0 {
				t.Errorf("objects after DeleteCalendar: got %d, %v; want 0", n, err)
			}
		})
	}
}
