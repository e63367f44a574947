package caldav_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/caldav"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// floodEvent is the worst case a logged-in user can store: an event every
// second, padded to about 50 KB so that each instance repeats 50 KB.
func floodEvent(uid string) string {
	pad := strings.Repeat("x", 73)
	var desc strings.Builder
	for range 660 {
		desc.WriteString("\r\n " + pad)
	}
	return event(uid, "Flood", "20270101T000000Z", "20270101T000001Z", "RRULE:FREQ=SECONDLY", "DESCRIPTION:"+pad+desc.String())
}

const expandYear = `<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/><C:calendar-data><C:expand start="20270101T000000Z" end="20280101T000000Z"/></C:calendar-data></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
    <C:time-range start="20270101T000000Z" end="20280101T000000Z"/>
  </C:comp-filter></C:comp-filter></C:filter>
</C:calendar-query>`

var truncatedMark = regexp.MustCompile(`(?s)<D:response><D:href>[^<]*</D:href><D:status>HTTP/1.1 507 Insufficient Storage</D:status><D:error><D:number-of-matches-within-limits/></D:error></D:response>`)

// TestReportBounds: an expand that would answer hundreds of megabytes is
// cut, says so (RFC 5323 §5.16, RFC 6578 §3.6), and what it does answer
// is complete; an ordinary expand is untouched; max-instances is
// advertised (RFC 4791 §5.2.8).
func TestReportBounds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		srv := newServer(t, s)
		cal := "/dav/calendars/alice/personal/"
		srv.expect(srv.do("alice", "PUT", cal+"a-weekly.ics", event("weekly@test", "Weekly", "20270104T090000Z", "20270104T100000Z", "RRULE:FREQ=WEEKLY"),
			"Content-Type", icalType), http.StatusCreated, "put weekly")
		srv.expect(srv.do("alice", "PUT", cal+"b-flood.ics", floodEvent("flood@test"), "Content-Type", icalType), http.StatusCreated, "put flood")

		r := srv.do("alice", "REPORT", cal, expandYear, "Depth", "1", "Content-Type", "application/xml")
		srv.expect(r, http.StatusMultiStatus, "expand a year")
		if len(r.body) > 1<<20 {
			t.Errorf("expand a year: %d bytes, want a bounded answer", len(r.body))
		}
		if !truncatedMark.MatchString(r.body) {
			t.Errorf("expand a year: no 507 number-of-matches-within-limits response:\n%.2000s", r.body)
		}
		// The weekly event, before the flood, is there whole: 52 Mondays of 2027.
		if got := strings.Count(r.body, "UID:weekly@test"); got != 52 {
			t.Errorf("expand a year: %d weekly instances, want 52", got)
		}
		lacks(t, r.body, "UID:flood@test", "expand a year")

		// The same object in a multiget is cut the same way.
		mg := `<?xml version="1.0" encoding="utf-8"?>
<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><C:calendar-data><C:expand start="20270101T000000Z" end="20270102T000000Z"/></C:calendar-data></D:prop>
  <D:href>` + cal + `b-flood.ics</D:href>
</C:calendar-multiget>`
		r = srv.do("alice", "REPORT", cal, mg, "Content-Type", "application/xml")
		srv.expect(r, http.StatusMultiStatus, "multiget expand")
		if !truncatedMark.MatchString(r.body) || strings.Contains(r.body, "UID:flood@test") {
			t.Errorf("multiget of the flood with expand: want only the 507 mark:\n%.2000s", r.body)
		}

		// Without expand the object is answered as stored.
		plain := strings.Replace(expandYear, `<C:calendar-data><C:expand start="20270101T000000Z" end="20280101T000000Z"/></C:calendar-data>`, `<C:calendar-data/>`, 1)
		r = srv.do("alice", "REPORT", cal, plain, "Depth", "1", "Content-Type", "application/xml")
		srv.expect(r, http.StatusMultiStatus, "query without expand")
		if truncatedMark.MatchString(r.body) || strings.Count(r.body, "UID:flood@test") != 1 {
			t.Errorf("query without expand: want the flood object once, not cut:\n%.500s", r.body)
		}

		r = srv.do("alice", "PROPFIND", cal, `<D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><C:max-instances/></D:prop></D:propfind>`, "Depth", "0")
		srv.expect(r, http.StatusMultiStatus, "propfind max-instances")
		contains(t, r.body, fmt.Sprintf("<C:max-instances>%d</C:max-instances>", caldav.DefaultMaxInstances), "propfind max-instances")
	})
}

// TestSyncCutBySize: an initial sync larger than the answer limit is cut
// with a 507 and a token for what was sent; following the tokens gives
// every member exactly once.
func TestSyncCutBySize(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h := caldav.NewHandler(caldav.Config{Store: s, Prefix: "/dav", Location: oslo, MaxReportBytes: 4 << 10})
		ts := httptest.NewServer(h)
		t.Cleanup(ts.Close)
		srv := &server{t: t, url: ts.URL, store: s, users: map[string]booking.User{}}
		if _, err := s.CreateUser(context.Background(), booking.User{Username: "alice", DisplayName: "Alice", Email: "alice@ub.example.org", Role: booking.RoleLibrarian}, testPassword); err != nil {
			t.Fatal(err)
		}
		cal := "/dav/calendars/alice/personal/"
		const n = 60
		for i := range n {
			srv.expect(srv.do("alice", "PUT", fmt.Sprintf("%se%02d.ics", cal, i), event(fmt.Sprintf("e%02d@test", i), "E", "20270104T090000Z", "20270104T100000Z"),
				"Content-Type", icalType), http.StatusCreated, "put")
		}
		seen := map[string]int{}
		token, rounds := "", 0
		tokenRe := regexp.MustCompile(`<D:sync-token>([^<]+)</D:sync-token>`)
		hrefRe := regexp.MustCompile(`<D:href>(` + regexp.QuoteMeta(cal) + `[^<]+)</D:href>`)
		for {
			rounds++
			if rounds > n {
				t.Fatalf("sync does not end after %d rounds", rounds)
			}
			body := `<D:sync-collection xmlns:D="DAV:"><D:sync-token>` + token + `</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>`
			r := srv.do("alice", "REPORT", cal, body, "Content-Type", "application/xml")
			srv.expect(r, http.StatusMultiStatus, "sync")
			for _, m := range hrefRe.FindAllStringSubmatch(r.body, -1) {
				if m[1] != cal {
					seen[m[1]]++
				}
			}
			m := tokenRe.FindStringSubmatch(r.body)
			if m == nil {
				t.Fatalf("sync answer without a token:\n%s", r.body)
			}
			token = m[1]
			if !truncatedMark.MatchString(r.body) {
				break
			}
		}
		if rounds < 2 {
			t.Errorf("a 4 KiB limit took %d round for %d members; want it cut", rounds, n)
		}
		if len(seen) != n {
			t.Errorf("sync saw %d members, want %d", len(seen), n)
		}
		for href, c := range seen {
			if c != 1 {
				t.Errorf("%s reported %d times", href, c)
			}
		}
	})
}
