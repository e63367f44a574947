package scheduling

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-ical"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/recurrence"
)

// The staff web form for drop-in sessions writes the same calendar
// objects a coordinator's calendar app does: one VEVENT per object in the
// shared drop-in calendar, its themes as CATEGORIES, times with the
// library's TZID and a VTIMEZONE, a weekly series as an RRULE.

// dropinSlug is the shared drop-in calendar's slug.
const dropinSlug = "dropin"

// Drop-in form limits.
const (
	maxDropinTitle = 200
	maxDropinPlace = 200
	maxDropinDesc  = 2000
)

func (s *Service) dropinCalendar(ctx context.Context) (booking.Calendar, error) {
	// User 0 owns nothing, so this finds the shared calendar.
	cal, err := s.store.CalendarBySlug(ctx, 0, dropinSlug)
	if err != nil {
		return booking.Calendar{}, fmt.Errorf("scheduling: drop-in calendar: %w", err)
	}
	return cal, nil
}

// DropinSessions lists the drop-in sessions that end after from, by start.
func (s *Service) DropinSessions(ctx context.Context, from time.Time) ([]booking.DropinSession, error) {
	cal, err := s.dropinCalendar(ctx)
	if err != nil {
		return nil, err
	}
	objs, err := s.store.ObjectsOverlapping(ctx, cal.ID, ical.CompEvent, from, time.Time{})
	if err != nil {
		return nil, fmt.Errorf("scheduling: drop-in sessions: %w", err)
	}
	out := make([]booking.DropinSession, 0, len(objs))
	for _, o := range objs {
		d, err := s.readSession(o)
		if err != nil {
			s.log.Warn("scheduling: drop-in event does not parse", "name", o.Name, "err", err)
			continue
		}
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b booking.DropinSession) int { return a.Start.Compare(b.Start) })
	return out, nil
}

// DropinSession returns one session by its resource name.
func (s *Service) DropinSession(ctx context.Context, name string) (booking.DropinSession, error) {
	cal, err := s.dropinCalendar(ctx)
	if err != nil {
		return booking.DropinSession{}, err
	}
	o, err := s.readObject(ctx, cal, name)
	if err != nil {
		return booking.DropinSession{}, fmt.Errorf("scheduling: drop-in session %s: %w", name, err)
	}
	return s.readSession(o)
}

// readSession reads a stored drop-in event into the form's fields.
func (s *Service) readSession(o booking.CalendarObject) (booking.DropinSession, error) {
	c, err := recurrence.ParseCalendar(o.Data)
	if err != nil {
		return booking.DropinSession{}, err
	}
	d := booking.DropinSession{Name: o.Name, UID: o.UID, ETag: o.ETag, Editable: true}
	var master *ical.Component
	for _, child := range c.Children {
		if child.Name != ical.CompEvent {
			continue
		}
		if child.Props.Get(ical.PropRecurrenceID) != nil {
			d.Editable = false // an exception the form cannot show
			continue
		}
		master = child
	}
	if master == nil {
		return booking.DropinSession{}, errors.New("no master VEVENT")
	}
	d.Title = text(master, ical.PropSummary)
	d.Place = text(master, ical.PropLocation)
	d.Description = text(master, ical.PropDescription)
	d.Themes = topicTags(master, nil)
	var allDay bool
	if d.Start, d.End, allDay, err = eventTimes(master, s.loc); err != nil {
		return booking.DropinSession{}, err
	}
	if allDay {
		d.Editable = false // all-day: left to the calendar app
	}
	if master.Props.Get(ical.PropRecurrenceDates) != nil || master.Props.Get(ical.PropExceptionDates) != nil {
		d.Editable = false
	}
	if rr := master.Props.Get(ical.PropRecurrenceRule); rr != nil {
		weekly, until, ok := simpleWeekly(rr.Value, d.Start.In(s.loc))
		d.Weekly = weekly
		if !ok {
			d.Editable = false
		}
		if !until.IsZero() {
			u := until.In(s.loc)
			d.RepeatUntil = time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, s.loc)
		}
	}
	d.Start, d.End = d.Start.In(s.loc), d.End.In(s.loc)
	return d, nil
}

// simpleWeekly reads an RRULE the form can show: FREQ=WEEKLY with at most
// an UNTIL and a BYDAY of the start's own weekday.
func simpleWeekly(rule string, start time.Time) (weekly bool, until time.Time, ok bool) {
	ok = true
	for part := range strings.SplitSeq(rule, ";") {
		k, v, _ := strings.Cut(part, "=")
		switch strings.ToUpper(k) {
		case "FREQ":
			weekly = strings.EqualFold(v, "WEEKLY")
		case "UNTIL":
			var err error
			if until, err = time.Parse("20060102T150405Z", v); err != nil {
				if until, err = time.ParseInLocation("20060102", v, start.Location()); err != nil {
					ok = false
				}
			}
		case "INTERVAL":
			ok = ok && v == "1"
		case "BYDAY":
			ok = ok && strings.EqualFold(v, icalDay(start.Weekday()))
		case "WKST":
		default:
			ok = false
		}
	}
	return weekly, until, ok && weekly
}

func icalDay(d time.Weekday) string {
	return [...]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}[d]
}

// SaveDropinSession creates a session (d.Name empty) or replaces one, on
// the condition that it is still the version read (d.ETag). It returns the
// session as stored. A *booking.FieldError (ErrInvalid) names a wrong
// field ("title", "start", "end", "themes", "place", "description",
// "until"); booking.ErrPreconditionFailed when the event was changed
// meanwhile; booking.ErrNotFound when it was deleted.
func (s *Service) SaveDropinSession(ctx context.Context, d booking.DropinSession) (booking.DropinSession, error) {
	known, err := s.knownTopics(ctx)
	if err != nil {
		return booking.DropinSession{}, err
	}
	if err := validSession(&d, known, s.loc); err != nil {
		return booking.DropinSession{}, fmt.Errorf("scheduling: save drop-in session: %w", err)
	}
	cal, err := s.dropinCalendar(ctx)
	if err != nil {
		return booking.DropinSession{}, err
	}
	e, err := s.beginEdit(ctx, cal, d.Name, d.ETag, nil)
	if err != nil {
		return booking.DropinSession{}, fmt.Errorf("scheduling: save drop-in session %s: %w", d.Name, err)
	}
	d.Name, d.UID = e.name, e.uid
	data, err := sessionEvent(d, e.seq, s.now(), s.loc)
	if err != nil {
		return booking.DropinSession{}, err
	}
	stored, err := s.finishEdit(ctx, cal, e, data)
	if err != nil {
		return booking.DropinSession{}, fmt.Errorf("scheduling: save drop-in session %s: %w", d.Name, err)
	}
	return s.readSession(stored)
}

// DeleteDropinSession removes a session, on the condition that it is
// still the version read (etag; empty for any).
func (s *Service) DeleteDropinSession(ctx context.Context, name, etag string) error {
	cal, err := s.dropinCalendar(ctx)
	if err != nil {
		return err
	}
	if err := s.objectWriter().DeleteObject(ctx, cal.ID, name, booking.WriteCondition{IfMatch: etag}); err != nil {
		return fmt.Errorf("scheduling: delete drop-in session %s: %w", name, err)
	}
	return nil
}

// calDAVWriter writes calendar objects the way a CalDAV PUT and DELETE
// do, with the store's object hooks (which keep the drop-in feeds'
// tombstones), outside any transaction of ours. The store has it.
type calDAVWriter interface {
	PutObject(ctx context.Context, obj booking.CalendarObject, cond booking.WriteCondition) (booking.CalendarObject, bool, error)
	DeleteObject(ctx context.Context, calendarID int64, name string, cond booking.WriteCondition) error
}

// txWriter writes in a transaction of its own, for a store without the
// CalDAV entry points (fakes in tests).
type txWriter struct{ s Store }

func (w txWriter) PutObject(ctx context.Context, obj booking.CalendarObject, cond booking.WriteCondition) (booking.CalendarObject, bool, error) {
	var (
		stored  booking.CalendarObject
		created bool
	)
	err := w.s.Tx(ctx, 0, func(ctx context.Context, tx Tx) error {
		var err error
		stored, created, err = tx.PutObject(ctx, obj, cond)
		return err
	})
	return stored, created, err
}

func (w txWriter) DeleteObject(ctx context.Context, calendarID int64, name string, cond booking.WriteCondition) error {
	return w.s.Tx(ctx, 0, func(ctx context.Context, tx Tx) error {
		return tx.DeleteObject(ctx, calendarID, name, cond)
	})
}

// objectWriter is how the drop-in form writes: as CalDAV does.
func (s *Service) objectWriter() calDAVWriter {
	if w, ok := s.store.(calDAVWriter); ok {
		return w
	}
	return txWriter{s.store}
}

// validSession checks and tidies the form's fields.
func validSession(d *booking.DropinSession, known topicSet, loc *time.Location) error {
	d.Title = oneLine(d.Title)
	d.Place = oneLine(d.Place)
	d.Description = multiLine(d.Description)
	var themes []string
	for _, t := range d.Themes {
		t = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(t), "#"))
		if t != "" && !slices.Contains(themes, t) {
			themes = append(themes, t)
		}
	}
	d.Themes = themes
	switch {
	case d.Title == "":
		return &booking.FieldError{Field: "title", Code: "required"}
	case utf8.RuneCountInString(d.Title) > maxDropinTitle:
		return &booking.FieldError{Field: "title", Code: "too_long"}
	case utf8.RuneCountInString(d.Place) > maxDropinPlace:
		return &booking.FieldError{Field: "place", Code: "too_long"}
	case utf8.RuneCountInString(d.Description) > maxDropinDesc:
		return &booking.FieldError{Field: "description", Code: "too_long"}
	case d.Start.IsZero():
		return &booking.FieldError{Field: "start", Code: "required"}
	case d.End.IsZero() || !d.End.After(d.Start):
		return &booking.FieldError{Field: "end", Code: "invalid"}
	case d.End.Sub(d.Start) > 24*time.Hour:
		return &booking.FieldError{Field: "end", Code: "invalid"}
	case len(d.Themes) == 0:
		return &booking.FieldError{Field: "themes", Code: "required"}
	case d.Weekly && !d.RepeatUntil.IsZero() && d.RepeatUntil.Before(dayOf(d.Start, loc)):
		return &booking.FieldError{Field: "until", Code: "invalid"}
	}
	for _, t := range d.Themes {
		if !known[t] {
			return &booking.FieldError{Field: "themes", Code: "invalid"}
		}
	}
	for _, f := range []string{d.Title, d.Place, d.Description} {
		if !utf8.ValidString(f) || strings.ContainsRune(f, 0) {
			return &booking.FieldError{Field: "description", Code: "invalid"}
		}
	}
	return nil
}

func dayOf(t time.Time, loc *time.Location) time.Time {
	lt := t.In(loc)
	return time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, loc)
}

// nextSequence is the SEQUENCE an edit of the stored event gets: one more
// than the master's (RFC 5545 §3.8.7.4), so that subscribers replace it.
func nextSequence(data []byte) int {
	c, err := recurrence.ParseCalendar(data)
	if err != nil {
		return 1
	}
	if m := masterEvent(c); m != nil {
		if p := m.Props.Get(ical.PropSequence); p != nil {
			if n, err := strconv.Atoi(strings.TrimSpace(p.Value)); err == nil && n >= 0 {
				return n + 1
			}
		}
	}
	return 1
}

// sessionEvent renders a session as an iCalendar object.
func sessionEvent(d booking.DropinSession, seq int, now time.Time, loc *time.Location) ([]byte, error) {
	start, end := d.Start.In(loc), d.End.In(loc)
	ev := ical.NewComponent(ical.CompEvent)
	ev.Props.SetText(ical.PropUID, d.UID)
	stamp := now.UTC().Truncate(time.Second)
	ev.Props.SetDateTime(ical.PropDateTimeStamp, stamp)
	ev.Props.SetDateTime(ical.PropLastModified, stamp)
	ev.Props.SetDateTime(ical.PropDateTimeStart, start)
	ev.Props.SetDateTime(ical.PropDateTimeEnd, end)
	sp := ical.NewProp(ical.PropSequence)
	sp.Value = strconv.Itoa(seq)
	ev.Props.Set(sp)
	ev.Props.SetText(ical.PropSummary, d.Title)
	if d.Place != "" {
		ev.Props.SetText(ical.PropLocation, d.Place)
	}
	if d.Description != "" {
		ev.Props.SetText(ical.PropDescription, d.Description)
	}
	cat := ical.NewProp(ical.PropCategories)
	cat.SetTextList(d.Themes)
	ev.Props.Set(cat)
	ev.Props.SetText(ical.PropTransparency, "TRANSPARENT")
	if d.Weekly {
		rule := "FREQ=WEEKLY"
		if !d.RepeatUntil.IsZero() {
			// UNTIL is UTC when DTSTART has a TZID (RFC 5545 §3.3.10);
			// the last day's session is included.
			u := d.RepeatUntil.In(loc)
			last := time.Date(u.Year(), u.Month(), u.Day(), 23, 59, 59, 0, loc)
			rule += ";UNTIL=" + last.UTC().Format("20060102T150405Z")
		}
		rp := ical.NewProp(ical.PropRecurrenceRule)
		rp.SetValueType(ical.ValueRecurrence)
		rp.Value = rule
		ev.Props.Set(rp)
	}
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropProductID, ProductID)
	if loc != time.UTC {
		cal.Children = append(cal.Children, vtimezone(loc, start.Year()))
	}
	cal.Children = append(cal.Children, ev)
	var buf bytes.Buffer
	if err := ical.NewEncoder(&buf).Encode(cal); err != nil {
		return nil, fmt.Errorf("encode drop-in event: %w", err)
	}
	return fold(buf.Bytes()), nil
}

// vtimezone describes loc (RFC 5545 §3.6.5) from its transitions in year:
// one STANDARD and one DAYLIGHT observance with yearly rules when it has
// daylight saving time, else one STANDARD.
func vtimezone(loc *time.Location, year int) *ical.Component {
	tz := ical.NewComponent(ical.CompTimezone)
	tz.Props.SetText(ical.PropTimezoneID, loc.String())
	type change struct {
		at       time.Time // the first instant of the new offset
		from, to int
		name     string
	}
	var changes []change
	t := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	end := t.AddDate(1, 0, 0)
	_, prev := t.In(loc).Zone()
	for ; t.Before(end); t = t.Add(time.Hour) {
		name, off := t.In(loc).Zone()
		if off != prev {
			changes = append(changes, change{at: t, from: prev, to: off, name: name})
			prev = off
		}
	}
	offset := func(sec int) string {
		sign := "+"
		if sec < 0 {
			sign, sec = "-", -sec
		}
		return fmt.Sprintf("%s%02d%02d", sign, sec/3600, sec%3600/60)
	}
	obs := func(kind string, start time.Time, from, to int, name, rule string) {
		o := ical.NewComponent(kind)
		p := ical.NewProp(ical.PropDateTimeStart)
		p.SetValueType(ical.ValueDateTime)
		p.Value = start.Format("20060102T150405")
		o.Props.Set(p)
		for name, v := range map[string]string{ical.PropTimezoneOffsetFrom: offset(from), ical.PropTimezoneOffsetTo: offset(to)} {
			// A UTC-OFFSET value (RFC 5545 §3.3.14), not TEXT.
			op := ical.NewProp(name)
			op.Value = v
			o.Props.Set(op)
		}
		if name != "" {
			o.Props.SetText(ical.PropTimezoneName, name)
		}
		if rule != "" {
			rp := ical.NewProp(ical.PropRecurrenceRule)
			rp.SetValueType(ical.ValueRecurrence)
			rp.Value = rule
			o.Props.Set(rp)
		}
		tz.Children = append(tz.Children, o)
	}
	if len(changes) != 2 {
		name, off := time.Date(year, 1, 1, 12, 0, 0, 0, loc).Zone()
		obs(ical.CompTimezoneStandard, time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), off, off, name, "")
		return tz
	}
	for _, c := range changes {
		// DTSTART is the onset in the local time of the offset before it.
		local := c.at.Add(time.Duration(c.from) * time.Second).UTC()
		nth := (local.Day()-1)/7 + 1
		if local.Day()+7 > time.Date(local.Year(), local.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day() {
			nth = -1
		}
		rule := fmt.Sprintf("FREQ=YEARLY;BYMONTH=%d;BYDAY=%d%s", int(local.Month()), nth, icalDay(local.Weekday()))
		kind := ical.CompTimezoneStandard
		if c.to > c.from {
			kind = ical.CompTimezoneDaylight
		}
		obs(kind, local, c.from, c.to, c.name, rule)
	}
	return tz
}
