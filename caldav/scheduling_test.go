package caldav_test

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// What Apple Calendar asks of the principal when it sets an account up
// (the scheduling properties among them) and what Thunderbird asks.
const (
	applePrincipalProps = `<?xml version="1.0" encoding="UTF-8"?>
<A:propfind xmlns:A="DAV:">
  <A:prop>
    <B:calendar-home-set xmlns:B="urn:ietf:params:xml:ns:caldav"/>
    <B:calendar-user-address-set xmlns:B="urn:ietf:params:xml:ns:caldav"/>
    <A:current-user-principal/>
    <A:displayname/>
    <C:dropbox-home-URL xmlns:C="http://calendarserver.org/ns/"/>
    <C:email-address-set xmlns:C="http://calendarserver.org/ns/"/>
    <C:notification-URL xmlns:C="http://calendarserver.org/ns/"/>
    <A:principal-collection-set/>
    <A:principal-URL/>
    <A:resource-id/>
    <B:schedule-inbox-URL xmlns:B="urn:ietf:params:xml:ns:caldav"/>
    <B:schedule-outbox-URL xmlns:B="urn:ietf:params:xml:ns:caldav"/>
    <A:supported-report-set/>
  </A:prop>
</A:propfind>`
	thunderbirdPrincipalProps = `<?xml version="1.0" encoding="UTF-8"?>
<D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><C:calendar-home-set/><C:calendar-user-address-set/><C:schedule-inbox-URL/><C:schedule-outbox-URL/></D:prop></D:propfind>`
)

// freeBusyRequest is the VFREEBUSY REQUEST Thunderbird and Apple Calendar
// POST to the outbox to look colleagues up (RFC 6638 §5).
func freeBusyRequest(organizer string, attendees ...string) string {
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nPRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VFREEBUSY\r\n")
	b.WriteString("DTSTAMP:20261101T120000Z\r\nORGANIZER:mailto:" + organizer + "\r\nDTSTART:20261104T000000Z\r\nDTEND:20261105T000000Z\r\nUID:fb-1@example\r\n")
	for _, a := range attendees {
		b.WriteString("ATTENDEE;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;CUTYPE=INDIVIDUAL:mailto:" + a + "\r\n")
	}
	b.WriteString("END:VFREEBUSY\r\nEND:VCALENDAR\r\n")
	return b.String()
}

// meeting is an event alice organizes with bob (a Veileder user), an
// outside attendee, and one whose client schedules it itself.
func meeting(seq, summary string) string {
	return event("meeting-77", summary, "20261104T090000Z", "20261104T100000Z",
		"SEQUENCE:"+seq,
		"ORGANIZER;CN=Alice Librarian:mailto:alice@ub.example.org",
		"ATTENDEE;CN=Alice Librarian;PARTSTAT=ACCEPTED:mailto:alice@ub.example.org",
		"ATTENDEE;CN=Bob;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob@ub.example.org",
		"ATTENDEE;CN=Outside;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:guest@uni.example.net",
		"ATTENDEE;SCHEDULE-AGENT=CLIENT;PARTSTAT=NEEDS-ACTION:mailto:self-served@uni.example.net",
		"BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:x\r\nTRIGGER:-PT15M\r\nEND:VALARM")
}

var hrefRE = regexp.MustCompile(`<D:href>([^<]*\.ics)</D:href>`)

// TestAppleCalendarScheduling replays Apple Calendar setting up an account
// and organizing a meeting on a scheduling server: discovery, the
// principal with its inbox and outbox, the home's sync-collection, a
// calendar's sync, a PUT with attendees, the attendee's inbox, a
// free-busy lookup through the outbox, the home's sync after a new
// calendar, and the meeting deleted.
func TestAppleCalendarScheduling(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		srv := newServer(t, s)
		r := srv.do("alice", "PROPFIND", "/.well-known/caldav", `<A:propfind xmlns:A="DAV:"><A:prop><A:current-user-principal/></A:prop></A:propfind>`, "Depth", "0")
		srv.expect(r, http.StatusMovedPermanently, ".well-known")
		r = srv.do("alice", "PROPFIND", r.header.Get("Location"), `<A:propfind xmlns:A="DAV:"><A:prop><A:current-user-principal/><A:principal-URL/><A:resourcetype/></A:prop></A:propfind>`, "Depth", "0")
		srv.expect(r, http.StatusMultiStatus, "PROPFIND root")
		contains(t, r.body, "<D:current-user-principal><D:href>/dav/principals/alice/</D:href>", "root")

		r = srv.do("alice", "OPTIONS", "/dav/principals/alice/", "")
		srv.expect(r, http.StatusOK, "OPTIONS")
		if got := r.header.Get("DAV"); !strings.Contains(got, "calendar-auto-schedule") {
			t.Fatalf("DAV header: got %q, want calendar-auto-schedule in it", got)
		}
		r = srv.do("alice", "PROPFIND", "/dav/principals/alice/", applePrincipalProps, "Depth", "0")
		srv.expect(r, http.StatusMultiStatus, "PROPFIND principal")
		for _, want := range []string{
			"<C:schedule-inbox-URL><D:href>/dav/calendars/alice/inbox/</D:href></C:schedule-inbox-URL>",
			"<C:schedule-outbox-URL><D:href>/dav/calendars/alice/outbox/</D:href></C:schedule-outbox-URL>",
			"<C:calendar-user-address-set><D:href>mailto:alice@ub.example.org</D:href>",
			"<C:calendar-home-set><D:href>/dav/calendars/alice/</D:href>",
		} {
			contains(t, r.body, want, "principal")
		}

		r = srv.do("alice", "REPORT", "/dav/calendars/alice/", homeSyncBody(""), "Depth", "1")
		srv.expect(r, http.StatusMultiStatus, "home sync")
		contains(t, r.body, "<D:href>/dav/calendars/alice/personal/</D:href>", "home sync")
		homeToken := lastToken(t, r.body)

		for _, box := range []struct{ path, kind string }{{"/dav/calendars/alice/inbox/", "schedule-inbox"}, {"/dav/calendars/alice/outbox/", "schedule-outbox"}} {
			r = srv.do("alice", "PROPFIND", box.path, `<A:propfind xmlns:A="DAV:"><A:prop><A:resourcetype/><A:current-user-privilege-set/></A:prop></A:propfind>`, "Depth", "0")
			srv.expect(r, http.StatusMultiStatus, "PROPFIND "+box.kind)
			contains(t, r.body, "<C:"+box.kind+"/>", box.kind)
		}

		cal := "/dav/calendars/alice/personal/"
		r = srv.do("alice", "REPORT", cal, syncBody(""), "Depth", "1")
		srv.expect(r, http.StatusMultiStatus, "calendar sync")
		calToken := lastToken(t, r.body)

		// The meeting: invitations go out as the event is stored.
		r = srv.do("alice", "PUT", cal+"meeting.ics", meeting("0", "Project meeting"), "Content-Type", icalType, "If-None-Match", "*")
		srv.expect(r, http.StatusCreated, "PUT meeting")
		if got := r.header.Get("ETag"); got != "" {
			t.Fatalf("PUT meeting: got ETag %q, want none (the stored copy has SCHEDULE-STATUS)", got)
		}
		r = srv.do("alice", "GET", cal+"meeting.ics", "")
		for _, want := range []string{"SCHEDULE-STATUS=1.2", "SCHEDULE-STATUS=1.1", "SCHEDULE-AGENT=CLIENT"} {
			contains(t, unfold(r.body), want, "stored meeting")
		}
		if got := strings.Count(r.body, "SCHEDULE-STATUS"); got != 2 {
			t.Fatalf("stored meeting: got %d SCHEDULE-STATUS, want 2 (bob, the outside attendee):\n%s", got, r.body)
		}
		r = srv.do("alice", "REPORT", cal, syncBody(calToken), "Depth", "1")
		contains(t, r.body, cal+"meeting.ics", "calendar sync after PUT")

		// Storing it back unchanged sends nothing again.
		stored := srv.do("alice", "GET", cal+"meeting.ics", "")
		srv.expect(srv.do("alice", "PUT", cal+"meeting.ics", stored.body, "Content-Type", icalType, "If-Match", stored.header.Get("ETag")), http.StatusNoContent, "PUT back")

		// Bob finds the invitation in his inbox and handles it.
		r = srv.do("bob", "PROPFIND", "/dav/calendars/bob/inbox/", `<A:propfind xmlns:A="DAV:"><A:prop><A:getetag/></A:prop></A:propfind>`, "Depth", "1")
		srv.expect(r, http.StatusMultiStatus, "bob's inbox")
		items := hrefRE.FindAllStringSubmatch(r.body, -1)
		if len(items) != 1 {
			t.Fatalf("bob's inbox: got %d items, want 1:\n%s", len(items), r.body)
		}
		// Apple Calendar reads it with calendar-multiget.
		r = srv.do("bob", "REPORT", "/dav/calendars/bob/inbox/", `<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/><C:calendar-data/></D:prop><D:href>`+items[0][1]+`</D:href><D:href>/dav/calendars/bob/inbox/gone.ics</D:href></C:calendar-multiget>`, "Depth", "1")
		srv.expect(r, http.StatusMultiStatus, "multiget of the inbox")
		contains(t, r.body, "METHOD:REQUEST", "multiget of the inbox")
		contains(t, r.body, "<D:href>/dav/calendars/bob/inbox/gone.ics</D:href><D:status>HTTP/1.1 404 Not Found</D:status>", "multiget of the inbox")
		r = srv.do("bob", "GET", items[0][1], "")
		srv.expect(r, http.StatusOK, "GET invitation")
		for _, want := range []string{"METHOD:REQUEST", "UID:meeting-77", "SUMMARY:Project meeting"} {
			contains(t, r.body, want, "invitation")
		}
		lacks(t, r.body, "VALARM", "invitation")
		lacks(t, r.body, "SCHEDULE-", "invitation")
		srv.expect(srv.do("alice", "GET", items[0][1], ""), http.StatusForbidden, "alice reads bob's inbox")
		srv.expect(srv.do("bob", "DELETE", items[0][1], ""), http.StatusNoContent, "DELETE invitation")

		// The outside attendee's invitation waits in the outbox.
		mails := claimITIP(t, s)
		if len(mails) != 1 || mails[0].Recipient != "guest@uni.example.net" || !strings.Contains(string(mails[0].Payload), "METHOD:REQUEST") {
			t.Fatalf("outbox after PUT: got %+v, want one REQUEST to guest@uni.example.net", mails)
		}

		// Free-busy of a colleague and of somebody unknown.
		r = srv.do("alice", "POST", "/dav/calendars/alice/outbox/", freeBusyRequest("alice@ub.example.org", "bob@ub.example.org", "nobody@uni.example.net"), "Content-Type", "text/calendar")
		srv.expect(r, http.StatusOK, "free-busy POST")
		contains(t, r.body, "<C:schedule-response", "free-busy")
		contains(t, r.body, "<C:recipient><D:href>mailto:bob@ub.example.org</D:href></C:recipient><C:request-status>2.0;Success</C:request-status>", "free-busy")
		contains(t, r.body, "<C:recipient><D:href>mailto:nobody@uni.example.net</D:href></C:recipient><C:request-status>3.7;Invalid calendar user</C:request-status>", "free-busy")
		lacks(t, r.body, "FREEBUSY:2026", "free-busy of bob, who has nothing")
		r = srv.do("bob", "POST", "/dav/calendars/bob/outbox/", freeBusyRequest("bob@ub.example.org", "alice@ub.example.org"), "Content-Type", "text/calendar")
		srv.expect(r, http.StatusOK, "bob's free-busy POST")
		contains(t, r.body, "METHOD:REPLY", "alice's free-busy")
		contains(t, r.body, "FREEBUSY:20261104T090000Z/20261104T100000Z", "alice's free-busy")

		// A new calendar shows in the home's sync.
		srv.expect(srv.do("alice", "MKCALENDAR", "/dav/calendars/alice/projects/", mkcalendarBody), http.StatusCreated, "MKCALENDAR")
		r = srv.do("alice", "REPORT", "/dav/calendars/alice/", homeSyncBody(homeToken), "Depth", "1")
		contains(t, r.body, "<D:href>/dav/calendars/alice/projects/</D:href>", "home sync after MKCALENDAR")

		// Deleting the meeting cancels it, with a higher SEQUENCE.
		srv.expect(srv.do("alice", "DELETE", cal+"meeting.ics", ""), http.StatusNoContent, "DELETE meeting")
		mails = claimITIP(t, s)
		if len(mails) != 1 || !strings.Contains(string(mails[0].Payload), "METHOD:CANCEL") || !strings.Contains(string(mails[0].Payload), "\r\nSEQUENCE:1\r\n") {
			t.Fatalf("outbox after DELETE: got %+v, want one CANCEL with SEQUENCE:1", mails)
		}
		r = srv.do("bob", "PROPFIND", "/dav/calendars/bob/inbox/", `<A:propfind xmlns:A="DAV:"><A:prop><C:calendar-data xmlns:C="urn:ietf:params:xml:ns:caldav"/></A:prop></A:propfind>`, "Depth", "1")
		contains(t, r.body, "METHOD:CANCEL", "bob's inbox after DELETE")
	})
}

// TestThunderbirdScheduling replays Thunderbird's scheduling lookups: the
// DAV header of the calendar, the principal's inbox, outbox and address,
// a sync with Depth 1, a PUT with attendees and a free-busy POST.
func TestThunderbirdScheduling(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		srv := newServer(t, s)
		cal := "/dav/calendars/alice/personal/"
		r := srv.do("alice", "OPTIONS", cal, "")
		if got := r.header.Get("DAV"); !strings.Contains(got, "calendar-auto-schedule") {
			t.Fatalf("DAV header: got %q, want calendar-auto-schedule", got)
		}
		r = srv.do("alice", "PROPFIND", cal, `<D:propfind xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:resourcetype/><D:owner/><D:current-user-principal/><D:current-user-privilege-set/><D:supported-report-set/><C:supported-calendar-component-set/><CS:getctag/></D:prop></D:propfind>`, "Depth", "0")
		srv.expect(r, http.StatusMultiStatus, "PROPFIND calendar")
		r = srv.do("alice", "PROPFIND", "/dav/principals/alice/", thunderbirdPrincipalProps, "Depth", "0")
		srv.expect(r, http.StatusMultiStatus, "PROPFIND principal")
		contains(t, r.body, "<C:schedule-outbox-URL><D:href>/dav/calendars/alice/outbox/</D:href>", "principal")
		lacks(t, r.body, "404", "principal")
		r = srv.do("alice", "REPORT", cal, syncBody(""), "Depth", "1")
		srv.expect(r, http.StatusMultiStatus, "sync")

		// Thunderbird bumps SEQUENCE on each change; the attendees get
		// each version.
		srv.expect(srv.do("alice", "PUT", cal+"tb.ics", meeting("0", "Kickoff"), "Content-Type", icalType, "If-None-Match", "*"), http.StatusCreated, "PUT")
		etag := srv.do("alice", "GET", cal+"tb.ics", "").header.Get("ETag")
		srv.expect(srv.do("alice", "PUT", cal+"tb.ics", meeting("1", "Kickoff (new room)"), "Content-Type", icalType, "If-Match", etag), http.StatusNoContent, "PUT change")
		mails := claimITIP(t, s)
		if len(mails) != 2 || !strings.Contains(string(mails[1].Payload), "SEQUENCE:1") {
			t.Fatalf("outbox: got %+v, want two REQUESTs, the second with SEQUENCE:1", mails)
		}
		// Dropping the outside attendee cancels it for them alone.
		dropped := strings.Replace(meeting("2", "Kickoff (new room)"), "ATTENDEE;CN=Outside;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:guest@uni.example.net\r\n", "", 1)
		etag = srv.do("alice", "GET", cal+"tb.ics", "").header.Get("ETag")
		srv.expect(srv.do("alice", "PUT", cal+"tb.ics", dropped, "Content-Type", icalType, "If-Match", etag), http.StatusNoContent, "PUT without the outside attendee")
		mails = claimITIP(t, s)
		if len(mails) != 1 || !strings.Contains(string(mails[0].Payload), "METHOD:CANCEL") || mails[0].Recipient != "guest@uni.example.net" {
			t.Fatalf("outbox after dropping an attendee: got %+v, want one CANCEL to guest@uni.example.net", mails)
		}

		r = srv.do("alice", "POST", "/dav/calendars/alice/outbox/", freeBusyRequest("alice@ub.example.org", "bob@ub.example.org"), "Content-Type", "text/calendar; charset=utf-8")
		srv.expect(r, http.StatusOK, "free-busy POST")
		contains(t, r.body, "2.0;Success", "free-busy")

		// More attendees than the server schedules: refused, nothing stored.
		many := []string{"ORGANIZER:mailto:alice@ub.example.org"}
		for i := range 101 {
			many = append(many, "ATTENDEE:mailto:guest"+strconv.Itoa(i)+"@uni.example.net")
		}
		r = srv.do("alice", "PUT", cal+"crowd.ics", event("crowd", "Crowd", "20261104T090000Z", "20261104T100000Z", many...), "Content-Type", icalType)
		srv.expect(r, http.StatusForbidden, "PUT with 101 attendees")
		contains(t, r.body, "max-attendees-per-instance", "PUT with 101 attendees")
		srv.expect(srv.do("alice", "GET", cal+"crowd.ics", ""), http.StatusNotFound, "PUT with 101 attendees: nothing stored")
		if mails := claimITIP(t, s); len(mails) != 0 {
			t.Fatalf("outbox after a refused PUT: got %d messages, want none", len(mails))
		}

		for _, tc := range []struct {
			name, path, body string
			want             int
			pre              string
		}{
			{"another organizer", "/dav/calendars/alice/outbox/", freeBusyRequest("bob@ub.example.org", "carol@ub.example.org"), 403, "organizer-allowed"},
			{"an invitation by POST", "/dav/calendars/alice/outbox/", strings.Replace(meeting("0", "x"), "VERSION:2.0", "VERSION:2.0\r\nMETHOD:REQUEST", 1), 403, "valid-scheduling-message"},
			{"not iCalendar", "/dav/calendars/alice/outbox/", "hello", 400, "valid-calendar-data"},
			{"another's outbox", "/dav/calendars/bob/outbox/", freeBusyRequest("alice@ub.example.org", "bob@ub.example.org"), 403, ""},
			{"POST to a calendar", cal, freeBusyRequest("alice@ub.example.org", "bob@ub.example.org"), 405, ""},
		} {
			r := srv.do("alice", "POST", tc.path, tc.body, "Content-Type", "text/calendar")
			srv.expect(r, tc.want, tc.name)
			contains(t, r.body, tc.pre, tc.name)
		}
	})
}

// TestBookingEventsAreNotScheduled: an event in the bookings calendar,
// which Veileder writes and mails the student about itself, sends nothing.
func TestBookingEventsAreNotScheduled(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		srv := newServer(t, s)
		srv.expect(srv.do("alice", "PUT", "/dav/calendars/alice/availability/m.ics", meeting("0", "Window"), "Content-Type", icalType), http.StatusCreated, "PUT in availability")
		if mails := claimITIP(t, s); len(mails) != 0 {
			t.Fatalf("outbox: got %+v, want nothing", mails)
		}
	})
}

// claimITIP claims the iTIP e-mails waiting in the outbox, oldest first.
func claimITIP(t *testing.T, s *store.Store) []booking.Message {
	t.Helper()
	msgs, err := s.ClaimMessages(t.Context(), time.Now().Add(time.Minute), time.Hour, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []booking.Message
	for _, m := range msgs {
		if m.Kind == booking.MessageITIP {
			out = append(out, m)
		}
	}
	return out
}

func unfold(s string) string { return strings.ReplaceAll(s, "\r\n ", "") }

// TestFreeBusyWithExternalCalendar: a colleague's busy time includes the
// busy events of their linked Outlook or Google calendar, not its tagged
// events (guidance windows, offered time).
func TestFreeBusyWithExternalCalendar(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		srv := newServer(t, s)
		ctx := t.Context()
		c, err := s.AddExternalCalendar(ctx, booking.ExternalCalendar{UserID: srv.users["alice"].ID, URL: "https://outlook.office365.com/owa/calendar/a@ub.example.org/s3cr3t/calendar.ics"})
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC().Truncate(time.Second)
		if _, err := s.ClaimDueExternalCalendars(ctx, now, time.Minute, "test", 10); err != nil {
			t.Fatal(err)
		}
		at := func(h int) time.Time { return time.Date(2026, 11, 4, h, 0, 0, 0, time.UTC) }
		err = s.SaveExternalFetch(ctx, c.ID, "test", booking.ExternalFetch{At: now, NextFetch: now.Add(time.Hour), Refresh: time.Hour,
			Events: []booking.ExternalEvent{
				{UID: "outlook-1", Start: at(12), End: at(13), Busy: true},
				{UID: "outlook-2", Start: at(14), End: at(15), Busy: true, Tags: []string{"veiledning"}},
				{UID: "outlook-3", Start: at(16), End: at(17), Busy: false},
			}})
		if err != nil {
			t.Fatal(err)
		}
		r := srv.do("bob", "POST", "/dav/calendars/bob/outbox/", freeBusyRequest("bob@ub.example.org", "alice@ub.example.org"), "Content-Type", "text/calendar")
		srv.expect(r, http.StatusOK, "free-busy POST")
		contains(t, r.body, "FREEBUSY:20261104T120000Z/20261104T130000Z", "alice's free-busy")
		lacks(t, r.body, "20261104T140000Z/", "alice's free-busy: a guidance window")
		lacks(t, r.body, "20261104T160000Z/", "alice's free-busy: a free event")
	})
}
