package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
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

// ScheduleVersions returns, for each of the users, a token that changes
// whenever anything in their own calendars does: a calendar made or
// deleted, an object written or removed (every such write bumps its
// calendar's sync_seq in the same transaction), or the database's sync
// epoch renewed after a restore (which may reuse positions). Equal tokens
// mean equal calendars, so whatever was computed from a user's calendars
// at one token can be reused, on any replica, as long as the token read
// before using it is the same. A user without calendars has a token too.
func (s *Store) ScheduleVersions(ctx context.Context, userIDs []int64) (map[int64]string, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var epoch []string
	if err := s.db.SelectContext(ctx, &epoch, s.db.Rebind(`SELECT value FROM secrets WHERE name = ?`), syncEpochName); err != nil {
		return nil, fmt.Errorf("store: schedule versions: %w", dbErr(err))
	}
	prefix := "-"
	if len(epoch) > 0 {
		prefix = epoch[0]
	}
	out := make(map[int64]string, len(userIDs))
	var b strings.Builder
	for _, id := range userIDs {
		out[id] = prefix
	}
	for chunk := range idChunks(userIDs) {
		query, args, err := sqlx.In(`
			SELECT owner_id, id, sync_seq FROM calendars
			WHERE owner_id IN (?)
			ORDER BY owner_id, id`, chunk)
		if err != nil {
			return nil, fmt.Errorf("store: schedule versions: %w", err)
		}
		var rows []struct {
			Owner int64 `db:"owner_id"`
			ID    int64 `db:"id"`
			Seq   int64 `db:"sync_seq"`
		}
		if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(query), args...); err != nil {
			return nil, fmt.Errorf("store: schedule versions: %w", dbErr(err))
		}
		for i := 0; i < len(rows); {
			owner := rows[i].Owner
			b.Reset()
			b.WriteString(prefix)
			for ; i < len(rows) && rows[i].Owner == owner; i++ {
				b.WriteByte('/')
				b.WriteString(strconv.FormatInt(rows[i].ID, 10))
				b.WriteByte(':')
				b.WriteString(strconv.FormatInt(rows[i].Seq, 10))
			}
			out[owner] = b.String()
		}
	}
	return out, nil
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
