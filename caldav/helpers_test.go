package caldav_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/caldav"
	"github.com/veileder/veileder/store"
)

var oslo = mustLoad("Europe/Oslo")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

const testPassword = "correct horse battery"

// server is a CalDAV server on a real socket with a few users.
type server struct {
	t     *testing.T
	url   string
	store *store.Store
	users map[string]booking.User
}

func newServer(t *testing.T, s *store.Store) *server {
	t.Helper()
	h := caldav.NewHandler(caldav.Config{Store: s, Prefix: "/dav", Location: oslo, MaxResourceSize: 64 << 10})
	// The handler takes every path, as in the app's router, so that odd
	// paths reach it uncleaned.
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	srv := &server{t: t, url: ts.URL, store: s, users: map[string]booking.User{}}
	for _, u := range []booking.User{
		{Username: "alice", DisplayName: "Alice Librarian", Email: "alice@ub.example.org", Role: booking.RoleLibrarian},
		{Username: "bob", DisplayName: "Bob Librarian", Email: "bob@ub.example.org", Role: booking.RoleLibrarian},
		{Username: "carol@ub.example.org", DisplayName: "Carol Coordinator", Email: "carol@ub.example.org", Role: booking.RoleCoordinator},
	} {
		created, err := s.CreateUser(context.Background(), u, testPassword)
		if err != nil {
			t.Fatalf("create user %s: %v", u.Username, err)
		}
		srv.users[u.Username] = created
	}
	return srv
}

type reply struct {
	status int
	header http.Header
	body   string
}

// do sends one request as user (empty: no credentials).
func (s *server) do(user, method, path, body string, headers ...string) reply {
	s.t.Helper()
	req, err := http.NewRequest(method, s.url+path, strings.NewReader(body))
	if err != nil {
		s.t.Fatalf("new request: %v", err)
	}
	if user != "" {
		req.SetBasicAuth(user, testPassword)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

func (s *server) expect(r reply, want int, what string) {
	s.t.Helper()
	if r.status != want {
		s.t.Fatalf("%s: got status %d, want %d; body:\n%s", what, r.status, want, r.body)
	}
}

func contains(t *testing.T, body, want, what string) {
	t.Helper()
	if !strings.Contains(body, want) {
		t.Fatalf("%s: body lacks %q:\n%s", what, want, body)
	}
}

func lacks(t *testing.T, body, unwanted, what string) {
	t.Helper()
	if strings.Contains(body, unwanted) {
		t.Fatalf("%s: body has %q:\n%s", what, unwanted, body)
	}
}

func event(uid, summary, start, end string, extra ...string) string {
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\n")
	b.WriteString("UID:" + uid + "\r\nDTSTAMP:20260101T000000Z\r\n")
	b.WriteString("DTSTART:" + start + "\r\nDTEND:" + end + "\r\nSUMMARY:" + summary + "\r\n")
	for _, e := range extra {
		b.WriteString(e + "\r\n")
	}
	b.WriteString("END:VEVENT\r\nEND:VCALENDAR\r\n")
	return b.String()
}

const icalType = "text/calendar; charset=utf-8"
