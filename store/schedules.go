package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/veileder/veileder/booking"
)

// The reads of one slot search, for all the librarians of a topic at once:
// a search asks for the schedules of every librarian with the competence,
// and one query per librarian and table is most of what it costs on a
// loopback PostgreSQL.

// idsPerQuery keeps IN lists of ids well below both databases' limits on
// bound parameters.
const idsPerQuery = 500

// idChunks yields ids in pieces of at most idsPerQuery.
func idChunks(ids []int64) func(yield func([]int64) bool) {
	return func(yield func([]int64) bool) {
		for len(ids) > 0 {
			k := min(idsPerQuery, len(ids))
			if !yield(ids[:k]) {
				return
			}
			ids = ids[k:]
		}
	}
}

// ScheduleCalendars lists the users' own calendars, each user's in the
// order Calendars gives them, with their sync positions (SyncSeq), in one
// query, and the database's sync epoch. Every write to a calendar's
// members bumps its position in the write's own transaction, so a
// calendar at the same position under the same epoch (which changes when a
// restored backup may reuse positions) has the same members: what was
// computed from it can be reused, on any replica, as long as the position
// read before using it is the same. Calendar ids are never reused.
func (s *Store) ScheduleCalendars(ctx context.Context, userIDs []int64) (epoch string, byUser map[int64][]booking.Calendar, err error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	byUser = make(map[int64][]booking.Calendar, len(userIDs))
	for chunk := range idChunks(userIDs) {
		query, args, err := sqlx.In(`
			SELECT id, owner_id, slug, kind, display_name, description, color, sort_order,
			       components, timezone, sync_seq, created_at, updated_at, properties,
			       COALESCE((SELECT value FROM secrets WHERE name = ?), '') AS epoch
			FROM calendars
			WHERE owner_id IN (?)
			ORDER BY owner_id, sort_order, id`, syncEpochName, chunk)
		if err != nil {
			return "", nil, fmt.Errorf("store: schedule calendars: %w", err)
		}
		var rows []struct {
			calendarRow
			Epoch string `db:"epoch"`
		}
		if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(query), args...); err != nil {
			return "", nil, fmt.Errorf("store: schedule calendars: %w", dbErr(err))
		}
		for _, r := range rows {
			epoch = r.Epoch
			byUser[r.OwnerID.Int64] = append(byUser[r.OwnerID.Int64], r.calendar())
		}
	}
	return epoch, byUser, nil
}

// BookingsOfLibrarians is BookingsOfLibrarian for several librarians in
// one query: each one's confirmed bookings that overlap [start, end), by
// start.
func (s *Store) BookingsOfLibrarians(ctx context.Context, librarianIDs []int64, start, end time.Time) (map[int64][]booking.Booking, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	lo, hi := openRange(start, end)
	out := make(map[int64][]booking.Booking, len(librarianIDs))
	for chunk := range idChunks(librarianIDs) {
		query, args, err := sqlx.In(`
			SELECT `+bookingColumns+`
			FROM bookings
			WHERE librarian_id IN (?) AND status = 'confirmed' AND start_at < ? AND end_at > ?
			ORDER BY librarian_id, start_at, id`, chunk, hi, lo)
		if err != nil {
			return nil, fmt.Errorf("store: bookings of librarians: %w", err)
		}
		var rows []bookingRow
		if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(query), args...); err != nil {
			return nil, fmt.Errorf("store: bookings of librarians: %w", dbErr(err))
		}
		for _, b := range bookingsOf(rows) {
			out[b.LibrarianID] = append(out[b.LibrarianID], b)
		}
	}
	return out, nil
}

// ExternalEventsOfUsers is ExternalEvents for several users in one query.
func (s *Store) ExternalEventsOfUsers(ctx context.Context, userIDs []int64, start, end time.Time) (map[int64][]booking.ExternalEvent, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	out := make(map[int64][]booking.ExternalEvent, len(userIDs))
	for chunk := range idChunks(userIDs) {
		query, args, err := sqlx.In(`
			SELECT user_id, `+externalEventsColumns+` FROM external_events
			WHERE user_id IN (?) AND start_at < ? AND end_at > ?
			ORDER BY user_id, start_at`, chunk, unixCeilOrNull(end).Int64, start.Unix())
		if err != nil {
			return nil, fmt.Errorf("store: external events of users: %w", err)
		}
		var rows []struct {
			UserID int64 `db:"user_id"`
			externalEventRow
		}
		if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(query), args...); err != nil {
			return nil, fmt.Errorf("store: external events of users: %w", dbErr(err))
		}
		for _, r := range rows {
			out[r.UserID] = append(out[r.UserID], r.externalEventRow.event())
		}
	}
	return out, nil
}
