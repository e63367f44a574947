package scheduling_test

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/scheduling"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// waitlistFixture is a fixture whose service derives its tokens (as the
// app's does), so that an offer's link can be made again, with one
// librarian whose only window is Monday 2026-03-23 09:00-09:45: one slot.
type waitlistFixture struct {
	*fixture
	wl     *scheduling.Waitlist
	ingrid booking.User
	at     time.Time
}

const testKey = "0123456789abcdef0123456789abcdef"

func newWaitlistFixture(t *testing.T, s *store.Store) *waitlistFixture {
	f := newFixture(t, s, booking.Rules{})
	f.svc = scheduling.New(scheduling.Config{Store: txStore{Store: s}, Location: f.loc, Now: f.clock.now,
		BaseURL: "https://veileder.example", MaxConcurrentBookings: maxBookings(s), TokenKey: []byte(testKey)})
	w := &waitlistFixture{fixture: f, wl: f.svc.Waitlist(s, scheduling.WaitlistConfig{Hold: 30 * time.Minute})}
	w.ingrid = f.librarian("ingrid", "Haugen, Ingrid", "zotero")
	f.put(f.calendar(w.ingrid.ID, "availability"), "one.ics", event([]string{"UID:one@test",
		"DTSTART;TZID=Europe/Oslo:20260323T090000", "DTEND;TZID=Europe/Oslo:20260323T094500", "SUMMARY:Veiledning"}))
	w.at = f.local("2026-03-23 09:00")
	return w
}

func (w *waitlistFixture) join(name string, mod ...func(*booking.WaitlistRequest)) (booking.WaitlistEntry, string) {
	w.t.Helper()
	r := booking.WaitlistRequest{TopicSlug: "zotero", Name: name, Email: strings.ToLower(name) + "@student.example", Locale: "en", Consent: true}
	for _, m := range mod {
		m(&r)
	}
	e, token, err := w.wl.Join(w.ctx, r)
	if err != nil {
		w.t.Fatalf("join %s: %v", name, err)
	}
	return e, token
}

// openOffer is the entry's open offer with the token of its link, as
// the e-mail carries it.
func (w *waitlistFixture) openOffer(e booking.WaitlistEntry) (booking.WaitlistOffer, string, bool) {
	w.t.Helper()
	os, err := w.s.OffersOfEntry(w.ctx, e.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, o := range os {
		if o.Status == booking.OfferOpen {
			v, err := w.s.MessageWaitlistOffer(w.ctx, o.ID)
			if err != nil {
				w.t.Fatal(err)
			}
			link, _ := w.svc.WaitlistURLs(v)
			u, err := url.Parse(link)
			if err != nil || !strings.HasPrefix(u.Path, "/waitlist/offer/") {
				w.t.Fatalf("offer link %q", link)
			}
			return o, strings.TrimPrefix(u.Path, "/waitlist/offer/"), true
		}
	}
	return booking.WaitlistOffer{}, "", false
}

func (w *waitlistFixture) match(holder string) int {
	w.t.Helper()
	n, err := w.wl.RunMatching(w.ctx, holder)
	if err != nil {
		w.t.Fatal(err)
	}
	return n
}

func (w *waitlistFixture) slots() []string {
	w.t.Helper()
	got, err := w.svc.Slots(w.ctx, booking.SlotSearch{TopicSlug: "zotero"})
	if err != nil {
		w.t.Fatal(err)
	}
	return show(w.loc, got)
}

// TestWaitlistOfferHoldAndAccept follows a freed time down the queue: the
// first to join is offered it; while the offer holds, nobody can book it
// and the second gets nothing; once the hold expires the second is
// offered it; the first's link no longer books; the second's does, in the
// transaction of a normal booking (event, confirmation, offer and entry
// settled together).
func TestWaitlistOfferHoldAndAccept(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newWaitlistFixture(t, s)
		_, token, err := w.svc.Book(w.ctx, request(w.at, "first@student.example"))
		if err != nil {
			t.Fatal(err)
		}
		if got := w.slots(); len(got) != 0 {
			t.Fatalf("slots after the only one was booked: %v", got)
		}
		bea, _ := w.join("Bea")
		w.clock.set(start.Add(time.Minute))
		cal, _ := w.join("Cal", func(r *booking.WaitlistRequest) { r.Mode = booking.ModeInPerson })
		if n := w.match("a"); n != 0 {
			t.Errorf("offers with nothing free: %d, want 0", n)
		}

		if _, err := w.svc.Cancel(w.ctx, token); err != nil {
			t.Fatal(err)
		}
		if n := w.match("a"); n != 1 {
			t.Fatalf("offers after the cancellation: %d, want 1", n)
		}
		o, beaToken, ok := w.openOffer(bea)
		if !ok || !o.Start.Equal(w.at) || o.LibrarianID != w.ingrid.ID {
			t.Fatalf("Bea's offer: %+v, %v", o, ok)
		}
		if _, _, ok := w.openOffer(cal); ok {
			t.Errorf("Cal, second in the queue, has an offer too")
		}
		// The hold keeps the time from everyone else.
		if got := w.slots(); len(got) != 0 {
			t.Errorf("slots while the time is held: %v", got)
		}
		if _, _, err := w.svc.Book(w.ctx, request(w.at, "sneaky@student.example")); !errors.Is(err, booking.ErrSlotTaken) {
			t.Errorf("booking a held time: %v, want ErrSlotTaken", err)
		}
		msgs, err := s.ClaimMessages(w.ctx, w.clock.now(), time.Minute, 50)
		if err != nil {
			t.Fatal(err)
		}
		offerMail := 0
		for _, m := range msgs {
			if m.Kind == booking.MessageWaitlistOffer && m.WaitlistOfferID == o.ID {
				offerMail++
			}
		}
		if offerMail != 1 {
			t.Errorf("offer e-mails queued: %d, want 1 (%+v)", offerMail, msgs)
		}

		// The hold expires: the time goes to Cal.
		w.clock.set(o.ExpiresAt.Add(time.Second))
		if n := w.match("a"); n != 1 {
			t.Fatalf("offers after the hold expired: %d, want 1", n)
		}
		o2, calToken, ok := w.openOffer(cal)
		if !ok || !o2.Start.Equal(w.at) {
			t.Fatalf("Cal's offer: %+v, %v", o2, ok)
		}
		if _, _, err := w.wl.Accept(w.ctx, beaToken); !errors.Is(err, scheduling.ErrOfferGone) || !errors.Is(err, booking.ErrConflict) {
			t.Errorf("accepting an expired offer: %v, want ErrOfferGone", err)
		}
		// Bea still waits, but is not offered the time again.
		if n := w.match("a"); n != 0 {
			t.Errorf("offers with the time held for Cal: %d, want 0", n)
		}

		v, manage, err := w.wl.Accept(w.ctx, calToken)
		if err != nil {
			t.Fatal(err)
		}
		if v.StudentEmail != "cal@student.example" || v.StudentName != "Cal" || !v.Start.Equal(w.at) || v.LibrarianID != w.ingrid.ID ||
			v.Locale != "en" || !v.Active() || manage == "" {
			t.Errorf("accepted booking: %+v", v)
		}
		got, err := w.svc.Booking(w.ctx, manage)
		if err != nil || got.ID != v.ID {
			t.Errorf("booking by the manage token: %+v, %v", got, err)
		}
		if _, err := s.Object(w.ctx, w.calendar(w.ingrid.ID, "bookings").ID, v.EventName); err != nil {
			t.Errorf("the booking's event: %v", err)
		}
		os, err := s.OffersOfEntry(w.ctx, cal.ID)
		if err != nil || len(os) != 1 || os[0].Status != booking.OfferAccepted || os[0].BookingID != v.ID {
			t.Errorf("Cal's offers after accepting: %+v, %v", os, err)
		}
		if e, _, err := w.wl.Entry(w.ctx, mustLeaveToken(t, w, cal)); err != nil || e.Status != booking.WaitlistBooked {
			t.Errorf("Cal's entry after accepting: %+v, %v", e, err)
		}
		if _, _, err := w.wl.Accept(w.ctx, calToken); !errors.Is(err, scheduling.ErrOfferGone) {
			t.Errorf("accepting twice: %v, want ErrOfferGone", err)
		}
		if got := w.slots(); len(got) != 0 {
			t.Errorf("slots after Cal booked: %v", got)
		}
		if n := w.match("a"); n != 0 {
			t.Errorf("offers after the time was booked: %d, want 0", n)
		}
	})
}

// mustLeaveToken is the entry's leave token as the offer e-mail carries
// it.
func mustLeaveToken(t *testing.T, w *waitlistFixture, e booking.WaitlistEntry) string {
	t.Helper()
	_, leave := w.svc.WaitlistURLs(booking.OfferView{Entry: e})
	u, err := url.Parse(leave)
	if err != nil || !strings.HasPrefix(u.Path, "/waitlist/leave/") {
		t.Fatalf("leave link %q", leave)
	}
	return strings.TrimPrefix(u.Path, "/waitlist/leave/")
}

// TestWaitlistPreferences: an entry is offered only times that suit it
// (mode, weekday, part of the day, librarian); one that asks for what the
// freed time is not keeps waiting, and the next in the queue gets it.
func TestWaitlistPreferences(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newWaitlistFixture(t, s)
		other := w.librarian("ola", "Nordmann, Ola", "zotero")
		tests := []struct {
			name string
			mod  func(*booking.WaitlistRequest)
		}{
			{"online only", func(r *booking.WaitlistRequest) { r.Mode = booking.ModeOnline }},
			{"fridays", func(r *booking.WaitlistRequest) { r.Weekdays = []time.Weekday{time.Friday} }},
			{"afternoons", func(r *booking.WaitlistRequest) { r.TimesOfDay = []string{booking.Afternoon} }},
			{"another librarian", func(r *booking.WaitlistRequest) { r.LibrarianID = other.ID }},
		}
		var picky []booking.WaitlistEntry
		for i, tt := range tests {
			w.clock.set(start.Add(time.Duration(i) * time.Second))
			e, _ := w.join(fmt.Sprintf("Picky%d", i), tt.mod)
			picky = append(picky, e)
		}
		w.clock.set(start.Add(time.Minute))
		mondays, _ := w.join("Mona", func(r *booking.WaitlistRequest) {
			r.Weekdays = []time.Weekday{time.Monday}
			r.TimesOfDay = []string{booking.Morning}
			r.LibrarianID = w.ingrid.ID
		})
		if n := w.match("a"); n != 1 {
			t.Fatalf("offers: %d, want 1", n)
		}
		for i, e := range picky {
			if _, _, ok := w.openOffer(e); ok {
				t.Errorf("%s: offered a time that does not suit", tests[i].name)
			}
		}
		if o, _, ok := w.openOffer(mondays); !ok || !o.Start.Equal(w.at) {
			t.Errorf("Mona's offer: %+v, %v", o, ok)
		}
	})
}

// TestWaitlistReplicas runs the matching job of two replicas (two
// services on one database, each with its own holder) at once, again and
// again, while more times free up: no time is ever held twice, and no
// entry holds two offers.
func TestWaitlistReplicas(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newWaitlistFixture(t, s)
		// Four more one-slot windows, so that several times are free.
		for i, day := range []string{"20260324", "20260325", "20260326", "20260327"} {
			w.put(w.calendar(w.ingrid.ID, "availability"), fmt.Sprintf("more%d.ics", i), event([]string{fmt.Sprintf("UID:more%d@test", i),
				"DTSTART;TZID=Europe/Oslo:" + day + "T090000", "DTEND;TZID=Europe/Oslo:" + day + "T094500", "SUMMARY:Veiledning"}))
		}
		var entries []booking.WaitlistEntry
		for i := range 7 {
			w.clock.set(start.Add(time.Duration(i) * time.Second))
			e, _ := w.join(fmt.Sprintf("Student%d", i))
			entries = append(entries, e)
		}
		replica := func() *scheduling.Waitlist {
			svc := scheduling.New(scheduling.Config{Store: txStore{Store: s}, Location: w.loc, Now: w.clock.now,
				BaseURL: "https://veileder.example", MaxConcurrentBookings: maxBookings(s), TokenKey: []byte(testKey)})
			return svc.Waitlist(s, scheduling.WaitlistConfig{Hold: 30 * time.Minute})
		}
		a, b := replica(), replica()
		var wg sync.WaitGroup
		made := make([]int, 2)
		for i, r := range []*scheduling.Waitlist{a, b} {
			wg.Go(func() {
				for range 5 {
					n, err := r.RunMatching(w.ctx, fmt.Sprintf("replica-%d", i))
					if err != nil {
						t.Error(err)
						return
					}
					made[i] += n
				}
			})
		}
		wg.Wait()
		if made[0]+made[1] != 5 {
			t.Errorf("offers made: %v, want 5 in all (five free times)", made)
		}
		held := map[time.Time]int64{}
		for _, e := range entries {
			os, err := s.OffersOfEntry(w.ctx, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			open := 0
			for _, o := range os {
				if o.Status != booking.OfferOpen {
					continue
				}
				open++
				if other, dup := held[o.Start]; dup {
					t.Errorf("%s offered to entries %d and %d", o.Start.In(w.loc), other, e.ID)
				}
				held[o.Start] = e.ID
			}
			if open > 1 {
				t.Errorf("entry %d holds %d open offers", e.ID, open)
			}
		}
		// First come, first served: the five first hold the five times.
		for i, e := range entries {
			_, _, ok := w.openOffer(e)
			if ok != (i < 5) {
				t.Errorf("entry %d (joined %d.) has an offer: %v", e.ID, i+1, ok)
			}
		}
	})
}

// TestWaitlistLeaveAndLimits: leaving frees the offered time for the next
// in the queue; joining twice for a topic is a conflict; an accept that
// the student's booking limit refuses books nothing and leaves the offer
// standing.
func TestWaitlistLeaveAndLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newWaitlistFixture(t, s)
		first, firstLeave := w.join("First")
		w.clock.set(start.Add(time.Second))
		second, _ := w.join("Second")
		if _, _, err := w.wl.Join(w.ctx, booking.WaitlistRequest{TopicSlug: "zotero", Name: "Again", Email: "FIRST@student.example", Consent: true}); !errors.Is(err, booking.ErrConflict) {
			t.Errorf("joining twice: %v, want ErrConflict", err)
		}
		if _, _, err := w.wl.Join(w.ctx, booking.WaitlistRequest{TopicSlug: "zotero", Name: "No", Email: "no@student.example"}); !errors.Is(err, booking.ErrInvalid) {
			t.Errorf("joining without consent: %v, want ErrInvalid", err)
		}
		if n := w.match("a"); n != 1 {
			t.Fatalf("offers: %d, want 1", n)
		}
		if _, _, ok := w.openOffer(first); !ok {
			t.Fatal("the first has no offer")
		}
		e, _, err := w.wl.Leave(w.ctx, firstLeave)
		if err != nil || e.Status != booking.WaitlistLeft {
			t.Fatalf("leave: %+v, %v", e, err)
		}
		if _, _, ok := w.openOffer(first); ok {
			t.Error("an entry that left still holds its offer")
		}
		if n := w.match("a"); n != 1 {
			t.Fatalf("offers after the first left: %d, want 1", n)
		}
		o, token, ok := w.openOffer(second)
		if !ok {
			t.Fatal("the second has no offer")
		}
		// The student meanwhile booked as many times as allowed in
		// another topic.
		if err := s.AddCompetence(w.ctx, w.ingrid.ID, "jus", booking.LevelPrimary, nil); err != nil {
			t.Fatal(err)
		}
		w.weekly(w.ingrid, "tue", ";BYDAY=TU")
		for i, at := range []string{"2026-03-24 09:00", "2026-03-24 10:00"} {
			r := request(w.local(at), "second@student.example")
			r.TopicSlug = "jus"
			if _, _, err := w.svc.Book(w.ctx, r); err != nil {
				t.Fatalf("booking %d: %v", i, err)
			}
		}
		if _, _, err := w.wl.Accept(w.ctx, token); !errors.Is(err, booking.ErrLimitReached) {
			t.Errorf("accept over the limit: %v, want ErrLimitReached", err)
		}
		os, err := s.OffersOfEntry(w.ctx, second.ID)
		if err != nil || len(os) != 1 || os[0].ID != o.ID || os[0].Status != booking.OfferOpen || os[0].BookingID != 0 {
			t.Errorf("offer after a refused accept: %+v, %v", os, err)
		}
		bs, err := s.BookingsOfLibrarian(w.ctx, w.ingrid.ID, w.at.Add(-time.Hour), w.at.Add(time.Hour))
		if err != nil || len(bs) != 0 {
			t.Errorf("bookings at the offered time: %+v, %v", bs, err)
		}
	})
}

// TestBookingEndsTheWait: a student who books a time of the topic the
// normal way leaves its waitlist, and the time held for them is freed.
func TestBookingEndsTheWait(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newWaitlistFixture(t, s)
		e, leave := w.join("Dora")
		if n := w.match("a"); n != 1 {
			t.Fatalf("offers: %d, want 1", n)
		}
		w.weekly(w.ingrid, "tue", ";BYDAY=TU")
		if _, _, err := w.svc.Book(w.ctx, request(w.local("2026-03-24 09:00"), "DORA@student.example")); err != nil {
			t.Fatal(err)
		}
		got, _, err := w.wl.Entry(w.ctx, leave)
		if err != nil || got.Status != booking.WaitlistBooked {
			t.Errorf("entry after a booking of the topic: %+v, %v", got, err)
		}
		if _, _, ok := w.openOffer(e); ok {
			t.Error("the offer still holds its time")
		}
		if got := w.slots(); len(got) == 0 || got[0] != "03-23 09:00 CET" {
			t.Errorf("slots after the wait ended: %v, want the held time free again first", got)
		}
	})
}

// TestWaitlistPrivacy: the export holds the address's entries and offers;
// erasure deletes them and frees what they held; the retention purge
// deletes entries that ended before its cut-off and keeps those waiting.
func TestWaitlistPrivacy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newWaitlistFixture(t, s)
		p := w.svc.Privacy(s)
		_, annLeave := w.join("Ann")
		w.join("Bob")
		if n := w.match("a"); n != 1 {
			t.Fatalf("offers: %d, want 1", n)
		}
		x, err := p.Export(w.ctx, "ANN@student.example")
		if err != nil {
			t.Fatal(err)
		}
		if len(x.Waitlist) != 1 || x.Waitlist[0].Email != "ann@student.example" || x.Waitlist[0].Topic != "Zotero" ||
			len(x.Waitlist[0].Offers) != 1 || x.Waitlist[0].Offers[0].Status != booking.OfferOpen {
			t.Errorf("export: %+v", x.Waitlist)
		}
		if _, err := p.Erase(w.ctx, "ann@student.example"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := w.wl.Entry(w.ctx, annLeave); !errors.Is(err, booking.ErrNotFound) {
			t.Errorf("erased entry: %v, want ErrNotFound", err)
		}
		if x, err := p.Export(w.ctx, "ann@student.example"); err != nil || len(x.Waitlist) != 0 {
			t.Errorf("export after erasure: %+v, %v", x.Waitlist, err)
		}
		// The time Ann held is free again: Bob is offered it.
		if n := w.match("a"); n != 1 {
			t.Errorf("offers after erasure: %d, want 1", n)
		}

		// Retention: Bob leaves; 90 days later his entry goes, a newer
		// waiting one stays.
		bobs, _, err := s.WaitlistEntriesByEmail(w.ctx, "bob@student.example")
		if err != nil || len(bobs) != 1 {
			t.Fatalf("Bob's entries: %+v, %v", bobs, err)
		}
		if _, _, err := w.wl.Leave(w.ctx, mustLeaveToken(t, w, bobs[0])); err != nil {
			t.Fatal(err)
		}
		w.clock.set(start.Add(91 * 24 * time.Hour))
		carl, _ := w.join("Carl")
		if _, err := p.RunRetention(w.ctx, 90*24*time.Hour, "a"); err != nil {
			t.Fatal(err)
		}
		if got, _, _ := s.WaitlistEntriesByEmail(w.ctx, "bob@student.example"); len(got) != 0 {
			t.Errorf("Bob's entry after retention: %+v", got)
		}
		if got, _, _ := s.WaitlistEntriesByEmail(w.ctx, "carl@student.example"); len(got) != 1 || got[0].ID != carl.ID {
			t.Errorf("Carl's entry after retention: %+v", got)
		}
	})
}
