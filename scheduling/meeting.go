package scheduling

import (
	"context"
	"fmt"
	"strings"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/recurrence"
)

// withMeetingLink gives a stored online booking its meeting link
// (booking.MeetingLink: the window's, the librarian's room, or the
// service's room per booking) in its location, where the pages, the
// e-mails and both calendar files read it. The booking's number is known
// only now, so a template's link is written with a second update in the
// same transaction.
func withMeetingLink(ctx context.Context, tx Tx, b booking.Booking, lib booking.Librarian, svc booking.Service) (booking.Booking, error) {
	if !b.Online {
		return b, nil
	}
	window := ""
	if recurrence.IsWebURL(b.Location) {
		window = strings.TrimSpace(b.Location)
	}
	link := booking.MeetingLink(window, lib.MeetingURL, svc.MeetingURLTemplate, b.ID)
	if link == "" || link == b.Location {
		return b, nil
	}
	b.Location = link
	if err := tx.UpdateBooking(ctx, b); err != nil {
		return booking.Booking{}, fmt.Errorf("booking %d: meeting link: %w", b.ID, err)
	}
	return b, nil
}

// serviceOf is the service a topic belongs to; a topic whose service is
// gone gets an empty one (no template), as Rules does.
func (s *Service) serviceOf(ctx context.Context, t booking.Topic) (booking.Service, error) {
	services, err := s.store.Services(ctx)
	if err != nil {
		return booking.Service{}, fmt.Errorf("scheduling: service of %q: %w", t.Slug, err)
	}
	for _, x := range services {
		if x.Slug == t.ServiceSlug {
			return x, nil
		}
	}
	return booking.Service{Slug: t.ServiceSlug}, nil
}

// meetingLink is the online booking's link, "" when it has none.
func meetingLink(b booking.Booking) string {
	if b.Online && recurrence.IsWebURL(b.Location) {
		return strings.TrimSpace(b.Location)
	}
	return ""
}
