package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/veileder/veileder/booking"
)

// The drop-in calendar is the shared calendar of kind dropin
// (migrations/*/00001_caldav.sql creates it). Its feeds need, besides its
// objects, the tombstones of sessions that left them
// (migrations/*/00004_dropin.sql).

// DropInCalendar returns the shared drop-in calendar.
func (s *Store) DropInCalendar(ctx context.Context) (booking.Calendar, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var row calendarRow
	err := s.db.GetContext(ctx, &row, s.db.Rebind(`
		SELECT id, owner_id, slug, kind, display_name, description, color, sort_order,
		       components, timezone, sync_seq, created_at, updated_at, properties
		FROM calendars
		WHERE owner_id IS NULL AND kind = ?
		ORDER BY id
		LIMIT 1`), string(booking.KindDropIn))
	if err != nil {
		return booking.Calendar{}, fmt.Errorf("store: drop-in calendar: %w", dbErr(err))
	}
	return row.calendar(), nil
}

// DropInVersion reads, in one query, what identifies the drop-in feeds'
// content: the calendar's sync_seq, how many tombstones deleted at or after
// shownSince there are, and the latest change time, where a tombstone that
// aged out (deleted before shownSince) changed the feeds at its
// deleted_at + ttl.
func (s *Store) DropInVersion(ctx context.Context, shownSince time.Time, ttl time.Duration) (booking.DropInVersion, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var row struct {
		ID          int64         `db:"id"`
		SyncSeq     int64         `db:"sync_seq"`
		Shown       int           `db:"shown"`
		LastObject  sql.NullInt64 `db:"last_object"`
		LastDeleted sql.NullInt64 `db:"last_deleted"`
		LastAged    sql.NullInt64 `db:"last_aged"`
	}
	since := shownSince.Unix()
	err := s.db.GetContext(ctx, &row, s.db.Rebind(`
		SELECT c.id, c.sync_seq,
		       (SELECT COUNT(*) FROM dropin_tombstones t
		        WHERE t.calendar_id = c.id AND t.deleted_at >= ?) AS shown,
		       (SELECT MAX(o.modified_at) FROM calendar_objects o
		        WHERE o.calendar_id = c.id) AS last_object,
		       (SELECT MAX(t.deleted_at) FROM dropin_tombstones t
		        WHERE t.calendar_id = c.id) AS last_deleted,
		       (SELECT MAX(t.deleted_at) FROM dropin_tombstones t
		        WHERE t.calendar_id = c.id AND t.deleted_at < ?) AS last_aged
		FROM calendars c
		WHERE c.owner_id IS NULL AND c.kind = ?
		ORDER BY c.id
		LIMIT 1`), since, since, string(booking.KindDropIn))
	if err != nil {
		return booking.DropInVersion{}, fmt.Errorf("store: drop-in version: %w", dbErr(err))
	}
	v := booking.DropInVersion{CalendarID: row.ID, SyncSeq: row.SyncSeq, Tombstones: row.Shown}
	latest := func(t time.Time) {
		if t.After(v.Modified) {
			v.Modified = t
		}
	}
	latest(fromUnixOrZero(row.LastObject))
	latest(fromUnixOrZero(row.LastDeleted))
	if row.LastAged.Valid {
		latest(fromUnix(row.LastAged.Int64).Add(ttl))
	}
	return v, nil
}

// tombstoneRow is a row of dropin_tombstones.
type tombstoneRow struct {
	CalendarID int64  `db:"calendar_id"`
	UID        string `db:"uid"`
	Summary    string `db:"summary"`
	StartAt    int64  `db:"start_at"`
	EndAt      int64  `db:"end_at"`
	AllDay     bool   `db:"all_day"`
	Themes     string `db:"themes"`
	DeletedAt  int64  `db:"deleted_at"`
	Seq        int64  `db:"seq"`
}

func (r tombstoneRow) tombstone() booking.DropInTombstone {
	t := booking.DropInTombstone{
		CalendarID: r.CalendarID,
		UID:        r.UID,
		Summary:    r.Summary,
		Start:      fromUnix(r.StartAt),
		End:        fromUnix(r.EndAt),
		AllDay:     r.AllDay,
		DeletedAt:  fromUnix(r.DeletedAt),
		Seq:        r.Seq,
	}
	if r.Themes != "" {
		t.Themes = strings.Split(r.Themes, ",")
	}
	return t
}

// DropInTombstones lists the calendar's tombstones deleted at or after
// since, by UID.
func (s *Store) DropInTombstones(ctx context.Context, calendarID int64, since time.Time) ([]booking.DropInTombstone, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var rows []tombstoneRow
	err := s.db.SelectContext(ctx, &rows, s.db.Rebind(`
		SELECT calendar_id, uid, summary, start_at, end_at, all_day, themes, deleted_at, seq
		FROM dropin_tombstones
		WHERE calendar_id = ? AND deleted_at >= ?
		ORDER BY uid`), calendarID, since.Unix())
	if err != nil {
		return nil, fmt.Errorf("store: drop-in tombstones of calendar %d: %w", calendarID, dbErr(err))
	}
	out := make([]booking.DropInTombstone, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.tombstone())
	}
	return out, nil
}

// PutDropInTombstone stores a tombstone in the object hook's transaction.
// An existing tombstone of the UID is replaced, keeping the union of both
// theme lists, so that a session that lost one theme and then another
// stays cancelled in both feeds. Seq is the calendar's current sync_seq,
// which the write being hooked has just taken.
func (t *Tx) PutDropInTombstone(ctx context.Context, ts booking.DropInTombstone) error {
	var existing string
	err := t.tx.GetContext(ctx, &existing, t.tx.Rebind(`
		SELECT themes FROM dropin_tombstones WHERE calendar_id = ? AND uid = ?`), ts.CalendarID, ts.UID)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return fmt.Errorf("store: tombstone %q: %w", ts.UID, dbErr(err))
	}
	themes := mergeThemes(existing, ts.Themes)
	_, err = t.tx.ExecContext(ctx, t.tx.Rebind(`
		INSERT INTO dropin_tombstones (calendar_id, uid, summary, start_at, end_at, all_day, themes, deleted_at, seq)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, (SELECT sync_seq FROM calendars WHERE id = ?))
		ON CONFLICT (calendar_id, uid) DO UPDATE
		SET summary = excluded.summary, start_at = excluded.start_at, end_at = excluded.end_at,
		    all_day = excluded.all_day, themes = excluded.themes,
		    deleted_at = excluded.deleted_at, seq = excluded.seq`),
		ts.CalendarID, ts.UID, ts.Summary, ts.Start.Unix(), ts.End.Unix(), ts.AllDay, themes,
		ts.DeletedAt.Unix(), ts.CalendarID)
	if err != nil {
		return fmt.Errorf("store: put tombstone %q: %w", ts.UID, dbErr(err))
	}
	return nil
}

// mergeThemes joins a stored theme list and new themes without repeats.
func mergeThemes(stored string, add []string) string {
	var out []string
	seen := map[string]bool{}
	for _, list := range [][]string{strings.Split(stored, ","), add} {
		for _, th := range list {
			th = strings.TrimSpace(th)
			if th != "" && !seen[th] && !strings.Contains(th, ",") {
				seen[th] = true
				out = append(out, th)
			}
		}
	}
	return strings.Join(out, ",")
}

// PurgeDropInTombstones deletes the calendar's tombstones deleted before
// before, in the hook's transaction. It is idempotent, so replicas may run
// it together.
func (t *Tx) PurgeDropInTombstones(ctx context.Context, calendarID int64, before time.Time) error {
	_, err := t.tx.ExecContext(ctx, t.tx.Rebind(`
		DELETE FROM dropin_tombstones WHERE calendar_id = ? AND deleted_at < ?`), calendarID, before.Unix())
	if err != nil {
		return fmt.Errorf("store: purge tombstones of calendar %d: %w", calendarID, dbErr(err))
	}
	return nil
}
