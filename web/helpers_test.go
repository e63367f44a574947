package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
)

var oslo = mustLoad("Europe/Oslo")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// testNow is Monday 9 March 2026, 10:00 in Oslo.
var testNow = time.Date(2026, 3, 9, 10, 0, 0, 0, oslo)

// Slots the fake offers: Tuesday 09:00 in person (nb, en), Tuesday 10:00
// online (en only), Wednesday 13:00 in person (nb), next Monday 09:00 in
// person (nb).
var (
	slotTue9   = time.Date(2026, 3, 10, 9, 0, 0, 0, oslo)
	slotTue10  = time.Date(2026, 3, 10, 10, 0, 0, 0, oslo)
	slotWed13  = time.Date(2026, 3, 11, 13, 0, 0, 0, oslo)
	slotNextMo = time.Date(2026, 3, 16, 9, 0, 0, 0, oslo)
)

type fakeSlot struct {
	booking.Slot
	langs []string
}

// fakeBooker is a small in-memory Booker. Special inputs make it fail:
// the e-mail full@example.com reaches the limit, the name "Taken" finds
// the slot taken, the name "Boom" fails inside, the token "explode" fails
// inside with the token in the error's text.
type fakeBooker struct {
	mu       sync.Mutex
	cat      booking.Catalog
	slots    []fakeSlot
	bookings map[string]booking.View
	books    int                  // Book calls
	unmet    []booking.SlotSearch // Slots calls that asked to record unmet demand
	next     int
	now      time.Time       // slots before it are past
	last     booking.Request // the last Book call's request
}

func newFakeBooker() *fakeBooker {
	mk := func(start time.Time, online bool, langs ...string) fakeSlot {
		return fakeSlot{booking.Slot{Start: start.UTC(), End: start.Add(45 * time.Minute).UTC(), Online: online,
			Offers: []booking.Offer{{LibrarianID: 1}}}, langs}
	}
	return &fakeBooker{
		cat: booking.Catalog{
			Services: []booking.Service{
				{Slug: "bibliotekar", NameNB: "Bestill en bibliotekar", NameEN: "Book a librarian", DescriptionNB: "Veiledning i søk og kilder", DescriptionEN: "Guidance in searching and sources"},
				{Slug: "skriving", NameNB: "Skrivestøtte", NameEN: "Writing support"},
			},
			Topics: []booking.Topic{
				{ID: 1, Slug: "zotero", ServiceSlug: "bibliotekar", NameNB: "Zotero og referanser", NameEN: "Zotero and references", DescriptionNB: "Hjelp med referanseverktøy", DescriptionEN: "Help with reference tools"},
				{ID: 2, Slug: "systematisk", ServiceSlug: "bibliotekar", NameNB: "Systematisk søk", NameEN: "Systematic searching"},
				{ID: 3, Slug: "generell", ServiceSlug: "bibliotekar", NameNB: "Vet ikke", NameEN: "Not sure", General: true},
				{ID: 4, Slug: "skriving-akademisk", ServiceSlug: "skriving", NameNB: "Akademisk skriving", NameEN: "Academic writing"},
			},
		},
		slots: []fakeSlot{
			mk(slotTue9, false, "nb", "en"),
			mk(slotTue10, true, "en"),
			mk(slotWed13, false, "nb"),
			mk(slotNextMo, false, "nb"),
		},
		bookings: map[string]booking.View{},
	}
}

func (f *fakeBooker) topic(slug string) (booking.Topic, bool) { return findTopic(f.cat, slug) }

func (f *fakeBooker) Catalog(context.Context) (booking.Catalog, error) { return f.cat, nil }

func (f *fakeBooker) Slots(_ context.Context, s booking.SlotSearch) ([]booking.Slot, error) {
	if _, ok := f.topic(s.TopicSlug); !ok {
		return nil, fmt.Errorf("fake: topic %q: %w", s.TopicSlug, booking.ErrNotFound)
	}
	if s.RecordUnmet {
		f.mu.Lock()
		f.unmet = append(f.unmet, s)
		f.mu.Unlock()
	}
	var out []booking.Slot
	for _, sl := range f.slots {
		switch {
		case !s.From.IsZero() && sl.Start.Before(s.From),
			!s.To.IsZero() && !sl.Start.Before(s.To),
			sl.Start.Before(f.now),
			s.Mode == booking.ModeOnline && !sl.Online,
			s.Mode == booking.ModeInPerson && sl.Online,
			s.Language != "" && !contains(sl.langs, s.Language):
			continue
		}
		out = append(out, sl.Slot)
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (f *fakeBooker) Book(_ context.Context, r booking.Request) (booking.View, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.books++
	f.last = r
	if err := r.Validate(); err != nil {
		return booking.View{}, "", err
	}
	t, ok := f.topic(r.TopicSlug)
	if !ok {
		return booking.View{}, "", booking.ErrNotFound
	}
	answers, err := booking.Answers(f.cat.QuestionsFor(t), r.Answers)
	if err != nil {
		return booking.View{}, "", err
	}
	free := slices.ContainsFunc(f.slots, func(sl fakeSlot) bool { return sl.Start.Equal(r.Start.UTC()) })
	switch {
	case !free:
		return booking.View{}, "", fmt.Errorf("fake: no slot at %v: %w", r.Start, booking.ErrSlotTaken)
	case r.StudentEmail == "full@example.com":
		return booking.View{}, "", fmt.Errorf("fake: %w", booking.ErrLimitReached)
	case r.StudentName == "Taken":
		return booking.View{}, "", fmt.Errorf("fake: %w", booking.ErrSlotTaken)
	case r.StudentName == "Boom":
		return booking.View{}, "", errors.New("fake: database on fire")
	case r.StudentName == "Bad Mail":
		return booking.View{}, "", &booking.FieldError{Field: "email", Code: "invalid"}
	}
	f.next++
	token := fmt.Sprintf("tok%dSECRETxyz", f.next)
	v := booking.View{
		Booking: booking.Booking{
			ID: int64(f.next), TopicID: t.ID, Start: r.Start.UTC(), End: r.Start.Add(45 * time.Minute).UTC(),
			Online: r.Mode == booking.ModeOnline, Location: "Room 101", StudentName: r.StudentName,
			StudentEmail: r.StudentEmail, Language: r.Language, Status: booking.StatusConfirmed,
			Question: strings.TrimSpace(r.Question), Answers: answers,
		},
		Topic: t, LibrarianName: "Kari Nordmann",
	}
	if v.Online {
		v.Location = "https://meet.example.org/abc"
	}
	f.bookings[token] = v
	return v, token, nil
}

func (f *fakeBooker) Booking(_ context.Context, token string) (booking.View, error) {
	if token == "explode" {
		return booking.View{}, fmt.Errorf("fake: lookup %s: connection reset", token)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.bookings[token]
	if !ok {
		return booking.View{}, fmt.Errorf("fake: booking: %w", booking.ErrNotFound)
	}
	return v, nil
}

func (f *fakeBooker) Cancel(_ context.Context, token string) (booking.View, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.bookings[token]
	if !ok {
		return booking.View{}, fmt.Errorf("fake: booking: %w", booking.ErrNotFound)
	}
	if !v.Active() {
		return booking.View{}, fmt.Errorf("fake: already cancelled: %w", booking.ErrConflict)
	}
	v.Status, v.CancelledBy = booking.StatusCancelled, booking.PartyStudent
	f.bookings[token] = v
	return v, nil
}

func (f *fakeBooker) StudentICS(_ context.Context, token string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.bookings[token]; !ok {
		return nil, booking.ErrNotFound
	}
	return []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"), nil
}

func (f *fakeBooker) bookCalls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.books
}

// addBooking stores a booking directly and returns its token.
func (f *fakeBooker) addBooking(t *testing.T, start time.Time) string {
	t.Helper()
	_, token, err := f.Book(context.Background(), booking.Request{
		TopicSlug: "zotero", Start: start, Language: "nb", Mode: booking.ModeInPerson,
		StudentName: "Ola", StudentEmail: "ola@example.com", Consent: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type env struct {
	srv    *httptest.Server
	booker *fakeBooker
	logs   *syncBuffer
}

// newEnv starts the real router on a real socket; change adjusts the
// configuration first.
func newEnv(t *testing.T, change ...func(*Config)) *env {
	t.Helper()
	e := &env{booker: newFakeBooker(), logs: &syncBuffer{}}
	cfg := Config{
		BaseURL:  "https://veileder.example.org",
		Logger:   slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Booker:   e.booker,
		Location: oslo,
		Now:      func() time.Time { return testNow },
	}
	for _, f := range change {
		f(&cfg)
	}
	e.booker.now = cfg.Now()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.srv = httptest.NewServer(s)
	t.Cleanup(e.srv.Close)
	return e
}

// client is a browser without JavaScript: it keeps cookies and does not
// follow redirects, so that tests see them.
func (e *env) client(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

type response struct {
	status int
	header http.Header
	body   string
}

func do(t *testing.T, c *http.Client, req *http.Request) response {
	t.Helper()
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{res.StatusCode, res.Header, string(b)}
}

func (e *env) get(t *testing.T, c *http.Client, path string, header ...string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return do(t, c, req)
}

func (e *env) postForm(t *testing.T, c *http.Client, path string, form url.Values) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return do(t, c, req)
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrfFrom finds the form's CSRF token in a page.
func csrfFrom(t *testing.T, body string) string {
	t.Helper()
	m := csrfRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no csrf field in page:\n%s", body)
	}
	return m[1]
}

// bookPath is the form for the Tuesday 09:00 in-person slot.
var bookPath = "/book/zotero?" + url.Values{"start": {slotTue9.UTC().Format(time.RFC3339)}, "mode": {"in-person"}}.Encode()

// validForm is a complete booking form for the Tuesday 09:00 slot.
func validForm(csrf string) url.Values {
	return url.Values{
		"csrf": {csrf}, "start": {slotTue9.Format(time.RFC3339)}, "mode": {"in-person"},
		"name": {"Ola Nordmann"}, "email": {"ola@example.com"}, "question": {"Hvordan siterer jeg lover?"},
		"programme": {"Master i rettsvitenskap"}, "level": {"master"}, "language": {"nb"}, "consent": {"yes"},
	}
}
