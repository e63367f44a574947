package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// A failed message that an admin requeues is due at once, with its
// attempts counted afresh; only a failed message can be requeued.
func TestRequeueMessage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		ola := createUser(t, s, "ola", booking.RoleLibrarian)
		zotero := createTopic(t, s, "zotero")
		b := mustInsert(t, s, newBooking(zotero.ID, ola.ID, 10, 0, "a@example.org", "t1"))
		t0 := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
		if err := enqueue(t, s, booking.Message{Kind: booking.MessageConfirmation, BookingID: b.ID, SendAfter: t0}); err != nil {
			t.Fatal(err)
		}
		msgs, err := s.ClaimMessages(ctx, t0, time.Minute, 10)
		if err != nil || len(msgs) != 1 {
			t.Fatalf("claim: got %+v, %v; want one message", msgs, err)
		}
		id := msgs[0].ID
		if err := s.RequeueMessage(ctx, id, t0); !errors.Is(err, booking.ErrConflict) {
			t.Errorf("requeue a pending message: got %v, want ErrConflict", err)
		}
		if err := s.FailMessage(ctx, id, t0, "550 no such user"); err != nil {
			t.Fatal(err)
		}

		later := t0.Add(24 * time.Hour)
		if err := s.RequeueMessage(ctx, id, later); err != nil {
			t.Fatalf("RequeueMessage: %v", err)
		}
		if st, err := s.OutboxStats(ctx); err != nil || st != (booking.OutboxStats{Pending: 1}) {
			t.Errorf("OutboxStats after requeue: got %+v, %v; want 1 pending", st, err)
		}
		if failed, err := s.FailedMessages(ctx, 10); err != nil || len(failed) != 0 {
			t.Errorf("FailedMessages after requeue: got %+v, %v; want none", failed, err)
		}
		if err := s.RequeueMessage(ctx, id, later); !errors.Is(err, booking.ErrConflict) {
			t.Errorf("requeue twice: got %v, want ErrConflict", err)
		}
		if err := s.RequeueMessage(ctx, id+1000, later); !errors.Is(err, booking.ErrNotFound) {
			t.Errorf("requeue no message: got %v, want ErrNotFound", err)
		}

		// Due at the requeue time, not before; its attempts start again.
		if got, err := s.ClaimMessages(ctx, later.Add(-time.Second), time.Minute, 10); err != nil || len(got) != 0 {
			t.Errorf("claim before the requeue time: got %+v, %v; want none", got, err)
		}
		got, err := s.ClaimMessages(ctx, later, time.Minute, 10)
		if err != nil || len(got) != 1 || got[0].ID != id {
			t.Fatalf("claim after requeue: got %+v, %v; want message %d", got, err, id)
		}
		attempts, failed, err := s.RetryMessage(ctx, id, later, "451 later", 2, func(int) time.Duration { return time.Hour })
		if err != nil || attempts != 1 || failed {
			t.Errorf("RetryMessage after requeue: got attempt %d, failed %v, %v; want attempt 1, not failed", attempts, failed, err)
		}
	})
}
