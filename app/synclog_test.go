package app_test

import (
	"errors"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store/storetest"
)

// The job runner prunes the calendars' change log by age, one replica at
// a time: while another replica holds the job's lease nothing is pruned.
// A calendar app whose token is older than what is kept syncs in full.
func TestPruneSyncLog(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			s := stStart(t, d)
			ctx := t.Context()
			// stStart wrote the availability window (position 1); two more
			// changes, then 100 days of quiet and one more.
			s.putObject(t, "lib1", "availability", "w2.ics", "w2@test", "DTSTART:20260512T090000Z\r\nDTEND:20260512T100000Z\r\nSUMMARY:Veiledning")
			s.putObject(t, "lib1", "availability", "w3.ics", "w3@test", "DTSTART:20260519T090000Z\r\nDTEND:20260519T100000Z\r\nSUMMARY:Veiledning")
			s.advance(100 * 24 * time.Hour)
			s.putObject(t, "lib1", "availability", "w4.ics", "w4@test", "DTSTART:20260526T090000Z\r\nDTEND:20260526T100000Z\r\nSUMMARY:Veiledning")
			cal, err := s.app.Store.CalendarBySlug(ctx, s.users["lib1"].ID, "availability")
			if err != nil {
				t.Fatal(err)
			}

			if ok, err := s.app.Store.AcquireLease(ctx, "sync-log", "another replica", time.Minute); err != nil || !ok {
				t.Fatalf("another replica's lease: %v, %v", ok, err)
			}
			if n, err := s.app.PruneSyncLog(ctx, "this replica"); err != nil || n != 0 {
				t.Errorf("while another replica holds the lease: pruned %d, %v; want nothing", n, err)
			}
			if err := s.app.Store.ReleaseLease(ctx, "sync-log", "another replica"); err != nil {
				t.Fatal(err)
			}
			if n, err := s.app.PruneSyncLog(ctx, "this replica"); err != nil || n != 3 {
				t.Errorf("PruneSyncLog: pruned %d, %v; want the 3 entries older than 90 days", n, err)
			}
			if _, _, err := s.app.Store.ChangesSince(ctx, cal.ID, 1); !errors.Is(err, booking.ErrInvalid) {
				t.Errorf("ChangesSince a pruned position: got %v, want ErrInvalid (valid-sync-token)", err)
			}
			if changes, _, err := s.app.Store.ChangesSince(ctx, cal.ID, 3); err != nil || len(changes) != 1 || changes[0].Name != "w4.ics" {
				t.Errorf("ChangesSince the kept log: got %+v, %v; want w4.ics", changes, err)
			}
		})
	}
}
