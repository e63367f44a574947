package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// The iTIP messages of a write are stored with it or not at all: a write
// whose condition fails hands nothing out. A Veileder user's go to their
// inbox, found by address without case; others wait in the outbox, whose
// copy of the event is dropped once sent.
func TestScheduledWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		ola := createUser(t, s, "ola", booking.RoleLibrarian)
		cal := createCalendar(t, s, ola.ID, "work")
		kari, err := s.UserByEmail(ctx, "KARI@example.org")
		if !errors.Is(err, booking.ErrNotFound) {
			t.Fatalf("UserByEmail of nobody: got %v, %v, want ErrNotFound", kari, err)
		}
		user, err := s.UserByEmail(ctx, ola.Email)
		if err != nil || user.ID != ola.ID {
			t.Fatalf("UserByEmail(%q): got %v, %v, want ola", ola.Email, user, err)
		}
		out := []booking.ITIPDelivery{
			{UserID: ola.ID, Recipient: ola.Email, Method: "REQUEST", UID: "u1", Data: []byte("BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n")},
			{Recipient: "guest@example.net", Method: "REQUEST", UID: "u1", Data: []byte("BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n")},
		}
		obj := booking.CalendarObject{CalendarID: cal.ID, Name: "m.ics", UID: "u1", Component: "VEVENT", Data: ics("u1", "Meeting")}
		if _, _, err := s.PutScheduledObject(ctx, obj, booking.WriteCondition{IfMatch: "stale"}, out); !errors.Is(err, booking.ErrPreconditionFailed) {
			t.Fatalf("put with a stale condition: got %v, want ErrPreconditionFailed", err)
		}
		counts := func() (inbox, outbox int) {
			t.Helper()
			db := store.DB(s)
			if err := db.GetContext(ctx, &inbox, `SELECT COUNT(*) FROM schedule_inbox`); err != nil {
				t.Fatal(err)
			}
			if err := db.GetContext(ctx, &outbox, `SELECT COUNT(*) FROM outbox WHERE kind = 'itip'`); err != nil {
				t.Fatal(err)
			}
			return inbox, outbox
		}
		if in, ob := counts(); in != 0 || ob != 0 {
			t.Fatalf("after a failed put: got %d in inboxes, %d in the outbox, want none", in, ob)
		}
		if _, _, err := s.PutScheduledObject(ctx, obj, booking.WriteCondition{}, out); err != nil {
			t.Fatal(err)
		}
		if in, ob := counts(); in != 1 || ob != 1 {
			t.Fatalf("after the put: got %d in inboxes, %d in the outbox, want 1 and 1", in, ob)
		}
		items, err := s.InboxItems(ctx, ola.ID, true)
		if err != nil || len(items) != 1 || string(items[0].Data) != string(out[0].Data) || items[0].Size != int64(len(out[0].Data)) {
			t.Fatalf("ola's inbox: got %+v, %v", items, err)
		}
		msgs, err := s.ClaimMessages(ctx, time.Now().Add(time.Minute), time.Minute, 10)
		if err != nil || len(msgs) != 1 || msgs[0].Recipient != "guest@example.net" || string(msgs[0].Payload) != string(out[1].Data) {
			t.Fatalf("claimed: got %+v, %v", msgs, err)
		}
		if err := s.MarkMessageSent(ctx, msgs[0].ID, time.Now()); err != nil {
			t.Fatal(err)
		}
		var payload string
		if err := store.DB(s).GetContext(ctx, &payload, store.DB(s).Rebind(`SELECT payload FROM outbox WHERE id = ?`), msgs[0].ID); err != nil || payload != "" {
			t.Fatalf("payload of a sent message: got %q, %v, want it dropped", payload, err)
		}
		if err := s.DeleteInboxItem(ctx, ola.ID, items[0].Name); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteInboxItem(ctx, ola.ID, items[0].Name); !errors.Is(err, booking.ErrNotFound) {
			t.Fatalf("delete twice: got %v, want ErrNotFound", err)
		}
	})
}
