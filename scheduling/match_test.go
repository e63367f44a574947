package scheduling_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// TestSlotsSayWho: every offer names its librarian with their level and
// languages for the topic; Preferred is who a booking would get now; a
// student who asks for one librarian gets that one.
func TestSlotsSayWho(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, booking.Rules{})
		ingrid := f.librarian("ingrid", "Haugen, Ingrid", "zotero")
		per := f.librarian("per", "Berg, Per")
		if err := s.AddCompetence(f.ctx, per.ID, "zotero", booking.LevelSecondary, []string{"en"}); err != nil {
			t.Fatal(err)
		}
		f.weekly(ingrid, "wi", "", "LOCATION:Rom 1")
		f.weekly(per, "wp", "", "LOCATION:Rom 2")
		at := f.local("2026-03-23 09:00")
		day := booking.SlotSearch{TopicSlug: "zotero", From: at, To: at.Add(time.Hour)}

		slots, err := f.svc.Slots(f.ctx, day)
		if err != nil || len(slots) == 0 {
			t.Fatalf("slots: %v, %v", slots, err)
		}
		sl := slots[0]
		type who struct {
			name  string
			level booking.Level
			langs []string
			place string
		}
		var got []who
		for _, o := range sl.Offers {
			got = append(got, who{o.Name, o.Level, o.Languages, o.Location})
		}
		want := []who{{"Haugen, Ingrid", booking.LevelPrimary, []string{"nb", "en"}, "Rom 1"}, {"Berg, Per", booking.LevelSecondary, []string{"en"}, "Rom 2"}}
		if len(got) != len(want) {
			t.Fatalf("offers: got %+v, want %+v", got, want)
		}
		for i := range want {
			if got[i].name != want[i].name || got[i].level != want[i].level || !slices.Equal(got[i].langs, want[i].langs) || got[i].place != want[i].place {
				t.Errorf("offer %d: got %+v, want %+v", i, got[i], want[i])
			}
		}
		// Both have no bookings: the primary competence wins.
		if p := sl.Offers[sl.Preferred]; p.LibrarianID != ingrid.ID {
			t.Errorf("preferred: got %d (%s), want Ingrid", p.LibrarianID, p.Name)
		}
		v, _, err := f.svc.Book(f.ctx, request(at, "john@student.example"))
		if err != nil || v.LibrarianID != ingrid.ID {
			t.Fatalf("book with no preference: got librarian %d, %v; want Ingrid", v.LibrarianID, err)
		}
		// Ingrid now has a booking this week: Per is preferred later on.
		later := f.local("2026-03-23 11:00")
		slots, err = f.svc.Slots(f.ctx, booking.SlotSearch{TopicSlug: "zotero", From: later, To: later.Add(time.Hour)})
		if err != nil || len(slots) == 0 {
			t.Fatalf("slots: %v, %v", slots, err)
		}
		if p := slots[0].Offers[slots[0].Preferred]; p.LibrarianID != per.ID {
			t.Errorf("preferred after Ingrid's booking: got %s, want Per", p.Name)
		}
		// Asking for Ingrid gets Ingrid, against the fair order.
		r := request(later, "kari@student.example")
		r.LibrarianID = ingrid.ID
		if v, _, err := f.svc.Book(f.ctx, r); err != nil || v.LibrarianID != ingrid.ID {
			t.Errorf("book asking for Ingrid: got %d, %v", v.LibrarianID, err)
		}
		r = request(f.local("2026-03-30 09:00"), "ola@student.example")
		r.LibrarianID = 999999
		var fe *booking.FieldError
		if _, _, err := f.svc.Book(f.ctx, r); !errors.As(err, &fe) || fe.Field != "librarian" {
			t.Errorf("book asking for nobody known: got %v, want a librarian FieldError", err)
		}
	})
}
