package caldav

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-webdav"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/recurrence"
)

// resolveCalendar finds the calendar of an object path; the object itself
// need not exist.
func (h *Handler) resolveCalendar(ctx context.Context, p davPath) (resource, error) {
	cp := p
	cp.kind, cp.object = kindCalendar, ""
	res, err := h.resolve(ctx, cp)
	if err != nil {
		return res, err
	}
	res.path = p
	res.href = h.hrefs.object(res.user.Username, res.cal.Slug, p.object)
	return res, nil
}

func (h *Handler) serveGet(w http.ResponseWriter, r *http.Request, p davPath) error {
	ctx := r.Context()
	res, err := h.resolve(ctx, p)
	if err != nil {
		return err
	}
	switch p.kind {
	case kindObject, kindInboxItem:
	case kindCalendar:
		return h.serveCalendarExport(w, r, res)
	default:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = fmt.Fprintln(w, "Veileder CalDAV server. Point your calendar app at this address.")
		return nil
	}
	etag := quoteETag(res.obj.ETag)
	if im := r.Header.Get("If-Match"); im != "" && !etagListMatches(im, res.obj.ETag) {
		return newError(http.StatusPreconditionFailed, "If-Match does not match")
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Last-Modified", httpDate(res.obj.ModifiedAt))
	w.Header().Set("Content-Type", contentType(res.obj.Component))
	if inm := r.Header.Get("If-None-Match"); inm != "" && etagListMatches(inm, res.obj.ETag) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	w.Header().Set("Content-Length", fmt.Sprint(len(res.obj.Data)))
	if r.Method == http.MethodHead {
		return nil
	}
	_, _ = w.Write(res.obj.Data)
	return nil
}

// serveCalendarExport answers GET on a calendar with all its objects as
// one iCalendar file, for a "download calendar" link.
func (h *Handler) serveCalendarExport(w http.ResponseWriter, r *http.Request, res resource) error {
	objs, err := h.store.Objects(r.Context(), res.cal.ID, true)
	if err != nil {
		return fmt.Errorf("caldav: export %q: %w", res.cal.Slug, err)
	}
	out := ical.NewCalendar()
	out.Props.SetText(ical.PropVersion, "2.0")
	out.Props.SetText(ical.PropProductID, "-//Veileder//CalDAV//EN")
	out.Props.SetText("X-WR-CALNAME", res.cal.DisplayName)
	seenTZ := map[string]bool{}
	for _, o := range objs {
		c, err := recurrence.ParseCalendar(o.Data)
		if err != nil {
			h.logger.Warn("caldav: stored object does not parse", "calendar", res.cal.ID, "name", o.Name, "err", err)
			continue
		}
		for _, child := range c.Children {
			if child.Name == ical.CompTimezone {
				id := child.Props.Get(ical.PropTimezoneID)
				if id == nil || seenTZ[id.Value] {
					continue
				}
				seenTZ[id.Value] = true
			}
			out.Children = append(out.Children, child)
		}
	}
	var buf bytes.Buffer
	if len(out.Children) > 0 {
		if err := ical.NewEncoder(&buf).Encode(out); err != nil {
			return fmt.Errorf("caldav: encode export: %w", err)
		}
	} else {
		buf.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Veileder//CalDAV//EN\r\nEND:VCALENDAR\r\n")
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	epoch, err := h.syncEpoch(r.Context())
	if err != nil {
		return err
	}
	w.Header().Set("ETag", quoteETag(ctag(epoch, res.cal)))
	if r.Method == http.MethodHead {
		return nil
	}
	_, _ = w.Write(buf.Bytes())
	return nil
}

// etagListMatches implements the strong comparison of RFC 9110 §13.1.1 for
// a list of entity tags or "*". A weak tag never matches strongly.
func etagListMatches(header, etag string) bool {
	for _, part := range strings.Split(header, ",") {
		part = strings.TrimSpace(part)
		if part == "*" {
			return true
		}
		if strings.HasPrefix(part, "W/") {
			continue
		}
		if m, err := webdav.ConditionalMatch(part).ETag(); err == nil && m == etag {
			return true
		}
	}
	return false
}

// writeCondition turns If-Match and If-None-Match into a store condition.
// A list of tags is narrowed to the one that matches the stored object
// (read now), so that the store's atomic check then decides.
func (h *Handler) writeCondition(ctx context.Context, r *http.Request, calendarID int64, name string) (booking.WriteCondition, error) {
	var cond booking.WriteCondition
	im := strings.TrimSpace(r.Header.Get("If-Match"))
	inm := strings.TrimSpace(r.Header.Get("If-None-Match"))
	if im == "" && inm == "" {
		return cond, nil
	}
	current := ""
	if cur, err := h.store.Object(ctx, calendarID, name); err == nil {
		current = cur.ETag
	} else if !isNotFound(err) {
		return cond, err
	}
	if im != "" {
		switch {
		case im == "*":
			cond.IfMatch = "*"
		case current != "" && etagListMatches(im, current):
			cond.IfMatch = current
		default:
			return cond, newError(http.StatusPreconditionFailed, "If-Match does not match the stored object")
		}
	}
	if inm != "" {
		switch {
		case inm == "*":
			cond.IfNoneMatchAny = true
		case current != "" && etagListMatches(inm, current):
			return cond, newError(http.StatusPreconditionFailed, "If-None-Match matches the stored object")
		case current != "":
			cond.IfNoneMatch = "" // the stored tag is not in the list; the store re-checks IfMatch if any
		}
	}
	return cond, nil
}

func (h *Handler) servePut(w http.ResponseWriter, r *http.Request, p davPath) error {
	if p.kind != kindObject {
		return newError(http.StatusMethodNotAllowed, "PUT is for calendar objects")
	}
	ctx := r.Context()
	res, err := h.resolveCalendar(ctx, p)
	if err != nil {
		return err
	}
	if !canWrite(res.user, res.cal) {
		return &httpError{status: http.StatusForbidden, precondition: dav("need-privileges"), message: "read-only calendar"}
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil || !strings.EqualFold(mt, "text/calendar") {
			return preconditionError(http.StatusUnsupportedMediaType, cal("supported-calendar-data"), "calendar objects must be text/calendar")
		}
		// RFC 5545 §6: UTF-8 is the charset; US-ASCII is a subset of it.
		if cs := strings.ToLower(params["charset"]); cs != "" && cs != "utf-8" && cs != "utf8" && cs != "us-ascii" {
			return preconditionError(http.StatusUnsupportedMediaType, cal("supported-calendar-data"), "calendar objects must be UTF-8, not "+cs)
		}
	}
	if r.ContentLength > h.maxSize {
		return preconditionError(http.StatusRequestEntityTooLarge, cal("max-resource-size"), fmt.Sprintf("calendar objects are limited to %d bytes", h.maxSize))
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, h.maxSize+1))
	if err != nil {
		return &httpError{status: http.StatusBadRequest, message: "could not read the body", cause: err}
	}
	if int64(len(data)) > h.maxSize {
		return preconditionError(http.StatusRequestEntityTooLarge, cal("max-resource-size"), fmt.Sprintf("calendar objects are limited to %d bytes", h.maxSize))
	}
	// RFC 4791 §5.3.2.1: a body that is not a calendar object resource
	// this calendar takes is refused (asHTTPError names the precondition).
	v, err := recurrence.Validate(data, res.cal.AcceptsComponent, recurrence.Options{Location: h.loc})
	if err != nil {
		return err
	}
	obj := booking.CalendarObject{
		CalendarID: res.cal.ID, Name: p.object, UID: v.UID, Component: v.Component, Data: data,
		FirstStart: v.FirstStart, LastEnd: v.LastEnd, Parsed: v.Calendar,
	}
	cond, err := h.writeCondition(ctx, r, res.cal.ID, p.object)
	if err != nil {
		return err
	}
	// RFC 6638 §3.2: an organizer's event tells its attendees. The
	// stored version it replaces says who was dropped; when messages go
	// out, its ETag becomes the condition, so that they are worked out
	// against the version the write replaces.
	var before *booking.CalendarObject
	if schedulable(res.user, res.cal) {
		switch cur, err := h.store.Object(ctx, res.cal.ID, p.object); {
		case err == nil:
			before = &cur
		case isNotFound(err):
		default:
			return err
		}
	}
	sc, err := h.schedulePut(ctx, res.user, res.cal, v.Calendar, data, before)
	if err != nil {
		return err
	}
	if len(sc.out) > 0 && before != nil && (cond.IfMatch == "" || cond.IfMatch == "*") {
		cond.IfMatch = before.ETag
	}
	if sc.data != nil {
		obj.Data = sc.data
	}
	stored, created, err := h.store.PutScheduledObject(ctx, obj, cond, sc.out)
	switch {
	case errors.Is(err, booking.ErrConflict):
		return preconditionError(http.StatusConflict, cal("no-uid-conflict"), "another object in this calendar has the same UID")
	case err != nil:
		return fmt.Errorf("caldav: put %q: %w", p.object, err)
	}
	// RFC 4791 §5.3.4: when what is stored is not what the client sent (a
	// hook changed it in the same transaction), no ETag, so the client
	// fetches the stored version instead of trusting its own.
	if bytes.Equal(stored.Data, data) {
		w.Header().Set("ETag", quoteETag(stored.ETag))
	}
	w.Header().Set("Last-Modified", httpDate(stored.ModifiedAt))
	if created {
		w.Header().Set("Location", res.href)
		w.WriteHeader(http.StatusCreated)
	} else {
		w.WriteHeader(http.StatusNoContent)
	}
	return nil
}

func (h *Handler) serveDelete(w http.ResponseWriter, r *http.Request, p davPath) error {
	ctx := r.Context()
	switch p.kind {
	case kindCalendar:
		res, err := h.resolve(ctx, p)
		if err != nil {
			return err
		}
		return h.deleteCalendar(w, r, res)
	case kindInboxItem:
		// The calendar app has handled the message (RFC 6638 §2.2).
		if err := h.store.DeleteInboxItem(ctx, userFrom(ctx).ID, p.object); err != nil {
			return fmt.Errorf("caldav: delete inbox item %q: %w", p.object, err)
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	case kindObject:
	default:
		return newError(http.StatusForbidden, "this cannot be deleted")
	}
	res, err := h.resolveCalendar(ctx, p)
	if err != nil {
		return err
	}
	if !canWrite(res.user, res.cal) {
		return &httpError{status: http.StatusForbidden, precondition: dav("need-privileges"), message: "read-only calendar"}
	}
	cond, err := h.writeCondition(ctx, r, res.cal.ID, p.object)
	if err != nil {
		return err
	}
	// RFC 6638 §3.2.3: deleting an organizer's event cancels it for the
	// attendees, worked out from the version deleted (its ETag is the
	// condition).
	var out []booking.ITIPDelivery
	if schedulable(res.user, res.cal) {
		cur, err := h.store.Object(ctx, res.cal.ID, p.object)
		if err != nil {
			return fmt.Errorf("caldav: delete %q: %w", p.object, err)
		}
		if out, err = h.scheduleDelete(ctx, res.user, res.cal, cur); err != nil {
			return err
		}
		if len(out) > 0 && (cond.IfMatch == "" || cond.IfMatch == "*") {
			cond.IfMatch = cur.ETag
		}
	}
	if err := h.store.DeleteScheduledObject(ctx, res.cal.ID, p.object, cond, out); err != nil {
		return fmt.Errorf("caldav: delete %q: %w", p.object, err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
