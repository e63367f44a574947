package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

func insertEntry(t *testing.T, s *store.Store, topicID int64, email string, at time.Time) (booking.WaitlistEntry, error) {
	t.Helper()
	return s.InsertWaitlistEntry(t.Context(), booking.WaitlistEntry{
		TopicID: topicID, Name: "Kari", Email: email, Weekdays: []time.Weekday{time.Monday, time.Friday},
		TimesOfDay: []string{booking.Morning}, Locale: "en", UID: "uid-" + email + at.String(), TokenHash: "hash-" + email + at.String(),
		CreatedAt: at, ExpiresAt: at.Add(28 * 24 * time.Hour),
	})
}

func insertOffer(t *testing.T, s *store.Store, e booking.WaitlistEntry, librarianID int64, start, expires time.Time) (booking.WaitlistOffer, error) {
	t.Helper()
	var o booking.WaitlistOffer
	err := s.Tx(t.Context(), librarianID, func(ctx context.Context, tx *store.Tx) error {
		var err error
		o, err = tx.InsertWaitlistOffer(ctx, booking.WaitlistOffer{EntryID: e.ID, TopicID: e.TopicID, LibrarianID: librarianID,
			Start: start, End: start.Add(45 * time.Minute), UID: fmt.Sprintf("o-%d-%d", e.ID, start.Unix()),
			TokenHash: fmt.Sprintf("oh-%d-%d", e.ID, start.Unix()), OfferedAt: expires.Add(-30 * time.Minute), ExpiresAt: expires})
		if err != nil {
			return err
		}
		return tx.Enqueue(ctx, booking.Message{Kind: booking.MessageWaitlistOffer, WaitlistOfferID: o.ID})
	})
	return o, err
}

// The waitlist's rows: an entry keeps its preferences; an address waits
// once per topic and for five topics at most; an entry holds one open
// offer; a hold is busy time only until it expires; expiry ends holds and
// entries; deleting entries takes their offers and the outbox's
// references along, on SQLite too, whose column has no foreign key.
func TestWaitlistRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		ola := createUser(t, s, "ola", booking.RoleLibrarian)
		t0 := time.Date(2030, 1, 7, 8, 0, 0, 0, time.UTC)
		var topics []booking.Topic
		for i := range 6 {
			topics = append(topics, createTopic(t, s, fmt.Sprintf("emne-%d", i)))
		}
		e, err := insertEntry(t, s, topics[0].ID, "kari@example.org", t0)
		if err != nil {
			t.Fatal(err)
		}
		if e.Status != booking.WaitlistWaiting || fmt.Sprint(e.Weekdays) != "[Monday Friday]" || fmt.Sprint(e.TimesOfDay) != "[morning]" || e.Mode != booking.ModeAny {
			t.Errorf("stored entry: %+v", e)
		}
		if _, err := insertEntry(t, s, topics[0].ID, "KARI@example.org", t0.Add(time.Second)); !errors.Is(err, booking.ErrConflict) {
			t.Errorf("waiting twice for a topic: %v, want ErrConflict", err)
		}
		for i := 1; i < 5; i++ {
			if _, err := insertEntry(t, s, topics[i].ID, "kari@example.org", t0.Add(time.Duration(i)*time.Second)); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := insertEntry(t, s, topics[5].ID, "kari@example.org", t0.Add(time.Minute)); !errors.Is(err, booking.ErrLimitReached) {
			t.Errorf("a sixth topic: %v, want ErrLimitReached", err)
		}

		at := t0.Add(48 * time.Hour)
		o, err := insertOffer(t, s, e, ola.ID, at, t0.Add(30*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := insertOffer(t, s, e, ola.ID, at.Add(time.Hour), t0.Add(30*time.Minute)); !errors.Is(err, booking.ErrConflict) {
			t.Errorf("a second open offer: %v, want ErrConflict", err)
		}
		holds := func(now time.Time) int {
			t.Helper()
			hs, err := s.HoldsOfLibrarian(ctx, ola.ID, at.Add(-time.Hour), at.Add(time.Hour), now)
			if err != nil {
				t.Fatal(err)
			}
			return len(hs)
		}
		if n := holds(t0); n != 1 {
			t.Errorf("holds before expiry: %d, want 1", n)
		}
		if n := holds(o.ExpiresAt); n != 0 {
			t.Errorf("holds at expiry: %d, want 0", n)
		}
		waiting, err := s.WaitingEntries(ctx, t0)
		if err != nil || len(waiting) != 4 {
			t.Errorf("waiting without an offer: %d, %v; want 4", len(waiting), err)
		}
		offers, entries, err := s.ExpireWaitlist(ctx, o.ExpiresAt)
		if err != nil || offers != 1 || entries != 0 {
			t.Errorf("expire at the hold's end: %d offers, %d entries, %v; want 1, 0", offers, entries, err)
		}
		if waiting, err := s.WaitingEntries(ctx, o.ExpiresAt); err != nil || len(waiting) != 5 {
			t.Errorf("waiting after the hold expired: %d, %v; want 5", len(waiting), err)
		}
		if offers, entries, err := s.ExpireWaitlist(ctx, e.ExpiresAt.Add(time.Minute)); err != nil || offers != 0 || entries != 5 {
			t.Errorf("expire at the entries' end: %d offers, %d entries, %v; want 0, 5", offers, entries, err)
		}

		// Erasure of the address: entries, offers and the outbox's
		// reference go.
		n, err := s.DeleteWaitlistEntries(ctx, "Kari@Example.org", time.Time{})
		if err != nil || n != 5 {
			t.Errorf("delete by address: %d, %v; want 5", n, err)
		}
		if _, err := s.MessageWaitlistOffer(ctx, o.ID); !errors.Is(err, booking.ErrNotFound) {
			t.Errorf("offer after erasure: %v, want ErrNotFound", err)
		}
		msgs, err := s.ClaimMessages(ctx, t0.Add(time.Hour), time.Minute, 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if m.WaitlistOfferID != 0 {
				t.Errorf("the outbox still names offer %d", m.WaitlistOfferID)
			}
		}
	})
}

// Two requests at once for the same address and topic: one joins, the
// other is told the address waits already.
func TestWaitlistJoinRace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		topic := createTopic(t, s, "zotero")
		t0 := time.Date(2030, 1, 7, 8, 0, 0, 0, time.UTC)
		const n = 6
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				_, errs[i] = s.InsertWaitlistEntry(context.Background(), booking.WaitlistEntry{
					TopicID: topic.ID, Name: "Kari", Email: "kari@example.org", Locale: "nb",
					UID: fmt.Sprintf("u%d", i), TokenHash: fmt.Sprintf("h%d", i), CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)})
			})
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, booking.ErrConflict):
				t.Errorf("a losing join: %v, want ErrConflict", err)
			}
		}
		if ok != 1 {
			t.Errorf("joins that succeeded: %d, want 1 (%v)", ok, errs)
		}
		// Once the first entry's time is over, the address may join again.
		if _, err := s.InsertWaitlistEntry(t.Context(), booking.WaitlistEntry{TopicID: topic.ID, Name: "Kari", Email: "kari@example.org",
			UID: "later", TokenHash: "later", CreatedAt: t0.Add(2 * time.Hour), ExpiresAt: t0.Add(3 * time.Hour)}); err != nil {
			t.Errorf("joining after the first entry expired: %v", err)
		}
	})
}
