package store_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// TestObjectsOverlappingSpanClasses checks the span-class query against
// the plain definition (first start before the range ends, last end after
// it starts) for objects of every length, open ends and random ranges.
func TestObjectsOverlappingSpanClasses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		u := createUser(t, s, "spans", booking.RoleLibrarian)
		c := createCalendar(t, s, u.ID, "spans")
		rng := rand.New(rand.NewPCG(1, 2))
		base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		lengths := []time.Duration{0, 30 * time.Minute, time.Hour, time.Hour + time.Second, 25 * time.Hour,
			3 * 24 * time.Hour, 40 * 24 * time.Hour, 400 * 24 * time.Hour, 5 * 365 * 24 * time.Hour}
		type bound struct{ first, last time.Time }
		objs := map[string]bound{}
		for i := range 300 {
			first := base.Add(time.Duration(rng.IntN(2*365*24)) * time.Hour)
			last := first.Add(lengths[i%len(lengths)])
			switch i % 23 {
			case 0:
				last = time.Time{} // an unbounded series
			case 1:
				first, last = time.Time{}, time.Time{} // a to-do without dates
			}
			name := fmt.Sprintf("o%d.ics", i)
			uid := fmt.Sprintf("o%d", i)
			if _, _, err := s.PutObject(t.Context(), booking.CalendarObject{CalendarID: c.ID, Name: name, UID: uid,
				Component: "VEVENT", Data: ics(uid, "x"), FirstStart: first, LastEnd: last}, booking.WriteCondition{}); err != nil {
				t.Fatal(err)
			}
			objs[name] = bound{first, last}
		}
		for q := range 60 {
			start := base.Add(time.Duration(rng.IntN(2*365*24)-24*30) * time.Hour)
			end := start.Add(time.Duration(1+rng.IntN(24*20)) * time.Hour)
			switch q % 10 {
			case 0:
				start = time.Time{}
			case 1:
				end = time.Time{}
			}
			var want []string
			for name, b := range objs {
				if (b.first.IsZero() || end.IsZero() || !b.first.After(end)) && (b.last.IsZero() || start.IsZero() || !b.last.Before(start)) {
					want = append(want, name)
				}
			}
			got, err := s.ObjectsOverlapping(t.Context(), c.ID, "VEVENT", start, end)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, o := range got {
				names = append(names, o.Name)
			}
			slices.Sort(want)
			slices.Sort(names)
			if !slices.Equal(names, want) {
				t.Fatalf("ObjectsOverlapping(%v, %v): got %d objects %v, want %d %v", start, end, len(names), names, len(want), want)
			}
		}
	})
}
