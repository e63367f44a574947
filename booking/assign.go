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
	byID := make(map[int64]*LibrarianSchedule, len(libs))
	for i := range libs {
		byID[libs[i].Librarian.ID] = &libs[i]
	}
	year, week := start.In(loc).ISOWeek()

	var (
		best      Assignment
		bestLoad  int
		bestLevel int
		found     bool
	)
	for _, s := range slots {
		if !s.Start.Equal(start) {
			continue
		}
		for _, o := range s.Offers {
			ls := byID[o.LibrarianID]
			load := 0
			for _, b := range ls.Bookings {
				if y, w := b.Start.In(loc).ISOWeek(); y == year && w == week {
					load++
				}
			}
			comp, _ := ls.Librarian.competence(q.Topic.ID)
			level := comp.Level.rank()
			better := !found ||
				load < bestLoad ||
				(load == bestLoad && level < bestLevel) ||
				(load == bestLoad && level == bestLevel && o.LibrarianID < best.LibrarianID)
			if better {
				found = true
				bestLoad, bestLevel = load, level
				best = Assignment{LibrarianID: o.LibrarianID, Start: s.Start, End: s.End, Online: s.Online, Location: o.Location}
			}
		}
	}
	if !found {
		return Assignment{}, fmt.Errorf("assign: no librarian free at %s: %w", start.In(loc).Format("2006-01-02 15:04 MST"), ErrSlotTaken)
	}
	return best, nil
}
