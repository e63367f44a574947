package feeds_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
)

// The page's list: occurrences expanded in the library's zone, overrides
// applied, cancelled and deleted sessions marked, private ones left out.
func TestUpcoming(t *testing.T) {
	svc := newService(t, loadedStore(t))
	from := time.Date(2026, 10, 1, 0, 0, 0, 0, oslo)
	list, err := svc.Upcoming(context.Background(), from, from.AddDate(0, 0, 56))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range list {
		if o.UID == privateUID {
			t.Errorf("a private session is listed")
		}
		line := o.Start.In(oslo).Format("01-02 15:04") + " " + o.Summary + " [" + strings.Join(o.Themes, ",") + "]"
		if o.Cancelled {
			line += " cancelled"
		}
		if o.UID == zoteroUID || o.UID == writingUID {
			got = append(got, line)
		}
		if o.UID == deletedUID && !o.Cancelled || o.UID == cancelUID && !o.Cancelled {
			t.Errorf("%s is not marked cancelled", o.UID)
		}
	}
	want := []string{
		"10-06 10:00 Zotero-verksted [zotero]",
		"10-13 10:00 Zotero-verksted [zotero]",
		"10-27 12:00 Zotero-verksted (flyttet til rom 2) [zotero]",
		"11-02 00:00 Skriveuke #skrivestøtte [skriving-akademisk]",
		"11-03 10:00 Zotero-verksted [zotero]",
		"11-10 10:00 Zotero-verksted [zotero]",
		"11-17 10:00 Zotero-verksted [zotero]",
	}
	if !slices.Equal(got, want) {
		t.Errorf("upcoming:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if i := slices.IndexFunc(list, func(o booking.DropInOccurrence) bool { return o.UID == zoteroUID }); i < 0 || list[i].RecurrenceID.IsZero() {
		t.Errorf("a series' occurrence has no RECURRENCE-ID")
	}

	// A window in the middle of the list cuts it.
	late, err := svc.Upcoming(context.Background(), time.Date(2026, 11, 10, 12, 0, 0, 0, oslo), time.Date(2026, 11, 18, 0, 0, 0, 0, oslo))
	if err != nil {
		t.Fatal(err)
	}
	if len(late) != 2 || late[0].UID != dmpUID || late[1].UID != zoteroUID || !late[1].Start.Equal(time.Date(2026, 11, 17, 10, 0, 0, 0, oslo)) {
		t.Errorf("late window: %+v", late)
	}
	if _, _, err := svc.SessionICS(context.Background(), privateUID, time.Time{}, "nb"); !errors.Is(err, booking.ErrNotFound) {
		t.Errorf("a private session can be downloaded: %v", err)
	}
	if _, _, err := svc.SessionICS(context.Background(), zoteroUID, time.Date(2026, 10, 20, 8, 0, 0, 0, time.UTC), "nb"); !errors.Is(err, booking.ErrNotFound) {
		t.Errorf("an excepted occurrence can be downloaded: %v", err)
	}
}
