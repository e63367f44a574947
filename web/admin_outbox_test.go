package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
)

// fakeStaffStore knows two sessions, an admin's and a librarian's; every
// other StaffStore method is left to the nil interface (and would panic:
// these pages must not call them).
type fakeStaffStore struct{ StaffStore }

func (fakeStaffStore) SessionUser(_ context.Context, token string) (booking.User, error) {
	switch token {
	case "admin-session":
		return booking.User{ID: 1, Username: "ada", DisplayName: "Ada Admin", Role: booking.RoleAdmin}, nil
	case "librarian-session":
		return booking.User{ID: 2, Username: "liv", DisplayName: "Liv Bibliotekar", Role: booking.RoleLibrarian}, nil
	}
	return booking.User{}, booking.ErrUnauthenticated
}

type fakeStaffService struct{ StaffService }

// fakeOutbox holds failed messages by id.
type fakeOutbox struct {
	mu       sync.Mutex
	stats    booking.OutboxStats
	failed   []booking.FailedMessage
	requeued []int64
	at       time.Time
}

func (f *fakeOutbox) OutboxStats(context.Context) (booking.OutboxStats, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.stats, nil
}

func (f *fakeOutbox) FailedMessages(_ context.Context, limit int) ([]booking.FailedMessage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failed[:min(limit, len(f.failed))], nil
}

func (f *fakeOutbox) RequeueMessage(_ context.Context, id int64, now time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, m := range f.failed {
		if m.ID == id {
			f.failed = append(f.failed[:i], f.failed[i+1:]...)
			f.stats.Failed--
			f.stats.Pending++
			f.requeued, f.at = append(f.requeued, id), now
			return nil
		}
	}
	if id == 99 || slices.Contains(f.requeued, id) {
		return fmt.Errorf("fake: message %d is not failed: %w", id, booking.ErrConflict)
	}
	return fmt.Errorf("fake: message %d: %w", id, booking.ErrNotFound)
}

type fakeTags []booking.DropInTag

func (f fakeTags) UnknownTags(context.Context) ([]booking.DropInTag, error) { return f, nil }

// staffEnv serves the staff pages with the fakes; outbox and tags may be
// nil, as in a deployment without them.
func staffEnv(t *testing.T, outbox Outbox, tags DropInTags) *env {
	t.Helper()
	return newEnv(t, func(c *Config) {
		c.Staff = StaffConfig{Store: fakeStaffStore{}, Service: fakeStaffService{}, Outbox: outbox, DropInTags: tags}
	})
}

// staffClient is a browser signed in with the session.
func (e *env) staffClient(t *testing.T, session string) *http.Client {
	t.Helper()
	c := e.client(t)
	u, err := url.Parse(e.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	c.Jar.SetCookies(u, []*http.Cookie{{Name: "staff", Value: session, Path: "/"}})
	return c
}

func TestAdminOutbox(t *testing.T) {
	created := time.Date(2026, 3, 9, 8, 30, 0, 0, oslo)
	ob := &fakeOutbox{
		stats: booking.OutboxStats{Pending: 4, Sent: 120, Failed: 2, Skipped: 3},
		failed: []booking.FailedMessage{
			{ID: 7, Kind: booking.MessageConfirmation, BookingID: 42, Attempts: 10, LastError: "451 <try later> & again", CreatedAt: created},
			{ID: 8, Kind: booking.MessageLibrarianNew, Attempts: 1, LastError: "550 no such user", CreatedAt: created},
		},
	}
	e := staffEnv(t, ob, fakeTags{})
	admin := e.staffClient(t, "admin-session")

	r := e.get(t, admin, "/admin/outbox", "Accept-Language", "en")
	if r.status != http.StatusOK {
		t.Fatalf("GET /admin/outbox: got %d, want 200:\n%s", r.status, r.body)
	}
	for _, want := range []string{
		"<strong>4</strong>waiting to be sent",
		`<li class="alert"><strong>2</strong>failed</li>`,
		"<strong>120</strong>sent",
		`<th scope="row">Confirmation</th>`,
		`<td class="num">42</td>`,
		`<td class="num">10</td>`,
		"451 &lt;try later&gt; &amp; again",
		`<th scope="row">New booking, to the librarian</th>`,
		"(deleted)",
		`action="/admin/outbox/7/retry"`,
		`action="/admin/outbox/8/retry"`,
		`<time datetime="2026-03-09T08:30:00`,
		`<a href="/admin/outbox" aria-current="page">Email</a>`,
		`<a href="/admin/dropin-tags">Drop-in hashtags</a>`,
		`Try again<span class="visually-hidden"> – message 7</span>`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the outbox page lacks %q", want)
		}
	}
	csrf := csrfFrom(t, r.body)

	// Retry: CSRF first, then the requeue, then back to the page.
	if r := e.postForm(t, admin, "/admin/outbox/7/retry", url.Values{}); r.status != http.StatusForbidden {
		t.Errorf("retry without the CSRF token: got %d, want 403", r.status)
	}
	r = e.postForm(t, admin, "/admin/outbox/7/retry", url.Values{"csrf": {csrf}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/admin/outbox?done=requeued" {
		t.Fatalf("retry: got %d to %q, want 303 to /admin/outbox?done=requeued", r.status, r.header.Get("Location"))
	}
	ob.mu.Lock()
	if len(ob.requeued) != 1 || ob.requeued[0] != 7 || !ob.at.Equal(testNow) {
		t.Errorf("requeued %v at %v, want message 7 at %v", ob.requeued, ob.at, testNow)
	}
	ob.mu.Unlock()
	r = e.get(t, admin, "/admin/outbox?done=requeued", "Accept-Language", "en")
	if !strings.Contains(r.body, "The message is queued again") || strings.Contains(r.body, `action="/admin/outbox/7/retry"`) {
		t.Errorf("after the retry: want the confirmation and message 7 gone:\n%s", r.body)
	}

	for _, tt := range []struct {
		path string
		want int
	}{
		{"/admin/outbox/7/retry", http.StatusConflict}, // not failed any more
		{"/admin/outbox/99/retry", http.StatusConflict},
		{"/admin/outbox/12345/retry", http.StatusNotFound},
		{"/admin/outbox/abc/retry", http.StatusNotFound},
	} {
		if r := e.postForm(t, admin, tt.path, url.Values{"csrf": {csrf}}); r.status != tt.want {
			t.Errorf("POST %s: got %d, want %d", tt.path, r.status, tt.want)
		}
	}

	// Admins only.
	lib := e.staffClient(t, "librarian-session")
	if r := e.get(t, lib, "/admin/outbox"); r.status != http.StatusForbidden {
		t.Errorf("a librarian: got %d, want 403", r.status)
	}
	if r := e.get(t, e.client(t), "/admin/outbox"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/staff/login") {
		t.Errorf("signed out: got %d to %q, want 303 to the sign-in page", r.status, r.header.Get("Location"))
	}
}

func TestAdminOutboxNoneFailed(t *testing.T) {
	e := staffEnv(t, &fakeOutbox{stats: booking.OutboxStats{Sent: 3}}, nil)
	r := e.get(t, e.staffClient(t, "admin-session"), "/admin/outbox")
	if r.status != http.StatusOK || !strings.Contains(r.body, T("nb", "staff.outbox.failed.none")) || strings.Contains(r.body, "<table") {
		t.Errorf("no failed messages: got %d, want the page saying so, without a table:\n%s", r.status, r.body)
	}
	if strings.Contains(r.body, `class="alert"`) {
		t.Errorf("no failed messages, yet the count is marked")
	}
}

func TestAdminDropinTags(t *testing.T) {
	tags := fakeTags{
		{Tag: "zotro", Object: "abc.ics", UID: "abc@x", Summary: "Zotero <verksted>"},
		{Tag: "latex", Object: "def.ics", UID: "def@x"},
	}
	e := staffEnv(t, nil, tags)
	admin := e.staffClient(t, "admin-session")
	r := e.get(t, admin, "/admin/dropin-tags", "Accept-Language", "en")
	if r.status != http.StatusOK {
		t.Fatalf("GET /admin/dropin-tags: got %d:\n%s", r.status, r.body)
	}
	for _, want := range []string{
		`<caption>Unknown hashtags</caption>`,
		`<th scope="row">#zotro</th>`,
		`<a href="/staff/dropin/abc.ics">Zotero &lt;verksted&gt;</a>`,
		`<th scope="row">#latex</th>`,
		`<a href="/staff/dropin/def.ics">(untitled)</a>`,
		`<a href="/admin/dropin-tags" aria-current="page">Drop-in hashtags</a>`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the tags page lacks %q", want)
		}
	}
	// Without an outbox the e-mail page is neither linked nor served.
	if strings.Contains(r.body, `href="/admin/outbox"`) {
		t.Errorf("the navigation links the outbox page, which is not configured")
	}
	if r := e.get(t, admin, "/admin/outbox"); r.status != http.StatusNotFound {
		t.Errorf("GET /admin/outbox without an outbox: got %d, want 404", r.status)
	}
	if r := e.get(t, e.staffClient(t, "librarian-session"), "/admin/dropin-tags"); r.status != http.StatusForbidden {
		t.Errorf("a librarian: got %d, want 403", r.status)
	}

	e = staffEnv(t, nil, fakeTags{})
	r = e.get(t, e.staffClient(t, "admin-session"), "/admin/dropin-tags")
	if !strings.Contains(r.body, T("nb", "staff.dropintags.none")) || strings.Contains(r.body, "<table") {
		t.Errorf("no unknown tags: want the page saying so, without a table:\n%s", r.body)
	}
}

// The student pages link the drop-in page from the header and the home
// page when it is served, and not when it is not.
func TestDropinLinks(t *testing.T) {
	e, _ := dropinEnv(t)
	c := e.client(t)
	for _, tt := range []struct{ lang, text string }{{"nb", "Drop-in-veiledning"}, {"en", "Drop-in sessions"}} {
		r := e.get(t, c, "/", "Accept-Language", tt.lang)
		header, _, _ := strings.Cut(r.body, "</header>")
		if !strings.Contains(header, `<a href="/dropin">`+tt.text+`</a>`) {
			t.Errorf("%s: the header lacks the drop-in link:\n%s", tt.lang, header)
		}
		_, main, _ := strings.Cut(r.body, `<main`)
		if !strings.Contains(main, `<a class="button secondary" href="/dropin">`+tt.text+`</a>`) {
			t.Errorf("%s: the home page lacks the drop-in link", tt.lang)
		}
	}
	r := e.get(t, c, "/dropin")
	if !strings.Contains(r.body, `<a href="/dropin" aria-current="page">`) {
		t.Errorf("on /dropin the header link is not marked current")
	}
	if !strings.Contains(r.body, `<li class="dropin-session cancelled">`) {
		t.Errorf("the cancelled session is not marked for the stylesheet")
	}

	r = e.get(t, c, "/privacy")
	if strings.Contains(r.body, `aria-current="page">Drop-in`) || !strings.Contains(r.body, `href="/dropin"`) {
		t.Errorf("/privacy: want the header link, not marked current")
	}

	e = newEnv(t)
	if r := e.get(t, e.client(t), "/"); strings.Contains(r.body, `href="/dropin"`) {
		t.Errorf("without drop-in sessions the home page links /dropin")
	}
}
