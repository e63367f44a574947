package booking

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
)

// Window is one concrete instance of an availability window; the CalDAV
// adapter has already expanded recurrences, EXDATEs and overrides.
type Window struct {
	Start, End time.Time
	// Topics are topic slugs from the event's #hashtags or CATEGORIES; empty
	// means every topic the librarian has a competence in.
	Topics   []string
	Location string // the meeting place, or the meeting URL when Online
	Online   bool
}

// offers reports whether the window is open to the topic. Tags compare
// case-insensitively and may keep their '#', since librarians type them.
func (w *Window) offers(slug string) bool {
	if len(w.Topics) == 0 {
		return true
	}
	for _, tag := range w.Topics {
		if strings.EqualFold(strings.TrimPrefix(strings.TrimSpace(tag), "#"), slug) {
			return true
		}
	}
	return false
}

// LibrarianSchedule is everything the engine needs about one librarian,
// limited by the caller to the search range: the engine never reads beyond
// what it is given, so callers pass only intervals that touch
// [now, now+Horizon] (whole local days, for Bookings).
type LibrarianSchedule struct {
	Librarian Librarian
	Windows   []Window
	// Busy is time taken in any calendar other than availability.
	Busy []Interval
	// Bookings are the librarian's active bookings for any topic. They are
	// busy time and count towards MaxPerLibrarianPerDay and the weekly load
	// that Assign balances. Passing them in Busy as well does no harm.
	Bookings []Interval
}

// SlotQuery is a student's request.
type SlotQuery struct {
	Topic    Topic
	Language string // "" for any
	Mode     Mode
	// Campus narrows in-person windows to librarians of that campus; online
	// windows are not bound to a campus. "" for any.
	Campus string
	Now    time.Time // from the caller's clock, so notice rules are testable
	// From and To, when not zero, keep only slots starting in [From, To),
	// for a day or week view.
	From, To time.Time
}

func (q SlotQuery) validate() error {
	switch {
	case q.Topic.ID == 0:
		return fmt.Errorf("slot query has no topic: %w", ErrInvalid)
	case q.Now.IsZero():
		return fmt.Errorf("slot query has no current time: %w", ErrInvalid)
	case q.Mode != ModeAny && q.Mode != ModeInPerson && q.Mode != ModeOnline:
		return fmt.Errorf("unknown meeting mode %q: %w", q.Mode, ErrInvalid)
	case !q.From.IsZero() && !q.To.IsZero() && !q.To.After(q.From):
		return fmt.Errorf("slot query ends at %v, not after its start %v: %w", q.To, q.From, ErrInvalid)
	}
	return nil
}

// Slot is a bookable time: every librarian in Offers is free for all of it.
type Slot struct {
	Start, End time.Time // UTC; End-Start is the meeting length in real time
	Online     bool
	Offers     []Offer // by ascending LibrarianID
	// Preferred is the index in Offers of the librarian a booking would
	// get now (Preferred); FindSlots leaves it 0, the slot search fills it.
	Preferred int
}

// Offer is one free librarian in a slot.
type Offer struct {
	LibrarianID int64
	Location    string // from the window
	// Name, Level and Languages say who the librarian is for the topic,
	// for a slot list that explains the match (DescribeOffer); FindSlots
	// leaves them empty, the slot search fills them.
	Name      string
	Level     Level
	Languages []string
}

// LibrarianIDs lists the free librarians of the slot.
func (s Slot) LibrarianIDs() []int64 {
	ids := make([]int64, len(s.Offers))
	for i, o := range s.Offers {
		ids[i] = o.LibrarianID
	}
	return ids
}

// FindSlots returns the slots open to q, sorted by start, in-person before
// online at the same start. A librarian takes part when they hold a
// competence in q.Topic in q.Language; their windows are narrowed to the
// topic, mode and campus, clipped to [Now+MinNotice, Now+Horizon], reduced
// by busy time and bookings each widened by Buffer on both sides, and cut
// into MeetingLength slots starting on the SlotGrid of loc's wall clock.
// A librarian with MaxPerLibrarianPerDay bookings on a local day offers
// nothing that day. Free librarians at the same start and mode share one
// Slot.
//
// The work is O(n log n) in the number of windows, busy intervals and
// slots: each list is sorted once and swept.
func FindSlots(q SlotQuery, r Rules, loc *time.Location, libs []LibrarianSchedule) ([]Slot, error) {
	if err := r.Validate(); err != nil {
		return nil, fmt.Errorf("find slots: %w", err)
	}
	if err := q.validate(); err != nil {
		return nil, fmt.Errorf("find slots: %w", err)
	}
	if loc == nil {
		return nil, fmt.Errorf("find slots: no time zone: %w", ErrInvalid)
	}
	s := search{q: q, r: r, g: grid{loc: loc, step: r.SlotGrid}, to: math.MaxInt64}
	now := q.Now.UnixNano()
	s.lo, s.hi = now+int64(r.MinNotice), now+int64(r.Horizon)
	if !q.From.IsZero() {
		s.lo = max(s.lo, q.From.UnixNano())
	}
	if !q.To.IsZero() {
		s.to = q.To.UnixNano()
		s.hi = min(s.hi, s.to+int64(r.MeetingLength))
	}
	if s.hi <= s.lo {
		return nil, nil
	}
	for i := range libs {
		s.librarian(&libs[i])
	}
	return s.slots(), nil
}

// SlotFree reports whether the librarian can still take the slot starting
// at start under q, given fresh schedule data: the same test FindSlots
// makes, so what was shown and what is booked cannot disagree. Invalid
// input gives false.
func SlotFree(q SlotQuery, r Rules, loc *time.Location, lib LibrarianSchedule, start time.Time) bool {
	q.From, q.To = start, start.Add(time.Nanosecond)
	slots, err := FindSlots(q, r, loc, []LibrarianSchedule{lib})
	return err == nil && len(slots) > 0
}

// search is one FindSlots call: its bounds, in UnixNano, and scratch space
// reused across librarians, so that allocation does not grow with the
// number of them.
type search struct {
	q      SlotQuery
	r      Rules
	g      grid
	lo, hi int64 // slots lie within [lo, hi]
	to     int64 // slots start before it

	wins []openWindow
	busy []span
	days map[int64]int // bookings per local day
	raw  []rawSlot
}

type openWindow struct {
	span
	online   bool
	location string
}

type rawSlot struct {
	start    int64
	lib      int64
	online   bool
	location string
}

// librarian appends the librarian's free slots to s.raw.
func (s *search) librarian(ls *LibrarianSchedule) {
	lib := &ls.Librarian
	comp, ok := lib.competence(s.q.Topic.ID)
	if !ok || (s.q.Language != "" && !lib.speaks(comp, s.q.Language)) {
		return
	}
	ml := int64(s.r.MeetingLength)

	s.wins = s.wins[:0]
	for i := range ls.Windows {
		w := &ls.Windows[i]
		if !w.offers(s.q.Topic.Slug) || !s.modeOK(lib, w.Online) {
			continue
		}
		sp := span{max(w.Start.UnixNano(), s.lo), min(w.End.UnixNano(), s.hi)}
		if sp.end <= sp.start {
			continue
		}
		s.wins = append(s.wins, openWindow{span: sp, online: w.Online, location: w.Location})
	}
	if len(s.wins) == 0 {
		return
	}
	// Windows shorter than a meeting still count once joined to a neighbour.
	s.wins = coalesce(s.wins)

	// Busy time outside [lo-Buffer, hi+Buffer] cannot touch a slot; dropping
	// it keeps the sort small when a caller passes more than needed.
	s.busy = s.busy[:0]
	buf := int64(s.r.Buffer)
	addBusy := func(ivs []Interval) {
		for _, iv := range ivs {
			b := toSpan(iv)
			if b.end <= b.start || b.end <= s.lo-buf || b.start >= s.hi+buf {
				continue
			}
			s.busy = append(s.busy, span{b.start - buf, b.end + buf})
		}
	}
	addBusy(ls.Busy)
	addBusy(ls.Bookings)
	s.busy = mergeSpans(s.busy)

	if s.days == nil {
		s.days = make(map[int64]int)
	}
	clear(s.days)
	for _, b := range ls.Bookings {
		s.days[localDayOf(b.Start, s.g.loc)]++
	}

	for _, w := range s.wins {
		if w.end-w.start < ml {
			continue
		}
		// The first busy span that can cut the window, found by binary
		// search so that many windows do not rescan the busy list.
		i := sort.Search(len(s.busy), func(i int) bool { return s.busy[i].end > w.start })
		free := w.start
		for ; i < len(s.busy) && s.busy[i].start < w.end; i++ {
			if s.busy[i].start > free {
				s.cut(lib.ID, w, free, s.busy[i].start)
			}
			free = max(free, s.busy[i].end)
		}
		if free < w.end {
			s.cut(lib.ID, w, free, w.end)
		}
	}
}

// modeOK reports whether a window of the given kind serves the query.
func (s *search) modeOK(lib *Librarian, online bool) bool {
	if online {
		return lib.Online && s.q.Mode != ModeInPerson
	}
	return lib.InPerson && s.q.Mode != ModeOnline &&
		(s.q.Campus == "" || strings.EqualFold(lib.Campus, s.q.Campus))
}

// cut appends the grid slots that fit in the free span [from, to).
func (s *search) cut(lib int64, w openWindow, from, to int64) {
	ml, limit := int64(s.r.MeetingLength), s.r.MaxPerLibrarianPerDay
	if to-from < ml {
		return // the common case of a short gap skips the zone lookup
	}
	for p := s.g.at(fromNano(from)); ; p = s.g.next(p) {
		start := p.t.UnixNano()
		if start+ml > to || start >= s.to {
			return
		}
		if len(s.days) > 0 && s.days[p.localDay()] >= limit {
			continue
		}
		s.raw = append(s.raw, rawSlot{start: start, online: w.online, lib: lib, location: w.location})
	}
}

// slots merges the raw slots of all librarians into sorted Slots.
func (s *search) slots() []Slot {
	if len(s.raw) == 0 {
		return nil
	}
	s.sortRaw()
	// One backing array for all offers keeps allocation flat.
	offers := make([]Offer, 0, len(s.raw))
	var out []Slot
	for i := 0; i < len(s.raw); {
		first := s.raw[i]
		from := len(offers)
		for ; i < len(s.raw) && s.raw[i].start == first.start && s.raw[i].online == first.online; i++ {
			// A librarian with overlapping windows in two places appears
			// once, at the first place in sort order.
			if n := len(offers); n > from && offers[n-1].LibrarianID == s.raw[i].lib {
				continue
			}
			offers = append(offers, Offer{LibrarianID: s.raw[i].lib, Location: s.raw[i].location})
		}
		start := fromNano(first.start)
		out = append(out, Slot{
			Start:  start,
			End:    start.Add(s.r.MeetingLength),
			Online: first.online,
			Offers: offers[from:len(offers):len(offers)],
		})
	}
	return out
}

// sortRaw sorts s.raw by start, then in-person before online, then
// librarian and place. Tens of librarians offer the same few hundred grid
// times, so the raw slots are put into one bucket per start (a counting
// sort over the sorted distinct starts) and only each bucket is sorted by
// comparison: a search's raw slots number tens of thousands.
func (s *search) sortRaw() {
	if len(s.raw) <= smallSort {
		slices.SortFunc(s.raw, func(a, b rawSlot) int {
			return cmp.Or(cmp.Compare(a.start, b.start), cmpOffer(a, b))
		})
		return
	}
	idx := make(map[int64]int)
	var starts []int64
	for _, r := range s.raw {
		if _, ok := idx[r.start]; !ok {
			idx[r.start] = 0
			starts = append(starts, r.start)
		}
	}
	slices.Sort(starts)
	for i, st := range starts {
		idx[st] = i
	}
	// bounds[k] is where bucket k begins in the sorted order.
	bounds := make([]int, len(starts)+1)
	keys := make([]int, len(s.raw))
	for i, r := range s.raw {
		keys[i] = idx[r.start]
		bounds[keys[i]+1]++
	}
	for k := 1; k < len(bounds); k++ {
		bounds[k] += bounds[k-1]
	}
	next := slices.Clone(bounds[:len(starts)])
	sorted := make([]rawSlot, len(s.raw))
	for i, r := range s.raw {
		sorted[next[keys[i]]] = r
		next[keys[i]]++
	}
	for k := range starts {
		slices.SortFunc(sorted[bounds[k]:bounds[k+1]], cmpOffer)
	}
	s.raw = sorted
}

// smallSort is the most raw slots sorted in one piece: a booking's check
// of one start time has a few, and the buckets would cost more than they
// save.
const smallSort = 256

// cmpOffer orders raw slots of one start: in-person before online, then
// by librarian and place.
func cmpOffer(a, b rawSlot) int {
	if a.online != b.online {
		if a.online {
			return 1
		}
		return -1
	}
	return cmp.Or(cmp.Compare(a.lib, b.lib), strings.Compare(a.location, b.location))
}

// coalesce joins overlapping or touching windows of the same place, in
// place: back-to-back windows are one stretch of availability, and a moved
// instance that overlaps another must not give a slot twice.
func coalesce(ws []openWindow) []openWindow {
	slices.SortFunc(ws, func(a, b openWindow) int {
		if a.online != b.online {
			if a.online {
				return 1
			}
			return -1
		}
		return cmp.Or(strings.Compare(a.location, b.location), cmp.Compare(a.start, b.start))
	})
	out := ws[:0]
	for _, w := range ws {
		if n := len(out); n > 0 {
			last := &out[n-1]
			if last.online == w.online && last.location == w.location && w.start <= last.end {
				last.end = max(last.end, w.end)
				continue
			}
		}
		out = append(out, w)
	}
	return out
}

// DemandRecord is a request that found no slot, kept for statistics on
// what students ask for. It holds no personal data by construction.
type DemandRecord struct {
	TopicSlug string
	Date      string // local date of the request, "2006-01-02"
	Language  string
	Mode      Mode
	Campus    string
}

// NewDemandRecord describes q as unmet demand.
func NewDemandRecord(q SlotQuery, loc *time.Location) DemandRecord {
	return DemandRecord{
		TopicSlug: q.Topic.Slug,
		Date:      q.Now.In(loc).Format(time.DateOnly),
		Language:  strings.ToLower(q.Language),
		Mode:      q.Mode,
		Campus:    q.Campus,
	}
}
