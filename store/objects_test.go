package store_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

func TestObjects(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		u := createUser(t, s, "ola", booking.RoleLibrarian)
		cal := createCalendar(t, s, u.ID, "work")

		data := ics("uid-a", "First")
		obj, created, err := s.PutObject(ctx, booking.CalendarObject{
			CalendarID: cal.ID, Name: "a.ics", UID: "uid-a", Component: "vevent", Data: data,
			FirstStart: day(10, 0), LastEnd: day(11, 0),
		}, booking.WriteCondition{IfNoneMatchAny: true})
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		if want := hex.EncodeToString(sum[:16]); obj.ETag != want {
			t.Errorf("ETag: got %q, want %q", obj.ETag, want)
		}
		if !created || obj.Seq != 1 || obj.Component != "VEVENT" || obj.ModifiedAt.IsZero() {
			t.Errorf("PutObject: got created %v, seq %d, component %q, modified %v; want true, 1, VEVENT, set",
				created, obj.Seq, obj.Component, obj.ModifiedAt)
		}

		got, err := s.Object(ctx, cal.ID, "a.ics")
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Data, data) || got.ETag != obj.ETag || got.UID != "uid-a" ||
			!got.FirstStart.Equal(day(10, 0)) || !got.LastEnd.Equal(day(11, 0)) || got.Seq != 1 {
			t.Errorf("Object: got %+v, want what was put", got)
		}

		data2 := ics("uid-a", "Changed")
		obj2, created, err := s.PutObject(ctx, booking.CalendarObject{
			CalendarID: cal.ID, Name: "a.ics", UID: "uid-a", Component: "VEVENT", Data: data2,
		}, booking.WriteCondition{IfMatch: obj.ETag})
		if err != nil {
			t.Fatal(err)
		}
		if created || obj2.ETag == obj.ETag || obj2.Seq != 2 || !obj2.FirstStart.IsZero() {
			t.Errorf("PutObject replace: got created %v, etag %q, seq %d, first start %v; want false, new, 2, zero",
				created, obj2.ETag, obj2.Seq, obj2.FirstStart)
		}
		putEvent(t, s, cal.ID, "b.ics", "uid-b", "B")

		list, err := s.Objects(ctx, cal.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].Name != "a.ics" || list[0].Data != nil || list[0].ETag != obj2.ETag {
			t.Errorf("Objects without data: got %+v, want a.ics and b.ics with ETags only", list)
		}
		list, err = s.Objects(ctx, cal.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || !bytes.Equal(list[0].Data, data2) {
			t.Errorf("Objects with data: got %d objects, want 2 with data", len(list))
		}

		byName, err := s.ObjectsByName(ctx, cal.ID, []string{"b.ics", "missing.ics", "a.ics"})
		if err != nil {
			t.Fatal(err)
		}
		if names := objectNames(byName); !slices.Equal(names, []string{"a.ics", "b.ics"}) || byName[0].Data == nil {
			t.Errorf("ObjectsByName: got %v, want [a.ics b.ics] with data", names)
		}
		if byName, err := s.ObjectsByName(ctx, cal.ID, nil); err != nil || len(byName) != 0 {
			t.Errorf("ObjectsByName(nil): got %v, %v; want none", byName, err)
		}

		checkErr(t, "DeleteObject", s.DeleteObject(ctx, cal.ID, "a.ics", booking.WriteCondition{}), nil)
		_, err = s.Object(ctx, cal.ID, "a.ics")
		checkErr(t, "Object deleted", err, booking.ErrNotFound)
		checkErr(t, "DeleteObject again", s.DeleteObject(ctx, cal.ID, "a.ics", booking.WriteCondition{}), booking.ErrNotFound)
		checkErr(t, "DeleteObject in missing calendar", s.DeleteObject(ctx, 9999, "b.ics", booking.WriteCondition{}), booking.ErrNotFound)

		// The UID is free again once its object is gone.
		putEvent(t, s, cal.ID, "a2.ics", "uid-a", "Again")

		bad := []struct {
			name string
			obj  booking.CalendarObject
			want error
		}{
			{"missing calendar", booking.CalendarObject{CalendarID: 9999, Name: "x.ics", UID: "x", Component: "VEVENT", Data: ics("x", "x")}, booking.ErrNotFound},
			{"no name", booking.CalendarObject{CalendarID: cal.ID, UID: "x", Component: "VEVENT", Data: ics("x", "x")}, booking.ErrInvalid},
			{"no uid", booking.CalendarObject{CalendarID: cal.ID, Name: "x.ics", Component: "VEVENT", Data: ics("x", "x")}, booking.ErrInvalid},
			{"no data", booking.CalendarObject{CalendarID: cal.ID, Name: "x.ics", UID: "x", Component: "VEVENT"}, booking.ErrInvalid},
			{"not UTF-8", booking.CalendarObject{CalendarID: cal.ID, Name: "x.ics", UID: "x", Component: "VEVENT", Data: []byte("BEGIN:\xff")}, booking.ErrInvalid},
			{"NUL", booking.CalendarObject{CalendarID: cal.ID, Name: "x.ics", UID: "x", Component: "VEVENT", Data: []byte("BEGIN:\x00")}, booking.ErrInvalid},
		}
		for _, tt := range bad {
			_, _, err := s.PutObject(ctx, tt.obj, booking.WriteCondition{})
			checkErr(t, tt.name, err, tt.want)
		}
	})
}

func objectNames(objs []booking.CalendarObject) []string {
	var names []string
	for _, o := range objs {
		names = append(names, o.Name)
	}
	return names
}

func TestWriteConditions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		u := createUser(t, s, "ola", booking.RoleLibrarian)
		cal := createCalendar(t, s, u.ID, "work")
		etag := putEvent(t, s, cal.ID, "a.ics", "uid-a", "A").ETag

		tests := []struct {
			name    string
			exists  bool
			cond    booking.WriteCondition
			wantPut error
			wantDel error
		}{
			{"no condition, existing", true, booking.WriteCondition{}, nil, nil},
			{"no condition, missing", false, booking.WriteCondition{}, nil, booking.ErrNotFound},
			{"If-None-Match *, existing", true, booking.WriteCondition{IfNoneMatchAny: true}, booking.ErrPreconditionFailed, booking.ErrPreconditionFailed},
			{"If-None-Match *, missing", false, booking.WriteCondition{IfNoneMatchAny: true}, nil, booking.ErrNotFound},
			{"If-Match *, existing", true, booking.WriteCondition{IfMatch: "*"}, nil, nil},
			{"If-Match *, missing", false, booking.WriteCondition{IfMatch: "*"}, booking.ErrPreconditionFailed, booking.ErrPreconditionFailed},
			{"If-Match etag, existing", true, booking.WriteCondition{IfMatch: etag}, nil, nil},
			{"If-Match quoted etag, existing", true, booking.WriteCondition{IfMatch: `"` + etag + `"`}, nil, nil},
			{"If-Match other etag, existing", true, booking.WriteCondition{IfMatch: "other"}, booking.ErrPreconditionFailed, booking.ErrPreconditionFailed},
			{"If-Match etag, missing", false, booking.WriteCondition{IfMatch: etag}, booking.ErrPreconditionFailed, booking.ErrPreconditionFailed},
			{"If-None-Match etag, existing", true, booking.WriteCondition{IfNoneMatch: etag}, booking.ErrPreconditionFailed, booking.ErrPreconditionFailed},
			{"If-None-Match other etag, existing", true, booking.WriteCondition{IfNoneMatch: "other"}, nil, nil},
			{"If-None-Match etag, missing", false, booking.WriteCondition{IfNoneMatch: etag}, nil, booking.ErrNotFound},
		}
		for _, tt := range tests {
			name, uid := "missing.ics", "uid-missing"
			if tt.exists {
				name, uid = "a.ics", "uid-a"
			}
			// Before each write, a.ics holds its original (so etag is its
			// ETag) and missing.ics does not exist.
			reset := func() {
				if tt.exists {
					putEvent(t, s, cal.ID, "a.ics", "uid-a", "A")
					return
				}
				err := s.DeleteObject(ctx, cal.ID, "missing.ics", booking.WriteCondition{})
				if err != nil && !errors.Is(err, booking.ErrNotFound) {
					t.Fatal(err)
				}
			}

			reset()
			before := syncSeq(t, s, cal.ID)
			_, _, err := s.PutObject(ctx, booking.CalendarObject{
				CalendarID: cal.ID, Name: name, UID: uid, Component: "VEVENT", Data: ics(uid, "New"),
			}, tt.cond)
			checkErr(t, "put: "+tt.name, err, tt.wantPut)
			if after := syncSeq(t, s, cal.ID); tt.wantPut != nil && after != before {
				t.Errorf("put: %s: sync seq got %d, want %d (unchanged)", tt.name, after, before)
			}

			reset()
			err = s.DeleteObject(ctx, cal.ID, name, tt.cond)
			checkErr(t, "delete: "+tt.name, err, tt.wantDel)
		}
	})
}

func syncSeq(t *testing.T, s *store.Store, calID int64) int64 {
	t.Helper()
	cal, err := s.CalendarByID(t.Context(), calID)
	if err != nil {
		t.Fatal(err)
	}
	return cal.SyncSeq
}

func TestUIDConflict(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		u := createUser(t, s, "ola", booking.RoleLibrarian)
		cal := createCalendar(t, s, u.ID, "work")
		other := createCalendar(t, s, u.ID, "other")
		putEvent(t, s, cal.ID, "a.ics", "uid-a", "A")
		before := syncSeq(t, s, cal.ID)

		_, _, err := s.PutObject(ctx, booking.CalendarObject{
			CalendarID: cal.ID, Name: "b.ics", UID: "uid-a", Component: "VEVENT", Data: ics("uid-a", "B"),
		}, booking.WriteCondition{})
		checkErr(t, "same UID, other name", err, booking.ErrConflict)
		if after := syncSeq(t, s, cal.ID); after != before {
			t.Errorf("sync seq after conflict: got %d, want %d", after, before)
		}
		putEvent(t, s, other.ID, "b.ics", "uid-a", "B") // another calendar may hold it
		putEvent(t, s, cal.ID, "a.ics", "uid-a", "A2")  // the same name may keep it
	})
}

func TestChangesSince(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		u := createUser(t, s, "ola", booking.RoleLibrarian)
		cal := createCalendar(t, s, u.ID, "work")

		changes, seq, err := s.ChangesSince(ctx, cal.ID, 0)
		if err != nil || len(changes) != 0 || seq != 0 {
			t.Errorf("ChangesSince(0) of a new calendar: got %v, %d, %v; want none, 0", changes, seq, err)
		}

		putEvent(t, s, cal.ID, "a.ics", "a", "A")                                                  // 1
		putEvent(t, s, cal.ID, "b.ics", "b", "B")                                                  // 2
		putEvent(t, s, cal.ID, "a.ics", "a", "A2")                                                 // 3
		checkErr(t, "delete", s.DeleteObject(ctx, cal.ID, "b.ics", booking.WriteCondition{}), nil) // 4
		putEvent(t, s, cal.ID, "c.ics", "c", "C")                                                  // 5

		tests := []struct {
			since   int64
			want    []booking.Change
			wantErr error
		}{
			{0, []booking.Change{{Name: "a.ics", Seq: 3}, {Name: "b.ics", Seq: 4, Deleted: true}, {Name: "c.ics", Seq: 5}}, nil},
			{1, []booking.Change{{Name: "a.ics", Seq: 3}, {Name: "b.ics", Seq: 4, Deleted: true}, {Name: "c.ics", Seq: 5}}, nil},
			{3, []booking.Change{{Name: "b.ics", Seq: 4, Deleted: true}, {Name: "c.ics", Seq: 5}}, nil},
			{4, []booking.Change{{Name: "c.ics", Seq: 5}}, nil},
			{5, []booking.Change{}, nil},
			{6, nil, booking.ErrInvalid},
			{-1, nil, booking.ErrInvalid},
		}
		for _, tt := range tests {
			got, seq, err := s.ChangesSince(ctx, cal.ID, tt.since)
			checkErr(t, "ChangesSince", err, tt.wantErr)
			if tt.wantErr != nil {
				continue
			}
			if !slices.Equal(got, tt.want) || seq != 5 {
				t.Errorf("ChangesSince(%d): got %v, %d; want %v, 5", tt.since, got, seq, tt.want)
			}
		}
		if got := syncSeq(t, s, cal.ID); got != 5 {
			t.Errorf("SyncSeq: got %d, want 5", got)
		}
		_, _, err = s.ChangesSince(ctx, 9999, 0)
		checkErr(t, "ChangesSince of a missing calendar", err, booking.ErrNotFound)

		// Once the log is pruned up to 2, a token older than 2 is invalid.
		if _, err := store.DB(s).ExecContext(ctx, store.DB(s).Rebind(
			`DELETE FROM calendar_changes WHERE calendar_id = ? AND seq <= 2`), cal.ID); err != nil {
			t.Fatal(err)
		}
		_, _, err = s.ChangesSince(ctx, cal.ID, 1)
		checkErr(t, "ChangesSince(1) after pruning to 2", err, booking.ErrInvalid)
		_, _, err = s.ChangesSince(ctx, cal.ID, 2)
		checkErr(t, "ChangesSince(2) after pruning to 2", err, nil)
	})
}

func TestObjectsOverlapping(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		u := createUser(t, s, "ola", booking.RoleLibrarian)
		cal := createCalendar(t, s, u.ID, "work")
		var zero time.Time
		for _, o := range []struct {
			name, comp string
			start, end time.Time
		}{
			{"a", "VEVENT", day(10, 0), day(11, 0)},  // an hour
			{"b", "VEVENT", day(12, 0), zero},        // recurring for ever
			{"c", "VEVENT", zero, zero},              // no bounds known
			{"d", "VEVENT", day(14, 0), day(14, 0)},  // no duration
			{"e", "VEVENT", zero, day(9, 0)},         // open start
			{"f", "VEVENT", day(16, 0), day(16, 30)}, // later
			{"t1", "VTODO", zero, zero},              // a to-do without dates
			{"t2", "VTODO", day(15, 0), day(15, 0)},  // a to-do due at 15
		} {
			_, _, err := s.PutObject(ctx, booking.CalendarObject{
				CalendarID: cal.ID, Name: o.name, UID: o.name, Component: o.comp,
				Data: ics(o.name, o.name), FirstStart: o.start, LastEnd: o.end,
			}, booking.WriteCondition{})
			if err != nil {
				t.Fatal(err)
			}
		}

		tests := []struct {
			name       string
			comp       string
			start, end time.Time
			want       []string
		}{
			{"inside a", "VEVENT", day(10, 15), day(10, 45), []string{"a", "c"}},
			{"before everything bounded", "VEVENT", day(6, 0), day(7, 0), []string{"c", "e"}},
			{"touching d", "VEVENT", day(14, 0), day(14, 30), []string{"b", "c", "d"}},
			{"open start", "VEVENT", zero, day(9, 30), []string{"c", "e"}},
			{"open end", "VEVENT", day(13, 0), zero, []string{"b", "c", "d", "f"}},
			{"both open", "VEVENT", zero, zero, []string{"a", "b", "c", "d", "e", "f"}},
			{"sub-second bounds", "VEVENT", day(16, 29).Add(59*time.Second + time.Millisecond), day(17, 0), []string{"b", "c", "f"}},
			{"to-dos at the due time", "VTODO", day(14, 0), day(15, 0), []string{"t1", "t2"}},
			{"to-dos elsewhere", "VTODO", day(8, 0), day(9, 0), []string{"t1"}},
			{"lower-case component", "vtodo", day(8, 0), day(9, 0), []string{"t1"}},
			{"no such component", "VJOURNAL", zero, zero, nil},
		}
		for _, tt := range tests {
			got, err := s.ObjectsOverlapping(ctx, cal.ID, tt.comp, tt.start, tt.end)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if names := objectNames(got); !slices.Equal(names, tt.want) {
				t.Errorf("%s: got %v, want %v", tt.name, names, tt.want)
			}
			for _, o := range got {
				if len(o.Data) == 0 {
					t.Errorf("%s: %s has no data", tt.name, o.Name)
				}
			}
		}
	})
}
