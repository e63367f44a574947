package feeds

import (
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/veileder/veileder/recurrence"
)

// dtValue is one DATE or DATE-TIME value of a source property, resolved.
type dtValue struct {
	at   time.Time // the instant; midnight in the library's zone for a DATE
	date bool
	// zone is where the value's wall clock lives: UTC for "Z" values, the
	// TZID's zone, or the library's zone for floating times.
	zone *time.Location
}

// parseDT parses "YYYYMMDD" or "YYYYMMDDTHHMMSS[Z]" (RFC 5545 §3.3.4,
// §3.3.5) with recurrence's reading, the TZID given resolved by zoneOf; a
// floating time and a date are read in lib. A VALUE other than DATE or
// DATE-TIME is read by the value's shape.
func parseDT(text, valueType, tzid string, zoneOf func(string) *time.Location, lib *time.Location) (dtValue, error) {
	vt := strings.ToUpper(strings.TrimSpace(valueType))
	if vt != "DATE" && vt != "DATE-TIME" {
		vt = ""
	}
	wall, date, utc, err := recurrence.ParseDateTime(strings.TrimSpace(text), vt)
	switch {
	case err != nil:
		return dtValue{}, err
	case date:
		return dtValue{at: recurrence.LocalTime(wall, lib), date: true, zone: lib}, nil
	case utc:
		return dtValue{at: wall, zone: time.UTC}, nil
	}
	zone := lib
	if tzid != "" {
		zone = zoneOf(tzid)
	}
	return dtValue{at: recurrence.LocalTime(wall, zone), zone: zone}, nil
}

// propDT parses a single-valued date property of a session.
func (s *session) propDT(p *ical.Prop) (dtValue, error) {
	return parseDT(p.Value, p.Params.Get(ical.ParamValue), p.Params.Get(ical.ParamTimezoneID), s.zone, s.lib)
}

// zone resolves a TZID of the session as recurrence does (IANA, Windows
// and prefixed names, the object's VTIMEZONE), from the zones resolved
// when the object was parsed: resolving loads zone files, which is too
// slow to do for every time of every render.
func (s *session) zone(tzid string) *time.Location {
	if loc, ok := s.zones[tzid]; ok {
		return loc
	}
	loc, _ := recurrence.ResolveLocation(tzid, s.cal, s.lib)
	return loc
}

// resolveZones resolves every TZID the object uses, once.
func (s *session) resolveZones() {
	s.zones = map[string]*time.Location{s.lib.String(): s.lib}
	var walk func(c *ical.Component)
	walk = func(c *ical.Component) {
		for _, props := range c.Props {
			for _, p := range props {
				if tzid := p.Params.Get(ical.ParamTimezoneID); tzid != "" {
					if _, ok := s.zones[tzid]; !ok {
						s.zones[tzid], _ = recurrence.ResolveLocation(tzid, s.cal, s.lib)
					}
				}
			}
		}
		for _, child := range c.Children {
			walk(child)
		}
	}
	walk(s.cal.Component)
}

// sameRules reports whether a and b have the same offsets at every moment
// of [from, to), so that a wall clock time in one names the same instant
// in the other (W. Europe Standard Time and Europe/Oslo, say).
func sameRules(a, b *time.Location, from, to time.Time) bool {
	if a == b || a.String() == b.String() {
		return true
	}
	_, oa := from.In(a).Zone()
	_, ob := from.In(b).Zone()
	if oa != ob {
		return false
	}
	ta, tb := zoneTransitions(a, from, to), zoneTransitions(b, from, to)
	if len(ta) != len(tb) {
		return false
	}
	for i := range ta {
		if !ta[i].at.Equal(tb[i].at) || ta[i].offsetTo != tb[i].offsetTo {
			return false
		}
	}
	return true
}
