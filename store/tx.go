package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/veileder/veileder/booking"
)

// Tx is one transaction's view of the store, for Store.Tx and the object
// hook. It has what the scheduling service's transaction and the drop-in
// feeds' hook need (the wiring hands it to them as their own interfaces, so
// that the store imports neither). Its methods run in the transaction
// under its deadline; it is valid only until the function it was given to
// returns.
type Tx struct {
	s  *Store
	tx *sqlx.Tx
}

// objectHook is the function SetObjectHook installs.
type objectHook = func(ctx context.Context, tx *Tx, cal booking.Calendar, before, after *booking.CalendarObject) error

// SetObjectHook installs h, which PutObject and DeleteObject (the CalDAV
// entry points) call for every write to a calendar of kind bookings or
// dropin (the drop-in feeds keep tombstones of removed sessions), inside
// the write's transaction and after the write: before is nil for a new
// object, after is nil for a deletion. h's error rolls the write back and is
// returned wrapped. The writes h makes through tx do not call h again. A
// nil h removes the hook. Install it before serving requests.
//
// With a hook installed, a write to a bookings calendar on PostgreSQL first
// locks the owner's users row, as Tx does for a new booking, so that both
// take their locks in the same order (librarian, then calendar) and cannot
// deadlock one another.
func (s *Store) SetObjectHook(h func(ctx context.Context, tx *Tx, cal booking.Calendar, before, after *booking.CalendarObject) error) {
	if h == nil {
		s.hook.Store(nil)
		return
	}
	s.hook.Store(&h)
}

// hookFor returns the hook to call for a write to the calendar, and the
// calendar, or a nil hook when there is none or the calendar is neither a
// bookings nor the drop-in calendar.
func (s *Store) hookFor(ctx context.Context, tx *sqlx.Tx, calendarID int64) (objectHook, booking.Calendar, error) {
	h := s.hook.Load()
	if h == nil {
		return nil, booking.Calendar{}, nil
	}
	cal, err := calendarByID(ctx, tx, calendarID)
	if err != nil {
		return nil, booking.Calendar{}, err
	}
	if cal.Kind != booking.KindBookings && cal.Kind != booking.KindDropIn {
		return nil, booking.Calendar{}, nil
	}
	if cal.OwnerID != 0 {
		if err := s.lockLibrarian(ctx, tx, cal.OwnerID); err != nil {
			return nil, booking.Calendar{}, err
		}
	}
	return *h, cal, nil
}

// Tx runs fn in one transaction, under one deadline, and commits if fn
// returns nil. fn's error rolls everything back and is returned as it is.
//
// When lockLibrarianID is not zero, writers touching that librarian's
// schedule are serialised: on PostgreSQL by locking the librarian's users
// row (SELECT ... FOR UPDATE) until the transaction ends; on SQLite every
// transaction holds the database's write lock from BEGIN (_txlock=
// immediate), which serialises all writers. booking.ErrNotFound when there
// is no such user.
func (s *Store) Tx(ctx context.Context, lockLibrarianID int64, fn func(ctx context.Context, tx *Tx) error) error {
	var fnErr error
	err := s.inTx(ctx, func(ctx context.Context, tx *sqlx.Tx) error {
		if lockLibrarianID != 0 {
			if err := s.lockLibrarian(ctx, tx, lockLibrarianID); err != nil {
				return fmt.Errorf("store: lock librarian %d: %w", lockLibrarianID, err)
			}
		}
		fnErr = fn(ctx, &Tx{s: s, tx: tx})
		return fnErr
	})
	if fnErr != nil {
		return fnErr
	}
	if err != nil {
		return fmt.Errorf("store: tx: %w", err)
	}
	return nil
}

// TryTx is Tx without the wait: on PostgreSQL, when another transaction
// holds the librarian's lock, it runs nothing and reports locked, so that
// a booking can go to another free librarian rather than queue behind
// one being booked. On SQLite, where every writer holds the one write
// lock, it is Tx (never locked).
func (s *Store) TryTx(ctx context.Context, lockLibrarianID int64, fn func(ctx context.Context, tx *Tx) error) (locked bool, err error) {
	if s.dialect != Postgres || lockLibrarianID == 0 {
		return false, s.Tx(ctx, lockLibrarianID, fn)
	}
	var fnErr error
	err = s.inTx(ctx, func(ctx context.Context, tx *sqlx.Tx) error {
		var id int64
		err := tx.GetContext(ctx, &id, `SELECT id FROM users WHERE id = $1 FOR UPDATE SKIP LOCKED`, lockLibrarianID)
		if errors.Is(err, sql.ErrNoRows) {
			// Locked by another transaction, or no such user.
			if err := tx.GetContext(ctx, &id, `SELECT id FROM users WHERE id = $1`, lockLibrarianID); err != nil {
				return fmt.Errorf("store: lock librarian %d: user %d: %w", lockLibrarianID, lockLibrarianID, dbErr(err))
			}
			locked = true
			return errLocked
		}
		if err != nil {
			return fmt.Errorf("store: lock librarian %d: %w", lockLibrarianID, dbErr(err))
		}
		fnErr = fn(ctx, &Tx{s: s, tx: tx})
		return fnErr
	})
	switch {
	case locked:
		return true, nil
	case fnErr != nil:
		return false, fnErr
	case err != nil:
		return false, fmt.Errorf("store: tx: %w", err)
	}
	return false, nil
}

// errLocked rolls back a TryTx that found the librarian locked.
var errLocked = errors.New("librarian locked")

// lockLibrarian locks the user's row on PostgreSQL, and on both databases
// checks that the user exists.
func (s *Store) lockLibrarian(ctx context.Context, tx *sqlx.Tx, userID int64) error {
	query := `SELECT id FROM users WHERE id = ?`
	if s.dialect == Postgres {
		query = `SELECT id FROM users WHERE id = ? FOR UPDATE`
	}
	var id int64
	if err := tx.GetContext(ctx, &id, tx.Rebind(query), userID); err != nil {
		return fmt.Errorf("user %d: %w", userID, dbErr(err))
	}
	return nil
}

// LockLibrarian takes the lock Tx takes for lockLibrarianID on a second
// librarian, for a change that touches two schedules (a booking moved to
// another librarian). Take the locks in the order of the librarians' ids,
// so that two such changes cannot deadlock.
func (t *Tx) LockLibrarian(ctx context.Context, userID int64) error {
	if err := t.s.lockLibrarian(ctx, t.tx, userID); err != nil {
		return fmt.Errorf("store: lock librarian %d: %w", userID, err)
	}
	return nil
}

// Calendars lists a user's calendars, as Store.Calendars does.
func (t *Tx) Calendars(ctx context.Context, userID int64) ([]booking.Calendar, error) {
	return calendars(ctx, t.tx, userID)
}

// CalendarBySlug finds a calendar in the user's home, as
// Store.CalendarBySlug does.
func (t *Tx) CalendarBySlug(ctx context.Context, userID int64, slug string) (booking.Calendar, error) {
	return calendarBySlug(ctx, t.tx, userID, slug)
}

// ObjectsOverlapping is Store.ObjectsOverlapping in the transaction.
func (t *Tx) ObjectsOverlapping(ctx context.Context, calendarID int64, component string, start, end time.Time) ([]booking.CalendarObject, error) {
	return objectsOverlapping(ctx, t.tx, calendarID, component, start, end)
}

// Object returns one object with its data.
func (t *Tx) Object(ctx context.Context, calendarID int64, name string) (booking.CalendarObject, error) {
	return getObject(ctx, t.tx, calendarID, name)
}

// PutObject is Store.PutObject in the transaction (same ETag, sync token
// and change log), without calling the object hook.
func (t *Tx) PutObject(ctx context.Context, obj booking.CalendarObject, cond booking.WriteCondition) (booking.CalendarObject, bool, error) {
	w, err := putObject(ctx, t.tx, obj, cond, t.s.now(), false)
	if err != nil {
		return booking.CalendarObject{}, false, fmt.Errorf("store: put object %s: %w", obj.Name, err)
	}
	return w.after, w.created, nil
}

// DeleteObject is Store.DeleteObject in the transaction, without calling
// the object hook.
func (t *Tx) DeleteObject(ctx context.Context, calendarID int64, name string, cond booking.WriteCondition) error {
	if _, err := deleteObject(ctx, t.tx, calendarID, name, cond, t.s.now(), false); err != nil {
		return fmt.Errorf("store: delete object %s in calendar %d: %w", name, calendarID, err)
	}
	return nil
}
