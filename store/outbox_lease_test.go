package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// A sender renews the short leases of what it claimed while it works: a
// renewal keeps the message from other senders past the first lease, and
// once a lease has run out and another sender has claimed the message,
// or the message is settled, the first sender's renewal no longer takes.
func TestRenewMessageLeases(t *testing.T) {
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
		const lease = 30 * time.Second
		claimed, err := s.ClaimMessages(ctx, t0, lease, 10)
		if err != nil || len(claimed) != 2 {
			t.Fatalf("claim: got %d messages, %v; want 2", len(claimed), err)
		}
		confirmation, cancellation := claimed[0].ID, claimed[1].ID
		ids := []int64{confirmation, cancellation}
		renew := func(held, until time.Time, ids ...int64) []int64 {
			t.Helper()
			kept, err := s.RenewMessageLeases(ctx, ids, held, until)
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(kept)
			return kept
		}
		claimAt := func(at time.Time) []int64 {
			t.Helper()
			msgs, err := s.ClaimMessages(ctx, at, lease, 10)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, m := range msgs {
				got = append(got, m.ID)
			}
			return got
		}

		held := t0.Add(lease)
		steps := []struct {
			name string
			do   func() []int64
			want []int64
		}{
			{"a renewal with another lease end takes nothing", func() []int64 { return renew(t0.Add(lease+time.Second), t0.Add(50*time.Second), ids...) }, nil},
			{"a renewal 10 s in keeps both", func() []int64 { return renew(held, t0.Add(40*time.Second), ids...) }, ids},
			{"past the first lease, another sender finds nothing", func() []int64 { return claimAt(t0.Add(35 * time.Second)) }, nil},
			{"the next renewal keeps both again", func() []int64 { return renew(t0.Add(40*time.Second), t0.Add(50*time.Second), ids...) }, ids},
			{"the confirmation is sent; a renewal keeps the other", func() []int64 {
				if err := s.MarkMessageSent(ctx, confirmation, t0.Add(45*time.Second)); err != nil {
					t.Fatal(err)
				}
				return renew(t0.Add(50*time.Second), t0.Add(60*time.Second), ids...)
			}, []int64{cancellation}},
			{"the renewals stop; once the lease runs out another sender claims it", func() []int64 { return claimAt(t0.Add(60 * time.Second)) }, []int64{cancellation}},
			{"the first sender's late renewal no longer takes", func() []int64 { return renew(t0.Add(60*time.Second), t0.Add(70*time.Second), cancellation) }, nil},
		}
		for _, st := range steps {
			if got := st.do(); !slices.Equal(got, st.want) {
				t.Errorf("%s: got %v, want %v", st.name, got, st.want)
			}
		}
	})
}
