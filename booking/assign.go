package booking

import (
	"fmt"
	"time"
)

// Assignment is the librarian chosen for a booking, with where they meet.
type Assignment struct {
	LibrarianID int64
	Start, End  time.Time
	Online      bool
	Location    string
}

// Assign chooses the librarian for a booking of the slot starting at start,
// from fresh schedules read at booking time (a slot shown a minute ago may
// be gone). Among the librarians FindSlots would still offer there it
// prefers, in order:
//
//  1. the fewest bookings in the slot's ISO week, counted in loc, so that
//     load spreads over the team;
//  2. primary over secondary competence in the topic;
//  3. the lowest librarian ID.
//
// The last tie-break is plain ID order rather than a hash: it is stable and
// easy to explain to a section head, and it does not pile work on one
// person, because every booking raises that librarian's weekly count and
// so sends the next tie elsewhere.
//
// With ModeAny and both kinds free, an in-person offer wins over an online
// one of the same librarian; the web form should send the mode of the slot
// the student picked. No free librarian gives ErrSlotTaken.
func Assign(q SlotQuery, r Rules, loc *time.Location, start time.Time, libs []LibrarianSchedule) (Assignment, error) {
	q.From, q.To = start, start.Add(time.Nanosecond)
	slots, err := FindSlots(q, r, loc, libs)
	if err != nil {
		return Assignment{}, fmt.Errorf("assign: %w", err)
	}
	var (
		best     Assignment
		bestRank [3]int64
		found    bool
	)
	byID := schedulesByID(libs)
	for _, s := range slots {
		if !s.Start.Equal(start) {
			continue
		}
		i, rank := preferred(q, loc, s, byID)
		if !found || rankLess(rank, bestRank) {
			found, bestRank = true, rank
			o := s.Offers[i]
			best = Assignment{LibrarianID: o.LibrarianID, Start: s.Start, End: s.End, Online: s.Online, Location: o.Location}
		}
	}
	if !found {
		return Assignment{}, fmt.Errorf("assign: no librarian free at %s: %w", start.In(loc).Format("2006-01-02 15:04 MST"), ErrSlotTaken)
	}
	return best, nil
}

// Preferred is the index in s.Offers of the librarian Assign would choose
// for the slot now, by the same order (weekly load, competence level, ID),
// so that a slot list can say who the student would meet. libs are the
// schedules FindSlots found the slot in.
func Preferred(q SlotQuery, loc *time.Location, s Slot, libs []LibrarianSchedule) int {
	i, _ := preferred(q, loc, s, schedulesByID(libs))
	return i
}

// SetPreferred sets every slot's Preferred as Preferred would, reading
// libs once for all of them: a search lists hundreds of slots, each
// offered by tens of librarians.
func SetPreferred(q SlotQuery, loc *time.Location, slots []Slot, libs []LibrarianSchedule) {
	byID := schedulesByID(libs)
	for i := range slots {
		slots[i].Preferred, _ = preferred(q, loc, slots[i], byID)
	}
}

func schedulesByID(libs []LibrarianSchedule) map[int64]*LibrarianSchedule {
	byID := make(map[int64]*LibrarianSchedule, len(libs))
	for i := range libs {
		byID[libs[i].Librarian.ID] = &libs[i]
	}
	return byID
}

// preferred is the best offer of s and its rank: the librarian's bookings
// in the slot's ISO week, their competence level's rank, their ID.
func preferred(q SlotQuery, loc *time.Location, s Slot, byID map[int64]*LibrarianSchedule) (int, [3]int64) {
	year, week := s.Start.In(loc).ISOWeek()
	best, bestRank := 0, [3]int64{}
	for i, o := range s.Offers {
		ls := byID[o.LibrarianID]
		if ls == nil {
			continue
		}
		var load int64
		for _, b := range ls.Bookings {
			if y, w := b.Start.In(loc).ISOWeek(); y == year && w == week {
				load++
			}
		}
		comp, _ := ls.Librarian.competence(q.Topic.ID)
		rank := [3]int64{load, int64(comp.Level.rank()), o.LibrarianID}
		if i == 0 || rankLess(rank, bestRank) {
			best, bestRank = i, rank
		}
	}
	return best, bestRank
}

func rankLess(a, b [3]int64) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}
