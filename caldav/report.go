package caldav

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/emersion/go-ical"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/caldav/calquery"
	"github.com/veileder/veileder/recurrence"
)

// serveReport dispatches on the REPORT body's root element.
func (h *Handler) serveReport(w http.ResponseWriter, r *http.Request, p davPath) error {
	body, err := readBody(r, maxXMLBody)
	if err != nil {
		return err
	}
	root, err := rootName(body)
	if err != nil {
		return &httpError{status: http.StatusBadRequest, message: "malformed REPORT body", cause: err}
	}
	ctx := r.Context()
	res, err := h.resolve(ctx, p)
	if err != nil {
		return err
	}
	switch root {
	case dav("sync-collection"):
		return h.serveSyncCollection(w, r, res, body)
	case cal("calendar-multiget"):
		return h.serveMultiget(w, r, res, body)
	case cal("calendar-query"):
		return h.serveQuery(w, r, res, body)
	case cal("free-busy-query"):
		return h.serveFreeBusy(w, r, res, body)
	}
	// RFC 3253 §3.6: an unsupported report is a 403 with supported-report.
	return preconditionError(http.StatusForbidden, dav("supported-report"), fmt.Sprintf("report %s is not supported here", root.Local))
}

// queryError maps calquery's parse errors to statuses and preconditions.
func queryError(err error) error {
	switch {
	case errors.Is(err, calquery.ErrUnsupportedCollation):
		return &httpError{status: http.StatusForbidden, precondition: cal("supported-collation"), message: "unsupported collation", cause: err}
	case errors.Is(err, calquery.ErrInvalidFilter):
		return &httpError{status: http.StatusForbidden, precondition: cal("valid-filter"), message: "invalid filter", cause: err}
	case errors.Is(err, calquery.ErrUnsupportedCalendarData):
		return &httpError{status: http.StatusForbidden, precondition: cal("supported-calendar-data"), message: "unsupported calendar-data request", cause: err}
	case errors.Is(err, calquery.ErrInvalidCalendarData):
		return &httpError{status: http.StatusForbidden, precondition: cal("valid-calendar-data"), message: "invalid calendar data in the request", cause: err}
	}
	return &httpError{status: http.StatusBadRequest, message: "malformed REPORT body: " + err.Error(), cause: err}
}

func (h *Handler) opts(loc *time.Location) recurrence.Options {
	if loc == nil {
		loc = h.loc
	}
	return recurrence.Options{Location: loc}
}

// expandOpts are the options for shaping one object of size bytes: at
// most h.maxInstances instances, and fewer for a large object, so that no
// object expands to more than maxShapedBytes of text.
func (h *Handler) expandOpts(loc *time.Location, size int) recurrence.Options {
	o := h.opts(loc)
	o.MaxInstances = h.maxInstances
	if size > 0 {
		o.MaxInstances = max(1, min(o.MaxInstances, maxShapedBytes/size))
	}
	return o
}

// errAnswerLimit marks an object whose shaped data would pass a limit:
// the answer stops before it and says it was cut (multistatus.truncated).
var errAnswerLimit = errors.New("caldav: answer over its limits")

// reportMultistatus is a multistatus for a REPORT: bounded in size.
func (h *Handler) reportMultistatus(w http.ResponseWriter, r *http.Request) *multistatus {
	ms := h.newMultistatus(w, r)
	ms.limit = h.maxReportBytes
	return ms
}

// addObject adds one object's response, or, when it or the answer is
// over a limit, ends the answer as cut short (done is then true).
func (ms *multistatus) addObject(resp response, err error, href string) (done bool, _ error) {
	if errors.Is(err, errAnswerLimit) {
		return true, ms.truncated(href)
	}
	if err != nil {
		return true, ms.fail(err)
	}
	if err := ms.add(resp); err != nil {
		return true, err
	}
	if ms.full() {
		return true, ms.truncated(href)
	}
	return false, nil
}

// objectResponse answers the asked properties of one object, shaping
// calendar-data as the request says (RFC 4791 §9.6).
func (h *Handler) objectResponse(ctx context.Context, res resource, o booking.CalendarObject, q propQuery, data *calquery.CalendarDataRequest, loc *time.Location) (response, error) {
	href := h.hrefs.object(res.user.Username, res.cal.Slug, o.Name)
	child := resource{path: davPath{kind: kindObject, user: res.user.Username, calendar: res.cal.Slug, object: o.Name},
		href: href, user: res.user, cal: res.cal, obj: o}
	props, err := h.properties(ctx, child)
	if err != nil {
		return response{}, err
	}
	answered := q.answer(props)
	if data != nil && needsShaping(data) {
		for i := range answered {
			if answered[i].name != cal("calendar-data") || answered[i].status != 0 {
				continue
			}
			parsed, err := recurrence.ParseCalendar(o.Data)
			if err != nil {
				answered[i] = prop{name: cal("calendar-data"), status: http.StatusInternalServerError}
				continue
			}
			shaped, err := calquery.Shape(parsed, data, h.expandOpts(loc, len(o.Data)))
			if errors.Is(err, calquery.ErrInstanceLimit) {
				return response{}, fmt.Errorf("%w: %s: %w", errAnswerLimit, o.Name, err)
			}
			if err != nil {
				answered[i] = prop{name: cal("calendar-data"), status: http.StatusInternalServerError}
				continue
			}
			var buf bytes.Buffer
			// calquery.Encode, not go-ical's encoder: a shaped object may
			// lack properties go-ical insists on (DTSTAMP, PRODID).
			if err := calquery.Encode(&buf, shaped); err != nil {
				answered[i] = prop{name: cal("calendar-data"), status: http.StatusInternalServerError}
				continue
			}
			answered[i].value = buf.String()
		}
	}
	return response{href: href, props: answered}, nil
}

func needsShaping(d *calquery.CalendarDataRequest) bool {
	return d.Comp != nil || d.Expand != nil || d.LimitRecurrenceSet != nil || d.LimitFreeBusySet != nil
}

func queryProps(all, names bool, want []xml.Name) propQuery {
	q := propQuery{all: all, names: names, want: want}
	if !all && !names && len(want) == 0 {
		q.want = []xml.Name{dav("getetag")}
	}
	return q
}

// serveMultiget answers RFC 4791 §7.9 calendar-multiget.
func (h *Handler) serveMultiget(w http.ResponseWriter, r *http.Request, res resource, body []byte) error {
	mg, err := calquery.ParseMultiget(bytes.NewReader(body))
	if err != nil {
		return queryError(err)
	}
	if res.path.kind == kindInbox {
		return h.serveInboxMultiget(w, r, res, mg)
	}
	if res.path.kind != kindCalendar && res.path.kind != kindObject {
		return preconditionError(http.StatusForbidden, dav("supported-report"), "calendar-multiget works on calendars")
	}
	ctx := r.Context()
	q := queryProps(mg.AllProp, mg.PropName, mg.Props)
	names := make([]string, 0, len(mg.Hrefs))
	hrefOf := map[string]string{}
	var missing []string
	for _, href := range mg.Hrefs {
		p, err := parseHref(h.prefix, href)
		if err != nil || p.kind != kindObject || p.user != res.user.Username || p.calendar != res.cal.Slug {
			missing = append(missing, href)
			continue
		}
		names = append(names, p.object)
		hrefOf[p.object] = href
	}
	objs, err := h.store.ObjectsByName(ctx, res.cal.ID, names)
	if err != nil {
		return err
	}
	ms := h.reportMultistatus(w, r)
	for _, href := range missing {
		if err := ms.add(response{href: href, status: http.StatusNotFound}); err != nil {
			return err
		}
	}
	found := map[string]booking.CalendarObject{}
	for _, o := range objs {
		found[o.Name] = o
	}
	for _, name := range names {
		o, ok := found[name]
		if !ok {
			if err := ms.add(response{href: hrefOf[name], status: http.StatusNotFound}); err != nil {
				return err
			}
			continue
		}
		resp, err := h.objectResponse(ctx, res, o, q, mg.CalendarData, mg.Location(h.loc))
		if done, err := ms.addObject(resp, err, res.href); done {
			if err != nil {
				return err
			}
			break
		}
	}
	return ms.close("")
}

// candidates picks the objects a query can match, from the indexed
// columns: a time-range on the one component filter becomes a range
// condition, so a one-week query reads one week's objects, not the
// calendar.
func (h *Handler) candidates(ctx context.Context, c booking.Calendar, f *calquery.CompFilter) ([]booking.CalendarObject, error) {
	if f != nil && !f.IsNotDefined && len(f.CompFilters) == 1 {
		child := f.CompFilters[0]
		switch child.Name {
		case "VEVENT", "VTODO", "VJOURNAL":
			if child.IsNotDefined {
				break
			}
			var start, end time.Time
			if child.TimeRange != nil {
				start, end = child.TimeRange.Start, child.TimeRange.End
			}
			return h.store.ObjectsOverlapping(ctx, c.ID, child.Name, start, end)
		}
	}
	return h.store.Objects(ctx, c.ID, true)
}

// serveQuery answers RFC 4791 §7.8 calendar-query.
func (h *Handler) serveQuery(w http.ResponseWriter, r *http.Request, res resource, body []byte) error {
	query, err := calquery.ParseCalendarQuery(bytes.NewReader(body))
	if err != nil {
		return queryError(err)
	}
	ctx := r.Context()
	loc := query.Location(h.loc)
	var objs []booking.CalendarObject
	switch res.path.kind {
	case kindCalendar:
		d, err := depth(r)
		if err != nil {
			return err
		}
		if d == 0 && r.Header.Get("Depth") == "0" {
			// Depth 0 on a collection asks about the collection itself,
			// which is no calendar object.
			return h.newMultistatus(w, r).close("")
		}
		objs, err = h.candidates(ctx, res.cal, query.Filter)
		if err != nil {
			return err
		}
	case kindObject:
		objs = []booking.CalendarObject{res.obj}
	default:
		return preconditionError(http.StatusForbidden, dav("supported-report"), "calendar-query works on calendars")
	}
	q := queryProps(query.AllProp, query.PropName, query.Props)
	ms := h.reportMultistatus(w, r)
	for _, o := range objs {
		if query.Filter != nil {
			parsed, err := h.parsed(o)
			if err != nil {
				h.logger.Warn("caldav: stored object does not parse", "calendar", res.cal.ID, "name", o.Name, "err", err)
				continue
			}
			ok, err := calquery.Match(parsed, query.Filter, h.opts(loc))
			if err != nil {
				// One odd object must not fail the whole REPORT.
				h.logger.Warn("caldav: cannot evaluate filter", "calendar", res.cal.ID, "name", o.Name, "err", err)
				continue
			}
			if !ok {
				continue
			}
		}
		resp, err := h.objectResponse(ctx, res, o, q, query.CalendarData, loc)
		if done, err := ms.addObject(resp, err, res.href); done {
			if err != nil {
				return err
			}
			break
		}
		if query.Limit > 0 && ms.n >= query.Limit {
			// RFC 5323 §5.17: say that the result was cut short.
			if err := ms.truncated(res.href); err != nil {
				return err
			}
			break
		}
	}
	return ms.close("")
}

// parseCacheSize bounds the decoded objects kept for calendar-query: the
// candidates of a few calendars' weeks; parseCacheMaxData keeps large
// objects out of it, so that it stays a few megabytes.
const (
	parseCacheSize    = 2048
	parseCacheMaxData = 8 << 10
)

// parsed returns the decoded object for calendar-query's filter, from a
// cache keyed by its ETag, a hash of its bytes: a calendar app asks for
// the same weeks again and again, and most of their objects have not
// changed, so decoding every candidate on every query was a good part of
// a query's time. A changed object has a new ETag, so the cache is never
// stale. calquery.Match and recurrence's expansion only read a decoded
// calendar, so one can be shared; calquery.Shape, which builds the
// answer's data, decodes its own.
func (h *Handler) parsed(o booking.CalendarObject) (*ical.Calendar, error) {
	if o.ETag == "" || len(o.Data) > parseCacheMaxData {
		return recurrence.ParseCalendar(o.Data)
	}
	if c, ok := h.parseCache.Get(o.ETag); ok {
		return c, nil
	}
	c, err := recurrence.ParseCalendar(o.Data)
	if err != nil {
		return nil, err
	}
	h.parseCache.Add(o.ETag, c)
	return c, nil
}

// serveFreeBusy answers RFC 4791 §7.10 free-busy-query with a VFREEBUSY.
func (h *Handler) serveFreeBusy(w http.ResponseWriter, r *http.Request, res resource, body []byte) error {
	start, end, err := calquery.ParseFreeBusyQuery(bytes.NewReader(body))
	if err != nil {
		return queryError(err)
	}
	if res.path.kind != kindCalendar {
		return preconditionError(http.StatusForbidden, dav("supported-report"), "free-busy-query works on calendars")
	}
	// An open side is bounded, so that the answer stays finite.
	if start.IsZero() {
		start = end.AddDate(-1, 0, 0)
	}
	if end.IsZero() {
		end = start.AddDate(1, 0, 0)
	}
	objs, err := h.store.ObjectsOverlapping(r.Context(), res.cal.ID, "VEVENT", start, end)
	if err != nil {
		return err
	}
	var cals []*ical.Calendar
	for _, o := range objs {
		if parsed, err := recurrence.ParseCalendar(o.Data); err == nil {
			cals = append(cals, parsed)
		}
	}
	periods := calquery.FreeBusy(cals, start, end, h.opts(nil))
	var buf bytes.Buffer
	if err := calquery.Encode(&buf, calquery.EncodeFreeBusy(periods, start, end, h.now())); err != nil {
		return fmt.Errorf("caldav: encode free-busy: %w", err)
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
	return nil
}
