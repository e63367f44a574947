package scheduling

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/veileder/veileder/booking"
)

// The staff pages manage some events themselves (drop-in sessions, weekly
// guidance hours): they read one, write it back changed, or make a new
// one, through the same path as a CalDAV PUT. This is that one path.

// eventEdit is a write of an event a staff page manages, as begun by
// beginEdit: its resource name and UID, the SEQUENCE it is written with,
// and the condition that makes the write refuse a version changed since
// the page read it.
type eventEdit struct {
	name, uid string
	seq       int
	cond      booking.WriteCondition
}

// beginEdit prepares a write to cal. A new event (name "") gets a fresh UID
// and name and is only created, never overwritten. An existing one is
// read, must still be the version the page read (etag; empty for any),
// and keeps its UID with the next SEQUENCE; check, when not nil, may
// refuse the stored version (and learn from it) before anything is
// written.
func (s *Service) beginEdit(ctx context.Context, cal booking.Calendar, name, etag string, check func(old booking.CalendarObject) error) (eventEdit, error) {
	if name == "" {
		uid := newUID()
		return eventEdit{name: strings.TrimSuffix(uid, "@veileder") + ".ics", uid: uid, cond: booking.WriteCondition{IfNoneMatchAny: true}}, nil
	}
	e := eventEdit{name: name, cond: booking.WriteCondition{IfMatch: etag}}
	if etag == "" {
		e.cond = booking.WriteCondition{IfMatch: "*"}
	}
	err := s.store.Tx(ctx, 0, func(ctx context.Context, tx Tx) error {
		old, err := tx.Object(ctx, cal.ID, name)
		if err != nil {
			return err
		}
		if etag != "" && etag != old.ETag {
			return fmt.Errorf("changed since read: %w", booking.ErrPreconditionFailed)
		}
		if check != nil {
			if err := check(old); err != nil {
				return err
			}
		}
		e.uid, e.seq = old.UID, nextSequence(old.Data)
		return nil
	})
	return e, err
}

// finishEdit stores data, the event the edit built, in cal on the edit's
// condition, as a CalDAV PUT would (validated, with the store's hooks).
func (s *Service) finishEdit(ctx context.Context, cal booking.Calendar, e eventEdit, data []byte) (booking.CalendarObject, error) {
	obj, err := s.calendarObject(cal, e.name, data)
	if err != nil {
		return booking.CalendarObject{}, fmt.Errorf("the event %s does not validate: %v", e.name, err)
	}
	stored, _, err := s.objectWriter().PutObject(ctx, obj, e.cond)
	return stored, err
}

// readObject reads one object of cal.
func (s *Service) readObject(ctx context.Context, cal booking.Calendar, name string) (booking.CalendarObject, error) {
	var o booking.CalendarObject
	err := s.store.Tx(ctx, 0, func(ctx context.Context, tx Tx) error {
		var err error
		o, err = tx.Object(ctx, cal.ID, name)
		return err
	})
	return o, err
}

// eventTimes reads a managed event's start and end (DTEND, or DTSTART
// plus DURATION, or DTSTART alone) in loc, and whether it is all-day.
func eventTimes(master *ical.Component, loc *time.Location) (start, end time.Time, allDay bool, err error) {
	sp := master.Props.Get(ical.PropDateTimeStart)
	if sp == nil {
		return start, end, false, errors.New("no DTSTART")
	}
	allDay = sp.ValueType() == ical.ValueDate
	if start, err = sp.DateTime(loc); err != nil {
		return start, end, allDay, fmt.Errorf("DTSTART: %w", err)
	}
	switch {
	case master.Props.Get(ical.PropDateTimeEnd) != nil:
		if end, err = master.Props.Get(ical.PropDateTimeEnd).DateTime(loc); err != nil {
			return start, end, allDay, fmt.Errorf("DTEND: %w", err)
		}
	case master.Props.Get(ical.PropDuration) != nil:
		d, err := master.Props.Get(ical.PropDuration).Duration()
		if err != nil {
			return start, end, allDay, fmt.Errorf("DURATION: %w", err)
		}
		end = start.Add(d)
	default:
		end = start
	}
	return start, end, allDay, nil
}
