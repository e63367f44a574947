package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// slot is a 45-minute booking starting at the hour and minute of a day far
// in the future, so that it counts as active.
func slot(hour, min int) (start, end time.Time) {
	start = time.Date(2030, 3, 11, hour, min, 0, 0, time.UTC)
	return start, start.Add(45 * time.Minute)
}

func newBooking(topicID, librarianID int64, hour, min int, email, token string) booking.Booking {
	start, end := slot(hour, min)
	return booking.Booking{
		TopicID: topicID, LibrarianID: librarianID, Start: start, End: end,
		Location: "Georg Sverdrups hus", StudentName: "Kari Student", StudentEmail: email,
		Question: "Hvordan søker jeg systematisk?", Programme: "Medisin", StudyLevel: "master",
		Language: "nb", Locale: "nb", EventUID: "uid-" + token, EventName: token + ".ics", TokenHash: token,
	}
}

// insert stores b in a transaction of its own, locking its librarian.
func insert(t *testing.T, s *store.Store, b booking.Booking) (booking.Booking, error) {
	t.Helper()
	var got booking.Booking
	err := s.Tx(t.Context(), b.LibrarianID, func(ctx context.Context, tx *store.Tx) error {
		var err error
		got, err = tx.InsertBooking(ctx, b)
		return err
	})
	return got, err
}

func mustInsert(t *testing.T, s *store.Store, b booking.Booking) booking.Booking {
	t.Helper()
	got, err := insert(t, s, b)
	if err != nil {
		t.Fatalf("InsertBooking(%s): %v", b.TokenHash, err)
	}
	return got
}

func update(t *testing.T, s *store.Store, b booking.Booking) error {
	t.Helper()
	return s.Tx(t.Context(), b.LibrarianID, func(ctx context.Context, tx *store.Tx) error {
		return tx.UpdateBooking(ctx, b)
	})
}

func TestBookings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		ola := createUser(t, s, "ola", booking.RoleLibrarian)
		kari := createUser(t, s, "kari", booking.RoleLibrarian)
		zotero := createTopic(t, s, "zotero")

		b1 := mustInsert(t, s, newBooking(zotero.ID, ola.ID, 10, 0, "Student@Example.org", "t1"))
		if b1.ID == 0 || b1.Status != booking.StatusConfirmed || b1.CreatedAt.IsZero() || !b1.UpdatedAt.Equal(b1.CreatedAt) {
			t.Errorf("InsertBooking: got %+v, want an ID, confirmed, created and updated now", b1)
		}
		if want := newBooking(zotero.ID, ola.ID, 10, 0, "Student@Example.org", "t1"); b1.Question != want.Question ||
			!b1.Start.Equal(want.Start) || !b1.End.Equal(want.End) || b1.EventUID != "uid-t1" || b1.Location != want.Location {
			t.Errorf("InsertBooking: got %+v, want the fields of %+v", b1, want)
		}

		byToken, err := s.BookingByTokenHash(ctx, "t1")
		if err != nil || !reflect.DeepEqual(byToken, b1) {
			t.Errorf("BookingByTokenHash: got %+v, %v; want %+v", byToken, err, b1)
		}
		byID, err := s.BookingByID(ctx, b1.ID)
		if err != nil || !reflect.DeepEqual(byID, b1) {
			t.Errorf("BookingByID: got %+v, %v; want %+v", byID, err, b1)
		}
		err = s.Tx(ctx, 0, func(ctx context.Context, tx *store.Tx) error {
			got, err := tx.BookingByID(ctx, b1.ID)
			if err != nil || !reflect.DeepEqual(got, b1) {
				t.Errorf("Tx.BookingByID: got %+v, %v; want %+v", got, err, b1)
			}
			got, err = tx.BookingByEvent(ctx, ola.ID, "uid-t1")
			if err != nil || !reflect.DeepEqual(got, b1) {
				t.Errorf("Tx.BookingByEvent: got %+v, %v; want %+v", got, err, b1)
			}
			_, err = tx.BookingByEvent(ctx, kari.ID, "uid-t1")
			checkErr(t, "BookingByEvent of another librarian", err, booking.ErrNotFound)
			_, err = tx.BookingByEvent(ctx, ola.ID, "")
			checkErr(t, "BookingByEvent without UID", err, booking.ErrNotFound)
			return nil
		})
		checkErr(t, "Tx", err, nil)
		_, err = s.BookingByTokenHash(ctx, "nope")
		checkErr(t, "BookingByTokenHash unknown", err, booking.ErrNotFound)
		_, err = s.BookingByTokenHash(ctx, "")
		checkErr(t, "BookingByTokenHash empty", err, booking.ErrNotFound)
		_, err = s.BookingByID(ctx, 9999)
		checkErr(t, "BookingByID unknown", err, booking.ErrNotFound)

		// Moving the booking: every field but topic, librarian and
		// creation time is stored.
		moved := b1
		moved.Start, moved.End = slot(11, 0)
		moved.Sequence++
		moved.Location = "Digitalt"
		moved.Online = true
		moved.UpdatedAt = b1.UpdatedAt.Add(time.Minute)
		checkErr(t, "UpdateBooking", update(t, s, moved), nil)
		got, err := s.BookingByID(ctx, b1.ID)
		if err != nil || !reflect.DeepEqual(got, moved) {
			t.Errorf("BookingByID after UpdateBooking: got %+v, %v; want %+v", got, err, moved)
		}
		checkErr(t, "UpdateBooking unknown", update(t, s, booking.Booking{ID: 9999, LibrarianID: ola.ID, Start: moved.Start, End: moved.End, Status: booking.StatusConfirmed}), booking.ErrNotFound)

		cancelled := newBooking(zotero.ID, ola.ID, 10, 30, "other@example.org", "t-cancelled")
		cancelled.Status, cancelled.CancelledBy = booking.StatusCancelled, booking.PartyStudent

		tests := []struct {
			name string
			b    booking.Booking
			want error
		}{
			{"overlapping confirmed", newBooking(zotero.ID, ola.ID, 11, 30, "x@example.org", "t2"), booking.ErrSlotTaken},
			{"same slot", newBooking(zotero.ID, ola.ID, 11, 0, "x@example.org", "t2"), booking.ErrSlotTaken},
			{"starting before, ending inside", newBooking(zotero.ID, ola.ID, 10, 30, "x@example.org", "t2"), booking.ErrSlotTaken},
			{"back to back", newBooking(zotero.ID, ola.ID, 11, 45, "x@example.org", "t3"), nil},
			{"another librarian at the same time", newBooking(zotero.ID, kari.ID, 11, 0, "x@example.org", "t4"), nil},
			{"cancelled, overlapping", cancelled, nil},
			{"token taken", newBooking(zotero.ID, kari.ID, 14, 0, "x@example.org", "t1"), booking.ErrConflict},
			{"event UID taken", func() booking.Booking {
				b := newBooking(zotero.ID, ola.ID, 14, 0, "x@example.org", "t5")
				b.EventUID = "uid-t1"
				return b
			}(), booking.ErrConflict},
			{"ends before it starts", func() booking.Booking {
				b := newBooking(zotero.ID, ola.ID, 15, 0, "x@example.org", "t6")
				b.End = b.Start.Add(-time.Minute)
				return b
			}(), booking.ErrInvalid},
			{"bad status", func() booking.Booking {
				b := newBooking(zotero.ID, ola.ID, 15, 0, "x@example.org", "t6")
				b.Status = "maybe"
				return b
			}(), booking.ErrInvalid},
			{"NUL in question", func() booking.Booking {
				b := newBooking(zotero.ID, ola.ID, 15, 0, "x@example.org", "t6")
				b.Question = "a\x00b"
				return b
			}(), booking.ErrInvalid},
			{"unknown topic", newBooking(9999, ola.ID, 15, 0, "x@example.org", "t6"), booking.ErrNotFound},
		}
		for _, tt := range tests {
			_, err := insert(t, s, tt.b)
			checkErr(t, tt.name, err, tt.want)
		}

		// Confirming the cancelled booking again would overlap.
		c, err := s.BookingByTokenHash(ctx, "t-cancelled")
		if err != nil {
			t.Fatal(err)
		}
		c.Status, c.CancelledBy = booking.StatusConfirmed, ""
		checkErr(t, "UpdateBooking into an overlap", update(t, s, c), booking.ErrSlotTaken)
		// Cancelling the moved booking frees its time.
		moved.Status, moved.CancelledBy = booking.StatusCancelled, booking.PartyLibrarian
		checkErr(t, "UpdateBooking cancel", update(t, s, moved), nil)
		checkErr(t, "UpdateBooking into a freed slot", update(t, s, c), nil)

		// Anonymising clears the token; several anonymised bookings may
		// have none.
		for _, tok := range []string{"t1", "t3"} {
			b, err := s.BookingByTokenHash(ctx, tok)
			if err != nil {
				t.Fatal(err)
			}
			b.StudentName, b.StudentEmail, b.Question, b.TokenHash, b.Anonymised = "", "", "", "", true
			checkErr(t, "anonymise "+tok, update(t, s, b), nil)
		}
		got, err = s.BookingByID(ctx, b1.ID)
		if err != nil || !got.Anonymised || got.TokenHash != "" || got.StudentEmail != "" {
			t.Errorf("anonymised booking: got %+v, %v; want no token or personal data", got, err)
		}

		list, err := s.BookingsOfLibrarian(ctx, ola.ID, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		var tokens []string
		for _, b := range list {
			tokens = append(tokens, b.EventUID)
		}
		if want := []string{"uid-t-cancelled", "uid-t3"}; !slices.Equal(tokens, want) {
			t.Errorf("BookingsOfLibrarian(ola): got %v, want the confirmed %v", tokens, want)
		}
	})
}

func TestBookingsOfLibrarianRange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ola := createUser(t, s, "ola", booking.RoleLibrarian)
		zotero := createTopic(t, s, "zotero")
		mustInsert(t, s, newBooking(zotero.ID, ola.ID, 10, 0, "a@example.org", "a")) // 10:00-10:45
		mustInsert(t, s, newBooking(zotero.ID, ola.ID, 12, 0, "a@example.org", "b")) // 12:00-12:45

		at := func(h, m int) time.Time { s, _ := slot(h, m); return s }
		tests := []struct {
			name       string
			start, end time.Time
			want       []string
		}{
			{"all", time.Time{}, time.Time{}, []string{"a", "b"}},
			{"ends where the first starts", at(9, 0), at(10, 0), nil},
			{"starts where the first ends", at(10, 45), at(12, 0), nil},
			{"overlaps the end of the first", at(10, 44), at(11, 0), []string{"a"}},
			{"open start", time.Time{}, at(11, 0), []string{"a"}},
			{"open end", at(11, 0), time.Time{}, []string{"b"}},
		}
		for _, tt := range tests {
			list, err := s.BookingsOfLibrarian(t.Context(), ola.ID, tt.start, tt.end)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, b := range list {
				got = append(got, b.TokenHash)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
			}
		}
	})
}

// TestStaffBookingSearch checks each field of booking.BookingSearch, the
// one filter of booking lists.
func TestStaffBookingSearch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ola := createUser(t, s, "ola", booking.RoleLibrarian)
		kari := createUser(t, s, "kari", booking.RoleLibrarian)
		zotero := createTopic(t, s, "zotero")
		jus := createTopic(t, s, "jus")
		mustInsert(t, s, newBooking(zotero.ID, ola.ID, 9, 0, "A@example.org", "a"))
		mustInsert(t, s, newBooking(jus.ID, ola.ID, 10, 0, "b@example.org", "b"))
		c := newBooking(zotero.ID, kari.ID, 9, 0, "a@EXAMPLE.org", "c")
		c.Status, c.CancelledBy = booking.StatusCancelled, booking.PartyStudent
		mustInsert(t, s, c)

		from, _ := slot(9, 30)
		tests := []struct {
			name string
			f    booking.BookingSearch
			want []string
		}{
			{"all", booking.BookingSearch{}, []string{"a", "c", "b"}},
			{"librarian", booking.BookingSearch{LibrarianID: ola.ID}, []string{"a", "b"}},
			{"topic", booking.BookingSearch{TopicID: zotero.ID}, []string{"a", "c"}},
			{"status", booking.BookingSearch{Status: booking.StatusCancelled}, []string{"c"}},
			{"e-mail in any case", booking.BookingSearch{Email: " a@example.ORG "}, []string{"a", "c"}},
			{"part of the e-mail", booking.BookingSearch{Email: "EXAMPLE"}, []string{"a", "c", "b"}},
			{"e-mail with a LIKE wildcard", booking.BookingSearch{Email: "%"}, nil},
			{"from", booking.BookingSearch{From: from}, []string{"b"}},
			{"to", booking.BookingSearch{To: from}, []string{"a", "c"}},
			{"from and librarian", booking.BookingSearch{From: from.Add(-time.Hour), LibrarianID: ola.ID}, []string{"a", "b"}},
			{"descending", booking.BookingSearch{Descending: true}, []string{"b", "c", "a"}},
			{"limit", booking.BookingSearch{Limit: 1}, []string{"a"}},
		}
		for _, tt := range tests {
			list, err := s.StaffBookings(t.Context(), tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, b := range list {
				got = append(got, b.TokenHash)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("StaffBookings(%s): got %v, want %v", tt.name, got, tt.want)
			}
		}
	})
}

var errTest = errors.New("test error")

// An error from fn undoes every write of the transaction: the booking, the
// calendar object with its sync token and change, and the message.
func TestTxRollback(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		ola := createUser(t, s, "ola", booking.RoleLibrarian)
		zotero := createTopic(t, s, "zotero")
		cal, err := s.CalendarBySlug(ctx, ola.ID, "bookings")
		if err != nil {
			t.Fatal(err)
		}
		seq := syncSeq(t, s, cal.ID)

		err = s.Tx(ctx, ola.ID, func(ctx context.Context, tx *store.Tx) error {
			b, err := tx.InsertBooking(ctx, newBooking(zotero.ID, ola.ID, 10, 0, "a@example.org", "t1"))
			if err != nil {
				return err
			}
			if _, _, err := tx.PutObject(ctx, booking.CalendarObject{CalendarID: cal.ID, Name: "t1.ics", UID: "uid-t1",
				Component: "VEVENT", Data: ics("uid-t1", "Booking")}, booking.WriteCondition{IfNoneMatchAny: true}); err != nil {
				return err
			}
			if err := tx.Enqueue(ctx, booking.Message{Kind: booking.MessageConfirmation, BookingID: b.ID}); err != nil {
				return err
			}
			// The transaction sees its own writes.
			if n, err := tx.ActiveBookingsByEmail(ctx, "a@example.org", time.Now()); err != nil || n != 1 {
				t.Errorf("ActiveBookingsByEmail in the transaction: got %d, %v; want 1", n, err)
			}
			if _, err := tx.Object(ctx, cal.ID, "t1.ics"); err != nil {
				t.Errorf("Object in the transaction: %v", err)
			}
			return fmt.Errorf("mail server said no: %w", errTest)
		})
		if !errors.Is(err, errTest) {
			t.Errorf("Tx: got %v, want fn's error", err)
		}

		_, err = s.BookingByTokenHash(ctx, "t1")
		checkErr(t, "booking after rollback", err, booking.ErrNotFound)
		_, err = s.Object(ctx, cal.ID, "t1.ics")
		checkErr(t, "object after rollback", err, booking.ErrNotFound)
		if got := syncSeq(t, s, cal.ID); got != seq {
			t.Errorf("sync seq after rollback: got %d, want %d", got, seq)
		}
		changes, _, err := s.ChangesSince(ctx, cal.ID, 0)
		if err != nil || len(changes) != 0 {
			t.Errorf("changes after rollback: got %v, %v; want none", changes, err)
		}
		if n := count(t, s, "outbox"); n != 0 {
			t.Errorf("outbox after rollback: got %d messages, want 0", n)
		}

		err = s.Tx(ctx, 9999, func(ctx context.Context, tx *store.Tx) error {
			t.Error("fn ran for an unknown librarian")
			return nil
		})
		checkErr(t, "Tx locking an unknown librarian", err, booking.ErrNotFound)
	})
}

func count(t *testing.T, s *store.Store, table string) int {
	t.Helper()
	var n int
	if err := store.DB(s).GetContext(t.Context(), &n, `SELECT COUNT(*) FROM `+table); err != nil {
		t.Fatal(err)
	}
	return n
}

// Tx's reads are the Store's, inside the transaction.
func TestTxReads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		ola := createUser(t, s, "ola", booking.RoleLibrarian)
		zotero := createTopic(t, s, "zotero")
		personal, err := s.CalendarBySlug(ctx, ola.ID, "personal")
		if err != nil {
			t.Fatal(err)
		}
		obj, _, err := s.PutObject(ctx, booking.CalendarObject{CalendarID: personal.ID, Name: "a.ics", UID: "a",
			Component: "VEVENT", Data: ics("a", "A"), FirstStart: day(10, 0), LastEnd: day(11, 0)}, booking.WriteCondition{})
		if err != nil {
			t.Fatal(err)
		}
		b := mustInsert(t, s, newBooking(zotero.ID, ola.ID, 10, 0, "a@example.org", "t1"))

		err = s.Tx(ctx, ola.ID, func(ctx context.Context, tx *store.Tx) error {
			cals, err := tx.Calendars(ctx, ola.ID)
			if err != nil || len(cals) != 4 {
				t.Errorf("Tx.Calendars: got %d, %v; want 4", len(cals), err)
			}
			cal, err := tx.CalendarBySlug(ctx, ola.ID, "personal")
			if err != nil || cal.ID != personal.ID {
				t.Errorf("Tx.CalendarBySlug: got %+v, %v; want %d", cal, err, personal.ID)
			}
			objs, err := tx.ObjectsOverlapping(ctx, personal.ID, "vevent", day(10, 30), day(12, 0))
			if err != nil || len(objs) != 1 || objs[0].ETag != obj.ETag {
				t.Errorf("Tx.ObjectsOverlapping: got %+v, %v; want a.ics", objs, err)
			}
			objs, err = tx.ObjectsOverlapping(ctx, personal.ID, "VEVENT", day(11, 30), day(12, 0))
			if err != nil || len(objs) != 0 {
				t.Errorf("Tx.ObjectsOverlapping after the event: got %+v, %v; want none", objs, err)
			}
			list, err := tx.BookingsOfLibrarian(ctx, ola.ID, b.Start, b.End)
			if err != nil || len(list) != 1 || !reflect.DeepEqual(list[0], b) {
				t.Errorf("Tx.BookingsOfLibrarian: got %+v, %v; want %+v", list, err, b)
			}
			return nil
		})
		checkErr(t, "Tx", err, nil)
	})
}

func TestActiveBookingsByEmail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ola := createUser(t, s, "ola", booking.RoleLibrarian)
		kari := createUser(t, s, "kari", booking.RoleLibrarian)
		zotero := createTopic(t, s, "zotero")
		mustInsert(t, s, newBooking(zotero.ID, ola.ID, 9, 0, "Student@Example.org", "a"))
		mustInsert(t, s, newBooking(zotero.ID, kari.ID, 9, 0, "student@example.org", "b"))
		mustInsert(t, s, newBooking(zotero.ID, ola.ID, 12, 0, "student@example.org", "c"))
		cancelled := newBooking(zotero.ID, ola.ID, 14, 0, "student@example.org", "d")
		cancelled.Status = booking.StatusCancelled
		mustInsert(t, s, cancelled)
		mustInsert(t, s, newBooking(zotero.ID, kari.ID, 14, 0, "other@example.org", "e"))

		at := func(h, m int) time.Time { s, _ := slot(h, m); return s }
		tests := []struct {
			name  string
			email string
			now   time.Time
			want  int
			err   error
		}{
			{"all active, in any case", "STUDENT@example.org", at(8, 0), 3, nil},
			{"ended ones do not count", "student@example.org", at(9, 45), 1, nil},
			{"a meeting under way counts", "student@example.org", at(12, 30), 1, nil},
			{"all over", "student@example.org", at(13, 0), 0, nil},
			{"unknown", "nobody@example.org", at(8, 0), 0, nil},
			{"empty", " ", at(8, 0), 0, booking.ErrInvalid},
		}
		for _, tt := range tests {
			var got int
			err := s.Tx(t.Context(), 0, func(ctx context.Context, tx *store.Tx) error {
				var err error
				got, err = tx.ActiveBookingsByEmail(ctx, tt.email, tt.now)
				return err
			})
			checkErr(t, tt.name, err, tt.err)
			if got != tt.want {
				t.Errorf("%s: got %d, want %d", tt.name, got, tt.want)
			}
		}
	})
}

// Many students racing for one librarian's slot, with no lock taken by the
// application: the database lets exactly one booking in.
func TestConcurrentOverlappingBookings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ola := createUser(t, s, "ola", booking.RoleLibrarian)
		zotero := createTopic(t, s, "zotero")
		const writers = 20
		errs := make([]error, writers)
		var wg sync.WaitGroup
		for i := range writers {
			wg.Go(func() {
				// Start times 5 minutes apart: every pair overlaps.
				b := newBooking(zotero.ID, ola.ID, 10, i%5*5, "a@example.org", fmt.Sprintf("t%d", i))
				errs[i] = s.Tx(t.Context(), 0, func(ctx context.Context, tx *store.Tx) error {
					_, err := tx.InsertBooking(ctx, b)
					return err
				})
			})
		}
		wg.Wait()
		var won int
		for i, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, booking.ErrSlotTaken):
				t.Errorf("writer %d: got %v, want success or ErrSlotTaken", i, err)
			}
		}
		if won != 1 {
			t.Errorf("got %d bookings in, want 1", won)
		}
	})
}

// One student booking several librarians at once, with at most one active
// booking allowed: the count and the insert are serialised per e-mail
// address, so exactly one booking gets in.
func TestConcurrentStudentLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		zotero := createTopic(t, s, "zotero")
		const writers = 8
		libs := make([]booking.User, writers)
		for i := range libs {
			libs[i] = createUser(t, s, fmt.Sprintf("lib%d", i), booking.RoleLibrarian)
		}
		rules := booking.DefaultRules()
		rules.MaxActivePerStudent = 1
		errs := make([]error, writers)
		var wg sync.WaitGroup
		for i := range writers {
			wg.Go(func() {
				b := newBooking(zotero.ID, libs[i].ID, 10, 0, "Same.Student@example.org", fmt.Sprintf("t%d", i))
				if i%2 == 1 {
					b.StudentEmail = "same.student@EXAMPLE.org"
				}
				errs[i] = s.Tx(t.Context(), b.LibrarianID, func(ctx context.Context, tx *store.Tx) error {
					n, err := tx.ActiveBookingsByEmail(ctx, b.StudentEmail, b.Start.Add(-time.Hour))
					if err != nil {
						return err
					}
					if err := booking.CheckStudentLimit(n, rules); err != nil {
						return err
					}
					// Widen the window between count and insert, so that
					// without the serialisation the others would count
					// before this one inserts.
					time.Sleep(20 * time.Millisecond)
					_, err = tx.InsertBooking(ctx, b)
					return err
				})
			})
		}
		wg.Wait()
		var won int
		for i, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, booking.ErrLimitReached):
				t.Errorf("writer %d: got %v, want success or ErrLimitReached", i, err)
			}
		}
		if won != 1 {
			t.Errorf("got %d bookings in, want 1", won)
		}
	})
}

func TestEnqueue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		ola := createUser(t, s, "ola", booking.RoleLibrarian)
		zotero := createTopic(t, s, "zotero")
		b := mustInsert(t, s, newBooking(zotero.ID, ola.ID, 10, 0, "a@example.org", "t1"))
		later := time.Date(2030, 3, 10, 10, 0, 0, 0, time.UTC)

		tests := []struct {
			name string
			m    booking.Message
			want error
		}{
			{"confirmation now", booking.Message{Kind: booking.MessageConfirmation, BookingID: b.ID, Sequence: 0}, nil},
			{"reminder later", booking.Message{Kind: booking.MessageReminder, BookingID: b.ID, Sequence: 2, SendAfter: later}, nil},
			{"unknown kind", booking.Message{Kind: "spam", BookingID: b.ID}, booking.ErrInvalid},
			{"unknown booking", booking.Message{Kind: booking.MessageCancelled, BookingID: 9999}, booking.ErrNotFound},
		}
		for _, tt := range tests {
			err := s.Tx(ctx, 0, func(ctx context.Context, tx *store.Tx) error { return tx.Enqueue(ctx, tt.m) })
			checkErr(t, tt.name, err, tt.want)
		}

		type outboxRow struct {
			Kind      string `db:"kind"`
			BookingID *int64 `db:"booking_id"`
			Sequence  int    `db:"sequence"`
			SendAfter int64  `db:"send_after"`
			CreatedAt int64  `db:"created_at"`
			Attempts  int    `db:"attempts"`
			Status    string `db:"status"`
		}
		var rows []outboxRow
		err := store.DB(s).SelectContext(ctx, &rows, `
			SELECT kind, booking_id, sequence, send_after, created_at, attempts, status FROM outbox ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 {
			t.Fatalf("outbox: got %d rows, want 2", len(rows))
		}
		if r := rows[0]; r.Kind != "confirmation" || r.BookingID == nil || *r.BookingID != b.ID || r.SendAfter != r.CreatedAt ||
			r.Attempts != 0 || r.Status != "pending" {
			t.Errorf("outbox[0]: got %+v, want a pending confirmation of booking %d to send now", r, b.ID)
		}
		if r := rows[1]; r.Kind != "reminder" || r.Sequence != 2 || r.SendAfter != later.Unix() {
			t.Errorf("outbox[1]: got %+v, want a reminder of sequence 2 at %d", r, later.Unix())
		}

		// Deleting a booking keeps its messages, without the reference.
		if _, err := store.DB(s).ExecContext(ctx, store.DB(s).Rebind(`DELETE FROM bookings WHERE id = ?`), b.ID); err != nil {
			t.Fatal(err)
		}
		var refs int
		if err := store.DB(s).GetContext(ctx, &refs, `SELECT COUNT(booking_id) FROM outbox`); err != nil || refs != 0 || count(t, s, "outbox") != 2 {
			t.Errorf("outbox after deleting the booking: got %d references, %v; want 2 messages without any", refs, err)
		}
	})
}

func TestDemand(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		tests := []struct {
			name string
			d    booking.DemandRecord
			want error
		}{
			{"full", booking.DemandRecord{TopicSlug: "jus", Date: "2026-03-24", Language: "EN", Mode: booking.ModeOnline, Campus: "Domus Bibliotheca"}, nil},
			{"minimal", booking.DemandRecord{TopicSlug: "zotero", Date: "2026-03-20"}, nil},
			{"later", booking.DemandRecord{TopicSlug: "zotero", Date: "2026-04-01", Mode: booking.ModeInPerson}, nil},
			{"bad date", booking.DemandRecord{TopicSlug: "zotero", Date: "24.03.2026"}, booking.ErrInvalid},
			{"bad mode", booking.DemandRecord{TopicSlug: "zotero", Date: "2026-03-24", Mode: "telepathy"}, booking.ErrInvalid},
			{"no topic", booking.DemandRecord{Date: "2026-03-24"}, booking.ErrInvalid},
		}
		for _, tt := range tests {
			checkErr(t, tt.name, s.RecordDemand(ctx, tt.d), tt.want)
		}
		got, err := s.Demand(ctx, "2026-03-21", "2026-04-01")
		if err != nil {
			t.Fatal(err)
		}
		want := []booking.DemandRecord{
			{TopicSlug: "jus", Date: "2026-03-24", Language: "en", Mode: booking.ModeOnline, Campus: "Domus Bibliotheca"},
			{TopicSlug: "zotero", Date: "2026-04-01", Mode: booking.ModeInPerson},
		}
		if !slices.Equal(got, want) {
			t.Errorf("Demand: got %+v, want %+v", got, want)
		}
		all, err := s.Demand(ctx, "", "")
		if err != nil || len(all) != 3 || all[0].Date != "2026-03-20" {
			t.Errorf("Demand(all): got %+v, %v; want 3 from 2026-03-20", all, err)
		}
	})
}
