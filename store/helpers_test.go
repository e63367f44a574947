package store_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store"
)

const testPassword = "correct horse battery"

func createUser(t *testing.T, s *store.Store, username string, role booking.Role) booking.User {
	t.Helper()
	u, err := s.CreateUser(t.Context(), booking.User{
		Username:    username,
		DisplayName: "User " + username,
		Email:       username + "@example.org",
		Role:        role,
	}, testPassword)
	if err != nil {
		t.Fatalf("CreateUser(%s): %v", username, err)
	}
	return u
}

func createCalendar(t *testing.T, s *store.Store, ownerID int64, slug string) booking.Calendar {
	t.Helper()
	cal, err := s.CreateCalendar(t.Context(), booking.Calendar{
		OwnerID:    ownerID,
		Slug:       slug,
		Kind:       booking.KindOther,
		Components: []string{"VEVENT", "VTODO"},
	})
	if err != nil {
		t.Fatalf("CreateCalendar(%s): %v", slug, err)
	}
	return cal
}

// ics is a minimal VCALENDAR with one VEVENT.
func ics(uid, summary string) []byte {
	return fmt.Appendf(nil, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//veileder//test//EN\r\n"+
		"BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20250101T000000Z\r\nDTSTART:20250102T100000Z\r\n"+
		"DTEND:20250102T110000Z\r\nSUMMARY:%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", uid, summary)
}

func putEvent(t *testing.T, s *store.Store, calID int64, name, uid, summary string) booking.CalendarObject {
	t.Helper()
	obj, _, err := s.PutObject(t.Context(), booking.CalendarObject{
		CalendarID: calID,
		Name:       name,
		UID:        uid,
		Component:  "VEVENT",
		Data:       ics(uid, summary),
	}, booking.WriteCondition{})
	if err != nil {
		t.Fatalf("PutObject(%s): %v", name, err)
	}
	return obj
}

// checkErr reports whether err is want (nil meaning success).
func checkErr(t *testing.T, what string, err, want error) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Errorf("%s: got error %v, want success", what, err)
	case want != nil && !errors.Is(err, want):
		t.Errorf("%s: got error %v, want %v", what, err, want)
	}
}

func day(hour, min int) time.Time {
	return time.Date(2025, 3, 10, hour, min, 0, 0, time.UTC)
}
