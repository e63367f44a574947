package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/veileder/veileder/booking"
)

// The outbox's messages that external calendars add: the iMIP invitation
// to a librarian's own address, and the daily e-mail about a failing feed.

// enqueueLibrarianInvite queues a MessageLibrarianInvite only for a
// librarian who has an external calendar or asked for invitations
// (external_prefs.invite_bookings); otherwise it stores nothing and
// returns nil, like a MessageLibrarianNew for a librarian who did not opt
// in. The choice is read in the transaction of the change.
func (t *Tx) enqueueLibrarianInvite(ctx context.Context, m booking.Message) error {
	now := t.s.now()
	if m.SendAfter.IsZero() {
		m.SendAfter = now
	}
	return t.enqueueIf(ctx, m, now.Unix(), `
		WHERE b.id = ? AND (
			EXISTS (SELECT 1 FROM external_calendars e WHERE e.user_id = b.librarian_id)
			OR EXISTS (SELECT 1 FROM external_prefs p WHERE p.user_id = b.librarian_id AND p.invite_bookings = TRUE))`)
}

// enqueueLibrarianRelease queues a MessageLibrarianRelease for
// m.UserID, the booking's librarian before a move, only when that
// librarian gets invitations (an external calendar, or the preference):
// the others have no copy of the event outside Veileder to cancel.
func (t *Tx) enqueueLibrarianRelease(ctx context.Context, m booking.Message) error {
	if m.UserID == 0 {
		return fmt.Errorf("store: enqueue %s for booking %d: no librarian: %w", m.Kind, m.BookingID, booking.ErrInvalid)
	}
	now := t.s.now()
	if m.SendAfter.IsZero() {
		m.SendAfter = now
	}
	_, err := t.tx.ExecContext(ctx, t.tx.Rebind(`
		INSERT INTO outbox (kind, booking_id, user_id, sequence, send_after, created_at, attempts, status, last_error)
		SELECT ?, b.id, ?, ?, ?, ?, 0, 'pending', ''
		FROM bookings b
		WHERE b.id = ? AND (
			EXISTS (SELECT 1 FROM external_calendars e WHERE e.user_id = ?)
			OR EXISTS (SELECT 1 FROM external_prefs p WHERE p.user_id = ? AND p.invite_bookings = TRUE))`),
		string(m.Kind), m.UserID, m.Sequence, m.SendAfter.Unix(), now.Unix(), m.BookingID, m.UserID, m.UserID)
	if err != nil {
		return fmt.Errorf("store: enqueue %s for booking %d: %w", m.Kind, m.BookingID, dbErr(err))
	}
	return nil
}

// MessageLibrarian returns a librarian a message is for, with the
// languages of their profile (which their e-mails are written in);
// booking.ErrNotFound when the account is gone.
func (s *Store) MessageLibrarian(ctx context.Context, id int64) (booking.User, []string, error) {
	u, err := s.UserByID(ctx, id)
	if err != nil {
		return u, nil, err
	}
	p, err := s.Profile(ctx, u.ID)
	if err != nil && !errors.Is(err, booking.ErrNotFound) {
		return u, nil, err
	}
	return u, p.Languages, nil
}

// EnqueueExternalFailing queues the e-mail that tells the calendar's
// librarian it has been failing, if they opted in
// (external_prefs.notify_failing), at most once per day: day (a day
// number) is the message's sequence, and the outbox holds one message per
// calendar, kind and sequence. It reports whether a message was queued;
// several replicas may call it at once.
func (s *Store) EnqueueExternalFailing(ctx context.Context, calendarID int64, day int, now time.Time) (bool, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	res, err := s.db.ExecContext(ctx, s.db.Rebind(`
		INSERT INTO outbox (kind, external_calendar_id, sequence, send_after, created_at, attempts, status, last_error)
		SELECT ?, e.id, ?, ?, ?, 0, 'pending', ''
		FROM external_calendars e
		JOIN external_prefs p ON p.user_id = e.user_id
		WHERE e.id = ? AND p.notify_failing = TRUE
		ON CONFLICT DO NOTHING`),
		string(booking.MessageExternalFailing), day, now.Unix(), now.Unix(), calendarID)
	if err != nil {
		return false, fmt.Errorf("store: enqueue failing-feed message for external calendar %d: %w", calendarID, dbErr(err))
	}
	n, err := res.RowsAffected()
	return err == nil && n > 0, nil
}

// MessageExternalCalendar returns the external calendar a message is
// about with its librarian and their profile's languages (which their
// e-mails are written in); booking.ErrNotFound when it was removed.
func (s *Store) MessageExternalCalendar(ctx context.Context, calendarID int64) (booking.ExternalCalendar, booking.User, []string, error) {
	c, err := s.ExternalCalendar(ctx, calendarID)
	if err != nil {
		return c, booking.User{}, nil, err
	}
	u, err := s.UserByID(ctx, c.UserID)
	if err != nil {
		return c, booking.User{}, nil, err
	}
	p, err := s.Profile(ctx, u.ID)
	if err != nil && !errors.Is(err, booking.ErrNotFound) {
		return c, u, nil, err
	}
	return c, u, p.Languages, nil
}

// ExternalFeedCounts counts the external calendars by state, and those
// failing since before flaggedBefore, for /metrics.
func (s *Store) ExternalFeedCounts(ctx context.Context, flaggedBefore time.Time) (byState map[booking.ExternalState]int64, flagged int64, err error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var rows []struct {
		State   string `db:"state"`
		N       int64  `db:"n"`
		Flagged int64  `db:"flagged"`
	}
	err = s.db.SelectContext(ctx, &rows, s.db.Rebind(`
		SELECT state, count(*) AS n,
		       SUM(CASE WHEN state = 'failing' AND failing_since <= ? THEN 1 ELSE 0 END) AS flagged
		FROM external_calendars GROUP BY state`), flaggedBefore.Unix())
	if err != nil {
		return nil, 0, fmt.Errorf("store: external feed counts: %w", dbErr(err))
	}
	byState = map[booking.ExternalState]int64{}
	for _, r := range rows {
		byState[booking.ExternalState(r.State)] = r.N
		flagged += r.Flagged
	}
	return byState, flagged, nil
}
