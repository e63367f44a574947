package caldav_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// TestAllpropAndListing: an empty PROPFIND (allprop, RFC 4918 §9.1) of the
// root and the principal names what discovery needs, as python-caldav asks
// after the 301 of .well-known; cadaver's ls (allprop, Depth 1) gets each
// object's getcontentlength.
func TestAllpropAndListing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		srv := newServer(t, s)
		tests := []struct {
			path string
			want []string
		}{
			{"/dav/", []string{"<D:current-user-principal><D:href>/dav/principals/alice/</D:href>"}},
			{"/dav/principals/alice/", []string{
				"<D:current-user-principal><D:href>/dav/principals/alice/</D:href>",
				"<D:principal-URL><D:href>/dav/principals/alice/</D:href>",
				"<C:calendar-home-set><D:href>/dav/calendars/alice/</D:href>",
				"<D:href>mailto:alice@ub.example.org</D:href>",
			}},
		}
		for _, tc := range tests {
			r := srv.do("alice", "PROPFIND", tc.path, "", "Depth", "0")
			srv.expect(r, http.StatusMultiStatus, "allprop "+tc.path)
			for _, want := range tc.want {
				contains(t, r.body, want, "allprop "+tc.path)
			}
		}

		body := event("cadaver-1", "Listed", "20261104T090000Z", "20261104T100000Z")
		srv.expect(srv.do("alice", "PUT", "/dav/calendars/alice/personal/listed.ics", body, "Content-Type", icalType), http.StatusCreated, "put")
		for _, req := range []string{"", `<D:propfind xmlns:D="DAV:"><D:prop><D:getcontentlength/></D:prop></D:propfind>`} {
			r := srv.do("alice", "PROPFIND", "/dav/calendars/alice/personal/", req, "Depth", "1")
			srv.expect(r, http.StatusMultiStatus, "listing")
			contains(t, r.body, "<D:getcontentlength>"+strconv.Itoa(len(body))+"</D:getcontentlength>", "listing")
			// The collection has no length; the object's answer holds no 404.
			_, obj, _ := strings.Cut(r.body, "listed.ics</D:href>")
			obj, _, _ = strings.Cut(obj, "</D:response>")
			lacks(t, obj, "404", "listing of the object")
		}
	})
}
