package store_test

import (
	"errors"
	"testing"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// A calendar's creation, change and deletion are logged in its owner's
// home, a shared calendar's in every home; the latest change of each slug
// is reported once.
func TestHomeChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		ola := createUser(t, s, "ola", booking.RoleLibrarian)
		kari := createUser(t, s, "kari", booking.RoleLibrarian)
		start := map[int64]int64{}
		for _, u := range []booking.User{ola, kari} {
			seq, err := s.HomeSyncSeq(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			start[u.ID] = seq
		}
		own := createCalendar(t, s, ola.ID, "own")
		own.DisplayName = "Renamed"
		if _, err := s.UpdateCalendar(ctx, own); err != nil {
			t.Fatal(err)
		}
		shared, err := s.CreateCalendar(ctx, booking.Calendar{Slug: "shared-x", Kind: booking.KindOther})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteCalendar(ctx, shared.ID); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			user booking.User
			want []booking.Change
		}{
			{ola, []booking.Change{{Name: "own", Seq: start[ola.ID] + 2}, {Name: "shared-x", Seq: start[ola.ID] + 4, Deleted: true}}},
			{kari, []booking.Change{{Name: "shared-x", Seq: start[kari.ID] + 2, Deleted: true}}},
		}
		for _, tc := range tests {
			got, cur, err := s.HomeChangesSince(ctx, tc.user.ID, start[tc.user.ID])
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("%s: got changes %+v, want %+v", tc.user.Username, got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("%s: got changes %+v, want %+v", tc.user.Username, got, tc.want)
				}
			}
			if want := tc.want[len(tc.want)-1].Seq; cur != want {
				t.Fatalf("%s: got position %d, want %d", tc.user.Username, cur, want)
			}
			if _, _, err := s.HomeChangesSince(ctx, tc.user.ID, cur+1); !errors.Is(err, booking.ErrInvalid) {
				t.Fatalf("%s: a position ahead of the home: got %v, want ErrInvalid", tc.user.Username, err)
			}
		}
	})
}
