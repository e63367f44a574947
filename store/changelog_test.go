package store_test

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// The change log is pruned by age, and a sync token from before what is
// kept is then refused (the client syncs in full), while tokens the kept
// log can serve still work, even on a calendar idle for longer than the
// retention.
func TestPruneChangeLog(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := t.Context()
			var mu sync.Mutex
			now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
			cfg := storetest.NewConfig(t, d)
			cfg.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			s, err := store.OpenWith(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			u := createUser(t, s, "ola", booking.RoleLibrarian)
			busy := createCalendar(t, s, u.ID, "busy")
			idle := createCalendar(t, s, u.ID, "idle")
			for _, name := range []string{"a", "b", "c"} {
				putEvent(t, s, busy.ID, name+".ics", name, name) // seq 1 to 3
			}
			putEvent(t, s, idle.ID, "x.ics", "x", "x") // seq 1
			mu.Lock()
			now = now.Add(100 * 24 * time.Hour)
			mu.Unlock()
			putEvent(t, s, busy.ID, "d.ics", "d", "d")                                              // seq 4
			if err := s.DeleteObject(ctx, busy.ID, "a.ics", booking.WriteCondition{}); err != nil { // seq 5
				t.Fatal(err)
			}

			// Batches of two: the three old entries of the busy calendar
			// go in two batches; the idle calendar keeps its only one.
			cutoff := now.Add(-90 * 24 * time.Hour)
			var batches []int
			for {
				n, err := s.PruneChangeLog(ctx, cutoff, 2)
				if err != nil {
					t.Fatal(err)
				}
				batches = append(batches, n)
				if n < 2 {
					break
				}
			}
			if want := []int{2, 1}; !slices.Equal(batches, want) {
				t.Errorf("PruneChangeLog batches: got %v, want %v", batches, want)
			}

			tests := []struct {
				name    string
				cal     booking.Calendar
				since   int64
				want    []booking.Change
				wantErr error
			}{
				{"a token from before the kept log", busy, 0, nil, booking.ErrInvalid},
				{"a token whose next change is pruned", busy, 2, nil, booking.ErrInvalid},
				{"a token just before the kept log", busy, 3, []booking.Change{{Name: "d.ics", Seq: 4}, {Name: "a.ics", Seq: 5, Deleted: true}}, nil},
				{"a current token", busy, 5, []booking.Change{}, nil},
				{"the idle calendar from its start", idle, 0, []booking.Change{{Name: "x.ics", Seq: 1}}, nil},
				{"the idle calendar's current token", idle, 1, []booking.Change{}, nil},
			}
			for _, tt := range tests {
				got, _, err := s.ChangesSince(ctx, tt.cal.ID, tt.since)
				if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
					t.Errorf("%s: ChangesSince(%d): got error %v, want %v", tt.name, tt.since, err, tt.wantErr)
					continue
				}
				if tt.wantErr == nil && !slices.Equal(got, tt.want) {
					t.Errorf("%s: ChangesSince(%d): got %+v, want %+v", tt.name, tt.since, got, tt.want)
				}
			}
		})
	}
}

// The sync epoch is made once, shared by every replica, and replaced by
// RenewSyncEpoch.
func TestSyncEpoch(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := t.Context()
			cfg := storetest.NewConfig(t, d)
			var replicas []*store.Store
			for range 2 {
				s, err := store.OpenWith(ctx, cfg)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				replicas = append(replicas, s)
			}
			epoch := func(s *store.Store) string {
				t.Helper()
				e, err := s.SyncEpoch(ctx)
				if err != nil {
					t.Fatal(err)
				}
				return e
			}
			first := epoch(replicas[0])
			if len(first) != 16 || epoch(replicas[1]) != first || epoch(replicas[0]) != first {
				t.Fatalf("SyncEpoch: got %q, then %q on another replica; want one 16-hex-digit epoch", first, epoch(replicas[1]))
			}
			renewed, err := replicas[1].RenewSyncEpoch(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if renewed == first || len(renewed) != 16 {
				t.Errorf("RenewSyncEpoch: got %q, want a new epoch (was %q)", renewed, first)
			}
			if got := epoch(replicas[0]); got != renewed {
				t.Errorf("SyncEpoch on the other replica after renewal: got %q, want %q", got, renewed)
			}
		})
	}
}
