package calquery

import (
	"encoding/xml"
	"fmt"
	"io"
	"mime"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-ical"
)

// utcLayout is "date with UTC time" (RFC 5545 §3.3.5 form #2), the only form
// RFC 4791 §9.9 allows in time-range and §9.6.5–§9.6.7 attributes.
const utcLayout = "20060102T150405Z"

// The request elements of RFC 4791 §9 (and the DAV ones a REPORT body
// shares with PROPFIND), read with encoding/xml into struct-tagged types as
// go-webdav's internal package reads DAV's. Elements that may appear once
// are slices all the same, so that a second one is refused rather than
// silently replacing the first; attributes are kept as a list, so that a
// missing one can be told from an empty one. Unknown elements are ignored
// (RFC 4918 §17) except unknown CalDAV ones inside a filter, which make it
// invalid (RFC 4791 §9.7).

// reportBody is the root of a calendar-query (§9.5), calendar-multiget
// (§9.10) or free-busy-query (§9.11) REPORT.
type reportBody struct {
	XMLName    xml.Name
	Prop       []propElem      `xml:"DAV: prop"`
	AllProp    []struct{}      `xml:"DAV: allprop"`
	PropName   []struct{}      `xml:"DAV: propname"`
	Include    []propElem      `xml:"DAV: include"`
	Timezone   []textElem      `xml:"urn:ietf:params:xml:ns:caldav timezone"`
	TimezoneID []textElem      `xml:"urn:ietf:params:xml:ns:caldav timezone-id"`
	Limit      []limitElem     `xml:"DAV: limit"`
	Filter     []filterElem    `xml:"urn:ietf:params:xml:ns:caldav filter"`     // calendar-query
	Hrefs      []textElem      `xml:"DAV: href"`                                // calendar-multiget
	TimeRange  []timeRangeElem `xml:"urn:ietf:params:xml:ns:caldav time-range"` // free-busy-query
}

// propElem is a DAV:prop or DAV:include: the properties asked for, in
// request order.
type propElem struct {
	Props []propChild `xml:",any"`
}

// propChild is one property asked for. For CALDAV:calendar-data the
// attributes and children of the request form (§9.6) are read too.
type propChild struct {
	XMLName            xml.Name
	Attrs              attrs           `xml:",any,attr"`
	Comp               []compElem      `xml:"urn:ietf:params:xml:ns:caldav comp"`
	Expand             []timeRangeElem `xml:"urn:ietf:params:xml:ns:caldav expand"`
	LimitRecurrenceSet []timeRangeElem `xml:"urn:ietf:params:xml:ns:caldav limit-recurrence-set"`
	LimitFreeBusySet   []timeRangeElem `xml:"urn:ietf:params:xml:ns:caldav limit-freebusy-set"`
}

// compElem is CALDAV:comp inside calendar-data (§9.6.1).
type compElem struct {
	Attrs   attrs      `xml:",any,attr"`
	AllProp []struct{} `xml:"urn:ietf:params:xml:ns:caldav allprop"`
	Props   []attrElem `xml:"urn:ietf:params:xml:ns:caldav prop"`
	AllComp []struct{} `xml:"urn:ietf:params:xml:ns:caldav allcomp"`
	Comps   []compElem `xml:"urn:ietf:params:xml:ns:caldav comp"`
}

// attrElem is an element whose attributes are all it says (CALDAV:prop
// inside comp, §9.6.4).
type attrElem struct {
	Attrs attrs `xml:",any,attr"`
}

// timeRangeElem is CALDAV:time-range (§9.9) or expand,
// limit-recurrence-set, limit-freebusy-set (§9.6.5–§9.6.7).
type timeRangeElem struct {
	XMLName xml.Name
	Attrs   attrs `xml:",any,attr"`
}

// textElem is an element read for its text.
type textElem struct {
	Text string `xml:",chardata"`
}

// limitElem is DAV:limit (RFC 5323 §5.17).
type limitElem struct {
	NResults []textElem `xml:"DAV: nresults"`
}

// filterElem is CALDAV:filter (§9.7).
type filterElem struct {
	CompFilters []compFilterElem `xml:"urn:ietf:params:xml:ns:caldav comp-filter"`
	Other       []anyElem        `xml:",any"`
}

// compFilterElem is CALDAV:comp-filter (§9.7.1).
type compFilterElem struct {
	Attrs        attrs            `xml:",any,attr"`
	IsNotDefined []struct{}       `xml:"urn:ietf:params:xml:ns:caldav is-not-defined"`
	TimeRange    []timeRangeElem  `xml:"urn:ietf:params:xml:ns:caldav time-range"`
	PropFilters  []propFilterElem `xml:"urn:ietf:params:xml:ns:caldav prop-filter"`
	CompFilters  []compFilterElem `xml:"urn:ietf:params:xml:ns:caldav comp-filter"`
	Other        []anyElem        `xml:",any"`
}

// propFilterElem is CALDAV:prop-filter (§9.7.2).
type propFilterElem struct {
	Attrs        attrs             `xml:",any,attr"`
	IsNotDefined []struct{}        `xml:"urn:ietf:params:xml:ns:caldav is-not-defined"`
	TimeRange    []timeRangeElem   `xml:"urn:ietf:params:xml:ns:caldav time-range"`
	TextMatch    []textMatchElem   `xml:"urn:ietf:params:xml:ns:caldav text-match"`
	ParamFilters []paramFilterElem `xml:"urn:ietf:params:xml:ns:caldav param-filter"`
	Other        []anyElem         `xml:",any"`
}

// paramFilterElem is CALDAV:param-filter (§9.7.3).
type paramFilterElem struct {
	Attrs        attrs           `xml:",any,attr"`
	IsNotDefined []struct{}      `xml:"urn:ietf:params:xml:ns:caldav is-not-defined"`
	TextMatch    []textMatchElem `xml:"urn:ietf:params:xml:ns:caldav text-match"`
	Other        []anyElem       `xml:",any"`
}

// textMatchElem is CALDAV:text-match (§9.7.5).
type textMatchElem struct {
	Attrs attrs  `xml:",any,attr"`
	Text  string `xml:",chardata"`
}

// unexpectedCalDAV returns the first CalDAV element among others, for the
// filter elements in which only known CalDAV elements may appear.
func unexpectedCalDAV(others []anyElem) (anyElem, bool) {
	for _, o := range others {
		if o.XMLName.Space == NamespaceCalDAV {
			return o, true
		}
	}
	return anyElem{}, false
}

// ParseCalendarQuery parses a CALDAV:calendar-query REPORT body (RFC 4791
// §7.8, §9.5). Every error wraps ErrBadRequest; see the sentinels for the
// narrower ones.
func ParseCalendarQuery(r io.Reader) (*Query, error) {
	body, err := decodeReport(r, "calendar-query")
	if err != nil {
		return nil, err
	}
	q := &Query{}
	if err := parseReportCommon(body, q); err != nil {
		return nil, err
	}
	switch len(body.Filter) {
	case 0:
		// RFC 4791 §9.5: the filter is required.
		return nil, invalidFilter("missing filter")
	case 1:
	default:
		return nil, invalidFilter("more than one filter")
	}
	if q.Filter, err = parseFilter(body.Filter[0]); err != nil {
		return nil, err
	}
	if q.Timezone != nil && q.TimezoneID != "" {
		// RFC 7809 §5.2: not both.
		return nil, badRequest(nil, "both timezone and timezone-id")
	}
	return q, nil
}

// decodeReport reads a REPORT body whose root must be the CalDAV element
// rootName.
func decodeReport(r io.Reader, rootName string) (*reportBody, error) {
	var body reportBody
	if err := DecodeXML(r, &body); err != nil {
		return nil, err
	}
	if body.XMLName.Space != NamespaceCalDAV || body.XMLName.Local != rootName {
		return nil, badRequest(nil, "root element is {%s}%s, want %s", body.XMLName.Space, body.XMLName.Local, rootName)
	}
	return &body, nil
}

// parseReportCommon reads the parts calendar-query and calendar-multiget
// share: the properties asked for, the time zone and the result limit.
func parseReportCommon(body *reportBody, q *Query) error {
	if len(body.Prop)+len(body.AllProp)+len(body.PropName) > 1 {
		return badRequest(nil, "more than one of prop, allprop and propname")
	}
	q.AllProp = len(body.AllProp) > 0
	q.PropName = len(body.PropName) > 0
	var err error
	for _, prop := range body.Prop {
		for _, p := range prop.Props {
			q.Props = append(q.Props, p.XMLName)
			if p.XMLName == CalendarDataName {
				if q.CalendarData != nil {
					return badRequest(nil, "calendar-data requested twice")
				}
				if q.CalendarData, err = parseCalendarData(p); err != nil {
					return err
				}
			}
		}
	}
	// RFC 4918 §14.8: extra properties next to DAV:allprop.
	for _, inc := range body.Include {
		for _, p := range inc.Props {
			q.Props = append(q.Props, p.XMLName)
		}
	}
	for _, tz := range body.Timezone {
		if q.Timezone, err = parseTimezone(tz.Text); err != nil {
			return err
		}
	}
	for _, id := range body.TimezoneID {
		q.TimezoneID = strings.TrimSpace(id.Text)
		if q.TimezoneID == "" {
			return badRequest(nil, "empty timezone-id")
		}
	}
	for _, l := range body.Limit {
		if q.Limit, err = parseLimit(l); err != nil {
			return err
		}
	}
	return nil
}

// Multiget is a CALDAV:calendar-multiget REPORT body (RFC 4791 §7.9): the
// properties asked for, as in a calendar-query without a filter, and the
// hrefs of the objects.
type Multiget struct {
	Query
	Hrefs []string
}

// ParseMultiget parses a calendar-multiget body. At least one href is
// required (RFC 4791 §9.10).
func ParseMultiget(r io.Reader) (*Multiget, error) {
	body, err := decodeReport(r, "calendar-multiget")
	if err != nil {
		return nil, err
	}
	m := &Multiget{}
	if err := parseReportCommon(body, &m.Query); err != nil {
		return nil, err
	}
	for _, h := range body.Hrefs {
		href := strings.TrimSpace(h.Text)
		if href == "" {
			return nil, badRequest(nil, "empty href")
		}
		m.Hrefs = append(m.Hrefs, href)
	}
	if len(m.Hrefs) == 0 {
		return nil, badRequest(nil, "calendar-multiget without href")
	}
	return m, nil
}

// ParseFreeBusyQuery parses a CALDAV:free-busy-query REPORT body (RFC 4791
// §7.10, §9.11): exactly one time-range. An open end is returned as a zero
// time; the handler may bound it.
func ParseFreeBusyQuery(r io.Reader) (start, end time.Time, err error) {
	body, err := decodeReport(r, "free-busy-query")
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	switch len(body.TimeRange) {
	case 0:
		return time.Time{}, time.Time{}, badRequest(nil, "free-busy-query without time-range")
	case 1:
	default:
		return time.Time{}, time.Time{}, badRequest(nil, "more than one time-range")
	}
	tr, err := parseTimeRange(body.TimeRange[0], false, nil)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	return tr.Start, tr.End, nil
}

func parseLimit(l limitElem) (int, error) {
	if len(l.NResults) == 0 {
		return 0, badRequest(nil, "limit without nresults")
	}
	text := l.NResults[0].Text
	v, err := strconv.Atoi(strings.TrimSpace(text))
	if err != nil || v <= 0 {
		return 0, badRequest(nil, "nresults %q is not a positive integer", text)
	}
	return v, nil
}

// parseTimezone reads CALDAV:timezone: an iCalendar object with exactly one
// VTIMEZONE (RFC 4791 §9.8).
func parseTimezone(text string) (*ical.Calendar, error) {
	cal, err := decodeCalendar(strings.NewReader(strings.TrimSpace(text) + "\r\n"))
	if err != nil {
		return nil, badRequest(ErrInvalidCalendarData, "timezone: %v", err)
	}
	var n int
	for _, c := range cal.Children {
		if c.Name == ical.CompTimezone {
			n++
			if c.Props.Get(ical.PropTimezoneID) == nil {
				return nil, badRequest(ErrInvalidCalendarData, "timezone: VTIMEZONE without TZID")
			}
		}
	}
	if n != 1 {
		return nil, badRequest(ErrInvalidCalendarData, "timezone: %d VTIMEZONE components, want 1", n)
	}
	return cal, nil
}

// decodeCalendar decodes iCalendar text, turning a panic of the decoder on
// malformed input into an error.
func decodeCalendar(r io.Reader) (cal *ical.Calendar, err error) {
	defer func() {
		if p := recover(); p != nil {
			cal, err = nil, fmt.Errorf("malformed iCalendar: %v", p)
		}
	}()
	return ical.NewDecoder(r).Decode()
}

// parseUTC parses a time-range attribute value.
func parseUTC(s string) (time.Time, error) {
	t, err := time.Parse(utcLayout, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a UTC date-time (YYYYMMDDTHHMMSSZ)", s)
	}
	return t, nil
}

// parseTimeRange reads start and end attributes. RFC 4791 §9.9 lets a
// filter's time-range leave out either (not both); §9.6.5–§9.6.7 require
// both. kind is the sentinel for a bad value.
func parseTimeRange(n timeRangeElem, needBoth bool, kind error) (*TimeRange, error) {
	var tr TimeRange
	name := n.XMLName.Local
	s, hasStart := n.Attrs.get("start")
	e, hasEnd := n.Attrs.get("end")
	if !hasStart && !hasEnd {
		return nil, badRequest(kind, "%s without start and end", name)
	}
	if needBoth && (!hasStart || !hasEnd) {
		return nil, badRequest(kind, "%s needs both start and end", name)
	}
	var err error
	if hasStart {
		if tr.Start, err = parseUTC(s); err != nil {
			return nil, badRequest(kind, "%s start: %v", name, err)
		}
	}
	if hasEnd {
		if tr.End, err = parseUTC(e); err != nil {
			return nil, badRequest(kind, "%s end: %v", name, err)
		}
	}
	if hasStart && hasEnd && !tr.End.After(tr.Start) {
		return nil, badRequest(kind, "%s end %s is not after start %s", name, e, s)
	}
	return &tr, nil
}

// parseCalendarData reads the request form of CALDAV:calendar-data (RFC 4791
// §9.6): (comp?, (expand | limit-recurrence-set)?, limit-freebusy-set?).
func parseCalendarData(n propChild) (*CalendarDataRequest, error) {
	req := &CalendarDataRequest{ContentType: ical.MIMEType, Version: "2.0"}
	if ct, ok := n.Attrs.get("content-type"); ok {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != ical.MIMEType {
			return nil, badRequest(ErrUnsupportedCalendarData, "calendar-data content-type %q", ct)
		}
	}
	if v, ok := n.Attrs.get("version"); ok {
		if strings.TrimSpace(v) != "2.0" {
			return nil, badRequest(ErrUnsupportedCalendarData, "calendar-data version %q", v)
		}
	}
	switch len(n.Comp) {
	case 0:
	case 1:
		comp, err := parseCompRequest(n.Comp[0])
		if err != nil {
			return nil, err
		}
		if comp.Name != ical.CompCalendar {
			return nil, badRequest(nil, "calendar-data comp %q, want VCALENDAR", comp.Name)
		}
		req.Comp = &comp
	default:
		return nil, badRequest(nil, "calendar-data with more than one comp")
	}
	if len(n.Expand)+len(n.LimitRecurrenceSet) > 1 {
		return nil, badRequest(nil, "more than one of expand and limit-recurrence-set")
	}
	if len(n.LimitFreeBusySet) > 1 {
		return nil, badRequest(nil, "more than one limit-freebusy-set")
	}
	var err error
	for _, tr := range n.Expand {
		if req.Expand, err = parseTimeRange(tr, true, nil); err != nil {
			return nil, err
		}
	}
	for _, tr := range n.LimitRecurrenceSet {
		if req.LimitRecurrenceSet, err = parseTimeRange(tr, true, nil); err != nil {
			return nil, err
		}
	}
	for _, tr := range n.LimitFreeBusySet {
		if req.LimitFreeBusySet, err = parseTimeRange(tr, true, nil); err != nil {
			return nil, err
		}
	}
	return req, nil
}

// parseCompRequest reads CALDAV:comp (RFC 4791 §9.6.1):
// ((allprop | prop*), (allcomp | comp*)).
func parseCompRequest(n compElem) (CompRequest, error) {
	var cr CompRequest
	name, err := compName("comp", n.Attrs, nil)
	if err != nil {
		return cr, err
	}
	cr.Name = name
	for _, p := range n.Props {
		pname, err := compName("prop", p.Attrs, nil)
		if err != nil {
			return cr, err
		}
		pr := PropRequest{Name: pname}
		if v, ok := p.Attrs.get("novalue"); ok {
			if pr.NoValue, err = yesNo(v); err != nil {
				return cr, badRequest(nil, "prop %s novalue: %v", pname, err)
			}
		}
		cr.Props = append(cr.Props, pr)
	}
	for _, c := range n.Comps {
		sub, err := parseCompRequest(c)
		if err != nil {
			return cr, err
		}
		cr.Comps = append(cr.Comps, sub)
	}
	allprop, allcomp := len(n.AllProp) > 0, len(n.AllComp) > 0
	if allprop && len(cr.Props) > 0 {
		return cr, badRequest(nil, "comp %s has both allprop and prop", name)
	}
	if allcomp && len(cr.Comps) > 0 {
		return cr, badRequest(nil, "comp %s has both allcomp and comp", name)
	}
	cr.AllProps = allprop || len(cr.Props) == 0
	cr.AllComps = allcomp || len(cr.Comps) == 0
	return cr, nil
}

func yesNo(v string) (bool, error) {
	switch strings.TrimSpace(v) {
	case "yes":
		return true, nil
	case "no":
		return false, nil
	}
	return false, fmt.Errorf("%q is neither yes nor no", v)
}

// compName reads the name attribute of comp, prop, comp-filter, prop-filter
// and param-filter elements, upper-cased: iCalendar names are
// case-insensitive (RFC 5545 §2). elem names the element for the message.
func compName(elem string, as attrs, kind error) (string, error) {
	v, ok := as.get("name")
	v = strings.ToUpper(strings.TrimSpace(v))
	if !ok || v == "" {
		return "", badRequest(kind, "%s without name", elem)
	}
	return v, nil
}

// parseFilter reads CALDAV:filter (RFC 4791 §9.7): exactly one comp-filter,
// named VCALENDAR.
func parseFilter(n filterElem) (*CompFilter, error) {
	if o, ok := unexpectedCalDAV(n.Other); ok {
		return nil, invalidFilter("unexpected %s in filter", o)
	}
	switch len(n.CompFilters) {
	case 0:
		return nil, invalidFilter("filter without comp-filter")
	case 1:
	default:
		return nil, invalidFilter("filter with more than one comp-filter")
	}
	f, err := parseCompFilter(n.CompFilters[0], "")
	if err != nil {
		return nil, err
	}
	if f.Name != ical.CompCalendar {
		return nil, invalidFilter("top comp-filter is %q, want VCALENDAR", f.Name)
	}
	if f.TimeRange != nil {
		return nil, invalidFilter("time-range on VCALENDAR")
	}
	return &f, nil
}

// allowedChildren says which components may nest in which (RFC 5545 §3.4,
// §3.6; RFC 7953 for availability). A known component inside a known
// parent that does not allow it makes the filter invalid (RFC 4791 §7.8,
// CALDAV:valid-filter); X- and unknown names are let through.
var allowedChildren = map[string]map[string]bool{
	"": {ical.CompCalendar: true},
	ical.CompCalendar: {
		ical.CompEvent: true, ical.CompToDo: true, ical.CompJournal: true,
		ical.CompFreeBusy: true, ical.CompTimezone: true, "VAVAILABILITY": true,
	},
	ical.CompEvent:    {ical.CompAlarm: true},
	ical.CompToDo:     {ical.CompAlarm: true},
	ical.CompJournal:  {},
	ical.CompFreeBusy: {},
	ical.CompTimezone: {ical.CompTimezoneStandard: true, ical.CompTimezoneDaylight: true},
	ical.CompAlarm:    {},
	"VAVAILABILITY":   {"AVAILABLE": true},
}

func knownComponent(name string) bool {
	_, ok := allowedChildren[name]
	return ok || name == ical.CompTimezoneStandard || name == ical.CompTimezoneDaylight || name == "AVAILABLE"
}

// timeRangeComponents may carry a time-range (RFC 4791 §9.9).
var timeRangeComponents = map[string]bool{
	ical.CompEvent: true, ical.CompToDo: true, ical.CompJournal: true,
	ical.CompFreeBusy: true, ical.CompAlarm: true,
}

// parseCompFilter reads CALDAV:comp-filter (RFC 4791 §9.7.1):
// (is-not-defined | (time-range?, prop-filter*, comp-filter*)).
func parseCompFilter(n compFilterElem, parent string) (CompFilter, error) {
	var f CompFilter
	name, err := compName("comp-filter", n.Attrs, ErrInvalidFilter)
	if err != nil {
		return f, err
	}
	f.Name = name
	if allowed, ok := allowedChildren[parent]; ok && !allowed[name] && (knownComponent(name) || parent == "") {
		if parent == "" {
			parent = "filter"
		}
		return f, invalidFilter("comp-filter %s cannot be inside %s", name, parent)
	}
	if o, ok := unexpectedCalDAV(n.Other); ok {
		return f, invalidFilter("unexpected %s in comp-filter %s", o, name)
	}
	f.IsNotDefined = len(n.IsNotDefined) > 0
	if f.IsNotDefined && len(n.TimeRange)+len(n.PropFilters)+len(n.CompFilters) > 0 {
		return f, invalidFilter("comp-filter %s: is-not-defined with other conditions", name)
	}
	switch len(n.TimeRange) {
	case 0:
	case 1:
		if !timeRangeComponents[name] {
			return f, invalidFilter("time-range on %s", name)
		}
		if f.TimeRange, err = parseTimeRange(n.TimeRange[0], false, ErrInvalidFilter); err != nil {
			return f, err
		}
	default:
		return f, invalidFilter("comp-filter %s with more than one time-range", name)
	}
	for _, c := range n.PropFilters {
		pf, err := parsePropFilter(c)
		if err != nil {
			return f, err
		}
		f.PropFilters = append(f.PropFilters, pf)
	}
	for _, c := range n.CompFilters {
		cf, err := parseCompFilter(c, name)
		if err != nil {
			return f, err
		}
		f.CompFilters = append(f.CompFilters, cf)
	}
	return f, nil
}

// nonDateProps are properties RFC 5545 defines with a value type other than
// DATE or DATE-TIME: a time-range on them cannot match anything, so it is an
// invalid filter (RFC 4791 §7.8, CALDAV:valid-filter). Unknown and X-
// properties are let through.
var nonDateProps = map[string]bool{
	"CALSCALE": true, "METHOD": true, "PRODID": true, "VERSION": true,
	"ATTACH": true, "CATEGORIES": true, "CLASS": true, "COMMENT": true,
	"DESCRIPTION": true, "GEO": true, "LOCATION": true, "PERCENT-COMPLETE": true,
	"PRIORITY": true, "RESOURCES": true, "STATUS": true, "SUMMARY": true,
	"DURATION": true, "FREEBUSY": true, "TRANSP": true, "TZID": true,
	"TZNAME": true, "TZOFFSETFROM": true, "TZOFFSETTO": true, "TZURL": true,
	"ATTENDEE": true, "CONTACT": true, "ORGANIZER": true, "RELATED-TO": true,
	"URL": true, "UID": true, "RRULE": true, "ACTION": true, "REPEAT": true,
	"SEQUENCE": true, "REQUEST-STATUS": true, "COLOR": true, "NAME": true,
}

// parsePropFilter reads CALDAV:prop-filter (RFC 4791 §9.7.2):
// (is-not-defined | ((time-range | text-match)?, param-filter*)).
func parsePropFilter(n propFilterElem) (PropFilter, error) {
	var f PropFilter
	name, err := compName("prop-filter", n.Attrs, ErrInvalidFilter)
	if err != nil {
		return f, err
	}
	f.Name = name
	if o, ok := unexpectedCalDAV(n.Other); ok {
		return f, invalidFilter("unexpected %s in prop-filter %s", o, name)
	}
	f.IsNotDefined = len(n.IsNotDefined) > 0
	if f.IsNotDefined && len(n.TimeRange)+len(n.TextMatch)+len(n.ParamFilters) > 0 {
		return f, invalidFilter("prop-filter %s: is-not-defined with other conditions", name)
	}
	if len(n.TimeRange)+len(n.TextMatch) > 1 {
		return f, invalidFilter("prop-filter %s with more than one time-range or text-match", name)
	}
	for _, tr := range n.TimeRange {
		if nonDateProps[name] {
			return f, invalidFilter("time-range on property %s", name)
		}
		if f.TimeRange, err = parseTimeRange(tr, false, ErrInvalidFilter); err != nil {
			return f, err
		}
	}
	for _, tm := range n.TextMatch {
		if f.TextMatch, err = parseTextMatch(tm); err != nil {
			return f, err
		}
	}
	for _, c := range n.ParamFilters {
		pf, err := parseParamFilter(c)
		if err != nil {
			return f, err
		}
		f.ParamFilters = append(f.ParamFilters, pf)
	}
	return f, nil
}

// parseParamFilter reads CALDAV:param-filter (RFC 4791 §9.7.3):
// (is-not-defined | text-match)?.
func parseParamFilter(n paramFilterElem) (ParamFilter, error) {
	var f ParamFilter
	name, err := compName("param-filter", n.Attrs, ErrInvalidFilter)
	if err != nil {
		return f, err
	}
	f.Name = name
	if o, ok := unexpectedCalDAV(n.Other); ok {
		return f, invalidFilter("unexpected %s in param-filter %s", o, name)
	}
	f.IsNotDefined = len(n.IsNotDefined) > 0
	switch {
	case len(n.TextMatch) > 1:
		return f, invalidFilter("param-filter %s with more than one text-match", name)
	case f.IsNotDefined && len(n.TextMatch) > 0:
		return f, invalidFilter("param-filter %s: is-not-defined with text-match", name)
	case len(n.TextMatch) == 1:
		if f.TextMatch, err = parseTextMatch(n.TextMatch[0]); err != nil {
			return f, err
		}
	}
	return f, nil
}

// parseTextMatch reads CALDAV:text-match (RFC 4791 §9.7.5). Surrounding
// white space is trimmed: pretty-printing clients indent it, and no client
// searches for leading or trailing blanks.
func parseTextMatch(n textMatchElem) (*TextMatch, error) {
	tm := &TextMatch{Text: strings.TrimSpace(n.Text), Collation: CollationASCIICasemap}
	if v, ok := n.Attrs.get("collation"); ok {
		switch v {
		case CollationASCIICasemap, CollationOctet, CollationUnicodeCasemap:
			tm.Collation = v
		default:
			// RFC 4791 §7.5.1: an unsupported collation fails the request
			// with CALDAV:supported-collation.
			return nil, badRequest(ErrUnsupportedCollation, "collation %q", v)
		}
	}
	if v, ok := n.Attrs.get("negate-condition"); ok {
		var err error
		if tm.Negate, err = yesNo(v); err != nil {
			return nil, invalidFilter("negate-condition: %v", err)
		}
	}
	return tm, nil
}
