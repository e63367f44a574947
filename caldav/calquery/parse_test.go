package calquery

import (
	"encoding/xml"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseCalendarQueryRFC781(t *testing.T) {
	q, err := ParseCalendarQuery(strings.NewReader(rfc781))
	if err != nil {
		t.Fatalf("ParseCalendarQuery: %v", err)
	}
	wantProps := []xml.Name{{Space: NamespaceDAV, Local: "getetag"}, CalendarDataName}
	if !reflect.DeepEqual(q.Props, wantProps) {
		t.Errorf("Props = %v, want %v", q.Props, wantProps)
	}
	if q.AllProp || q.PropName {
		t.Errorf("AllProp, PropName = %v, %v, want false, false", q.AllProp, q.PropName)
	}
	wantData := &CalendarDataRequest{
		ContentType: "text/calendar",
		Version:     "2.0",
		Comp: &CompRequest{
			Name:  "VCALENDAR",
			Props: []PropRequest{{Name: "VERSION"}},
			Comps: []CompRequest{
				{Name: "VEVENT", Props: []PropRequest{
					{Name: "SUMMARY"}, {Name: "UID"}, {Name: "DTSTART"}, {Name: "DTEND"},
					{Name: "DURATION"}, {Name: "RRULE"}, {Name: "RDATE"}, {Name: "EXRULE"},
					{Name: "EXDATE"}, {Name: "RECURRENCE-ID"},
				}, AllComps: true},
				{Name: "VTIMEZONE", AllProps: true, AllComps: true},
			},
		},
	}
	if !reflect.DeepEqual(q.CalendarData, wantData) {
		t.Errorf("CalendarData = %+v, want %+v", q.CalendarData, wantData)
	}
	wantFilter := &CompFilter{Name: "VCALENDAR", CompFilters: []CompFilter{{
		Name:      "VEVENT",
		TimeRange: &TimeRange{Start: utc("20060104T000000Z"), End: utc("20060105T000000Z")},
	}}}
	if !reflect.DeepEqual(q.Filter, wantFilter) {
		t.Errorf("Filter = %+v, want %+v", q.Filter, wantFilter)
	}
}

func TestParseCalendarQueryRFC787And789(t *testing.T) {
	q, err := ParseCalendarQuery(strings.NewReader(rfc787))
	if err != nil {
		t.Fatalf("ParseCalendarQuery(7.8.7): %v", err)
	}
	want := &CompFilter{Name: "VCALENDAR", CompFilters: []CompFilter{{
		Name: "VEVENT",
		PropFilters: []PropFilter{{
			Name:      "ATTENDEE",
			TextMatch: &TextMatch{Text: "mailto:lisa@example.com", Collation: CollationASCIICasemap},
			ParamFilters: []ParamFilter{{
				Name:      "PARTSTAT",
				TextMatch: &TextMatch{Text: "NEEDS-ACTION", Collation: CollationASCIICasemap},
			}},
		}},
	}}}
	if !reflect.DeepEqual(q.Filter, want) {
		t.Errorf("7.8.7 Filter = %+v, want %+v", q.Filter, want)
	}

	q, err = ParseCalendarQuery(strings.NewReader(rfc789))
	if err != nil {
		t.Fatalf("ParseCalendarQuery(7.8.9): %v", err)
	}
	want = &CompFilter{Name: "VCALENDAR", CompFilters: []CompFilter{{
		Name: "VTODO",
		PropFilters: []PropFilter{
			{Name: "COMPLETED", IsNotDefined: true},
			{Name: "STATUS", TextMatch: &TextMatch{Text: "CANCELLED", Collation: CollationASCIICasemap, Negate: true}},
		},
	}}}
	if !reflect.DeepEqual(q.Filter, want) {
		t.Errorf("7.8.9 Filter = %+v, want %+v", q.Filter, want)
	}
}

func TestParseCalendarQueryExtras(t *testing.T) {
	body := `<?xml version="1.0"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:X="urn:example">
  <D:allprop/>
  <D:include><X:colour/></D:include>
  <X:unknown>ignored</X:unknown>
  <C:filter>
    <C:comp-filter name="vcalendar">
      <C:comp-filter name="vevent">
        <C:time-range start="20261020T000000Z"/>
        <C:prop-filter name="summary"><C:text-match collation="i;unicode-casemap">møte</C:text-match></C:prop-filter>
      </C:comp-filter>
    </C:comp-filter>
  </C:filter>
  <C:timezone-id>Europe/Oslo</C:timezone-id>
  <D:limit><D:nresults>50</D:nresults></D:limit>
</C:calendar-query>`
	q, err := ParseCalendarQuery(strings.NewReader(body))
	if err != nil {
		t.Fatalf("ParseCalendarQuery: %v", err)
	}
	if !q.AllProp {
		t.Errorf("AllProp = false, want true")
	}
	if want := []xml.Name{{Space: "urn:example", Local: "colour"}}; !reflect.DeepEqual(q.Props, want) {
		t.Errorf("Props = %v, want %v", q.Props, want)
	}
	if q.Limit != 50 {
		t.Errorf("Limit = %d, want 50", q.Limit)
	}
	if q.TimezoneID != "Europe/Oslo" {
		t.Errorf("TimezoneID = %q, want Europe/Oslo", q.TimezoneID)
	}
	if got := q.Location(nil); got == nil || got.String() != "Europe/Oslo" {
		t.Errorf("Location(nil) = %v, want Europe/Oslo", got)
	}
	ev := q.Filter.CompFilters[0]
	if ev.Name != "VEVENT" || ev.TimeRange == nil || !ev.TimeRange.Start.Equal(utc("20261020T000000Z")) || !ev.TimeRange.End.IsZero() {
		t.Errorf("VEVENT filter = %+v, want VEVENT with a start-only time-range", ev)
	}
	if pf := ev.PropFilters[0]; pf.Name != "SUMMARY" || pf.TextMatch.Collation != CollationUnicodeCasemap || pf.TextMatch.Text != "møte" {
		t.Errorf("prop-filter = %+v, want SUMMARY i;unicode-casemap møte", pf)
	}
}

func TestParseCalendarQueryTimezone(t *testing.T) {
	body := `<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
<D:prop><D:getetag/></D:prop>
<C:filter><C:comp-filter name="VCALENDAR"/></C:filter>
<C:timezone>BEGIN:VCALENDAR
PRODID:-//Example Corp.//CalDAV Client//EN
VERSION:2.0
BEGIN:VTIMEZONE
TZID:Europe/Oslo
BEGIN:STANDARD
DTSTART:19701025T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
END:STANDARD
END:VTIMEZONE
END:VCALENDAR
</C:timezone>
</C:calendar-query>`
	q, err := ParseCalendarQuery(strings.NewReader(body))
	if err != nil {
		t.Fatalf("ParseCalendarQuery: %v", err)
	}
	if q.Timezone == nil {
		t.Fatal("Timezone = nil, want the VCALENDAR")
	}
	if got := q.Location(nil); got == nil || got.String() != "Europe/Oslo" {
		t.Errorf("Location(nil) = %v, want Europe/Oslo", got)
	}
}

func TestParseCalendarQueryErrors(t *testing.T) {
	const head = `<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">`
	const tail = `</C:calendar-query>`
	filter := func(inner string) string {
		return head + `<C:filter><C:comp-filter name="VCALENDAR">` + inner + `</C:comp-filter></C:filter>` + tail
	}
	withData := func(inner string) string {
		return head + `<D:prop><C:calendar-data>` + inner + `</C:calendar-data></D:prop><C:filter><C:comp-filter name="VCALENDAR"/></C:filter>` + tail
	}
	tests := []struct {
		name string
		body string
		want error
	}{
		{"empty body", ``, ErrBadRequest},
		{"not XML", `BEGIN:VCALENDAR`, ErrBadRequest},
		{"unclosed", head + `<C:filter>`, ErrBadRequest},
		{"wrong root", `<D:propfind xmlns:D="DAV:"/>`, ErrBadRequest},
		{"missing filter", head + `<D:prop xmlns:D="DAV:"><D:getetag/></D:prop>` + tail, ErrInvalidFilter},
		{"two filters", head + `<C:filter><C:comp-filter name="VCALENDAR"/></C:filter><C:filter><C:comp-filter name="VCALENDAR"/></C:filter>` + tail, ErrInvalidFilter},
		{"empty filter", head + `<C:filter/>` + tail, ErrInvalidFilter},
		{"top is VEVENT", head + `<C:filter><C:comp-filter name="VEVENT"/></C:filter>` + tail, ErrInvalidFilter},
		{"comp-filter without name", filter(`<C:comp-filter/>`), ErrInvalidFilter},
		{"VEVENT in VTODO", filter(`<C:comp-filter name="VTODO"><C:comp-filter name="VEVENT"/></C:comp-filter>`), ErrInvalidFilter},
		{"VALARM in VCALENDAR", filter(`<C:comp-filter name="VALARM"/>`), ErrInvalidFilter},
		{"time-range on SUMMARY", filter(`<C:comp-filter name="VEVENT"><C:prop-filter name="SUMMARY"><C:time-range start="20060104T000000Z"/></C:prop-filter></C:comp-filter>`), ErrInvalidFilter},
		{"time-range on VTIMEZONE", filter(`<C:comp-filter name="VTIMEZONE"><C:time-range start="20060104T000000Z"/></C:comp-filter>`), ErrInvalidFilter},
		{"time-range without ends", filter(`<C:comp-filter name="VEVENT"><C:time-range/></C:comp-filter>`), ErrInvalidFilter},
		{"time-range not UTC", filter(`<C:comp-filter name="VEVENT"><C:time-range start="20060104T000000"/></C:comp-filter>`), ErrInvalidFilter},
		{"time-range with date", filter(`<C:comp-filter name="VEVENT"><C:time-range start="2006-01-04"/></C:comp-filter>`), ErrInvalidFilter},
		{"time-range end before start", filter(`<C:comp-filter name="VEVENT"><C:time-range start="20060105T000000Z" end="20060104T000000Z"/></C:comp-filter>`), ErrInvalidFilter},
		{"two time-ranges", filter(`<C:comp-filter name="VEVENT"><C:time-range start="20060104T000000Z"/><C:time-range start="20060104T000000Z"/></C:comp-filter>`), ErrInvalidFilter},
		{"is-not-defined with time-range", filter(`<C:comp-filter name="VEVENT"><C:is-not-defined/><C:time-range start="20060104T000000Z"/></C:comp-filter>`), ErrInvalidFilter},
		{"prop is-not-defined with text-match", filter(`<C:comp-filter name="VEVENT"><C:prop-filter name="UID"><C:is-not-defined/><C:text-match>x</C:text-match></C:prop-filter></C:comp-filter>`), ErrInvalidFilter},
		{"text-match and time-range", filter(`<C:comp-filter name="VEVENT"><C:prop-filter name="DTSTART"><C:text-match>x</C:text-match><C:time-range start="20060104T000000Z"/></C:prop-filter></C:comp-filter>`), ErrInvalidFilter},
		{"param is-not-defined with text-match", filter(`<C:comp-filter name="VEVENT"><C:prop-filter name="ATTENDEE"><C:param-filter name="PARTSTAT"><C:is-not-defined/><C:text-match>x</C:text-match></C:param-filter></C:prop-filter></C:comp-filter>`), ErrInvalidFilter},
		{"unknown CalDAV element in filter", filter(`<C:comp-filter name="VEVENT"><C:text-match>x</C:text-match></C:comp-filter>`), ErrInvalidFilter},
		{"bad negate-condition", filter(`<C:comp-filter name="VEVENT"><C:prop-filter name="UID"><C:text-match negate-condition="true">x</C:text-match></C:prop-filter></C:comp-filter>`), ErrInvalidFilter},
		{"unknown collation", filter(`<C:comp-filter name="VEVENT"><C:prop-filter name="UID"><C:text-match collation="i;ascii-numeric">1</C:text-match></C:prop-filter></C:comp-filter>`), ErrUnsupportedCollation},
		{"param unknown collation", filter(`<C:comp-filter name="VEVENT"><C:prop-filter name="ATTENDEE"><C:param-filter name="CN"><C:text-match collation="en;primary">x</C:text-match></C:param-filter></C:prop-filter></C:comp-filter>`), ErrUnsupportedCollation},
		{"calendar-data json", head + `<D:prop><C:calendar-data content-type="application/calendar+json"/></D:prop><C:filter><C:comp-filter name="VCALENDAR"/></C:filter>` + tail, ErrUnsupportedCalendarData},
		{"calendar-data version 1.0", head + `<D:prop><C:calendar-data version="1.0"/></D:prop><C:filter><C:comp-filter name="VCALENDAR"/></C:filter>` + tail, ErrUnsupportedCalendarData},
		{"expand without end", withData(`<C:expand start="20060103T000000Z"/>`), ErrBadRequest},
		{"expand and limit-recurrence-set", withData(`<C:expand start="20060103T000000Z" end="20060105T000000Z"/><C:limit-recurrence-set start="20060103T000000Z" end="20060105T000000Z"/>`), ErrBadRequest},
		{"comp not VCALENDAR", withData(`<C:comp name="VEVENT"/>`), ErrBadRequest},
		{"allprop and prop", withData(`<C:comp name="VCALENDAR"><C:allprop/><C:prop name="VERSION"/></C:comp>`), ErrBadRequest},
		{"prop and allprop", head + `<D:prop><D:getetag/></D:prop><D:allprop/><C:filter><C:comp-filter name="VCALENDAR"/></C:filter>` + tail, ErrBadRequest},
		{"nresults not a number", head + `<D:limit><D:nresults>ten</D:nresults></D:limit><C:filter><C:comp-filter name="VCALENDAR"/></C:filter>` + tail, ErrBadRequest},
		{"nresults zero", head + `<D:limit><D:nresults>0</D:nresults></D:limit><C:filter><C:comp-filter name="VCALENDAR"/></C:filter>` + tail, ErrBadRequest},
		{"timezone not iCalendar", head + `<C:filter><C:comp-filter name="VCALENDAR"/></C:filter><C:timezone>Europe/Oslo</C:timezone>` + tail, ErrInvalidCalendarData},
		{"timezone without VTIMEZONE", head + `<C:filter><C:comp-filter name="VCALENDAR"/></C:filter><C:timezone>BEGIN:VCALENDAR
END:VCALENDAR</C:timezone>` + tail, ErrInvalidCalendarData},
		{"timezone that panics go-ical", head + `<C:filter><C:comp-filter name="VCALENDAR"/></C:filter><C:timezone>BEGIN:VCALENDAR
X;A=b</C:timezone>` + tail, ErrInvalidCalendarData},
		{"too deep", head + strings.Repeat("<D:x>", 100) + strings.Repeat("</D:x>", 100) + tail, ErrBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := ParseCalendarQuery(strings.NewReader(tt.body))
			if !errors.Is(err, tt.want) || !errors.Is(err, ErrBadRequest) {
				t.Fatalf("ParseCalendarQuery = %+v, %v; want an error wrapping %v and %v", q, err, tt.want, ErrBadRequest)
			}
		})
	}
}

func TestParseFreeBusyQuery(t *testing.T) {
	const head = `<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav">`
	const tail = `</C:free-busy-query>`
	start, end, err := ParseFreeBusyQuery(strings.NewReader(head + `<C:time-range start="20260329T000000Z"/>` + tail))
	if err != nil || !start.Equal(utc("20260329T000000Z")) || !end.IsZero() {
		t.Errorf("start-only: got %v, %v, %v; want 2026-03-29, zero, nil", start, end, err)
	}
	for name, body := range map[string]string{
		"no time-range":   head + tail,
		"two time-ranges": head + `<C:time-range start="20260329T000000Z"/><C:time-range start="20260329T000000Z"/>` + tail,
		"bad time":        head + `<C:time-range start="tomorrow"/>` + tail,
		"calendar-query":  rfc788,
	} {
		if _, _, err := ParseFreeBusyQuery(strings.NewReader(body)); !errors.Is(err, ErrBadRequest) {
			t.Errorf("%s: ParseFreeBusyQuery error = %v, want ErrBadRequest", name, err)
		}
	}
}
