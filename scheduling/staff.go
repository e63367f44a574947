package scheduling

import (
	"context"
	"fmt"

	"github.com/veileder/veileder/booking"
)

// CancelByID cancels a booking on behalf of the library (by is
// booking.PartyAdmin or booking.PartyLibrarian), as Cancel does for the
// student: the booking is marked cancelled, its event leaves the
// librarian's bookings calendar and the student is told, in one
// transaction. Cancelling a cancelled booking changes nothing; a meeting
// that has begun cannot be cancelled (booking.ErrInvalid).
func (s *Service) CancelByID(ctx context.Context, id int64, by booking.Party) (booking.View, error) {
	switch by {
	case booking.PartyAdmin, booking.PartyLibrarian, booking.PartySystem:
	default:
		return booking.View{}, fmt.Errorf("scheduling: cancel booking %d by %q: %w", id, by, booking.ErrInvalid)
	}
	b, err := s.cancelByID(ctx, id, by, true)
	if err != nil {
		return booking.View{}, err
	}
	return s.view(ctx, b)
}

// cancelByID cancels booking id, telling the student only if notify.
func (s *Service) cancelByID(ctx context.Context, id int64, by booking.Party, notify bool) (booking.Booking, error) {
	b, err := s.bookingByID(ctx, id)
	if err != nil {
		return booking.Booking{}, err
	}
	return s.cancel(ctx, b, by, notify)
}

// cancel cancels booking b, read outside a transaction to learn which
// librarian's lock to take, on behalf of by, telling the student only if
// notify. It is the one way a booking is cancelled: by the student
// (Cancel), by the library (CancelByID) and at erasure (Privacy.Erase).
func (s *Service) cancel(ctx context.Context, b booking.Booking, by booking.Party, notify bool) (booking.Booking, error) {
	id := b.ID
	err := s.store.Tx(ctx, b.LibrarianID, func(ctx context.Context, tx Tx) error {
		cur, err := tx.BookingByID(ctx, id)
		if err != nil {
			return err
		}
		b = cur
		if !cur.Active() {
			return nil
		}
		now := s.now()
		if !now.Before(cur.Start) {
			return fmt.Errorf("the meeting at %s has begun: %w", cur.Start.In(s.loc).Format("2006-01-02 15:04"), booking.ErrInvalid)
		}
		cur.Status, cur.CancelledBy = booking.StatusCancelled, by
		cur.Sequence++
		cur.UpdatedAt = now
		if err := tx.UpdateBooking(ctx, cur); err != nil {
			return err
		}
		if err := s.deleteEvent(ctx, tx, cur); err != nil {
			return err
		}
		if notify {
			if err := tx.Enqueue(ctx, booking.Message{Kind: booking.MessageCancelled, BookingID: cur.ID, Sequence: cur.Sequence, SendAfter: now, CreatedAt: now}); err != nil {
				return err
			}
		}
		// The librarian's own calendar loses the meeting whether or not
		// the student is told.
		if err := queueInvite(ctx, tx, cur, now); err != nil {
			return err
		}
		b = cur
		return nil
	})
	if err != nil {
		return booking.Booking{}, fmt.Errorf("scheduling: cancel booking %d: %w", id, err)
	}
	s.log.Info("scheduling: booking cancelled", "booking", id, "by", by)
	return b, nil
}

// bookingByID reads a booking outside a transaction, to learn which
// librarian's lock to take.
func (s *Service) bookingByID(ctx context.Context, id int64) (booking.Booking, error) {
	var b booking.Booking
	err := s.store.Tx(ctx, 0, func(ctx context.Context, tx Tx) error {
		var err error
		b, err = tx.BookingByID(ctx, id)
		return err
	})
	if err != nil {
		return booking.Booking{}, fmt.Errorf("scheduling: booking %d: %w", id, err)
	}
	return b, nil
}
