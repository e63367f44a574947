package scheduling

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/emersion/go-ical"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/recurrence"
)

// OnBookingEvent is the object hook the store calls (as the app wires it)
// inside the transaction of a librarian's CalDAV PUT or DELETE in their
// bookings calendar: before is nil for a new object, after is nil for a
// deletion. Deleting a booking's event, or setting it STATUS:CANCELLED,
// cancels the booking; moving it moves the booking; the student is told
// either way. Events that belong to no booking are the librarian's own
// business and pass. An error rolls the CalDAV write back.
func (s *Service) OnBookingEvent(ctx context.Context, tx Tx, cal booking.Calendar, before, after *booking.CalendarObject) error {
	if cal.Kind != booking.KindBookings || cal.Shared() {
		return nil
	}
	now := s.now()
	// A PUT that replaces an object with one of another UID removes the
	// old event as surely as a DELETE.
	if before != nil && (after == nil || after.UID != before.UID) {
		if err := s.applyChange(ctx, tx, cal, before.UID, booking.EventChange{Deleted: true}, now); err != nil {
			return err
		}
	}
	if after == nil {
		return nil
	}
	ch, ok := s.eventChange(cal, after)
	if !ok {
		return nil
	}
	return s.applyChange(ctx, tx, cal, after.UID, ch, now)
}

// applyChange applies a change of the event with uid to its booking, if
// there is one.
func (s *Service) applyChange(ctx context.Context, tx Tx, cal booking.Calendar, uid string, ch booking.EventChange, now time.Time) error {
	if uid == "" {
		return nil
	}
	b, err := tx.BookingByEvent(ctx, cal.OwnerID, uid)
	switch {
	case errors.Is(err, booking.ErrNotFound):
		return nil
	case err != nil:
		return fmt.Errorf("scheduling: booking of event %q: %w", uid, err)
	}
	if !ch.Start.IsZero() && ch.End.Equal(ch.Start) {
		// An event left without DTEND or DURATION keeps the meeting's length.
		ch.End = ch.Start.Add(b.End.Sub(b.Start))
	}
	nb, kind := booking.ApplyEventChange(b, ch, now)
	var msg booking.MessageKind
	switch kind {
	case booking.ChangeCancelled:
		msg = booking.MessageCancelled
	case booking.ChangeMoved:
		msg = booking.MessageMoved
	default:
		return nil
	}
	if err := tx.UpdateBooking(ctx, nb); err != nil {
		return fmt.Errorf("scheduling: update booking %d after event change: %w", b.ID, err)
	}
	if err := tx.Enqueue(ctx, booking.Message{Kind: msg, BookingID: nb.ID, Sequence: nb.Sequence, SendAfter: now, CreatedAt: now}); err != nil {
		return fmt.Errorf("scheduling: queue %s message for booking %d: %w", msg, b.ID, err)
	}
	if err := queueInvite(ctx, tx, nb, now); err != nil {
		return fmt.Errorf("scheduling: queue invitation for booking %d: %w", b.ID, err)
	}
	s.log.Info("scheduling: booking changed in the librarian's calendar", "booking", b.ID, "change", kind)
	return nil
}

// eventChange reads what the stored event now says, from the calendar
// the write parsed when it passes it on. ok is false when it cannot be
// read; the write was validated, so that is only logged.
func (s *Service) eventChange(cal booking.Calendar, obj *booking.CalendarObject) (ch booking.EventChange, ok bool) {
	c, err := recurrence.ParsedCalendar(obj.Parsed, obj.Data)
	if err != nil {
		s.log.Warn("scheduling: booking event does not parse", "calendar", cal.ID, "name", obj.Name, "err", err)
		return ch, false
	}
	// The first instance is the meeting; a librarian who made it recurring
	// still means the first one.
	insts, _, err := recurrence.Expand(c, time.Time{}, time.Time{}, recurrence.Options{Location: s.loc, MaxInstances: 1})
	if err != nil || len(insts) == 0 {
		s.log.Warn("scheduling: booking event has no instance", "calendar", cal.ID, "name", obj.Name, "err", err)
		return ch, false
	}
	in := insts[0]
	comp := in.Component
	if master := masterEvent(c); master != nil && status(master) == "CANCELLED" {
		comp = master
	}
	ch.Cancelled = comp != nil && status(comp) == "CANCELLED"
	// Dragging a meeting to the all-day row gives no time to move it to:
	// the booking keeps its time.
	if !in.AllDay && !in.End.Before(in.Start) {
		ch.Start, ch.End = in.Start.UTC(), in.End.UTC()
	}
	return ch, true
}

// masterEvent is the VEVENT without RECURRENCE-ID.
func masterEvent(c *ical.Calendar) *ical.Component {
	for _, child := range c.Children {
		if child.Name == ical.CompEvent && child.Props.Get(ical.PropRecurrenceID) == nil {
			return child
		}
	}
	return nil
}
