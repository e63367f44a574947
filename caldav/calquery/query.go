// Package calquery evaluates CalDAV queries (RFC 4791): it parses the
// calendar-query and free-busy-query REPORT bodies (§7.8, §7.10, §9.5–§9.9),
// matches calendar objects against a CALDAV:filter (§9.7), shapes the
// returned calendar-data (§9.6: comp/prop selection, expand,
// limit-recurrence-set, limit-freebusy-set) and computes free-busy time
// (§7.10).
//
// Recurrence is expanded by package veileder/recurrence; this package adds
// the query semantics on top. The REPORT handler owns HTTP: it maps the
// sentinel errors to statuses and preconditions and builds the multistatus.
package calquery

import (
	"encoding/xml"
	"time"

	"github.com/emersion/go-ical"

	"github.com/veileder/veileder/recurrence"
)

// XML namespaces of the request bodies.
const (
	NamespaceDAV    = "DAV:"
	NamespaceCalDAV = "urn:ietf:params:xml:ns:caldav"
)

// CalendarDataName is the CALDAV:calendar-data property (RFC 4791 §9.6). It
// appears in Query.Props when the client asked for calendar data.
var CalendarDataName = xml.Name{Space: NamespaceCalDAV, Local: "calendar-data"}

// Text-match collations (RFC 4791 §7.5, RFC 4790). CollationASCIICasemap
// is the default.
const (
	CollationASCIICasemap   = "i;ascii-casemap"
	CollationOctet          = "i;octet"
	CollationUnicodeCasemap = "i;unicode-casemap"
)

// Query is a parsed CALDAV:calendar-query REPORT body (RFC 4791 §9.5).
type Query struct {
	// Exactly one of AllProp, PropName and a non-empty Props is set, or none
	// when the body named no properties (the handler then answers hrefs only).
	AllProp  bool
	PropName bool
	// Props are the properties in DAV:prop, in request order, or those of
	// DAV:include next to DAV:allprop (RFC 4918 §14.8). CalendarDataName is
	// among them when calendar data was asked for.
	Props []xml.Name
	// CalendarData is the CALDAV:calendar-data request, nil when not asked.
	CalendarData *CalendarDataRequest
	// Filter is the top-level comp-filter; its Name is always VCALENDAR.
	Filter *CompFilter
	// Timezone is the CALDAV:timezone (RFC 4791 §9.8): a VCALENDAR holding
	// one VTIMEZONE, used for floating times and dates. TimezoneID is
	// CALDAV:timezone-id (RFC 7809 §5.2). Both are empty when not sent; use
	// Location to resolve them.
	Timezone   *ical.Calendar
	TimezoneID string
	// Limit is DAV:limit/DAV:nresults (RFC 5323, "limit"), 0 for no limit.
	// When more objects match, the handler answers the first Limit and a 507
	// response for the request-URI with DAV:number-of-matches-within-limits.
	Limit int
}

// Location is the time zone the query asks floating times and dates to be
// evaluated in (RFC 4791 §9.8, RFC 7809 §5.2), or fallback (normally the
// calendar's own time zone) when the query names none or names one that
// does not resolve.
func (q *Query) Location(fallback *time.Location) *time.Location {
	switch {
	case q.TimezoneID != "":
		loc, _ := recurrence.ResolveLocation(q.TimezoneID, ical.NewCalendar(), fallback)
		if loc != nil {
			return loc
		}
	case q.Timezone != nil:
		for _, c := range q.Timezone.Children {
			if c.Name != ical.CompTimezone {
				continue
			}
			p := c.Props.Get(ical.PropTimezoneID)
			if p == nil {
				break
			}
			loc, _ := recurrence.ResolveLocation(p.Value, q.Timezone, fallback)
			if loc != nil {
				return loc
			}
		}
	}
	return fallback
}

// TimeRange is a CALDAV:time-range (RFC 4791 §9.9) or the range of
// CALDAV:expand, limit-recurrence-set and limit-freebusy-set (§9.6.5–§9.6.7).
// A zero Start or End is an open end; both are UTC.
type TimeRange struct {
	Start, End time.Time
}

// CalendarDataRequest is a CALDAV:calendar-data element of a request
// (RFC 4791 §9.6).
type CalendarDataRequest struct {
	// ContentType and Version are the requested media type and iCalendar
	// version; only text/calendar 2.0 is accepted by the parser.
	ContentType string
	Version     string
	// Comp is the requested component tree (§9.6.1), nil for everything.
	Comp *CompRequest
	// Expand (§9.6.5) and LimitRecurrenceSet (§9.6.6) exclude each other;
	// LimitFreeBusySet is §9.6.7. Each has both ends set.
	Expand             *TimeRange
	LimitRecurrenceSet *TimeRange
	LimitFreeBusySet   *TimeRange
}

// CompRequest is a CALDAV:comp element (RFC 4791 §9.6.1).
//
// AllProps is set by CALDAV:allprop and also when the element lists no
// CALDAV:prop; AllComps likewise for CALDAV:allcomp and no CALDAV:comp. The
// DTD allows an empty list either way, and RFC 4791's own example in §7.8.1
// (<C:comp name="VTIMEZONE"/>) returns the whole component, so an empty list
// is read as "all".
type CompRequest struct {
	Name     string
	AllProps bool
	Props    []PropRequest
	AllComps bool
	Comps    []CompRequest
}

// PropRequest is a CALDAV:prop element inside CALDAV:comp (RFC 4791
// §9.6.4). NoValue asks for the property without its value.
type PropRequest struct {
	Name    string
	NoValue bool
}

// CompFilter is a CALDAV:comp-filter (RFC 4791 §9.7.1). Names are upper
// case.
type CompFilter struct {
	Name         string
	IsNotDefined bool
	TimeRange    *TimeRange
	PropFilters  []PropFilter
	CompFilters  []CompFilter
}

// PropFilter is a CALDAV:prop-filter (RFC 4791 §9.7.2). At most one of
// TimeRange and TextMatch is set, and neither with IsNotDefined.
type PropFilter struct {
	Name         string
	IsNotDefined bool
	TimeRange    *TimeRange
	TextMatch    *TextMatch
	ParamFilters []ParamFilter
}

// ParamFilter is a CALDAV:param-filter (RFC 4791 §9.7.3).
type ParamFilter struct {
	Name         string
	IsNotDefined bool
	TextMatch    *TextMatch
}

// TextMatch is a CALDAV:text-match (RFC 4791 §9.7.5): a substring match
// under Collation, inverted by Negate (negate-condition="yes").
type TextMatch struct {
	Text      string
	Collation string
	Negate    bool
}
