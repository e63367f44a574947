package scheduling

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/emersion/go-ical"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/recurrence"
)

// readRange is what one search reads of a librarian's calendars.
type readRange struct {
	// lo and hi bound the windows and busy events read: every slot lies
	// in [lo+Buffer, hi-Buffer], and busy time further out cannot touch
	// one.
	lo, hi time.Time
	// weekLo and weekHi bound the bookings read: whole local ISO weeks
	// around [lo, hi], for the per-day limit and the weekly load that
	// booking.Assign balances.
	weekLo, weekHi time.Time
	// moving is the booking being moved, if any: its own time and event
	// do not block its new time.
	moving booking.Booking
	// now is the moment waitlist holds are judged at: a hold that expired
	// by then no longer blocks its time.
	now time.Time
	// hold is the waitlist offer being accepted, if any: its own hold
	// does not block the booking it becomes.
	hold int64
}

// rangeFor is the read range of a search at now for slots starting in
// [from, to) (zero for open), under rules r.
func (s *Service) rangeFor(r booking.Rules, now, from, to time.Time) readRange {
	lo, hi := now.Add(r.MinNotice), now.Add(r.Horizon)
	if !from.IsZero() && from.After(lo) {
		lo = from
	}
	if !to.IsZero() && to.Add(r.MeetingLength).Before(hi) {
		hi = to.Add(r.MeetingLength)
	}
	if hi.Before(lo) {
		hi = lo
	}
	lo, hi = lo.Add(-r.Buffer).UTC(), hi.Add(r.Buffer).UTC()
	return readRange{lo: lo, hi: hi, weekLo: weekStart(lo, s.loc), weekHi: weekStart(hi, s.loc).AddDate(0, 0, 7), now: now}
}

// weekStart is local midnight of the Monday of t's ISO week in loc, in
// calendar days (a DST week is not 168 hours).
func weekStart(t time.Time, loc *time.Location) time.Time {
	lt := t.In(loc)
	back := (int(lt.Weekday()) + 6) % 7
	return time.Date(lt.Year(), lt.Month(), lt.Day()-back, 0, 0, 0, 0, loc).UTC()
}

// librarianData is one librarian's schedule with the calendar their
// bookings are written to.
type librarianData struct {
	sched       booking.LibrarianSchedule
	bookingsCal booking.Calendar
	hasBookings bool
}

// schedule reads one librarian's schedule over rg with rd, which is the
// store outside a transaction or the transaction inside one. Only objects
// whose indexed bounds overlap rg are read, never a calendar's history.
func (s *Service) schedule(ctx context.Context, rd Reader, lib booking.Librarian, rg readRange, known topicSet) (librarianData, error) {
	d, err := s.ownSchedule(ctx, rd, lib, rg, known)
	if err != nil {
		return d, err
	}
	evs, err := rd.ExternalEvents(ctx, lib.ID, rg.lo, rg.hi)
	if err != nil {
		return d, fmt.Errorf("external events of librarian %d: %w", lib.ID, err)
	}
	bs, err := rd.BookingsOfLibrarian(ctx, lib.ID, rg.weekLo, rg.weekHi)
	if err != nil {
		return d, fmt.Errorf("bookings of librarian %d: %w", lib.ID, err)
	}
	s.addReads(&d.sched, evs, bs, rg, known)
	return d, nil
}

// ownSchedule reads the windows and busy time of the librarian's own
// calendars over rg (not their external calendars and bookings, which
// addReads adds).
func (s *Service) ownSchedule(ctx context.Context, rd Reader, lib booking.Librarian, rg readRange, known topicSet) (librarianData, error) {
	d := librarianData{sched: booking.LibrarianSchedule{Librarian: lib}}
	cals, err := rd.Calendars(ctx, lib.ID)
	if err != nil {
		return d, fmt.Errorf("calendars of librarian %d: %w", lib.ID, err)
	}
	for _, cal := range cals {
		if cal.OwnerID != lib.ID {
			continue // shared calendars (drop-in) are not the librarian's time
		}
		if cal.Kind == booking.KindBookings && !d.hasBookings {
			d.bookingsCal, d.hasBookings = cal, true
		}
		ws, bz, _, err := s.calendarPart(ctx, rd, lib, cal, rg, known)
		if err != nil {
			return d, err
		}
		d.sched.Windows = append(d.sched.Windows, ws...)
		d.sched.Busy = append(d.sched.Busy, bz...)
	}
	hs, err := rd.HoldsOfLibrarian(ctx, lib.ID, rg.weekLo, rg.weekHi, rg.now)
	if err != nil {
		return d, fmt.Errorf("waitlist holds of librarian %d: %w", lib.ID, err)
	}
	addHolds(&d.sched, hs, rg)
	return d, nil
}

// addHolds adds the times held for students on the waitlist: each counts
// as a booking (its buffers, the per-day limit, the weekly load), so that
// nobody else may book it while the offer stands (waitlist.go), except
// the offer being accepted (rg.hold). Every path that reads a schedule
// (the uncached one, the kept schedules, the re-check under the lock)
// goes through here.
func addHolds(ls *booking.LibrarianSchedule, hs []booking.WaitlistOffer, rg readRange) {
	for _, h := range hs {
		if h.ID != rg.hold {
			ls.Bookings = append(ls.Bookings, booking.Interval{Start: h.Start, End: h.End})
		}
	}
}

// calendarPart reads one of the librarian's own calendars over rg: the
// windows of an availability calendar, the busy time of any other.
// truncated says an expansion was cut short by a cap, so that what it
// found holds for rg only.
func (s *Service) calendarPart(ctx context.Context, rd Reader, lib booking.Librarian, cal booking.Calendar, rg readRange, known topicSet) (ws []booking.Window, bz []booking.Interval, truncated bool, err error) {
	objs, err := rd.ObjectsOverlapping(ctx, cal.ID, ical.CompEvent, rg.lo, rg.hi)
	if err != nil {
		return nil, nil, false, fmt.Errorf("events of calendar %d: %w", cal.ID, err)
	}
	for _, obj := range objs {
		if rg.moving.ID != 0 && cal.Kind == booking.KindBookings && obj.UID == rg.moving.EventUID {
			continue
		}
		x := s.expand(cal, obj, rg.lo, rg.hi)
		truncated = truncated || x.Truncated
		if cal.Kind == booking.KindAvailability {
			// A truncated window series offers only what is known.
			ws = append(ws, windows(x.Instances, lib, known)...)
		} else {
			bz = append(bz, expansionBusy(x, rg.hi)...)
		}
	}
	return ws, bz, truncated, nil
}

// addReads adds to a schedule of the librarian's own calendars their
// external events over rg and their active bookings of rg's weeks (but the
// one being moved).
func (s *Service) addReads(ls *booking.LibrarianSchedule, evs []booking.ExternalEvent, bs []booking.Booking, rg readRange, known topicSet) {
	ws, bz := s.external(evs, ls.Librarian, known)
	ls.Windows = append(ls.Windows, ws...)
	ls.Busy = append(ls.Busy, bz...)
	for _, b := range bs {
		if b.Active() && (rg.moving.ID == 0 || b.ID != rg.moving.ID) {
			ls.Bookings = append(ls.Bookings, booking.Interval{Start: b.Start, End: b.End})
		}
	}
}

// readParallelism bounds the librarians read at once by one search: enough
// to hide query latency, few enough to leave the pool to other requests.
const readParallelism = 8

// schedulesUncached reads the schedules of libs from their calendars, a
// few at a time, in libs' order.
func (s *Service) schedulesUncached(ctx context.Context, libs []booking.Librarian, rg readRange, known topicSet) ([]booking.LibrarianSchedule, error) {
	out := make([]booking.LibrarianSchedule, len(libs))
	errs := make([]error, len(libs))
	sem := make(chan struct{}, readParallelism)
	var wg sync.WaitGroup
	for i, lib := range libs {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			d, err := s.schedule(ctx, s.store, lib, rg, known)
			out[i], errs[i] = d.sched, err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// instances expands one stored object over [lo, hi) in the library's zone.
// An object that cannot be read is skipped with a warning: it passed
// recurrence.Validate when stored, so this is a bug to log, not a reason
// to fail every student's search.
func (s *Service) instances(cal booking.Calendar, obj booking.CalendarObject, lo, hi time.Time) []recurrence.Instance {
	return s.expand(cal, obj, lo, hi).Instances
}

// expand is instances with what a truncated expansion did not learn.
func (s *Service) expand(cal booking.Calendar, obj booking.CalendarObject, lo, hi time.Time) recurrence.Expansion {
	c, err := s.parsed(obj)
	if err != nil {
		s.log.Warn("scheduling: stored object does not parse", "calendar", cal.ID, "name", obj.Name, "err", err)
		return recurrence.Expansion{}
	}
	x, err := recurrence.ExpandSeries(c, lo, hi, recurrence.Options{Location: s.loc})
	if err != nil {
		s.log.Warn("scheduling: stored object does not expand", "calendar", cal.ID, "name", obj.Name, "err", err)
		return recurrence.Expansion{}
	}
	if x.Truncated {
		s.log.Warn("scheduling: expansion truncated", "calendar", cal.ID, "name", obj.Name,
			"instances", len(x.Instances), "busy_from", x.UnknownFrom)
	}
	return x
}

// expansionBusy is the busy time of one expanded object read up to hi. A
// series cut short by a cap counts as busy from where it was cut to hi
// (unless its master is free time): the instances nobody expanded may
// well be there, and offering a student a slot that then fails, or one
// on top of a real meeting, is worse than offering one slot fewer.
func expansionBusy(x recurrence.Expansion, hi time.Time) []booking.Interval {
	out := busy(x.Instances)
	if x.Truncated && x.Master != nil && recurrence.Busy(x.Master) && x.UnknownFrom.Before(hi) {
		out = append(out, booking.Interval{Start: x.UnknownFrom.UTC(), End: hi.UTC()})
	}
	return out
}

// windows turns availability instances into windows. Cancelled instances
// are no window; an override carries its own STATUS, place and tags.
func windows(insts []recurrence.Instance, lib booking.Librarian, known topicSet) []booking.Window {
	var out []booking.Window
	for _, in := range insts {
		c := in.Component
		if c == nil || !in.End.After(in.Start) || status(c) == "CANCELLED" {
			continue
		}
		online, url := recurrence.MeetingMode(c)
		place := text(c, ical.PropLocation)
		if online && url != "" {
			place = url
		}
		if place == "" && !online {
			place = lib.Campus
		}
		out = append(out, booking.Window{
			Start:    in.Start.UTC(),
			End:      in.End.UTC(),
			Topics:   topicTags(c, known),
			Location: place,
			Online:   online,
		})
	}
	return out
}

// external sorts a librarian's external events, read and expanded at
// fetch time (package external) by the rules windows and busy apply here,
// into windows and busy time. Which events are windows is decided now,
// with the topics in force: an event naming a known topic or the
// availability keyword is a window, narrowed to the topics it names, as
// an event in the availability calendar is; the keyword itself never
// narrows. Every other busy event is busy time.
func (s *Service) external(evs []booking.ExternalEvent, lib booking.Librarian, known topicSet) (ws []booking.Window, bz []booking.Interval) {
	for _, e := range evs {
		window := false
		var topics []string
		for _, t := range e.Tags {
			switch {
			case t == s.keyword:
				window = true
			case known[t]:
				window = true
				topics = append(topics, t)
			}
		}
		switch {
		case window:
			place := e.Location
			if place == "" && !e.Online {
				place = lib.Campus
			}
			ws = append(ws, booking.Window{Start: e.Start, End: e.End, Topics: topics, Location: place, Online: e.Online})
		case e.Busy:
			bz = append(bz, booking.Interval{Start: e.Start, End: e.End})
		}
	}
	return ws, bz
}

// busy turns instances of any other own calendar into busy time: all but
// those recurrence.Busy calls free (cancelled, transparent, Outlook's free
// or working elsewhere), judged per instance since an override has its
// own.
func busy(insts []recurrence.Instance) []booking.Interval {
	var out []booking.Interval
	for _, in := range insts {
		if in.Component == nil || !in.End.After(in.Start) || !recurrence.Busy(in.Component) {
			continue
		}
		out = append(out, booking.Interval{Start: in.Start.UTC(), End: in.End.UTC()})
	}
	return out
}

func status(c *ical.Component) string { return recurrence.Status(c) }

func propValue(c *ical.Component, name string) string {
	if p := c.Props.Get(name); p != nil {
		return p.Value
	}
	return ""
}

// text is recurrence.Text, the one reading of a TEXT property.
func text(c *ical.Component, name string) string { return recurrence.Text(c, name) }

// topicTags are the event's tags (recurrence.Tags) that name a known
// topic, which narrow a window to them: an unrelated tag or category
// ("#viktig", CATEGORIES:Work as Apple Calendar sets it) does not close
// the window. A nil known keeps every tag.
func topicTags(c *ical.Component, known topicSet) []string {
	return known.filter(recurrence.Tags(c))
}

// filter keeps the tags in the set, or all of them for a nil set.
func (known topicSet) filter(tags []string) []string {
	var out []string
	for _, t := range tags {
		if known == nil || known[t] {
			out = append(out, t)
		}
	}
	return out
}

// parsed returns the decoded object, from a cache keyed by its ETag (a hash
// of its bytes): a slot search reads every window and busy event of every
// matching librarian, and most of them have not changed since the last
// search. A changed object has a new ETag, so the cache is never stale,
// whichever replica wrote the change. Decoded calendars are only read
// (recurrence.Expand does not change them), so they can be shared.
func (s *Service) parsed(obj booking.CalendarObject) (*ical.Calendar, error) {
	if obj.ETag == "" {
		return recurrence.ParseCalendar(obj.Data)
	}
	if c, ok := s.parseCache.Get(obj.ETag); ok {
		return c, nil
	}
	c, err := recurrence.ParseCalendar(obj.Data)
	if err != nil {
		return nil, err
	}
	s.parseCache.Add(obj.ETag, c)
	return c, nil
}
