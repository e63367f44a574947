package caldav

import (
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/veileder/veileder/booking"
)

// propertyUpdate is a PROPPATCH body (RFC 4918 §14.19).
type propertyUpdate struct {
	XMLName xml.Name    `xml:"DAV: propertyupdate"`
	Set     []setRemove `xml:"DAV: set"`
	Remove  []setRemove `xml:"DAV: remove"`
}

type setRemove struct {
	Prop propValues `xml:"DAV: prop"`
}

type propValues struct {
	Props []valueElem `xml:",any"`
}

// valueElem is a property with its value: text for the text properties we
// store, the components of supported-calendar-component-set, the child
// names of resourcetype, and the whole content as self-contained XML for
// properties we keep as they are (dead properties).
type valueElem struct {
	XMLName  xml.Name
	Text     string
	Comps    []string   // name attributes of C:comp children
	Children []xml.Name // names of the child elements
	Raw      string     // the content, re-encoded with its own namespace declarations
}

// UnmarshalXML reads a property element. The content is re-encoded token by
// token so that it no longer depends on prefixes declared by its ancestors
// in the request, and can be stored and served alone.
func (v *valueElem) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	v.XMLName = start.Name
	var raw strings.Builder
	enc := xml.NewEncoder(&raw)
	var text strings.Builder
	depth := 0
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				v.Children = append(v.Children, t.Name)
				if t.Name == cal("comp") {
					for _, a := range t.Attr {
						if a.Name.Local == "name" {
							v.Comps = append(v.Comps, a.Value)
						}
					}
				}
			}
			depth++
			// Drop the request's xmlns attributes: the encoder declares
			// what each element needs.
			clean := xml.StartElement{Name: t.Name}
			for _, a := range t.Attr {
				if a.Name.Space != "xmlns" && !(a.Name.Space == "" && a.Name.Local == "xmlns") {
					clean.Attr = append(clean.Attr, a)
				}
			}
			if err := enc.EncodeToken(clean); err != nil {
				return err
			}
		case xml.EndElement:
			if depth == 0 {
				if err := enc.Flush(); err != nil {
					return err
				}
				v.Text, v.Raw = text.String(), raw.String()
				return nil
			}
			depth--
			if err := enc.EncodeToken(t); err != nil {
				return err
			}
		case xml.CharData:
			if depth == 0 {
				text.Write(t)
			}
			if err := enc.EncodeToken(t.Copy()); err != nil {
				return err
			}
		}
	}
}

// propKey names a property in Calendar.Properties.
func propKey(n xml.Name) string { return "{" + n.Space + "}" + n.Local }

// parsePropKey is the inverse of propKey.
func parsePropKey(k string) (xml.Name, bool) {
	rest, ok := strings.CutPrefix(k, "{")
	if !ok {
		return xml.Name{}, false
	}
	space, local, ok := strings.Cut(rest, "}")
	return xml.Name{Space: space, Local: local}, ok && local != ""
}

// protectedProps are live properties a client may not set.
var protectedProps = map[xml.Name]bool{
	dav("resourcetype"): true, dav("getetag"): true, dav("getcontenttype"): true, dav("getcontentlength"): true,
	dav("getlastmodified"): true, dav("creationdate"): true, dav("sync-token"): true, dav("owner"): true,
	dav("current-user-privilege-set"): true, dav("current-user-principal"): true, dav("supported-report-set"): true,
	dav("principal-collection-set"): true, dav("lockdiscovery"): true, dav("supportedlock"): true,
	cs("getctag"): true, cal("supported-calendar-component-set"): true, cal("supported-calendar-data"): true,
	cal("max-resource-size"): true, cal("min-date-time"): true, cal("max-date-time"): true,
	cal("max-instances"): true, cal("max-attendees-per-instance"): true, cal("calendar-home-set"): true,
}

// Bounds on what clients may store as other properties.
const (
	maxDeadProps     = 50
	maxDeadPropBytes = 4096
)

var colorRE = regexp.MustCompile(`^#[0-9A-Fa-f]{6}([0-9A-Fa-f]{2})?$`)

// applyProp sets (or with remove, clears) one writable calendar property.
// It returns an error whose status is the property's propstat status.
func applyProp(c *booking.Calendar, v valueElem, remove bool) *httpError {
	text := strings.TrimSpace(v.Text)
	if remove {
		text = ""
	}
	switch v.XMLName {
	case dav("displayname"):
		if len(text) > 200 {
			return newError(http.StatusBadRequest, "display name longer than 200 characters")
		}
		c.DisplayName = text
	case cal("calendar-description"):
		if len(text) > 2000 {
			return newError(http.StatusBadRequest, "description longer than 2000 characters")
		}
		c.Description = text
	case apple("calendar-color"):
		if text != "" && !colorRE.MatchString(text) {
			return newError(http.StatusBadRequest, "colour must be #RRGGBB or #RRGGBBAA")
		}
		c.Color = text
	case apple("calendar-order"):
		if text == "" {
			c.Order = 0
			break
		}
		n, err := strconv.Atoi(text)
		if err != nil {
			return newError(http.StatusBadRequest, "calendar-order must be a whole number")
		}
		c.Order = n
	case cal("calendar-timezone"):
		if text != "" && !strings.Contains(text, "BEGIN:VTIMEZONE") {
			return preconditionError(http.StatusForbidden, cal("valid-calendar-data"), "calendar-timezone must hold a VTIMEZONE")
		}
		c.TimeZone = strings.TrimSpace(v.Text)
		if remove {
			c.TimeZone = ""
		}
	default:
		if protectedProps[v.XMLName] || v.XMLName.Space == "" {
			return &httpError{status: http.StatusForbidden, message: "property cannot be changed", precondition: dav("cannot-modify-protected-property")}
		}
		// Any other property is kept as the client sent it (RFC 4918 dead
		// property), so that apps find their settings again.
		key := propKey(v.XMLName)
		_, exists := c.Properties[key]
		switch {
		case remove:
		case len(v.Raw) > maxDeadPropBytes:
			return newError(http.StatusInsufficientStorage, "property value too large")
		case !exists && len(c.Properties) >= maxDeadProps:
			return newError(http.StatusInsufficientStorage, "too many properties on this calendar")
		}
		// Copy, so that a PROPPATCH that fails later leaves the calendar
		// it started from untouched.
		props := make(map[string]string, len(c.Properties)+1)
		for k, val := range c.Properties {
			props[k] = val
		}
		if remove {
			delete(props, key)
		} else {
			props[key] = v.Raw
		}
		c.Properties = props
	}
	return nil
}

// serveProppatch changes calendar properties, all or none (RFC 4918 §9.2):
// when one property fails, the others answer 424 and nothing is stored.
func (h *Handler) serveProppatch(w http.ResponseWriter, r *http.Request, p davPath) error {
	body, err := readBody(r, maxXMLBody)
	if err != nil {
		return err
	}
	var upd propertyUpdate
	if err := decodeXML(body, &upd); err != nil {
		return &httpError{status: http.StatusBadRequest, message: "malformed PROPPATCH body", cause: err}
	}
	ctx := r.Context()
	res, err := h.resolve(ctx, p)
	if err != nil {
		return err
	}
	type op struct {
		v      valueElem
		remove bool
	}
	var ops []op
	for _, s := range upd.Remove {
		for _, v := range s.Prop.Props {
			ops = append(ops, op{v, true})
		}
	}
	for _, s := range upd.Set {
		for _, v := range s.Prop.Props {
			ops = append(ops, op{v, false})
		}
	}
	results := make([]prop, len(ops))
	failed := false
	updated := res.cal
	for i, o := range ops {
		results[i] = prop{name: o.v.XMLName}
		var perr *httpError
		switch {
		case p.kind != kindCalendar:
			perr = newError(http.StatusForbidden, "only calendar properties can be changed")
		case !canWrite(res.user, res.cal):
			perr = newError(http.StatusForbidden, "read-only calendar")
		default:
			perr = applyProp(&updated, o.v, o.remove)
		}
		if perr != nil {
			results[i].status = perr.status
			failed = true
		}
	}
	if failed {
		for i := range results {
			if results[i].status == 0 {
				results[i].status = http.StatusFailedDependency
			}
		}
	} else if len(ops) > 0 {
		if _, err := h.store.UpdateCalendar(ctx, updated); err != nil {
			return fmt.Errorf("caldav: update calendar %q: %w", res.cal.Slug, err)
		}
	}
	ms := h.newMultistatus(w, r)
	if err := ms.add(response{href: res.href, props: results}); err != nil {
		return err
	}
	return ms.close("")
}

// mkcalendarReq is a MKCALENDAR body (RFC 4791 §5.3.1) or an extended MKCOL
// body (RFC 5689 §5.1); both carry properties in a DAV:set.
type mkcalendarReq struct {
	XMLName xml.Name
	Set     []setRemove `xml:"DAV: set"`
}

var supportedComponents = map[string]bool{"VEVENT": true, "VTODO": true, "VJOURNAL": true}

// serveMkcalendar creates a calendar in the user's own home.
func (h *Handler) serveMkcalendar(w http.ResponseWriter, r *http.Request, p davPath) error {
	if p.kind != kindCalendar {
		return preconditionError(http.StatusForbidden, cal("calendar-collection-location-ok"), "calendars can be made only directly in your calendar home")
	}
	me := userFrom(r.Context())
	if p.user != me.Username {
		return newError(http.StatusForbidden, "this belongs to another user")
	}
	body, err := readBody(r, maxXMLBody)
	if err != nil {
		return err
	}
	c := booking.Calendar{OwnerID: me.ID, Slug: p.calendar, Kind: booking.KindOther,
		DisplayName: p.calendar, Components: []string{"VEVENT", "VTODO"}}
	var req mkcalendarReq
	switch err := decodeXML(body, &req); {
	case isEmptyBody(err):
		if r.Method == "MKCOL" {
			return newError(http.StatusForbidden, "only calendar collections can be made; send an extended MKCOL body with a calendar resourcetype")
		}
	case err != nil:
		return &httpError{status: http.StatusBadRequest, message: "malformed request body", cause: err}
	case r.Method == "MKCALENDAR" && req.XMLName != cal("mkcalendar"),
		r.Method == "MKCOL" && req.XMLName != dav("mkcol"):
		return newError(http.StatusBadRequest, "unexpected root element")
	}
	isCalendar := r.Method == "MKCALENDAR"
	for _, s := range req.Set {
		for _, v := range s.Prop.Props {
			switch v.XMLName {
			case dav("resourcetype"):
				for _, child := range v.Children {
					if child == cal("calendar") {
						isCalendar = true
					}
				}
			case cal("supported-calendar-component-set"):
				var comps []string
				for _, cp := range v.Comps {
					name := strings.ToUpper(cp)
					if !supportedComponents[name] {
						return preconditionError(http.StatusForbidden, cal("supported-calendar-component"), "unsupported component "+cp)
					}
					comps = append(comps, name)
				}
				if len(comps) > 0 {
					c.Components = comps
				}
			default:
				// A protected property among the initial ones is ignored
				// rather than failing the creation, which clients show as
				// an error; others are stored (RFC 4791 §5.3.1).
				if perr := applyProp(&c, v, false); perr != nil && perr.status != http.StatusForbidden {
					return perr
				}
			}
		}
	}
	if !isCalendar {
		return newError(http.StatusForbidden, "only calendar collections can be made")
	}
	if err := booking.ValidCalendarSlug(p.calendar); err != nil {
		return &httpError{status: http.StatusForbidden, message: err.Error(), cause: err}
	}
	if _, err := h.store.CalendarBySlug(r.Context(), me.ID, p.calendar); err == nil {
		// RFC 4791 §5.3.1.2 DAV:resource-must-be-null.
		return preconditionError(http.StatusMethodNotAllowed, dav("resource-must-be-null"), "a calendar of that name exists")
	} else if !isNotFound(err) {
		return err
	}
	if _, err := h.store.CreateCalendar(r.Context(), c); err != nil {
		if errors.Is(err, booking.ErrConflict) {
			return preconditionError(http.StatusMethodNotAllowed, dav("resource-must-be-null"), "a calendar of that name exists")
		}
		return fmt.Errorf("caldav: create calendar %q: %w", p.calendar, err)
	}
	w.Header().Set("Location", h.hrefs.calendar(me.Username, p.calendar))
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusCreated)
	return nil
}

// deleteCalendar removes a calendar the user made. The availability and
// bookings calendars and the shared drop-in calendar are part of how
// Veileder works and cannot be deleted from a calendar app.
func (h *Handler) deleteCalendar(w http.ResponseWriter, r *http.Request, res resource) error {
	c := res.cal
	if c.Shared() || c.OwnerID != res.user.ID {
		return newError(http.StatusForbidden, "this calendar cannot be deleted")
	}
	if c.Kind == booking.KindAvailability || c.Kind == booking.KindBookings {
		return newError(http.StatusForbidden, "the availability and bookings calendars cannot be deleted")
	}
	if err := h.store.DeleteCalendar(r.Context(), c.ID); err != nil {
		return fmt.Errorf("caldav: delete calendar %q: %w", c.Slug, err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
