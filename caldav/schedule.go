package caldav

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/caldav/calquery"
	"github.com/veileder/veileder/recurrence"
)

// Scheduling (RFC 6638): the server is the one that tells attendees, so a
// calendar app that sees calendar-auto-schedule sends no invitations of its
// own. When a staff member stores an event they organize in one of their
// own calendars, every attendee the server schedules (SCHEDULE-AGENT absent
// or SERVER) gets an iTIP REQUEST (RFC 5546): a Veileder user in their
// schedule inbox, anybody else by e-mail (iMIP, RFC 6047) through the
// outbox, in the write's transaction. An attendee dropped from the event,
// and every attendee of a deleted one, gets a CANCEL. SCHEDULE-STATUS on
// each scheduled ATTENDEE of the stored copy says what was done.
//
// Not done: replies from attendees (an attendee's PARTSTAT change is stored
// in their copy and not sent to the organizer), counter-proposals, the
// automatic placing of an invitation in the attendee's calendar, and
// scheduling of to-dos. The bookings calendar is never scheduled: Veileder
// writes its events and sends the student its own e-mails.

// maxRecipients bounds the attendees one write schedules and one free-busy
// request asks about (advertised as CALDAV:max-attendees-per-instance).
const maxRecipients = 100

// maxFreeBusyRange bounds the time a free-busy request covers.
const maxFreeBusyRange = 366 * 24 * time.Hour

// iTIP status codes for SCHEDULE-STATUS and request-status (RFC 5546
// §3.6, RFC 6638 §3.2.9).
const (
	statusSent        = "1.1"
	statusDelivered   = "1.2"
	statusSuccess     = "2.0;Success"
	statusUnknownUser = "3.7;Invalid calendar user"
)

// schedulable says whether writes to c by me are scheduled: their own
// personal and other calendars. Not the bookings calendar (Veileder writes
// those events and mails the student itself), not availability (offered
// windows invite nobody), not a shared calendar.
func schedulable(me booking.User, c booking.Calendar) bool {
	return !c.Shared() && c.OwnerID == me.ID && (c.Kind == booking.KindPersonal || c.Kind == booking.KindOther)
}

// emailOf is the address of a mailto: cal-address, lower case, or "".
func emailOf(calAddress string) string {
	v := strings.TrimSpace(calAddress)
	if len(v) < len("mailto:") || !strings.EqualFold(v[:len("mailto:")], "mailto:") {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(v[len("mailto:"):]))
}

// attendee is an ATTENDEE the server may schedule.
type attendee struct {
	email string
	props []*ical.Prop // the ATTENDEE properties of it, one per component
}

// organizedBy returns the events of c, if me organizes them: the ORGANIZER
// of the first VEVENT is one of me's addresses (RFC 6638 §3.1).
func organizedBy(me booking.User, c *ical.Calendar) []*ical.Component {
	var events []*ical.Component
	for _, child := range c.Children {
		if child.Name == ical.CompEvent {
			events = append(events, child)
		}
	}
	if len(events) == 0 || me.Email == "" {
		return nil
	}
	org := events[0].Props.Get(ical.PropOrganizer)
	if org == nil || emailOf(org.Value) != strings.ToLower(strings.TrimSpace(me.Email)) {
		return nil
	}
	return events
}

// scheduledAttendees lists the attendees of events the server schedules:
// not the organizer, and not those whose SCHEDULE-AGENT is CLIENT or NONE
// (RFC 6638 §7.1: the client, or nobody, tells them).
func scheduledAttendees(me booking.User, events []*ical.Component) []*attendee {
	self := strings.ToLower(strings.TrimSpace(me.Email))
	var out []*attendee
	byEmail := map[string]*attendee{}
	for _, ev := range events {
		props := ev.Props[ical.PropAttendee]
		for i := range props {
			p := &props[i]
			if p.Params == nil {
				p.Params = ical.Params{}
			}
			email := emailOf(p.Value)
			if email == "" || email == self {
				continue
			}
			if agent := strings.ToUpper(p.Params.Get("SCHEDULE-AGENT")); agent != "" && agent != "SERVER" {
				continue
			}
			a := byEmail[email]
			if a == nil {
				a = &attendee{email: email}
				byEmail[email] = a
				out = append(out, a)
			}
			a.props = append(a.props, p)
		}
	}
	return out
}

// sequenceOf is the SEQUENCE of the first event, 0 when absent.
func sequenceOf(events []*ical.Component) int {
	if p := events[0].Props.Get(ical.PropSequence); p != nil {
		if n, err := strconv.Atoi(strings.TrimSpace(p.Value)); err == nil && n >= 0 {
			return n
		}
	}
	return 0
}

// itipMessage is c as an iTIP message of method (RFC 5546 §3.2): a copy
// with METHOD, without the organizer's alarms and without the scheduling
// parameters that are for the server alone (RFC 6638 §3.2). A CANCEL marks
// each event cancelled with sequence seq.
func itipMessage(c *ical.Calendar, method string, seq int, now time.Time) ([]byte, error) {
	var buf bytes.Buffer
	if err := ical.NewEncoder(&buf).Encode(c); err != nil {
		return nil, err
	}
	msg, err := recurrence.ParseCalendar(buf.Bytes())
	if err != nil {
		return nil, err
	}
	msg.Props.Set(&ical.Prop{Name: ical.PropMethod, Params: ical.Params{}, Value: method})
	stamp := now.UTC().Format("20060102T150405Z")
	for _, ev := range msg.Children {
		if ev.Name != ical.CompEvent {
			continue
		}
		var kept []*ical.Component
		for _, sub := range ev.Children {
			if sub.Name != ical.CompAlarm {
				kept = append(kept, sub)
			}
		}
		ev.Children = kept
		for _, name := range []string{ical.PropOrganizer, ical.PropAttendee} {
			for i := range ev.Props[name] {
				for _, param := range []string{"SCHEDULE-AGENT", "SCHEDULE-STATUS", "SCHEDULE-FORCE-SEND"} {
					ev.Props[name][i].Params.Del(param)
				}
			}
		}
		// Set, not SetText, which would mark the values VALUE=TEXT.
		ev.Props.Set(&ical.Prop{Name: ical.PropDateTimeStamp, Params: ical.Params{}, Value: stamp})
		if method == "CANCEL" {
			ev.Props.Set(&ical.Prop{Name: ical.PropStatus, Params: ical.Params{}, Value: "CANCELLED"})
			ev.Props.Set(&ical.Prop{Name: ical.PropSequence, Params: ical.Params{}, Value: strconv.Itoa(seq)})
		}
	}
	buf.Reset()
	if err := ical.NewEncoder(&buf).Encode(msg); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// deliveries makes one delivery of data per attendee: to the inbox of a
// Veileder user, else by e-mail. It returns, per attendee, the
// SCHEDULE-STATUS the delivery earns.
func (h *Handler) deliveries(ctx context.Context, as []*attendee, method, uid string, seq int, data []byte) ([]booking.ITIPDelivery, []string, error) {
	out := make([]booking.ITIPDelivery, 0, len(as))
	statuses := make([]string, 0, len(as))
	for _, a := range as {
		d := booking.ITIPDelivery{Recipient: a.email, Method: method, UID: uid, Sequence: seq, Data: data}
		status := statusSent
		u, err := h.store.UserByEmail(ctx, a.email)
		switch {
		case err == nil:
			d.UserID, status = u.ID, statusDelivered
		case !isNotFound(err):
			return nil, nil, fmt.Errorf("caldav: attendee %s: %w", a.email, err)
		}
		out = append(out, d)
		statuses = append(statuses, status)
	}
	return out, statuses, nil
}

// scheduledChange is what a write of an organizer's event hands out.
type scheduledChange struct {
	out  []booking.ITIPDelivery
	data []byte // the data to store instead of the client's, nil to keep it
}

// schedulePut works out the iTIP messages of a PUT of c over before (nil
// for a new object) in calendar target (RFC 6638 §3.2.1, §3.2.2): a REQUEST
// to every scheduled attendee when the event changed in more than its
// scheduling details, a CANCEL to every attendee dropped from it; and the
// data to store, with SCHEDULE-STATUS on the scheduled attendees.
func (h *Handler) schedulePut(ctx context.Context, me booking.User, target booking.Calendar, c *ical.Calendar, data []byte, before *booking.CalendarObject) (scheduledChange, error) {
	var sc scheduledChange
	if !schedulable(me, target) {
		return sc, nil
	}
	events := organizedBy(me, c)
	var old *ical.Calendar
	var oldEvents []*ical.Component
	if before != nil {
		if parsed, err := recurrence.ParseCalendar(before.Data); err == nil {
			old, oldEvents = parsed, organizedBy(me, parsed)
		}
	}
	if events == nil && oldEvents == nil {
		return sc, nil
	}
	now := h.now()
	var current []*attendee
	if events != nil {
		current = scheduledAttendees(me, events)
	}
	if len(current) > maxRecipients {
		return sc, preconditionError(http.StatusForbidden, cal("max-attendees-per-instance"), fmt.Sprintf("an event is scheduled with at most %d attendees", maxRecipients))
	}
	// Attendees dropped since the stored version are told it is off.
	if oldEvents != nil {
		still := map[string]bool{}
		for _, a := range current {
			still[a.email] = true
		}
		var dropped []*attendee
		for _, a := range scheduledAttendees(me, oldEvents) {
			if !still[a.email] {
				dropped = append(dropped, a)
			}
		}
		if len(dropped) > 0 {
			seq := sequenceOf(oldEvents) + 1
			if events != nil {
				seq = max(seq, sequenceOf(events))
			}
			msg, err := itipMessage(old, "CANCEL", seq, now)
			if err != nil {
				return sc, fmt.Errorf("caldav: cancellation: %w", err)
			}
			out, _, err := h.deliveries(ctx, dropped, "CANCEL", uidOf(oldEvents), seq, msg)
			if err != nil {
				return sc, err
			}
			sc.out = append(sc.out, out...)
		}
	}
	if len(current) == 0 {
		return sc, nil
	}
	// A client that stores the event again unchanged, or with only its
	// time stamp or our statuses changed, does not send invitations again.
	if before != nil && oldEvents != nil && schedulingText(before.Data) == schedulingText(data) {
		return sc, nil
	}
	seq := sequenceOf(events)
	msg, err := itipMessage(c, "REQUEST", seq, now)
	if err != nil {
		return sc, fmt.Errorf("caldav: invitation: %w", err)
	}
	out, statuses, err := h.deliveries(ctx, current, "REQUEST", uidOf(events), seq, msg)
	if err != nil {
		return sc, err
	}
	sc.out = append(sc.out, out...)
	for i, a := range current {
		for _, p := range a.props {
			p.Params.Set("SCHEDULE-STATUS", statuses[i])
		}
	}
	var buf bytes.Buffer
	if err := ical.NewEncoder(&buf).Encode(c); err != nil {
		return sc, fmt.Errorf("caldav: encode with schedule status: %w", err)
	}
	sc.data = buf.Bytes()
	return sc, nil
}

// scheduleDelete works out the CANCEL of a deleted organizer's event to
// its scheduled attendees, with a higher SEQUENCE (RFC 6638 §3.2.3).
func (h *Handler) scheduleDelete(ctx context.Context, me booking.User, target booking.Calendar, before booking.CalendarObject) ([]booking.ITIPDelivery, error) {
	if !schedulable(me, target) {
		return nil, nil
	}
	c, err := recurrence.ParseCalendar(before.Data)
	if err != nil {
		return nil, nil
	}
	events := organizedBy(me, c)
	if events == nil {
		return nil, nil
	}
	as := scheduledAttendees(me, events)
	if len(as) == 0 {
		return nil, nil
	}
	seq := sequenceOf(events) + 1
	msg, err := itipMessage(c, "CANCEL", seq, h.now())
	if err != nil {
		return nil, fmt.Errorf("caldav: cancellation: %w", err)
	}
	out, _, err := h.deliveries(ctx, as, "CANCEL", uidOf(events), seq, msg)
	return out, err
}

func uidOf(events []*ical.Component) string {
	if p := events[0].Props.Get(ical.PropUID); p != nil {
		return p.Value
	}
	return ""
}

var (
	scheduleStatusRE = regexp.MustCompile(`(?i);SCHEDULE-STATUS=("[^"]*"|[^;:]*)`)
	foldRE           = regexp.MustCompile(`\r?\n[ \t]`)
)

// schedulingText is data as far as attendees care: unfolded, without
// DTSTAMP lines and SCHEDULE-STATUS parameters, so that a client storing
// back what it fetched does not send the invitations again.
func schedulingText(data []byte) string {
	text := foldRE.ReplaceAllString(string(data), "")
	var b strings.Builder
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if strings.HasPrefix(strings.ToUpper(line), "DTSTAMP") {
			continue
		}
		b.WriteString(scheduleStatusRE.ReplaceAllString(line, ""))
		b.WriteByte('\n')
	}
	return b.String()
}

// serveOutboxPost answers a free-busy request POSTed to the outbox (RFC
// 6638 §5): a VFREEBUSY with METHOD:REQUEST, organized by the user, asking
// about attendees; each Veileder user among them is answered with their
// busy time from their own calendars (not the availability calendar, whose
// events are offered time), anybody else as an unknown calendar user.
func (h *Handler) serveOutboxPost(w http.ResponseWriter, r *http.Request, p davPath) error {
	ctx := r.Context()
	res, err := h.resolve(ctx, p)
	if err != nil {
		return err
	}
	me := res.user
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || !strings.EqualFold(mt, "text/calendar") {
			return preconditionError(http.StatusUnsupportedMediaType, cal("supported-calendar-data"), "a scheduling request is text/calendar")
		}
	}
	body, err := readBody(r, maxXMLBody)
	if err != nil {
		return err
	}
	c, err := recurrence.ParseCalendar(body)
	if err != nil {
		return &httpError{status: http.StatusBadRequest, precondition: cal("valid-calendar-data"), message: "the body is not iCalendar", cause: err}
	}
	invalid := func(msg string) error {
		return preconditionError(http.StatusForbidden, cal("valid-scheduling-message"), msg)
	}
	if m := c.Props.Get(ical.PropMethod); m == nil || !strings.EqualFold(m.Value, "REQUEST") {
		return invalid("the outbox takes free-busy requests: METHOD:REQUEST with a VFREEBUSY")
	}
	var fb *ical.Component
	for _, child := range c.Children {
		switch {
		case child.Name == ical.CompFreeBusy && fb == nil:
			fb = child
		case child.Name != ical.CompTimezone:
			return invalid("the outbox takes free-busy requests only; invitations are sent when the event is stored")
		}
	}
	if fb == nil {
		return invalid("no VFREEBUSY in the request")
	}
	org := fb.Props.Get(ical.PropOrganizer)
	if org == nil || me.Email == "" || emailOf(org.Value) != strings.ToLower(strings.TrimSpace(me.Email)) {
		return preconditionError(http.StatusForbidden, cal("organizer-allowed"), "the ORGANIZER must be your own address")
	}
	start, err1 := utcProp(fb, ical.PropDateTimeStart)
	end, err2 := utcProp(fb, ical.PropDateTimeEnd)
	if err1 != nil || err2 != nil || !end.After(start) || end.Sub(start) > maxFreeBusyRange {
		return invalid("DTSTART and DTEND must be UTC times, DTEND after DTSTART, at most a year apart")
	}
	attendees := fb.Props.Values(ical.PropAttendee)
	if len(attendees) == 0 || len(attendees) > maxRecipients {
		return invalid(fmt.Sprintf("a free-busy request asks about 1 to %d attendees", maxRecipients))
	}
	uid := ""
	if p := fb.Props.Get(ical.PropUID); p != nil {
		uid = p.Value
	}
	answer := scheduleResponse{Attrs: rootNamespaces}
	for _, a := range attendees {
		item := scheduleRecipient{Recipient: hrefList{a.Value}, RequestStatus: statusUnknownUser}
		u, err := h.store.UserByEmail(ctx, emailOf(a.Value))
		switch {
		case err == nil:
			data, err := h.freeBusyReply(ctx, u, start, end, uid, org, a)
			if err != nil {
				return err
			}
			item.RequestStatus, item.CalendarData = statusSuccess, string(data)
		case !isNotFound(err):
			return fmt.Errorf("caldav: free-busy of %s: %w", a.Value, err)
		}
		answer.Responses = append(answer.Responses, item)
	}
	var buf bytes.Buffer
	buf.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n")
	if err := xml.NewEncoder(&buf).Encode(answer); err != nil {
		return fmt.Errorf("caldav: encode schedule-response: %w", err)
	}
	buf.WriteString("\n")
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(shortEmpty(buf.Bytes()))
	return nil
}

// freeBusyReply is u's busy time in [start, end) as an iTIP REPLY.
func (h *Handler) freeBusyReply(ctx context.Context, u booking.User, start, end time.Time, uid string, org *ical.Prop, att ical.Prop) ([]byte, error) {
	cals, err := h.store.Calendars(ctx, u.ID)
	if err != nil {
		return nil, fmt.Errorf("caldav: calendars of %s: %w", u.Username, err)
	}
	var parsed []*ical.Calendar
	for _, c := range cals {
		if c.Shared() || c.OwnerID != u.ID || c.Kind == booking.KindAvailability {
			continue
		}
		objs, err := h.store.ObjectsOverlapping(ctx, c.ID, "VEVENT", start, end)
		if err != nil {
			return nil, err
		}
		for _, o := range objs {
			if pc, err := recurrence.ParseCalendar(o.Data); err == nil {
				parsed = append(parsed, pc)
			}
		}
	}
	periods := calquery.FreeBusy(parsed, start, end, h.opts(nil))
	// The busy events of the librarian's linked Outlook or Google
	// calendars count too. A tagged one may be a guidance window (which
	// the slot search decides with the topics in force), offered time
	// like the availability calendar's, and is left out.
	evs, err := h.store.ExternalEvents(ctx, u.ID, start, end)
	if err != nil {
		return nil, fmt.Errorf("caldav: external events of %s: %w", u.Username, err)
	}
	for _, e := range evs {
		if e.Busy && len(e.Tags) == 0 {
			p := calquery.Period{Start: e.Start, End: e.End, Type: calquery.BusyType}
			if p.Start.Before(start) {
				p.Start = start
			}
			if p.End.After(end) {
				p.End = end
			}
			periods = append(periods, p)
		}
	}
	reply := calquery.EncodeFreeBusy(periods, start, end, h.now())
	reply.Props.Set(&ical.Prop{Name: ical.PropMethod, Params: ical.Params{}, Value: "REPLY"})
	fb := reply.Children[0]
	if uid != "" {
		fb.Props.Set(&ical.Prop{Name: ical.PropUID, Params: ical.Params{}, Value: uid})
	}
	fb.Props.Set(&ical.Prop{Name: ical.PropOrganizer, Params: ical.Params{}, Value: org.Value})
	fb.Props.Set(&ical.Prop{Name: ical.PropAttendee, Params: ical.Params{}, Value: att.Value})
	var buf bytes.Buffer
	if err := calquery.Encode(&buf, reply); err != nil {
		return nil, fmt.Errorf("caldav: encode free-busy reply: %w", err)
	}
	return buf.Bytes(), nil
}

// utcProp reads a DATE-TIME property that must be in UTC (RFC 5545
// §3.6.4: a VFREEBUSY's DTSTART and DTEND are).
func utcProp(c *ical.Component, name string) (time.Time, error) {
	p := c.Props.Get(name)
	if p == nil {
		return time.Time{}, fmt.Errorf("no %s", name)
	}
	wall, date, utc, err := recurrence.ParseDateTime(strings.TrimSpace(p.Value), "")
	if err != nil || date || !utc {
		return time.Time{}, fmt.Errorf("%s is not a UTC time", name)
	}
	return wall.UTC(), nil
}

// serveInboxMultiget answers calendar-multiget on the schedule inbox, as
// Apple Calendar reads new invitations: the asked properties of each named
// message of the user's inbox, 404 for the others.
func (h *Handler) serveInboxMultiget(w http.ResponseWriter, r *http.Request, res resource, mg *calquery.Multiget) error {
	ctx := r.Context()
	q := queryProps(mg.AllProp, mg.PropName, mg.Props)
	ms := h.reportMultistatus(w, r)
	for _, href := range mg.Hrefs {
		p, err := parseHref(h.prefix, href)
		if err != nil || p.kind != kindInboxItem || p.user != res.user.Username {
			if err := ms.add(response{href: href, status: http.StatusNotFound}); err != nil {
				return err
			}
			continue
		}
		item, err := h.store.InboxItem(ctx, res.user.ID, p.object)
		if isNotFound(err) {
			if err := ms.add(response{href: href, status: http.StatusNotFound}); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return ms.fail(err)
		}
		child := resource{path: p, href: href, user: res.user, obj: item}
		props, err := h.properties(ctx, child)
		if err != nil {
			return ms.fail(err)
		}
		if err := ms.add(response{href: href, props: q.answer(props)}); err != nil {
			return err
		}
	}
	return ms.close("")
}
