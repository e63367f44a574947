package scheduling

import (
	"slices"
	"time"

	"github.com/veileder/veileder/booking"
)

// describeSlots says, for each slot, who the student would meet and why:
// every offer gets its librarian's name, level and languages for the
// topic, and Preferred names the one booking.Assign would choose now.
func describeSlots(q booking.SlotQuery, loc *time.Location, slots []booking.Slot, libs []booking.Librarian, scheds []booking.LibrarianSchedule) {
	for i := range slots {
		sl := &slots[i]
		// FindSlots shares one backing array between the slots' offers.
		sl.Offers = slices.Clone(sl.Offers)
		for j, o := range sl.Offers {
			if k := slices.IndexFunc(libs, func(l booking.Librarian) bool { return l.ID == o.LibrarianID }); k >= 0 {
				sl.Offers[j] = booking.DescribeOffer(o, q.Topic.ID, libs[k])
			}
		}
		sl.Preferred = booking.Preferred(q, loc, *sl, scheds)
	}
}
