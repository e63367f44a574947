package scheduling_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// The staff form writes a drop-in session as a calendar app's PUT and
// DELETE do: through the store's object hook (which keeps the feeds'
// tombstones), under the ETag the form was filled from, and it reads back
// what it saved. Bad input changes nothing.
func TestDropinSessionWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, booking.Rules{})
		// hooked records each write the object hook saw in the drop-in
		// calendar, as "before>after" ETags ("" for none).
		var hooked []string
		s.SetObjectHook(func(ctx context.Context, tx *store.Tx, cal booking.Calendar, before, after *booking.CalendarObject) error {
			if cal.Kind != booking.KindDropIn {
				return nil
			}
			var b, a string
			if before != nil {
				b = before.ETag
			}
			if after != nil {
				a = after.ETag
			}
			hooked = append(hooked, b+">"+a)
			return nil
		})
		in := booking.DropinSession{
			Title: "EndNote og Zotero, side om side", Place: "Georg Sverdrups hus, rom 2",
			Description: "Ta med PC.\nVi har kaffe.", Themes: []string{"zotero", "#Jus"},
			Start: f.local("2026-10-27 10:00"), End: f.local("2026-10-27 11:00"),
		}
		saved, err := f.svc.SaveDropinSession(f.ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if saved.Name == "" || saved.ETag == "" {
			t.Fatalf("saved session: got name %q, ETag %q; want both", saved.Name, saved.ETag)
		}
		if got, want := strings.Join(hooked, " "), ">"+saved.ETag; got != want {
			t.Errorf("hook after create: got %q, want %q", got, want)
		}
		dcal := f.calendar(0, "dropin")
		obj, err := s.Object(f.ctx, dcal.ID, saved.Name)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"DTSTART;TZID=Europe/Oslo:20261027T100000", "BEGIN:VTIMEZONE",
			"CATEGORIES:zotero,jus", `SUMMARY:EndNote og Zotero\, side om side`} {
			if !strings.Contains(string(obj.Data), want) {
				t.Errorf("stored object lacks %q:\n%s", want, obj.Data)
			}
		}
		form, err := f.svc.DropinSession(f.ctx, saved.Name)
		if err != nil {
			t.Fatal(err)
		}
		if form.Title != in.Title || form.Place != in.Place || form.Description != in.Description ||
			!form.Start.Equal(in.Start) || !form.End.Equal(in.End) || !slices.Equal(form.Themes, []string{"zotero", "jus"}) || !form.Editable {
			t.Errorf("read back: got %+v, want the saved fields of %+v", form, in)
		}

		// An edit with the form's ETag; the same form again is stale.
		form.Title = "EndNote og Zotero"
		edited, err := f.svc.SaveDropinSession(f.ctx, form)
		if err != nil {
			t.Fatal(err)
		}
		if edited.ETag == form.ETag || edited.Title != "EndNote og Zotero" {
			t.Errorf("edited: got ETag %q, title %q; want a new ETag and the new title", edited.ETag, edited.Title)
		}
		if _, err := f.svc.SaveDropinSession(f.ctx, form); !errors.Is(err, booking.ErrPreconditionFailed) {
			t.Errorf("save with a stale ETag: got %v, want ErrPreconditionFailed", err)
		}
		if got, want := strings.Join(hooked, " "), ">"+saved.ETag+" "+form.ETag+">"+edited.ETag; got != want {
			t.Errorf("hook after the edit: got %q, want %q", got, want)
		}

		for _, tc := range []struct {
			name  string
			edit  func(*booking.DropinSession)
			field string
		}{
			{"no title", func(d *booking.DropinSession) { d.Title = " " }, "title"},
			{"end before start", func(d *booking.DropinSession) { d.Start, d.End = d.End, d.Start }, "end"},
			{"unknown theme", func(d *booking.DropinSession) { d.Themes = []string{"nope"} }, "themes"},
			{"title too long", func(d *booking.DropinSession) { d.Title = strings.Repeat("x", 201) }, "title"},
			{"longer than a day", func(d *booking.DropinSession) { d.End = d.Start.Add(25 * time.Hour) }, "end"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				bad := in
				tc.edit(&bad)
				_, err := f.svc.SaveDropinSession(f.ctx, bad)
				var fe *booking.FieldError
				if !errors.Is(err, booking.ErrInvalid) || !errors.As(err, &fe) || fe.Field != tc.field {
					t.Errorf("got %v, want a FieldError for %q", err, tc.field)
				}
			})
		}
		if n := len(hooked); n != 2 {
			t.Errorf("hook calls after bad input: got %d, want still 2", n)
		}

		if err := f.svc.DeleteDropinSession(f.ctx, saved.Name, edited.ETag); err != nil {
			t.Fatal(err)
		}
		if got, want := hooked[len(hooked)-1], edited.ETag+">"; got != want {
			t.Errorf("hook after the delete: got %q, want %q", got, want)
		}
		if _, err := f.svc.DropinSession(f.ctx, saved.Name); !errors.Is(err, booking.ErrNotFound) {
			t.Errorf("read after the delete: got %v, want ErrNotFound", err)
		}
		if err := f.svc.DeleteDropinSession(f.ctx, saved.Name, ""); !errors.Is(err, booking.ErrNotFound) {
			t.Errorf("delete again: got %v, want ErrNotFound", err)
		}
	})
}
