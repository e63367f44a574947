package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

func newRequest(t *testing.T, s *store.Store, topicID, filedBy, inquiryID int64, uid string, at time.Time) booking.HelpRequest {
	t.Helper()
	r := booking.HelpRequest{TopicID: topicID, Need: "a search strategy", Times: "mornings", StudentName: "Kari Nordmann",
		StudentEmail: "Kari@Example.org", FiledBy: filedBy, InquiryID: inquiryID}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	r = booking.NewHelpRequest(r, at, 2, time.UTC)
	r.UID, r.TokenHash = uid, "hash-"+uid
	var saved booking.HelpRequest
	err := s.Tx(t.Context(), 0, func(ctx context.Context, tx *store.Tx) error {
		var err error
		if saved, err = tx.InsertRequest(ctx, r); err != nil {
			return err
		}
		return tx.Enqueue(ctx, booking.Message{Kind: booking.MessageRequestNew, RequestID: saved.ID})
	})
	if err != nil {
		t.Fatalf("InsertRequest: %v", err)
	}
	return saved
}

func updateRequest(s *store.Store, r booking.HelpRequest, was booking.RequestState, round int) error {
	return s.Tx(context.Background(), 0, func(ctx context.Context, tx *store.Tx) error {
		return tx.UpdateRequest(ctx, r, was, round)
	})
}

// A request's states as the store keeps them, its offers, the e-mail to
// the librarians who opted in, and the link to the desk log entry.
func TestRequestStates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		desk := createUser(t, s, "desk", booking.RoleDesk)
		lib := createUser(t, s, "lib", booking.RoleLibrarian)
		quiet := createUser(t, s, "quiet", booking.RoleLibrarian)
		topic := createTopic(t, s, "zotero")
		for _, u := range []booking.User{lib, quiet} {
			checkErr(t, "AddCompetence", s.AddCompetence(ctx, u.ID, "zotero", booking.LevelPrimary, nil), nil)
		}
		p := booking.DefaultProfile(lib.ID)
		p.NotifyRequests = true
		checkErr(t, "SetProfile", s.SetProfile(ctx, p), nil)
		if got, err := s.Profile(ctx, lib.ID); err != nil || !got.NotifyRequests {
			t.Errorf("Profile: got %+v, %v; want NotifyRequests", got, err)
		}

		at := time.Date(2030, 3, 11, 9, 0, 0, 0, time.UTC)
		q, err := s.CreateInquiry(ctx, booking.Inquiry{UserID: desk.ID, Channel: booking.ChannelDesk, TopicID: topic.ID, READ: 3,
			Outcome: booking.OutcomeAnswered, At: at})
		if err != nil {
			t.Fatal(err)
		}
		r := newRequest(t, s, topic.ID, desk.ID, q.ID, "r1", at)
		if r.State != booking.RequestOpen || r.InquiryID != q.ID || !r.DueAt.Equal(time.Date(2030, 3, 14, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("InsertRequest: got %+v", r)
		}
		if got, _ := s.Inquiry(ctx, q.ID); got.Outcome != booking.OutcomeReferred {
			t.Errorf("the entry's outcome: got %s, want referred", got.Outcome)
		}
		// An entry of another staff member's cannot be linked.
		other := booking.NewHelpRequest(booking.HelpRequest{TopicID: topic.ID, Need: "x", StudentName: "x", StudentEmail: "x@example.org",
			FiledBy: lib.ID, InquiryID: q.ID}, at, 2, time.UTC)
		other.UID = "r-other"
		err = s.Tx(ctx, 0, func(ctx context.Context, tx *store.Tx) error { _, err := tx.InsertRequest(ctx, other); return err })
		checkErr(t, "InsertRequest with another's entry", err, booking.ErrNotFound)

		// Only the librarian who opted in gets the e-mail.
		var recipients []int64
		if err := store.DB(s).SelectContext(ctx, &recipients, store.DB(s).Rebind(`SELECT user_id FROM outbox WHERE request_id = ? AND kind = 'request-new'`), r.ID); err != nil {
			t.Fatal(err)
		}
		if len(recipients) != 1 || recipients[0] != lib.ID {
			t.Errorf("request-new recipients: got %v, want [%d]", recipients, lib.ID)
		}

		taken, err := r.Take(lib.ID, at.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		checkErr(t, "take", updateRequest(s, taken, booking.RequestOpen, 0), nil)
		checkErr(t, "take again", updateRequest(s, taken, booking.RequestOpen, 0), booking.ErrConflict)
		missing := taken
		missing.ID = 9999
		checkErr(t, "take a missing one", updateRequest(s, missing, booking.RequestOpen, 0), booking.ErrNotFound)

		offered, err := taken.Offer(lib.ID, 2, 0, at.Add(2*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		start := at.Add(48 * time.Hour)
		err = s.Tx(ctx, 0, func(ctx context.Context, tx *store.Tx) error {
			if err := tx.UpdateRequest(ctx, offered, booking.RequestTaken, 0); err != nil {
				return err
			}
			if err := tx.InsertOffers(ctx, []booking.RequestOffer{
				{RequestID: r.ID, LibrarianID: lib.ID, Start: start, End: start.Add(45 * time.Minute), Round: 1},
				{RequestID: r.ID, LibrarianID: lib.ID, Start: start.Add(time.Hour), End: start.Add(105 * time.Minute), Online: true, Round: 1},
			}); err != nil {
				return err
			}
			return tx.Enqueue(ctx, booking.Message{Kind: booking.MessageRequestOffer, RequestID: r.ID, Sequence: 1})
		})
		checkErr(t, "offer", err, nil)
		offers, err := s.RequestOffers(ctx, r.ID)
		if err != nil || len(offers) != 2 || !offers[0].Start.Equal(start) || !offers[1].Online {
			t.Errorf("RequestOffers: got %+v, %v", offers, err)
		}
		got, err := s.RequestByTokenHash(ctx, "hash-r1")
		if err != nil || got.State != booking.RequestOffered || got.Round != 1 || got.TakenBy != lib.ID || got.AnsweredAt.IsZero() {
			t.Errorf("RequestByTokenHash: got %+v, %v", got, err)
		}
		if got, err := s.Requests(ctx, booking.RequestSearch{TakenBy: lib.ID}); err != nil || len(got) != 1 {
			t.Errorf("Requests taken by lib: got %d, %v; want 1", len(got), err)
		}
		if got, err := s.Requests(ctx, booking.RequestSearch{TopicIDs: []int64{topic.ID}, States: []booking.RequestState{booking.RequestOpen}}); err != nil || len(got) != 0 {
			t.Errorf("open requests: got %d, %v; want 0", len(got), err)
		}

		// A booking that names the request ends it; a second one for the
		// same request is refused with the request unchanged.
		b := booking.Booking{TopicID: topic.ID, LibrarianID: lib.ID, Start: start, End: start.Add(45 * time.Minute), StudentName: "Kari",
			StudentEmail: "kari@example.org", Locale: "nb", Status: booking.StatusConfirmed, EventUID: "e1", EventName: "e1.ics", RequestID: r.ID}
		var stored booking.Booking
		err = s.Tx(ctx, lib.ID, func(ctx context.Context, tx *store.Tx) error {
			var err error
			stored, err = tx.InsertBooking(ctx, b)
			return err
		})
		checkErr(t, "book", err, nil)
		if stored.RequestID != r.ID {
			t.Errorf("booking's request: got %d, want %d", stored.RequestID, r.ID)
		}
		b.Start, b.End, b.EventUID, b.EventName = b.Start.Add(2*time.Hour), b.End.Add(2*time.Hour), "e2", "e2.ics"
		err = s.Tx(ctx, lib.ID, func(ctx context.Context, tx *store.Tx) error { _, err := tx.InsertBooking(ctx, b); return err })
		checkErr(t, "book twice", err, booking.ErrConflict)
		if got := count(t, s, "bookings"); got != 1 {
			t.Errorf("bookings: got %d, want 1", got)
		}
		got, _ = s.Request(ctx, r.ID)
		if got.State != booking.RequestBooked || got.BookingID != stored.ID {
			t.Errorf("after the booking: got %s, booking %d; want booked, %d", got.State, got.BookingID, stored.ID)
		}

		// Closing an open request needs the state it was read in.
		r2 := newRequest(t, s, topic.ID, 0, 0, "r2", at)
		closed, err := r2.Close(desk.ID, "duplicate", at)
		if err != nil {
			t.Fatal(err)
		}
		checkErr(t, "close", updateRequest(s, closed, booking.RequestOpen, 0), nil)
		got, _ = s.Request(ctx, r2.ID)
		if got.State != booking.RequestClosed || got.CloseReason != "duplicate" || got.ClosedBy != desk.ID {
			t.Errorf("closed: got %+v", got)
		}
	})
}

// Of many librarians taking the same request at once, exactly one wins
// and the others get ErrConflict: the store's conditional write on the
// state, on both databases.
func TestRequestTakeRace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		topic := createTopic(t, s, "law")
		const takers = 12
		libs := make([]booking.User, takers)
		for i := range libs {
			libs[i] = createUser(t, s, "lib"+string(rune('a'+i)), booking.RoleLibrarian)
		}
		at := time.Date(2030, 3, 11, 9, 0, 0, 0, time.UTC)
		for round := range 3 {
			r := newRequest(t, s, topic.ID, 0, 0, "race"+string(rune('0'+round)), at)
			var (
				start sync.WaitGroup
				done  sync.WaitGroup
				errs  = make([]error, takers)
			)
			start.Add(1)
			for i := range takers {
				done.Go(func() {
					start.Wait()
					taken, err := r.Take(libs[i].ID, at)
					if err == nil {
						err = updateRequest(s, taken, booking.RequestOpen, 0)
					}
					errs[i] = err
				})
			}
			start.Done()
			done.Wait()
			var won int64
			for i, err := range errs {
				switch {
				case err == nil:
					if won != 0 {
						t.Errorf("round %d: librarians %d and %d both took it", round, won, libs[i].ID)
					}
					won = libs[i].ID
				case !errors.Is(err, booking.ErrConflict):
					t.Errorf("round %d: take: got %v, want success or ErrConflict", round, err)
				}
			}
			got, err := s.Request(t.Context(), r.ID)
			if err != nil || won == 0 || got.TakenBy != won || got.State != booking.RequestTaken {
				t.Errorf("round %d: got taken by %d (%s), %v; want the one winner %d", round, got.TakenBy, got.State, err, won)
			}
		}
	})
}

// The retention purge clears the student's details of old requests and
// nothing the competence page counts; the export and erasure find a
// student's requests by e-mail in any case.
func TestRequestPurgeAndErase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		topic := createTopic(t, s, "history")
		old := time.Date(2030, 1, 7, 9, 0, 0, 0, time.UTC)
		recent := old.AddDate(0, 3, 0)
		r1 := newRequest(t, s, topic.ID, 0, 0, "old", old)
		r2 := newRequest(t, s, topic.ID, 0, 0, "recent", recent)
		period := func() []booking.RequestFact {
			f, err := s.RequestFacts(ctx, old.AddDate(0, -1, 0), recent.AddDate(0, 1, 0))
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
		before := period()

		n, err := s.AnonymiseRequests(ctx, old.AddDate(0, 0, 90))
		if err != nil || n != 1 {
			t.Fatalf("AnonymiseRequests: got %d, %v; want 1", n, err)
		}
		got, _ := s.Request(ctx, r1.ID)
		if !got.Anonymised || got.StudentName != "" || got.StudentEmail != "" || got.Need != "" || got.Times != "" || got.TokenHash != "" {
			t.Errorf("purged request: got %+v", got)
		}
		if got.State != booking.RequestOpen || got.TopicID != topic.ID || !got.DueAt.Equal(r1.DueAt) {
			t.Errorf("purged request lost what is counted: %+v", got)
		}
		_, err = s.RequestByTokenHash(ctx, "hash-old")
		checkErr(t, "the purged request's link", err, booking.ErrNotFound)
		if after := period(); len(after) != len(before) || after[0] != before[0] || after[1] != before[1] {
			t.Errorf("facts changed by the purge: got %+v, want %+v", after, before)
		}
		if n, _ := s.AnonymiseRequests(ctx, old.AddDate(0, 0, 90)); n != 0 {
			t.Errorf("second purge: got %d, want 0", n)
		}

		list, err := s.RequestsByEmail(ctx, "kari@EXAMPLE.org")
		if err != nil || len(list) != 1 || list[0].ID != r2.ID {
			t.Errorf("RequestsByEmail: got %+v, %v; want the recent one", list, err)
		}
		n, err = s.EraseRequests(ctx, "KARI@example.org", 0, "erased", recent)
		if err != nil || n != 1 {
			t.Errorf("EraseRequests: got %d, %v; want 1", n, err)
		}
		got, _ = s.Request(ctx, r2.ID)
		if !got.Anonymised || got.StudentEmail != "" || got.State != booking.RequestClosed || got.CloseReason != "erased" {
			t.Errorf("erased request: got %+v", got)
		}
	})
}

func TestTagTopics(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		topic := createTopic(t, s, "endnote")
		admin := createUser(t, s, "admin", booking.RoleAdmin)
		checkErr(t, "MapTag", s.MapTag(ctx, "Reference Manager", topic.ID, admin.ID), nil)
		checkErr(t, "MapTag unknown topic", s.MapTag(ctx, "x", 9999, admin.ID), booking.ErrNotFound)
		checkErr(t, "MapTag empty", s.MapTag(ctx, " ", topic.ID, admin.ID), booking.ErrInvalid)
		m, err := s.TagTopics(ctx)
		if err != nil || len(m) != 1 || m["reference manager"] != topic.ID {
			t.Errorf("TagTopics: got %v, %v", m, err)
		}
		checkErr(t, "unmap", s.MapTag(ctx, "reference manager", 0, admin.ID), nil)
		if m, _ := s.TagTopics(ctx); len(m) != 0 {
			t.Errorf("after unmapping: got %v", m)
		}
	})
}
