package feeds

import (
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/i18n"
	"github.com/veileder/veileder/recurrence"
)

// session is a parsed drop-in calendar object: one VEVENT master and its
// overrides (or overrides alone), sharing a UID.
type session struct {
	name     string
	uid      string
	etag     string
	seq      int64
	modified time.Time
	first    time.Time // FirstStart, for ordering
	lib      *time.Location
	zones    map[string]*time.Location // TZIDs resolved at parse

	cal    *ical.Calendar
	master *ical.Component   // nil when the object holds overrides only
	comps  []*ical.Component // master first, then overrides by RECURRENCE-ID
	// tags are every component's tags, without repeats.
	tags []string
	// compTags are each component's own tags.
	compTags map[*ical.Component][]string
	// public is false for CLASS:PRIVATE or CONFIDENTIAL: such a session is
	// in no feed and on no page.
	public bool
	// recurring is set for a master with RRULE or RDATE.
	recurring bool
}

// parseSession reads a stored object. Objects passed recurrence.Validate when
// they were stored, so an error here is a bug or an old row: the caller
// logs it and leaves the object out.
func parseSession(obj booking.CalendarObject, lib *time.Location) (*session, error) {
	cal, err := recurrence.ParsedCalendar(obj.Parsed, obj.Data)
	if err != nil {
		return nil, err
	}
	s := &session{
		name: obj.Name, uid: obj.UID, etag: obj.ETag, seq: obj.Seq,
		modified: obj.ModifiedAt, first: obj.FirstStart, cal: cal,
		compTags: map[*ical.Component][]string{}, public: true, lib: lib,
	}
	s.resolveZones()
	var overrides []*ical.Component
	for _, c := range cal.Children {
		if c.Name != ical.CompEvent {
			continue
		}
		if c.Props.Get(ical.PropRecurrenceID) == nil {
			if s.master == nil {
				s.master = c
			}
			continue
		}
		overrides = append(overrides, c)
	}
	if s.master == nil && len(overrides) == 0 {
		return nil, errors.New("no VEVENT")
	}
	rid := func(c *ical.Component) string { return c.Props.Get(ical.PropRecurrenceID).Value }
	slices.SortStableFunc(overrides, func(a, b *ical.Component) int { return strings.Compare(rid(a), rid(b)) })
	if s.master != nil {
		s.comps = append(s.comps, s.master)
		s.recurring = s.master.Props.Get(ical.PropRecurrenceRule) != nil || s.master.Props.Get(ical.PropRecurrenceDates) != nil
	}
	s.comps = append(s.comps, overrides...)
	for _, c := range s.comps {
		tags := componentTags(c)
		s.compTags[c] = tags
		for _, t := range tags {
			if !slices.Contains(s.tags, t) {
				s.tags = append(s.tags, t)
			}
		}
	}
	head := s.comps[0]
	if p := head.Props.Get(ical.PropClass); p != nil {
		switch strings.ToUpper(strings.TrimSpace(p.Value)) {
		case "PRIVATE", "CONFIDENTIAL":
			s.public = false
		}
	}
	if s.first.IsZero() {
		if p := head.Props.Get(ical.PropDateTimeStart); p != nil {
			if v, err := s.propDT(p); err == nil {
				s.first = v.at
			}
		}
	}
	return s, nil
}

// themes are the session's theme slugs, and the unknown tags.
func (s *session) themes(ix themeIndex) (themes, unknown []string) {
	return ix.split(s.tags)
}

// inTheme reports whether any component of the session has the theme.
func (s *session) inTheme(ix themeIndex, theme string) bool {
	for _, t := range s.tags {
		if slug, ok := ix.resolve(t); ok && slug == theme {
			return true
		}
	}
	return false
}

// text returns a component's TEXT property, unescaped.
func text(c *ical.Component, name string) string {
	if p := c.Props.Get(name); p != nil {
		return cleanControl(recurrence.UnescapeText(p.Value))
	}
	return ""
}

// cancelled reports STATUS:CANCELLED.
func cancelled(c *ical.Component) bool {
	return strings.EqualFold(strings.TrimSpace(text(c, ical.PropStatus)), "CANCELLED")
}

// title is a component's SUMMARY cleaned of known tags, or the names of its
// themes when nothing else is left, or a generic name.
func title(c *ical.Component, ix themeIndex, themes []string, lang string) string {
	if t := ix.cleanText(text(c, ical.PropSummary)); t != "" {
		return t
	}
	var names []string
	for _, slug := range themes {
		names = append(names, ix.bySlug[slug].Name(lang))
	}
	if len(names) > 0 {
		return strings.Join(names, ", ")
	}
	return i18n.T(lang, "feed.untitled")
}

// instances expands the session within [from, to) in the library's zone.
func (s *session) instances(from, to time.Time, lib *time.Location) ([]recurrence.Instance, error) {
	insts, _, err := recurrence.Expand(s.cal, from, to, recurrence.Options{Location: lib, MaxInstances: 1000})
	return insts, err
}

// nextOccurrence is the first occurrence ending after now, else the first
// one, for a tombstone.
func (s *session) nextOccurrence(now time.Time, lib *time.Location) (recurrence.Instance, bool) {
	insts, _, err := recurrence.Expand(s.cal, now, time.Time{}, recurrence.Options{Location: lib, MaxInstances: 1})
	if err == nil && len(insts) > 0 {
		return insts[0], true
	}
	insts, _, err = recurrence.Expand(s.cal, time.Time{}, time.Time{}, recurrence.Options{Location: lib, MaxInstances: 1})
	if err == nil && len(insts) > 0 {
		return insts[0], true
	}
	return recurrence.Instance{}, false
}
