package feeds

import (
	"bytes"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/emersion/go-ical"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/i18n"
	"github.com/veileder/veileder/recurrence"
)

// Feeds are written with golang-ical (docs/ICALENDAR.md: go-ical for what is
// stored, golang-ical for what is generated), with three things done by
// hand around it:
//
//   - Times are never set with SetStartAt, which converts to UTC and so
//     moves a weekly 10:00 by an hour across a DST change. Every time is
//     written as the library zone's wall clock with TZID, and the zone's
//     real rules go along as a VTIMEZONE (vtimezone.go).
//   - golang-ical backslash-escapes parameter values (X-TITLE=a\, b) where
//     RFC 5545 §3.2 wants them quoted, and has no option to quote them. A
//     parameter whose value needs quoting is therefore written, quoted and
//     with RFC 6868 caret escapes for '"' and newlines, into the property
//     name, which golang-ical writes out verbatim before the ':'. The
//     property is then one golang-ical does not know, so it escapes the
//     value as TEXT: such parameters are only put on TEXT properties, or
//     on ones that carry an explicit VALUE parameter.
//   - Multi-valued TEXT (CATEGORIES) is written as one property per value,
//     since golang-ical escapes every comma of a TEXT value.

// prop is one content line to write.
type prop struct {
	name   string
	params []param
	value  string
	// text marks a TEXT value, which golang-ical escapes; for anything else
	// valueType names the type for when the name alone does not tell
	// golang-ical (an X- property, or a name with parameters in it).
	text      bool
	valueType string
}

type param struct{ name, value string }

// plainParamRE is what golang-ical writes unchanged and RFC 5545 allows
// unquoted.
var plainParamRE = regexp.MustCompile(`^[A-Za-z0-9._/+-]+$`)

// iana converts p for golang-ical.
func (p prop) iana() ics.IANAProperty {
	head := p.name
	params := map[string][]string{}
	for _, pr := range p.params {
		name := strings.ToUpper(pr.name)
		if plainParamRE.MatchString(pr.value) {
			params[name] = []string{pr.value}
			continue
		}
		head += ";" + name + "=" + quoteParam(pr.value)
	}
	if !p.text && p.valueType != "" && params["VALUE"] == nil && (head != p.name || strings.HasPrefix(p.name, "X-")) {
		params["VALUE"] = []string{p.valueType}
	}
	return ics.IANAProperty{BaseProperty: ics.BaseProperty{IANAToken: head, ICalParameters: params, Value: p.value}}
}

// quoteParam writes a parameter value as an RFC 5545 quoted-string, with
// RFC 6868's escapes for what a quoted-string cannot hold ('"' as ^',
// a newline as ^n, and '^' itself as ^^). Other control characters are
// dropped.
func quoteParam(v string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range strings.ReplaceAll(v, "\r\n", "\n") {
		switch {
		case r == '^':
			b.WriteString("^^")
		case r == '"':
			b.WriteString("^'")
		case r == '\n' || r == '\r':
			b.WriteString("^n")
		case r == '\t':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f:
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// decodeParam undoes RFC 6868 escapes in a parameter value as go-ical
// read it (go-ical leaves them).
func decodeParam(v string) string {
	if !strings.Contains(v, "^") {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '^' && i+1 < len(v) {
			switch v[i+1] {
			case '\'':
				b.WriteByte('"')
				i++
				continue
			case 'n':
				b.WriteByte('\n')
				i++
				continue
			case '^':
				b.WriteByte('^')
				i++
				continue
			}
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

const utcFormat = "20060102T150405Z"

// renderer writes one calendar file.
type renderer struct {
	lib   *time.Location
	lang  string
	ix    themeIndex
	zones map[string]*zoneUse // by TZID
}

// zoneUse is a zone written as TZID, and the span of the times written in
// it, which its VTIMEZONE must cover.
type zoneUse struct {
	loc         *time.Location
	first, last time.Time
}

func newRenderer(lib *time.Location, lang string, ix themeIndex) *renderer {
	return &renderer{lib: lib, lang: lang, ix: ix, zones: map[string]*zoneUse{}}
}

func (r *renderer) use(loc *time.Location, at time.Time) {
	u := r.zones[loc.String()]
	if u == nil {
		u = &zoneUse{loc: loc, first: at, last: at}
		r.zones[loc.String()] = u
	}
	if at.Before(u.first) {
		u.first = at
	}
	if at.After(u.last) {
		u.last = at
	}
}

// dateValue writes a time in zone: a DATE as a date, a time in UTC with
// "Z", and any other as zone's wall clock with TZID. A wall clock time
// that the zone has twice (the autumn fold) would be read as the first
// (RFC 5545 §3.3.5), so the second one is written in UTC.
func (r *renderer) dateValue(v dtValue, zone *time.Location) (value string, params []param) {
	if v.date {
		return v.at.In(r.lib).Format("20060102"), []param{{"VALUE", "DATE"}}
	}
	if zone == time.UTC {
		return v.at.UTC().Format(utcFormat), nil
	}
	w := wall(v.at.In(zone))
	if !recurrence.LocalTime(w, zone).Equal(v.at) {
		return v.at.UTC().Format(utcFormat), nil
	}
	r.use(zone, v.at)
	return w.Format("20060102T150405"), []param{{"TZID", zone.String()}}
}

func (r *renderer) dateProp(name string, v dtValue, zone *time.Location) prop {
	value, params := r.dateValue(v, zone)
	return prop{name: name, value: value, params: params, valueType: "DATE-TIME"}
}

// dateListProps writes the values of RDATE or EXDATE properties in zone,
// one property per kind of value (DATE, UTC, TZID), each a comma list.
func (r *renderer) dateListProps(name string, s *session, c *ical.Component, zone *time.Location) []prop {
	type group struct {
		params []param
		values []string
	}
	var groups []*group
	find := func(params []param) *group {
		for _, g := range groups {
			if slices.Equal(g.params, params) {
				return g
			}
		}
		g := &group{params: params}
		groups = append(groups, g)
		return g
	}
	for _, p := range c.Props.Values(name) {
		vt := strings.ToUpper(p.Params.Get(ical.ParamValue))
		tzid := p.Params.Get(ical.ParamTimezoneID)
		for _, item := range strings.Split(p.Value, ",") {
			item = strings.TrimSpace(item)
			if item == "" {
				continue
			}
			start, rest, period := strings.Cut(item, "/")
			itemType := vt
			if vt == "PERIOD" {
				itemType = "DATE-TIME"
			}
			v, err := parseDT(start, itemType, tzid, s.zone, r.lib)
			if err != nil {
				continue
			}
			value, params := r.dateValue(v, zone)
			if period {
				if strings.HasPrefix(strings.TrimLeft(rest, "+-"), "P") {
					value += "/" + rest
				} else if e, err := parseDT(rest, "DATE-TIME", tzid, s.zone, r.lib); err == nil {
					ev, _ := r.dateValue(e, zone)
					value += "/" + ev
				}
				params = append(params, param{"VALUE", "PERIOD"})
			}
			g := find(params)
			g.values = append(g.values, value)
		}
	}
	var out []prop
	for _, g := range groups {
		out = append(out, prop{name: name, params: g.params, value: strings.Join(g.values, ","), valueType: "DATE-TIME"})
	}
	return out
}

// rrule copies a recurrence rule, rewriting UNTIL to what RFC 5545
// §3.3.10 asks for given how DTSTART is written: a DATE for a DATE start,
// else a UTC time. A floating UNTIL is read in the start's zone, and a
// DATE UNTIL on a timed series means the end of that day.
func (r *renderer) rrule(value string, start dtValue) string {
	parts := strings.Split(strings.TrimSpace(value), ";")
	for i, part := range parts {
		k, v, ok := strings.Cut(part, "=")
		if !ok || !strings.EqualFold(k, "UNTIL") {
			continue
		}
		u, err := parseDT(v, "", "", nil, start.zone)
		if err != nil {
			continue
		}
		switch {
		case start.date:
			parts[i] = "UNTIL=" + u.at.In(r.lib).Format("20060102")
		case u.date:
			d := u.at
			end := recurrence.LocalTime(time.Date(d.Year(), d.Month(), d.Day(), 23, 59, 59, 0, time.UTC), start.zone)
			parts[i] = "UNTIL=" + end.UTC().Format(utcFormat)
		default:
			parts[i] = "UNTIL=" + u.at.UTC().Format(utcFormat)
		}
	}
	return strings.Join(parts, ";")
}

// seriesZone is the zone a session's recurrence is written in. Its rules
// are evaluated on the wall clock of DTSTART's zone, so that zone must
// stay: the library's zone when DTSTART is in it or in one with the same
// rules (or floating, or a date), UTC for a UTC start; a series in a zone
// with other rules keeps its own zone, and the feed carries its VTIMEZONE
// too. A single event is an instant and is always written in the
// library's zone.
func (r *renderer) seriesZone(s *session) *time.Location {
	if s.master == nil || !s.recurring {
		return r.lib
	}
	p := s.master.Props.Get(ical.PropDateTimeStart)
	if p == nil {
		return r.lib
	}
	v, err := s.propDT(p)
	if err != nil || v.date {
		return r.lib
	}
	if v.zone == time.UTC {
		return time.UTC
	}
	if sameRules(v.zone, r.lib, v.at.AddDate(-1, 0, 0), v.at.AddDate(10, 0, 0)) {
		return r.lib
	}
	return v.zone
}

var (
	durationRE = regexp.MustCompile(`^[+-]?P[0-9WDTHMS]+$`)
	geoRE      = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?;-?[0-9]+(\.[0-9]+)?$`)
)

// webURL accepts an http or https URL.
func webURL(s string) (string, bool) {
	s = strings.TrimSpace(s)
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", false
	}
	return u.String(), true
}

// eventProps writes one component of a session: only what a public
// listing needs. ORGANIZER, ATTENDEE, CONTACT, COMMENT, ATTACH, alarms and
// unknown X- properties are left out, whatever the coordinator's app put
// there: a feed must carry no personal data.
func (r *renderer) eventProps(s *session, c *ical.Component, zone *time.Location) []prop {
	ps := []prop{
		{name: "DTSTAMP", value: s.modified.UTC().Format(utcFormat)},
		{name: "LAST-MODIFIED", value: s.modified.UTC().Format(utcFormat)},
		{name: "SEQUENCE", value: fmt.Sprint(s.seq)},
	}
	var start dtValue
	if p := c.Props.Get(ical.PropRecurrenceID); p != nil {
		if v, err := s.propDT(p); err == nil {
			ps = append(ps, r.dateProp("RECURRENCE-ID", v, zone))
		}
	}
	isMaster := c == s.master
	startZone := r.lib
	if isMaster {
		startZone = zone
	}
	if p := c.Props.Get(ical.PropDateTimeStart); p != nil {
		if v, err := s.propDT(p); err == nil {
			start = v
			ps = append(ps, r.dateProp("DTSTART", v, startZone))
		}
	} else if p := c.Props.Get(ical.PropRecurrenceID); p != nil {
		// An override without DTSTART keeps its original start.
		if v, err := s.propDT(p); err == nil {
			start = v
			ps = append(ps, r.dateProp("DTSTART", v, startZone))
		}
	}
	if p := c.Props.Get(ical.PropDateTimeEnd); p != nil {
		if v, err := s.propDT(p); err == nil {
			ps = append(ps, r.dateProp("DTEND", v, startZone))
		}
	} else if p := c.Props.Get(ical.PropDuration); p != nil && durationRE.MatchString(strings.ToUpper(strings.TrimSpace(p.Value))) {
		ps = append(ps, prop{name: "DURATION", value: strings.ToUpper(strings.TrimSpace(p.Value)), valueType: "DURATION"})
	}
	if isMaster && s.recurring && !start.at.IsZero() {
		for _, p := range c.Props.Values(ical.PropRecurrenceRule) {
			ps = append(ps, prop{name: "RRULE", value: r.rrule(p.Value, start), valueType: "RECUR"})
		}
		ps = append(ps, r.dateListProps(ical.PropRecurrenceDates, s, c, zone)...)
	}
	if isMaster {
		ps = append(ps, r.dateListProps(ical.PropExceptionDates, s, c, zone)...)
	}

	themes, _ := r.ix.split(s.compTags[c])
	if len(themes) == 0 {
		themes, _ = s.themes(r.ix)
	}
	ps = append(ps, prop{name: "SUMMARY", value: title(c, r.ix, themes, r.lang), text: true})
	if d := r.ix.cleanText(text(c, ical.PropDescription)); d != "" {
		ps = append(ps, prop{name: "DESCRIPTION", value: d, text: true})
	}
	if p := c.Props.Get(ical.PropLocation); p != nil {
		if loc := strings.TrimSpace(cleanControl(recurrence.UnescapeText(p.Value))); loc != "" {
			lp := prop{name: "LOCATION", value: loc, text: true}
			if alt, ok := webURL(decodeParam(p.Params.Get(ical.ParamAltRep))); ok {
				lp.params = append(lp.params, param{"ALTREP", alt})
			}
			if lang := p.Params.Get(ical.ParamLanguage); plainParamRE.MatchString(lang) {
				lp.params = append(lp.params, param{"LANGUAGE", lang})
			}
			ps = append(ps, lp)
		}
	}
	if p := c.Props.Get(ical.PropGeo); p != nil && geoRE.MatchString(strings.TrimSpace(p.Value)) {
		ps = append(ps, prop{name: "GEO", value: strings.TrimSpace(p.Value), valueType: "FLOAT"})
	}
	if p := c.Props.Get("X-APPLE-STRUCTURED-LOCATION"); p != nil && strings.HasPrefix(strings.TrimSpace(p.Value), "geo:") {
		// Apple Calendar's map pin for the place: a geo: URI, with the
		// place's name and address (public, like LOCATION) as parameters.
		sp := prop{name: "X-APPLE-STRUCTURED-LOCATION", value: strings.TrimSpace(p.Value), valueType: "URI"}
		sp.params = append(sp.params, param{"VALUE", "URI"})
		for _, name := range []string{"X-ADDRESS", "X-APPLE-RADIUS", "X-APPLE-REFERENCEFRAME", "X-TITLE"} {
			if v := decodeParam(p.Params.Get(name)); v != "" {
				sp.params = append(sp.params, param{name, v})
			}
		}
		ps = append(ps, sp)
	}
	if p := c.Props.Get(ical.PropURL); p != nil {
		if u, ok := webURL(p.Value); ok {
			ps = append(ps, prop{name: "URL", value: u, params: []param{{"VALUE", "URI"}}, valueType: "URI"})
		}
	}
	ps = append(ps, r.categories(themes)...)
	switch st := strings.ToUpper(strings.TrimSpace(text(c, ical.PropStatus))); st {
	case "TENTATIVE", "CONFIRMED", "CANCELLED":
		ps = append(ps, prop{name: "STATUS", value: st})
	}
	// A drop-in session is optional: it should not make a subscriber look
	// busy.
	ps = append(ps, prop{name: "TRANSP", value: "TRANSPARENT"})
	return ps
}

// tombstoneProps writes a removed session as a cancelled event.
func (r *renderer) tombstoneProps(t booking.DropInTombstone, feedThemes []string) []prop {
	ps := []prop{
		{name: "DTSTAMP", value: t.DeletedAt.UTC().Format(utcFormat)},
		{name: "LAST-MODIFIED", value: t.DeletedAt.UTC().Format(utcFormat)},
		{name: "SEQUENCE", value: fmt.Sprint(t.Seq)},
	}
	start := dtValue{at: t.Start, date: t.AllDay}
	end := dtValue{at: t.End, date: t.AllDay}
	if t.AllDay {
		start.at, end.at = t.Start.In(r.lib), t.End.In(r.lib)
	}
	ps = append(ps, r.dateProp("DTSTART", start, r.lib))
	if t.End.After(t.Start) {
		ps = append(ps, r.dateProp("DTEND", end, r.lib))
	}
	summary := r.ix.cleanText(cleanControl(t.Summary))
	if summary == "" {
		summary = i18n.T(r.lang, "feed.untitled")
	}
	ps = append(ps, prop{name: "SUMMARY", value: summary, text: true})
	ps = append(ps, r.categories(feedThemes)...)
	ps = append(ps, prop{name: "STATUS", value: "CANCELLED"}, prop{name: "TRANSP", value: "TRANSPARENT"})
	return ps
}

// categories names the themes, one CATEGORIES property each. A comma in
// a name is escaped as TEXT wants, yet python-icalendar 4 (Debian 12) and
// others split CATEGORIES at every comma, escaped or not, so commas are
// written as dashes: one theme stays one category everywhere.
func (r *renderer) categories(themes []string) []prop {
	var out []prop
	for _, slug := range themes {
		name := strings.ReplaceAll(r.ix.bySlug[slug].Name(r.lang), ", ", " – ")
		name = strings.ReplaceAll(name, ",", " ")
		out = append(out, prop{name: "CATEGORIES", value: name, text: true})
	}
	return out
}

// event builds a VEVENT with the properties in order.
func event(uid string, ps []prop) *ics.VEvent {
	ev := ics.NewEvent(uid)
	for _, p := range ps {
		ev.Properties = append(ev.Properties, p.iana())
	}
	return ev
}

// vtimezones builds one VTIMEZONE per zone written as TZID.
func (r *renderer) vtimezones() []ics.Component {
	names := make([]string, 0, len(r.zones))
	for name := range r.zones {
		names = append(names, name)
	}
	sort.Strings(names)
	var out []ics.Component
	for _, name := range names {
		u := r.zones[name]
		tz := ics.NewTimezone(name)
		for _, ob := range observances(u.loc, u.first, u.last) {
			cb := ics.ComponentBase{}
			add := func(p prop) { cb.Properties = append(cb.Properties, p.iana()) }
			add(prop{name: "DTSTART", value: ob.start.Format("20060102T150405")})
			if ob.rrule != "" {
				add(prop{name: "RRULE", value: ob.rrule})
			}
			add(prop{name: "TZOFFSETFROM", value: utcOffset(ob.offsetFrom)})
			add(prop{name: "TZOFFSETTO", value: utcOffset(ob.offsetTo)})
			if ob.name != "" {
				add(prop{name: "TZNAME", value: ob.name, text: true})
			}
			if ob.daylight {
				tz.Components = append(tz.Components, &ics.Daylight{ComponentBase: cb})
			} else {
				tz.Components = append(tz.Components, &ics.Standard{ComponentBase: cb})
			}
		}
		out = append(out, tz)
	}
	return out
}

// calendarHead is what a file says about itself.
type calendarHead struct {
	name, description string
	source            string // the feed's own URL, or ""
	feed              bool   // a subscription feed, rather than a download
}

// serialize writes the calendar with CRLF line ends and folding at 75
// octets (RFC 5545 §3.1), which golang-ical does between characters.
func (r *renderer) serialize(head calendarHead, events []ics.Component) ([]byte, error) {
	cal := ics.NewCalendar()
	cal.CalendarProperties = nil
	add := func(p prop) {
		cal.CalendarProperties = append(cal.CalendarProperties, ics.CalendarProperty{BaseProperty: p.iana().BaseProperty})
	}
	add(prop{name: "VERSION", value: "2.0"})
	add(prop{name: "PRODID", value: productID})
	add(prop{name: "CALSCALE", value: "GREGORIAN"})
	if !head.feed {
		add(prop{name: "METHOD", value: "PUBLISH"})
	}
	if head.name != "" {
		add(prop{name: "NAME", value: head.name, text: true})
		add(prop{name: "X-WR-CALNAME", value: head.name, text: true})
	}
	if head.description != "" {
		add(prop{name: "DESCRIPTION", value: head.description, text: true})
		add(prop{name: "X-WR-CALDESC", value: head.description, text: true})
	}
	add(prop{name: "X-WR-TIMEZONE", value: r.lib.String(), text: true})
	if head.feed {
		// RFC 7986 §5.7 and its older Microsoft twin: poll hourly.
		add(prop{name: "REFRESH-INTERVAL", value: "PT1H", params: []param{{"VALUE", "DURATION"}}, valueType: "DURATION"})
		add(prop{name: "X-PUBLISHED-TTL", value: "PT1H", text: true})
		if head.source != "" {
			add(prop{name: "SOURCE", value: head.source, params: []param{{"VALUE", "URI"}}, valueType: "URI"})
		}
	}
	cal.Components = append(r.vtimezones(), events...)
	var buf bytes.Buffer
	if err := cal.SerializeTo(&buf, &serialConfig); err != nil {
		return nil, fmt.Errorf("feeds: serialize: %w", err)
	}
	return buf.Bytes(), nil
}
