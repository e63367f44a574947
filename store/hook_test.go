package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// hookCall is what the object hook was called with.
type hookCall struct {
	cal           string
	before, after string // the objects' SUMMARY-bearing data, "" for nil
}

func TestObjectHook(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		ola := createUser(t, s, "ola", booking.RoleLibrarian)
		bookings, err := s.CalendarBySlug(ctx, ola.ID, "bookings")
		if err != nil {
			t.Fatal(err)
		}
		personal, err := s.CalendarBySlug(ctx, ola.ID, "personal")
		if err != nil {
			t.Fatal(err)
		}

		var (
			calls   []hookCall
			failErr error // the hook's next error
			rewrite bool  // the hook rewrites the object it is given
		)
		dataOf := func(o *booking.CalendarObject) string {
			if o == nil {
				return ""
			}
			return string(o.Data)
		}
		s.SetObjectHook(func(ctx context.Context, tx *store.Tx, cal booking.Calendar, before, after *booking.CalendarObject) error {
			calls = append(calls, hookCall{cal.Slug, dataOf(before), dataOf(after)})
			// The hook runs inside the write's transaction: it sees the
			// write, and its own writes share the write's fate.
			name := ""
			if after != nil {
				name = after.Name
			} else {
				name = before.Name
			}
			got, err := tx.Object(ctx, cal.ID, name)
			switch {
			case after != nil && (err != nil || !bytes.Equal(got.Data, after.Data)):
				t.Errorf("hook: Object(%s): got %q, %v; want the data just written", name, got.Data, err)
			case after == nil && !errors.Is(err, booking.ErrNotFound):
				t.Errorf("hook: Object(%s) after delete: got %v, want ErrNotFound", name, err)
			}
			side := booking.CalendarObject{CalendarID: personal.ID, Name: "side-" + name, UID: "side-" + name,
				Component: "VEVENT", Data: ics("side-"+name, "side effect")}
			if _, _, err := tx.PutObject(ctx, side, booking.WriteCondition{}); err != nil {
				return err
			}
			if rewrite && after != nil {
				// A nested write through tx does not call the hook again.
				rewritten := *after
				rewritten.Data = ics(after.UID, "rewritten")
				if _, _, err := tx.PutObject(ctx, rewritten, booking.WriteCondition{}); err != nil {
					return err
				}
			}
			return failErr
		})

		put := func(cal booking.Calendar, name, summary string) (booking.CalendarObject, error) {
			obj, _, err := s.PutObject(ctx, booking.CalendarObject{CalendarID: cal.ID, Name: name, UID: "uid-" + name,
				Component: "VEVENT", Data: ics("uid-"+name, summary)}, booking.WriteCondition{})
			return obj, err
		}
		exists := func(cal booking.Calendar, name string) bool {
			_, err := s.Object(ctx, cal.ID, name)
			if err != nil && !errors.Is(err, booking.ErrNotFound) {
				t.Fatal(err)
			}
			return err == nil
		}

		// Other calendars do not call the hook.
		if _, err := put(personal, "p.ics", "Personal"); err != nil {
			t.Fatal(err)
		}
		checkErr(t, "DeleteObject personal", s.DeleteObject(ctx, personal.ID, "p.ics", booking.WriteCondition{}), nil)
		if len(calls) != 0 {
			t.Errorf("hook calls for the personal calendar: got %v, want none", calls)
		}

		// Create, replace and delete in the bookings calendar.
		v1 := string(ics("uid-b.ics", "One"))
		v2 := string(ics("uid-b.ics", "Two"))
		if _, err := put(bookings, "b.ics", "One"); err != nil {
			t.Fatal(err)
		}
		if _, err := put(bookings, "b.ics", "Two"); err != nil {
			t.Fatal(err)
		}
		checkErr(t, "DeleteObject bookings", s.DeleteObject(ctx, bookings.ID, "b.ics", booking.WriteCondition{}), nil)
		want := []hookCall{{"bookings", "", v1}, {"bookings", v1, v2}, {"bookings", v2, ""}}
		if fmt.Sprint(calls) != fmt.Sprint(want) {
			t.Errorf("hook calls:\n got %q\nwant %q", calls, want)
		}
		if !exists(personal, "side-b.ics") {
			t.Errorf("the hook's own write was not committed")
		}

		// The hook's error rolls the write back, with the hook's own
		// writes, and comes back unchanged in kind.
		stored, err := put(bookings, "c.ics", "Kept")
		if err != nil {
			t.Fatal(err)
		}
		seq := syncSeq(t, s, bookings.ID)
		sideSeq := syncSeq(t, s, personal.ID)
		failErr = fmt.Errorf("cannot move a booking into the past: %w", booking.ErrInvalid)
		_, err = put(bookings, "c.ics", "Changed")
		checkErr(t, "PutObject with a failing hook", err, booking.ErrInvalid)
		_, err = put(bookings, "d.ics", "New")
		checkErr(t, "PutObject of a new object with a failing hook", err, booking.ErrInvalid)
		err = s.DeleteObject(ctx, bookings.ID, "c.ics", booking.WriteCondition{})
		checkErr(t, "DeleteObject with a failing hook", err, booking.ErrInvalid)
		failErr = nil

		got, err := s.Object(ctx, bookings.ID, "c.ics")
		if err != nil || got.ETag != stored.ETag {
			t.Errorf("object after failed writes: got %+v, %v; want it unchanged", got, err)
		}
		if exists(bookings, "d.ics") {
			t.Errorf("new object exists after its hook failed")
		}
		if got := syncSeq(t, s, bookings.ID); got != seq {
			t.Errorf("bookings sync seq after failed writes: got %d, want %d", got, seq)
		}
		if got := syncSeq(t, s, personal.ID); got != sideSeq {
			t.Errorf("personal sync seq after failed writes: got %d, want %d (the hook's writes undone)", got, sideSeq)
		}

		// A hook that rewrites the object: PutObject returns what is
		// stored, not what the client sent.
		rewrite = true
		before := len(calls)
		obj, err := put(bookings, "e.ics", "Client's")
		if err != nil {
			t.Fatal(err)
		}
		rewrite = false
		got, err = s.Object(ctx, bookings.ID, "e.ics")
		if err != nil || obj.ETag != got.ETag || !bytes.Equal(got.Data, ics("uid-e.ics", "rewritten")) {
			t.Errorf("PutObject with a rewriting hook: got ETag %q, stored %q (%v); want the rewritten object's", obj.ETag, got.ETag, err)
		}
		if n := len(calls) - before; n != 1 {
			t.Errorf("hook calls for one PUT with a nested write: got %d, want 1", n)
		}

		// Writes of the scheduling service through Tx do not call the hook.
		before = len(calls)
		err = s.Tx(ctx, ola.ID, func(ctx context.Context, tx *store.Tx) error {
			if _, _, err := tx.PutObject(ctx, booking.CalendarObject{CalendarID: bookings.ID, Name: "f.ics", UID: "uid-f",
				Component: "VEVENT", Data: ics("uid-f", "By Veileder")}, booking.WriteCondition{}); err != nil {
				return err
			}
			return tx.DeleteObject(ctx, bookings.ID, "c.ics", booking.WriteCondition{})
		})
		checkErr(t, "Tx writes", err, nil)
		if n := len(calls) - before; n != 0 {
			t.Errorf("hook calls for Tx writes: got %d, want 0", n)
		}

		// Without a hook, nothing is called.
		s.SetObjectHook(nil)
		if _, err := put(bookings, "g.ics", "G"); err != nil {
			t.Fatal(err)
		}
		if n := len(calls) - before; n != 0 {
			t.Errorf("hook calls after SetObjectHook(nil): got %d, want 0", n)
		}
	})
}

// The hook gets, with the object written, what the writer parsed of it
// (Parsed), so that it need not parse the data again; the store neither
// keeps it nor returns it, and the object read before a write has none.
func TestObjectHookGetsParsed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		ola := createUser(t, s, "ola", booking.RoleLibrarian)
		bookings, err := s.CalendarBySlug(ctx, ola.ID, "bookings")
		if err != nil {
			t.Fatal(err)
		}
		parsed := &struct{ name string }{"what the writer parsed"}
		var gotBefore, gotAfter []any
		s.SetObjectHook(func(ctx context.Context, tx *store.Tx, cal booking.Calendar, before, after *booking.CalendarObject) error {
			if before != nil {
				gotBefore = append(gotBefore, before.Parsed)
			}
			if after != nil {
				gotAfter = append(gotAfter, after.Parsed)
			}
			return nil
		})
		obj := booking.CalendarObject{CalendarID: bookings.ID, Name: "p.ics", UID: "uid-p", Component: "VEVENT",
			Data: ics("uid-p", "first"), Parsed: parsed}
		for i := range 2 {
			stored, _, err := s.PutObject(ctx, obj, booking.WriteCondition{})
			if err != nil {
				t.Fatal(err)
			}
			if stored.Parsed != nil {
				t.Errorf("write %d: the stored object returned has Parsed %v, want none", i, stored.Parsed)
			}
		}
		if len(gotAfter) != 2 || gotAfter[0] != any(parsed) || gotAfter[1] != any(parsed) {
			t.Errorf("hook's after.Parsed: got %v, want the writer's twice", gotAfter)
		}
		if len(gotBefore) != 1 || gotBefore[0] != nil {
			t.Errorf("hook's before.Parsed: got %v, want one nil (read from the store)", gotBefore)
		}
		read, err := s.Object(ctx, bookings.ID, "p.ics")
		if err != nil || read.Parsed != nil {
			t.Errorf("object read back: Parsed %v, %v; want none", read.Parsed, err)
		}
	})
}
