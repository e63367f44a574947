package scheduling_test

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// slotDays lists the local days with a slot, and the first slot's time and
// place on each, as "03-24 10:00 CET Georg Sverdrups hus".
func slotDays(loc *time.Location, slots []booking.Slot) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range slots {
		day := s.Start.In(loc).Format("01-02")
		if seen[day] {
			continue
		}
		seen[day] = true
		str := s.Start.In(loc).Format("01-02 15:04 MST")
		if s.Online {
			str += " online"
		}
		if len(s.Offers) > 0 && s.Offers[0].Location != "" {
			str += " " + s.Offers[0].Location
		}
		out = append(out, str)
	}
	slices.Sort(out)
	return out
}

// Weekly hours set on the staff page are ordinary recurring events in the
// availability calendar: the slot search turns them into windows (across
// the DST change), an exception removes its day, a topic narrows them, an
// edit keeps the UID and raises SEQUENCE and the ETag changes, and
// windows made in a calendar app are listed but left alone.
func TestWeeklyHours(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, booking.Rules{})
		ingrid := f.librarian("ingrid", "Ingrid Haugen", "zotero", "jus")
		avail := f.calendar(ingrid.ID, "availability")
		in := booking.WeeklyHours{
			Weekday: time.Tuesday, From: 10 * 60, To: 12 * 60, Topics: []string{"#Zotero"},
			Place: "Georg Sverdrups hus", Exceptions: []time.Time{f.local("2026-03-31 00:00")},
		}
		saved, err := f.svc.SaveWeeklyHours(f.ctx, ingrid.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		if saved.Name == "" || saved.ETag == "" || !saved.Managed || !saved.Editable {
			t.Fatalf("saved: got %+v, want a managed, editable window with a name and an ETag", saved)
		}
		obj, err := s.Object(f.ctx, avail.ID, saved.Name)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{
			"DTSTART;TZID=Europe/Oslo:20260324T100000", "DTEND;TZID=Europe/Oslo:20260324T120000",
			"RRULE:FREQ=WEEKLY;BYDAY=TU", "EXDATE;TZID=Europe/Oslo:20260331T100000",
			"SUMMARY:Veiledning #zotero", "CATEGORIES:zotero", "LOCATION:Georg Sverdrups hus",
			"X-VEILEDER-WEEKLY-HOURS:1", "SEQUENCE:0", "BEGIN:VTIMEZONE",
		} {
			if !strings.Contains(string(obj.Data), want) {
				t.Errorf("stored object lacks %q:\n%s", want, obj.Data)
			}
		}
		if saved.Weekday != time.Tuesday || saved.From != 600 || saved.To != 720 || !slices.Equal(saved.Topics, []string{"zotero"}) ||
			saved.Place != in.Place || saved.Online || len(saved.Exceptions) != 1 || !saved.Exceptions[0].Equal(f.local("2026-03-31 00:00")) {
			t.Errorf("read back: got %+v", saved)
		}

		zotero := func() []string {
			t.Helper()
			slots, err := f.svc.Slots(f.ctx, booking.SlotSearch{TopicSlug: "zotero"})
			if err != nil {
				t.Fatal(err)
			}
			return slotDays(f.loc, slots)
		}
		// Tuesdays within the 28-day horizon, 31 March excepted; after the
		// DST change the window keeps its local time.
		want := []string{"03-24 10:00 CET Georg Sverdrups hus", "04-07 10:00 CEST Georg Sverdrups hus", "04-14 10:00 CEST Georg Sverdrups hus"}
		if got := zotero(); !slices.Equal(got, want) {
			t.Errorf("zotero slots:\n got %q\nwant %q", got, want)
		}
		// Narrowed to zotero: nothing for law.
		if slots, err := f.svc.Slots(f.ctx, booking.SlotSearch{TopicSlug: "jus"}); err != nil || len(slots) != 0 {
			t.Errorf("law slots: got %d, %v, want none", len(slots), err)
		}

		// An edit: longer, online, no exception, every topic.
		edit := saved
		edit.To, edit.Place, edit.Online, edit.Exceptions, edit.Topics = 13*60, "", true, nil, nil
		edited, err := f.svc.SaveWeeklyHours(f.ctx, ingrid.ID, edit)
		if err != nil {
			t.Fatal(err)
		}
		if edited.Name != saved.Name || edited.UID != saved.UID || edited.ETag == saved.ETag {
			t.Errorf("edit: got name %q UID %q ETag %q, want the same name and UID and a new ETag (was %q)", edited.Name, edited.UID, edited.ETag, saved.ETag)
		}
		obj, err = s.Object(f.ctx, avail.ID, saved.Name)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"SEQUENCE:1", "DTSTART;TZID=Europe/Oslo:20260324T100000", "DTEND;TZID=Europe/Oslo:20260324T130000", "LOCATION:Online", "SUMMARY:Veiledning\r\n"} {
			if !strings.Contains(string(obj.Data), want) {
				t.Errorf("edited object lacks %q:\n%s", want, obj.Data)
			}
		}
		if strings.Contains(string(obj.Data), "EXDATE") || strings.Contains(string(obj.Data), "CATEGORIES") {
			t.Errorf("edited object keeps the exception or the topic:\n%s", obj.Data)
		}
		want = []string{"03-24 10:00 CET online Online", "03-31 10:00 CEST online Online", "04-07 10:00 CEST online Online", "04-14 10:00 CEST online Online"}
		if got := zotero(); !slices.Equal(got, want) {
			t.Errorf("zotero slots after the edit:\n got %q\nwant %q", got, want)
		}
		if slots, err := f.svc.Slots(f.ctx, booking.SlotSearch{TopicSlug: "jus"}); err != nil || len(slots) == 0 {
			t.Errorf("law slots after the edit: got %d, %v, want some", len(slots), err)
		}
		// The form read before the edit is stale now.
		if _, err := f.svc.SaveWeeklyHours(f.ctx, ingrid.ID, saved); !errors.Is(err, booking.ErrPreconditionFailed) {
			t.Errorf("stale save: got %v, want ErrPreconditionFailed", err)
		}

		// A calendar app that edits the page's window keeps its marker;
		// a simple change (the time) stays the page's to edit, a rule the
		// form cannot show (every other week) makes it the app's.
		appEdit := func(from, rule string) booking.WeeklyHours {
			t.Helper()
			obj, err := s.Object(f.ctx, avail.ID, saved.Name)
			if err != nil {
				t.Fatal(err)
			}
			data := regexp.MustCompile(`DTSTART;TZID=Europe/Oslo:20260324T\d{6}`).ReplaceAllString(string(obj.Data), "DTSTART;TZID=Europe/Oslo:20260324T"+from)
			data = regexp.MustCompile(`RRULE:[^\r\n]*`).ReplaceAllString(data, "RRULE:"+rule)
			f.put(avail, saved.Name, []byte(data))
			h, err := f.svc.WeeklyHoursWindow(f.ctx, ingrid.ID, saved.Name)
			if err != nil {
				t.Fatal(err)
			}
			return h
		}
		if h := appEdit("110000", "FREQ=WEEKLY;BYDAY=TU;WKST=MO"); !h.Managed || !h.Editable || h.From != 11*60 || h.To != 13*60 || h.UID != saved.UID {
			t.Errorf("after a simple edit in an app: got %+v, want the page's, 11:00–13:00", h)
		}
		reshaped := appEdit("110000", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU")
		if !reshaped.Managed || reshaped.Editable {
			t.Errorf("after an app's other rule: got managed %v editable %v, want managed, not editable", reshaped.Managed, reshaped.Editable)
		}
		if _, err := f.svc.SaveWeeklyHours(f.ctx, ingrid.ID, reshaped); !errors.Is(err, booking.ErrForbidden) {
			t.Errorf("save over a reshaped window: got %v, want ErrForbidden", err)
		}
		edited = appEdit("100000", "FREQ=WEEKLY;BYDAY=TU")
		if !edited.Editable {
			t.Fatalf("back to a weekly rule: got %+v, want editable", edited)
		}

		// A window made in a calendar app is listed after the page's own,
		// and the page may neither change nor remove it.
		f.weekly(ingrid, "from-app", ";BYDAY=MO")
		list, err := f.svc.WeeklyHours(f.ctx, ingrid.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].Name != saved.Name || list[1].Name != "from-app.ics" || list[1].Managed || list[1].Editable || list[1].Summary != "Veiledning" {
			t.Errorf("list: got %+v, want the page's window, then the app's", list)
		}
		app := list[1]
		app.From = 8 * 60
		if _, err := f.svc.SaveWeeklyHours(f.ctx, ingrid.ID, app); !errors.Is(err, booking.ErrForbidden) {
			t.Errorf("save over the app's window: got %v, want ErrForbidden", err)
		}
		if err := f.svc.DeleteWeeklyHours(f.ctx, ingrid.ID, app.Name, ""); !errors.Is(err, booking.ErrForbidden) {
			t.Errorf("delete the app's window: got %v, want ErrForbidden", err)
		}
		// Another librarian cannot reach Ingrid's window by its name.
		ola := f.librarian("ola", "Ola Nordmann", "zotero")
		if err := f.svc.DeleteWeeklyHours(f.ctx, ola.ID, saved.Name, ""); !errors.Is(err, booking.ErrNotFound) {
			t.Errorf("delete another's window: got %v, want ErrNotFound", err)
		}

		// Removed, the window is gone from the slots.
		if err := f.svc.DeleteWeeklyHours(f.ctx, ingrid.ID, saved.Name, edited.ETag); err != nil {
			t.Fatal(err)
		}
		got := zotero()
		if slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, "online") }) {
			t.Errorf("slots after the removal: got %q, want only the app's Monday window", got)
		}
	})
}

// TestWeeklyHoursRefused: bad input names its field and stores nothing.
func TestWeeklyHoursRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, booking.Rules{})
		ingrid := f.librarian("ingrid", "Ingrid Haugen", "zotero")
		good := booking.WeeklyHours{Weekday: time.Monday, From: 9 * 60, To: 11 * 60}
		tests := []struct {
			name   string
			change func(*booking.WeeklyHours)
			field  string
		}{
			{"ends before it starts", func(h *booking.WeeklyHours) { h.To = 8 * 60 }, "to"},
			{"ends when it starts", func(h *booking.WeeklyHours) { h.To = h.From }, "to"},
			{"past midnight", func(h *booking.WeeklyHours) { h.To = 25 * 60 }, "to"},
			{"negative start", func(h *booking.WeeklyHours) { h.From = -1 }, "from"},
			{"no such weekday", func(h *booking.WeeklyHours) { h.Weekday = 7 }, "weekday"},
			{"unknown topic", func(h *booking.WeeklyHours) { h.Topics = []string{"astrologi"} }, "topics"},
			{"place too long", func(h *booking.WeeklyHours) { h.Place = strings.Repeat("x", 201) }, "place"},
			{"exception on another weekday", func(h *booking.WeeklyHours) { h.Exceptions = []time.Time{f.local("2026-03-24 00:00")} }, "exceptions"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				h := good
				tt.change(&h)
				_, err := f.svc.SaveWeeklyHours(f.ctx, ingrid.ID, h)
				var fe *booking.FieldError
				if !errors.As(err, &fe) || fe.Field != tt.field || !errors.Is(err, booking.ErrInvalid) {
					t.Errorf("got %v, want a field error for %s", err, tt.field)
				}
			})
		}
		if list, err := f.svc.WeeklyHours(f.ctx, ingrid.ID); err != nil || len(list) != 0 {
			t.Errorf("stored after refusals: got %+v, %v, want nothing", list, err)
		}
	})
}
