package feeds

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/emersion/go-ical"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/recurrence"
)

// upcomingCache keeps the last expansion for the page, per version of the
// calendar and window of days.
type upcomingCache struct {
	key  upKey
	list []booking.DropInOccurrence
}

type upKey struct {
	calendarID, syncSeq int64
	tombstones          int
	topics              string
	from, to            time.Time
}

// Upcoming lists the occurrences of the public sessions that overlap
// [from, to), ordered by start: recurring sessions expanded, overrides
// applied, and cancelled ones (STATUS:CANCELLED, or deleted less than the
// tombstone TTL ago) marked as such.
func (s *Service) Upcoming(ctx context.Context, from, to time.Time) ([]booking.DropInOccurrence, error) {
	st, err := s.state(ctx)
	if err != nil {
		return nil, err
	}
	// Expand whole local days, so that the expansion is reused all day.
	lf, lt := from.In(s.lib), to.In(s.lib)
	dayFrom := time.Date(lf.Year(), lf.Month(), lf.Day(), 0, 0, 0, 0, s.lib)
	dayTo := time.Date(lt.Year(), lt.Month(), lt.Day()+1, 0, 0, 0, 0, s.lib)
	k := upKey{st.version.CalendarID, st.version.SyncSeq, st.version.Tombstones, st.topicsFP, dayFrom, dayTo}
	s.mu.Lock()
	c := s.upcoming
	s.mu.Unlock()
	var all []booking.DropInOccurrence
	if c != nil && c.key == k {
		all = c.list
	} else {
		if all, err = s.expand(ctx, st, dayFrom, dayTo); err != nil {
			return nil, err
		}
		s.mu.Lock()
		s.upcoming = &upcomingCache{key: k, list: all}
		s.mu.Unlock()
	}
	out := make([]booking.DropInOccurrence, 0, len(all))
	for _, o := range all {
		if o.Start.Before(to) && (o.End.After(from) || o.End.Equal(o.Start) && !o.Start.Before(from)) {
			out = append(out, o)
		}
	}
	return out, nil
}

func (s *Service) expand(ctx context.Context, st *state, from, to time.Time) ([]booking.DropInOccurrence, error) {
	sessions, err := s.sessions(ctx, st.version.CalendarID)
	if err != nil {
		return nil, err
	}
	tombs, err := s.store.DropInTombstones(ctx, st.version.CalendarID, st.cutoff)
	if err != nil {
		return nil, fmt.Errorf("feeds: tombstones: %w", err)
	}
	var out []booking.DropInOccurrence
	live := map[string]bool{}
	for _, ss := range sessions {
		if !ss.public {
			continue
		}
		live[ss.uid] = true
		insts, err := ss.instances(from, to, s.lib)
		if err != nil {
			s.log.Warn("feeds: drop-in session does not expand", "object", ss.name, "err", err)
			continue
		}
		for _, in := range insts {
			out = append(out, s.occurrence(ss, in, st.ix))
		}
	}
	for _, t := range tombs {
		if live[t.UID] || !t.Start.Before(to) || t.End.Before(from) {
			continue
		}
		themes, _ := st.ix.split(t.Themes)
		out = append(out, booking.DropInOccurrence{
			UID: t.UID, Start: t.Start, End: t.End, AllDay: t.AllDay,
			Summary: st.ix.cleanText(cleanControl(t.Summary)), Themes: themes, Cancelled: true,
		})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Start.Equal(out[j].Start) {
			return out[i].Start.Before(out[j].Start)
		}
		return out[i].UID < out[j].UID
	})
	return out, nil
}

// occurrence is one instance as the page shows it.
func (s *Service) occurrence(ss *session, in recurrence.Instance, ix themeIndex) booking.DropInOccurrence {
	c := in.Component
	themes, _ := ix.split(ss.compTags[c])
	if len(themes) == 0 {
		themes, _ = ss.themes(ix)
	}
	o := booking.DropInOccurrence{
		UID: ss.uid, RecurrenceID: in.RecurrenceID, Start: in.Start, End: in.End, AllDay: in.AllDay,
		Summary:     ix.cleanText(text(c, ical.PropSummary)),
		Description: ix.cleanText(text(c, ical.PropDescription)),
		Location:    text(c, ical.PropLocation),
		Themes:      themes,
		Cancelled:   cancelled(c) || (ss.master != nil && cancelled(ss.master)),
	}
	if p := c.Props.Get(ical.PropURL); p != nil {
		o.URL, _ = webURL(p.Value)
	}
	return o
}

// SessionICS is one public session as a calendar file to import, and a
// file name for it: the whole object (a series with its exceptions), or,
// when at is not zero, only the occurrence whose RECURRENCE-ID (or start)
// is at, as a single event with a UID of its own, so that importing it
// next to a subscription does not replace the series.
// booking.ErrNotFound when there is no such public session or occurrence.
func (s *Service) SessionICS(ctx context.Context, uid string, at time.Time, lang string) ([]byte, string, error) {
	st, err := s.state(ctx)
	if err != nil {
		return nil, "", err
	}
	sessions, err := s.sessions(ctx, st.version.CalendarID)
	if err != nil {
		return nil, "", err
	}
	i := slices.IndexFunc(sessions, func(ss *session) bool { return ss.uid == uid && ss.public })
	if i < 0 {
		return nil, "", fmt.Errorf("feeds: session %q: %w", uid, booking.ErrNotFound)
	}
	ss := sessions[i]
	lang = normLang(lang)
	r := newRenderer(s.lib, lang, st.ix)
	var events []ics.Component
	var when time.Time
	if at.IsZero() {
		zone := r.seriesZone(ss)
		for _, c := range ss.comps {
			events = append(events, event(ss.uid, r.eventProps(ss, c, zone)))
		}
		when = ss.first
	} else {
		insts, _, err := recurrence.Expand(ss.cal, at.AddDate(-1, 0, -35), at.AddDate(1, 0, 35), recurrence.Options{Location: s.lib})
		if err != nil {
			return nil, "", fmt.Errorf("feeds: session %q: %w", uid, err)
		}
		k := slices.IndexFunc(insts, func(in recurrence.Instance) bool {
			return in.RecurrenceID.Equal(at) || in.RecurrenceID.IsZero() && in.Start.Equal(at)
		})
		if k < 0 {
			return nil, "", fmt.Errorf("feeds: occurrence %s of session %q: %w", at.Format(utcFormat), uid, booking.ErrNotFound)
		}
		in := insts[k]
		ps := []prop{}
		start := dtValue{at: in.Start, date: in.AllDay}
		end := dtValue{at: in.End, date: in.AllDay}
		for _, p := range r.eventProps(ss, in.Component, s.lib) {
			switch p.name {
			case "RECURRENCE-ID", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE":
				continue
			case "DTSTART":
				ps = append(ps, r.dateProp("DTSTART", start, s.lib))
				if in.End.After(in.Start) {
					ps = append(ps, r.dateProp("DTEND", end, s.lib))
				}
				continue
			}
			ps = append(ps, p)
		}
		id := ss.uid
		if !in.RecurrenceID.IsZero() {
			id = in.RecurrenceID.UTC().Format(utcFormat) + "-" + ss.uid
		}
		events = append(events, event(id, ps))
		when = in.Start
	}
	body, err := r.serialize(calendarHead{}, events)
	if err != nil {
		return nil, "", err
	}
	return body, "dropin-" + when.In(s.lib).Format("2006-01-02") + ".ics", nil
}
