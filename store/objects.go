package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"github.com/veileder/veileder/booking"
)

// objectRow is a row of calendar_objects.
type objectRow struct {
	CalendarID int64         `db:"calendar_id"`
	Name       string        `db:"name"`
	UID        string        `db:"uid"`
	Component  string        `db:"component"`
	Data       string        `db:"data"`
	ETag       string        `db:"etag"`
	Size       int64         `db:"size"`
	FirstStart sql.NullInt64 `db:"first_start"`
	LastEnd    sql.NullInt64 `db:"last_end"`
	ModifiedAt int64         `db:"modified_at"`
	Seq        int64         `db:"seq"`
}

func (r objectRow) object() booking.CalendarObject {
	o := booking.CalendarObject{
		CalendarID: r.CalendarID,
		Name:       r.Name,
		UID:        r.UID,
		Component:  r.Component,
		ETag:       r.ETag,
		Size:       r.Size,
		FirstStart: fromUnixOrZero(r.FirstStart),
		LastEnd:    fromUnixOrZero(r.LastEnd),
		ModifiedAt: fromUnix(r.ModifiedAt),
		Seq:        r.Seq,
	}
	if r.Data != "" {
		o.Data = []byte(r.Data)
	}
	return o
}

func objectsOf(rows []objectRow) []booking.CalendarObject {
	objs := make([]booking.CalendarObject, 0, len(rows))
	for _, r := range rows {
		objs = append(objs, r.object())
	}
	return objs
}

// Object returns one object with its data.
func (s *Store) Object(ctx context.Context, calendarID int64, name string) (booking.CalendarObject, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	return getObject(ctx, s.db, calendarID, name)
}

// getObject is Object on the pool or in a transaction.
func getObject(ctx context.Context, q querier, calendarID int64, name string) (booking.CalendarObject, error) {
	row, err := objectRowOf(ctx, q, calendarID, name)
	if err != nil {
		return booking.CalendarObject{}, fmt.Errorf("store: object %s in calendar %d: %w", name, calendarID, err)
	}
	return row.object(), nil
}

func objectRowOf(ctx context.Context, q querier, calendarID int64, name string) (objectRow, error) {
	var row objectRow
	err := sqlx.GetContext(ctx, q, &row, q.Rebind(`
		SELECT calendar_id, name, uid, component, data, etag, size, first_start, last_end, modified_at, seq
		FROM calendar_objects
		WHERE calendar_id = ? AND name = ?`), calendarID, name)
	return row, dbErr(err)
}

// namesPerQuery keeps IN lists well below both databases' limits on bound
// parameters.
const namesPerQuery = 500

// ObjectsByName returns, with data and ordered by name, the named objects
// that exist; names that do not exist are left out.
func (s *Store) ObjectsByName(ctx context.Context, calendarID int64, names []string) ([]booking.CalendarObject, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var rows []objectRow
	for chunk := range chunks(names, namesPerQuery) {
		query, args, err := sqlx.In(`
			SELECT calendar_id, name, uid, component, data, etag, size, first_start, last_end, modified_at, seq
			FROM calendar_objects
			WHERE calendar_id = ? AND name IN (?)
			ORDER BY name`, calendarID, chunk)
		if err != nil {
			return nil, fmt.Errorf("store: objects by name in calendar %d: %w", calendarID, err)
		}
		var part []objectRow
		if err := s.db.SelectContext(ctx, &part, s.db.Rebind(query), args...); err != nil {
			return nil, fmt.Errorf("store: objects by name in calendar %d: %w", calendarID, dbErr(err))
		}
		rows = append(rows, part...)
	}
	return objectsOf(rows), nil
}

// chunks yields s in pieces of at most n, and nothing for an empty s.
func chunks(s []string, n int) func(yield func([]string) bool) {
	return func(yield func([]string) bool) {
		for len(s) > 0 {
			k := min(n, len(s))
			if !yield(s[:k]) {
				return
			}
			s = s[k:]
		}
	}
}

// Objects lists every object of the calendar by name; with data only if
// withData, as a PROPFIND for ETags needs none.
func (s *Store) Objects(ctx context.Context, calendarID int64, withData bool) ([]booking.CalendarObject, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	query := `
		SELECT calendar_id, name, uid, component, '' AS data, etag, size, first_start, last_end, modified_at, seq
		FROM calendar_objects
		WHERE calendar_id = ?
		ORDER BY name`
	if withData {
		query = `
		SELECT calendar_id, name, uid, component, data, etag, size, first_start, last_end, modified_at, seq
		FROM calendar_objects
		WHERE calendar_id = ?
		ORDER BY name`
	}
	var rows []objectRow
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(query), calendarID); err != nil {
		return nil, fmt.Errorf("store: objects of calendar %d: %w", calendarID, dbErr(err))
	}
	return objectsOf(rows), nil
}

// ObjectsOverlapping returns, with data, the objects of the component that
// may have an instance in [start, end); a zero start or end is open. It is a
// pre-filter on the indexed bounds alone: the CalDAV layer runs the exact
// test of RFC 4791 section 9.9 on what it returns.
//
// The comparisons are inclusive although the range is half-open, because
// RFC 4791 section 9.9 is: an event with no duration at start matches
// (start <= DTSTART), and a to-do due at end matches (end >= DUE). An
// object with a NULL bound is open on that side, and one without any (a
// to-do without dates) is a candidate for every range. Open sides of the
// query become the extremes of int64, so that one SQL text serves all
// cases and both databases.
func (s *Store) ObjectsOverlapping(ctx context.Context, calendarID int64, component string, start, end time.Time) ([]booking.CalendarObject, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	return objectsOverlapping(ctx, s.db, calendarID, component, start, end)
}

// spanBounds are the longest span, in seconds, of each span class: class
// 0 holds objects up to an hour long, class k up to 2^(k-1) days. Longer,
// unbounded and undated objects are class unboundedSpan. The backfill in
// migration 00006 writes the same classes.
var spanBounds = func() []int64 {
	b := []int64{3600}
	for days := int64(1); days <= 1024; days *= 2 {
		b = append(b, days*86400)
	}
	return b
}()

const unboundedSpan = 99

func spanClass(first, last sql.NullInt64) int {
	if !first.Valid || !last.Valid {
		return unboundedSpan
	}
	span := last.Int64 - first.Int64
	for k, b := range spanBounds {
		if span <= b {
			return k
		}
	}
	return unboundedSpan
}

// objectsOverlapping is ObjectsOverlapping on the pool or in a transaction.
//
// On PostgreSQL a GiST index on the objects' ranges answers it directly.
// On SQLite, for a bounded range it asks each span class only for objects that start
// at most that class's span before the range (an object of class k that
// started earlier ended before lo), so each part is a range scan of the
// (calendar, component, span_class, first_start) index over the events
// near the range: a week's query reads a week's worth of objects whatever
// the calendar's size. Unbounded objects (open-ended series, to-dos
// without dates) are few and read by the plain test.
func objectsOverlapping(ctx context.Context, q querier, calendarID int64, component string, start, end time.Time) ([]booking.CalendarObject, error) {
	const cols = `calendar_id, name, uid, component, data, etag, size, first_start, last_end, modified_at, seq`
	lo, hi := openRange(start, end)
	comp := strings.ToUpper(component)
	var query strings.Builder
	var args []any
	switch {
	case q.DriverName() == "postgres":
		// The GiST index of migration 00007; NULL bounds are open on both
		// sides of the && test.
		query.WriteString(`
		SELECT ` + cols + ` FROM calendar_objects
		WHERE calendar_id = ? AND component = ?
		  AND int8range(first_start, last_end, '[]') && int8range(?, ?, '[]')`)
		args = append(args, calendarID, comp, unixOrNull(start), unixCeilOrNull(end))
	case start.IsZero():
		query.WriteString(`
		SELECT ` + cols + `
		FROM calendar_objects
		WHERE calendar_id = ? AND component = ?
		  AND (first_start IS NULL OR first_start <= ?)
		  AND (last_end IS NULL OR last_end >= ?)`)
		args = append(args, calendarID, comp, hi, lo)
	default:
		for k, bound := range spanBounds {
			query.WriteString(`
		SELECT ` + cols + ` FROM calendar_objects
		WHERE calendar_id = ? AND component = ? AND span_class = ?
		  AND first_start BETWEEN ? AND ? AND last_end >= ?
		UNION ALL`)
			args = append(args, calendarID, comp, k, lo-bound, hi, lo)
		}
		query.WriteString(`
		SELECT ` + cols + ` FROM calendar_objects
		WHERE calendar_id = ? AND component = ? AND span_class = ?
		  AND (first_start IS NULL OR first_start <= ?)
		  AND (last_end IS NULL OR last_end >= ?)`)
		args = append(args, calendarID, comp, unboundedSpan, hi, lo)
	}
	// No ORDER BY: with one, SQLite walks the primary key in name order
	// for the unbounded part instead of the span index. Sorting here is
	// cheap, as only candidates near the range come back.
	var rows []objectRow
	if err := sqlx.SelectContext(ctx, q, &rows, q.Rebind(query.String()), args...); err != nil {
		return nil, fmt.Errorf("store: objects overlapping in calendar %d: %w", calendarID, dbErr(err))
	}
	slices.SortFunc(rows, func(a, b objectRow) int { return strings.Compare(a.Name, b.Name) })
	return objectsOf(rows), nil
}

// PutObject creates or replaces an object under cond, in one transaction
// that also bumps the calendar's SyncSeq and logs the change. It returns the
// stored object (with its new ETag, Seq and ModifiedAt) and whether it was
// created. booking.ErrPreconditionFailed when cond does not hold;
// booking.ErrConflict when another object of the calendar has the UID
// (RFC 4791 section 5.3.2.1, no-uid-conflict); booking.ErrNotFound when the
// calendar does not exist.
//
// Writers to one calendar are serialised: the transaction first bumps
// calendars.sync_seq, which on PostgreSQL locks the calendar's row until
// commit, and on SQLite the transaction holds the database's write lock
// from BEGIN. So the condition and the UID are checked against the state
// the write replaces, and of concurrent writes with the same If-Match
// exactly one succeeds.
//
// In a bookings calendar the object hook (SetObjectHook) runs after the
// write, in the same transaction; its error undoes the write. If the hook
// rewrote the object, the object returned is the one stored now.
func (s *Store) PutObject(ctx context.Context, obj booking.CalendarObject, cond booking.WriteCondition) (booking.CalendarObject, bool, error) {
	return s.PutScheduledObject(ctx, obj, cond, nil)
}

// PutScheduledObject is PutObject that also hands out, in the write's
// transaction, the organizer's iTIP messages the write causes (RFC 6638):
// each to its attendee's schedule inbox or, by e-mail, to the outbox
// (deliverITIP). So the attendees are told if and only if the change is
// stored.
func (s *Store) PutScheduledObject(ctx context.Context, obj booking.CalendarObject, cond booking.WriteCondition, out []booking.ITIPDelivery) (booking.CalendarObject, bool, error) {
	// Bad input fails before the transaction takes any lock.
	if err := validObject(obj); err != nil {
		return booking.CalendarObject{}, false, fmt.Errorf("store: put object %s: %w", obj.Name, err)
	}
	var (
		stored  booking.CalendarObject
		created bool
	)
	err := s.inTx(ctx, func(ctx context.Context, tx *sqlx.Tx) error {
		hook, cal, err := s.hookFor(ctx, tx, obj.CalendarID)
		if err != nil {
			return err
		}
		w, err := putObject(ctx, tx, obj, cond, s.now(), hook != nil)
		if err != nil {
			return err
		}
		stored, created = w.after, w.created
		if err := s.deliverITIP(ctx, tx, out); err != nil {
			return err
		}
		if hook == nil {
			return nil
		}
		after := stored           // the hook gets a copy: what it does to it is not stored
		after.Parsed = obj.Parsed // of the data just written, so the hook need not parse it
		if err := hook(ctx, &Tx{s: s, tx: tx}, cal, w.before, &after); err != nil {
			return fmt.Errorf("object hook: %w", err)
		}
		etag, exists, err := currentETag(ctx, tx, stored.CalendarID, stored.Name)
		if err != nil {
			return err
		}
		if exists && etag != stored.ETag {
			row, err := objectRowOf(ctx, tx, stored.CalendarID, stored.Name)
			if err != nil {
				return err
			}
			stored = row.object()
		}
		return nil
	})
	if err != nil {
		return booking.CalendarObject{}, false, fmt.Errorf("store: put object %s: %w", obj.Name, err)
	}
	return stored, created, nil
}

// objectWrite is what a write in a transaction did.
type objectWrite struct {
	// before is the object the write replaced or deleted, with its data;
	// set only when asked for, and nil if there was none.
	before  *booking.CalendarObject
	after   booking.CalendarObject
	created bool
}

// putObject is PutObject's write inside tx, shared by Store.PutObject and
// Tx.PutObject. With withBefore it also returns the object it replaced.
func putObject(ctx context.Context, tx *sqlx.Tx, obj booking.CalendarObject, cond booking.WriteCondition, now time.Time, withBefore bool) (objectWrite, error) {
	if err := validObject(obj); err != nil {
		return objectWrite{}, err
	}
	row := objectRow{
		CalendarID: obj.CalendarID,
		Name:       obj.Name,
		UID:        obj.UID,
		Component:  strings.ToUpper(obj.Component),
		Data:       string(obj.Data),
		ETag:       etagOf(obj.Data),
		Size:       int64(len(obj.Data)),
		FirstStart: unixOrNull(obj.FirstStart),
		LastEnd:    unixCeilOrNull(obj.LastEnd),
		ModifiedAt: now.Unix(),
	}
	seq, err := bumpSyncSeq(ctx, tx, row.CalendarID)
	if err != nil {
		return objectWrite{}, err
	}
	row.Seq = seq

	var w objectWrite
	current, exists, err := currentObject(ctx, tx, row.CalendarID, row.Name, withBefore, &w)
	if err != nil {
		return objectWrite{}, err
	}
	if err := checkCondition(cond, current, exists); err != nil {
		return objectWrite{}, err
	}
	w.created = !exists

	var other string
	err = tx.GetContext(ctx, &other, tx.Rebind(`
		SELECT name FROM calendar_objects
		WHERE calendar_id = ? AND uid = ? AND name <> ?`), row.CalendarID, row.UID, row.Name)
	switch {
	case err == nil:
		return objectWrite{}, fmt.Errorf("uid %q is used by %s: %w", row.UID, other, booking.ErrConflict)
	case !errors.Is(err, sql.ErrNoRows):
		return objectWrite{}, dbErr(err)
	}

	if w.created {
		_, err = tx.ExecContext(ctx, tx.Rebind(`
			INSERT INTO calendar_objects (calendar_id, name, uid, component, data, etag, size,
			                              first_start, last_end, span_class, modified_at, seq)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			row.CalendarID, row.Name, row.UID, row.Component, row.Data, row.ETag, row.Size,
			row.FirstStart, row.LastEnd, spanClass(row.FirstStart, row.LastEnd), row.ModifiedAt, row.Seq)
	} else {
		_, err = tx.ExecContext(ctx, tx.Rebind(`
			UPDATE calendar_objects
			SET uid = ?, component = ?, data = ?, etag = ?, size = ?,
			    first_start = ?, last_end = ?, span_class = ?, modified_at = ?, seq = ?
			WHERE calendar_id = ? AND name = ?`),
			row.UID, row.Component, row.Data, row.ETag, row.Size,
			row.FirstStart, row.LastEnd, spanClass(row.FirstStart, row.LastEnd), row.ModifiedAt, row.Seq,
			row.CalendarID, row.Name)
	}
	if err != nil {
		return objectWrite{}, dbErr(err)
	}
	if err := logChange(ctx, tx, row.CalendarID, row.Seq, row.Name, false, now); err != nil {
		return objectWrite{}, err
	}
	w.after = row.object()
	return w, nil
}

// validObject rejects what the database would reject differently or not
// at all: PostgreSQL refuses invalid UTF-8 and NUL in TEXT, SQLite takes
// both.
func validObject(obj booking.CalendarObject) error {
	switch {
	case obj.Name == "" || strings.Contains(obj.Name, "/"):
		return fmt.Errorf("object name %q: %w", obj.Name, booking.ErrInvalid)
	case obj.UID == "":
		return fmt.Errorf("object without UID: %w", booking.ErrInvalid)
	case obj.Component == "":
		return fmt.Errorf("object without component: %w", booking.ErrInvalid)
	case len(obj.Data) == 0:
		return fmt.Errorf("object without data: %w", booking.ErrInvalid)
	case !utf8.Valid(obj.Data) || bytes.IndexByte(obj.Data, 0) >= 0:
		return fmt.Errorf("object data is not UTF-8 text: %w", booking.ErrInvalid)
	case !utf8.ValidString(obj.Name) || !utf8.ValidString(obj.UID) || strings.ContainsRune(obj.Name+obj.UID, 0):
		return fmt.Errorf("object name or UID is not UTF-8 text: %w", booking.ErrInvalid)
	}
	return nil
}

// DeleteObject removes an object under cond and logs a tombstone, in one
// transaction serialised like PutObject's. booking.ErrNotFound when there is
// no such object (booking.ErrPreconditionFailed if cond required one). In a
// bookings calendar the object hook runs after the delete, in the same
// transaction; its error undoes the delete.
func (s *Store) DeleteObject(ctx context.Context, calendarID int64, name string, cond booking.WriteCondition) error {
	return s.DeleteScheduledObject(ctx, calendarID, name, cond, nil)
}

// DeleteScheduledObject is DeleteObject that also hands out the
// organizer's cancellations in the same transaction, as
// PutScheduledObject does.
func (s *Store) DeleteScheduledObject(ctx context.Context, calendarID int64, name string, cond booking.WriteCondition, out []booking.ITIPDelivery) error {
	err := s.inTx(ctx, func(ctx context.Context, tx *sqlx.Tx) error {
		hook, cal, err := s.hookFor(ctx, tx, calendarID)
		if err != nil {
			return err
		}
		before, err := deleteObject(ctx, tx, calendarID, name, cond, s.now(), hook != nil)
		if err != nil {
			return err
		}
		if err := s.deliverITIP(ctx, tx, out); err != nil {
			return err
		}
		if hook == nil {
			return nil
		}
		if err := hook(ctx, &Tx{s: s, tx: tx}, cal, before, nil); err != nil {
			return fmt.Errorf("object hook: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: delete object %s in calendar %d: %w", name, calendarID, err)
	}
	return nil
}

// deleteObject is DeleteObject's write inside tx, shared by
// Store.DeleteObject and Tx.DeleteObject. With withBefore it returns the
// deleted object.
func deleteObject(ctx context.Context, tx *sqlx.Tx, calendarID int64, name string, cond booking.WriteCondition, now time.Time, withBefore bool) (*booking.CalendarObject, error) {
	seq, err := bumpSyncSeq(ctx, tx, calendarID)
	if err != nil {
		return nil, err
	}
	var w objectWrite
	current, exists, err := currentObject(ctx, tx, calendarID, name, withBefore, &w)
	if err != nil {
		return nil, err
	}
	if err := checkCondition(cond, current, exists); err != nil {
		return nil, err
	}
	if !exists {
		return nil, booking.ErrNotFound
	}
	_, err = tx.ExecContext(ctx, tx.Rebind(`
		DELETE FROM calendar_objects WHERE calendar_id = ? AND name = ?`), calendarID, name)
	if err != nil {
		return nil, dbErr(err)
	}
	if err := logChange(ctx, tx, calendarID, seq, name, true, now); err != nil {
		return nil, err
	}
	return w.before, nil
}

// currentObject reads the stored object's ETag, and with withBefore the
// whole object into w.before, which only the object hook needs.
func currentObject(ctx context.Context, tx *sqlx.Tx, calendarID int64, name string, withBefore bool, w *objectWrite) (etag string, exists bool, err error) {
	if !withBefore {
		return currentETag(ctx, tx, calendarID, name)
	}
	row, err := objectRowOf(ctx, tx, calendarID, name)
	switch {
	case errors.Is(err, booking.ErrNotFound):
		return "", false, nil
	case err != nil:
		return "", false, err
	}
	obj := row.object()
	w.before = &obj
	return row.ETag, true, nil
}

// bumpSyncSeq takes the calendar's next sequence number. On PostgreSQL the
// UPDATE also locks the calendar's row until the transaction ends, which is
// what serialises writers to one calendar.
func bumpSyncSeq(ctx context.Context, tx *sqlx.Tx, calendarID int64) (int64, error) {
	var seq int64
	err := tx.GetContext(ctx, &seq, tx.Rebind(`
		UPDATE calendars SET sync_seq = sync_seq + 1 WHERE id = ? RETURNING sync_seq`), calendarID)
	if err != nil {
		return 0, fmt.Errorf("calendar %d: %w", calendarID, dbErr(err))
	}
	return seq, nil
}

func currentETag(ctx context.Context, tx *sqlx.Tx, calendarID int64, name string) (etag string, exists bool, err error) {
	err = tx.GetContext(ctx, &etag, tx.Rebind(`
		SELECT etag FROM calendar_objects WHERE calendar_id = ? AND name = ?`), calendarID, name)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", false, nil
	case err != nil:
		return "", false, dbErr(err)
	}
	return etag, true, nil
}

// checkCondition applies If-Match and If-None-Match (RFC 9110 sections
// 13.1.1 and 13.1.2) to the stored object's ETag.
func checkCondition(cond booking.WriteCondition, current string, exists bool) error {
	if cond.IfNoneMatchAny && exists {
		return fmt.Errorf("If-None-Match: * but the object exists: %w", booking.ErrPreconditionFailed)
	}
	if m := unquote(cond.IfMatch); m != "" {
		if !exists {
			return fmt.Errorf("If-Match but the object does not exist: %w", booking.ErrPreconditionFailed)
		}
		if m != "*" && m != current {
			return fmt.Errorf("If-Match %q but the ETag is %q: %w", m, current, booking.ErrPreconditionFailed)
		}
	}
	if m := unquote(cond.IfNoneMatch); m != "" && exists && (m == "*" || m == current) {
		return fmt.Errorf("If-None-Match %q matches: %w", m, booking.ErrPreconditionFailed)
	}
	return nil
}

// unquote accepts an ETag with or without its quotes, or a weak one, so
// that a header passed on as it came does not fail every comparison.
func unquote(etag string) string {
	etag = strings.TrimPrefix(strings.TrimSpace(etag), "W/")
	return strings.Trim(etag, `"`)
}

func logChange(ctx context.Context, tx *sqlx.Tx, calendarID, seq int64, name string, deleted bool, now time.Time) error {
	_, err := tx.ExecContext(ctx, tx.Rebind(`
		INSERT INTO calendar_changes (calendar_id, seq, name, deleted, changed_at) VALUES (?, ?, ?, ?, ?)`),
		calendarID, seq, name, deleted, now.Unix())
	if err != nil {
		return fmt.Errorf("log change: %w", dbErr(err))
	}
	return nil
}

// changeRow is a row of calendar_changes.
type changeRow struct {
	Name    string `db:"name"`
	Seq     int64  `db:"seq"`
	Deleted bool   `db:"deleted"`
}

// ChangesSince returns the latest change of each object changed after seq,
// oldest first, and the calendar's current SyncSeq, for sync-collection
// (RFC 6578). booking.ErrInvalid when seq is newer than the calendar, or
// older than the log reaches back (RFC 6578 section 3.2: the server then
// answers valid-sync-token). seq 0 is the calendar's beginning; the list
// then holds tombstones of objects deleted since, which a client may get
// (RFC 6578 section 3.4 lets the server report them), though an initial
// sync is better served by Objects.
//
// The reads need no transaction: changes later than the current seq read
// first are left out, and the client gets them with its next token.
func (s *Store) ChangesSince(ctx context.Context, calendarID int64, seq int64) ([]booking.Change, int64, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var cur struct {
		SyncSeq int64         `db:"sync_seq"`
		Oldest  sql.NullInt64 `db:"oldest"`
	}
	err := s.db.GetContext(ctx, &cur, s.db.Rebind(`
		SELECT sync_seq,
		       (SELECT MIN(seq) FROM calendar_changes WHERE calendar_id = calendars.id) AS oldest
		FROM calendars
		WHERE id = ?`), calendarID)
	if err != nil {
		return nil, 0, fmt.Errorf("store: changes of calendar %d: %w", calendarID, dbErr(err))
	}
	// Once the log is pruned, the oldest kept change must follow seq
	// directly, or some change the client has not seen may be gone.
	if seq < 0 || seq > cur.SyncSeq || (cur.Oldest.Valid && seq < cur.Oldest.Int64-1) {
		return nil, 0, fmt.Errorf("store: changes of calendar %d since %d (now %d): %w", calendarID, seq, cur.SyncSeq, booking.ErrInvalid)
	}
	var rows []changeRow
	err = s.db.SelectContext(ctx, &rows, s.db.Rebind(`
		SELECT c.name, c.seq, c.deleted
		FROM calendar_changes c
		WHERE c.calendar_id = ? AND c.seq > ? AND c.seq <= ?
		  AND NOT EXISTS (
		      SELECT 1 FROM calendar_changes later
		      WHERE later.calendar_id = c.calendar_id AND later.name = c.name
		        AND later.seq > c.seq AND later.seq <= ?)
		ORDER BY c.seq`), calendarID, seq, cur.SyncSeq, cur.SyncSeq)
	if err != nil {
		return nil, 0, fmt.Errorf("store: changes of calendar %d: %w", calendarID, dbErr(err))
	}
	changes := make([]booking.Change, 0, len(rows))
	for _, r := range rows {
		changes = append(changes, booking.Change{Name: r.Name, Seq: r.Seq, Deleted: r.Deleted})
	}
	return changes, cur.SyncSeq, nil
}
