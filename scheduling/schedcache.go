package scheduling

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/veileder/veileder/booking"
)

// A slot search needs, for every librarian with the competence, the
// windows and busy time of their own calendars over the horizon. Reading
// and expanding those objects is nearly all a search costs, and between
// two searches they rarely change. So each librarian's expanded windows
// and busy intervals are kept here, computed for a span a little wider
// than the horizon, under the version of their calendars that the store
// read before computing them (Store.ScheduleVersions: the calendars' sync
// positions, which every write bumps in its own transaction, and the sync
// epoch). A search reads the versions of all its librarians in one query
// and recomputes only those whose version moved, so it sees every write
// that committed before it began, whichever replica made it: the state is
// the database's, this is only a memo of what it implies.
//
// External events and bookings are not kept: they are stored ready to use
// (external events are expanded at fetch time), and a search reads them
// for all its librarians in one query each.

// cachedSchedule is one librarian's own calendars expanded over [lo, hi).
type cachedSchedule struct {
	// key is the calendars' version with the inputs that shaped the
	// windows: the topics known (which tags narrow a window) and the
	// librarian's campus (a window's default place).
	key     string
	lo, hi  time.Time
	windows []booking.Window
	busy    []booking.Interval
}

// scheduleCacheSize bounds the librarians kept: every librarian of a large
// library, each a few kilobytes.
const scheduleCacheSize = 4096

// covers says whether the entry holds everything over rg.
func (c *cachedSchedule) covers(key string, rg readRange) bool {
	return c.key == key && !c.lo.After(rg.lo) && !c.hi.Before(rg.hi)
}

// clip is the entry's part over rg: exactly what reading the calendars over
// rg gives. An expansion over rg returns the instances that overlap it
// (recurrence.Overlaps), and windows and busy keep only those of positive
// length, for which overlapping is start < hi and end > lo; the order is
// kept, as each object's instances come sorted and objects by name.
func (c *cachedSchedule) clip(rg readRange) (ws []booking.Window, bz []booking.Interval) {
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
// moving with the clock does not recompute every librarian at every
// search, only every few days.
const (
	spanBefore = 24 * time.Hour
	spanAfter  = 3 * 24 * time.Hour
)

// spanFor is what a miss computes for rg at now, given the entry it
// replaces: the span grows to cover what others asked of the same version
// (topics with longer horizons) rather than taking turns with them.
func spanFor(rg readRange, now time.Time, old *cachedSchedule, key string) readRange {
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

// schedules returns the schedules of libs over rg, in libs' order: their
// own calendars from the cache where the versions read now match, the
// rest read and expanded (a few at a time) and kept, and their external
// events and bookings read for all of them at once. span is the range a
// miss computes beside rg (a search's whole horizon), so that a booking's
// narrow re-read keeps the entry good for the next search.
func (s *Service) schedules(ctx context.Context, libs []booking.Librarian, rg, span readRange, known topicSet) ([]booking.LibrarianSchedule, error) {
	if rg.moving.ID != 0 || s.noScheduleCache {
		return s.schedulesUncached(ctx, libs, rg, known)
	}
	ids := make([]int64, len(libs))
	for i, l := range libs {
		ids[i] = l.ID
	}
	// The versions first: what is computed below is at least as new as
	// them, so an entry is never older than its key says.
	versions, err := s.store.ScheduleVersions(ctx, ids)
	if err != nil {
		return nil, err
	}
	now := s.now()
	topics := known.key()
	out := make([]booking.LibrarianSchedule, len(libs))
	errs := make([]error, len(libs))
	sem := make(chan struct{}, readParallelism)
	var wg sync.WaitGroup
	for i, lib := range libs {
		out[i].Librarian = lib
		key := versions[lib.ID] + "|" + topics + "|" + lib.Campus
		old, _ := s.schedCache.Get(lib.ID)
		if old != nil && old.covers(key, rg) {
			out[i].Windows, out[i].Busy = old.clip(rg)
			continue
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			out[i], errs[i] = s.refresh(ctx, lib, rg, spanFor(union(rg, span), now, old, key), known, key)
		})
	}
	// External events and bookings meanwhile, for everybody in one query
	// each.
	evs, err := s.store.ExternalEventsOfUsers(ctx, ids, rg.lo, rg.hi)
	if err != nil {
		wg.Wait()
		return nil, err
	}
	bs, err := s.store.BookingsOfLibrarians(ctx, ids, rg.weekLo, rg.weekHi)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for i := range out {
		s.addReads(&out[i], evs[libs[i].ID], bs[libs[i].ID], rg, known)
	}
	return out, nil
}

// refresh computes the librarian's own calendars over span, keeps them
// under key and returns their part over rg. An expansion cut short by a
// cap holds only for the range it was made for, so then nothing is kept
// and rg is read as it is.
func (s *Service) refresh(ctx context.Context, lib booking.Librarian, rg, span readRange, known topicSet, key string) (booking.LibrarianSchedule, error) {
	d, truncated, err := s.ownSchedule(ctx, s.store, lib, span, known)
	if err != nil {
		return booking.LibrarianSchedule{}, err
	}
	if truncated {
		d, _, err = s.ownSchedule(ctx, s.store, lib, rg, known)
		if err != nil {
			return booking.LibrarianSchedule{}, err
		}
		return d.sched, nil
	}
	c := &cachedSchedule{key: key, lo: span.lo, hi: span.hi, windows: d.sched.Windows, busy: d.sched.Busy}
	s.schedCache.Add(lib.ID, c)
	ls := booking.LibrarianSchedule{Librarian: lib}
	ls.Windows, ls.Busy = c.clip(rg)
	return ls, nil
}
