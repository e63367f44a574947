package store_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

func enqueue(t *testing.T, s *store.Store, m booking.Message) error {
	t.Helper()
	return s.Tx(t.Context(), 0, func(ctx context.Context, tx *store.Tx) error { return tx.Enqueue(ctx, m) })
}

// A librarian's new-booking note is queued only when they opted in; one
// message per booking, kind and sequence.
func TestEnqueueOptInAndUnique(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		ola := createUser(t, s, "ola", booking.RoleLibrarian)
		zotero := createTopic(t, s, "zotero")
		b := mustInsert(t, s, newBooking(zotero.ID, ola.ID, 10, 0, "a@example.org", "t1"))
		now := time.Now()

		if err := enqueue(t, s, booking.Message{Kind: booking.MessageLibrarianNew, BookingID: b.ID}); err != nil {
			t.Fatalf("librarian-new without opt-in: %v", err)
		}
		if st, _ := s.OutboxStats(ctx); st.Pending != 0 {
			t.Errorf("without opt-in: got %d pending, want none", st.Pending)
		}
		p := booking.DefaultProfile(ola.ID)
		p.NotifyNewBooking = true
		if err := s.SetProfile(ctx, p); err != nil {
			t.Fatal(err)
		}
		if err := enqueue(t, s, booking.Message{Kind: booking.MessageLibrarianNew, BookingID: b.ID}); err != nil {
			t.Fatalf("librarian-new with opt-in: %v", err)
		}
		if st, _ := s.OutboxStats(ctx); st.Pending != 1 {
			t.Errorf("with opt-in: got %d pending, want 1", st.Pending)
		}
		if err := enqueue(t, s, booking.Message{Kind: booking.MessageLibrarianNew, BookingID: 9999}); !errors.Is(err, booking.ErrNotFound) {
			t.Errorf("librarian-new for no booking: got %v, want ErrNotFound", err)
		}
		if err := enqueue(t, s, booking.Message{Kind: booking.MessageConfirmation, BookingID: b.ID, SendAfter: now}); err != nil {
			t.Fatal(err)
		}
		if err := enqueue(t, s, booking.Message{Kind: booking.MessageConfirmation, BookingID: b.ID, SendAfter: now}); !errors.Is(err, booking.ErrConflict) {
			t.Errorf("a second confirmation of sequence 0: got %v, want ErrConflict", err)
		}
	})
}

// A claimed message is leased: no other claim takes it until the lease
// runs out, and then it is taken again with one more attempt; settled
// messages are not claimed again.
func TestClaimLeaseRetryFail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		ola := createUser(t, s, "ola", booking.RoleLibrarian)
		zotero := createTopic(t, s, "zotero")
		b := mustInsert(t, s, newBooking(zotero.ID, ola.ID, 10, 0, "a@example.org", "t1"))
		t0 := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
		for _, k := range []booking.MessageKind{booking.MessageConfirmation, booking.MessageCancelled} {
			if err := enqueue(t, s, booking.Message{Kind: k, BookingID: b.ID, SendAfter: t0}); err != nil {
				t.Fatal(err)
			}
		}
		if err := enqueue(t, s, booking.Message{Kind: booking.MessageReminder, BookingID: b.ID, SendAfter: t0.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}

		claim := func(at time.Time, limit int) []booking.Message {
			t.Helper()
			msgs, err := s.ClaimMessages(ctx, at, time.Minute, limit)
			if err != nil {
				t.Fatal(err)
			}
			return msgs
		}
		if got := claim(t0.Add(-time.Second), 10); len(got) != 0 {
			t.Errorf("before they are due: claimed %d", len(got))
		}
		first := claim(t0, 1)
		if len(first) != 1 || first[0].Kind != booking.MessageConfirmation || first[0].BookingID != b.ID {
			t.Fatalf("first claim: got %+v, want the confirmation", first)
		}
		second := claim(t0, 10)
		if len(second) != 1 || second[0].Kind != booking.MessageCancelled {
			t.Fatalf("second claim: got %+v, want only the cancellation (the confirmation is leased, the reminder not due)", second)
		}
		if err := s.MarkMessageSent(ctx, second[0].ID, t0); err != nil {
			t.Fatal(err)
		}
		// The claimer of the confirmation died: after the lease it is
		// taken again, as its second attempt.
		if got := claim(t0.Add(59*time.Second), 10); len(got) != 0 {
			t.Errorf("within the lease: claimed %+v", got)
		}
		again := claim(t0.Add(time.Minute), 1)
		if len(again) != 1 || again[0].ID != first[0].ID {
			t.Fatalf("after the lease: got %+v, want the confirmation again", again)
		}
		backoff := func(n int) time.Duration { return time.Duration(n) * time.Hour }
		attempts, failed, err := s.RetryMessage(ctx, first[0].ID, t0.Add(time.Minute), "451 later", 3, backoff)
		if err != nil || attempts != 2 || failed {
			t.Fatalf("RetryMessage: got %d, %v, %v; want attempt 2, not failed", attempts, failed, err)
		}
		reminder := claim(t0.Add(2*time.Hour), 10)
		if len(reminder) != 1 || reminder[0].Kind != booking.MessageReminder {
			t.Fatalf("before the backoff ends: got %+v, want the reminder only", reminder)
		}
		if err := s.MarkMessageSkipped(ctx, reminder[0].ID, t0, "moot"); err != nil {
			t.Fatal(err)
		}
		got := claim(t0.Add(time.Minute+2*time.Hour), 10)
		if len(got) != 1 || got[0].ID != first[0].ID {
			t.Fatalf("after the backoff: got %+v, want the confirmation", got)
		}
		if _, failed, err := s.RetryMessage(ctx, first[0].ID, t0, "451 later", 3, backoff); err != nil || !failed {
			t.Fatalf("third failure: got failed %v, %v; want failed", failed, err)
		}
		if got := claim(t0.Add(100*time.Hour), 10); len(got) != 0 {
			t.Errorf("after settling: claimed %+v", got)
		}
		st, err := s.OutboxStats(ctx)
		if err != nil || st != (booking.OutboxStats{Sent: 1, Failed: 1, Skipped: 1}) {
			t.Errorf("OutboxStats: got %+v, %v", st, err)
		}
		failedMsgs, err := s.FailedMessages(ctx, 10)
		if err != nil || len(failedMsgs) != 1 || failedMsgs[0].Attempts != 3 || failedMsgs[0].LastError != "451 later" {
			t.Errorf("FailedMessages: got %+v, %v", failedMsgs, err)
		}
	})
}

// The key the manage links are derived from is made once and shared.
func TestSecret(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a, err := s.Secret(t.Context(), "k", 32)
		if err != nil || len(a) != 32 {
			t.Fatalf("Secret: %d bytes, %v", len(a), err)
		}
		b, err := s.Secret(t.Context(), "k", 32)
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("second Secret differs (%v)", err)
		}
		if c, _ := s.Secret(t.Context(), "other", 32); bytes.Equal(a, c) {
			t.Error("two names share a key")
		}
	})
}
