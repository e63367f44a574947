package caldav

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/recurrence"
)

type propfindReq struct {
	XMLName  xml.Name  `xml:"DAV: propfind"`
	AllProp  *struct{} `xml:"DAV: allprop"`
	PropName *struct{} `xml:"DAV: propname"`
	Prop     *propList `xml:"DAV: prop"`
	Include  *propList `xml:"DAV: include"`
}

// propEntry is a property a resource has. live properties that are costly
// or large are left out of allprop, as RFC 4918 §9.1 allows.
type propEntry struct {
	name    xml.Name
	value   any // a string (text), nil (empty) or an element type of xml.go
	allprop bool
}

// propQuery says which properties a request wants.
type propQuery struct {
	all   bool
	names bool
	want  []xml.Name
}

func (q propQuery) wants(n xml.Name) bool {
	for _, w := range q.want {
		if w == n {
			return true
		}
	}
	return false
}

// answer picks from what the resource has what the query asks for; asked
// names the resource lacks get 404 (RFC 4918 §9.1).
func (q propQuery) answer(have []propEntry) []prop {
	var out []prop
	switch {
	case q.names:
		for _, e := range have {
			out = append(out, prop{name: e.name})
		}
	case q.all:
		for _, e := range have {
			if e.allprop || q.wants(e.name) {
				out = append(out, prop{name: e.name, value: e.value})
			}
		}
	default:
		for _, n := range q.want {
			found := false
			for _, e := range have {
				if e.name == n {
					out = append(out, prop{name: n, value: e.value})
					found = true
					break
				}
			}
			if !found {
				out = append(out, prop{name: n, status: http.StatusNotFound})
			}
		}
	}
	return out
}

func readBody(r *http.Request, limit int64) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, &httpError{status: http.StatusBadRequest, message: "could not read the request body", cause: err}
	}
	if int64(len(body)) > limit {
		return nil, newError(http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", limit))
	}
	return body, nil
}

func parsePropfind(body []byte) (propQuery, error) {
	var req propfindReq
	if err := decodeXML(body, &req); err != nil {
		if isEmptyBody(err) {
			// RFC 4918 §9.1: an empty PROPFIND body means allprop.
			return propQuery{all: true}, nil
		}
		return propQuery{}, &httpError{status: http.StatusBadRequest, message: "malformed PROPFIND body", cause: err}
	}
	switch {
	case req.PropName != nil:
		return propQuery{names: true}, nil
	case req.AllProp != nil:
		return propQuery{all: true, want: req.Include.names()}, nil
	case req.Prop != nil:
		return propQuery{want: req.Prop.names()}, nil
	}
	return propQuery{}, newError(http.StatusBadRequest, "PROPFIND needs prop, allprop or propname")
}

// depth reads the Depth header: 0, 1 or infinity (the default, RFC 4918
// §9.1). Infinity is answered as 1: our tree is shallow and walking every
// object of every calendar is never what a client wants.
func depth(r *http.Request) (int, error) {
	switch strings.ToLower(strings.TrimSpace(r.Header.Get("Depth"))) {
	case "0":
		return 0, nil
	case "1", "", "infinity":
		return 1, nil
	}
	return 0, newError(http.StatusBadRequest, "Depth must be 0, 1 or infinity")
}

func (h *Handler) servePropfind(w http.ResponseWriter, r *http.Request, p davPath) error {
	body, err := readBody(r, maxXMLBody)
	if err != nil {
		return err
	}
	q, err := parsePropfind(body)
	if err != nil {
		return err
	}
	d, err := depth(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	res, err := h.resolve(ctx, p)
	if err != nil {
		return err
	}
	self, err := h.properties(ctx, res)
	if err != nil {
		return err
	}
	// The members are listed before the answer starts, so that a failing
	// store is still an error status.
	var children []resource
	if d == 1 {
		if children, err = h.children(ctx, res, q); err != nil {
			return err
		}
	}
	ms := h.newMultistatus(w, r)
	if err := ms.add(response{href: res.href, props: q.answer(self)}); err != nil {
		return err
	}
	for _, c := range children {
		props, err := h.properties(ctx, c)
		if err != nil {
			return ms.fail(err)
		}
		if err := ms.add(response{href: c.href, props: q.answer(props)}); err != nil {
			return err
		}
	}
	return ms.close("")
}

// children lists the members of res a Depth: 1 PROPFIND answers.
func (h *Handler) children(ctx context.Context, res resource, q propQuery) ([]resource, error) {
	me := res.user
	var children []resource
	switch res.path.kind {
	case kindRoot:
		children = append(children,
			resource{path: davPath{kind: kindPrincipals}, href: h.hrefs.principals(), user: me},
			resource{path: davPath{kind: kindCalendars}, href: h.hrefs.calendars(), user: me})
	case kindPrincipals:
		children = append(children, resource{path: davPath{kind: kindPrincipal, user: me.Username}, href: h.hrefs.principal(me.Username), user: me})
	case kindCalendars:
		children = append(children, resource{path: davPath{kind: kindHome, user: me.Username}, href: h.hrefs.home(me.Username), user: me})
	case kindHome:
		cals, err := h.store.Calendars(ctx, me.ID)
		if err != nil {
			return nil, fmt.Errorf("caldav: list calendars: %w", err)
		}
		for _, c := range cals {
			children = append(children, resource{
				path: davPath{kind: kindCalendar, user: me.Username, calendar: c.Slug},
				href: h.hrefs.calendar(me.Username, c.Slug), user: me, cal: c})
		}
	case kindInbox:
		items, err := h.store.InboxItems(ctx, me.ID, q.wants(cal("calendar-data")))
		if err != nil {
			return nil, fmt.Errorf("caldav: list inbox: %w", err)
		}
		for _, o := range items {
			children = append(children, resource{
				path: davPath{kind: kindInboxItem, user: me.Username, object: o.Name},
				href: h.hrefs.inbox(me.Username) + url.PathEscape(o.Name), user: me, obj: o})
		}
	case kindCalendar:
		withData := q.wants(cal("calendar-data"))
		objs, err := h.store.Objects(ctx, res.cal.ID, withData)
		if err != nil {
			return nil, fmt.Errorf("caldav: list objects: %w", err)
		}
		for _, o := range objs {
			children = append(children, resource{
				path: davPath{kind: kindObject, user: me.Username, calendar: res.cal.Slug, object: o.Name},
				href: h.hrefs.object(me.Username, res.cal.Slug, o.Name), user: me, cal: res.cal, obj: o})
		}
	}
	return children, nil
}

// properties lists the live properties of a resource with their values.
func (h *Handler) properties(ctx context.Context, res resource) ([]propEntry, error) {
	me := res.user
	// current-user-principal is in allprop: python-caldav's HTTP library
	// drops the PROPFIND body when it follows the 301 of .well-known, so
	// the discovery it relies on is an allprop of the root (RFC 4918 §9.1,
	// as Radicale answers it).
	common := []propEntry{
		{name: dav("current-user-principal"), value: hrefList{h.hrefs.principal(me.Username)}, allprop: true},
		{name: dav("principal-collection-set"), value: hrefList{h.hrefs.principals()}},
	}
	switch res.path.kind {
	case kindRoot, kindPrincipals, kindCalendars:
		return append(common,
			propEntry{name: dav("resourcetype"), value: emptyChildren{dav("collection")}, allprop: true},
			propEntry{name: dav("displayname"), value: "Veileder", allprop: true},
			propEntry{name: dav("current-user-privilege-set"), value: privileges(false)},
		), nil
	case kindPrincipal:
		addr := hrefList{h.hrefs.principal(me.Username)}
		if cal := recurrence.CalAddress(me.Email); cal != "" {
			addr = hrefList{cal, h.hrefs.principal(me.Username)}
		}
		return append(common,
			propEntry{name: dav("resourcetype"), value: emptyChildren{dav("collection"), dav("principal")}, allprop: true},
			propEntry{name: dav("displayname"), value: me.Name(), allprop: true},
			// The principal's essentials are in allprop too, for clients
			// that find them with an empty PROPFIND.
			propEntry{name: dav("principal-URL"), value: hrefList{h.hrefs.principal(me.Username)}, allprop: true},
			propEntry{name: dav("owner"), value: hrefList{h.hrefs.principal(me.Username)}},
			propEntry{name: cal("calendar-home-set"), value: hrefList{h.hrefs.home(me.Username)}, allprop: true},
			propEntry{name: cal("calendar-user-address-set"), value: addr, allprop: true},
			propEntry{name: cal("calendar-user-type"), value: "INDIVIDUAL"},
			// RFC 6638 §2.1, §2.2: where the calendar app finds
			// invitations and asks for free-busy.
			propEntry{name: cal("schedule-inbox-URL"), value: hrefList{h.hrefs.inbox(me.Username)}},
			propEntry{name: cal("schedule-outbox-URL"), value: hrefList{h.hrefs.outbox(me.Username)}},
			propEntry{name: cs("email-address-set"), value: emailAddresses(me)},
			propEntry{name: dav("current-user-privilege-set"), value: privileges(false)},
			propEntry{name: dav("supported-report-set")},
		), nil
	case kindHome:
		epoch, err := h.syncEpoch(ctx)
		if err != nil {
			return nil, err
		}
		seq, err := h.store.HomeSyncSeq(ctx, me.ID)
		if err != nil {
			return nil, fmt.Errorf("caldav: home sync position: %w", err)
		}
		return append(common,
			propEntry{name: dav("resourcetype"), value: emptyChildren{dav("collection")}, allprop: true},
			propEntry{name: dav("displayname"), value: me.Name(), allprop: true},
			propEntry{name: dav("owner"), value: hrefList{h.hrefs.principal(me.Username)}},
			propEntry{name: dav("current-user-privilege-set"), value: privileges(true)},
			// Apple Calendar lists the home with sync-collection when
			// it is advertised (RFC 6578 §3.1), to see new and deleted
			// calendars without a full PROPFIND.
			propEntry{name: dav("sync-token"), value: homeSyncToken(epoch, me, seq), allprop: true},
			propEntry{name: dav("supported-report-set"), value: reportSet{dav("sync-collection")}},
		), nil
	case kindCalendar:
		epoch, err := h.syncEpoch(ctx)
		if err != nil {
			return nil, err
		}
		return append(common, h.calendarProps(res.cal, me, epoch)...), nil
	case kindObject:
		return append(common, objectProps(res.obj, canWrite(me, res.cal))...), nil
	case kindInbox:
		return append(common,
			propEntry{name: dav("resourcetype"), value: emptyChildren{dav("collection"), cal("schedule-inbox")}, allprop: true},
			propEntry{name: dav("displayname"), value: "Inbox", allprop: true},
			propEntry{name: dav("owner"), value: hrefList{h.hrefs.principal(me.Username)}},
			propEntry{name: dav("current-user-privilege-set"), value: inboxPrivileges},
			// RFC 6638 §9.2: where an accepted invitation goes.
			propEntry{name: cal("schedule-default-calendar-URL"), value: hrefList{h.hrefs.calendar(me.Username, string(booking.KindPersonal))}},
			propEntry{name: cal("supported-calendar-component-set"), value: compSet{Comps: []compName{{Name: "VEVENT"}}}},
			propEntry{name: dav("supported-report-set"), value: reportSet{cal("calendar-multiget")}},
		), nil
	case kindOutbox:
		return append(common,
			propEntry{name: dav("resourcetype"), value: emptyChildren{dav("collection"), cal("schedule-outbox")}, allprop: true},
			propEntry{name: dav("displayname"), value: "Outbox", allprop: true},
			propEntry{name: dav("owner"), value: hrefList{h.hrefs.principal(me.Username)}},
			propEntry{name: dav("current-user-privilege-set"), value: outboxPrivileges},
		), nil
	case kindInboxItem:
		return append(common, objectProps(res.obj, true)...), nil
	}
	return nil, fmt.Errorf("caldav: no properties for %s", res.path.kind)
}

func (h *Handler) calendarProps(c booking.Calendar, me booking.User, epoch string) []propEntry {
	writable := canWrite(me, c)
	var comps compSet
	for _, comp := range c.Components {
		comps.Comps = append(comps.Comps, compName{Name: comp})
	}
	var data supportedCalendarData
	data.Data.ContentType, data.Data.Version = "text/calendar", "2.0"
	owner := h.hrefs.principal(me.Username)
	if c.Shared() {
		owner = h.hrefs.principals()
	}
	props := []propEntry{
		{name: dav("resourcetype"), value: emptyChildren{dav("collection"), cal("calendar")}, allprop: true},
		{name: dav("displayname"), value: c.DisplayName, allprop: true},
		{name: cal("calendar-description"), value: c.Description, allprop: true},
		{name: cal("supported-calendar-component-set"), value: comps},
		{name: cal("supported-calendar-data"), value: data},
		{name: cal("max-resource-size"), value: strconv.FormatInt(h.maxSize, 10)},
		{name: cal("max-instances"), value: strconv.Itoa(h.maxInstances)},
		{name: cal("max-attendees-per-instance"), value: strconv.Itoa(maxRecipients)},
		{name: cal("min-date-time"), value: "19000101T000000Z"},
		{name: cal("max-date-time"), value: "21001231T235959Z"},
		{name: cs("getctag"), value: ctag(epoch, c), allprop: true},
		{name: dav("sync-token"), value: syncToken(epoch, c), allprop: true},
		{name: dav("supported-report-set"), value: reportSet{cal("calendar-query"), cal("calendar-multiget"), dav("sync-collection"), cal("free-busy-query")}},
		{name: dav("current-user-privilege-set"), value: privileges(writable)},
		{name: dav("owner"), value: hrefList{owner}},
		{name: apple("calendar-order"), value: strconv.Itoa(c.Order)},
		{name: dav("getlastmodified"), value: httpDate(c.UpdatedAt)},
	}
	if c.Color != "" {
		props = append(props, propEntry{name: apple("calendar-color"), value: c.Color})
	}
	if c.TimeZone != "" {
		props = append(props, propEntry{name: cal("calendar-timezone"), value: c.TimeZone})
	}
	// Dead properties are part of allprop (RFC 4918 §9.1).
	keys := make([]string, 0, len(c.Properties))
	for k := range c.Properties {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if n, ok := parsePropKey(k); ok {
			props = append(props, propEntry{name: n, value: rawXML{Inner: c.Properties[k]}, allprop: true})
		}
	}
	return props
}

func objectProps(o booking.CalendarObject, writable bool) []propEntry {
	props := []propEntry{
		{name: dav("resourcetype"), allprop: true},
		{name: dav("getetag"), value: quoteETag(o.ETag), allprop: true},
		{name: dav("getcontenttype"), value: contentType(o.Component), allprop: true},
		{name: dav("getlastmodified"), value: httpDate(o.ModifiedAt), allprop: true},
		{name: dav("current-user-privilege-set"), value: privileges(writable)},
	}
	// The stored length, also in a listing that read no data: cadaver's
	// ls shows every object as missing when it gets a 404 for it.
	size := o.Size
	if len(o.Data) > 0 {
		size = int64(len(o.Data))
		props = append(props, propEntry{name: cal("calendar-data"), value: string(o.Data)})
	}
	props = append(props, propEntry{name: dav("getcontentlength"), value: strconv.FormatInt(size, 10), allprop: true})
	return props
}

func contentType(component string) string {
	if component == "" {
		return "text/calendar; charset=utf-8"
	}
	return "text/calendar; charset=utf-8; component=" + strings.ToLower(component)
}

func httpDate(t time.Time) string {
	if t.IsZero() {
		t = time.Unix(0, 0)
	}
	return t.UTC().Format(http.TimeFormat)
}

func quoteETag(etag string) string { return `"` + etag + `"` }

func emailAddresses(u booking.User) any {
	if u.Email == "" {
		return nil
	}
	return emailSet{Emails: []string{u.Email}}
}

// privileges is DAV:current-user-privilege-set (RFC 3744 §5.4).
// Read-only calendars (the shared drop-in calendar for non-coordinators)
// lack the write privileges, which clients show as a lock.
func privileges(writable bool) privilegeSet {
	if writable {
		return readWritePrivileges
	}
	return readPrivileges
}

// The scheduling collections' privileges (RFC 6638 §6): the owner reads
// and empties the inbox, and sends (free-busy requests) through the outbox.
var (
	inboxPrivileges  = privilegeSet{dav("read"), dav("unbind"), dav("read-current-user-privilege-set"), cal("schedule-deliver")}
	outboxPrivileges = privilegeSet{dav("read"), dav("read-current-user-privilege-set"), cal("schedule-send")}
)

var (
	readPrivileges      = privilegeSet{dav("read"), dav("read-current-user-privilege-set"), cal("read-free-busy")}
	readWritePrivileges = append(readPrivileges[:len(readPrivileges):len(readPrivileges)], dav("all"), dav("write"),
		dav("write-properties"), dav("write-content"), dav("bind"), dav("unbind"))
)
