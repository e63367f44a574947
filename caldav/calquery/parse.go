package calquery

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-ical"
)

// Limits on a request body; the handler also caps its size.
const (
	maxDepth    = 64
	maxElements = 10000
)

// utcLayout is "date with UTC time" (RFC 5545 §3.3.5 form #2), the only form
// RFC 4791 §9.9 allows in time-range and §9.6.5–§9.6.7 attributes.
const utcLayout = "20060102T150405Z"

// node is one element of a parsed request body.
type node struct {
	name     xml.Name
	attrs    []xml.Attr
	children []*node
	text     strings.Builder
}

func (n *node) is(space, local string) bool {
	return n.name.Space == space && n.name.Local == local
}

func (n *node) cal(local string) bool { return n.is(NamespaceCalDAV, local) }
func (n *node) dav(local string) bool { return n.is(NamespaceDAV, local) }

// attr returns the unqualified attribute name, and whether it is present.
func (n *node) attr(name string) (string, bool) {
	for _, a := range n.attrs {
		if a.Name.Space == "" && a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

func (n *node) String() string {
	return n.name.Local
}

// parseTree reads a whole XML document into a tree, bounded in depth and
// element count so that no request can exhaust the stack.
func parseTree(r io.Reader) (*node, error) {
	d := xml.NewDecoder(r)
	var (
		root  *node
		stack []*node
		count int
	)
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, badRequest(nil, "malformed XML: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			count++
			if count > maxElements {
				return nil, badRequest(nil, "too many XML elements")
			}
			if len(stack) >= maxDepth {
				return nil, badRequest(nil, "XML nested too deep")
			}
			n := &node{name: t.Name, attrs: append([]xml.Attr(nil), t.Attr...)}
			if len(stack) == 0 {
				if root != nil {
					return nil, badRequest(nil, "more than one root element")
				}
				root = n
			} else {
				top := stack[len(stack)-1]
				top.children = append(top.children, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text.Write(t)
			}
		}
	}
	if root == nil {
		return nil, badRequest(nil, "empty body")
	}
	if len(stack) != 0 {
		return nil, badRequest(nil, "malformed XML: unclosed element")
	}
	return root, nil
}

// ParseCalendarQuery parses a CALDAV:calendar-query REPORT body (RFC 4791
// §7.8, §9.5). Every error wraps ErrBadRequest; see the sentinels for the
// narrower ones.
func ParseCalendarQuery(r io.Reader) (*Query, error) {
	q := &Query{}
	err := parseReport(r, "calendar-query", q, func(c *node) (bool, error) {
		if !c.cal("filter") {
			return false, nil
		}
		if q.Filter != nil {
			return true, invalidFilter("more than one filter")
		}
		var err error
		q.Filter, err = parseFilter(c)
		return true, err
	})
	if err != nil {
		return nil, err
	}
	if q.Filter == nil {
		// RFC 4791 §9.5: the filter is required.
		return nil, invalidFilter("missing filter")
	}
	if q.Timezone != nil && q.TimezoneID != "" {
		// RFC 7809 §5.2: not both.
		return nil, badRequest(nil, "both timezone and timezone-id")
	}
	return q, nil
}

// parseReport parses a REPORT body whose root is the CalDAV element
// rootName: own handles the children only that report has (it reports
// whether it took the child), parseReportChild the ones all share.
func parseReport(r io.Reader, rootName string, q *Query, own func(c *node) (bool, error)) error {
	root, err := parseTree(r)
	if err != nil {
		return err
	}
	if !root.cal(rootName) {
		return badRequest(nil, "root element is {%s}%s, want %s", root.name.Space, root.name.Local, rootName)
	}
	var propElems int
	for _, c := range root.children {
		took, err := own(c)
		if err != nil {
			return err
		}
		if took {
			continue
		}
		if err := parseReportChild(c, q, &propElems); err != nil {
			return err
		}
	}
	if propElems > 1 {
		return badRequest(nil, "more than one of prop, allprop and propname")
	}
	return nil
}

// parseReportChild reads the parts calendar-query and calendar-multiget
// share: the properties asked for, the time zone and the result limit.
// Elements it does not know are ignored (RFC 4918 §17).
func parseReportChild(c *node, q *Query, propElems *int) error {
	var err error
	switch {
	case c.dav("prop"):
		*propElems++
		for _, p := range c.children {
			q.Props = append(q.Props, p.name)
			if p.name == CalendarDataName {
				if q.CalendarData != nil {
					return badRequest(nil, "calendar-data requested twice")
				}
				if q.CalendarData, err = parseCalendarData(p); err != nil {
					return err
				}
			}
		}
	case c.dav("allprop"):
		*propElems++
		q.AllProp = true
	case c.dav("propname"):
		*propElems++
		q.PropName = true
	case c.dav("include"):
		// RFC 4918 §14.8: extra properties next to DAV:allprop.
		for _, p := range c.children {
			q.Props = append(q.Props, p.name)
		}
	case c.cal("timezone"):
		if q.Timezone, err = parseTimezone(c.text.String()); err != nil {
			return err
		}
	case c.cal("timezone-id"):
		q.TimezoneID = strings.TrimSpace(c.text.String())
		if q.TimezoneID == "" {
			return badRequest(nil, "empty timezone-id")
		}
	case c.dav("limit"):
		if q.Limit, err = parseLimit(c); err != nil {
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
	m := &Multiget{}
	err := parseReport(r, "calendar-multiget", &m.Query, func(c *node) (bool, error) {
		if !c.dav("href") {
			return false, nil
		}
		href := strings.TrimSpace(c.text.String())
		if href == "" {
			return true, badRequest(nil, "empty href")
		}
		m.Hrefs = append(m.Hrefs, href)
		return true, nil
	})
	if err != nil {
		return nil, err
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
	root, err := parseTree(r)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	if !root.cal("free-busy-query") {
		return time.Time{}, time.Time{}, badRequest(nil, "root element is {%s}%s, want free-busy-query", root.name.Space, root.name.Local)
	}
	var tr *TimeRange
	for _, c := range root.children {
		if !c.cal("time-range") {
			continue
		}
		if tr != nil {
			return time.Time{}, time.Time{}, badRequest(nil, "more than one time-range")
		}
		if tr, err = parseTimeRange(c, false, nil); err != nil {
			return time.Time{}, time.Time{}, err
		}
	}
	if tr == nil {
		return time.Time{}, time.Time{}, badRequest(nil, "free-busy-query without time-range")
	}
	return tr.Start, tr.End, nil
}

func parseLimit(n *node) (int, error) {
	for _, c := range n.children {
		if !c.dav("nresults") {
			continue
		}
		v, err := strconv.Atoi(strings.TrimSpace(c.text.String()))
		if err != nil || v <= 0 {
			return 0, badRequest(nil, "nresults %q is not a positive integer", c.text.String())
		}
		return v, nil
	}
	return 0, badRequest(nil, "limit without nresults")
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
func parseTimeRange(n *node, needBoth bool, kind error) (*TimeRange, error) {
	var tr TimeRange
	s, hasStart := n.attr("start")
	e, hasEnd := n.attr("end")
	if !hasStart && !hasEnd {
		return nil, badRequest(kind, "%s without start and end", n)
	}
	if needBoth && (!hasStart || !hasEnd) {
		return nil, badRequest(kind, "%s needs both start and end", n)
	}
	var err error
	if hasStart {
		if tr.Start, err = parseUTC(s); err != nil {
			return nil, badRequest(kind, "%s start: %v", n, err)
		}
	}
	if hasEnd {
		if tr.End, err = parseUTC(e); err != nil {
			return nil, badRequest(kind, "%s end: %v", n, err)
		}
	}
	if hasStart && hasEnd && !tr.End.After(tr.Start) {
		return nil, badRequest(kind, "%s end %s is not after start %s", n, e, s)
	}
	return &tr, nil
}

// parseCalendarData reads the request form of CALDAV:calendar-data (RFC 4791
// §9.6): (comp?, (expand | limit-recurrence-set)?, limit-freebusy-set?).
func parseCalendarData(n *node) (*CalendarDataRequest, error) {
	req := &CalendarDataRequest{ContentType: ical.MIMEType, Version: "2.0"}
	if ct, ok := n.attr("content-type"); ok {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != ical.MIMEType {
			return nil, badRequest(ErrUnsupportedCalendarData, "calendar-data content-type %q", ct)
		}
	}
	if v, ok := n.attr("version"); ok {
		if strings.TrimSpace(v) != "2.0" {
			return nil, badRequest(ErrUnsupportedCalendarData, "calendar-data version %q", v)
		}
	}
	var err error
	for _, c := range n.children {
		switch {
		case c.cal("comp"):
			if req.Comp != nil {
				return nil, badRequest(nil, "calendar-data with more than one comp")
			}
			comp, err := parseCompRequest(c)
			if err != nil {
				return nil, err
			}
			if comp.Name != ical.CompCalendar {
				return nil, badRequest(nil, "calendar-data comp %q, want VCALENDAR", comp.Name)
			}
			req.Comp = &comp
		case c.cal("expand"):
			if req.Expand != nil || req.LimitRecurrenceSet != nil {
				return nil, badRequest(nil, "more than one of expand and limit-recurrence-set")
			}
			if req.Expand, err = parseTimeRange(c, true, nil); err != nil {
				return nil, err
			}
		case c.cal("limit-recurrence-set"):
			if req.Expand != nil || req.LimitRecurrenceSet != nil {
				return nil, badRequest(nil, "more than one of expand and limit-recurrence-set")
			}
			if req.LimitRecurrenceSet, err = parseTimeRange(c, true, nil); err != nil {
				return nil, err
			}
		case c.cal("limit-freebusy-set"):
			if req.LimitFreeBusySet != nil {
				return nil, badRequest(nil, "more than one limit-freebusy-set")
			}
			if req.LimitFreeBusySet, err = parseTimeRange(c, true, nil); err != nil {
				return nil, err
			}
		}
	}
	return req, nil
}

// parseCompRequest reads CALDAV:comp (RFC 4791 §9.6.1):
// ((allprop | prop*), (allcomp | comp*)).
func parseCompRequest(n *node) (CompRequest, error) {
	var cr CompRequest
	name, err := compName(n, nil)
	if err != nil {
		return cr, err
	}
	cr.Name = name
	var allprop, allcomp bool
	for _, c := range n.children {
		switch {
		case c.cal("allprop"):
			allprop = true
		case c.cal("prop"):
			pname, err := compName(c, nil)
			if err != nil {
				return cr, err
			}
			pr := PropRequest{Name: pname}
			if v, ok := c.attr("novalue"); ok {
				if pr.NoValue, err = yesNo(v); err != nil {
					return cr, badRequest(nil, "prop %s novalue: %v", pname, err)
				}
			}
			cr.Props = append(cr.Props, pr)
		case c.cal("allcomp"):
			allcomp = true
		case c.cal("comp"):
			sub, err := parseCompRequest(c)
			if err != nil {
				return cr, err
			}
			cr.Comps = append(cr.Comps, sub)
		}
	}
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
// case-insensitive (RFC 5545 §2).
func compName(n *node, kind error) (string, error) {
	v, ok := n.attr("name")
	v = strings.ToUpper(strings.TrimSpace(v))
	if !ok || v == "" {
		return "", badRequest(kind, "%s without name", n)
	}
	return v, nil
}

// parseFilter reads CALDAV:filter (RFC 4791 §9.7): exactly one comp-filter,
// named VCALENDAR.
func parseFilter(n *node) (*CompFilter, error) {
	var f *CompFilter
	for _, c := range n.children {
		if c.name.Space != NamespaceCalDAV {
			continue
		}
		if !c.cal("comp-filter") {
			return nil, invalidFilter("unexpected %s in filter", c)
		}
		if f != nil {
			return nil, invalidFilter("filter with more than one comp-filter")
		}
		cf, err := parseCompFilter(c, "")
		if err != nil {
			return nil, err
		}
		f = &cf
	}
	if f == nil {
		return nil, invalidFilter("filter without comp-filter")
	}
	if f.Name != ical.CompCalendar {
		return nil, invalidFilter("top comp-filter is %q, want VCALENDAR", f.Name)
	}
	if f.TimeRange != nil {
		return nil, invalidFilter("time-range on VCALENDAR")
	}
	return f, nil
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
func parseCompFilter(n *node, parent string) (CompFilter, error) {
	var f CompFilter
	name, err := compName(n, ErrInvalidFilter)
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
	var others int
	for _, c := range n.children {
		if c.name.Space != NamespaceCalDAV {
			continue
		}
		switch {
		case c.cal("is-not-defined"):
			f.IsNotDefined = true
		case c.cal("time-range"):
			others++
			if f.TimeRange != nil {
				return f, invalidFilter("comp-filter %s with more than one time-range", name)
			}
			if !timeRangeComponents[name] {
				return f, invalidFilter("time-range on %s", name)
			}
			if f.TimeRange, err = parseTimeRange(c, false, ErrInvalidFilter); err != nil {
				return f, err
			}
		case c.cal("prop-filter"):
			others++
			pf, err := parsePropFilter(c)
			if err != nil {
				return f, err
			}
			f.PropFilters = append(f.PropFilters, pf)
		case c.cal("comp-filter"):
			others++
			cf, err := parseCompFilter(c, name)
			if err != nil {
				return f, err
			}
			f.CompFilters = append(f.CompFilters, cf)
		default:
			return f, invalidFilter("unexpected %s in comp-filter %s", c, name)
		}
	}
	if f.IsNotDefined && others > 0 {
		return f, invalidFilter("comp-filter %s: is-not-defined with other conditions", name)
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
func parsePropFilter(n *node) (PropFilter, error) {
	var f PropFilter
	name, err := compName(n, ErrInvalidFilter)
	if err != nil {
		return f, err
	}
	f.Name = name
	var others int
	for _, c := range n.children {
		if c.name.Space != NamespaceCalDAV {
			continue
		}
		switch {
		case c.cal("is-not-defined"):
			f.IsNotDefined = true
		case c.cal("time-range"):
			others++
			if f.TimeRange != nil || f.TextMatch != nil {
				return f, invalidFilter("prop-filter %s with more than one time-range or text-match", name)
			}
			if nonDateProps[name] {
				return f, invalidFilter("time-range on property %s", name)
			}
			if f.TimeRange, err = parseTimeRange(c, false, ErrInvalidFilter); err != nil {
				return f, err
			}
		case c.cal("text-match"):
			others++
			if f.TimeRange != nil || f.TextMatch != nil {
				return f, invalidFilter("prop-filter %s with more than one time-range or text-match", name)
			}
			if f.TextMatch, err = parseTextMatch(c); err != nil {
				return f, err
			}
		case c.cal("param-filter"):
			others++
			pf, err := parseParamFilter(c)
			if err != nil {
				return f, err
			}
			f.ParamFilters = append(f.ParamFilters, pf)
		default:
			return f, invalidFilter("unexpected %s in prop-filter %s", c, name)
		}
	}
	if f.IsNotDefined && others > 0 {
		return f, invalidFilter("prop-filter %s: is-not-defined with other conditions", name)
	}
	return f, nil
}

// parseParamFilter reads CALDAV:param-filter (RFC 4791 §9.7.3):
// (is-not-defined | text-match)?.
func parseParamFilter(n *node) (ParamFilter, error) {
	var f ParamFilter
	name, err := compName(n, ErrInvalidFilter)
	if err != nil {
		return f, err
	}
	f.Name = name
	for _, c := range n.children {
		if c.name.Space != NamespaceCalDAV {
			continue
		}
		switch {
		case c.cal("is-not-defined"):
			f.IsNotDefined = true
		case c.cal("text-match"):
			if f.TextMatch != nil {
				return f, invalidFilter("param-filter %s with more than one text-match", name)
			}
			if f.TextMatch, err = parseTextMatch(c); err != nil {
				return f, err
			}
		default:
			return f, invalidFilter("unexpected %s in param-filter %s", c, name)
		}
	}
	if f.IsNotDefined && f.TextMatch != nil {
		return f, invalidFilter("param-filter %s: is-not-defined with text-match", name)
	}
	return f, nil
}

// parseTextMatch reads CALDAV:text-match (RFC 4791 §9.7.5). Surrounding
// white space is trimmed: pretty-printing clients indent it, and no client
// searches for leading or trailing blanks.
func parseTextMatch(n *node) (*TextMatch, error) {
	tm := &TextMatch{Text: strings.TrimSpace(n.text.String()), Collation: CollationASCIICasemap}
	if v, ok := n.attr("collation"); ok {
		switch v {
		case CollationASCIICasemap, CollationOctet, CollationUnicodeCasemap:
			tm.Collation = v
		default:
			// RFC 4791 §7.5.1: an unsupported collation fails the request
			// with CALDAV:supported-collation.
			return nil, badRequest(ErrUnsupportedCollation, "collation %q", v)
		}
	}
	if v, ok := n.attr("negate-condition"); ok {
		var err error
		if tm.Negate, err = yesNo(v); err != nil {
			return nil, invalidFilter("negate-condition: %v", err)
		}
	}
	return tm, nil
}
