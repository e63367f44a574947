package external

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
)

func TestNormalizeURL(t *testing.T) {
	tests := []struct {
		in, want      string
		allowInsecure bool
		wantErr       string
	}{
		{in: " webcal://outlook.office365.com/owa/calendar/x/y/calendar.ics ", want: "https://outlook.office365.com/owa/calendar/x/y/calendar.ics"},
		{in: "webcals://calendar.google.com/calendar/ical/a/private-b/basic.ics", want: "https://calendar.google.com/calendar/ical/a/private-b/basic.ics"},
		{in: "HTTPS://Example.org/cal.ics#frag", want: "https://Example.org/cal.ics"},
		{in: "http://exchange.local/cal.ics", wantErr: "not http://"},
		{in: "http://exchange.local/cal.ics", allowInsecure: true, want: "http://exchange.local/cal.ics"},
		{in: "", wantErr: "empty"},
		{in: "outlook.office365.com/calendar.ics", wantErr: "not a web address"},
		{in: "ftp://example.org/cal.ics", wantErr: "must start with https://"},
		{in: "mailto:someone@example.org", wantErr: "not a web address"},
		{in: "https://user:pw@example.org/cal.ics", wantErr: "user name or password"},
		{in: "https://exa mple.org/", wantErr: "not a web address"},
	}
	for _, tt := range tests {
		got, err := NormalizeURL(tt.in, tt.allowInsecure)
		switch {
		case tt.wantErr == "" && (err != nil || got != tt.want):
			t.Errorf("NormalizeURL(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, booking.ErrInvalid)):
			t.Errorf("NormalizeURL(%q) = %q, %v; want an ErrInvalid saying %q", tt.in, got, err, tt.wantErr)
		}
	}
}

func TestPublicAddr(t *testing.T) {
	tests := []struct {
		addr string
		want bool
	}{
		{"127.0.0.1", false}, {"10.1.2.3", false}, {"172.16.0.1", false}, {"192.168.1.1", false},
		{"169.254.169.254", false}, {"100.64.0.1", false}, {"0.0.0.0", false}, {"::1", false},
		{"fe80::1", false}, {"fd00::1", false}, {"::ffff:127.0.0.1", false}, {"::ffff:10.0.0.1", false},
		{"52.97.1.1", true}, {"142.250.74.46", true}, {"2603:1026::1", true},
	}
	for _, tt := range tests {
		if got := publicAddr(netip.MustParseAddr(tt.addr)); got != tt.want {
			t.Errorf("publicAddr(%s) = %v, want %v", tt.addr, got, tt.want)
		}
	}
}

func feedFile(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestFetch: conditional GET, gzip and the browser-like User-Agent that
// Microsoft's servers want, over a real socket.
func TestFetch(t *testing.T) {
	feed := feedFile(t, "outlook.ics")
	var gets, conditional atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gets.Add(1)
		if !strings.HasPrefix(r.UserAgent(), "Mozilla/5.0") {
			http.Error(w, "unknown client", http.StatusInternalServerError) // as Exchange Online does
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Mon, 01 Mar 2027 06:15:00 GMT")
		if r.Header.Get("If-None-Match") == `"v1"` {
			conditional.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			zw.Write(feed)
			zw.Close()
			return
		}
		w.Write(feed)
	}))
	defer srv.Close()
	f := newFetcher(5*time.Second, DefaultMaxBytes, DefaultMaxRedirects, true)
	resp, err := f.fetch(t.Context(), srv.URL+"/cal.ics", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(resp.body, feed) || resp.etag != `"v1"` || resp.lastModified == "" || resp.notModified {
		t.Errorf("first fetch: got %d bytes, ETag %q, Last-Modified %q, 304 %v; want the feed and its validators",
			len(resp.body), resp.etag, resp.lastModified, resp.notModified)
	}
	resp, err = f.fetch(t.Context(), srv.URL+"/cal.ics", resp.etag, resp.lastModified)
	if err != nil || !resp.notModified || conditional.Load() != 1 {
		t.Errorf("second fetch: got 304 %v, %v, %d conditional; want one 304", resp.notModified, err, conditional.Load())
	}
}

// TestFetchRefusals: each bad feed gets a clear message that does not
// quote the URL.
func TestFetchRefusals(t *testing.T) {
	const secret = "s3cr3t-token"
	mux := http.NewServeMux()
	mux.HandleFunc("/html/"+secret, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<!DOCTYPE html><html><body>Outlook</body></html>")
	})
	mux.HandleFunc("/binary/"+secret, func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte{0x89, 'P', 'N', 'G', 0, 0, 0, 0x0d, 0xff, 0xfe})
	})
	mux.HandleFunc("/text/"+secret, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "hello") })
	mux.HandleFunc("/big/"+secret, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "BEGIN:VCALENDAR\r\n")
		w.Write(bytes.Repeat([]byte("X-FILL:0123456789012345678901234567890123456789\r\n"), 3000))
	})
	mux.HandleFunc("/bomb/"+secret, func(w http.ResponseWriter, r *http.Request) {
		// 150 kB unpacked from a few hundred bytes: the limit is on what
		// is unpacked.
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		fmt.Fprint(zw, "BEGIN:VCALENDAR\r\n")
		zw.Write(bytes.Repeat([]byte("X"), 150000))
		zw.Close()
	})
	mux.HandleFunc("/drip/"+secret, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "BEGIN:VCALENDAR\r\n")
		for i := 0; i < 100; i++ {
			select {
			case <-r.Context().Done():
				return
			case <-time.After(50 * time.Millisecond):
			}
			w.Write([]byte("X"))
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("/gone/"+secret, func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	mux.HandleFunc("/down/"+secret, func(w http.ResponseWriter, r *http.Request) { http.Error(w, "oops", http.StatusServiceUnavailable) })
	mux.HandleFunc("/denied/"+secret, func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", http.StatusForbidden) })
	mux.HandleFunc("/loop/"+secret, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop/"+secret, http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	// The inside server stands for 127.0.0.1 that a public feed redirects
	// to; the outside one is let through as if it were public.
	// Both speak https, as a real feed must.
	inside := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(feedFile(t, "outlook.ics"))
	}))
	defer inside.Close()
	outside := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, inside.URL+"/"+secret, http.StatusFound)
	}))
	defer outside.Close()
	outsideAddr := netip.MustParseAddrPort(strings.TrimPrefix(outside.URL, "https://"))

	open := newFetcher(time.Second, 100000, DefaultMaxRedirects, true)
	guarded := newFetcher(time.Second, 100000, DefaultMaxRedirects, false)
	guarded.permit = func(ap netip.AddrPort) bool { return ap == outsideAddr }
	guarded.client.Transport.(*http.Transport).TLSClientConfig.RootCAs = x509Pool(outside.Certificate())
	tests := []struct {
		name string
		f    *fetcher
		url  string
		want string
		// reason and arg are what a front translates.
		reason Reason
		arg    string
	}{
		{"html", open, srv.URL + "/html/" + secret, "a web page, not a calendar", ReasonHTML, ""},
		{"binary", open, srv.URL + "/binary/" + secret, "binary data", ReasonBinary, ""},
		{"not ical", open, srv.URL + "/text/" + secret, "does not give an iCalendar", ReasonNotICS, ""},
		{"too big", open, srv.URL + "/big/" + secret, "larger than 100000 bytes", ReasonTooBig, "100000 bytes"},
		{"gzip bomb", open, srv.URL + "/bomb/" + secret, "larger than 100000 bytes", ReasonTooBig, "100000 bytes"},
		{"slow drip", open, srv.URL + "/drip/" + secret, "did not send the calendar within 1s", ReasonTimeout, "1s"},
		{"not found", open, srv.URL + "/gone/" + secret, "no calendar at this address (404)", ReasonNotFound, "404"},
		{"server error", open, srv.URL + "/down/" + secret, "answered 503", ReasonServerError, "503"},
		{"denied", open, srv.URL + "/denied/" + secret, "refused access (403)", ReasonForbidden, "403"},
		{"redirect loop", open, srv.URL + "/loop/" + secret, "redirects more than 3 times", ReasonRedirects, "3"},
		{"loopback", guarded, srv.URL + "/text/" + secret, "private, loopback or link-local", ReasonPrivate, ""},
		{"redirect to loopback", guarded, outside.URL + "/" + secret, "private, loopback or link-local", ReasonPrivate, ""},
		{"no such host", open, "http://no-such-host.invalid/" + secret, "does not resolve", ReasonDNS, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			_, err := tt.f.fetch(context.Background(), tt.url, "", "")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error saying %q", err, tt.want)
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "127.0.0.1") {
				t.Errorf("error %q quotes the address", err)
			}
			var fe *FeedError
			if !errors.As(err, &fe) {
				t.Errorf("error %T is no *FeedError", err)
			} else if fe.Reason != tt.reason || fe.Arg != tt.arg {
				t.Errorf("got reason %q arg %q, want %q %q", fe.Reason, fe.Arg, tt.reason, tt.arg)
			}
			if took := time.Since(start); took > 3*time.Second {
				t.Errorf("took %v, want the fetch deadline to stop it", took)
			}
		})
	}
}

// TestReadLimits: a feed with a million instances, or one that takes too
// long to expand, is refused whole, not cut.
func TestReadLimits(t *testing.T) {
	loc := oslo(t)
	lo := time.Date(2027, 3, 1, 0, 0, 0, 0, loc)
	minutely := []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nBEGIN:VEVENT\r\nUID:m@x\r\nDTSTAMP:20270101T000000Z\r\n" +
		"DTSTART:20270301T000000Z\r\nDURATION:PT1M\r\nRRULE:FREQ=MINUTELY;COUNT=1000000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
	r := reader{loc: loc, maxInstances: DefaultMaxInstances, maxTime: DefaultMaxReadTime}
	start := time.Now()
	_, err := r.read(minutely, lo, lo.Add(DefaultHorizon))
	if err == nil || !strings.Contains(err.Error(), "more than 50000 events") {
		t.Errorf("a million instances: got %v, want refused", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("a million instances took %v to refuse", took)
	}
	for _, bad := range []string{"not ical", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n"} {
		if _, err := r.read([]byte(bad), lo, lo.Add(DefaultHorizon)); err == nil || !strings.Contains(err.Error(), "not valid iCalendar") {
			t.Errorf("read(%q): got %v, want not valid iCalendar", bad, err)
		}
	}
}

func x509Pool(cert *x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(cert)
	return p
}
