package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"github.com/veileder/veileder/booking"
)

// External calendars (migrations/*/00009_external_calendars.sql): the
// links, their fetch state and per-calendar lease, and the expanded events
// of each one's last good fetch.

// Limits on what a librarian may add and on what is kept of a feed.
const (
	MaxExternalCalendars = 10
	maxExternalNameLen   = 200
	maxExternalURLLen    = 4000
	maxExternalErrorLen  = 500
	maxExternalLocation  = 500
	// externalInsertBatch rows go in one INSERT: 9 parameters a row stays
	// far below both databases' parameter limits.
	externalInsertBatch = 500
	// Tags are kept in one column; a category may hold a comma, not a
	// line break.
	externalTagSeparator = "\n"
)

const (
	externalColumns       = `id, user_id, name, url, url_hint, etag, last_modified, state, failing_since, last_fetched, last_ok, event_count, last_error, last_reason, last_reason_arg, refresh_seconds, next_fetch_at, created_at`
	externalEventsColumns = `uid, start_at, end_at, busy, tags, location, online`
)

type externalRow struct {
	ID             int64         `db:"id"`
	UserID         int64         `db:"user_id"`
	Name           string        `db:"name"`
	URL            string        `db:"url"`
	URLHint        string        `db:"url_hint"`
	ETag           string        `db:"etag"`
	LastModified   string        `db:"last_modified"`
	State          string        `db:"state"`
	FailingSince   sql.NullInt64 `db:"failing_since"`
	LastFetched    sql.NullInt64 `db:"last_fetched"`
	LastOK         sql.NullInt64 `db:"last_ok"`
	EventCount     int           `db:"event_count"`
	LastError      string        `db:"last_error"`
	LastReason     string        `db:"last_reason"`
	LastReasonArg  string        `db:"last_reason_arg"`
	RefreshSeconds int64         `db:"refresh_seconds"`
	NextFetchAt    int64         `db:"next_fetch_at"`
	CreatedAt      int64         `db:"created_at"`
}

func (r externalRow) calendar() booking.ExternalCalendar {
	return booking.ExternalCalendar{
		ID: r.ID, UserID: r.UserID, Name: r.Name, URL: r.URL, URLHint: r.URLHint,
		ETag: r.ETag, LastModified: r.LastModified, State: booking.ExternalState(r.State),
		FailingSince: fromUnixOrZero(r.FailingSince), LastFetched: fromUnixOrZero(r.LastFetched),
		LastOK: fromUnixOrZero(r.LastOK), Events: r.EventCount, Error: r.LastError,
		Reason: r.LastReason, ReasonArg: r.LastReasonArg,
		Refresh:   time.Duration(r.RefreshSeconds) * time.Second,
		NextFetch: fromUnix(r.NextFetchAt), CreatedAt: fromUnix(r.CreatedAt),
	}
}

func externalCalendars(rows []externalRow) []booking.ExternalCalendar {
	out := make([]booking.ExternalCalendar, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.calendar())
	}
	return out
}

// AddExternalCalendar stores a new external calendar of c.UserID with
// c.Name and c.URL, which the caller has checked (external.NormalizeURL),
// due to be fetched at once. booking.ErrConflict when the user has the
// link already; booking.ErrInvalid past MaxExternalCalendars or for a bad
// name; booking.ErrNotFound when the user does not exist.
func (s *Store) AddExternalCalendar(ctx context.Context, c booking.ExternalCalendar) (booking.ExternalCalendar, error) {
	c.Name = strings.TrimSpace(c.Name)
	if err := validText("name", c.Name, false, maxExternalNameLen); err != nil {
		return c, fmt.Errorf("store: add external calendar: %w", err)
	}
	if err := validText("address", c.URL, true, maxExternalURLLen); err != nil {
		return c, fmt.Errorf("store: add external calendar: %w", err)
	}
	now := s.now()
	var row externalRow
	err := s.inTx(ctx, func(ctx context.Context, tx *sqlx.Tx) error {
		var n int
		if err := tx.GetContext(ctx, &n, tx.Rebind(`SELECT count(*) FROM external_calendars WHERE user_id = ?`), c.UserID); err != nil {
			return dbErr(err)
		}
		if n >= MaxExternalCalendars {
			return fmt.Errorf("a librarian has at most %d external calendars: %w", MaxExternalCalendars, booking.ErrInvalid)
		}
		return dbErr(tx.GetContext(ctx, &row, tx.Rebind(`
			INSERT INTO external_calendars (user_id, name, url, url_hint, next_fetch_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?)
			RETURNING `+externalColumns),
			c.UserID, c.Name, c.URL, urlHint(c.URL), now.Unix(), now.Unix()))
	})
	if err != nil {
		return c, fmt.Errorf("store: add external calendar of user %d: %w", c.UserID, err)
	}
	return row.calendar(), nil
}

// ExternalCalendars lists the external calendars of a user, or of every
// user when userID is 0, by user and then in the order they were added.
func (s *Store) ExternalCalendars(ctx context.Context, userID int64) ([]booking.ExternalCalendar, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var rows []externalRow
	err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`
		SELECT `+externalColumns+` FROM external_calendars
		WHERE ? = 0 OR user_id = ?
		ORDER BY user_id, id`), userID, userID)
	if err != nil {
		return nil, fmt.Errorf("store: external calendars: %w", dbErr(err))
	}
	return externalCalendars(rows), nil
}

// ExternalCalendar returns one external calendar.
func (s *Store) ExternalCalendar(ctx context.Context, id int64) (booking.ExternalCalendar, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var row externalRow
	err := s.db.GetContext(ctx, &row, s.db.Rebind(`SELECT `+externalColumns+` FROM external_calendars WHERE id = ?`), id)
	if err != nil {
		return booking.ExternalCalendar{}, fmt.Errorf("store: external calendar %d: %w", id, dbErr(err))
	}
	return row.calendar(), nil
}

// RemoveExternalCalendar removes a user's external calendar and its
// events: from the next slot search on, they no longer count.
// booking.ErrNotFound when the user has no such calendar.
func (s *Store) RemoveExternalCalendar(ctx context.Context, userID, id int64) error {
	err := s.inTx(ctx, func(ctx context.Context, tx *sqlx.Tx) error {
		// The events go explicitly too, not only by the foreign key's
		// cascade, so that nothing depends on SQLite's foreign_keys pragma.
		if _, err := tx.ExecContext(ctx, tx.Rebind(`
			DELETE FROM external_events WHERE calendar_id = ? AND user_id = ?`), id, userID); err != nil {
			return dbErr(err)
		}
		res, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM external_calendars WHERE id = ? AND user_id = ?`), id, userID)
		if err != nil {
			return dbErr(err)
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			return booking.ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: remove external calendar %d of user %d: %w", id, userID, err)
	}
	return nil
}

// ClaimDueExternalCalendars leases to holder, until now+lease, up to limit
// external calendars that are due at now and not leased by another holder,
// most overdue first. The lease is per calendar and its due time is in the
// row, so that replicas running the refresh job at the same moment take
// different calendars and each feed is fetched once per period: a
// calendar another replica has just claimed and committed no longer
// matches when it is re-read under the lock (FOR UPDATE SKIP LOCKED on
// PostgreSQL; SQLite's single writer does the same).
func (s *Store) ClaimDueExternalCalendars(ctx context.Context, now time.Time, lease time.Duration, holder string, limit int) ([]booking.ExternalCalendar, error) {
	if holder == "" || lease <= 0 {
		return nil, fmt.Errorf("store: claim external calendars: %w", booking.ErrInvalid)
	}
	if limit <= 0 {
		limit = 1
	}
	lock := ""
	if s.dialect == Postgres {
		lock = "FOR UPDATE SKIP LOCKED"
	}
	var rows []externalRow
	err := s.inTx(ctx, func(ctx context.Context, tx *sqlx.Tx) error {
		n := now.Unix()
		return tx.SelectContext(ctx, &rows, tx.Rebind(`
			UPDATE external_calendars SET locked_until = ?, locked_by = ?
			WHERE id IN (
				SELECT id FROM external_calendars
				WHERE next_fetch_at <= ? AND (locked_until IS NULL OR locked_until <= ?)
				ORDER BY next_fetch_at, id
				LIMIT ?
				`+lock+`)
			RETURNING `+externalColumns), now.Add(lease).Unix(), holder, n, n, limit)
	})
	if err != nil {
		return nil, fmt.Errorf("store: claim external calendars: %w", dbErr(err))
	}
	return externalCalendars(rows), nil
}

// ClaimExternalCalendar leases one calendar to holder whether or not it
// is due (a fetch asked for now), unless another holder leases it. ok is
// false when another does.
func (s *Store) ClaimExternalCalendar(ctx context.Context, id int64, now time.Time, lease time.Duration, holder string) (c booking.ExternalCalendar, ok bool, err error) {
	if holder == "" || lease <= 0 {
		return c, false, fmt.Errorf("store: claim external calendar %d: %w", id, booking.ErrInvalid)
	}
	var rows []externalRow
	err = s.inTx(ctx, func(ctx context.Context, tx *sqlx.Tx) error {
		n := now.Unix()
		return tx.SelectContext(ctx, &rows, tx.Rebind(`
			UPDATE external_calendars SET locked_until = ?, locked_by = ?
			WHERE id = ? AND (locked_until IS NULL OR locked_until <= ? OR locked_by = ?)
			RETURNING `+externalColumns), now.Add(lease).Unix(), holder, id, n, holder)
	})
	if err != nil {
		return c, false, fmt.Errorf("store: claim external calendar %d: %w", id, dbErr(err))
	}
	if len(rows) == 0 {
		if _, err := s.ExternalCalendar(ctx, id); err != nil {
			return c, false, err
		}
		return c, false, nil
	}
	return rows[0].calendar(), true, nil
}

// SaveExternalFetch records the outcome of holder's fetch of a calendar
// it leased, and ends the lease. A successful fetch replaces the stored
// events, all in one transaction, so that a slot search sees the old
// events or the new ones, never a mix; events whose UID is one of the
// librarian's bookings (delivered to that calendar as invitations) are
// dropped, so that a booking never counts twice. An unchanged feed (304)
// and a failed fetch keep the events; a failure keeps the first failure's
// time in failing_since. booking.ErrConflict when holder no longer holds
// the lease (it ran out and another replica took the calendar): nothing
// is written.
func (s *Store) SaveExternalFetch(ctx context.Context, id int64, holder string, f booking.ExternalFetch) error {
	err := s.inTx(ctx, func(ctx context.Context, tx *sqlx.Tx) error {
		var userID int64
		err := tx.GetContext(ctx, &userID, tx.Rebind(`
			SELECT user_id FROM external_calendars WHERE id = ? AND locked_by = ?`+s.forUpdate()), id, holder)
		if err != nil {
			if dbErr(err) == booking.ErrNotFound {
				return fmt.Errorf("the lease was lost: %w", booking.ErrConflict)
			}
			return dbErr(err)
		}
		at, next := f.At.Unix(), f.NextFetch.Unix()
		refresh := int64(f.Refresh / time.Second)
		switch {
		case f.Err != "":
			_, err = tx.ExecContext(ctx, tx.Rebind(`
				UPDATE external_calendars
				SET state = 'failing', failing_since = COALESCE(failing_since, ?), last_fetched = ?,
				    last_error = ?, last_reason = ?, last_reason_arg = ?, next_fetch_at = ?, locked_until = NULL, locked_by = ''
				WHERE id = ?`), at, at, clipText(f.Err, maxExternalErrorLen), clipText(f.Reason, 50), clipText(f.ReasonArg, 100), next, id)
		case f.NotModified:
			_, err = tx.ExecContext(ctx, tx.Rebind(`
				UPDATE external_calendars
				SET state = 'ok', failing_since = NULL, last_fetched = ?, last_ok = ?, last_error = '', last_reason = '', last_reason_arg = '',
				    refresh_seconds = ?, next_fetch_at = ?, locked_until = NULL, locked_by = ''
				WHERE id = ?`), at, at, refresh, next, id)
		default:
			var count int
			if count, err = replaceExternalEvents(ctx, tx, id, userID, f.Events); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, tx.Rebind(`
				UPDATE external_calendars
				SET state = 'ok', failing_since = NULL, last_fetched = ?, last_ok = ?, last_error = '', last_reason = '', last_reason_arg = '',
				    etag = ?, last_modified = ?, event_count = ?, refresh_seconds = ?, next_fetch_at = ?,
				    locked_until = NULL, locked_by = ''
				WHERE id = ?`), at, at, clipText(f.ETag, 500), clipText(f.LastModified, 100), count, refresh, next, id)
		}
		return dbErr(err)
	})
	if err != nil {
		return fmt.Errorf("store: save fetch of external calendar %d: %w", id, err)
	}
	return nil
}

// forUpdate locks the row read on PostgreSQL; SQLite's transaction holds
// the write lock already.
func (s *Store) forUpdate() string {
	if s.dialect == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// replaceExternalEvents swaps a calendar's events for evs, in batches of
// multi-row INSERTs (a feed may hold tens of thousands of instances), and
// returns how many it kept.
func replaceExternalEvents(ctx context.Context, tx *sqlx.Tx, calendarID, userID int64, evs []booking.ExternalEvent) (int, error) {
	if _, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM external_events WHERE calendar_id = ?`), calendarID); err != nil {
		return 0, dbErr(err)
	}
	for len(evs) > 0 {
		batch := evs[:min(len(evs), externalInsertBatch)]
		evs = evs[len(batch):]
		var q strings.Builder
		q.WriteString(`INSERT INTO external_events (calendar_id, user_id, ` + externalEventsColumns + `) VALUES `)
		args := make([]any, 0, len(batch)*9)
		for i, e := range batch {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?)")
			args = append(args, calendarID, userID, clipText(e.UID, 1000), e.Start.Unix(), unixCeilOrNull(e.End).Int64,
				e.Busy, clipText(strings.Join(e.Tags, externalTagSeparator), 1000),
				clipText(e.Location, maxExternalLocation), e.Online)
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(q.String()), args...); err != nil {
			return 0, dbErr(err)
		}
	}
	// The bookings Veileder delivered to this calendar as iMIP
	// invitations come back in the feed under the booking's UID.
	if _, err := tx.ExecContext(ctx, tx.Rebind(`
		DELETE FROM external_events
		WHERE calendar_id = ? AND uid IN (SELECT event_uid FROM bookings WHERE librarian_id = ?)`),
		calendarID, userID); err != nil {
		return 0, dbErr(err)
	}
	var n int
	if err := tx.GetContext(ctx, &n, tx.Rebind(`SELECT count(*) FROM external_events WHERE calendar_id = ?`), calendarID); err != nil {
		return 0, dbErr(err)
	}
	return n, nil
}

// ExternalEvents lists the stored external events of a user that overlap
// [start, end), for the slot search.
func (s *Store) ExternalEvents(ctx context.Context, userID int64, start, end time.Time) ([]booking.ExternalEvent, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	return externalEvents(ctx, s.db, userID, start, end)
}

// ExternalEvents is Store.ExternalEvents in the transaction.
func (t *Tx) ExternalEvents(ctx context.Context, userID int64, start, end time.Time) ([]booking.ExternalEvent, error) {
	return externalEvents(ctx, t.tx, userID, start, end)
}

// externalEventRow is one row of external_events as the slot search reads it.
type externalEventRow struct {
	UID      string `db:"uid"`
	Start    int64  `db:"start_at"`
	End      int64  `db:"end_at"`
	Busy     bool   `db:"busy"`
	Tags     string `db:"tags"`
	Location string `db:"location"`
	Online   bool   `db:"online"`
}

func (r externalEventRow) event() booking.ExternalEvent {
	e := booking.ExternalEvent{UID: r.UID, Start: fromUnix(r.Start), End: fromUnix(r.End), Busy: r.Busy,
		Location: r.Location, Online: r.Online}
	if r.Tags != "" {
		e.Tags = strings.Split(r.Tags, externalTagSeparator)
	}
	return e
}

func externalEvents(ctx context.Context, q querier, userID int64, start, end time.Time) ([]booking.ExternalEvent, error) {
	var rows []externalEventRow
	// The index on (user_id, start_at) bounds the scan by the range's end;
	// stored events begin at most a day before their fetch, so the rows
	// scanned are those of the range and the few days before it.
	err := sqlx.SelectContext(ctx, q, &rows, q.Rebind(`
		SELECT `+externalEventsColumns+` FROM external_events
		WHERE user_id = ? AND start_at < ? AND end_at > ?
		ORDER BY start_at`), userID, unixCeilOrNull(end).Int64, start.Unix())
	if err != nil {
		return nil, fmt.Errorf("store: external events of user %d: %w", userID, dbErr(err))
	}
	out := make([]booking.ExternalEvent, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.event())
	}
	return out, nil
}

// ExternalPrefs returns a user's choices about external calendars; the
// zero value when none were made.
func (s *Store) ExternalPrefs(ctx context.Context, userID int64) (booking.ExternalPrefs, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var row struct {
		Invite bool `db:"invite_bookings"`
		Notify bool `db:"notify_failing"`
	}
	err := s.db.GetContext(ctx, &row, s.db.Rebind(`
		SELECT invite_bookings, notify_failing FROM external_prefs WHERE user_id = ?`), userID)
	switch dbErr(err) {
	case nil:
		return booking.ExternalPrefs{InviteBookings: row.Invite, NotifyFailing: row.Notify}, nil
	case booking.ErrNotFound:
		return booking.ExternalPrefs{}, nil
	}
	return booking.ExternalPrefs{}, fmt.Errorf("store: external preferences of user %d: %w", userID, dbErr(err))
}

// SetExternalPrefs stores a user's choices about external calendars.
func (s *Store) SetExternalPrefs(ctx context.Context, userID int64, p booking.ExternalPrefs) error {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	_, err := s.db.ExecContext(ctx, s.db.Rebind(`
		INSERT INTO external_prefs (user_id, invite_bookings, notify_failing) VALUES (?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE
		SET invite_bookings = excluded.invite_bookings, notify_failing = excluded.notify_failing`),
		userID, p.InviteBookings, p.NotifyFailing)
	if err != nil {
		return fmt.Errorf("store: set external preferences of user %d: %w", userID, dbErr(err))
	}
	return nil
}

// clipText cuts s to at most max bytes on a rune boundary.
func clipText(s string, max int) string {
	if len(s) <= max {
		return s
	}
	s = s[:max]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// urlHint is how a feed address is shown once saved: scheme and host and
// an ellipsis, since the path and query hold the secret
// ("https://outlook.office365.com/…").
func urlHint(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return "…"
	}
	return u.Scheme + "://" + u.Host + "/…"
}
