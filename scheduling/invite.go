package scheduling

import (
	"context"
	"time"

	"github.com/veileder/veileder/booking"
)

// queueInvite queues the librarian's own iMIP invitation for a booking
// change, next to the student's message about it: for a librarian whose
// calendar lives in Outlook or Google (an external calendar), this is how
// the booking reaches it. The store queues it only for a librarian with an
// external calendar or who asked for invitations, so every change calls
// this and the choice is the store's, read in the same transaction.
func queueInvite(ctx context.Context, tx Tx, b booking.Booking, now time.Time) error {
	return tx.Enqueue(ctx, booking.Message{Kind: booking.MessageLibrarianInvite, BookingID: b.ID, Sequence: b.Sequence, SendAfter: now, CreatedAt: now})
}
