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

// Weekly guidance hours, for librarians without a calendar app (or whose
// organisation only publishes busy time): the staff page writes ordinary
// recurring events into the librarian's availability calendar, through the
// same write path as a CalDAV PUT, so that slot search reads them like any
// other window and a calendar app sees and edits them. The page marks its
// events with hoursMarker, to tell its own from those made in an app.

// hoursMarker is the X- property (RFC 5545 §3.8.8.2) on the events the
// staff page manages. Calendar apps keep unknown properties of an event
// they edit.
const hoursMarker = "X-VEILEDER-WEEKLY-HOURS"

// hoursSummary is the title the events get; the topic tags follow it, so
// that a calendar app shows what the window is for.
const hoursSummary = "Veiledning"

// onlinePlace is the LOCATION of an online window without a place of its
// own: recurrence.MeetingMode reads it as online.
const onlinePlace = "Online"

// Weekly hours limits.
const (
	maxHoursPlace      = 200
	maxHoursExceptions = 100
)

func (s *Service) availabilityCalendar(ctx context.Context, userID int64) (booking.Calendar, error) {
	cal, err := s.store.CalendarBySlug(ctx, userID, string(booking.KindAvailability))
	if err != nil {
		return booking.Calendar{}, fmt.Errorf("scheduling: availability calendar of %d: %w", userID, err)
	}
	return cal, nil
}

// WeeklyHours lists the windows of a librarian's availability calendar that
// end after now: the page's own first (by weekday and time), then those made
// in a calendar app (by their first start).
func (s *Service) WeeklyHours(ctx context.Context, userID int64) ([]booking.WeeklyHours, error) {
	cal, err := s.availabilityCalendar(ctx, userID)
	if err != nil {
		return nil, err
	}
	objs, err := s.store.ObjectsOverlapping(ctx, cal.ID, ical.CompEvent, s.now(), time.Time{})
	if err != nil {
		return nil, fmt.Errorf("scheduling: weekly hours: %w", err)
	}
	out := make([]booking.WeeklyHours, 0, len(objs))
	for _, o := range objs {
		h, err := s.readHours(o)
		if err != nil {
			s.log.Warn("scheduling: availability event does not parse", "calendar", cal.ID, "name", o.Name, "err", err)
			continue
		}
		out = append(out, h)
	}
	slices.SortStableFunc(out, func(a, b booking.WeeklyHours) int {
		switch {
		case a.Managed != b.Managed:
			if a.Managed {
				return -1
			}
			return 1
		case a.Managed:
			// Monday first, as the page lists the week.
			if n := (int(a.Weekday)+6)%7 - (int(b.Weekday)+6)%7; n != 0 {
				return n
			}
			return a.From - b.From
		}
		return a.Start.Compare(b.Start)
	})
	return out, nil
}

// WeeklyHoursWindow returns one of the librarian's windows by its resource
// name.
func (s *Service) WeeklyHoursWindow(ctx context.Context, userID int64, name string) (booking.WeeklyHours, error) {
	cal, err := s.availabilityCalendar(ctx, userID)
	if err != nil {
		return booking.WeeklyHours{}, err
	}
	o, err := s.readObject(ctx, cal, name)
	if err != nil {
		return booking.WeeklyHours{}, fmt.Errorf("scheduling: weekly hours %s: %w", name, err)
	}
	return s.readHours(o)
}

// readHours reads a stored availability event.
func (s *Service) readHours(o booking.CalendarObject) (booking.WeeklyHours, error) {
	c, err := recurrence.ParseCalendar(o.Data)
	if err != nil {
		return booking.WeeklyHours{}, err
	}
	h := booking.WeeklyHours{Name: o.Name, UID: o.UID, ETag: o.ETag}
	master := masterEvent(c)
	if master == nil {
		return booking.WeeklyHours{}, errors.New("no master VEVENT")
	}
	overrides := false
	for _, child := range c.Children {
		if child.Name == ical.CompEvent && child != master {
			overrides = true
		}
	}
	h.Managed = master.Props.Get(hoursMarker) != nil
	h.Summary = text(master, ical.PropSummary)
	var allDay bool
	if h.Start, h.End, allDay, err = eventTimes(master, s.loc); err != nil {
		return booking.WeeklyHours{}, err
	}
	h.Start, h.End = h.Start.In(s.loc), h.End.In(s.loc)
	h.Weekday = h.Start.Weekday()
	h.From = h.Start.Hour()*60 + h.Start.Minute()
	h.To = h.From + int(h.End.Sub(h.Start)/time.Minute)
	h.Topics = topicTags(master, nil)
	if i := slices.Index(h.Topics, strings.ToLower(hoursSummary)); i >= 0 {
		h.Topics = slices.Delete(h.Topics, i, i+1)
	}
	h.Online, _ = recurrence.MeetingMode(master)
	if place := text(master, ical.PropLocation); place != onlinePlace {
		h.Place = place
	}
	rr := master.Props.Get(ical.PropRecurrenceRule)
	h.Recurring = rr != nil || master.Props.Get(ical.PropRecurrenceDates) != nil
	weekly := rr != nil && simpleWeeklyHours(rr.Value, h.Weekday)
	for _, p := range master.Props.Values(ical.PropExceptionDates) {
		for v := range strings.SplitSeq(p.Value, ",") {
			t, err := exceptionDate(strings.TrimSpace(v), p.Params.Get(ical.PropTimezoneID), s.loc)
			if err != nil {
				weekly = false
				continue
			}
			h.Exceptions = append(h.Exceptions, t)
		}
	}
	h.Editable = h.Managed && weekly && !overrides && !allDay && master.Props.Get(ical.PropRecurrenceDates) == nil &&
		h.To > h.From && h.To <= 24*60
	return h, nil
}

// simpleWeeklyHours reports whether rule is the one the page writes:
// FREQ=WEEKLY;BYDAY=<the start's weekday>, with nothing else but WKST.
func simpleWeeklyHours(rule string, day time.Weekday) bool {
	weekly, byday := false, false
	for part := range strings.SplitSeq(rule, ";") {
		k, v, _ := strings.Cut(part, "=")
		switch strings.ToUpper(k) {
		case "FREQ":
			weekly = strings.EqualFold(v, "WEEKLY")
		case "BYDAY":
			byday = strings.EqualFold(v, icalDay(day))
		case "INTERVAL":
			if v != "1" {
				return false
			}
		case "WKST":
		default:
			return false
		}
	}
	return weekly && byday
}

// exceptionDate reads one EXDATE value as its local date.
func exceptionDate(v, tzid string, loc *time.Location) (time.Time, error) {
	zone := loc
	if tzid != "" {
		if z, err := time.LoadLocation(tzid); err == nil {
			zone = z
		}
	}
	var t time.Time
	var err error
	switch {
	case strings.HasSuffix(v, "Z"):
		t, err = time.Parse("20060102T150405Z", v)
	case len(v) == 8:
		t, err = time.ParseInLocation("20060102", v, zone)
	default:
		t, err = time.ParseInLocation("20060102T150405", v, zone)
	}
	if err != nil {
		return time.Time{}, err
	}
	return dayOf(t, loc), nil
}

// SaveWeeklyHours creates a window (h.Name empty) or replaces one the page
// manages, on the condition that it is still the version read (h.ETag); an
// edit keeps the UID and raises the SEQUENCE. It returns the window as
// stored. Errors: a *booking.FieldError (ErrInvalid) naming "weekday",
// "from", "to", "topics", "place" or "exceptions";
// booking.ErrPreconditionFailed when the event was changed meanwhile;
// booking.ErrNotFound when it was deleted; booking.ErrForbidden for an
// event made (or reshaped) in a calendar app, which the page leaves alone.
func (s *Service) SaveWeeklyHours(ctx context.Context, userID int64, h booking.WeeklyHours) (booking.WeeklyHours, error) {
	known, err := s.knownTopics(ctx)
	if err != nil {
		return booking.WeeklyHours{}, err
	}
	if err := validHours(&h, known); err != nil {
		return booking.WeeklyHours{}, fmt.Errorf("scheduling: save weekly hours: %w", err)
	}
	cal, err := s.availabilityCalendar(ctx, userID)
	if err != nil {
		return booking.WeeklyHours{}, err
	}
	now := s.now()
	from := dayOf(now, s.loc)
	e, err := s.beginEdit(ctx, cal, h.Name, h.ETag, func(old booking.CalendarObject) error {
		prev, err := s.readHours(old)
		if err != nil || !prev.Managed || !prev.Editable {
			// Made, or since reshaped, in a calendar app: the form would
			// lose what it cannot show.
			return fmt.Errorf("not a window the page can change: %w", booking.ErrForbidden)
		}
		// The series keeps its first day, so that its past stays as it
		// was shown.
		from = dayOf(prev.Start, s.loc)
		return nil
	})
	if err != nil {
		return booking.WeeklyHours{}, fmt.Errorf("scheduling: save weekly hours %s: %w", h.Name, err)
	}
	h.Name, h.UID = e.name, e.uid
	data, err := hoursEvent(h, from, e.seq, now, s.loc)
	if err != nil {
		return booking.WeeklyHours{}, err
	}
	stored, err := s.finishEdit(ctx, cal, e, data)
	if err != nil {
		return booking.WeeklyHours{}, fmt.Errorf("scheduling: save weekly hours %s: %w", h.Name, err)
	}
	return s.readHours(stored)
}

// DeleteWeeklyHours removes a window the page manages, on the condition
// that it is still the version read (etag; empty for any). An event made
// in a calendar app is booking.ErrForbidden: it is the app's to remove.
func (s *Service) DeleteWeeklyHours(ctx context.Context, userID int64, name, etag string) error {
	h, err := s.WeeklyHoursWindow(ctx, userID, name)
	if err != nil {
		return err
	}
	if !h.Managed {
		return fmt.Errorf("scheduling: delete weekly hours %s: made in a calendar app: %w", name, booking.ErrForbidden)
	}
	cal, err := s.availabilityCalendar(ctx, userID)
	if err != nil {
		return err
	}
	if err := s.objectWriter().DeleteObject(ctx, cal.ID, name, booking.WriteCondition{IfMatch: etag}); err != nil {
		return fmt.Errorf("scheduling: delete weekly hours %s: %w", name, err)
	}
	return nil
}

// validHours checks and tidies the form's fields.
func validHours(h *booking.WeeklyHours, known topicSet) error {
	h.Place = oneLine(h.Place)
	var topics []string
	for _, t := range h.Topics {
		t = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(t), "#"))
		if t != "" && !slices.Contains(topics, t) {
			topics = append(topics, t)
		}
	}
	h.Topics = topics
	switch {
	case h.Weekday < time.Sunday || h.Weekday > time.Saturday:
		return &booking.FieldError{Field: "weekday", Code: "invalid"}
	case h.From < 0 || h.From >= 24*60:
		return &booking.FieldError{Field: "from", Code: "invalid"}
	case h.To <= h.From || h.To > 24*60:
		return &booking.FieldError{Field: "to", Code: "invalid"}
	case utf8.RuneCountInString(h.Place) > maxHoursPlace:
		return &booking.FieldError{Field: "place", Code: "too_long"}
	case !utf8.ValidString(h.Place) || strings.ContainsRune(h.Place, 0):
		return &booking.FieldError{Field: "place", Code: "invalid"}
	case len(h.Exceptions) > maxHoursExceptions:
		return &booking.FieldError{Field: "exceptions", Code: "too_long"}
	}
	for _, t := range h.Topics {
		if !known[t] {
			return &booking.FieldError{Field: "topics", Code: "invalid"}
		}
	}
	var days []time.Time
	for _, d := range h.Exceptions {
		if d.Weekday() != h.Weekday {
			return &booking.FieldError{Field: "exceptions", Code: "weekday"}
		}
		d = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, d.Location())
		if !slices.ContainsFunc(days, d.Equal) {
			days = append(days, d)
		}
	}
	slices.SortFunc(days, func(a, b time.Time) int { return a.Compare(b) })
	h.Exceptions = days
	return nil
}

// hoursEvent renders a window as an iCalendar object: a weekly series from
// the first h.Weekday on or after from, in the library's zone, so that it
// keeps its local times across daylight saving time.
func hoursEvent(h booking.WeeklyHours, from time.Time, seq int, now time.Time, loc *time.Location) ([]byte, error) {
	first := from.In(loc)
	for first.Weekday() != h.Weekday {
		first = first.AddDate(0, 0, 1)
	}
	at := func(day time.Time, minutes int) time.Time {
		return time.Date(day.Year(), day.Month(), day.Day(), minutes/60, minutes%60, 0, 0, loc)
	}
	start, end := at(first, h.From), at(first, h.To)
	ev := ical.NewComponent(ical.CompEvent)
	ev.Props.SetText(ical.PropUID, h.UID)
	stamp := now.UTC().Truncate(time.Second)
	ev.Props.SetDateTime(ical.PropDateTimeStamp, stamp)
	ev.Props.SetDateTime(ical.PropLastModified, stamp)
	ev.Props.SetDateTime(ical.PropDateTimeStart, start)
	ev.Props.SetDateTime(ical.PropDateTimeEnd, end)
	sp := ical.NewProp(ical.PropSequence)
	sp.Value = strconv.Itoa(seq)
	ev.Props.Set(sp)
	summary := hoursSummary
	for _, t := range h.Topics {
		summary += " #" + t
	}
	ev.Props.SetText(ical.PropSummary, summary)
	if len(h.Topics) > 0 {
		cat := ical.NewProp(ical.PropCategories)
		cat.SetTextList(h.Topics)
		ev.Props.Set(cat)
	}
	switch {
	case h.Online && h.Place == "":
		ev.Props.SetText(ical.PropLocation, onlinePlace)
	case h.Online:
		// The place (a meeting link, say) stays the LOCATION; the word
		// in DESCRIPTION makes it online for recurrence.MeetingMode.
		ev.Props.SetText(ical.PropLocation, h.Place)
		ev.Props.SetText(ical.PropDescription, onlinePlace)
	case h.Place != "":
		ev.Props.SetText(ical.PropLocation, h.Place)
	}
	rp := ical.NewProp(ical.PropRecurrenceRule)
	rp.SetValueType(ical.ValueRecurrence)
	rp.Value = "FREQ=WEEKLY;BYDAY=" + icalDay(h.Weekday)
	ev.Props.Set(rp)
	if len(h.Exceptions) > 0 {
		// EXDATE in the DTSTART's form (RFC 5545 §3.8.5.1): local date
		// and time with the same TZID.
		ex := ical.NewProp(ical.PropExceptionDates)
		vals := make([]string, len(h.Exceptions))
		for i, d := range h.Exceptions {
			vals[i] = at(d, h.From).Format("20060102T150405")
		}
		ex.Value = strings.Join(vals, ",")
		if loc != time.UTC {
			ex.Params.Set(ical.PropTimezoneID, loc.String())
		} else {
			for i := range vals {
				vals[i] += "Z"
			}
			ex.Value = strings.Join(vals, ",")
		}
		ev.Props.Set(ex)
	}
	marker := ical.NewProp(hoursMarker)
	marker.Value = "1"
	ev.Props.Set(marker)
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropProductID, ProductID)
	if loc != time.UTC {
		cal.Children = append(cal.Children, vtimezone(loc, start.Year()))
	}
	cal.Children = append(cal.Children, ev)
	var buf bytes.Buffer
	if err := ical.NewEncoder(&buf).Encode(cal); err != nil {
		return nil, fmt.Errorf("encode weekly hours event: %w", err)
	}
	return fold(buf.Bytes()), nil
}
