package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

func TestFollowUpsAndFeedback(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		ola := createUser(t, s, "ola", booking.RoleLibrarian)
		zotero := createTopic(t, s, "zotero")
		// Three meetings that began 10, 9 (a no-show) and 8 hours ago
		// (cancelled): the store's clock is the real one, and attendance
		// can be marked only once a meeting has begun.
		base := time.Now().UTC().Truncate(time.Hour).Add(-10 * time.Hour)
		past := func(b booking.Booking, h int) booking.Booking {
			b.Start, b.End = base.Add(time.Duration(h)*time.Hour), base.Add(time.Duration(h)*time.Hour+45*time.Minute)
			return b
		}
		held := mustInsert(t, s, past(newBooking(zotero.ID, ola.ID, 10, 0, "a@example.org", "t1"), 0))
		noShow := mustInsert(t, s, past(newBooking(zotero.ID, ola.ID, 11, 0, "b@example.org", "t2"), 1))
		cancelled := past(newBooking(zotero.ID, ola.ID, 12, 0, "c@example.org", "t3"), 2)
		cancelled.Status, cancelled.CancelledBy = booking.StatusCancelled, booking.PartyStudent
		mustInsert(t, s, cancelled)
		after := 2 * time.Hour
		at := func(h, m int) time.Time {
			return base.Add(time.Duration(h-10)*time.Hour + time.Duration(m)*time.Minute)
		}

		// Before the first meeting's end + 2 h nothing is due.
		if n, err := s.EnqueueFollowUps(ctx, at(12, 44), after); err != nil || n != 0 {
			t.Fatalf("EnqueueFollowUps before: %d, %v", n, err)
		}
		if err := s.SetAttendance(ctx, noShow.ID, ola.ID, booking.AttendanceNoShow); err != nil {
			t.Fatal(err)
		}
		// The librarian asks for e-mails: they get theirs too.
		p := booking.DefaultProfile(ola.ID)
		p.NotifyNewBooking = true
		if err := s.SetProfile(ctx, p); err != nil {
			t.Fatal(err)
		}
		now := at(15, 0)
		if n, err := s.EnqueueFollowUps(ctx, now, after); err != nil || n != 2 {
			t.Fatalf("EnqueueFollowUps: %d, %v; want the student's and the librarian's of the held meeting", n, err)
		}
		// Once only, however often and on however many replicas it runs.
		for range 3 {
			if n, err := s.EnqueueFollowUps(ctx, now.Add(time.Minute), after); err != nil || n != 0 {
				t.Errorf("EnqueueFollowUps again: %d, %v", n, err)
			}
		}
		sent, err := s.OutboxOf(ctx, held.ID)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []booking.MessageKind
		for _, m := range sent {
			kinds = append(kinds, m.Kind)
		}
		if len(kinds) != 2 || kinds[0] != booking.MessageFollowUp || kinds[1] != booking.MessageLibrarianFollowUp {
			t.Errorf("messages of the held meeting: %v", kinds)
		}
		// A meeting long past is not asked about.
		if n, err := s.EnqueueFollowUps(ctx, now.Add(30*24*time.Hour), after); err != nil || n != 0 {
			t.Errorf("a month later: %d, %v", n, err)
		}

		// Ratings: one per booking, 1–5.
		for _, tc := range []struct {
			f    booking.Feedback
			want error
		}{
			{booking.Feedback{BookingID: held.ID, TopicID: zotero.ID, Rating: 0}, booking.ErrInvalid},
			{booking.Feedback{BookingID: held.ID, TopicID: zotero.ID, Rating: 6}, booking.ErrInvalid},
			{booking.Feedback{BookingID: held.ID, TopicID: zotero.ID, Rating: 4, Comment: " Nyttig! "}, nil},
			{booking.Feedback{BookingID: held.ID, TopicID: zotero.ID, Rating: 5}, booking.ErrConflict},
			{booking.Feedback{BookingID: noShow.ID, TopicID: zotero.ID, Rating: 2}, nil},
		} {
			if err := s.InsertFeedback(ctx, tc.f); !errors.Is(err, tc.want) && (tc.want != nil || err != nil) {
				t.Errorf("InsertFeedback(%+v): got %v, want %v", tc.f, err, tc.want)
			}
		}
		if f, err := s.FeedbackOf(ctx, held.ID); err != nil || f.Rating != 4 || f.Comment != "Nyttig!" {
			t.Errorf("FeedbackOf: %+v, %v", f, err)
		}
		year := func() (time.Time, time.Time) { return time.Now().AddDate(-1, 0, 0), time.Now().AddDate(1, 0, 0) }
		from, to := year()
		st, err := s.FeedbackStats(ctx, from, to)
		if err != nil {
			t.Fatal(err)
		}
		if len(st.ByTopic) != 1 || st.ByTopic[0].Count != 2 || st.ByTopic[0].Average() != 3 || st.ByTopic[0].Stars != [5]int{0, 1, 0, 1, 0} ||
			len(st.ByService) != 1 || st.ByService[0].Slug != "bibliotekar" || len(st.Comments) != 1 || st.Comments[0].Comment != "Nyttig!" {
			t.Errorf("FeedbackStats: %+v", st)
		}

		// Unlinked (the retention purge), the rating and comment stay as
		// statistics; erased, the comment goes.
		err = s.Tx(ctx, ola.ID, func(ctx context.Context, tx *store.Tx) error { return tx.UnlinkFeedback(ctx, held.ID, false) })
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.FeedbackOf(ctx, held.ID); !errors.Is(err, booking.ErrNotFound) {
			t.Errorf("FeedbackOf after unlinking: %v", err)
		}
		if st, err := s.FeedbackStats(ctx, from, to); err != nil || st.ByTopic[0].Count != 2 || len(st.Comments) != 1 {
			t.Errorf("FeedbackStats after unlinking: %+v, %v", st, err)
		}
		err = s.Tx(ctx, ola.ID, func(ctx context.Context, tx *store.Tx) error { return tx.UnlinkFeedback(ctx, noShow.ID, true) })
		if err != nil {
			t.Fatal(err)
		}
		if st, err := s.FeedbackStats(ctx, from, to); err != nil || st.ByTopic[0].Count != 2 {
			t.Errorf("FeedbackStats after erasing: %+v, %v", st, err)
		}
	})
}
