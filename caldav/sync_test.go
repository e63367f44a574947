package caldav_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

var tokenRE = regexp.MustCompile(`<D:sync-token>([^<]*)</D:sync-token>`)

func syncBody(token string) string {
	// The request of RFC 6578 §3.8's example, with getetag asked.
	return `<?xml version="1.0" encoding="utf-8" ?>
<D:sync-collection xmlns:D="DAV:">
  <D:sync-token>` + token + `</D:sync-token>
  <D:sync-level>1</D:sync-level>
  <D:prop><D:getetag/></D:prop>
</D:sync-collection>`
}

func lastToken(t *testing.T, body string) string {
	t.Helper()
	m := tokenRE.FindAllStringSubmatch(body, -1)
	if len(m) == 0 {
		t.Fatalf("no sync-token in:\n%s", body)
	}
	return m[len(m)-1][1]
}

// TestSyncCollection replays a Thunderbird/DAVx5 sync: an initial sync,
// then only what changed, with deletions as 404 responses (RFC 6578 §3.5).
func TestSyncCollection(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		srv := newServer(t, s)
		cal := "/dav/calendars/alice/personal/"
		for _, name := range []string{"a", "b", "c"} {
			srv.expect(srv.do("alice", "PUT", cal+name+".ics", event(name, name, "20261104T090000Z", "20261104T100000Z"), "Content-Type", icalType), http.StatusCreated, "put "+name)
		}
		ctag := func() string {
			r := srv.do("alice", "PROPFIND", cal, `<D:propfind xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/"><D:prop><CS:getctag/></D:prop></D:propfind>`, "Depth", "0")
			return regexp.MustCompile(`<CS:getctag>([^<]*)<`).FindStringSubmatch(r.body)[1]
		}
		ctag1 := ctag()

		// Thunderbird sends Depth: 1.
		r := srv.do("alice", "REPORT", cal, syncBody(""), "Depth", "1")
		srv.expect(r, http.StatusMultiStatus, "initial sync")
		for _, name := range []string{"a", "b", "c"} {
			contains(t, r.body, "<D:href>"+cal+name+".ics</D:href>", "initial sync")
		}
		if got := strings.Count(r.body, "<D:getetag>"); got != 3 {
			t.Fatalf("initial sync etags: got %d, want 3", got)
		}
		token := lastToken(t, r.body)

		r = srv.do("alice", "REPORT", cal, syncBody(token), "Depth", "0")
		srv.expect(r, http.StatusMultiStatus, "sync without changes")
		if strings.Contains(r.body, "<D:response>") {
			t.Fatalf("sync without changes: got responses:\n%s", r.body)
		}
		if got := lastToken(t, r.body); got != token {
			t.Fatalf("token without changes: got %q, want %q", got, token)
		}

		srv.expect(srv.do("alice", "PUT", cal+"b.ics", event("b", "b2", "20261104T090000Z", "20261104T100000Z"), "Content-Type", icalType), http.StatusNoContent, "edit b")
		srv.expect(srv.do("alice", "DELETE", cal+"c.ics", ""), http.StatusNoContent, "delete c")
		srv.expect(srv.do("alice", "PUT", cal+"d.ics", event("d", "d", "20261104T090000Z", "20261104T100000Z"), "Content-Type", icalType), http.StatusCreated, "put d")
		if ctag() == ctag1 {
			t.Fatalf("getctag did not change after edits")
		}

		r = srv.do("alice", "REPORT", cal, syncBody(token), "Depth", "1")
		srv.expect(r, http.StatusMultiStatus, "incremental sync")
		lacks(t, r.body, cal+"a.ics", "incremental sync")
		contains(t, r.body, "<D:href>"+cal+"b.ics</D:href><D:propstat>", "incremental sync: edited")
		contains(t, r.body, "<D:href>"+cal+"c.ics</D:href><D:status>HTTP/1.1 404 Not Found</D:status>", "incremental sync: deleted")
		contains(t, r.body, "<D:href>"+cal+"d.ics</D:href><D:propstat>", "incremental sync: new")
		token2 := lastToken(t, r.body)

		// A limit cuts the answer and says so with a 507 (RFC 6578 §3.6).
		limited := strings.Replace(syncBody(""), "<D:prop>", "<D:limit><D:nresults>1</D:nresults></D:limit><D:prop>", 1)
		r = srv.do("alice", "REPORT", cal, limited, "Depth", "1")
		srv.expect(r, http.StatusMultiStatus, "limited sync")
		contains(t, r.body, "507 Insufficient Storage", "limited sync")

		// Tokens of another calendar, of the future and garbage are refused.
		other := srv.do("alice", "REPORT", "/dav/calendars/alice/availability/", syncBody(""), "Depth", "1")
		for _, bad := range []string{lastToken(t, other.body), strings.TrimSuffix(token2, "7") + "999", "garbage"} {
			r = srv.do("alice", "REPORT", cal, syncBody(bad), "Depth", "1")
			srv.expect(r, http.StatusForbidden, "bad token "+bad)
			contains(t, r.body, "valid-sync-token", "bad token")
		}
	})
}
