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

// feedRefusal stands for external.FeedError: a refused address or feed
// with its reason.
type feedRefusal struct{ reason, arg string }

func (e *feedRefusal) Error() string                    { return "refused: " + e.reason }
func (e *feedRefusal) Unwrap() error                    { return booking.ErrInvalid }
func (e *feedRefusal) FeedReason() (reason, arg string) { return e.reason, e.arg }

// fakeExternal keeps external calendars, preferences and bookings links in
// memory. An address ending in "/<reason>" is refused with that reason;
// "/gone" stands for a feed that fails after it was added.
type fakeExternal struct {
	mu        sync.Mutex
	cals      []booking.ExternalCalendar
	prefs     map[int64]booking.ExternalPrefs
	links     map[int64]string
	next      int64
	refreshed []int64
	now       time.Time
}

func newFakeExternal(now time.Time) *fakeExternal {
	return &fakeExternal{prefs: map[int64]booking.ExternalPrefs{}, links: map[int64]string{}, now: now}
}

func (f *fakeExternal) AddExternal(_ context.Context, userID int64, rawURL, name string) (booking.ExternalCalendar, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	u, err := url.Parse(rawURL)
	if rawURL == "" {
		return booking.ExternalCalendar{}, fmt.Errorf("add: %w", &feedRefusal{reason: "empty"})
	}
	if err != nil || u.Host == "" {
		return booking.ExternalCalendar{}, fmt.Errorf("add: %w", &feedRefusal{reason: "not_url"})
	}
	switch last := u.Path[strings.LastIndexByte(u.Path, '/')+1:]; last {
	case "html", "private":
		return booking.ExternalCalendar{}, fmt.Errorf("add: %w", &feedRefusal{reason: last})
	case "big":
		return booking.ExternalCalendar{}, fmt.Errorf("add: %w", &feedRefusal{reason: "too_big", arg: "10 MiB"})
	}
	for _, c := range f.cals {
		if c.UserID == userID && c.URL == rawURL {
			return booking.ExternalCalendar{}, fmt.Errorf("add: %w", booking.ErrConflict)
		}
	}
	f.next++
	c := booking.ExternalCalendar{ID: f.next, UserID: userID, Name: name, URL: rawURL, URLHint: u.Host + "/…",
		State: booking.ExternalOK, LastFetched: f.now, LastOK: f.now, Events: 12}
	f.cals = append(f.cals, c)
	return c, nil
}

func (f *fakeExternal) RemoveExternal(_ context.Context, userID, id int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, c := range f.cals {
		if c.ID == id && c.UserID == userID {
			f.cals = slices.Delete(f.cals, i, i+1)
			return nil
		}
	}
	return fmt.Errorf("fake: calendar %d of %d: %w", id, userID, booking.ErrNotFound)
}

func (f *fakeExternal) ExternalCalendars(_ context.Context, userID int64) ([]booking.ExternalCalendar, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []booking.ExternalCalendar
	for _, c := range f.cals {
		if userID == 0 || c.UserID == userID {
			out = append(out, c)
		}
	}
	return out, nil
}

func (f *fakeExternal) RefreshExternal(_ context.Context, userID int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refreshed = append(f.refreshed, userID)
	return nil
}

func (f *fakeExternal) ExternalPrefs(_ context.Context, userID int64) (booking.ExternalPrefs, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.prefs[userID], nil
}

func (f *fakeExternal) SetExternalPrefs(_ context.Context, userID int64, p booking.ExternalPrefs) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.prefs[userID] = p
	return nil
}

func (f *fakeExternal) FlagAfter() time.Duration { return 6 * time.Hour }

func (f *fakeExternal) BookingsLink(_ context.Context, userID int64) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.links[userID], nil
}

func (f *fakeExternal) RenewBookingsLink(_ context.Context, userID int64) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next++
	f.links[userID] = fmt.Sprintf("https://veileder.example.org/ics/bookings/token%d.ics", f.next)
	return f.links[userID], nil
}

func (f *fakeExternal) RevokeBookingsLink(_ context.Context, userID int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.links, userID)
	return nil
}

func (f *fakeExternal) calendars() []booking.ExternalCalendar {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.cals)
}

// externalStore adds the users and app passwords the pages read to
// fakeStaffStore's sessions.
type externalStore struct{ fakeStaffStore }

var (
	ada = booking.User{ID: 1, Username: "ada", DisplayName: "Ada Admin", Role: booking.RoleAdmin}
	ola = booking.User{ID: 3, Username: "ola", DisplayName: "Ola Nordmann", Role: booking.RoleLibrarian}
)

func (externalStore) Users(context.Context) ([]booking.User, error) {
	return []booking.User{ada, liv, ola}, nil
}

func (externalStore) UserByID(_ context.Context, id int64) (booking.User, error) {
	for _, u := range []booking.User{ada, liv, ola} {
		if u.ID == id {
			return u, nil
		}
	}
	return booking.User{}, booking.ErrNotFound
}

func (externalStore) AppPasswords(context.Context, int64) ([]booking.AppPassword, error) {
	return nil, nil
}

func externalEnv(t *testing.T) (*env, *fakeExternal) {
	t.Helper()
	now := time.Date(2027, 3, 10, 12, 0, 0, 0, time.UTC)
	ext := newFakeExternal(now)
	e := newEnv(t, func(c *Config) {
		c.Now = func() time.Time { return now }
		c.Staff = StaffConfig{Store: externalStore{}, Service: fakeStaffService{}, External: ext}
	})
	return e, ext
}

// formFrom opens path and returns a form carrying its CSRF token.
func (e *env) formFrom(t *testing.T, c *http.Client, path string, kv ...string) url.Values {
	t.Helper()
	r := e.get(t, c, path)
	if r.status != http.StatusOK {
		t.Fatalf("GET %s: got %d, want 200:\n%s", path, r.status, r.body)
	}
	form := url.Values{"csrf": {csrfFrom(t, r.body)}}
	for i := 0; i+1 < len(kv); i += 2 {
		form.Set(kv[i], kv[i+1])
	}
	return form
}

func TestStaffExternalAdd(t *testing.T) {
	e, ext := externalEnv(t)
	lib := e.staffClient(t, "librarian-session")
	const secret = "https://outlook.office365.com/owa/calendar/abc/SECRET123/calendar.ics"

	r := e.postForm(t, lib, "/staff/external?lang=en", e.formFrom(t, lib, "/staff/external?lang=en", "name", "Outlook", "url", secret))
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/staff/external?done=external.added" {
		t.Fatalf("add: got %d to %q, want 303 to the page", r.status, r.header.Get("Location"))
	}
	r = e.get(t, lib, "/staff/external?lang=en&done=external.added")
	for _, want := range []string{
		"The calendar is added.", "<h3>Outlook</h3>", `<code class="url">outlook.office365.com/…</code>`,
		`<span class="state-ok">OK</span>`, `<dd class="events">12</dd>`, `action="/staff/external/1/delete"`,
		`action="/staff/external/refresh"`, `<a href="/staff/external" aria-current="page"`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(r.body, "SECRET123") {
		t.Errorf("page shows the secret address:\n%s", r.body)
	}
	if got := ext.calendars(); len(got) != 1 || got[0].UserID != liv.ID || got[0].Name != "Outlook" {
		t.Errorf("stored: got %+v, want Liv's Outlook", got)
	}

	// The same link again is refused at the field.
	r = e.postForm(t, lib, "/staff/external?lang=en", e.formFrom(t, lib, "/staff/external?lang=en", "name", "Again", "url", secret))
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "You have already added this calendar") {
		t.Errorf("same link: got %d, want 422 saying it is added:\n%s", r.status, r.body)
	}
	if strings.Contains(r.body, "SECRET123") {
		t.Errorf("refusal types the secret address back")
	}
}

// TestStaffExternalAddErrors: every refusal is told in the page's language
// next to its field, and nothing is stored.
func TestStaffExternalAddErrors(t *testing.T) {
	tests := []struct {
		name, lang, calName, url string
		field, want              string
	}{
		{"no name nb", "nb", "", "https://example.org/a.ics", "name", "Gi kalenderen et navn"},
		{"no name en", "en", "", "https://example.org/a.ics", "name", "Give the calendar a name"},
		{"long name", "en", strings.Repeat("x", 101), "https://example.org/a.ics", "name", "The name must be 100 characters or fewer"},
		{"empty nb", "nb", "Outlook", "", "url", "Lim inn kalenderlenken"},
		{"invalid en", "en", "Outlook", "not a link", "url", "The calendar link is not a web address"},
		{"html nb", "nb", "Outlook", "https://example.org/html", "url", "Kalenderlenken gir en nettside, ikke en kalender"},
		{"html en", "en", "Outlook", "https://example.org/html", "url", "The calendar link gives a web page, not a calendar"},
		{"private en", "en", "Outlook", "https://example.org/private", "url", "private, loopback or link-local network address"},
		{"too big nb", "nb", "Outlook", "https://example.org/big", "url", "Kalenderen er større enn 10 MiB"},
		{"too big en", "en", "Outlook", "https://example.org/big", "url", "The calendar is larger than 10 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, ext := externalEnv(t)
			lib := e.staffClient(t, "librarian-session")
			path := "/staff/external?lang=" + tt.lang
			r := e.postForm(t, lib, path, e.formFrom(t, lib, path, "name", tt.calName, "url", tt.url))
			if r.status != http.StatusUnprocessableEntity {
				t.Fatalf("got %d, want 422:\n%s", r.status, r.body)
			}
			if !strings.Contains(r.body, `id="`+tt.field+`-error"`) || !strings.Contains(r.body, tt.want) {
				t.Errorf("page lacks %q at field %s:\n%s", tt.want, tt.field, r.body)
			}
			if !strings.Contains(r.body, `id="`+tt.field+`" name="`+tt.field+`"`) && !strings.Contains(r.body, `id="`+tt.field+`" name="`+tt.field+`" `) {
				t.Errorf("page lacks the field %s", tt.field)
			}
			if strings.Contains(r.body, "MISSING:") {
				t.Errorf("page has a missing text:\n%s", r.body)
			}
			if got := ext.calendars(); len(got) != 0 {
				t.Errorf("stored %+v, want nothing", got)
			}
		})
	}
}

func TestStaffExternalStateRemoveRefreshPrefs(t *testing.T) {
	e, ext := externalEnv(t)
	now := ext.now
	ext.cals = []booking.ExternalCalendar{
		{ID: 7, UserID: liv.ID, Name: "Google", URLHint: "calendar.google.com/…", State: booking.ExternalFailing,
			FailingSince: now.Add(-8 * time.Hour), LastFetched: now.Add(-time.Minute), Events: 40, Error: "the calendar server answered 503 (a server error)",
			Reason: "server_error", ReasonArg: "503"},
		{ID: 8, UserID: liv.ID, Name: "Outlook", URLHint: "outlook.office365.com/…", State: booking.ExternalFailing,
			FailingSince: now.Add(-time.Hour), LastFetched: now.Add(-time.Minute), Events: 3, Error: "the calendar could not be read"},
		{ID: 9, UserID: ola.ID, Name: "Ola's", URLHint: "example.org/…", State: booking.ExternalPending},
	}
	lib := e.staffClient(t, "librarian-session")
	r := e.get(t, lib, "/staff/external?lang=nb")
	for _, want := range []string{
		`<li class="card flagged">`, "Har feilet lenge", "Feiler siden", `<dd class="events">40</dd>`,
		// The reason in Bokmål; one stored without a reason as it is.
		"Kalendertjeneren svarte 503 (en feil hos tjeneren)", "the calendar could not be read",
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if n := strings.Count(r.body, `flagged">`); n != 1 {
		t.Errorf("flagged rows: got %d, want 1 (the one failing past the threshold)", n)
	}
	if strings.Contains(r.body, "Ola's") {
		t.Errorf("page shows another librarian's calendar")
	}

	// Another's calendar cannot be removed from one's own page.
	r = e.postForm(t, lib, "/staff/external/9/delete", e.formFrom(t, lib, "/staff/external"))
	if r.status != http.StatusNotFound {
		t.Errorf("remove another's: got %d, want 404", r.status)
	}
	r = e.postForm(t, lib, "/staff/external/7/delete", e.formFrom(t, lib, "/staff/external"))
	if r.status != http.StatusSeeOther || len(ext.calendars()) != 2 {
		t.Errorf("remove: got %d and %d calendars, want 303 and 2", r.status, len(ext.calendars()))
	}
	// Without the CSRF token nothing happens.
	r = e.postForm(t, lib, "/staff/external/8/delete", url.Values{})
	if r.status != http.StatusForbidden || len(ext.calendars()) != 2 {
		t.Errorf("remove without CSRF: got %d and %d calendars, want 403 and 2", r.status, len(ext.calendars()))
	}

	r = e.postForm(t, lib, "/staff/external/refresh", e.formFrom(t, lib, "/staff/external"))
	if r.status != http.StatusSeeOther || !slices.Equal(ext.refreshed, []int64{liv.ID}) {
		t.Errorf("refresh: got %d, refreshed %v, want 303 and Liv's", r.status, ext.refreshed)
	}

	r = e.postForm(t, lib, "/staff/external/prefs", e.formFrom(t, lib, "/staff/external", "invite_bookings", "1"))
	if got, want := ext.prefs[liv.ID], (booking.ExternalPrefs{InviteBookings: true}); r.status != http.StatusSeeOther || got != want {
		t.Errorf("prefs: got %d %+v, want 303 %+v", r.status, got, want)
	}
	r = e.get(t, lib, "/staff/external")
	if !strings.Contains(r.body, `id="invite_bookings" name="invite_bookings" value="1" checked`) ||
		strings.Contains(r.body, `id="notify_failing" name="notify_failing" value="1" checked`) {
		t.Errorf("page does not show the saved preferences")
	}
}

func TestAdminExternal(t *testing.T) {
	e, ext := externalEnv(t)
	now := ext.now
	ext.cals = []booking.ExternalCalendar{
		{ID: 1, UserID: liv.ID, Name: "Fine", URLHint: "a.example/…", State: booking.ExternalOK, LastFetched: now, Events: 5},
		{ID: 2, UserID: ola.ID, Name: "Broken", URLHint: "b.example/…", State: booking.ExternalFailing, FailingSince: now.Add(-7 * time.Hour), LastFetched: now},
		{ID: 3, UserID: liv.ID, Name: "Wobbly", URLHint: "c.example/…", State: booking.ExternalFailing, FailingSince: now.Add(-time.Hour), LastFetched: now},
	}
	admin := e.staffClient(t, "admin-session")
	r := e.get(t, admin, "/admin/external?lang=en")
	if r.status != http.StatusOK {
		t.Fatalf("got %d, want 200", r.status)
	}
	broken, wobbly, fine := strings.Index(r.body, "<td>Broken</td>"), strings.Index(r.body, "<td>Wobbly</td>"), strings.Index(r.body, "<td>Fine</td>")
	if broken < 0 || wobbly < 0 || fine < 0 || !(broken < wobbly && wobbly < fine) {
		t.Errorf("order: got Broken at %d, Wobbly at %d, Fine at %d, want flagged, failing, ok", broken, wobbly, fine)
	}
	for _, want := range []string{"1 calendars have been failing for long.", `<a href="/admin/users/3/external">Ola Nordmann</a>`, `<a href="/admin/external" aria-current="page"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("page lacks %s", want)
		}
	}

	// The admin adds, refreshes and removes for a librarian.
	path := "/admin/users/3/external"
	r = e.postForm(t, admin, path, e.formFrom(t, admin, path, "name", "Teams", "url", "https://example.org/ola.ics"))
	if r.status != http.StatusSeeOther || r.header.Get("Location") != path+"?done=external.added" {
		t.Fatalf("admin add: got %d to %q", r.status, r.header.Get("Location"))
	}
	cs := ext.calendars()
	if got := cs[len(cs)-1]; got.UserID != ola.ID || got.Name != "Teams" {
		t.Errorf("admin add: stored %+v, want Ola's Teams", got)
	}
	if r := e.get(t, admin, path); !strings.Contains(r.body, "<h1>External calendars: Ola Nordmann</h1>") || !strings.Contains(r.body, "<h3>Broken</h3>") {
		t.Errorf("admin's page for Ola lacks his calendars:\n%s", r.body)
	}
	if r := e.postForm(t, admin, path+"/refresh", e.formFrom(t, admin, path)); r.status != http.StatusSeeOther || !slices.Equal(ext.refreshed, []int64{ola.ID}) {
		t.Errorf("admin refresh: got %d, refreshed %v", r.status, ext.refreshed)
	}
	if r := e.postForm(t, admin, path+"/2/delete", e.formFrom(t, admin, path)); r.status != http.StatusSeeOther || len(ext.calendars()) != 3 {
		t.Errorf("admin remove: got %d, %d calendars left", r.status, len(ext.calendars()))
	}
	if r := e.get(t, admin, "/admin/users/999/external"); r.status != http.StatusNotFound {
		t.Errorf("unknown user: got %d, want 404", r.status)
	}

	// A librarian may see neither.
	lib := e.staffClient(t, "librarian-session")
	for _, p := range []string{"/admin/external", path} {
		if r := e.get(t, lib, p); r.status != http.StatusForbidden {
			t.Errorf("librarian GET %s: got %d, want 403", p, r.status)
		}
	}
}

func TestStaffBookingsLink(t *testing.T) {
	e, ext := externalEnv(t)
	lib := e.staffClient(t, "librarian-session")
	r := e.get(t, lib, "/staff/caldav?lang=en")
	if !strings.Contains(r.body, "You have no private link.") || !strings.Contains(r.body, `action="/staff/caldav/bookings-link"`) {
		t.Fatalf("page lacks the offer of a link:\n%s", r.body)
	}
	r = e.postForm(t, lib, "/staff/caldav/bookings-link", e.formFrom(t, lib, "/staff/caldav"))
	if r.status != http.StatusSeeOther {
		t.Fatalf("renew: got %d, want 303", r.status)
	}
	first := ext.links[liv.ID]
	r = e.get(t, lib, "/staff/caldav?lang=en")
	if !strings.Contains(r.body, `<code class="url">`+first+`</code>`) || r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("page lacks the link %s, or may be cached (%q)", first, r.header.Get("Cache-Control"))
	}
	e.postForm(t, lib, "/staff/caldav/bookings-link", e.formFrom(t, lib, "/staff/caldav"))
	if second := ext.links[liv.ID]; second == first || second == "" {
		t.Errorf("renew again: got %q, want a new link", second)
	}
	r = e.postForm(t, lib, "/staff/caldav/bookings-link/revoke", e.formFrom(t, lib, "/staff/caldav"))
	if _, ok := ext.links[liv.ID]; r.status != http.StatusSeeOther || ok {
		t.Errorf("revoke: got %d, link kept %v", r.status, ok)
	}
	if r := e.get(t, lib, "/staff/caldav?lang=nb&done=bookingslink.revoked"); !strings.Contains(r.body, "Den private lenken er slettet") {
		t.Errorf("page lacks the confirmation")
	}
}
