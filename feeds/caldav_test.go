package feeds_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/caldav"
	"github.com/veileder/veileder/feeds"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

const coordPassword = "correct horse battery"

// liveServer is the CalDAV server and the feeds on one real socket, over a
// real store, with the feeds' object hook installed as app.New does.
type liveServer struct {
	t     *testing.T
	url   string
	store *store.Store
	feeds *feeds.Service
	now   *atomic.Int64 // the feeds' clock, Unix seconds
	logs  *lockedBuffer
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newLiveServer(t *testing.T, st *store.Store) *liveServer {
	t.Helper()
	ctx := context.Background()
	if _, err := st.CreateUser(ctx, booking.User{Username: "carol", DisplayName: "Carol Coordinator", Email: "carol@ub.example.org", Role: booking.RoleCoordinator}, coordPassword); err != nil {
		t.Fatal(err)
	}
	for _, tp := range testTopics {
		tp.ServiceSlug = "bibliotekar" // made by the migrations
		if _, err := st.CreateTopic(ctx, tp); err != nil {
			t.Fatal(err)
		}
	}
	ls := &liveServer{t: t, store: st, now: &atomic.Int64{}, logs: &lockedBuffer{}}
	ls.now.Store(time.Now().Unix())
	svc, err := feeds.New(feeds.Config{
		Store: st, Location: oslo, BaseURL: "https://veileder.example.org",
		Logger: slog.New(slog.NewTextHandler(ls.logs, nil)),
		Now:    func() time.Time { return time.Unix(ls.now.Load(), 0) },
	})
	if err != nil {
		t.Fatal(err)
	}
	ls.feeds = svc
	st.SetObjectHook(func(ctx context.Context, tx *store.Tx, c booking.Calendar, before, after *booking.CalendarObject) error {
		return svc.OnObject(ctx, tx, c, before, after)
	})
	mux := http.NewServeMux()
	mux.Handle("/dav/", caldav.NewHandler(caldav.Config{Store: st, Prefix: "/dav", Location: oslo}))
	mux.HandleFunc("/feeds/dropin.ics", func(w http.ResponseWriter, r *http.Request) { svc.ServeFeed(w, r, "") })
	mux.HandleFunc("/feeds/dropin/{file}", func(w http.ResponseWriter, r *http.Request) {
		svc.ServeFeed(w, r, strings.TrimSuffix(r.PathValue("file"), ".ics"))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	ls.url = srv.URL
	return ls
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

func (ls *liveServer) do(method, path string, body []byte, headers ...string) reply {
	ls.t.Helper()
	req, err := http.NewRequest(method, ls.url+path, bytes.NewReader(body))
	if err != nil {
		ls.t.Fatal(err)
	}
	if strings.HasPrefix(path, "/dav/") {
		req.SetBasicAuth("carol", coordPassword)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	// A transport of its own, so that Go does not ask for gzip and
	// decompress behind the test's back.
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	res, err := client.Do(req)
	if err != nil {
		ls.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		ls.t.Fatal(err)
	}
	return reply{res.StatusCode, res.Header, b}
}

func (ls *liveServer) put(name string, data []byte, wantStatus int, headers ...string) reply {
	ls.t.Helper()
	r := ls.do(http.MethodPut, "/dav/calendars/carol/dropin/"+name, data, append([]string{"Content-Type", "text/calendar; charset=utf-8"}, headers...)...)
	if r.status != wantStatus {
		ls.t.Fatalf("PUT %s: status %d, want %d: %s", name, r.status, wantStatus, r.body)
	}
	return r
}

// feedEvents reads a feed's VEVENTs by UID (masters only).
func feedEvents(t *testing.T, body []byte) map[string]*ical.Component {
	t.Helper()
	cal, err := ical.NewDecoder(bytes.NewReader(body)).Decode()
	if err != nil {
		t.Fatalf("feed does not parse: %v\n%s", err, body)
	}
	out := map[string]*ical.Component{}
	for _, c := range cal.Children {
		if c.Name == ical.CompEvent && c.Props.Get(ical.PropRecurrenceID) == nil {
			out[c.Props.Get(ical.PropUID).Value] = c
		}
	}
	return out
}

func propValue(c *ical.Component, name string) string {
	if p := c.Props.Get(name); p != nil {
		return p.Value
	}
	return ""
}

// A session created in a calendar app (CalDAV PUT), one edited and one
// deleted show correctly in the next fetch of the feeds, on both
// databases; an unchanged feed answers 304.
func TestCalDAVChangesReachTheFeeds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ls := newLiveServer(t, st)

		first := ls.do(http.MethodGet, "/feeds/dropin.ics", nil)
		if first.status != http.StatusOK {
			t.Fatalf("empty feed: status %d: %s", first.status, first.body)
		}
		checkWellFormed(t, "empty feed", first.body)
		for h, want := range map[string]string{
			"Content-Type":                "text/calendar; charset=utf-8",
			"Access-Control-Allow-Origin": "*",
			"Vary":                        "Accept-Encoding",
		} {
			if got := first.header.Get(h); got != want {
				t.Errorf("%s = %q, want %q", h, got, want)
			}
		}
		etag0 := first.header.Get("ETag")

		// Created in a calendar app.
		ls.put("zotero.ics", readSession(t, "zotero-weekly.ics"), http.StatusCreated)
		sys := ls.put("systematic.ics", readSession(t, "systematic.ics"), http.StatusCreated)
		ls.put("writing.ics", readSession(t, "writing-week.ics"), http.StatusCreated)
		ls.put("private.ics", readSession(t, "private.ics"), http.StatusCreated)

		r := ls.do(http.MethodGet, "/feeds/dropin.ics", nil, "If-None-Match", etag0)
		if r.status != http.StatusOK || r.header.Get("ETag") == etag0 {
			t.Fatalf("after PUTs: status %d, ETag %s (was %s)", r.status, r.header.Get("ETag"), etag0)
		}
		checkWellFormed(t, "feed", r.body)
		evs := feedEvents(t, r.body)
		if len(evs) != 3 || evs[privateUID] != nil {
			t.Fatalf("feed has %d sessions, want the 3 public ones:\n%s", len(evs), r.body)
		}
		check(t, "new session's start", propValue(evs[zoteroUID], "DTSTART"), "20261006T100000")
		check(t, "new session's summary", propValue(evs[systemUID], "SUMMARY"), "Systematisk søk for masteroppgaven")
		seqBefore, _ := strconv.Atoi(propValue(evs[systemUID], "SEQUENCE"))

		// Unchanged: 304, by ETag or by date, for the plain and the gzip
		// representation.
		etag1, lastMod := r.header.Get("ETag"), r.header.Get("Last-Modified")
		if lastMod == "" {
			t.Fatal("no Last-Modified")
		}
		for _, h := range [][]string{
			{"If-None-Match", etag1},
			{"If-Modified-Since", lastMod},
			{"If-None-Match", strings.TrimSuffix(etag1, `"`) + `-gz"`, "Accept-Encoding", "gzip"},
		} {
			if r := ls.do(http.MethodGet, "/feeds/dropin.ics", nil, h...); r.status != http.StatusNotModified || len(r.body) != 0 {
				t.Errorf("unchanged feed with %v: status %d, want 304", h, r.status)
			} else if r.header.Get("ETag") == "" || r.header.Get("Access-Control-Allow-Origin") != "*" {
				t.Errorf("304 without ETag or CORS: %v", r.header)
			}
		}
		gz := ls.do(http.MethodGet, "/feeds/dropin.ics", nil, "Accept-Encoding", "gzip")
		if gz.header.Get("Content-Encoding") != "gzip" || gz.header.Get("ETag") == etag1 {
			t.Fatalf("gzip: Content-Encoding %q, ETag %q", gz.header.Get("Content-Encoding"), gz.header.Get("ETag"))
		}
		zr, err := gzip.NewReader(bytes.NewReader(gz.body))
		if err != nil {
			t.Fatal(err)
		}
		plain, _ := io.ReadAll(zr)
		if !bytes.Equal(plain, r.body) {
			t.Errorf("the gzipped feed differs from the plain one")
		}

		// Edited: new title and time, with the ETag the app had.
		edited := bytes.Replace(readSession(t, "systematic.ics"), []byte("SUMMARY:Systematisk søk for masteroppgaven"), []byte("SUMMARY:Systematisk søk (nytt rom)"), 1)
		edited = bytes.Replace(edited, []byte("DTSTART:20261015T120000Z"), []byte("DTSTART:20261016T120000Z"), 1)
		edited = bytes.Replace(edited, []byte("DTEND:20261015T140000Z"), []byte("DTEND:20261016T140000Z"), 1)
		ls.put("systematic.ics", edited, http.StatusNoContent, "If-Match", sys.header.Get("ETag"))

		// Deleted.
		if r := ls.do(http.MethodDelete, "/dav/calendars/carol/dropin/writing.ics", nil); r.status != http.StatusNoContent {
			t.Fatalf("DELETE: status %d: %s", r.status, r.body)
		}

		r = ls.do(http.MethodGet, "/feeds/dropin.ics", nil, "If-None-Match", etag1)
		if r.status != http.StatusOK {
			t.Fatalf("after edit and delete: status %d", r.status)
		}
		evs = feedEvents(t, r.body)
		check(t, "edited summary", propValue(evs[systemUID], "SUMMARY"), "Systematisk søk (nytt rom)")
		check(t, "edited start", propValue(evs[systemUID], "DTSTART"), "20261016T140000")
		if after, _ := strconv.Atoi(propValue(evs[systemUID], "SEQUENCE")); after <= seqBefore {
			t.Errorf("SEQUENCE %d after an edit, was %d", after, seqBefore)
		}
		del := evs[writingUID]
		if del == nil {
			t.Fatalf("the deleted session is not in the feed:\n%s", r.body)
		}
		check(t, "deleted status", propValue(del, "STATUS"), "CANCELLED")
		check(t, "deleted start", propValue(del, "DTSTART"), "20261102")
		check(t, "deleted summary", propValue(del, "SUMMARY"), "Skriveuke #skrivestøtte")
		etag2 := r.header.Get("ETag")

		// A session that loses its theme tag is cancelled in that theme's
		// feed only.
		untagged := bytes.ReplaceAll(readSession(t, "zotero-weekly.ics"), []byte(" #zotero"), nil)
		untagged = bytes.ReplaceAll(untagged, []byte(" #Zotero"), nil)
		ls.put("zotero.ics", untagged, http.StatusNoContent)
		zr2 := ls.do(http.MethodGet, "/feeds/dropin/zotero.ics?lang=en", nil)
		if zr2.status != http.StatusOK {
			t.Fatalf("zotero feed: %d", zr2.status)
		}
		check(t, "untagged session in its old theme's feed", propValue(feedEvents(t, zr2.body)[zoteroUID], "STATUS"), "CANCELLED")
		all := feedEvents(t, ls.do(http.MethodGet, "/feeds/dropin.ics", nil).body)
		check(t, "untagged session in the feed of all", propValue(all[zoteroUID], "STATUS"), "")

		// Unknown tags are logged with the object's name, and listed.
		if logs := ls.logs.String(); !strings.Contains(logs, "level=WARN") || !strings.Contains(logs, "object=systematic.ics") || !strings.Contains(logs, "ukjent-tema") {
			t.Errorf("unknown tags not logged at warn with the object:\n%s", logs)
		}
		tags, err := ls.feeds.UnknownTags(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, tg := range tags {
			got = append(got, tg.Object+":"+tg.Tag)
		}
		if want := []string{"systematic.ics:ukjent-tema", "systematic.ics:endnote"}; !slices.Equal(got, want) {
			t.Errorf("UnknownTags = %v, want %v", got, want)
		}

		// 31 days on, the tombstones are no longer shown, and the ETag
		// changes although nothing was written.
		ls.now.Add(31 * 24 * 3600)
		r = ls.do(http.MethodGet, "/feeds/dropin.ics", nil, "If-None-Match", etag2)
		if r.status != http.StatusOK {
			t.Fatalf("after the TTL: status %d, want 200", r.status)
		}
		if evs := feedEvents(t, r.body); evs[writingUID] != nil {
			t.Errorf("a tombstone older than the TTL is still in the feed")
		}

		// Unknown themes are 404.
		if r := ls.do(http.MethodGet, "/feeds/dropin/nope.ics", nil); r.status != http.StatusNotFound {
			t.Errorf("unknown theme: status %d, want 404", r.status)
		}
	})
}
