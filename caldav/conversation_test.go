package caldav_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

const propfindPrincipal = `<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:current-user-principal/><D:principal-URL/><C:calendar-home-set/><C:calendar-user-address-set/><D:displayname/></D:prop>
</D:propfind>`

const propfindCalendars = `<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:CS="http://calendarserver.org/ns/" xmlns:ICAL="http://apple.com/ns/ical/">
  <D:prop><D:resourcetype/><D:displayname/><CS:getctag/><D:sync-token/><C:supported-calendar-component-set/>
  <D:current-user-privilege-set/><D:supported-report-set/><ICAL:calendar-color/><C:max-resource-size/><X:unknown xmlns:X="urn:x"/></D:prop>
</D:propfind>`

// TestDiscovery replays how Apple Calendar, Thunderbird and DAVx5 find a
// user's calendars: .well-known, the principal, the home, the calendars.
func TestDiscovery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		srv := newServer(t, s)

		for _, method := range []string{"GET", "PROPFIND"} {
			r := srv.do("alice", method, "/.well-known/caldav", "")
			srv.expect(r, http.StatusMovedPermanently, method+" .well-known")
			if got, want := r.header.Get("Location"), "/dav/"; got != want {
				t.Fatalf("%s .well-known Location: got %q, want %q", method, got, want)
			}
		}

		r := srv.do("alice", "PROPFIND", "/dav/", propfindPrincipal, "Depth", "0")
		srv.expect(r, http.StatusMultiStatus, "PROPFIND root")
		contains(t, r.body, "<D:current-user-principal><D:href>/dav/principals/alice/</D:href>", "root")

		r = srv.do("alice", "PROPFIND", "/dav/principals/alice/", propfindPrincipal, "Depth", "0")
		srv.expect(r, http.StatusMultiStatus, "PROPFIND principal")
		for _, want := range []string{
			"<C:calendar-home-set><D:href>/dav/calendars/alice/</D:href>",
			"<D:principal-URL><D:href>/dav/principals/alice/</D:href>",
			"<D:href>mailto:alice@ub.example.org</D:href>",
			"<D:displayname>Alice Librarian</D:displayname>",
		} {
			contains(t, r.body, want, "principal")
		}

		// The slash-less form answers the same (go-webdav answers an empty 207).
		r = srv.do("alice", "PROPFIND", "/dav/principals/alice", propfindPrincipal, "Depth", "0")
		srv.expect(r, http.StatusMultiStatus, "PROPFIND principal without slash")
		contains(t, r.body, "calendar-home-set><D:href>", "principal without slash")

		r = srv.do("alice", "PROPFIND", "/dav/calendars/alice/", propfindCalendars, "Depth", "1")
		srv.expect(r, http.StatusMultiStatus, "PROPFIND home")
		for _, slug := range []string{"availability", "bookings", "personal", "dropin"} {
			contains(t, r.body, "<D:href>/dav/calendars/alice/"+slug+"/</D:href>", "home listing")
		}
		for _, want := range []string{
			"<C:calendar/>", "<CS:getctag>", "<D:sync-token>https://veileder.invalid/sync/",
			"<D:supported-report><D:report><D:sync-collection/></D:report></D:supported-report>",
			`<C:comp name="VEVENT"/>`, "<C:max-resource-size>65536</C:max-resource-size>",
			`<X:unknown xmlns:X="urn:x"/>`, "HTTP/1.1 404 Not Found",
		} {
			contains(t, r.body, want, "home listing")
		}
	})
}

func TestAuthentication(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		srv := newServer(t, s)
		r := srv.do("", "PROPFIND", "/dav/", "", "Depth", "0")
		srv.expect(r, http.StatusUnauthorized, "no credentials")
		if got := r.header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Basic ") {
			t.Fatalf("WWW-Authenticate: got %q, want Basic", got)
		}
		req, _ := http.NewRequest("PROPFIND", srv.url+"/dav/", nil)
		req.SetBasicAuth("alice", "wrong password")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got, want := resp.StatusCode, http.StatusUnauthorized; got != want {
			t.Fatalf("wrong password: got %d, want %d", got, want)
		}
		// iOS 18.4 sends the user name percent-encoded.
		r = srv.do("carol%40ub.example.org", "PROPFIND", "/dav/principals/carol%40ub.example.org/", propfindPrincipal, "Depth", "0")
		srv.expect(r, http.StatusMultiStatus, "percent-encoded user")
		contains(t, r.body, "<C:calendar-home-set><D:href>/dav/calendars/carol@ub.example.org/</D:href>", "percent-encoded home")
	})
}

// TestEditWithETags replays a client creating, fetching, editing and
// deleting an event with conditional requests.
func TestEditWithETags(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		srv := newServer(t, s)
		path := "/dav/calendars/alice/personal/meeting.ics"
		body := event("meeting-1", "Team meeting", "20261104T090000Z", "20261104T100000Z", "X-CUSTOM;X-PARAM=1:kept")

		r := srv.do("alice", "PUT", path, body, "Content-Type", icalType, "If-None-Match", "*")
		srv.expect(r, http.StatusCreated, "create")
		etag := r.header.Get("ETag")
		if !strings.HasPrefix(etag, `"`) {
			t.Fatalf("create ETag: got %q, want a strong quoted tag", etag)
		}
		r = srv.do("alice", "PUT", path, body, "Content-Type", icalType, "If-None-Match", "*")
		srv.expect(r, http.StatusPreconditionFailed, "create again with If-None-Match")

		r = srv.do("alice", "GET", path, "")
		srv.expect(r, http.StatusOK, "get")
		if r.body != body {
			t.Fatalf("GET gave other bytes than PUT:\ngot  %q\nwant %q", r.body, body)
		}
		if got := r.header.Get("ETag"); got != etag {
			t.Fatalf("GET ETag: got %q, want %q", got, etag)
		}
		srv.expect(srv.do("alice", "GET", path, "", "If-None-Match", etag), http.StatusNotModified, "conditional get")

		edited := strings.Replace(body, "Team meeting", "Team meeting (moved room)", 1)
		srv.expect(srv.do("alice", "PUT", path, edited, "Content-Type", icalType, "If-Match", `"stale"`), http.StatusPreconditionFailed, "edit with stale tag")
		r = srv.do("alice", "PUT", path, edited, "Content-Type", icalType, "If-Match", etag)
		srv.expect(r, http.StatusNoContent, "edit")
		newTag := r.header.Get("ETag")
		if newTag == "" || newTag == etag {
			t.Fatalf("edit ETag: got %q, want a new tag (old %q)", newTag, etag)
		}
		srv.expect(srv.do("alice", "DELETE", path, "", "If-Match", etag), http.StatusPreconditionFailed, "delete with old tag")
		srv.expect(srv.do("alice", "DELETE", path, "", "If-Match", newTag), http.StatusNoContent, "delete")
		srv.expect(srv.do("alice", "GET", path, ""), http.StatusNotFound, "get deleted")
		srv.expect(srv.do("alice", "DELETE", path, ""), http.StatusNotFound, "delete twice")

		// A to-do is kept as sent.
		todo := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VTODO\r\nUID:todo-1\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:Order books\r\nDUE:20261110T120000Z\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"
		srv.expect(srv.do("alice", "PUT", "/dav/calendars/alice/personal/todo.ics", todo, "Content-Type", icalType), http.StatusCreated, "put to-do")
		r = srv.do("alice", "GET", "/dav/calendars/alice/personal/todo.ics", "")
		if r.body != todo {
			t.Fatalf("to-do changed: got %q", r.body)
		}
	})
}

// TestBadObjects: every bad PUT gets its status and precondition and
// stores nothing.
func TestBadObjects(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		srv := newServer(t, s)
		srv.expect(srv.do("alice", "PUT", "/dav/calendars/alice/personal/taken.ics",
			event("taken-uid", "First", "20261104T090000Z", "20261104T100000Z"), "Content-Type", icalType), http.StatusCreated, "first")
		twoUIDs := strings.Replace(event("a", "x", "20261104T090000Z", "20261104T100000Z"), "END:VCALENDAR",
			"BEGIN:VEVENT\r\nUID:b\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20261104T090000Z\r\nEND:VEVENT\r\nEND:VCALENDAR", 1)
		tests := []struct {
			name, path, body, ctype string
			status                  int
			pre                     string
		}{
			{"not iCalendar", "bad1.ics", "hello world", icalType, 403, "valid-calendar-data"},
			{"truncated", "bad2.ics", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\n", icalType, 403, "valid-calendar-data"},
			{"no DTSTART", "bad3.ics", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTAMP:20260101T000000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", icalType, 403, "valid-calendar-data"},
			{"METHOD", "bad4.ics", strings.Replace(event("m", "x", "20261104T090000Z", "20261104T100000Z"), "VERSION:2.0", "VERSION:2.0\r\nMETHOD:REQUEST", 1), icalType, 403, "valid-calendar-object-resource"},
			{"two UIDs", "bad5.ics", twoUIDs, icalType, 403, "valid-calendar-object-resource"},
			{"UID taken", "bad6.ics", event("taken-uid", "Second", "20261104T090000Z", "20261104T100000Z"), icalType, 409, "no-uid-conflict"},
			{"wrong type", "bad7.ics", event("w", "x", "20261104T090000Z", "20261104T100000Z"), "application/json", 415, "supported-calendar-data"},
			{"too large", "bad8.ics", event("big", strings.Repeat("x", 70<<10), "20261104T090000Z", "20261104T100000Z"), icalType, 413, "max-resource-size"},
			{"to-do in an event calendar", "../availability/bad9.ics", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VTODO\r\nUID:t\r\nDTSTAMP:20260101T000000Z\r\nEND:VTODO\r\nEND:VCALENDAR\r\n", icalType, 0, ""},
			{"bad RRULE", "bad10.ics", event("r", "x", "20261104T090000Z", "20261104T100000Z", "RRULE:FREQ=SOMETIMES"), icalType, 403, "valid-calendar-data"},
			{"two calendars", "bad11.ics", event("c1", "x", "20261104T090000Z", "20261104T100000Z") + event("c2", "x", "20261104T090000Z", "20261104T100000Z"), icalType, 403, "valid-calendar-data"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				path := "/dav/calendars/alice/personal/" + tc.path
				if tc.status == 0 {
					path, tc.status, tc.pre = "/dav/calendars/alice/availability/bad9.ics", 403, "supported-calendar-component"
				}
				r := srv.do("alice", "PUT", path, tc.body, "Content-Type", tc.ctype)
				srv.expect(r, tc.status, tc.name)
				contains(t, r.body, tc.pre, tc.name)
				srv.expect(srv.do("alice", "GET", path, ""), http.StatusNotFound, tc.name+": nothing stored")
			})
		}
		// The first object is unchanged.
		r := srv.do("alice", "GET", "/dav/calendars/alice/personal/taken.ics", "")
		contains(t, r.body, "SUMMARY:First", "the object holding the UID")
	})
}

// TestConcurrentWrites: 50 PUTs with the same If-Match, one wins; two PUTs
// of one UID under two names, one wins.
func TestConcurrentWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		srv := newServer(t, s)
		path := "/dav/calendars/alice/personal/race.ics"
		r := srv.do("alice", "PUT", path, event("race", "v0", "20261104T090000Z", "20261104T100000Z"), "Content-Type", icalType)
		srv.expect(r, http.StatusCreated, "create")
		etag := r.header.Get("ETag")

		const n = 50
		statuses := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				body := event("race", fmt.Sprintf("v%d", i+1), "20261104T090000Z", "20261104T100000Z")
				statuses[i] = srv.do("alice", "PUT", path, body, "Content-Type", icalType, "If-Match", etag).status
			}()
		}
		wg.Wait()
		count := map[int]int{}
		for _, st := range statuses {
			count[st]++
		}
		if count[http.StatusNoContent] != 1 || count[http.StatusPreconditionFailed] != n-1 {
			t.Fatalf("50 PUTs with one If-Match: got %v, want one 204 and 49 412", count)
		}

		var two [2]int
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				body := event("twin", "twin", "20261104T090000Z", "20261104T100000Z")
				two[i] = srv.do("alice", "PUT", fmt.Sprintf("/dav/calendars/alice/personal/twin-%d.ics", i), body, "Content-Type", icalType).status
			}()
		}
		wg.Wait()
		if !(two[0] == 201 && two[1] == 409 || two[0] == 409 && two[1] == 201) {
			t.Fatalf("two PUTs of one UID: got %v, want one 201 and one 409", two)
		}
	})
}

const mkcalendarBody = `<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:ICAL="http://apple.com/ns/ical/">
  <D:set><D:prop>
    <D:displayname>Undervisning</D:displayname>
    <C:calendar-description>Kurs og undervisning</C:calendar-description>
    <C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set>
    <ICAL:calendar-color>#FF2968</ICAL:calendar-color>
  </D:prop></D:set>
</C:mkcalendar>`

const proppatchBody = `<?xml version="1.0" encoding="utf-8"?>
<D:propertyupdate xmlns:D="DAV:" xmlns:ICAL="http://apple.com/ns/ical/" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:set><D:prop><D:displayname>Teaching &amp; courses</D:displayname><ICAL:calendar-color>#00FF00FF</ICAL:calendar-color><ICAL:calendar-order>3</ICAL:calendar-order><C:calendar-description>New</C:calendar-description></D:prop></D:set>
</D:propertyupdate>`

func TestCalendarCollections(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		srv := newServer(t, s)
		path := "/dav/calendars/alice/teaching/"
		srv.expect(srv.do("alice", "MKCALENDAR", path, mkcalendarBody), http.StatusCreated, "MKCALENDAR")
		srv.expect(srv.do("alice", "MKCALENDAR", path, mkcalendarBody), http.StatusMethodNotAllowed, "MKCALENDAR again")

		r := srv.do("alice", "PROPFIND", path, propfindCalendars, "Depth", "0")
		srv.expect(r, http.StatusMultiStatus, "PROPFIND new calendar")
		contains(t, r.body, "<D:displayname>Undervisning</D:displayname>", "new calendar")
		contains(t, r.body, "#FF2968", "new calendar colour")

		r = srv.do("alice", "PROPPATCH", path, proppatchBody)
		srv.expect(r, http.StatusMultiStatus, "PROPPATCH")
		lacks(t, r.body, "424", "PROPPATCH")
		r = srv.do("alice", "PROPFIND", path, `<D:propfind xmlns:D="DAV:" xmlns:ICAL="http://apple.com/ns/ical/" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:displayname/><ICAL:calendar-color/><ICAL:calendar-order/><C:calendar-description/></D:prop></D:propfind>`, "Depth", "0")
		for _, want := range []string{"Teaching &amp; courses", "#00FF00FF", "<ICAL:calendar-order>3<", "<C:calendar-description>New<"} {
			contains(t, r.body, want, "after PROPPATCH")
		}

		// One bad property fails the whole PROPPATCH (RFC 4918 §9.2).
		bad := `<D:propertyupdate xmlns:D="DAV:" xmlns:ICAL="http://apple.com/ns/ical/"><D:set><D:prop><D:displayname>Changed</D:displayname><ICAL:calendar-color>not a colour</ICAL:calendar-color></D:prop></D:set></D:propertyupdate>`
		r = srv.do("alice", "PROPPATCH", path, bad)
		srv.expect(r, http.StatusMultiStatus, "bad PROPPATCH")
		contains(t, r.body, "424 Failed Dependency", "bad PROPPATCH")
		r = srv.do("alice", "PROPFIND", path, `<D:propfind xmlns:D="DAV:"><D:prop><D:displayname/></D:prop></D:propfind>`, "Depth", "0")
		lacks(t, r.body, "Changed", "after failed PROPPATCH")

		// vdirsyncer creates calendars with extended MKCOL (RFC 5689).
		mkcol := `<D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><D:resourcetype><D:collection/><C:calendar/></D:resourcetype><D:displayname>Synced</D:displayname></D:prop></D:set></D:mkcol>`
		srv.expect(srv.do("alice", "MKCOL", "/dav/calendars/alice/synced/", mkcol), http.StatusCreated, "extended MKCOL")
		srv.expect(srv.do("alice", "MKCOL", "/dav/calendars/alice/plain/", ""), http.StatusForbidden, "plain MKCOL")

		srv.expect(srv.do("alice", "DELETE", path, ""), http.StatusNoContent, "DELETE calendar")
		srv.expect(srv.do("alice", "PROPFIND", path, "", "Depth", "0"), http.StatusNotFound, "deleted calendar")
		srv.expect(srv.do("alice", "DELETE", "/dav/calendars/alice/bookings/", ""), http.StatusForbidden, "DELETE bookings calendar")
		srv.expect(srv.do("carol@ub.example.org", "DELETE", "/dav/calendars/carol%40ub.example.org/dropin/", ""), http.StatusForbidden, "DELETE shared calendar")
	})
}

func TestAuthorization(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		srv := newServer(t, s)
		srv.expect(srv.do("alice", "PUT", "/dav/calendars/alice/personal/secret.ics",
			event("secret", "Secret", "20261104T090000Z", "20261104T100000Z"), "Content-Type", icalType), http.StatusCreated, "alice's event")
		for _, tc := range []struct{ method, path, body string }{
			{"PROPFIND", "/dav/calendars/alice/", ""},
			{"PROPFIND", "/dav/principals/alice/", ""},
			{"GET", "/dav/calendars/alice/personal/secret.ics", ""},
			{"PUT", "/dav/calendars/alice/personal/secret.ics", event("secret", "Mine now", "20261104T090000Z", "20261104T100000Z")},
			{"DELETE", "/dav/calendars/alice/personal/secret.ics", ""},
			{"REPORT", "/dav/calendars/alice/personal/", `<D:sync-collection xmlns:D="DAV:"><D:sync-token/><D:prop><D:getetag/></D:prop></D:sync-collection>`},
			{"MKCALENDAR", "/dav/calendars/alice/evil/", ""},
		} {
			r := srv.do("bob", tc.method, tc.path, tc.body, "Content-Type", icalType)
			if r.status != http.StatusForbidden && r.status != http.StatusNotFound {
				t.Fatalf("bob %s %s: got %d, want 403 or 404", tc.method, tc.path, r.status)
			}
			lacks(t, r.body, "Secret", "bob "+tc.method)
		}

		// The shared drop-in calendar: writable for a coordinator, read-only
		// for a librarian.
		session := event("dropin-1", "Drop-in: Zotero #zotero", "20261105T130000Z", "20261105T140000Z")
		srv.expect(srv.do("carol@ub.example.org", "PUT", "/dav/calendars/carol%40ub.example.org/dropin/zotero.ics", session, "Content-Type", icalType), http.StatusCreated, "coordinator writes drop-in")
		srv.expect(srv.do("bob", "PUT", "/dav/calendars/bob/dropin/other.ics", event("dropin-2", "x", "20261105T130000Z", "20261105T140000Z"), "Content-Type", icalType), http.StatusForbidden, "librarian writes drop-in")
		srv.expect(srv.do("bob", "DELETE", "/dav/calendars/bob/dropin/zotero.ics", ""), http.StatusForbidden, "librarian deletes drop-in")
		r := srv.do("bob", "GET", "/dav/calendars/bob/dropin/zotero.ics", "")
		srv.expect(r, http.StatusOK, "librarian reads drop-in")
		contains(t, r.body, "Zotero", "drop-in session")
		r = srv.do("bob", "PROPFIND", "/dav/calendars/bob/dropin/", `<D:propfind xmlns:D="DAV:"><D:prop><D:current-user-privilege-set/></D:prop></D:propfind>`, "Depth", "0")
		contains(t, r.body, "<D:read/>", "librarian privileges")
		lacks(t, r.body, "<D:write/>", "librarian privileges")
		r = srv.do("carol@ub.example.org", "PROPFIND", "/dav/calendars/carol%40ub.example.org/dropin/", `<D:propfind xmlns:D="DAV:"><D:prop><D:current-user-privilege-set/></D:prop></D:propfind>`, "Depth", "0")
		contains(t, r.body, "<D:write/>", "coordinator privileges")
	})
}

func TestBadRequests(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		srv := newServer(t, s)
		for _, tc := range []struct {
			name, method, path, body string
			want                     int
		}{
			{"malformed PROPFIND", "PROPFIND", "/dav/calendars/alice/", "<D:propfind xmlns:D='DAV:'><D:prop>", 400},
			{"PROPFIND with DOCTYPE", "PROPFIND", "/dav/calendars/alice/", `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>`, 400},
			{"malformed REPORT", "REPORT", "/dav/calendars/alice/personal/", "not xml", 400},
			{"unknown REPORT", "REPORT", "/dav/calendars/alice/personal/", `<X:whatever xmlns:X="urn:x"/>`, 403},
			{"dot-dot", "GET", "/dav/calendars/alice/personal/%2e%2e/%2e%2e/bob/personal/", "", 404},
			{"encoded slash", "GET", "/dav/calendars/alice%2Fpersonal/", "", 404},
			{"unknown method", "BREW", "/dav/calendars/alice/", "", 501},
			{"MOVE", "MOVE", "/dav/calendars/alice/personal/x.ics", "", 405},
			{"bad depth", "PROPFIND", "/dav/calendars/alice/", "", 400},
			{"bad sync token", "REPORT", "/dav/calendars/alice/personal/", `<D:sync-collection xmlns:D="DAV:"><D:sync-token>https://elsewhere/1</D:sync-token><D:prop/></D:sync-collection>`, 403},
			{"huge XML", "PROPFIND", "/dav/calendars/alice/", "<D:propfind xmlns:D='DAV:'>" + strings.Repeat("<D:prop/>", 200000) + "</D:propfind>", 413},
		} {
			t.Run(tc.name, func(t *testing.T) {
				headers := []string{}
				if tc.name == "bad depth" {
					headers = append(headers, "Depth", "2")
				}
				r := srv.do("alice", tc.method, tc.path, tc.body, headers...)
				srv.expect(r, tc.want, tc.name)
			})
		}
	})
}
