package booking

import "slices"

// DescribeOffer fills the offer's Name, Level and Languages from the
// librarian's profile and competence in the topic: the languages are the
// competence's own, else the profile's.
func DescribeOffer(o Offer, topicID int64, lib Librarian) Offer {
	o.Name = lib.Name
	c, ok := lib.competence(topicID)
	if ok {
		o.Level = c.Level
	}
	o.Languages = slices.Clone(lib.Languages)
	if ok && len(c.Languages) > 0 {
		o.Languages = slices.Clone(c.Languages)
	}
	return o
}
