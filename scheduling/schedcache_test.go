package scheduling_test

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/scheduling"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// TestSearchSeesEveryWrite: the schedules kept between searches never hide
// a write. Two services on one database stand for two replicas; each
// searches once (so that both keep the librarian's schedule), then a
// write is made behind their backs, as a calendar app's PUT or DELETE is,
// and the very next search of each must show it, and agree with a
// service that reads every search from the calendars.
func TestSearchSeesEveryWrite(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, booking.Rules{})
		ingrid := f.librarian("ingrid", "Ingrid Haugen", "zotero")
		f.weekly(ingrid, "mondays", "", "SUMMARY:Veiledning #zotero")
		replica := scheduling.New(scheduling.Config{Store: txStore{Store: s}, Location: f.loc, Now: f.clock.now})
		uncached := scheduling.New(scheduling.Config{Store: txStore{Store: s}, Location: f.loc, Now: f.clock.now})
		scheduling.ReadSchedulesUncached(uncached)
		personal := f.calendar(ingrid.ID, "personal")
		avail := f.calendar(ingrid.ID, "availability")

		search := func(svc *scheduling.Service) []string {
			t.Helper()
			slots, err := svc.Slots(f.ctx, booking.SlotSearch{TopicSlug: "zotero"})
			if err != nil {
				t.Fatal(err)
			}
			return show(f.loc, slots)
		}
		has := func(slots []string, s string) bool { return slices.Contains(slots, s) }

		steps := []struct {
			name  string
			write func()
			// slot is a slot the write adds (want true) or removes.
			slot string
			want bool
		}{
			{"before any write", func() {}, "03-23 09:00 CET", true},
			{"a meeting is PUT over Monday morning", func() {
				f.put(personal, "meeting.ics", event([]string{"UID:m@test", "DTSTART;TZID=Europe/Oslo:20260323T090000",
					"DTEND;TZID=Europe/Oslo:20260323T110000", "SUMMARY:Møte"}))
			}, "03-23 09:00 CET", false},
			{"the meeting is moved an hour later", func() {
				f.put(personal, "meeting.ics", event([]string{"UID:m@test", "DTSTART;TZID=Europe/Oslo:20260323T100000",
					"DTEND;TZID=Europe/Oslo:20260323T120000", "SUMMARY:Møte"}))
			}, "03-23 09:00 CET", true},
			{"the meeting is deleted", func() {
				if err := s.DeleteObject(f.ctx, personal.ID, "meeting.ics", booking.WriteCondition{}); err != nil {
					t.Fatal(err)
				}
			}, "03-23 11:00 CET", true},
			{"a Thursday window is PUT", func() {
				f.put(avail, "thursday.ics", event([]string{"UID:thu@test", "DTSTART;TZID=Europe/Oslo:20260326T130000",
					"DTEND;TZID=Europe/Oslo:20260326T140000", "SUMMARY:Veiledning #zotero"}))
			}, "03-26 13:00 CET", true},
			{"a new calendar of teaching", func() {
				cal, err := s.CreateCalendar(f.ctx, booking.Calendar{OwnerID: ingrid.ID, Slug: "kurs", Kind: booking.KindOther, Components: []string{"VEVENT"}})
				if err != nil {
					t.Fatal(err)
				}
				f.put(cal, "k.ics", event([]string{"UID:k@test", "DTSTART;TZID=Europe/Oslo:20260326T130000",
					"DTEND;TZID=Europe/Oslo:20260326T140000"}))
			}, "03-26 13:00 CET", false},
			{"that calendar is deleted", func() {
				cal := f.calendar(ingrid.ID, "kurs")
				if err := s.DeleteCalendar(f.ctx, cal.ID); err != nil {
					t.Fatal(err)
				}
			}, "03-26 13:00 CET", true},
			{"the windows are moved to the afternoon", func() {
				f.put(avail, "mondays.ics", event([]string{"UID:mondays@test", "DTSTART;TZID=Europe/Oslo:20260302T130000",
					"DTEND;TZID=Europe/Oslo:20260302T160000", "RRULE:FREQ=WEEKLY", "SUMMARY:Veiledning #zotero"}))
			}, "03-23 09:00 CET", false},
			{"a day later, within what was kept", func() {
				f.clock.set(start.Add(24 * time.Hour))
			}, "04-13 13:00 CEST", true},
			{"four days later, the horizon past what was kept", func() {
				f.clock.set(start.Add(4 * 24 * time.Hour))
			}, "04-20 13:00 CEST", true},
		}
		for _, st := range steps {
			st.write()
			want := search(uncached)
			if has(want, st.slot) != st.want {
				t.Fatalf("%s: slot %s offered %v by the calendars as they are, want %v: %q", st.name, st.slot, !st.want, st.want, want)
			}
			for i, svc := range []*scheduling.Service{f.svc, replica} {
				if got := search(svc); !reflect.DeepEqual(got, want) {
					t.Errorf("%s: replica %d offers\n%q\nthe calendars offer\n%q", st.name, i, got, want)
				}
			}
		}

		// A booking is seen by the next search of another replica at once.
		want := search(uncached)
		if _, _, err := f.svc.Book(f.ctx, request(f.local("2026-03-26 13:00"), "s@student.example")); err != nil {
			t.Fatal(err)
		}
		if got := search(replica); has(got, "03-26 13:00 CET") || len(got) >= len(want) {
			t.Errorf("after a booking at 03-26 13:00 the replica offers %q", got)
		}
		if got, want := search(replica), search(uncached); !reflect.DeepEqual(got, want) {
			t.Errorf("after a booking the replica offers\n%q\nthe calendars offer\n%q", got, want)
		}
	})
}
