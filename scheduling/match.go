package scheduling

import (
	"time"

	"github.com/veileder/veileder/booking"
)

// describeSlots says, for each slot, who the student would meet and why:
// every offer gets its librarian's name, level and languages for the
// topic, and Preferred names the one booking.Assign would choose now.
func describeSlots(q booking.SlotQuery, loc *time.Location, slots []booking.Slot, libs []booking.Librarian, scheds []booking.LibrarianSchedule) {
	// Each librarian is described once; their offers share the description
	// (offers are only read).
	described := make(map[int64]booking.Offer, len(libs))
	for _, l := range libs {
		described[l.ID] = booking.DescribeOffer(booking.Offer{LibrarianID: l.ID}, q.Topic.ID, l)
	}
	// FindSlots shares one backing array between the slots' offers: one
	// copy of it for all of them.
	n := 0
	for i := range slots {
		n += len(slots[i].Offers)
	}
	offers := make([]booking.Offer, 0, n)
	for i := range slots {
		sl := &slots[i]
		from := len(offers)
		for _, o := range sl.Offers {
			if d, ok := described[o.LibrarianID]; ok {
				d.Location = o.Location
				o = d
			}
			offers = append(offers, o)
		}
		sl.Offers = offers[from:len(offers):len(offers)]
	}
	booking.SetPreferred(q, loc, slots, scheds)
}
