package scheduling_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/scheduling"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// clock is a settable test clock.
type clock struct{ ns atomic.Int64 }

func newClock(t time.Time) *clock { c := &clock{}; c.set(t); return c }
func (c *clock) now() time.Time   { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) set(t time.Time)  { c.ns.Store(t.UnixNano()) }

func osloLoc(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// maxBookings is the bookings a service runs at once on the store, as the
// app should configure it. SQLite has one writer, and a transaction
// waiting for it sleeps in SQLite's busy handler (up to 100 ms a turn)
// rather than queueing, so under load, with the race detector's slowdown,
// more than two at once starve some past the store's 5 s deadline.
func maxBookings(s *store.Store) int {
	if s.Dialect() == store.SQLite {
		return 2
	}
	return 0 // the default
}

// txStore is the store as the app hands it to the service.
type txStore = storetest.SchedulingStore

// fixture is a store with a service, topics and a scheduling service.
type fixture struct {
	t     testing.TB
	ctx   context.Context
	s     *store.Store
	svc   *scheduling.Service
	clock *clock
	loc   *time.Location
}

// start is the fixture's "now": Friday 2026-03-20 09:00 in Oslo. The
// 28-day horizon spans the spring DST change on 2026-03-29.
var start = time.Date(2026, 3, 20, 8, 0, 0, 0, time.UTC)

func newFixture(t testing.TB, s *store.Store, defaults booking.Rules) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), s: s, clock: newClock(start), loc: osloLoc(t)}
	f.svc = scheduling.New(scheduling.Config{
		Store: txStore{Store: s}, Location: f.loc, Now: f.clock.now, Defaults: defaults, BaseURL: "https://veileder.example",
		MaxConcurrentBookings: maxBookings(s),
	})
	// The migrations seed the service "bibliotekar" and its general topic
	// "generell".
	for _, tp := range []booking.Topic{
		{Slug: "zotero", NameNB: "Zotero", NameEN: "Zotero"},
		{Slug: "jus", NameNB: "Jus", NameEN: "Law"},
	} {
		tp.ServiceSlug = "bibliotekar"
		if _, err := s.CreateTopic(f.ctx, tp); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// librarian creates a librarian with a primary competence in each topic.
func (f *fixture) librarian(username, name string, topics ...string) booking.User {
	f.t.Helper()
	u, err := f.s.CreateUser(f.ctx, booking.User{Username: username, DisplayName: name, Email: username + "@uio.example"}, "secret-password")
	if err != nil {
		f.t.Fatal(err)
	}
	for _, tp := range topics {
		if err := f.s.AddCompetence(f.ctx, u.ID, tp, booking.LevelPrimary, nil); err != nil {
			f.t.Fatal(err)
		}
	}
	return u
}

func (f *fixture) calendar(userID int64, slug string) booking.Calendar {
	f.t.Helper()
	cal, err := f.s.CalendarBySlug(f.ctx, userID, slug)
	if err != nil {
		f.t.Fatalf("calendar %s of user %d: %v", slug, userID, err)
	}
	return cal
}

// put stores an object as a CalDAV PUT does (hook included).
func (f *fixture) put(cal booking.Calendar, name string, data []byte) booking.CalendarObject {
	f.t.Helper()
	stored, err := f.tryPut(cal, name, data)
	if err != nil {
		f.t.Fatal(err)
	}
	return stored
}

// tryPut is put for other goroutines than the test's.
func (f *fixture) tryPut(cal booking.Calendar, name string, data []byte) (booking.CalendarObject, error) {
	obj, err := storetest.Object(cal, name, data, f.loc)
	if err != nil {
		return booking.CalendarObject{}, fmt.Errorf("validate %s: %v\n%s", name, err, data)
	}
	stored, _, err := f.s.PutObject(f.ctx, obj, booking.WriteCondition{})
	if err != nil {
		return booking.CalendarObject{}, fmt.Errorf("put %s: %w", name, err)
	}
	return stored, nil
}

// event is a VEVENT object from property lines; several components share
// the first one's UID.
func event(comps ...[]string) []byte {
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n")
	for _, c := range comps {
		b.WriteString("BEGIN:VEVENT\r\nDTSTAMP:20260101T000000Z\r\n")
		for _, l := range c {
			b.WriteString(l + "\r\n")
		}
		b.WriteString("END:VEVENT\r\n")
	}
	b.WriteString("END:VCALENDAR\r\n")
	return []byte(b.String())
}

// local is a time in Oslo: "2026-03-23 09:00".
func (f *fixture) local(s string) time.Time {
	f.t.Helper()
	t, err := time.ParseInLocation("2006-01-02 15:04", s, f.loc)
	if err != nil {
		f.t.Fatal(err)
	}
	return t
}

// weekly puts a weekly availability window from the Monday 2026-03-02.
func (f *fixture) weekly(u booking.User, name, extra string, lines ...string) {
	f.t.Helper()
	props := append([]string{"UID:" + name + "@test", "DTSTART;TZID=Europe/Oslo:20260302T090000",
		"DTEND;TZID=Europe/Oslo:20260302T120000", "RRULE:FREQ=WEEKLY" + extra, "SUMMARY:Veiledning"}, lines...)
	f.put(f.calendar(u.ID, "availability"), name+".ics", event(props))
}

func show(loc *time.Location, slots []booking.Slot) []string {
	var out []string
	for _, s := range slots {
		str := s.Start.In(loc).Format("01-02 15:04 MST")
		if s.Online {
			str += " online"
		}
		out = append(out, str)
	}
	return out
}

func TestSlotsFromCalendars(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, booking.Rules{})
		ingrid := f.librarian("ingrid", "Ingrid Haugen", "zotero", "jus")
		avail := f.calendar(ingrid.ID, "availability")
		// Mondays 09–12 from 2 March, tagged for zotero; not on 30 March;
		// on 6 April moved to 13–15 and online; a Wednesday window with an
		// unknown tag stays open to every topic; a floating window on the
		// DST Sunday is for law only.
		f.put(avail, "mondays.ics", event(
			[]string{"UID:mondays@test", "DTSTART;TZID=Europe/Oslo:20260302T090000", "DTEND;TZID=Europe/Oslo:20260302T120000",
				"RRULE:FREQ=WEEKLY", "EXDATE;TZID=Europe/Oslo:20260330T090000", "SUMMARY:Veiledning #zotero", "LOCATION:Georg Sverdrups hus"},
			[]string{"UID:mondays@test", "RECURRENCE-ID;TZID=Europe/Oslo:20260406T090000", "DTSTART;TZID=Europe/Oslo:20260406T130000",
				"DTEND;TZID=Europe/Oslo:20260406T150000", "SUMMARY:Veiledning #zotero", "LOCATION:Digitalt (Zoom)"},
		))
		f.put(avail, "sunday.ics", event([]string{"UID:sunday@test", "DTSTART:20260329T090000", "DTEND:20260329T110000", "CATEGORIES:JUS"}))
		f.put(avail, "wednesday.ics", event([]string{"UID:wed@test", "DTSTART:20260325T120000Z", "DTEND:20260325T131500Z", "SUMMARY:Ledig #viktig"}))
		// Busy time: personal and another own calendar count; transparent
		// and cancelled events, and cancelled instances, do not.
		personal := f.calendar(ingrid.ID, "personal")
		f.put(personal, "meeting.ics", event([]string{"UID:m1@test", "DTSTART;TZID=Europe/Oslo:20260323T100000", "DTEND;TZID=Europe/Oslo:20260323T110000", "SUMMARY:Møte"}))
		f.put(personal, "lunch.ics", event([]string{"UID:m2@test", "DTSTART;TZID=Europe/Oslo:20260323T110000", "DTEND;TZID=Europe/Oslo:20260323T120000", "TRANSP:TRANSPARENT"}))
		f.put(personal, "off.ics", event([]string{"UID:m3@test", "DTSTART;TZID=Europe/Oslo:20260413T090000", "DTEND;TZID=Europe/Oslo:20260413T120000", "STATUS:CANCELLED"}))
		f.put(personal, "daily.ics", event(
			[]string{"UID:m4@test", "DTSTART;TZID=Europe/Oslo:20260406T130000", "DTEND;TZID=Europe/Oslo:20260406T133000", "RRULE:FREQ=DAILY;COUNT=2"},
			[]string{"UID:m4@test", "RECURRENCE-ID;TZID=Europe/Oslo:20260406T130000", "DTSTART;TZID=Europe/Oslo:20260406T130000", "DTEND;TZID=Europe/Oslo:20260406T133000", "STATUS:CANCELLED"},
		))
		teaching, err := s.CreateCalendar(f.ctx, booking.Calendar{OwnerID: ingrid.ID, Slug: "undervisning", Kind: booking.KindOther, Components: []string{"VEVENT"}})
		if err != nil {
			t.Fatal(err)
		}
		f.put(teaching, "kurs.ics", event([]string{"UID:k1@test", "DTSTART;TZID=Europe/Oslo:20260413T090000", "DTEND;TZID=Europe/Oslo:20260413T100000"}))
		// A shared drop-in calendar is not the librarian's busy time.
		dropin := f.calendar(ingrid.ID, "dropin") // seeded by the migrations
		if !dropin.Shared() {
			t.Fatalf("dropin calendar %+v is not shared", dropin)
		}
		f.put(dropin, "d.ics", event([]string{"UID:d1@test", "DTSTART;TZID=Europe/Oslo:20260413T110000", "DTEND;TZID=Europe/Oslo:20260413T120000"}))

		slots, err := f.svc.Slots(f.ctx, booking.SlotSearch{TopicSlug: "zotero"})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{
			"03-23 09:00 CET", "03-23 11:15 CET", // around the meeting and its buffers; lunch is free time
			"03-25 13:00 CET", "03-25 13:30 CET", // the Wednesday window, 13:00–14:15 local
			"03-25 13:15 CET",
			"04-06 13:00 CEST online", "04-06 13:15 CEST online", "04-06 13:30 CEST online", "04-06 13:45 CEST online", "04-06 14:00 CEST online", "04-06 14:15 CEST online",
			"04-13 10:15 CEST", "04-13 10:30 CEST", "04-13 10:45 CEST", "04-13 11:00 CEST", "04-13 11:15 CEST",
		}
		slices.Sort(want)
		got := show(f.loc, slots)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("zotero slots:\n got %q\nwant %q", got, want)
		}
		for _, sl := range slots {
			if sl.Online && sl.Offers[0].Location != "Digitalt (Zoom)" || !sl.Online && sl.Start.In(f.loc).Day() == 23 && sl.Offers[0].Location != "Georg Sverdrups hus" {
				t.Errorf("slot %v offers %+v", sl.Start, sl.Offers)
			}
		}

		// The DST Sunday: 09:00–11:00 floating local time, law only.
		slots, err = f.svc.Slots(f.ctx, booking.SlotSearch{TopicSlug: "jus", From: f.local("2026-03-29 00:00"), To: f.local("2026-03-30 00:00")})
		if err != nil {
			t.Fatal(err)
		}
		want = []string{"03-29 09:00 CEST", "03-29 09:15 CEST", "03-29 09:30 CEST", "03-29 09:45 CEST", "03-29 10:00 CEST", "03-29 10:15 CEST"}
		if got := show(f.loc, slots); !slices.Equal(got, want) {
			t.Errorf("law slots on 29 March:\n got %q\nwant %q", got, want)
		}

		// Online only, and a topic nobody guides: unmet demand.
		slots, err = f.svc.Slots(f.ctx, booking.SlotSearch{TopicSlug: "zotero", Mode: booking.ModeOnline})
		if err != nil || len(slots) != 6 {
			t.Errorf("online zotero slots: got %d, %v, want 6", len(slots), err)
		}
		slots, err = f.svc.Slots(f.ctx, booking.SlotSearch{TopicSlug: "generell", Language: "EN", Campus: "Blindern", RecordUnmet: true})
		if err != nil || len(slots) != 0 {
			t.Errorf("general slots: got %v, %v, want none", slots, err)
		}
		// Not unmet demand: a search that does not stand for a visit, and
		// an empty week of a topic that has free times in other weeks.
		if slots, err := f.svc.Slots(f.ctx, booking.SlotSearch{TopicSlug: "generell"}); err != nil || len(slots) != 0 {
			t.Errorf("general slots, not recorded: got %v, %v, want none", slots, err)
		}
		slots, err = f.svc.Slots(f.ctx, booking.SlotSearch{TopicSlug: "zotero", From: f.local("2026-03-30 00:00"), To: f.local("2026-04-06 00:00"), RecordUnmet: true})
		if err != nil || len(slots) != 0 {
			t.Errorf("zotero in the week of 30 March: got %q, %v, want none", show(f.loc, slots), err)
		}
		// A narrowed search of a topic with no free time anywhere in the
		// horizon counts.
		if slots, err := f.svc.Slots(f.ctx, booking.SlotSearch{TopicSlug: "generell", From: f.local("2026-03-30 00:00"), To: f.local("2026-04-06 00:00"), RecordUnmet: true}); err != nil || len(slots) != 0 {
			t.Errorf("general slots in a week: got %v, %v, want none", slots, err)
		}
		demand, err := s.Demand(f.ctx, "", "")
		if err != nil {
			t.Fatal(err)
		}
		wantDemand := []booking.DemandRecord{{TopicSlug: "generell", Date: "2026-03-20", Language: "en", Campus: "Blindern"}, {TopicSlug: "generell", Date: "2026-03-20"}}
		if !slices.Equal(demand, wantDemand) {
			t.Errorf("demand: got %+v, want %+v", demand, wantDemand)
		}
		if _, err := f.svc.Slots(f.ctx, booking.SlotSearch{TopicSlug: "nope"}); !errors.Is(err, booking.ErrNotFound) {
			t.Errorf("unknown topic: got %v, want ErrNotFound", err)
		}

		cat, err := f.svc.Catalog(f.ctx)
		if err != nil || len(cat.Services) != 1 || len(cat.Topics) != 3 {
			t.Errorf("catalog: got %+v, %v", cat, err)
		}
	})
}

func request(start time.Time, email string) booking.Request {
	return booking.Request{
		TopicSlug: "zotero", Start: start, StudentName: "Doe, John", StudentEmail: email,
		Question: "Hvordan importerer jeg fra Oria?", Programme: "Master i historie", StudyLevel: "master",
		Locale: "nb", Consent: true,
	}
}

// parseEvent reads a stored event's VEVENT.
func parseEvent(t testing.TB, data []byte) *ical.Component {
	t.Helper()
	c, err := ical.NewDecoder(bytes.NewReader(data)).Decode()
	if err != nil {
		t.Fatalf("stored event does not parse: %v\n%s", err, data)
	}
	return c.Events()[0].Component
}

func TestBookAndCancel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, booking.Rules{})
		ingrid := f.librarian("ingrid", "Haugen, Ingrid", "zotero")
		f.weekly(ingrid, "w", "", "LOCATION:Georg Sverdrups hus\\, rom 2.12")
		at := f.local("2026-03-23 09:00")

		v, token, err := f.svc.Book(f.ctx, request(at, "john@student.example"))
		if err != nil {
			t.Fatal(err)
		}
		if v.LibrarianID != ingrid.ID || !v.Start.Equal(at) || !v.End.Equal(at.Add(45*time.Minute)) || v.Status != booking.StatusConfirmed ||
			v.LibrarianName != "Haugen, Ingrid" || v.LibrarianMail != "ingrid@uio.example" || v.Topic.Slug != "zotero" ||
			v.Location != "Georg Sverdrups hus, rom 2.12" || v.Language != "nb" || v.Locale != "nb" || v.Online {
			t.Errorf("booked view: %+v", v)
		}
		if len(token) != 43 || strings.Contains(v.TokenHash, token) {
			t.Errorf("token %q, hash %q", token, v.TokenHash)
		}
		got, err := f.svc.Booking(f.ctx, token)
		if err != nil || got.ID != v.ID {
			t.Errorf("Booking(token): got %+v, %v", got, err)
		}
		if _, err := f.svc.Booking(f.ctx, strings.Repeat("A", 43)); !errors.Is(err, booking.ErrNotFound) {
			t.Errorf("Booking(unknown token): got %v, want ErrNotFound", err)
		}
		if _, err := f.svc.Booking(f.ctx, "junk"); !errors.Is(err, booking.ErrNotFound) {
			t.Errorf("Booking(junk): got %v, want ErrNotFound", err)
		}

		// The event is in the bookings calendar, as a calendar app reads it.
		bookings := f.calendar(ingrid.ID, "bookings")
		obj, err := s.Object(f.ctx, bookings.ID, v.EventName)
		if err != nil {
			t.Fatalf("booking event: %v", err)
		}
		if obj.UID != v.EventUID || v.EventName != v.EventUID+".ics" || !strings.HasSuffix(v.EventUID, "@veileder") {
			t.Errorf("event %q named %q, booking says %q", obj.UID, obj.Name, v.EventUID)
		}
		ev := parseEvent(t, obj.Data)
		if got := ev.Props.Get("ATTENDEE"); got == nil || got.Value != "mailto:john@student.example" || got.Params.Get("CN") != "Doe, John" || got.Params.Get("PARTSTAT") != "ACCEPTED" {
			t.Errorf("ATTENDEE: %+v", got)
		}
		if got := ev.Props.Get("ORGANIZER"); got == nil || got.Value != "mailto:ingrid@uio.example" || got.Params.Get("CN") != "Haugen, Ingrid" {
			t.Errorf("ORGANIZER: %+v", got)
		}
		if got := ev.Props.Get("CATEGORIES"); got == nil || got.Value != "zotero" {
			t.Errorf("CATEGORIES: %+v", got)
		}
		if got := ev.Props.Get("DTSTART"); got == nil || got.Value != "20260323T080000Z" {
			t.Errorf("DTSTART: %+v", got)
		}
		if !bytes.Contains(obj.Data, []byte(`CN="Doe, John"`)) {
			t.Errorf("CN not quoted:\n%s", obj.Data)
		}

		// The slot and its buffers are gone; the same slot cannot be had.
		slots, err := f.svc.Slots(f.ctx, booking.SlotSearch{TopicSlug: "zotero", From: at, To: at.Add(24 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"03-23 10:00 CET", "03-23 10:15 CET", "03-23 10:30 CET", "03-23 10:45 CET", "03-23 11:00 CET", "03-23 11:15 CET"}; !slices.Equal(show(f.loc, slots), want) {
			t.Errorf("slots after booking: got %q, want %q", show(f.loc, slots), want)
		}
		if _, _, err := f.svc.Book(f.ctx, request(at, "kari@student.example")); !errors.Is(err, booking.ErrSlotTaken) {
			t.Errorf("booking a taken slot: got %v, want ErrSlotTaken", err)
		}
		if _, _, err := f.svc.Book(f.ctx, request(at.Add(30*time.Minute), "kari@student.example")); !errors.Is(err, booking.ErrSlotTaken) {
			t.Errorf("booking inside the buffer: got %v, want ErrSlotTaken", err)
		}
		// A time that could never be booked says why, not "taken".
		for _, tc := range []struct {
			start time.Time
			code  string
		}{
			{at.Add(5*time.Minute + time.Hour), "off_grid"},
			{f.clock.now().Add(-time.Hour), "past"},
			{f.clock.now().Add(time.Hour).Truncate(time.Hour), "too_soon"},
			{f.clock.now().AddDate(0, 2, 0).Truncate(time.Hour), "too_far"},
		} {
			_, _, err := f.svc.Book(f.ctx, request(tc.start, "kari@student.example"))
			var fe *booking.FieldError
			if !errors.As(err, &fe) || fe.Field != "start" || fe.Code != tc.code || errors.Is(err, booking.ErrSlotTaken) {
				t.Errorf("booking at %v: got %v, want start: %s", tc.start, err, tc.code)
			}
		}

		// Two active bookings per student.
		if _, _, err := f.svc.Book(f.ctx, request(f.local("2026-03-30 09:00"), "JOHN@student.example")); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.Book(f.ctx, request(f.local("2026-04-06 09:00"), "john@student.example")); !errors.Is(err, booking.ErrLimitReached) {
			t.Errorf("third booking: got %v, want ErrLimitReached", err)
		}
		bad := request(f.local("2026-04-06 09:00"), "kari@student.example")
		bad.Consent = false
		if _, _, err := f.svc.Book(f.ctx, bad); !errors.Is(err, booking.ErrInvalid) {
			t.Errorf("no consent: got %v, want ErrInvalid", err)
		}
		bad = request(f.local("2026-04-06 09:00"), "kari@student.example")
		bad.TopicSlug = "nope"
		var fe *booking.FieldError
		if _, _, err := f.svc.Book(f.ctx, bad); !errors.As(err, &fe) || fe.Field != "topic" {
			t.Errorf("unknown topic: got %v, want a topic FieldError", err)
		}

		ics, err := f.svc.StudentICS(f.ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"METHOD:PUBLISH", "UID:" + v.EventUID, "SEQUENCE:0", `ORGANIZER;CN="Haugen, Ingrid":mailto:ingrid@uio.example`, "https://veileder.example/booking/"} {
			if !strings.Contains(strings.ReplaceAll(string(ics), "\r\n ", ""), want) {
				t.Errorf("student file lacks %q:\n%s", want, ics)
			}
		}

		// The student cancels: the event leaves the calendar, the slot is
		// offered again; cancelling again changes nothing.
		cv, err := f.svc.Cancel(f.ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		if cv.Status != booking.StatusCancelled || cv.CancelledBy != booking.PartyStudent || cv.Sequence != 1 || cv.LibrarianName == "" {
			t.Errorf("cancelled view: %+v", cv)
		}
		if _, err := s.Object(f.ctx, bookings.ID, v.EventName); !errors.Is(err, booking.ErrNotFound) {
			t.Errorf("event after cancel: got %v, want ErrNotFound", err)
		}
		again, err := f.svc.Cancel(f.ctx, token)
		if err != nil || again.Sequence != 1 || again.Status != booking.StatusCancelled {
			t.Errorf("cancel again: got %+v, %v", again, err)
		}
		ics, err = f.svc.StudentICS(f.ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"METHOD:CANCEL", "STATUS:CANCELLED", "SEQUENCE:1"} {
			if !strings.Contains(string(ics), want) {
				t.Errorf("cancelled file lacks %q:\n%s", want, ics)
			}
		}
		if _, _, err := f.svc.Book(f.ctx, request(at, "kari@student.example")); err != nil {
			t.Errorf("booking a freed slot: %v", err)
		}

		// A meeting that has begun cannot be cancelled.
		v2, token2, err := f.svc.Book(f.ctx, request(f.local("2026-04-13 10:00"), "ola@student.example"))
		if err != nil {
			t.Fatal(err)
		}
		f.clock.set(v2.Start.Add(time.Minute))
		if _, err := f.svc.Cancel(f.ctx, token2); !errors.Is(err, booking.ErrInvalid) {
			t.Errorf("cancelling a begun meeting: got %v, want ErrInvalid", err)
		}
		if got, _ := f.svc.Booking(f.ctx, token2); got.Status != booking.StatusConfirmed {
			t.Errorf("begun meeting after a refused cancel: %+v", got)
		}
	})
}

// TestBookPrefersLeastLoaded: with two librarians free, the one with fewer
// bookings that week gets the next one; a busy one is passed over.
func TestBookPrefersLeastLoaded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, booking.Rules{})
		a := f.librarian("anne", "Anne", "zotero")
		b := f.librarian("bjorn", "Bjørn", "zotero")
		f.weekly(a, "a", "")
		f.weekly(b, "b", "", "LOCATION:Digitalt", "URL:https://meet.example/b")
		v1, _, err := f.svc.Book(f.ctx, request(f.local("2026-03-23 09:00"), "s1@student.example"))
		if err != nil {
			t.Fatal(err)
		}
		v2, _, err := f.svc.Book(f.ctx, request(f.local("2026-03-23 11:00"), "s2@student.example"))
		if err != nil {
			t.Fatal(err)
		}
		if v1.LibrarianID != a.ID || v2.LibrarianID != b.ID {
			t.Errorf("assigned %d then %d, want %d then %d", v1.LibrarianID, v2.LibrarianID, a.ID, b.ID)
		}
		if v1.Online || !v2.Online || v2.Location != "https://meet.example/b" {
			t.Errorf("modes: %v %q, %v %q", v1.Online, v1.Location, v2.Online, v2.Location)
		}
	})
}

// hook installs the service's hook as the app does.
func hook(s *store.Store, svc *scheduling.Service) {
	s.SetObjectHook(func(ctx context.Context, tx *store.Tx, cal booking.Calendar, before, after *booking.CalendarObject) error {
		return svc.OnBookingEvent(ctx, tx, cal, before, after)
	})
}

func TestBookingEventHook(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, booking.Rules{})
		hook(s, f.svc)
		ingrid := f.librarian("ingrid", "Ingrid", "zotero")
		f.weekly(ingrid, "w", "")
		bookings := f.calendar(ingrid.ID, "bookings")
		var tokens []string
		for i, at := range []string{"2026-03-23 09:00", "2026-03-23 10:00", "2026-03-23 11:00"} {
			_, tok, err := f.svc.Book(f.ctx, request(f.local(at), fmt.Sprintf("s%d@student.example", i)))
			if err != nil {
				t.Fatal(err)
			}
			tokens = append(tokens, tok)
		}
		view := func(tok string) booking.View {
			t.Helper()
			v, err := f.svc.Booking(f.ctx, tok)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		// rewrite replaces property lines of the stored event, as a client
		// that edits an event does, and PUTs it with If-Match.
		rewrite := func(v booking.View, repl ...string) {
			t.Helper()
			obj, err := s.Object(f.ctx, bookings.ID, v.EventName)
			if err != nil {
				t.Fatal(err)
			}
			data := string(obj.Data)
			for i := 0; i < len(repl); i += 2 {
				if !strings.Contains(data, repl[i]) {
					t.Fatalf("event lacks %q:\n%s", repl[i], data)
				}
				data = strings.Replace(data, repl[i], repl[i+1], 1)
			}
			o, err := storetest.Object(bookings, v.EventName, []byte(data), f.loc)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := s.PutObject(f.ctx, o, booking.WriteCondition{IfMatch: obj.ETag}); err != nil {
				t.Fatalf("PUT: %v", err)
			}
		}

		// Moved in the librarian's app, written in local time with TZID.
		v := view(tokens[0])
		rewrite(v, "DTSTART:20260323T080000Z", "DTSTART;TZID=Europe/Oslo:20260324T140000",
			"DTEND:20260323T084500Z", "DTEND;TZID=Europe/Oslo:20260324T150000", "SEQUENCE:0", "SEQUENCE:1")
		got := view(tokens[0])
		if !got.Start.Equal(f.local("2026-03-24 14:00")) || !got.End.Equal(f.local("2026-03-24 15:00")) || got.Sequence != 1 || got.Status != booking.StatusConfirmed {
			t.Errorf("moved booking: %+v", got)
		}
		// A note in the description changes nothing.
		rewrite(got, "DESCRIPTION:", "DESCRIPTION:Notat. ")
		if again := view(tokens[0]); again.Sequence != 1 || !again.Start.Equal(got.Start) {
			t.Errorf("after a note: %+v", again)
		}
		// STATUS:CANCELLED cancels.
		rewrite(got, "STATUS:CONFIRMED", "STATUS:CANCELLED")
		if got := view(tokens[0]); got.Status != booking.StatusCancelled || got.CancelledBy != booking.PartyLibrarian || got.Sequence != 2 {
			t.Errorf("cancelled by status: %+v", got)
		}
		// Deleting the event cancels.
		v = view(tokens[1])
		if err := s.DeleteObject(f.ctx, bookings.ID, v.EventName, booking.WriteCondition{}); err != nil {
			t.Fatal(err)
		}
		if got := view(tokens[1]); got.Status != booking.StatusCancelled || got.CancelledBy != booking.PartyLibrarian || got.Sequence != 1 {
			t.Errorf("cancelled by delete: %+v", got)
		}
		// The third booking's student may still cancel it.
		if got, err := f.svc.Cancel(f.ctx, tokens[2]); err != nil || got.CancelledBy != booking.PartyStudent {
			t.Errorf("student cancel: %+v, %v", got, err)
		}
		// The librarian's own events in the bookings calendar pass.
		f.put(bookings, "own.ics", event([]string{"UID:own@test", "DTSTART:20260324T080000Z", "DTEND:20260324T090000Z"}))
		if err := s.DeleteObject(f.ctx, bookings.ID, "own.ics", booking.WriteCondition{}); err != nil {
			t.Errorf("deleting an own event: %v", err)
		}
		// The freed slots are offered again (the cancelled-by-status event
		// is still there, but cancelled).
		slots, err := f.svc.Slots(f.ctx, booking.SlotSearch{TopicSlug: "zotero", From: f.local("2026-03-23 00:00"), To: f.local("2026-03-24 00:00")})
		if err != nil || len(slots) != 10 {
			t.Errorf("slots after the cancels: got %q, %v, want 10", show(f.loc, slots), err)
		}
	})
}

// TestConcurrentSameSlot: 200 students race for one slot that three
// librarians can take: exactly three win, one per librarian.
func TestConcurrentSameSlot(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, booking.Rules{})
		var libs []booking.User
		for _, n := range []string{"anne", "bjorn", "cato"} {
			u := f.librarian(n, n, "zotero")
			f.weekly(u, n, "")
			libs = append(libs, u)
		}
		at := f.local("2026-03-23 09:00")
		const n = 200
		var wg sync.WaitGroup
		var ok, taken atomic.Int64
		errs := make(chan error, n)
		for i := range n {
			wg.Go(func() {
				_, _, err := f.svc.Book(f.ctx, request(at, fmt.Sprintf("s%d@student.example", i)))
				switch {
				case err == nil:
					ok.Add(1)
				case errors.Is(err, booking.ErrSlotTaken):
					taken.Add(1)
				default:
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("Book: %v", err)
		}
		if ok.Load() != 3 || taken.Load() != n-3 {
			t.Errorf("got %d booked, %d taken; want 3, %d", ok.Load(), taken.Load(), n-3)
		}
		for _, u := range libs {
			bs, err := s.BookingsOfLibrarian(f.ctx, u.ID, time.Time{}, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			objs, err := s.Objects(f.ctx, f.calendar(u.ID, "bookings").ID, false)
			if err != nil {
				t.Fatal(err)
			}
			if len(bs) != 1 || len(objs) != 1 || objs[0].Name != bs[0].EventName {
				t.Errorf("librarian %s: %d bookings, %d events", u.Username, len(bs), len(objs))
			}
		}
	})
}

// TestConcurrentManySlots: 200 students book 100 different times, two per
// time, with four librarians: every booking lands, each event in its
// librarian's calendar, no librarian double-booked.
func TestConcurrentManySlots(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		rules := booking.DefaultRules()
		rules.MaxPerLibrarianPerDay = 10
		f := newFixture(t, s, rules)
		byID := map[int64]booking.User{}
		for _, n := range []string{"anne", "bjorn", "cato", "dina"} {
			u := f.librarian(n, n, "zotero")
			f.put(f.calendar(u.ID, "availability"), "w.ics", event([]string{"UID:w-" + n, "DTSTART;TZID=Europe/Oslo:20260302T090000",
				"DTEND;TZID=Europe/Oslo:20260302T170000", "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"}))
			byID[u.ID] = u
		}
		// Hourly starts 09:00–15:00 on the weekdays from 23 March.
		var starts []time.Time
		for d := f.local("2026-03-23 00:00"); len(starts) < 100; d = d.AddDate(0, 0, 1) {
			if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
				continue
			}
			for h := 9; h <= 15 && len(starts) < 100; h++ {
				starts = append(starts, time.Date(d.Year(), d.Month(), d.Day(), h, 0, 0, 0, f.loc))
			}
		}
		var wg sync.WaitGroup
		errs := make(chan error, 200)
		for i := range 200 {
			wg.Go(func() {
				if _, _, err := f.svc.Book(f.ctx, request(starts[i/2], fmt.Sprintf("s%d@student.example", i))); err != nil {
					errs <- fmt.Errorf("book %v: %w", starts[i/2], err)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		total := 0
		for id, u := range byID {
			bs, err := s.BookingsOfLibrarian(f.ctx, id, time.Time{}, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			total += len(bs)
			slices.SortFunc(bs, func(a, b booking.Booking) int { return a.Start.Compare(b.Start) })
			for i := 1; i < len(bs); i++ {
				if bs[i].Start.Before(bs[i-1].End.Add(rules.Buffer)) {
					t.Errorf("librarian %s double-booked: %v and %v", u.Username, bs[i-1].Start, bs[i].Start)
				}
			}
			cal := f.calendar(id, "bookings")
			objs, err := s.Objects(f.ctx, cal.ID, true)
			if err != nil {
				t.Fatal(err)
			}
			if len(objs) != len(bs) {
				t.Errorf("librarian %s: %d bookings, %d events", u.Username, len(bs), len(objs))
			}
			names := map[string]bool{}
			for _, o := range objs {
				names[o.Name] = true
				if !bytes.Contains(o.Data, []byte("mailto:"+u.Email)) {
					t.Errorf("event %s in %s's calendar is not organised by them", o.Name, u.Username)
				}
			}
			for _, b := range bs {
				if !names[b.EventName] {
					t.Errorf("booking %d's event %s is not in %s's calendar", b.ID, b.EventName, u.Username)
				}
			}
		}
		if total != 200 {
			t.Errorf("got %d bookings, want 200", total)
		}
	})
}

// TestTruncatedBusySeries: a busy series that expands past the instance
// cap (a per-minute "meeting" from the week before) counts as busy for the
// rest of what a search reads, so no slot is offered on top of instances
// nobody expanded; the free-busy report agrees (caldav's tests).
func TestTruncatedBusySeries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s, booking.Rules{})
		ingrid := f.librarian("ingrid", "Ingrid Haugen", "zotero")
		avail := f.calendar(ingrid.ID, "availability")
		f.put(avail, "weekdays.ics", event([]string{"UID:wd@test", "DTSTART;TZID=Europe/Oslo:20260323T090000", "DTEND;TZID=Europe/Oslo:20260323T150000",
			"RRULE:FREQ=DAILY;COUNT=12", "SUMMARY:Veiledning"}))
		slots, err := f.svc.Slots(f.ctx, booking.SlotSearch{TopicSlug: "zotero"})
		if err != nil || len(slots) == 0 {
			t.Fatalf("slots before the busy series: %d, %v; want some", len(slots), err)
		}
		// Every other minute for a minute from 21 March: 5,000 instances
		// last until about 28 March, far short of the range read.
		personal := f.calendar(ingrid.ID, "personal")
		f.put(personal, "flood.ics", event([]string{"UID:flood@test", "DTSTART:20260321T000000Z", "DURATION:PT1M", "RRULE:FREQ=MINUTELY;INTERVAL=2", "SUMMARY:Opptatt"}))
		slots, err = f.svc.Slots(f.ctx, booking.SlotSearch{TopicSlug: "zotero"})
		if err != nil {
			t.Fatal(err)
		}
		if len(slots) != 0 {
			t.Errorf("slots under a busy series cut by the cap: got %q, want none", show(f.loc, slots))
		}
		// A free (transparent) series cut the same way blocks nothing.
		f.put(personal, "flood.ics", event([]string{"UID:flood@test", "DTSTART:20260321T000000Z", "DURATION:PT1M", "RRULE:FREQ=MINUTELY;INTERVAL=2", "TRANSP:TRANSPARENT"}))
		slots, err = f.svc.Slots(f.ctx, booking.SlotSearch{TopicSlug: "zotero"})
		if err != nil || len(slots) == 0 {
			t.Errorf("slots under a free series: %d, %v; want some", len(slots), err)
		}
	})
}
