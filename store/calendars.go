package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/veileder/veileder/booking"
)

// calendarRow is a row of calendars.
type calendarRow struct {
	ID          int64         `db:"id"`
	OwnerID     sql.NullInt64 `db:"owner_id"`
	Slug        string        `db:"slug"`
	Kind        string        `db:"kind"`
	DisplayName string        `db:"display_name"`
	Description string        `db:"description"`
	Color       string        `db:"color"`
	SortOrder   int           `db:"sort_order"`
	Components  string        `db:"components"`
	TimeZone    string        `db:"timezone"`
	SyncSeq     int64         `db:"sync_seq"`
	CreatedAt   int64         `db:"created_at"`
	UpdatedAt   int64         `db:"updated_at"`
	Properties  string        `db:"properties"`
}

func (r calendarRow) calendar() booking.Calendar {
	return booking.Calendar{
		ID:          r.ID,
		OwnerID:     r.OwnerID.Int64, // 0 when NULL: shared
		Slug:        r.Slug,
		Kind:        booking.CalendarKind(r.Kind),
		DisplayName: r.DisplayName,
		Description: r.Description,
		Color:       r.Color,
		Order:       r.SortOrder,
		Components:  strings.Split(r.Components, ","),
		TimeZone:    r.TimeZone,
		SyncSeq:     r.SyncSeq,
		CreatedAt:   fromUnix(r.CreatedAt),
		UpdatedAt:   fromUnix(r.UpdatedAt),
		Properties:  propertiesOf(r.Properties),
	}
}

// propertiesJSON and propertiesOf convert a calendar's other WebDAV
// properties to and from their stored JSON form.
func propertiesJSON(p map[string]string) string {
	if len(p) == 0 {
		return "{}"
	}
	b, err := json.Marshal(p)
	if err != nil { // a map of strings always marshals
		return "{}"
	}
	return string(b)
}

func propertiesOf(s string) map[string]string {
	var p map[string]string
	if err := json.Unmarshal([]byte(s), &p); err != nil || len(p) == 0 {
		return nil
	}
	return p
}

// Calendars lists the calendars in the user's home: their own first, then
// the shared ones, each group by order.
func (s *Store) Calendars(ctx context.Context, userID int64) ([]booking.Calendar, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	return calendars(ctx, s.db, userID)
}

// calendars is Calendars on the pool or in a transaction.
func calendars(ctx context.Context, q querier, userID int64) ([]booking.Calendar, error) {
	var rows []calendarRow
	err := sqlx.SelectContext(ctx, q, &rows, q.Rebind(`
		SELECT id, owner_id, slug, kind, display_name, description, color, sort_order,
		       components, timezone, sync_seq, created_at, updated_at, properties
		FROM calendars
		WHERE owner_id = ? OR owner_id IS NULL
		ORDER BY owner_id IS NULL, sort_order, id`), userID)
	if err != nil {
		return nil, fmt.Errorf("store: calendars of user %d: %w", userID, dbErr(err))
	}
	cals := make([]booking.Calendar, 0, len(rows))
	for _, r := range rows {
		cals = append(cals, r.calendar())
	}
	return cals, nil
}

// CalendarBySlug finds a calendar in the user's home: their own one of that
// slug, else a shared one.
func (s *Store) CalendarBySlug(ctx context.Context, userID int64, slug string) (booking.Calendar, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	return calendarBySlug(ctx, s.db, userID, slug)
}

// calendarBySlug is CalendarBySlug on the pool or in a transaction.
func calendarBySlug(ctx context.Context, q querier, userID int64, slug string) (booking.Calendar, error) {
	var row calendarRow
	err := sqlx.GetContext(ctx, q, &row, q.Rebind(`
		SELECT id, owner_id, slug, kind, display_name, description, color, sort_order,
		       components, timezone, sync_seq, created_at, updated_at, properties
		FROM calendars
		WHERE slug = ? AND (owner_id = ? OR owner_id IS NULL)
		ORDER BY owner_id IS NULL
		LIMIT 1`), slug, userID)
	if err != nil {
		return booking.Calendar{}, fmt.Errorf("store: calendar %s of user %d: %w", slug, userID, dbErr(err))
	}
	return row.calendar(), nil
}

// CalendarByID returns one calendar.
func (s *Store) CalendarByID(ctx context.Context, id int64) (booking.Calendar, error) {
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	return calendarByID(ctx, s.db, id)
}

// calendarByID is CalendarByID on the pool or in a transaction.
func calendarByID(ctx context.Context, q querier, id int64) (booking.Calendar, error) {
	var row calendarRow
	err := sqlx.GetContext(ctx, q, &row, q.Rebind(`
		SELECT id, owner_id, slug, kind, display_name, description, color, sort_order,
		       components, timezone, sync_seq, created_at, updated_at, properties
		FROM calendars
		WHERE id = ?`), id)
	if err != nil {
		return booking.Calendar{}, fmt.Errorf("store: calendar %d: %w", id, dbErr(err))
	}
	return row.calendar(), nil
}

// CreateCalendar stores a new calendar: an owned one, or a shared one when
// OwnerID is 0. An empty Kind means KindOther and empty Components mean
// VEVENT and VTODO. booking.ErrConflict when the slug is taken in that
// home, by an owned or a shared calendar (an owned one would hide the
// shared one); booking.ErrNotFound when the owner does not exist.
func (s *Store) CreateCalendar(ctx context.Context, cal booking.Calendar) (booking.Calendar, error) {
	var created booking.Calendar
	err := s.inTx(ctx, func(ctx context.Context, tx *sqlx.Tx) error {
		if cal.OwnerID != 0 {
			var taken bool
			err := tx.GetContext(ctx, &taken, tx.Rebind(`
				SELECT EXISTS (SELECT 1 FROM calendars WHERE slug = ? AND owner_id IS NULL)`), cal.Slug)
			if err != nil {
				return dbErr(err)
			}
			if taken {
				return fmt.Errorf("a shared calendar has the name: %w", booking.ErrConflict)
			}
		}
		var err error
		created, err = insertCalendar(ctx, tx, cal, s.now().Unix())
		return err
	})
	if err != nil {
		return booking.Calendar{}, fmt.Errorf("store: create calendar %s: %w", cal.Slug, err)
	}
	return created, nil
}

// insertCalendar validates and inserts a calendar.
func insertCalendar(ctx context.Context, tx *sqlx.Tx, cal booking.Calendar, now int64) (booking.Calendar, error) {
	if err := booking.ValidCalendarSlug(cal.Slug); err != nil {
		return booking.Calendar{}, err
	}
	if cal.Kind == "" {
		cal.Kind = booking.KindOther
	}
	switch cal.Kind {
	case booking.KindAvailability, booking.KindBookings, booking.KindPersonal, booking.KindDropIn, booking.KindOther:
	default:
		return booking.Calendar{}, fmt.Errorf("unknown calendar kind %q: %w", cal.Kind, booking.ErrInvalid)
	}
	comps, err := componentList(cal.Components)
	if err != nil {
		return booking.Calendar{}, err
	}
	owner := sql.NullInt64{Int64: cal.OwnerID, Valid: cal.OwnerID != 0}
	var row calendarRow
	err = tx.GetContext(ctx, &row, tx.Rebind(`
		INSERT INTO calendars (owner_id, slug, kind, display_name, description, color, sort_order,
		                       components, timezone, sync_seq, created_at, updated_at, properties)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)
		RETURNING id, owner_id, slug, kind, display_name, description, color, sort_order,
		          components, timezone, sync_seq, created_at, updated_at, properties`),
		owner, cal.Slug, string(cal.Kind), cal.DisplayName, cal.Description, cal.Color, cal.Order,
		comps, cal.TimeZone, now, now, propertiesJSON(cal.Properties))
	if err != nil {
		return booking.Calendar{}, dbErr(err)
	}
	if err := logHomeChange(ctx, tx, cal.OwnerID, cal.Slug, false, now); err != nil {
		return booking.Calendar{}, err
	}
	return row.calendar(), nil
}

// componentList is the stored form of a component set: upper case, comma
// separated.
func componentList(comps []string) (string, error) {
	if len(comps) == 0 {
		return "VEVENT,VTODO", nil
	}
	out := make([]string, 0, len(comps))
	for _, c := range comps {
		c = strings.ToUpper(strings.TrimSpace(c))
		if c == "" || strings.ContainsAny(c, ", ") {
			return "", fmt.Errorf("component name %q: %w", c, booking.ErrInvalid)
		}
		out = append(out, c)
	}
	return strings.Join(out, ","), nil
}

// UpdateCalendar stores changed display name, description, colour, order
// and time zone. It leaves SyncSeq alone, since sync-tokens track members,
// not properties (RFC 6578 section 3.2), but sets UpdatedAt.
func (s *Store) UpdateCalendar(ctx context.Context, cal booking.Calendar) (booking.Calendar, error) {
	var row calendarRow
	err := s.inTx(ctx, func(ctx context.Context, tx *sqlx.Tx) error {
		now := s.now().Unix()
		err := tx.GetContext(ctx, &row, tx.Rebind(`
			UPDATE calendars
			SET display_name = ?, description = ?, color = ?, sort_order = ?, timezone = ?, properties = ?, updated_at = ?
			WHERE id = ?
			RETURNING id, owner_id, slug, kind, display_name, description, color, sort_order,
			          components, timezone, sync_seq, created_at, updated_at, properties`),
			cal.DisplayName, cal.Description, cal.Color, cal.Order, cal.TimeZone, propertiesJSON(cal.Properties), now, cal.ID)
		if err != nil {
			return dbErr(err)
		}
		// The home's members are the calendars: a changed property is a
		// changed member of the home (RFC 6578 §3.1).
		return logHomeChange(ctx, tx, row.OwnerID.Int64, row.Slug, false, now)
	})
	if err != nil {
		return booking.Calendar{}, fmt.Errorf("store: update calendar %d: %w", cal.ID, err)
	}
	return row.calendar(), nil
}

// DeleteCalendar removes a calendar with its objects and change log. Ids
// are never reused, so a sync-token of the deleted calendar cannot become
// valid for a new one of the same name.
func (s *Store) DeleteCalendar(ctx context.Context, calendarID int64) error {
	err := s.inTx(ctx, func(ctx context.Context, tx *sqlx.Tx) error {
		var row calendarRow
		err := tx.GetContext(ctx, &row, tx.Rebind(`
			DELETE FROM calendars WHERE id = ?
			RETURNING id, owner_id, slug, kind, display_name, description, color, sort_order,
			          components, timezone, sync_seq, created_at, updated_at, properties`), calendarID)
		if err != nil {
			return dbErr(err)
		}
		// A tombstone in the home, so that home sync reports it gone.
		return logHomeChange(ctx, tx, row.OwnerID.Int64, row.Slug, true, s.now().Unix())
	})
	if err != nil {
		return fmt.Errorf("store: delete calendar %d: %w", calendarID, err)
	}
	return nil
}
