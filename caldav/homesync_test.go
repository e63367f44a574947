package caldav_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/veileder/veileder/caldav"

	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// homeSyncBody is what Apple Calendar sends to list the calendar home.
func homeSyncBody(token string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<A:sync-collection xmlns:A="DAV:">
  <A:sync-token>` + token + `</A:sync-token>
  <A:sync-level>1</A:sync-level>
  <A:prop>
    <A:resourcetype/><A:displayname/><A:sync-token/>
    <B:getctag xmlns:B="http://calendarserver.org/ns/"/>
    <C:calendar-color xmlns:C="http://apple.com/ns/ical/"/>
  </A:prop>
</A:sync-collection>`
}

// TestHomeSyncCollection: sync-collection on the calendar home (RFC 6578,
// the calendars as members) reports made, changed and deleted calendars
// since the token, deleted ones as 404; tokens of another home, a future
// position or another epoch are refused with valid-sync-token.
func TestHomeSyncCollection(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		srv := newServer(t, s)
		home := "/dav/calendars/alice/"

		r := srv.do("alice", "PROPFIND", home, `<D:propfind xmlns:D="DAV:"><D:prop><D:sync-token/><D:supported-report-set/></D:prop></D:propfind>`, "Depth", "0")
		srv.expect(r, http.StatusMultiStatus, "PROPFIND home")
		contains(t, r.body, "<D:supported-report><D:report><D:sync-collection/></D:report></D:supported-report>", "home reports")
		propToken := lastToken(t, r.body)

		r = srv.do("alice", "REPORT", home, homeSyncBody(""), "Depth", "1")
		srv.expect(r, http.StatusMultiStatus, "initial home sync")
		for _, slug := range []string{"availability", "bookings", "personal", "dropin"} {
			contains(t, r.body, "<D:href>"+home+slug+"/</D:href>", "initial home sync")
		}
		contains(t, r.body, "<CS:getctag>", "initial home sync")
		token := lastToken(t, r.body)
		if token != propToken {
			t.Fatalf("initial sync token: got %q, want the home's sync-token %q", token, propToken)
		}

		r = srv.do("alice", "REPORT", home, homeSyncBody(token), "Depth", "1")
		srv.expect(r, http.StatusMultiStatus, "home sync, nothing changed")
		lacks(t, r.body, "<D:response>", "home sync, nothing changed")

		srv.expect(srv.do("alice", "MKCALENDAR", home+"teaching/", mkcalendarBody), http.StatusCreated, "MKCALENDAR")
		srv.expect(srv.do("alice", "MKCALENDAR", home+"gone/", ""), http.StatusCreated, "MKCALENDAR gone")
		srv.expect(srv.do("alice", "DELETE", home+"gone/", ""), http.StatusNoContent, "DELETE gone")
		srv.expect(srv.do("alice", "PROPPATCH", home+"personal/", proppatchBody), http.StatusMultiStatus, "PROPPATCH personal")
		// Bob's changes are not Alice's.
		srv.expect(srv.do("bob", "MKCALENDAR", "/dav/calendars/bob/bobs/", ""), http.StatusCreated, "bob's MKCALENDAR")

		r = srv.do("alice", "REPORT", home, homeSyncBody(token), "Depth", "1")
		srv.expect(r, http.StatusMultiStatus, "home sync after changes")
		if got, want := strings.Count(r.body, "<D:response>"), 3; got != want {
			t.Fatalf("home sync after changes: got %d responses, want %d:\n%s", got, want, r.body)
		}
		contains(t, r.body, "<D:href>"+home+"teaching/</D:href><D:propstat><D:prop><D:resourcetype><D:collection/><C:calendar/></D:resourcetype><D:displayname>Undervisning</D:displayname>", "new calendar")
		contains(t, r.body, "<D:href>"+home+"gone/</D:href><D:status>HTTP/1.1 404 Not Found</D:status>", "deleted calendar")
		contains(t, r.body, "<D:href>"+home+"personal/</D:href><D:propstat><D:prop><D:resourcetype><D:collection/><C:calendar/></D:resourcetype><D:displayname>Teaching &amp; courses</D:displayname>", "changed calendar")
		lacks(t, r.body, "bobs", "alice's home sync")
		next := lastToken(t, r.body)

		// nresults cuts the answer; the token covers what was sent.
		limited := strings.Replace(homeSyncBody(token), "<A:prop>", "<A:limit><A:nresults>1</A:nresults></A:limit><A:prop>", 1)
		r = srv.do("alice", "REPORT", home, limited, "Depth", "1")
		srv.expect(r, http.StatusMultiStatus, "limited home sync")
		contains(t, r.body, "number-of-matches-within-limits", "limited home sync")
		r = srv.do("alice", "REPORT", home, homeSyncBody(lastToken(t, r.body)), "Depth", "1")
		if got, want := strings.Count(r.body, "<D:response>"), 2; got != want {
			t.Fatalf("home sync after a limited one: got %d responses, want %d:\n%s", got, want, r.body)
		}

		r = srv.do("bob", "REPORT", "/dav/calendars/bob/", homeSyncBody(next), "Depth", "1")
		srv.expect(r, http.StatusForbidden, "alice's token on bob's home")
		contains(t, r.body, "valid-sync-token", "alice's token on bob's home")
		r = srv.do("alice", "REPORT", home, homeSyncBody(strings.Replace(propToken, "/"+tokenSeq(propToken), "/999", 1)), "Depth", "1")
		srv.expect(r, http.StatusForbidden, "a token from ahead of the home")
		r = srv.do("alice", "REPORT", home, strings.Replace(homeSyncBody(""), "<A:sync-level>1<", "<A:sync-level>infinite<", 1), "Depth", "1")
		srv.expect(r, http.StatusForbidden, "infinite home sync")
		contains(t, r.body, "sync-traversal-supported", "infinite home sync")

		// After a restore (a new epoch), the home's tokens are stale.
		if _, err := s.RenewSyncEpoch(context.Background()); err != nil {
			t.Fatal(err)
		}
		srv2 := newServerOn(t, s)
		r = srv2.do("alice", "REPORT", home, homeSyncBody(next), "Depth", "1")
		srv2.expect(r, http.StatusForbidden, "home token of the old epoch")
		contains(t, r.body, "valid-sync-token", "home token of the old epoch")
	})
}

// tokenSeq is the last path segment of a sync token.
func tokenSeq(token string) string { return token[strings.LastIndex(token, "/")+1:] }

// newServerOn is another CalDAV server on the users of s, with caches of
// its own (a replica, or the service after a restart).
func newServerOn(t *testing.T, s *store.Store) *server {
	t.Helper()
	h := caldav.NewHandler(caldav.Config{Store: s, Prefix: "/dav", Location: oslo, MaxResourceSize: 64 << 10})
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return &server{t: t, url: ts.URL, store: s}
}
