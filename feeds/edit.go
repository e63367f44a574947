package feeds

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-ical"

	"veileder/booking"
	"veileder/caldav"
	"veileder/recurrence"
)

// SessionInput is a drop-in session as the staff form edits it: the hook
// for staff without a CalDAV app. SaveSession writes it as a calendar
// object through the same path as a CalDAV PUT (ValidateObject, then the
// store's PutObject with its ETag, change log and object hook), so both
// paths write the same kind of object.
type SessionInput struct {
	// UID names the session to change; empty makes a new one.
	UID string
	// ETag is the stored version the form was filled from (SessionForm);
	// a write over a newer version fails with booking.ErrPreconditionFailed.
	// Empty skips the check.
	ETag        string
	Summary     string
	Description string
	Location    string
	URL         string
	// Start and End are times; for an AllDay session, dates in the
	// library's zone, End being the last day (inclusive).
	Start, End time.Time
	AllDay     bool
	// Themes are topic slugs, written as CATEGORIES.
	Themes    []string
	Cancelled bool
}

// Limits of the form's fields, in characters.
const (
	maxSummaryLen     = 200
	maxDescriptionLen = 4000
	maxLocationLen    = 300
	maxURLLen         = 2000
)

// SessionForm reads a stored session for the form. Its master component
// is what the form shows; a series keeps its recurrence and exceptions
// when saved. booking.ErrNotFound when there is none.
func (s *Service) SessionForm(ctx context.Context, uid string) (SessionInput, error) {
	cal, err := s.store.DropInCalendar(ctx)
	if err != nil {
		return SessionInput{}, fmt.Errorf("feeds: drop-in calendar: %w", err)
	}
	obj, err := s.store.ObjectByUID(ctx, cal.ID, uid)
	if err != nil {
		return SessionInput{}, fmt.Errorf("feeds: session %q: %w", uid, err)
	}
	ss, err := parseSession(obj, s.lib)
	if err != nil {
		return SessionInput{}, fmt.Errorf("feeds: session %q: %w", uid, err)
	}
	topics, err := s.store.Topics(ctx)
	if err != nil {
		return SessionInput{}, fmt.Errorf("feeds: topics: %w", err)
	}
	c := ss.comps[0]
	in := SessionInput{
		UID: obj.UID, ETag: obj.ETag,
		Summary:     text(c, ical.PropSummary),
		Description: text(c, ical.PropDescription),
		Location:    text(c, ical.PropLocation),
		Cancelled:   cancelled(c),
	}
	if p := c.Props.Get(ical.PropURL); p != nil {
		in.URL = strings.TrimSpace(p.Value)
	}
	in.Themes, _ = newThemeIndex(topics).split(ss.compTags[c])
	insts, _, err := recurrence.Expand(ss.cal, time.Time{}, time.Time{}, recurrence.Options{Location: s.lib, MaxInstances: 1})
	if err == nil && len(insts) > 0 {
		in.Start, in.End, in.AllDay = insts[0].Start, insts[0].End, insts[0].AllDay
		if in.AllDay && in.End.After(in.Start) {
			e := in.End.In(s.lib)
			in.End = time.Date(e.Year(), e.Month(), e.Day()-1, 0, 0, 0, 0, s.lib)
		}
	}
	return in, nil
}

// SaveSession creates or changes a session and returns the stored object.
// booking.ErrInvalid (wrapped, with a message for the form) for bad input;
// booking.ErrNotFound for a UID that does not exist;
// booking.ErrPreconditionFailed when the session changed since the form
// was filled.
func (s *Service) SaveSession(ctx context.Context, in SessionInput) (booking.CalendarObject, error) {
	topics, err := s.store.Topics(ctx)
	if err != nil {
		return booking.CalendarObject{}, fmt.Errorf("feeds: topics: %w", err)
	}
	if err := s.validate(&in, newThemeIndex(topics)); err != nil {
		return booking.CalendarObject{}, err
	}
	dcal, err := s.store.DropInCalendar(ctx)
	if err != nil {
		return booking.CalendarObject{}, fmt.Errorf("feeds: drop-in calendar: %w", err)
	}
	now := s.now().UTC()
	var (
		cal    *ical.Calendar
		master *ical.Component
		name   string
		cond   booking.WriteCondition
	)
	if in.UID == "" {
		id, err := newUID()
		if err != nil {
			return booking.CalendarObject{}, err
		}
		in.UID, name = id+"@veileder", id+".ics"
		cal = ical.NewCalendar()
		cal.Props.SetText(ical.PropVersion, "2.0")
		cal.Props.SetText(ical.PropProductID, productID)
		master = ical.NewComponent(ical.CompEvent)
		master.Props.SetText(ical.PropUID, in.UID)
		master.Props.SetDateTime(ical.PropCreated, now)
		master.Props.SetText(ical.PropSequence, "0")
		cal.Children = append(cal.Children, master)
		cond.IfNoneMatchAny = true
	} else {
		obj, err := s.store.ObjectByUID(ctx, dcal.ID, in.UID)
		if err != nil {
			return booking.CalendarObject{}, fmt.Errorf("feeds: session %q: %w", in.UID, err)
		}
		if in.ETag != "" && in.ETag != obj.ETag {
			return booking.CalendarObject{}, fmt.Errorf("feeds: session %q changed since the form was filled: %w", in.UID, booking.ErrPreconditionFailed)
		}
		if cal, err = recurrence.ParseCalendar(obj.Data); err != nil {
			return booking.CalendarObject{}, fmt.Errorf("feeds: session %q: %w", in.UID, err)
		}
		for _, c := range cal.Children {
			if c.Name == ical.CompEvent && (master == nil || c.Props.Get(ical.PropRecurrenceID) == nil && master.Props.Get(ical.PropRecurrenceID) != nil) {
				master = c
			}
		}
		if master == nil {
			return booking.CalendarObject{}, fmt.Errorf("feeds: session %q has no VEVENT: %w", in.UID, booking.ErrInvalid)
		}
		seq := 0
		if p := master.Props.Get(ical.PropSequence); p != nil {
			seq, _ = p.Int()
		}
		master.Props.SetText(ical.PropSequence, fmt.Sprint(seq+1))
		name = obj.Name
		cond.IfMatch = obj.ETag // nothing may have changed between the read and the write
	}
	s.fill(cal, master, in, now)

	var buf bytes.Buffer
	if err := ical.NewEncoder(&buf).Encode(cal); err != nil {
		return booking.CalendarObject{}, fmt.Errorf("feeds: encode session: %v: %w", err, booking.ErrInvalid)
	}
	obj, err := caldav.ValidateObject(dcal, name, buf.Bytes(), s.lib)
	if err != nil {
		return booking.CalendarObject{}, fmt.Errorf("feeds: session is not a valid calendar object (%v): %w", err, booking.ErrInvalid)
	}
	stored, _, err := s.store.PutObject(ctx, obj, cond)
	if err != nil {
		return booking.CalendarObject{}, fmt.Errorf("feeds: save session %q: %w", in.UID, err)
	}
	return stored, nil
}

// DeleteSession deletes a session through the CalDAV path, so that the
// object hook keeps it in the feeds as cancelled. etag, when not empty,
// must be the stored version's.
func (s *Service) DeleteSession(ctx context.Context, uid, etag string) error {
	dcal, err := s.store.DropInCalendar(ctx)
	if err != nil {
		return fmt.Errorf("feeds: drop-in calendar: %w", err)
	}
	obj, err := s.store.ObjectByUID(ctx, dcal.ID, uid)
	if err != nil {
		return fmt.Errorf("feeds: session %q: %w", uid, err)
	}
	if etag == "" {
		etag = obj.ETag
	}
	if err := s.store.DeleteObject(ctx, dcal.ID, obj.Name, booking.WriteCondition{IfMatch: etag}); err != nil {
		return fmt.Errorf("feeds: delete session %q: %w", uid, err)
	}
	return nil
}

// validate checks the form's input and tidies it.
func (s *Service) validate(in *SessionInput, ix themeIndex) error {
	invalid := func(format string, args ...any) error {
		return fmt.Errorf("feeds: "+format+": %w", append(args, booking.ErrInvalid)...)
	}
	in.Summary = strings.TrimSpace(in.Summary)
	in.Description = strings.TrimSpace(strings.ReplaceAll(in.Description, "\r\n", "\n"))
	in.Location = strings.TrimSpace(in.Location)
	in.URL = strings.TrimSpace(in.URL)
	for _, f := range []struct {
		name, value string
		max         int
		multiLine   bool
	}{
		{"title", in.Summary, maxSummaryLen, false},
		{"description", in.Description, maxDescriptionLen, true},
		{"place", in.Location, maxLocationLen, false},
		{"address", in.URL, maxURLLen, false},
	} {
		if !utf8.ValidString(f.value) || utf8.RuneCountInString(f.value) > f.max {
			return invalid("%s must be UTF-8 text of at most %d characters", f.name, f.max)
		}
		if cleanControl(f.value) != f.value || !f.multiLine && strings.Contains(f.value, "\n") {
			return invalid("%s holds control characters", f.name)
		}
	}
	if in.Summary == "" {
		return invalid("a session needs a title")
	}
	if in.URL != "" {
		u, ok := webURL(in.URL)
		if !ok {
			return invalid("the address must be an http or https URL")
		}
		in.URL = u
	}
	if in.Start.IsZero() || in.End.IsZero() {
		return invalid("a session needs a start and an end")
	}
	if in.AllDay {
		a, b := in.Start.In(s.lib), in.End.In(s.lib)
		in.Start = time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, s.lib)
		in.End = time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, s.lib)
		if in.End.Before(in.Start) {
			return invalid("the last day is before the first")
		}
	} else if !in.End.After(in.Start) {
		return invalid("the end must be after the start")
	}
	var themes []string
	for _, t := range in.Themes {
		slug, ok := ix.resolve(normTag(t))
		if !ok {
			return invalid("%q is not a topic", t)
		}
		if !slices.Contains(themes, slug) {
			themes = append(themes, slug)
		}
	}
	in.Themes = themes
	return nil
}

// fill writes the form's fields into the master component, keeping
// everything else a calendar app put there (recurrence, overrides,
// alarms, X- properties).
func (s *Service) fill(cal *ical.Calendar, c *ical.Component, in SessionInput, now time.Time) {
	setText := func(name, v string) {
		if v == "" {
			c.Props.Del(name)
			return
		}
		if p := c.Props.Get(name); p != nil && cleanControl(recurrence.UnescapeText(p.Value)) == v {
			return // unchanged: keep its parameters (ALTREP, LANGUAGE)
		}
		c.Props.SetText(name, v)
	}
	setText(ical.PropSummary, in.Summary)
	setText(ical.PropDescription, in.Description)
	setText(ical.PropLocation, in.Location)
	if in.URL == "" {
		c.Props.Del(ical.PropURL)
	} else {
		p := ical.NewProp(ical.PropURL)
		p.Value = in.URL
		c.Props.Set(p)
	}
	c.Props.Del(ical.PropDuration)
	if in.AllDay {
		start := ical.NewProp(ical.PropDateTimeStart)
		start.Params.Set(ical.ParamValue, "DATE")
		start.Value = in.Start.Format("20060102")
		end := ical.NewProp(ical.PropDateTimeEnd)
		end.Params.Set(ical.ParamValue, "DATE")
		end.Value = in.End.AddDate(0, 0, 1).Format("20060102")
		c.Props.Set(start)
		c.Props.Set(end)
	} else {
		for name, t := range map[string]time.Time{ical.PropDateTimeStart: in.Start, ical.PropDateTimeEnd: in.End} {
			p := ical.NewProp(name)
			p.Params.Set(ical.ParamTimezoneID, s.lib.String())
			p.Value = wall(t.In(s.lib)).Format("20060102T150405")
			c.Props.Set(p)
		}
		s.ensureVTimezone(cal, in.Start, in.End)
	}
	c.Props.Del(ical.PropCategories)
	if len(in.Themes) > 0 {
		p := ical.NewProp(ical.PropCategories)
		p.SetTextList(in.Themes)
		c.Props.Set(p)
	}
	switch {
	case in.Cancelled:
		c.Props.SetText(ical.PropStatus, "CANCELLED")
	case cancelled(c):
		c.Props.SetText(ical.PropStatus, "CONFIRMED")
	}
	c.Props.SetDateTime(ical.PropDateTimeStamp, now)
	c.Props.SetDateTime(ical.PropLastModified, now)
}

// ensureVTimezone adds the library zone's VTIMEZONE (RFC 5545 §3.6.5
// wants one for every TZID) unless the object has one.
func (s *Service) ensureVTimezone(cal *ical.Calendar, first, last time.Time) {
	for _, c := range cal.Children {
		if c.Name == ical.CompTimezone && c.Props.Get(ical.PropTimezoneID) != nil && c.Props.Get(ical.PropTimezoneID).Value == s.lib.String() {
			return
		}
	}
	tz := ical.NewComponent(ical.CompTimezone)
	tz.Props.SetText(ical.PropTimezoneID, s.lib.String())
	for _, ob := range observances(s.lib, first, last) {
		name := ical.CompTimezoneStandard
		if ob.daylight {
			name = ical.CompTimezoneDaylight
		}
		o := ical.NewComponent(name)
		set := func(prop, value string) {
			p := ical.NewProp(prop)
			p.Value = value
			o.Props.Set(p)
		}
		set(ical.PropDateTimeStart, ob.start.Format("20060102T150405"))
		if ob.rrule != "" {
			set(ical.PropRecurrenceRule, ob.rrule)
		}
		set(ical.PropTimezoneOffsetFrom, utcOffset(ob.offsetFrom))
		set(ical.PropTimezoneOffsetTo, utcOffset(ob.offsetTo))
		if ob.name != "" {
			o.Props.SetText(ical.PropTimezoneName, ob.name)
		}
		tz.Children = append(tz.Children, o)
	}
	// VTIMEZONEs go first, as calendar apps write them.
	cal.Children = append([]*ical.Component{tz}, cal.Children...)
}

func newUID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("feeds: uid: %w", err)
	}
	return hex.EncodeToString(b), nil
}
