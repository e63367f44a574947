package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

func TestDeskRole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		// Several times, so that more than one pooled connection is used:
		// every connection must know the widened role check.
		for _, name := range []string{"desk1", "desk2", "desk3"} {
			u := createUser(t, s, name, booking.RoleDesk)
			got, err := s.UserByID(t.Context(), u.ID)
			if err != nil || got.Role != booking.RoleDesk {
				t.Errorf("UserByID(%s): got %q, %v; want desk", name, got.Role, err)
			}
		}
		lib := createUser(t, s, "lib", booking.RoleLibrarian)
		checkErr(t, "SetRole desk", s.SetRole(t.Context(), "lib", booking.RoleDesk), nil)
		got, err := s.UserByID(t.Context(), lib.ID)
		if err != nil || got.Role != booking.RoleDesk {
			t.Errorf("after SetRole: got %q, %v; want desk", got.Role, err)
		}
	})
}

func TestInquiries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		desk := createUser(t, s, "desk", booking.RoleDesk)
		other := createUser(t, s, "other", booking.RoleDesk)
		lib := createUser(t, s, "lib", booking.RoleLibrarian)
		zotero := createTopic(t, s, "zotero")
		morning := time.Date(2030, 3, 11, 9, 0, 0, 0, time.UTC)

		valid := booking.Inquiry{UserID: desk.ID, Channel: booking.ChannelDesk, TopicID: zotero.ID, READ: 2, Minutes: 5,
			Outcome: booking.OutcomeAnswered, At: morning.Add(time.Hour)}
		first, err := s.CreateInquiry(ctx, valid)
		if err != nil || first.ID == 0 || first.TopicID != zotero.ID || !first.At.Equal(valid.At) {
			t.Fatalf("CreateInquiry: got %+v, %v; want it stored", first, err)
		}

		bad := []struct {
			name string
			edit func(*booking.Inquiry)
		}{
			{"unknown channel", func(q *booking.Inquiry) { q.Channel = "fax" }},
			{"READ 0", func(q *booking.Inquiry) { q.READ = 0 }},
			{"READ 7", func(q *booking.Inquiry) { q.READ = 7 }},
			{"negative minutes", func(q *booking.Inquiry) { q.Minutes = -1 }},
			{"other without tags", func(q *booking.Inquiry) { q.TopicID = 0 }},
			{"tag with comma", func(q *booking.Inquiry) { q.Tags = []string{"a,b"} }},
			{"booked without booking", func(q *booking.Inquiry) { q.Outcome = booking.OutcomeBooked }},
			{"note not UTF-8", func(q *booking.Inquiry) { q.Note = "\xff" }},
			{"no user", func(q *booking.Inquiry) { q.UserID = 0 }},
		}
		for _, tc := range bad {
			q := valid
			tc.edit(&q)
			_, err := s.CreateInquiry(ctx, q)
			checkErr(t, "CreateInquiry "+tc.name, err, booking.ErrInvalid)
		}
		q := valid
		q.TopicID = 9999
		_, err = s.CreateInquiry(ctx, q)
		checkErr(t, "CreateInquiry unknown topic", err, booking.ErrNotFound)
		if got := count(t, s, "inquiries"); got != 1 {
			t.Errorf("after bad input: got %d inquiries, want 1", got)
		}

		otherTopic := valid
		otherTopic.TopicID, otherTopic.Tags, otherTopic.Channel, otherTopic.At = 0, []string{"printing", "wifi"}, booking.ChannelPhone, morning.Add(2*time.Hour)
		second, err := s.CreateInquiry(ctx, otherTopic)
		if err != nil || !slices.Equal(second.Tags, []string{"printing", "wifi"}) || second.TopicID != 0 {
			t.Errorf("CreateInquiry other: got %+v, %v; want tags and no topic", second, err)
		}
		theirs := valid
		theirs.UserID = other.ID
		if _, err := s.CreateInquiry(ctx, theirs); err != nil {
			t.Fatalf("CreateInquiry of another user: %v", err)
		}
		yesterday := valid
		yesterday.At = morning.Add(-12 * time.Hour)
		old, err := s.CreateInquiry(ctx, yesterday)
		if err != nil {
			t.Fatalf("CreateInquiry yesterday: %v", err)
		}

		today, err := s.Inquiries(ctx, booking.InquirySearch{UserID: desk.ID, From: morning, To: morning.Add(24 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := ids(today), []int64{second.ID, first.ID}; !slices.Equal(got, want) {
			t.Errorf("Inquiries today: got %v, want %v (latest first)", got, want)
		}

		// Editing: own entries of today only.
		edit := first
		edit.READ, edit.Outcome, edit.Note = 4, booking.OutcomeReferred, "needs a specialist"
		got, err := s.UpdateInquiry(ctx, desk.ID, morning, edit)
		if err != nil || got.READ != 4 || got.Outcome != booking.OutcomeReferred || got.Note != "needs a specialist" {
			t.Errorf("UpdateInquiry: got %+v, %v; want READ 4, referred, the note", got, err)
		}
		_, err = s.UpdateInquiry(ctx, other.ID, morning, edit)
		checkErr(t, "UpdateInquiry of another's entry", err, booking.ErrNotFound)
		oldEdit := old
		oldEdit.READ = 5
		_, err = s.UpdateInquiry(ctx, desk.ID, morning, oldEdit)
		checkErr(t, "UpdateInquiry of yesterday's entry", err, booking.ErrNotFound)
		edit.Outcome = booking.OutcomeBooked
		_, err = s.UpdateInquiry(ctx, desk.ID, morning, edit)
		checkErr(t, "UpdateInquiry to booked", err, booking.ErrNotFound)

		// A booking from the entry marks it booked, in the booking's
		// transaction; another's entry refuses the booking.
		b := newBooking(zotero.ID, lib.ID, 10, 0, "student@example.org", "desk1")
		b.BookedBy, b.InquiryID = desk.ID, first.ID
		booked := mustInsert(t, s, b)
		if booked.BookedBy != desk.ID || booked.InquiryID != first.ID {
			t.Errorf("InsertBooking at the desk: got booked by %d from %d, want %d from %d", booked.BookedBy, booked.InquiryID, desk.ID, first.ID)
		}
		got, err = s.Inquiry(ctx, first.ID)
		if err != nil || got.Outcome != booking.OutcomeBooked || got.BookingID != booked.ID {
			t.Errorf("Inquiry after booking: got %+v, %v; want booked with booking %d", got, err, booked.ID)
		}
		b2 := newBooking(zotero.ID, lib.ID, 12, 0, "student@example.org", "desk2")
		b2.BookedBy, b2.InquiryID = other.ID, second.ID
		_, err = insert(t, s, b2)
		checkErr(t, "InsertBooking from another's inquiry", err, booking.ErrNotFound)
		if _, err := s.BookingByTokenHash(ctx, "desk2"); err == nil {
			t.Error("the refused booking was stored")
		}
		// Editing a booked entry keeps it booked.
		edit = got
		edit.Outcome, edit.Minutes = booking.OutcomeAnswered, 12
		got, err = s.UpdateInquiry(ctx, desk.ID, morning, edit)
		if err != nil || got.Outcome != booking.OutcomeBooked || got.Minutes != 12 {
			t.Errorf("UpdateInquiry of a booked entry: got %+v, %v; want still booked, 12 minutes", got, err)
		}

		// Deleting: own entries of today; the booking loses the link.
		checkErr(t, "DeleteInquiry of another's", s.DeleteInquiry(ctx, other.ID, first.ID, morning), booking.ErrNotFound)
		checkErr(t, "DeleteInquiry of yesterday's", s.DeleteInquiry(ctx, desk.ID, old.ID, morning), booking.ErrNotFound)
		checkErr(t, "DeleteInquiry", s.DeleteInquiry(ctx, desk.ID, first.ID, morning), nil)
		_, err = s.Inquiry(ctx, first.ID)
		checkErr(t, "Inquiry deleted", err, booking.ErrNotFound)
		after, err := s.BookingByID(ctx, booked.ID)
		if err != nil || after.InquiryID != 0 || after.BookedBy != desk.ID {
			t.Errorf("booking after its inquiry was deleted: got %+v, %v; want no inquiry, still booked by %d", after, err, desk.ID)
		}
	})
}

func ids(list []booking.Inquiry) []int64 {
	out := make([]int64, len(list))
	for i, q := range list {
		out[i] = q.ID
	}
	return out
}

func TestAPITokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		desk := createUser(t, s, "desk", booking.RoleDesk)
		other := createUser(t, s, "other", booking.RoleLibrarian)
		for _, label := range []string{"", "   ", string(make([]rune, 101))} {
			_, _, err := s.CreateAPIToken(ctx, desk.ID, label)
			checkErr(t, "CreateAPIToken with a bad label", err, booking.ErrInvalid)
		}
		plain, id, err := s.CreateAPIToken(ctx, desk.ID, "Chat plug-in")
		if err != nil || id == 0 || len(plain) != 47 {
			t.Fatalf("CreateAPIToken: got %q, %d, %v", plain, id, err)
		}
		u, err := s.UserByAPIToken(ctx, plain)
		if err != nil || u.ID != desk.ID {
			t.Errorf("UserByAPIToken: got %+v, %v; want desk", u, err)
		}
		list, err := s.APITokens(ctx, desk.ID)
		if err != nil || len(list) != 1 || list[0].Label != "Chat plug-in" || list[0].LastUsedAt.IsZero() {
			t.Errorf("APITokens: got %+v, %v; want the token, used", list, err)
		}
		for _, bad := range []string{"", "vlt_", plain[:len(plain)-1] + "A", "xyz_" + plain[4:]} {
			if bad == plain {
				continue
			}
			_, err := s.UserByAPIToken(ctx, bad)
			checkErr(t, "UserByAPIToken "+bad, err, booking.ErrUnauthenticated)
		}
		checkErr(t, "RevokeAPIToken of another user", s.RevokeAPIToken(ctx, other.ID, id), booking.ErrNotFound)
		checkErr(t, "SetDisabled", s.SetDisabled(ctx, "desk", true), nil)
		_, err = s.UserByAPIToken(ctx, plain)
		checkErr(t, "UserByAPIToken of a disabled user", err, booking.ErrUnauthenticated)
		checkErr(t, "SetDisabled off", s.SetDisabled(ctx, "desk", false), nil)
		checkErr(t, "RevokeAPIToken", s.RevokeAPIToken(ctx, desk.ID, id), nil)
		_, err = s.UserByAPIToken(ctx, plain)
		checkErr(t, "UserByAPIToken revoked", err, booking.ErrUnauthenticated)
	})
}
