package external_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/external"
	"github.com/veileder/veileder/recurrence"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

func TestBookingsLink(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ola := f.librarian("ola", "zotero")
		other := f.librarian("kari", "zotero")
		for _, u := range []booking.User{ola, other} {
			cal := must(s.CalendarBySlug(f.ctx, u.ID, "bookings"))(t)
			data := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:b-" + u.Username + "@veileder\r\nDTSTAMP:20270101T000000Z\r\n" +
				"DTSTART:20270318T090000Z\r\nDTEND:20270318T094500Z\r\nSUMMARY:Veiledning: Zotero\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
			obj := must(storetest.Object(cal, "b.ics", []byte(data), f.loc))(t)
			if _, _, err := s.PutObject(f.ctx, obj, booking.WriteCondition{}); err != nil {
				t.Fatal(err)
			}
		}
		links := must(external.NewLinks(external.LinksConfig{Store: s, Key: []byte("0123456789abcdef0123456789abcdef"), BaseURL: "https://veileder.example/", Now: f.clock.now}))(t)
		srv := httptest.NewServer(links)
		defer srv.Close()
		get := func(link, etag string) (int, string, http.Header) {
			t.Helper()
			req := must(http.NewRequest(http.MethodGet, srv.URL+strings.TrimPrefix(link, "https://veileder.example"), nil))(t)
			if etag != "" {
				req.Header.Set("If-None-Match", etag)
			}
			resp := must(http.DefaultClient.Do(req))(t)
			defer resp.Body.Close()
			body := must(io.ReadAll(resp.Body))(t)
			return resp.StatusCode, string(body), resp.Header
		}

		link := must(links.Link(f.ctx, ola.ID))(t)
		if again := must(links.Link(f.ctx, ola.ID))(t); again != link || !strings.HasPrefix(link, "https://veileder.example"+external.BookingsPath) {
			t.Errorf("link: got %q then %q, want the same link under %s", link, again, external.BookingsPath)
		}
		code, body, h := get(link, "")
		if code != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/calendar") || !strings.Contains(h.Get("Cache-Control"), "private") {
			t.Fatalf("GET: got %d %q %q", code, h.Get("Content-Type"), h.Get("Cache-Control"))
		}
		cal, err := recurrence.ParseCalendar([]byte(body))
		if err != nil {
			t.Fatalf("the feed does not parse: %v\n%s", err, body)
		}
		if len(cal.Children) != 1 || !strings.Contains(body, "UID:b-ola@veileder") || strings.Contains(body, "b-kari") {
			t.Errorf("feed: got\n%s\nwant ola's one booking", body)
		}
		if code, _, _ := get(link, h.Get("ETag")); code != http.StatusNotModified {
			t.Errorf("GET with its ETag: got %d, want 304", code)
		}
		renewed := must(links.Renew(f.ctx, ola.ID))(t)
		if code, _, _ := get(link, ""); code != http.StatusNotFound {
			t.Errorf("old link after renewal: got %d, want 404", code)
		}
		if code, _, _ := get(renewed, ""); code != http.StatusOK {
			t.Errorf("renewed link: got %d, want 200", code)
		}
		if err := links.Revoke(f.ctx, ola.ID); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{renewed, external.BookingsPath + "x.ics", external.BookingsPath, external.BookingsPath + strings.Repeat("a", 43)} {
			if code, _, _ := get(p, ""); code != http.StatusNotFound {
				t.Errorf("GET %s: got %d, want 404", p, code)
			}
		}
	})
}
