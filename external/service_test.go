package external_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/external"
	"github.com/veileder/veileder/scheduling"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// now is the tests' clock: Monday 15 March 2027, 09:00 in Oslo; the
// 28-day booking horizon spans the DST change of 28 March.
var now = time.Date(2027, 3, 15, 8, 0, 0, 0, time.UTC)

type clock struct{ ns atomic.Int64 }

func newClock(t time.Time) *clock         { c := &clock{}; c.set(t); return c }
func (c *clock) now() time.Time           { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) set(t time.Time)          { c.ns.Store(t.UnixNano()) }
func (c *clock) add(d time.Duration)      { c.set(c.now().Add(d)) }
func osloLoc(t testing.TB) *time.Location { return must(time.LoadLocation("Europe/Oslo"))(t) }

// must(f())(t) is f's value, or the test's end on f's error.
func must[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// feedServer serves testdata files, and whatever a test puts in its
// overrides, with ETags, counting the GETs of each path.
type feedServer struct {
	*httptest.Server
	mu        sync.Mutex
	overrides map[string]http.HandlerFunc
	gets      map[string]int
	notMod    map[string]int
}

func newFeedServer(t testing.TB) *feedServer {
	fs := &feedServer{overrides: map[string]http.HandlerFunc{}, gets: map[string]int{}, notMod: map[string]int{}}
	fs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fs.mu.Lock()
		fs.gets[r.URL.Path]++
		h := fs.overrides[r.URL.Path]
		fs.mu.Unlock()
		if h != nil {
			h(w, r)
			return
		}
		name := strings.TrimPrefix(r.URL.Path, "/")
		if i := strings.IndexByte(name, '/'); i >= 0 {
			name = name[:i] // "/google.ics/3" is google.ics
		}
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		etag := fmt.Sprintf(`"%x"`, len(data))
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			fs.mu.Lock()
			fs.notMod[r.URL.Path]++
			fs.mu.Unlock()
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
		w.Write(data)
	}))
	t.Cleanup(fs.Close)
	return fs
}

func (fs *feedServer) set(path string, h http.HandlerFunc) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if h == nil {
		delete(fs.overrides, path)
	} else {
		fs.overrides[path] = h
	}
}

func (fs *feedServer) count(path string) (gets, notModified int) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.gets[path], fs.notMod[path]
}

type fixture struct {
	t     *testing.T
	ctx   context.Context
	s     *store.Store
	clock *clock
	loc   *time.Location
	ext   *external.Service
	feeds *feedServer
}

func newFixture(t *testing.T, s *store.Store) *fixture {
	f := &fixture{t: t, ctx: t.Context(), s: s, clock: newClock(now), loc: osloLoc(t), feeds: newFeedServer(t)}
	f.ext = f.service(s, "replica-a")
	for _, tp := range []booking.Topic{{Slug: "zotero", NameNB: "Zotero", NameEN: "Zotero"}, {Slug: "jus", NameNB: "Jus", NameEN: "Law"}} {
		tp.ServiceSlug = "bibliotekar"
		must(s.CreateTopic(f.ctx, tp))(t)
	}
	return f
}

func (f *fixture) service(s *store.Store, holder string) *external.Service {
	return must(external.New(external.Config{
		Store: s, Location: f.loc, Now: f.clock.now, AllowPrivate: true, Holder: holder,
		Timeout: 2 * time.Second, MaxBytes: 1 << 20,
	}))(f.t)
}

func (f *fixture) librarian(name string, topics ...string) booking.User {
	f.t.Helper()
	u := must(f.s.CreateUser(f.ctx, booking.User{Username: name, DisplayName: name, Email: name + "@uio.example", Role: booking.RoleLibrarian}, "secret-password"))(f.t)
	for _, tp := range topics {
		if err := f.s.AddCompetence(f.ctx, u.ID, tp, booking.LevelPrimary, nil); err != nil {
			f.t.Fatal(err)
		}
	}
	return u
}

// window puts a weekly availability window into a librarian's own
// availability calendar, as a CalDAV client would.
func (f *fixture) window(u booking.User, lines ...string) {
	f.t.Helper()
	cal := must(f.s.CalendarBySlug(f.ctx, u.ID, "availability"))(f.t)
	data := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:w-" + u.Username + "\r\nDTSTAMP:20270101T000000Z\r\n" +
		strings.Join(lines, "\r\n") + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	obj := must(storetest.Object(cal, "w.ics", []byte(data), f.loc))(f.t)
	if _, _, err := f.s.PutObject(f.ctx, obj, booking.WriteCondition{}); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) slots(topic string) []booking.Slot {
	f.t.Helper()
	svc := scheduling.New(scheduling.Config{Store: storetest.SchedulingStore{Store: f.s}, Location: f.loc, Now: f.clock.now})
	return must(svc.Slots(f.ctx, booking.SlotSearch{TopicSlug: topic}))(f.t)
}

func (f *fixture) busy(userID int64) []booking.ExternalEvent {
	f.t.Helper()
	var out []booking.ExternalEvent
	for _, e := range must(f.s.ExternalEvents(f.ctx, userID, now.Add(-24*time.Hour), now.Add(400*24*time.Hour)))(f.t) {
		if e.Busy && len(e.Tags) == 0 {
			out = append(out, e)
		}
	}
	return out
}

func offeredBy(s booking.Slot, id int64) (booking.Offer, bool) {
	for _, o := range s.Offers {
		if o.LibrarianID == id {
			return o, true
		}
	}
	return booking.Offer{}, false
}

// TestExternalCalendarInSlotSearch: slots never overlap a librarian's
// external busy time, and tagged external events open windows, on both
// databases, with the feeds served over HTTP.
func TestExternalCalendarInSlotSearch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		// Ola offers guidance only from Outlook; Kari has her own weekday
		// windows and busy time in Outlook and a busy-only feed.
		ola := f.librarian("ola", "zotero", "jus")
		kari := f.librarian("kari", "zotero")
		f.window(kari, "DTSTART;TZID=Europe/Oslo:20270301T080000", "DTEND;TZID=Europe/Oslo:20270301T160000", "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "SUMMARY:Veiledning")
		before := f.slots("zotero")

		for _, add := range []struct {
			u    booking.User
			path string
		}{{ola, "/outlook.ics"}, {kari, "/outlook.ics"}, {kari, "/outlook-busy-only.ics"}} {
			c, err := f.ext.Add(f.ctx, add.u.ID, f.feeds.URL+add.path, "Outlook")
			if err != nil {
				t.Fatalf("add %s for %s: %v", add.path, add.u.Username, err)
			}
			if c.State != booking.ExternalOK || c.Events == 0 || c.Error != "" {
				t.Errorf("added %s: got %+v, want ok with events", add.path, c)
			}
		}
		after := f.slots("zotero")

		// Ola: slots only inside his tagged Outlook windows: Thursdays
		// 09–12 #zotero, and Wednesday 31 March 13–15 #veiledning online.
		type win struct {
			start, end string
			online     bool
		}
		olaWindows := []win{
			{"2027-03-18 09:00", "2027-03-18 12:00", false}, {"2027-03-25 09:00", "2027-03-25 12:00", false},
			{"2027-03-31 13:00", "2027-03-31 15:00", true}, {"2027-04-01 09:00", "2027-04-01 12:00", false},
		}
		seen := map[string]bool{}
		for _, sl := range after {
			o, ok := offeredBy(sl, ola.ID)
			if !ok {
				continue
			}
			in := false
			for _, w := range olaWindows {
				ws := must(time.ParseInLocation("2006-01-02 15:04", w.start, f.loc))(t)
				we := must(time.ParseInLocation("2006-01-02 15:04", w.end, f.loc))(t)
				if !sl.Start.Before(ws) && !sl.End.After(we) && sl.Online == w.online {
					in, seen[w.start] = true, true
					if w.online && !strings.HasPrefix(o.Location, "https://teams.microsoft.com/") {
						t.Errorf("online slot %v: got place %q, want the Teams link", sl.Start, o.Location)
					}
					if !w.online && o.Location != "Georg Sverdrups hus, rom 2.12" {
						t.Errorf("slot %v: got place %q, want the window's location", sl.Start, o.Location)
					}
				}
			}
			if !in {
				t.Errorf("ola offered at %v–%v (online %v), outside his Outlook windows", sl.Start.In(f.loc), sl.End.In(f.loc), sl.Online)
			}
		}
		for _, w := range olaWindows {
			if !seen[w.start] {
				t.Errorf("no slot of ola in his Outlook window at %s", w.start)
			}
		}
		// "#zotero" narrows the Thursday windows; "#veiledning" does not.
		for _, sl := range f.slots("jus") {
			if _, ok := offeredBy(sl, ola.ID); ok && !sl.Online {
				t.Errorf("ola offered for jus at %v, in a window narrowed to zotero", sl.Start.In(f.loc))
			}
		}

		// Kari: no slot overlaps her external busy time, and some of her
		// slots were taken away by it.
		busy := f.busy(kari.ID)
		if len(busy) == 0 {
			t.Fatal("no busy external events stored for kari")
		}
		karis := func(slots []booking.Slot) int {
			n := 0
			for _, sl := range slots {
				if _, ok := offeredBy(sl, kari.ID); ok {
					n++
				}
			}
			return n
		}
		for _, sl := range after {
			if _, ok := offeredBy(sl, kari.ID); !ok {
				continue
			}
			for _, b := range busy {
				if sl.Start.Before(b.End) && b.Start.Before(sl.End) {
					t.Errorf("kari offered at %v–%v over external busy %v–%v", sl.Start.In(f.loc), sl.End.In(f.loc), b.Start.In(f.loc), b.End.In(f.loc))
				}
			}
		}
		if b, a := karis(before), karis(after); a >= b || a == 0 {
			t.Errorf("kari's slots: %d before her external calendars, %d after; want fewer, not none", b, a)
		}
		// The all-day OOF on Monday 5 April blocks the whole local day.
		for _, sl := range after {
			if _, ok := offeredBy(sl, kari.ID); ok && sl.Start.In(f.loc).Format("01-02") == "04-05" {
				t.Errorf("kari offered at %v, on her day out of office", sl.Start.In(f.loc))
			}
		}

		// Removing the calendars gives her time back.
		for _, c := range must(f.ext.List(f.ctx, kari.ID))(t) {
			if err := f.ext.Remove(f.ctx, kari.ID, c.ID); err != nil {
				t.Fatal(err)
			}
		}
		if b, a := karis(before), karis(f.slots("zotero")); a != b {
			t.Errorf("kari's slots after removing her external calendars: got %d, want %d", a, b)
		}
	})
}

// TestBadFeeds: a bad address or feed is refused at once with a clear
// message and nothing stored; a calendar whose feed turns bad keeps its
// last good events, is marked failing with the reason, and is flagged
// (and its librarian mailed, once a day) after FlagAfter. 304 keeps the
// stored state.
func TestBadFeeds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ola := f.librarian("ola", "zotero")
		html := func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "<html><head><title>Outlook</title></head><body>Sign in</body></html>")
		}
		binary := func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")) }
		huge := func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "BEGIN:VCALENDAR\r\n")
			w.Write(bytes.Repeat([]byte("X-FILL:"+strings.Repeat("x", 70)+"\r\n"), 20000))
		}
		drip := func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "BEGIN:VCALENDAR\r\n")
			for {
				select {
				case <-r.Context().Done():
					return
				case <-time.After(100 * time.Millisecond):
				}
				w.Write([]byte("X"))
				w.(http.Flusher).Flush()
			}
		}
		million := func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nBEGIN:VEVENT\r\nUID:m@x\r\nDTSTAMP:20270101T000000Z\r\n"+
				"DTSTART:20270301T000000Z\r\nDURATION:PT1M\r\nRRULE:FREQ=MINUTELY;COUNT=1000000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
		}
		status := func(code int) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", code) }
		}
		// Each refusal carries its reason, which the staff pages say in
		// the librarian's language.
		bad := []struct {
			name   string
			h      http.HandlerFunc
			want   string
			reason external.Reason
		}{
			{"html", html, "a web page, not a calendar", external.ReasonHTML},
			{"binary", binary, "binary data", external.ReasonBinary},
			{"oversized", huge, "larger than 1 MiB", external.ReasonTooBig},
			{"slow drip", drip, "did not send the calendar within 2s", external.ReasonTimeout},
			{"a million instances", million, "more than 50000 events", external.ReasonTooMany},
			{"server error", status(http.StatusInternalServerError), "answered 500", external.ReasonServerError},
			{"unpublished", status(http.StatusNotFound), "no calendar at this address", external.ReasonNotFound},
		}
		reasonOf := func(err error) external.Reason {
			var fe *external.FeedError
			if !errors.As(err, &fe) || !errors.Is(err, booking.ErrInvalid) {
				return ""
			}
			return fe.Reason
		}
		for _, b := range bad {
			path := "/bad/" + strings.ReplaceAll(b.name, " ", "-")
			f.feeds.set(path, b.h)
			_, err := f.ext.Add(f.ctx, ola.ID, f.feeds.URL+path, b.name)
			if err == nil || !strings.Contains(err.Error(), b.want) {
				t.Errorf("add %s: got %v, want an error saying %q", b.name, err, b.want)
			}
			if got := reasonOf(err); got != b.reason {
				t.Errorf("add %s: got reason %q, want %q", b.name, got, b.reason)
			}
		}
		for u, want := range map[string]external.Reason{
			"not a url": external.ReasonNotURL, "ftp://example.org/x.ics": external.ReasonScheme,
			"https://user:pw@example.org/x.ics": external.ReasonUserinfo, "  ": external.ReasonEmpty,
		} {
			_, err := f.ext.Add(f.ctx, ola.ID, u, "")
			if got := reasonOf(err); err == nil || got != want {
				t.Errorf("add %q: got %v (reason %q), want reason %q", u, err, got, want)
			}
		}
		if cs := must(f.ext.List(f.ctx, 0))(t); len(cs) != 0 {
			t.Fatalf("after bad feeds: got %d calendars stored, want none", len(cs))
		}

		// A good calendar.
		c := must(f.ext.Add(f.ctx, ola.ID, f.feeds.URL+"/outlook.ics", "Outlook"))(t)
		good := must(s.ExternalEvents(f.ctx, ola.ID, now.Add(-48*time.Hour), now.Add(400*24*time.Hour)))(t)
		if err := s.SetExternalPrefs(f.ctx, ola.ID, booking.ExternalPrefs{NotifyFailing: true}); err != nil {
			t.Fatal(err)
		}
		refresh := func() external.Outcome {
			t.Helper()
			out := must(f.ext.RefreshNow(f.ctx, ola.ID))(t)
			if len(out) != 1 {
				t.Fatalf("refresh: got %d outcomes, want 1", len(out))
			}
			return out[0]
		}
		same := func(step string) {
			t.Helper()
			got := must(s.ExternalEvents(f.ctx, ola.ID, now.Add(-48*time.Hour), now.Add(400*24*time.Hour)))(t)
			if len(got) != len(good) {
				t.Errorf("%s: got %d events, want the %d of the last good fetch", step, len(got), len(good))
			}
		}

		// 304 keeps the stored state.
		f.clock.add(time.Minute)
		o := refresh()
		if _, nm := f.feeds.count("/outlook.ics"); nm != 1 || o.Err != "" || o.Calendar.State != booking.ExternalOK || o.Calendar.Events != c.Events ||
			!o.Calendar.LastFetched.Equal(f.clock.now().Truncate(time.Second)) {
			t.Errorf("after 304: got %+v, %d not-modified answers; want ok, %d events, fetched now", o, nm, c.Events)
		}
		same("after 304")

		// The feed turns bad in each way: nothing changes but the state.
		failingSince := f.clock.now().Add(time.Minute).Truncate(time.Second)
		for _, b := range bad {
			f.clock.add(time.Minute)
			f.feeds.set("/outlook.ics", b.h)
			o := refresh()
			if o.Calendar.State != booking.ExternalFailing || !strings.Contains(o.Calendar.Error, b.want) ||
				strings.Contains(o.Calendar.Error, f.feeds.URL) || !o.Calendar.FailingSince.Equal(failingSince) {
				t.Errorf("feed turned %s: got %+v, want failing since %v saying %q", b.name, o.Calendar, failingSince, b.want)
			}
			if o.Calendar.Reason != string(b.reason) {
				t.Errorf("feed turned %s: got reason %q stored, want %q", b.name, o.Calendar.Reason, b.reason)
			}
			same("feed turned " + b.name)
		}
		if o := refresh(); o.Calendar.Flagged(f.clock.now(), f.ext.FlagAfter()) {
			t.Errorf("flagged after %v of failures, want only after %v", f.clock.now().Sub(failingSince), f.ext.FlagAfter())
		}
		// Past FlagAfter it is flagged, and the librarian gets one e-mail
		// a day however often the job runs.
		f.clock.add(f.ext.FlagAfter())
		for range 3 {
			if _, err := f.ext.RefreshDue(f.ctx); err != nil {
				t.Fatal(err)
			}
			f.clock.add(20 * time.Minute)
		}
		cur := must(s.ExternalCalendar(f.ctx, c.ID))(t)
		if !cur.Flagged(f.clock.now(), f.ext.FlagAfter()) {
			t.Errorf("after %v failing: got %+v, want flagged", f.clock.now().Sub(failingSince), cur)
		}
		states, flagged := must2(t)(f.ext.FeedCounts(f.ctx))
		if states[booking.ExternalFailing] != 1 || flagged != 1 {
			t.Errorf("feed counts: got %v, %d flagged; want one failing, flagged", states, flagged)
		}
		mails := 0
		for _, m := range must(s.ClaimMessages(f.ctx, f.clock.now(), time.Minute, 100))(t) {
			if m.Kind == booking.MessageExternalFailing && m.ExternalCalendarID == c.ID {
				mails++
			}
		}
		if mails != 1 {
			t.Errorf("failing-feed e-mails: got %d, want 1", mails)
		}
		same("while flagged")

		// Back to good.
		f.feeds.set("/outlook.ics", nil)
		if o := refresh(); o.Calendar.State != booking.ExternalOK || !o.Calendar.FailingSince.IsZero() || o.Err != "" || o.Calendar.Reason != "" {
			t.Errorf("recovered: got %+v, want ok", o.Calendar)
		}
	})
}

func must2(t testing.TB) func(map[booking.ExternalState]int64, int64, error) (map[booking.ExternalState]int64, int64) {
	return func(m map[booking.ExternalState]int64, n int64, err error) (map[booking.ExternalState]int64, int64) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return m, n
	}
}

// TestReplicasFetchOncePerPeriod: two replicas (two stores, two job
// runners) on one database run the refresh job at the same moments;
// each feed is fetched once per period.
func TestReplicasFetchOncePerPeriod(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			cfg := storetest.NewConfig(t, d)
			open := func() *store.Store {
				s := must(store.OpenWith(t.Context(), cfg))(t)
				t.Cleanup(func() { s.Close() })
				return s
			}
			s1, s2 := open(), open()
			f := newFixture(t, s1)
			replicas := []*external.Service{f.service(s1, "replica-1"), f.service(s2, "replica-2")}
			const feeds = 6
			var paths []string
			for i := range feeds {
				u := f.librarian(fmt.Sprintf("lib%d", i), "zotero")
				// google.ics gives no refresh hint: the default period.
				p := fmt.Sprintf("/google.ics/%d", i)
				paths = append(paths, p)
				if _, err := s1.AddExternalCalendar(f.ctx, booking.ExternalCalendar{UserID: u.ID, URL: f.feeds.URL + p}); err != nil {
					t.Fatal(err)
				}
			}
			const periods = 4
			for period := 1; period <= periods; period++ {
				// Several ticks per period, both replicas at once.
				for tick := 0; tick < 3; tick++ {
					var wg sync.WaitGroup
					for _, r := range replicas {
						wg.Go(func() {
							if _, err := r.RefreshDue(f.ctx); err != nil {
								t.Error(err)
							}
						})
					}
					wg.Wait()
					f.clock.add(time.Minute)
				}
				for _, p := range paths {
					if got, _ := f.feeds.count(p); got != period {
						t.Errorf("period %d: feed %s fetched %d times, want %d", period, p, got, period)
					}
				}
				f.clock.add(external.DefaultRefresh - 3*time.Minute)
			}
		})
	}
}

// TestBookingQueuesInvitations: booking and cancelling with a librarian
// who has an external calendar queues their iMIP invitation next to the
// student's message, with the booking's sequence.
func TestBookingQueuesInvitations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ola := f.librarian("ola", "zotero")
		if _, err := f.ext.Add(f.ctx, ola.ID, f.feeds.URL+"/outlook.ics", "Outlook"); err != nil {
			t.Fatal(err)
		}
		svc := scheduling.New(scheduling.Config{Store: storetest.SchedulingStore{Store: s}, Location: f.loc, Now: f.clock.now})
		slots := must(svc.Slots(f.ctx, booking.SlotSearch{TopicSlug: "zotero"}))(t)
		if len(slots) == 0 {
			t.Fatal("no slots")
		}
		v, token, err := svc.Book(f.ctx, booking.Request{TopicSlug: "zotero", Start: slots[0].Start, StudentName: "Kari Student",
			StudentEmail: "kari@student.example", Consent: true, Mode: booking.ModeAny})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Cancel(f.ctx, token); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range must(s.ClaimMessages(f.ctx, f.clock.now().Add(time.Hour), time.Minute, 100))(t) {
			if m.Kind == booking.MessageLibrarianInvite && m.BookingID == v.ID {
				got = append(got, fmt.Sprint(m.Sequence))
			}
		}
		if strings.Join(got, ",") != "0,1" {
			t.Errorf("invitations queued: got sequences %q, want 0 (booked) and 1 (cancelled)", got)
		}
	})
}
