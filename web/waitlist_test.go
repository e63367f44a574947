package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
)

// fakeWaitlist is an in-memory Waitlist: the entry token "entry-tok", the
// open offer "offer-tok", the expired offer "gone-tok"; the e-mail
// waiting@example.com waits for every topic already.
type fakeWaitlist struct {
	mu      sync.Mutex
	joins   []booking.WaitlistRequest
	accepts int
	left    bool
}

var offerStart = time.Date(2026, 3, 16, 9, 0, 0, 0, oslo)

func (f *fakeWaitlist) Join(_ context.Context, r booking.WaitlistRequest) (booking.WaitlistEntry, string, error) {
	if err := r.Validate(); err != nil {
		return booking.WaitlistEntry{}, "", err
	}
	if r.Email == "waiting@example.com" {
		return booking.WaitlistEntry{}, "", fmt.Errorf("fake: %w", booking.ErrConflict)
	}
	f.mu.Lock()
	f.joins = append(f.joins, r)
	f.mu.Unlock()
	return booking.WaitlistEntry{ID: 1, TopicID: 1, Name: r.Name, Email: r.Email, Mode: r.Mode, Language: r.Language,
		Weekdays: r.Weekdays, TimesOfDay: r.TimesOfDay, Status: booking.WaitlistWaiting,
		CreatedAt: testNow, ExpiresAt: testNow.AddDate(0, 0, 28)}, "entry-tok", nil
}

func (f *fakeWaitlist) entry() booking.WaitlistEntry {
	e := booking.WaitlistEntry{ID: 1, TopicID: 1, Status: booking.WaitlistWaiting, ExpiresAt: testNow.AddDate(0, 0, 28)}
	if f.left {
		e.Status = booking.WaitlistLeft
	}
	return e
}

func (f *fakeWaitlist) Entry(_ context.Context, token string) (booking.WaitlistEntry, booking.Topic, error) {
	if token != "entry-tok" {
		return booking.WaitlistEntry{}, booking.Topic{}, booking.ErrNotFound
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	t, _ := newFakeBooker().topic("zotero")
	return f.entry(), t, nil
}

func (f *fakeWaitlist) Leave(ctx context.Context, token string) (booking.WaitlistEntry, booking.Topic, error) {
	if token == "entry-tok" {
		f.mu.Lock()
		f.left = true
		f.mu.Unlock()
	}
	return f.Entry(ctx, token)
}

func (f *fakeWaitlist) Offer(_ context.Context, token string) (booking.OfferView, error) {
	t, _ := newFakeBooker().topic("zotero")
	v := booking.OfferView{Topic: t, LibrarianName: "Haugen, Ingrid", Entry: booking.WaitlistEntry{Status: booking.WaitlistWaiting},
		Offer: booking.WaitlistOffer{Start: offerStart.UTC(), End: offerStart.Add(45 * time.Minute).UTC(), Location: "Rom 2",
			Status: booking.OfferOpen, OfferedAt: testNow, ExpiresAt: testNow.Add(30 * time.Minute)}}
	switch token {
	case "offer-tok":
		return v, nil
	case "gone-tok":
		v.Offer.Status = booking.OfferExpired
		return v, nil
	}
	return booking.OfferView{}, booking.ErrNotFound
}

func (f *fakeWaitlist) Accept(ctx context.Context, token string) (booking.View, string, error) {
	v, err := f.Offer(ctx, token)
	if err != nil {
		return booking.View{}, "", err
	}
	if !v.Offer.Holds(testNow) {
		return booking.View{}, "", fmt.Errorf("fake: offer gone: %w", booking.ErrConflict)
	}
	f.mu.Lock()
	f.accepts++
	f.mu.Unlock()
	return booking.View{}, "manage-tok", nil
}

func (f *fakeWaitlist) Librarians(context.Context, string) ([]booking.Librarian, error) {
	return []booking.Librarian{{ID: 7, Name: "Haugen, Ingrid"}}, nil
}

func (f *fakeWaitlist) Hold() time.Duration { return 30 * time.Minute }

func waitlistEnv(t *testing.T, slots bool) (*env, *fakeWaitlist) {
	t.Helper()
	wl := &fakeWaitlist{}
	e := newEnv(t, func(c *Config) {
		c.DropIn = newFakeDropIn()
		c.Waitlist = wl
	})
	if !slots {
		e.booker.slots = nil
	}
	return e, wl
}

// A topic with nothing free in the horizon offers, in this order, the
// next drop-in session of its theme, the waitlist and a request to the
// librarians; one with free times offers none of them.
func TestTopicWithNothingFree(t *testing.T) {
	tests := []struct {
		name  string
		path  string
		slots bool
		want  []string
		not   []string
	}{
		{"nb", "/topics/zotero", false, []string{
			"Ingen ledige tider i dette temaet de neste ukene.", "Zotero-verksted", "Georg Sverdrups hus, rom 2",
			`href="/dropin?theme=zotero"`, `href="/dropin/session/`, `href="webcal://veileder.example.org/feeds/dropin/zotero.ics"`,
			`href="/waitlist/zotero"`, `href="/request/zotero"`, "Spør bibliotekarene",
		}, []string{"Ingen ledige tider denne uken."}},
		{"en", "/topics/zotero?lang=en", false, []string{
			"No free times in this topic in the coming weeks.", "Come to a drop-in session", "Join the waitlist",
			`href="/request/zotero"`, "Ask the librarians",
		}, nil},
		{"free times", "/topics/zotero", true, nil, []string{`href="/waitlist/zotero"`, `href="/request/zotero"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, _ := waitlistEnv(t, tt.slots)
			r := e.get(t, e.client(t), tt.path)
			if r.status != http.StatusOK {
				t.Fatalf("status %d", r.status)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(r.body, w) {
					t.Errorf("page has %q", w)
				}
			}
			if tt.want != nil {
				d, w, q := strings.Index(r.body, "nothing-dropin"), strings.Index(r.body, "nothing-waitlist"), strings.Index(r.body, "nothing-request")
				if d < 0 || !(d < w && w < q) {
					t.Errorf("order of the ways: drop-in %d, waitlist %d, request %d", d, w, q)
				}
			}
		})
	}
}

func TestJoinWaitlistForm(t *testing.T) {
	e, wl := waitlistEnv(t, false)
	c := e.client(t)
	r := e.get(t, c, "/waitlist/zotero?mode=online")
	if r.status != http.StatusOK || !strings.Contains(r.body, `id="wl-mode-online" name="mode" value="online" checked`) ||
		!strings.Contains(r.body, "Haugen, Ingrid") || !strings.Contains(r.body, "30 minutter") {
		t.Fatalf("form: status %d\n%s", r.status, r.body)
	}
	csrf := csrfFrom(t, r.body)
	tests := []struct {
		name   string
		form   url.Values
		status int
		want   []string
	}{
		{"nothing filled in", url.Values{"csrf": {csrf}}, http.StatusUnprocessableEntity,
			[]string{"Skriv navnet ditt", "Skriv e-postadressen din", `href="#wl-consent"`}},
		{"bad e-mail", url.Values{"csrf": {csrf}, "name": {"Kari"}, "email": {"kari@"}, "consent": {"yes"}}, http.StatusUnprocessableEntity,
			[]string{"Skriv en gyldig e-postadresse", `value="Kari"`}},
		{"bad weekday", url.Values{"csrf": {csrf}, "name": {"Kari"}, "email": {"kari@example.com"}, "consent": {"yes"}, "weekday": {"9"}},
			http.StatusUnprocessableEntity, []string{"Velg dager fra listen"}},
		{"already waiting", url.Values{"csrf": {csrf}, "name": {"Kari"}, "email": {"waiting@example.com"}, "consent": {"yes"}},
			http.StatusConflict, []string{"står allerede på ventelisten"}},
		{"joins", url.Values{"csrf": {csrf}, "name": {"Kari"}, "email": {"kari@example.com"}, "consent": {"yes"},
			"mode": {"online"}, "language": {"en"}, "weekday": {"1", "3"}, "time": {"morning"}, "librarian": {"7"}},
			http.StatusSeeOther, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.postForm(t, c, "/waitlist/zotero", tt.form)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d\n%s", r.status, tt.status, r.body)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
		})
	}
	if len(wl.joins) != 1 {
		t.Fatalf("joins: %+v", wl.joins)
	}
	j := wl.joins[0]
	if j.Mode != booking.ModeOnline || j.Language != "en" || fmt.Sprint(j.Weekdays) != "[Monday Wednesday]" ||
		fmt.Sprint(j.TimesOfDay) != "[morning]" || j.LibrarianID != 7 || j.Locale != "nb" || !j.Consent {
		t.Errorf("join request: %+v", j)
	}
	r = e.get(t, c, "/waitlist/leave/entry-tok?joined=1")
	if r.status != http.StatusOK || !strings.Contains(r.body, "Du står på ventelisten") {
		t.Errorf("joined page: %d\n%s", r.status, r.body)
	}
	r = e.postForm(t, c, "/waitlist/leave/entry-tok", url.Values{"csrf": {csrfFrom(t, r.body)}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/waitlist/leave/entry-tok?left=1" || !wl.left {
		t.Errorf("leave: %d %q, left %v", r.status, r.header.Get("Location"), wl.left)
	}
	r = e.get(t, c, "/waitlist/leave/entry-tok?left=1")
	if !strings.Contains(r.body, "Du er meldt av ventelisten") || strings.Contains(r.body, `action="/waitlist/leave/`) {
		t.Errorf("left page:\n%s", r.body)
	}
}

// Following an offer's link books nothing (a mail scanner follows links);
// the page's one button does, once.
func TestWaitlistOfferPage(t *testing.T) {
	e, wl := waitlistEnv(t, false)
	c := e.client(t)
	for range 3 {
		r := e.get(t, c, "/waitlist/offer/offer-tok?lang=en")
		if r.status != http.StatusOK || !strings.Contains(r.body, "Confirm and book the time") || !strings.Contains(r.body, "Haugen, Ingrid") {
			t.Fatalf("offer page: %d\n%s", r.status, r.body)
		}
	}
	if wl.accepts != 0 {
		t.Fatalf("GET accepted the offer %d times", wl.accepts)
	}
	r := e.get(t, c, "/waitlist/offer/offer-tok")
	if r.header.Get("Cache-Control") == "" {
		t.Error("offer page may be cached")
	}
	if r := e.postForm(t, c, "/waitlist/offer/offer-tok", url.Values{}); r.status != http.StatusForbidden || wl.accepts != 0 {
		t.Errorf("POST without CSRF: %d, accepts %d", r.status, wl.accepts)
	}
	r = e.postForm(t, c, "/waitlist/offer/offer-tok", url.Values{"csrf": {csrfFrom(t, r.body)}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/booking/manage-tok?new=1" || wl.accepts != 1 {
		t.Errorf("accept: %d %q, accepts %d", r.status, r.header.Get("Location"), wl.accepts)
	}

	r = e.get(t, c, "/waitlist/offer/gone-tok?lang=nb")
	if r.status != http.StatusGone || !strings.Contains(r.body, "Tilbudet gjelder ikke lenger") || strings.Contains(r.body, "Bekreft og bestill") {
		t.Errorf("gone offer: %d\n%s", r.status, r.body)
	}
	r = e.postForm(t, c, "/waitlist/offer/gone-tok", url.Values{"csrf": {csrfFrom(t, e.get(t, c, "/waitlist/offer/offer-tok").body)}})
	if r.status != http.StatusConflict || !strings.Contains(r.body, "Tilbudet gjelder ikke lenger") {
		t.Errorf("accepting a gone offer: %d\n%s", r.status, r.body)
	}
	if r := e.get(t, c, "/waitlist/offer/nope"); r.status != http.StatusNotFound {
		t.Errorf("unknown offer: %d", r.status)
	}
}

func TestAPIJoinWaitlist(t *testing.T) {
	e, wl := waitlistEnv(t, false)
	c := e.client(t)
	post := func(ct, body string) response {
		req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/api/waitlist", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", ct)
		return do(t, c, req)
	}
	const ok = `{"topic":"zotero","name":"Kari","email":"kari@example.com","mode":"online","weekdays":[2,4],"times_of_day":["afternoon"],"consent":true}`
	tests := []struct {
		name, ct, body string
		status         int
		code, field    string
	}{
		{"text body", "text/plain", ok, http.StatusUnsupportedMediaType, "unsupported_media_type", ""},
		{"unknown field", "application/json", `{"topic":"zotero","hat":1}`, http.StatusBadRequest, "bad_request", ""},
		{"bad e-mail", "application/json", strings.Replace(ok, "kari@example.com", "kari", 1), http.StatusUnprocessableEntity, "invalid", "email"},
		{"no consent", "application/json", strings.Replace(ok, "true", "false", 1), http.StatusUnprocessableEntity, "required", "consent"},
		{"bad time of day", "application/json", strings.Replace(ok, "afternoon", "night", 1), http.StatusUnprocessableEntity, "invalid", "times_of_day"},
		{"bad mode", "application/json", strings.Replace(ok, "online", "pigeon", 1), http.StatusUnprocessableEntity, "invalid", "mode"},
		{"already waiting", "application/json", strings.Replace(ok, "kari@example.com", "waiting@example.com", 1), http.StatusConflict, "already_waiting", ""},
		{"joins", "application/json", ok, http.StatusCreated, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := post(tt.ct, tt.body)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if tt.code == "" {
				return
			}
			var got apiErrorBody
			if err := json.Unmarshal([]byte(r.body), &got); err != nil || got.Error.Code != tt.code || got.Error.Field != tt.field || got.Error.Message == "" {
				t.Errorf("error body %s, want code %q field %q", r.body, tt.code, tt.field)
			}
		})
	}
	r := post("application/json", ok)
	var got struct {
		Entry      apiWaitlistEntry `json:"entry"`
		LeaveToken string           `json:"leave_token"`
		LeaveURL   string           `json:"leave_url"`
	}
	if err := json.Unmarshal([]byte(r.body), &got); err != nil {
		t.Fatal(err)
	}
	if got.Entry.Status != "waiting" || got.Entry.Mode != "online" || fmt.Sprint(got.Entry.Weekdays) != "[2 4]" ||
		got.LeaveToken != "entry-tok" || got.LeaveURL != "https://veileder.example.org/waitlist/leave/entry-tok" {
		t.Errorf("created: %s", r.body)
	}
	if n := len(wl.joins); n != 2 {
		t.Errorf("joins: %d, want 2", n)
	}
}
