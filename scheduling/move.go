package scheduling

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/veileder/veileder/booking"
)

// Move moves the booking of a manage token to another free time of the
// same topic, in the same mode and meeting language, in one transaction
// under the locks of both librarians involved: the booking's row takes
// the new time (and librarian) in the same statement that gives up the
// old, after the new time was checked free on what the transaction reads,
// so the student never holds neither and nobody else can take the new
// time in between. The event keeps its UID and gets SEQUENCE+1, in the
// same librarian's bookings calendar or moved to the new librarian's; the
// student gets the "moved" message and the librarians' own calendars
// their updated invitation. The manage token stays the same.
//
// Errors: booking.ErrNotFound for an unknown token; booking.ErrConflict
// for a cancelled booking; a *booking.FieldError "start" for a meeting
// that has begun ("started"), the same time ("same") or a time that could
// never be booked (booking.Rules.CheckStart's codes); a *booking.FieldError
// "librarian" for a librarian who does not guide in the topic;
// booking.ErrSlotTaken when nobody fitting is free at the new time.
func (s *Service) Move(ctx context.Context, token string, r booking.MoveRequest) (booking.View, error) {
	b, err := s.bookingByToken(ctx, token)
	if err != nil {
		return booking.View{}, err
	}
	moved, err := s.move(ctx, b, r)
	if err != nil {
		return booking.View{}, fmt.Errorf("scheduling: move booking %d: %w", b.ID, err)
	}
	return s.view(ctx, moved)
}

// MoveByID moves a booking for the library, as Move does for the student:
// the librarian's "My bookings" moves their own booking to another of
// their free times (r.LibrarianID names them). Errors as Move's.
func (s *Service) MoveByID(ctx context.Context, id int64, r booking.MoveRequest) (booking.View, error) {
	b, err := s.store.BookingByID(ctx, id)
	if err != nil {
		return booking.View{}, fmt.Errorf("scheduling: move booking %d: %w", id, err)
	}
	moved, err := s.move(ctx, b, r)
	if err != nil {
		return booking.View{}, fmt.Errorf("scheduling: move booking %d: %w", id, err)
	}
	return s.view(ctx, moved)
}

func (s *Service) move(ctx context.Context, b booking.Booking, r booking.MoveRequest) (booking.Booking, error) {
	if !b.Active() {
		return booking.Booking{}, fmt.Errorf("the booking is cancelled: %w", booking.ErrConflict)
	}
	start := r.Start.UTC()
	if start.IsZero() {
		return booking.Booking{}, &booking.FieldError{Field: "start", Code: "required"}
	}
	if start.Equal(b.Start) && (r.LibrarianID == 0 || r.LibrarianID == b.LibrarianID) {
		return booking.Booking{}, &booking.FieldError{Field: "start", Code: "same"}
	}
	topic, err := s.store.TopicByID(ctx, b.TopicID)
	if err != nil {
		return booking.Booking{}, err
	}
	rules, err := s.Rules(ctx, topic)
	if err != nil {
		return booking.Booking{}, err
	}
	svc, err := s.serviceOf(ctx, topic)
	if err != nil {
		return booking.Booking{}, err
	}
	libs, err := s.store.LibrariansForTopic(ctx, topic.ID)
	if err != nil {
		return booking.Booking{}, err
	}
	if r.LibrarianID != 0 {
		libs = slices.DeleteFunc(libs, func(l booking.Librarian) bool { return l.ID != r.LibrarianID })
		if len(libs) == 0 {
			return booking.Booking{}, &booking.FieldError{Field: "librarian", Code: "invalid"}
		}
	}
	known, err := s.knownTopics(ctx)
	if err != nil {
		return booking.Booking{}, err
	}
	release, err := s.takeTurn(ctx)
	if err != nil {
		return booking.Booking{}, err
	}
	defer release()
	now := s.now()
	if !now.Before(b.Start) {
		return booking.Booking{}, &booking.FieldError{Field: "start", Code: "started"}
	}
	if err := rules.CheckStart(start, now, s.loc); err != nil {
		return booking.Booking{}, err
	}
	mode := booking.ModeInPerson
	if b.Online {
		mode = booking.ModeOnline
	}
	q := booking.SlotQuery{Topic: topic, Language: b.Language, Mode: mode, Now: now}
	rg := s.rangeFor(rules, now, start, start.Add(time.Nanosecond))
	rg.moving = b
	scheds, _, err := s.schedules(ctx, libs, rg, rg, known) // a move reads its calendars as they are (rg.moving)
	if err != nil {
		return booking.Booking{}, err
	}
	cands, err := candidates(q, rules, s.loc, start, scheds)
	if err != nil {
		return booking.Booking{}, err
	}
	// The student's own librarian first, when free: a move keeps who they
	// were going to meet unless they asked otherwise.
	if i := slices.IndexFunc(cands, func(a booking.Assignment) bool { return a.LibrarianID == b.LibrarianID }); i > 0 {
		own := cands[i]
		cands = append([]booking.Assignment{own}, slices.Delete(cands, i, i+1)...)
	}
	for _, a := range cands {
		lib := libs[slices.IndexFunc(libs, func(l booking.Librarian) bool { return l.ID == a.LibrarianID })]
		user, err := s.store.UserByID(ctx, lib.ID)
		if err != nil {
			return booking.Booking{}, fmt.Errorf("librarian %d: %w", lib.ID, err)
		}
		first, second := min(b.LibrarianID, lib.ID), max(b.LibrarianID, lib.ID)
		var moved booking.Booking
		err = s.store.Tx(ctx, first, func(ctx context.Context, tx Tx) error {
			if second != first {
				if err := tx.LockLibrarian(ctx, second); err != nil {
					return err
				}
			}
			var err error
			moved, err = s.moveInTx(ctx, tx, moveArgs{q: q, rules: rules, rg: rg, known: known, lib: lib, user: user,
				topic: topic, svc: svc, id: b.ID, a: a})
			return err
		})
		switch {
		case err == nil:
			s.log.Info("scheduling: booking moved by the student", "booking", b.ID, "librarian", lib.ID)
			return moved, nil
		case errors.Is(err, booking.ErrSlotTaken), errors.Is(err, booking.ErrConflict) && !errors.Is(err, errBookingChanged):
			s.log.Debug("scheduling: move candidate taken meanwhile", "librarian", lib.ID, "start", start, "err", err)
			continue
		case errors.Is(err, errNoBookingsCalendar):
			s.log.Error("scheduling: librarian cannot take bookings", "librarian", lib.ID, "err", err)
			continue
		default:
			return booking.Booking{}, err
		}
	}
	return booking.Booking{}, fmt.Errorf("to %s: %w", start.In(s.loc).Format("2006-01-02 15:04 MST"), booking.ErrSlotTaken)
}

// errBookingChanged marks a booking cancelled or begun while the move
// waited for its locks: no other librarian will do.
var errBookingChanged = fmt.Errorf("the booking changed meanwhile: %w", booking.ErrConflict)

type moveArgs struct {
	q     booking.SlotQuery
	rules booking.Rules
	rg    readRange
	known topicSet
	lib   booking.Librarian
	user  booking.User
	topic booking.Topic
	svc   booking.Service
	id    int64
	a     booking.Assignment
}

// moveInTx moves the booking inside the transaction that holds both
// librarians' locks, after reading it again and checking again, on what
// the transaction reads, that the new librarian is free at the new time.
func (s *Service) moveInTx(ctx context.Context, tx Tx, m moveArgs) (booking.Booking, error) {
	old, err := tx.BookingByID(ctx, m.id)
	if err != nil {
		return booking.Booking{}, err
	}
	if !old.Active() || !m.q.Now.Before(old.Start) {
		return booking.Booking{}, errBookingChanged
	}
	rg := m.rg
	rg.moving = old
	d, err := s.schedule(ctx, tx, m.lib, rg, m.known)
	if err != nil {
		return booking.Booking{}, err
	}
	if !booking.SlotFree(m.q, m.rules, s.loc, d.sched, m.a.Start) {
		return booking.Booking{}, fmt.Errorf("librarian %d no longer free at %s: %w", m.lib.ID, m.a.Start.Format(time.RFC3339), booking.ErrSlotTaken)
	}
	if !d.hasBookings {
		return booking.Booking{}, fmt.Errorf("librarian %d: %w", m.lib.ID, errNoBookingsCalendar)
	}
	b := old
	b.LibrarianID = m.lib.ID
	b.Start, b.End = m.a.Start.UTC(), m.a.End.UTC()
	b.Online, b.Location = m.a.Online, m.a.Location
	b.Sequence++
	b.UpdatedAt = m.q.Now
	if err := tx.UpdateBooking(ctx, b); err != nil {
		return booking.Booking{}, err
	}
	if b, err = withMeetingLink(ctx, tx, b, m.lib, m.svc); err != nil {
		return booking.Booking{}, err
	}
	if old.LibrarianID != b.LibrarianID {
		if err := s.deleteEvent(ctx, tx, old); err != nil {
			return booking.Booking{}, err
		}
	}
	data, err := bookingEvent(eventInput{Booking: b, Topic: m.topic, LibrarianName: m.user.Name(), LibrarianEmail: m.user.Email, Stamp: m.q.Now})
	if err != nil {
		return booking.Booking{}, err
	}
	if _, _, err := tx.PutObject(ctx, bookingObject(d.bookingsCal, b, data), booking.WriteCondition{}); err != nil {
		return booking.Booking{}, err
	}
	now := m.q.Now
	if err := tx.Enqueue(ctx, booking.Message{Kind: booking.MessageMoved, BookingID: b.ID, Sequence: b.Sequence, SendAfter: now, CreatedAt: now}); err != nil {
		return booking.Booking{}, err
	}
	if old.LibrarianID != b.LibrarianID {
		// The new librarian hears of it as of a new booking, if they opted
		// in; the store queues it only then.
		if err := tx.Enqueue(ctx, booking.Message{Kind: booking.MessageLibrarianNew, BookingID: b.ID, Sequence: b.Sequence, SendAfter: now, CreatedAt: now}); err != nil {
			return booking.Booking{}, err
		}
		// The old librarian's copy in Outlook or Google must go: their
		// bookings calendar lost the event above, but the invitation they
		// accepted lives outside Veileder. The store queues the CANCEL
		// only for a librarian who gets invitations.
		if err := tx.Enqueue(ctx, booking.Message{Kind: booking.MessageLibrarianRelease, BookingID: b.ID, Sequence: b.Sequence,
			UserID: old.LibrarianID, SendAfter: now, CreatedAt: now}); err != nil {
			return booking.Booking{}, err
		}
	}
	if err := queueInvite(ctx, tx, b, now); err != nil {
		return booking.Booking{}, err
	}
	return b, nil
}
