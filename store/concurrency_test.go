package store_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// Of many PUTs with the same If-Match, exactly one may win: the others saw
// an ETag that the winner replaced (RFC 9110 section 13.1.1, the lost
// update problem).
func TestConcurrentIfMatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		u := createUser(t, s, "ola", booking.RoleLibrarian)
		cal := createCalendar(t, s, u.ID, "work")
		// Several rounds: the first also warms the connection pool, which
		// otherwise spreads the writers out in time.
		for round := range 5 {
			etag := putEvent(t, s, cal.ID, "a.ics", "uid-a", "A").ETag
			before := syncSeq(t, s, cal.ID)

			const writers = 50
			var (
				start sync.WaitGroup
				done  sync.WaitGroup
				errs  = make([]error, writers)
			)
			start.Add(1)
			for i := range writers {
				done.Go(func() {
					start.Wait()
					_, _, errs[i] = s.PutObject(ctx, booking.CalendarObject{
						CalendarID: cal.ID, Name: "a.ics", UID: "uid-a", Component: "VEVENT",
						Data: ics("uid-a", fmt.Sprintf("writer %d", i)),
					}, booking.WriteCondition{IfMatch: etag})
				})
			}
			start.Done()
			done.Wait()

			var won, failed int
			for _, err := range errs {
				switch {
				case err == nil:
					won++
				case errors.Is(err, booking.ErrPreconditionFailed):
					failed++
				default:
					t.Errorf("round %d: PutObject: got %v, want success or ErrPreconditionFailed", round, err)
				}
			}
			if won != 1 || failed != writers-1 {
				t.Errorf("round %d: got %d won, %d precondition failed; want 1, %d", round, won, failed, writers-1)
			}
			if got := syncSeq(t, s, cal.ID); got != before+1 {
				t.Errorf("round %d: SyncSeq: got %d, want %d", round, got, before+1)
			}
			changes, _, err := s.ChangesSince(ctx, cal.ID, before)
			if err != nil || len(changes) != 1 {
				t.Errorf("round %d: ChangesSince: got %v, %v; want one change", round, changes, err)
			}
		}
	})
}

// Two clients creating the same event (the same UID) under two names at
// once: one wins, the other gets no-uid-conflict (RFC 4791 section
// 5.3.2.1). Many rounds, so the race is run more than once.
func TestConcurrentUIDCreate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		u := createUser(t, s, "ola", booking.RoleLibrarian)
		cal := createCalendar(t, s, u.ID, "work")

		for round := range 20 {
			uid := fmt.Sprintf("uid-%d", round)
			var (
				start sync.WaitGroup
				done  sync.WaitGroup
				errs  [2]error
			)
			start.Add(1)
			for i := range errs {
				done.Go(func() {
					start.Wait()
					_, _, errs[i] = s.PutObject(ctx, booking.CalendarObject{
						CalendarID: cal.ID, Name: fmt.Sprintf("%s-%d.ics", uid, i), UID: uid, Component: "VEVENT",
						Data: ics(uid, "same event"),
					}, booking.WriteCondition{IfNoneMatchAny: true})
				})
			}
			start.Done()
			done.Wait()

			var won, conflicted int
			for _, err := range errs {
				switch {
				case err == nil:
					won++
				case errors.Is(err, booking.ErrConflict):
					conflicted++
				default:
					t.Errorf("round %d: PutObject: got %v, want success or ErrConflict", round, err)
				}
			}
			if won != 1 || conflicted != 1 {
				t.Errorf("round %d: got %d won, %d conflicted; want 1, 1", round, won, conflicted)
			}
		}
		objs, err := s.Objects(ctx, cal.ID, false)
		if err != nil || len(objs) != 20 {
			t.Errorf("Objects: got %d, %v; want 20", len(objs), err)
		}
	})
}
