package caldav_test

import (
	"net/http"
	"testing"

	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// TestDeadProperties: properties a calendar app sets that Veileder does not
// interpret are kept as sent (RFC 4918), so that Apple Calendar's
// schedule-calendar-transp and similar settings survive; protected live
// properties are refused.
func TestDeadProperties(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		srv := newServer(t, s)
		path := "/dav/calendars/alice/personal/"
		set := `<D:propertyupdate xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:Z="urn:example:app">
  <D:set><D:prop>
    <C:schedule-calendar-transp><C:transparent/></C:schedule-calendar-transp>
    <Z:setting level="3">blå &amp; grønn</Z:setting>
  </D:prop></D:set>
</D:propertyupdate>`
		r := srv.do("alice", "PROPPATCH", path, set)
		srv.expect(r, http.StatusMultiStatus, "PROPPATCH dead properties")
		lacks(t, r.body, "403", "PROPPATCH dead properties")

		ask := `<D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:Q="urn:example:app"><D:prop><C:schedule-calendar-transp/><Q:setting/></D:prop></D:propfind>`
		r = srv.do("alice", "PROPFIND", path, ask, "Depth", "0")
		srv.expect(r, http.StatusMultiStatus, "PROPFIND dead properties")
		contains(t, r.body, `<C:schedule-calendar-transp><transparent xmlns="urn:ietf:params:xml:ns:caldav"></transparent></C:schedule-calendar-transp>`, "transp kept")
		contains(t, r.body, `<X:setting xmlns:X="urn:example:app">blå &amp; grønn</X:setting>`, "app setting kept")
		lacks(t, r.body, "404", "PROPFIND dead properties")

		r = srv.do("alice", "PROPFIND", path, `<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>`, "Depth", "0")
		contains(t, r.body, "urn:example:app", "allprop includes dead properties")

		// Removing one; refusing a protected one fails the whole request.
		r = srv.do("alice", "PROPPATCH", path, `<D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:example:app"><D:remove><D:prop><Z:setting/></D:prop></D:remove></D:propertyupdate>`)
		srv.expect(r, http.StatusMultiStatus, "remove dead property")
		bad := `<D:propertyupdate xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/" xmlns:Z="urn:example:app"><D:set><D:prop><Z:other>x</Z:other><CS:getctag>forged</CS:getctag></D:prop></D:set></D:propertyupdate>`
		r = srv.do("alice", "PROPPATCH", path, bad)
		contains(t, r.body, "403 Forbidden", "protected property")
		contains(t, r.body, "424 Failed Dependency", "protected property")
		r = srv.do("alice", "PROPFIND", path, ask, "Depth", "0")
		contains(t, r.body, "<C:schedule-calendar-transp>", "transp still kept")
		lacks(t, r.body, "grønn", "removed property")
		r = srv.do("alice", "PROPFIND", path, `<D:propfind xmlns:D="DAV:" xmlns:Z="urn:example:app"><D:prop><Z:other/></D:prop></D:propfind>`, "Depth", "0")
		contains(t, r.body, "404 Not Found", "nothing stored from the failed PROPPATCH")

		// MKCALENDAR keeps the ones it is given.
		mk := `<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><D:displayname>Work</D:displayname><C:schedule-calendar-transp><C:opaque/></C:schedule-calendar-transp></D:prop></D:set></C:mkcalendar>`
		srv.expect(srv.do("alice", "MKCALENDAR", "/dav/calendars/alice/work/", mk), http.StatusCreated, "MKCALENDAR")
		r = srv.do("alice", "PROPFIND", "/dav/calendars/alice/work/", ask, "Depth", "0")
		contains(t, r.body, "opaque", "MKCALENDAR dead property")
	})
}
