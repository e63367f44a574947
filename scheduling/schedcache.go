package scheduling

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/veileder/veileder/booking"
)

// A slot search needs, for every librarian with the competence, the
// windows and busy time of their own calendars over the horizon. Reading
// and expanding those objects was nearly all a search cost, and between
// two searches they rarely change. So each calendar's expanded windows or
// busy intervals are kept here, computed for a span a little wider than
// the horizon, under the calendar's sync position and the database's sync
// epoch as the store read them before computing (Store.ScheduleCalendars:
// every write bumps its calendar's position in its own transaction). A
// search reads the calendars of all its librarians in one query and
// recomputes only those whose position moved, so it sees every write that
// committed before it began, whichever replica made it: the state is the
// database's, this is only a memo of what it implies. A booking changes
// one bookings calendar, so the next search reads only that one again.
//
// External events and bookings are not kept: they are stored ready to use
// (external events are expanded at fetch time), and a search reads them
// for all its librarians in one query each.

// cachedCalendar is one calendar expanded over [lo, hi).
type cachedCalendar struct {
	// key is the calendar's position with the inputs that shaped the
	// windows: the topics known (which tags narrow a window) and the
	// librarian's campus (a window's default place).
	key     string
	lo, hi  time.Time
	windows []booking.Window
	busy    []booking.Interval
}

// calendarCacheSize bounds the calendars kept: every calendar of a large
// library's librarians, each a few kilobytes.
const calendarCacheSize = 16384

// calendarKey is the key a calendar's entry must have to be used.
func calendarKey(epoch string, cal booking.Calendar, topics, campus string) string {
	return epoch + "/" + strconv.FormatInt(cal.ID, 10) + ":" + strconv.FormatInt(cal.SyncSeq, 10) + "|" + topics + "|" + campus
}

// covers says whether the entry holds everything over rg.
func (c *cachedCalendar) covers(key string, rg readRange) bool {
	return c != nil && c.key == key && !c.lo.After(rg.lo) && !c.hi.Before(rg.hi)
}

// clip is the entry's part over rg: exactly what reading the calendar over
// rg gives. An expansion over rg returns the instances that overlap it
// (recurrence.Overlaps), and windows and busy keep only those of positive
// length, for which overlapping is start < hi and end > lo; the order is
// kept, as each object's instances come sorted and objects by name.
func (c *cachedCalendar) clip(rg readRange) (ws []booking.Window, bz []booking.Interval) {
	for _, w := range c.windows {
		if w.Start.Before(rg.hi) && w.End.After(rg.lo) {
			ws = append(ws, w)
		}
	}
	for _, b := range c.busy {
		if b.Start.Before(rg.hi) && b.End.After(rg.lo) {
			bz = append(bz, b)
		}
	}
	return ws, bz
}

// The span computed on a miss starts a day before now (every search's
// range starts at now+MinNotice-Buffer, and a buffer is minutes) and ends
// a few days after the longest range asked of it, so that the horizon
// moving with the clock does not recompute every calendar at every
// search, only every few days.
const (
	spanBefore = 24 * time.Hour
	spanAfter  = 3 * 24 * time.Hour
)

// spanFor is what a miss computes for rg at now, given the entry it
// replaces: the span grows to cover what others asked of the same version
// (topics with longer horizons) rather than taking turns with them.
func spanFor(rg readRange, now time.Time, old *cachedCalendar, key string) readRange {
	lo := now.UTC().Truncate(24 * time.Hour).Add(-spanBefore)
	if rg.lo.Before(lo) {
		lo = rg.lo.Truncate(24 * time.Hour)
	}
	hi := rg.hi
	if old != nil && old.key == key && old.hi.After(hi) {
		hi = old.hi
	}
	hi = hi.Truncate(24 * time.Hour).Add(spanAfter)
	return readRange{lo: lo, hi: hi}
}

// union is the smallest range holding a and b (bounds only).
func union(a, b readRange) readRange {
	if b.lo.Before(a.lo) {
		a.lo = b.lo
	}
	if b.hi.After(a.hi) {
		a.hi = b.hi
	}
	return readRange{lo: a.lo, hi: a.hi}
}

// key is the set of known topics as text, for cache keys.
func (known topicSet) key() string {
	ts := make([]string, 0, len(known))
	for t := range known {
		ts = append(ts, t)
	}
	slices.Sort(ts)
	return strings.Join(ts, ",")
}

// part is one calendar's windows or busy time over a search's range.
type part struct {
	ws []booking.Window
	bz []booking.Interval
}

// schedules returns the schedules of libs over rg, in libs' order: their
// own calendars from the cache where the positions read now match, the
// rest read and expanded (a few at a time) and kept, and their external
// events and bookings read for all of them at once. span is the range a
// miss computes beside rg (a search's whole horizon), so that a booking's
// narrow read keeps the entry good for the next search. epoch is the sync
// epoch read, for the booking's re-check under the lock (scheduleInTx).
func (s *Service) schedules(ctx context.Context, libs []booking.Librarian, rg, span readRange, known topicSet) ([]booking.LibrarianSchedule, string, error) {
	if rg.moving.ID != 0 || s.noScheduleCache {
		scheds, err := s.schedulesUncached(ctx, libs, rg, known)
		return scheds, "", err
	}
	ids := make([]int64, len(libs))
	for i, l := range libs {
		ids[i] = l.ID
	}
	// The calendars first: what is computed below is at least as new as
	// the positions read, so an entry is never older than its key says.
	epoch, cals, err := s.store.ScheduleCalendars(ctx, ids)
	if err != nil {
		return nil, "", err
	}
	now := s.now()
	topics := known.key()
	parts := make([][]part, len(libs))
	var errs []error
	var mu sync.Mutex
	sem := make(chan struct{}, readParallelism)
	var wg sync.WaitGroup
	for i, lib := range libs {
		parts[i] = make([]part, len(cals[lib.ID]))
		for j, cal := range cals[lib.ID] {
			key := calendarKey(epoch, cal, topics, lib.Campus)
			old, _ := s.calCache.Get(cal.ID)
			if old.covers(key, rg) {
				parts[i][j].ws, parts[i][j].bz = old.clip(rg)
				continue
			}
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				p, err := s.refresh(ctx, lib, cal, rg, spanFor(union(rg, span), now, old, key), known, key)
				if err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
				parts[i][j] = p
			})
		}
	}
	// External events and bookings meanwhile, for everybody in one query
	// each.
	evs, err := s.store.ExternalEventsOfUsers(ctx, ids, rg.lo, rg.hi)
	if err != nil {
		wg.Wait()
		return nil, "", err
	}
	bs, err := s.store.BookingsOfLibrarians(ctx, ids, rg.weekLo, rg.weekHi)
	if err != nil {
		wg.Wait()
		return nil, "", err
	}
	hs, err := s.store.HoldsOfLibrarians(ctx, ids, rg.weekLo, rg.weekHi, holdsAt(rg, now))
	wg.Wait()
	if err != nil {
		return nil, "", err
	}
	if err := errors.Join(errs...); err != nil {
		return nil, "", err
	}
	out := make([]booking.LibrarianSchedule, len(libs))
	for i, lib := range libs {
		out[i].Librarian = lib
		for _, p := range parts[i] {
			out[i].Windows = append(out[i].Windows, p.ws...)
			out[i].Busy = append(out[i].Busy, p.bz...)
		}
		s.addReads(&out[i], evs[lib.ID], bs[lib.ID], rg, known)
		addHolds(&out[i], hs[lib.ID], rg)
	}
	return out, epoch, nil
}

// refresh computes the calendar over span, keeps it under key and returns
// its part over rg. An expansion cut short by a cap holds only for the
// range it was made for, so then nothing is kept and rg is read as it is.
func (s *Service) refresh(ctx context.Context, lib booking.Librarian, cal booking.Calendar, rg, span readRange, known topicSet, key string) (part, error) {
	ws, bz, truncated, err := s.calendarPart(ctx, s.store, lib, cal, span, known)
	if err != nil {
		return part{}, err
	}
	if truncated {
		ws, bz, _, err = s.calendarPart(ctx, s.store, lib, cal, rg, known)
		return part{ws, bz}, err
	}
	c := &cachedCalendar{key: key, lo: span.lo, hi: span.hi, windows: ws, busy: bz}
	s.calCache.Add(cal.ID, c)
	var p part
	p.ws, p.bz = c.clip(rg)
	return p, nil
}

// scheduleInTx is schedule for the booking's re-check inside the
// transaction that holds the librarian's lock: the calendars and their
// positions are read in the transaction, and a calendar kept at the
// position read there (under the epoch the search before the lock read)
// is taken from the cache, since it then has the very members the
// transaction would read; any other is read in the transaction.
func (s *Service) scheduleInTx(ctx context.Context, tx Tx, lib booking.Librarian, rg readRange, known topicSet, epoch string) (librarianData, error) {
	if epoch == "" || rg.moving.ID != 0 || s.noScheduleCache {
		return s.schedule(ctx, tx, lib, rg, known)
	}
	d := librarianData{sched: booking.LibrarianSchedule{Librarian: lib}}
	cals, err := tx.Calendars(ctx, lib.ID)
	if err != nil {
		return d, fmt.Errorf("calendars of librarian %d: %w", lib.ID, err)
	}
	topics := known.key()
	for _, cal := range cals {
		if cal.OwnerID != lib.ID {
			continue
		}
		if cal.Kind == booking.KindBookings && !d.hasBookings {
			d.bookingsCal, d.hasBookings = cal, true
		}
		var ws []booking.Window
		var bz []booking.Interval
		if c, _ := s.calCache.Get(cal.ID); c.covers(calendarKey(epoch, cal, topics, lib.Campus), rg) {
			ws, bz = c.clip(rg)
		} else if ws, bz, _, err = s.calendarPart(ctx, tx, lib, cal, rg, known); err != nil {
			return d, err
		}
		d.sched.Windows = append(d.sched.Windows, ws...)
		d.sched.Busy = append(d.sched.Busy, bz...)
	}
	evs, err := tx.ExternalEvents(ctx, lib.ID, rg.lo, rg.hi)
	if err != nil {
		return d, fmt.Errorf("external events of librarian %d: %w", lib.ID, err)
	}
	bs, err := tx.BookingsOfLibrarian(ctx, lib.ID, rg.weekLo, rg.weekHi)
	if err != nil {
		return d, fmt.Errorf("bookings of librarian %d: %w", lib.ID, err)
	}
	s.addReads(&d.sched, evs, bs, rg, known)
	hs, err := tx.HoldsOfLibrarian(ctx, lib.ID, rg.weekLo, rg.weekHi, holdsAt(rg, s.now()))
	if err != nil {
		return d, fmt.Errorf("waitlist holds of librarian %d: %w", lib.ID, err)
	}
	addHolds(&d.sched, hs, rg)
	return d, nil
}

// holdsAt is the moment holds are judged at: the range's, or now.
func holdsAt(rg readRange, now time.Time) time.Time {
	if !rg.now.IsZero() {
		return rg.now
	}
	return now
}
