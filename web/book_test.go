package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestBookFlow(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	res := e.get(t, c, bookPath)
	if res.status != http.StatusOK {
		t.Fatalf("form status = %d, want 200", res.status)
	}
	for _, want := range []string{
		"tirsdag 10. mars 2026, 09.00–09.45",
		`maxlength="200" autocomplete="name"`,
		`maxlength="254" autocomplete="email"`,
		`maxlength="4000"`,
		`<legend>Språk i møtet</legend>`, // the slot is offered in nb and en
		`id="language-nb" name="language" value="nb" checked`,
		`<a href="/privacy" target="_blank" rel="noopener">`,
		`name="website" value="" tabindex="-1" autocomplete="off"`,
		`<label for="name">Navn</label>`,
		`<select id="level" name="level">`,
	} {
		if !strings.Contains(res.body, want) {
			t.Errorf("form lacks %q", want)
		}
	}
	res = e.postForm(t, c, "/book/zotero", validForm(csrfFrom(t, res.body)))
	loc := res.header.Get("Location")
	if res.status != http.StatusSeeOther || !strings.HasPrefix(loc, "/booking/tok1SECRETxyz") || !strings.HasSuffix(loc, "?new=1") {
		t.Fatalf("book = %d %q, want 303 to the manage page with new=1", res.status, loc)
	}
	res = e.get(t, c, loc)
	if !strings.Contains(res.body, "Bookingen er bekreftet") {
		t.Errorf("confirmation page lacks its heading:\n%s", res.body)
	}

	// A slot offered in one language only says so instead of asking.
	res = e.get(t, c, "/book/zotero?"+url.Values{"start": {slotTue10.UTC().Format(time.RFC3339)}, "mode": {"online"}}.Encode())
	if !strings.Contains(res.body, "Møtet holdes på engelsk.") || !strings.Contains(res.body, `<input type="hidden" name="language" value="en">`) {
		t.Errorf("single-language slot form:\n%s", res.body)
	}
	// A slot no longer offered sends the student back to the list.
	res = e.get(t, c, "/book/zotero?"+url.Values{"start": {"2026-03-10T06:00:00Z"}, "mode": {"in-person"}}.Encode())
	if res.status != http.StatusConflict || !strings.Contains(res.body, "Noen bestilte akkurat den tiden") {
		t.Errorf("gone slot = %d, want 409 with the taken message", res.status)
	}
	// A form without a slot goes to the list.
	if res := e.get(t, c, "/book/zotero"); res.status != http.StatusSeeOther {
		t.Errorf("form without slot = %d, want 303", res.status)
	}
}

func TestBookFormErrors(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	csrf := csrfFrom(t, e.get(t, c, bookPath).body)

	form := validForm(csrf)
	form.Set("name", "  ")
	form.Set("email", "not-an-address")
	form.Set("question", "Kilder <om> «rett»")
	form.Del("consent")
	res := e.postForm(t, c, "/book/zotero", form)
	if got, want := res.status, http.StatusUnprocessableEntity; got != want {
		t.Errorf("status = %d, want %d", got, want)
	}
	for _, want := range []string{
		`<title>Feil: `,
		`class="error-summary" role="alert"`,
		`<a href="#name">Skriv navnet ditt</a>`,
		`<a href="#email">Skriv en gyldig e-postadresse, for eksempel navn@example.com</a>`,
		`<a href="#consent">Du må samtykke for å kunne bestille</a>`,
		`id="name-error"`,
		`autocomplete="name" required aria-invalid="true" aria-describedby="name-error"`,
		`aria-describedby="email-hint email-error" aria-invalid="true"`,
		`aria-describedby="consent-hint consent-error" aria-invalid="true"`,
		`value="not-an-address"`,               // what was typed is kept
		`>Kilder &lt;om&gt; «rett»</textarea>`, // escaped, kept
		`value="Master i rettsvitenskap"`,
		`<option value="master" selected>`,
	} {
		if !strings.Contains(res.body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(res.body, `id="question-error"`) {
		t.Errorf("a valid question is marked wrong")
	}
	if got := e.booker.bookCalls(); got != 0 {
		t.Errorf("Book calls = %d, want 0 for a form with errors", got)
	}

	// Too long, in English, with the limit in the message.
	form = validForm(csrf)
	form.Set("name", strings.Repeat("å", 201))
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/book/zotero", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", "en")
	res = do(t, c, req)
	if !strings.Contains(res.body, `<a href="#name">Your name must be 200 characters or fewer</a>`) {
		t.Errorf("too-long name not reported in English:\n%s", res.body)
	}
}

func TestBookServiceErrors(t *testing.T) {
	tests := []struct {
		name, student, email string
		status               int
		want                 []string
	}{
		{"field error", "Bad Mail", "ola@example.com", http.StatusUnprocessableEntity,
			[]string{`<a href="#email">Skriv en gyldig e-postadresse`, `aria-describedby="email-hint email-error" aria-invalid="true"`, `value="Bad Mail"`}},
		// The student who loses a race keeps what they typed.
		{"slot taken", "Taken", "ola@example.com", http.StatusConflict,
			[]string{"Noen bestilte akkurat den tiden. Velg en annen tid.", `value="Taken"`, `value="ola@example.com"`, "Hvordan siterer jeg lover?"}},
		{"limit reached", "Ola", "full@example.com", http.StatusConflict,
			[]string{"Du har allerede så mange aktive bookinger som er lov", `value="full@example.com"`}},
		{"internal", "Boom", "ola@example.com", http.StatusInternalServerError,
			[]string{"Noe gikk galt"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			c := e.client(t)
			form := validForm(csrfFrom(t, e.get(t, c, bookPath).body))
			form.Set("name", tt.student)
			form.Set("email", tt.email)
			res := e.postForm(t, c, "/book/zotero", form)
			if res.status != tt.status {
				t.Errorf("status = %d, want %d", res.status, tt.status)
			}
			for _, want := range tt.want {
				if !strings.Contains(res.body, want) {
					t.Errorf("page lacks %q", want)
				}
			}
			if strings.Contains(res.body, "database on fire") {
				t.Errorf("the page shows the internal error")
			}
			if t.Failed() {
				t.Logf("page:\n%s", res.body)
			}
		})
	}
}

func TestCSRF(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	good := csrfFrom(t, e.get(t, c, bookPath).body)
	other := e.client(t) // another browser, with its own cookie
	otherToken := csrfFrom(t, e.get(t, other, bookPath).body)
	token := e.booker.addBooking(t, slotWed13)

	tests := []struct {
		name   string
		client *http.Client
		path   string
		csrf   string
	}{
		{"no token", c, "/book/zotero", ""},
		{"wrong token", c, "/book/zotero", "AAAA" + good[4:]},
		{"token of another cookie", c, "/book/zotero", otherToken},
		{"no cookie", e.client(t), "/book/zotero", good},
		{"cancel without token", c, "/booking/" + token + "/cancel", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := validForm(tt.csrf)
			if tt.csrf == "" {
				form.Del("csrf")
			}
			res := e.postForm(t, tt.client, tt.path, form)
			if res.status != http.StatusForbidden {
				t.Errorf("status = %d, want 403", res.status)
			}
			if !strings.Contains(res.body, "Skjemaet er utløpt") {
				t.Errorf("403 page lacks its explanation:\n%s", res.body)
			}
		})
	}
	if got := e.booker.bookCalls(); got != 1 { // addBooking's own
		t.Errorf("Book calls = %d, want 1", got)
	}
	if v, _ := e.booker.Booking(t.Context(), token); !v.Active() {
		t.Errorf("booking was cancelled without a CSRF token")
	}
}

func TestHoneypot(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	form := validForm(csrfFrom(t, e.get(t, c, bookPath).body))
	form.Set("website", "http://spam.example")
	res := e.postForm(t, c, "/book/zotero", form)
	if res.status != http.StatusBadRequest {
		t.Errorf("status = %d, want 400", res.status)
	}
	if !strings.Contains(res.body, "Vi kunne ikke ta imot skjemaet") {
		t.Errorf("refusal not explained")
	}
	if strings.Contains(res.body, "spam.example") {
		t.Errorf("the honeypot's value is sent back")
	}
	if got := e.booker.bookCalls(); got != 0 {
		t.Errorf("Book calls = %d, want 0", got)
	}
}

func TestRateLimit(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.BookingLimit, c.BookingWindow = 2, time.Minute })
	c := e.client(t)
	form := validForm(csrfFrom(t, e.get(t, c, bookPath).body))
	form.Set("email", "full@example.com") // refused by the service, so the slot stays
	for i, want := range []int{http.StatusConflict, http.StatusConflict, http.StatusTooManyRequests} {
		res := e.postForm(t, c, "/book/zotero", form)
		if res.status != want {
			t.Errorf("attempt %d: status = %d, want %d", i+1, res.status, want)
		}
		if want == http.StatusTooManyRequests {
			if res.header.Get("Retry-After") == "" {
				t.Errorf("429 without Retry-After")
			}
			if !strings.Contains(res.body, "mange bookinger fra nettverket ditt") || !strings.Contains(res.body, `value="full@example.com"`) {
				t.Errorf("429 page does not explain or does not keep the input:\n%s", res.body)
			}
		}
	}
	if got := e.booker.bookCalls(); got != 2 {
		t.Errorf("Book calls = %d, want 2", got)
	}
	// The API shares the limit: same client address.
	res := e.postJSON(t, "/api/bookings", `{}`)
	if res.status != http.StatusTooManyRequests {
		t.Errorf("API status = %d, want 429", res.status)
	}
}

func TestRateLimiterWindow(t *testing.T) {
	l := newRateLimiter(2, time.Minute)
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	steps := []struct {
		key  string
		at   time.Duration
		want bool
	}{
		{"a", 0, true},
		{"a", 10 * time.Second, true},
		{"a", 20 * time.Second, false},
		{"b", 20 * time.Second, true}, // per address
		{"a", 60 * time.Second, true}, // the first has left the window
		{"a", 61 * time.Second, false},
		{"a", 71 * time.Second, true},
	}
	for i, s := range steps {
		if got, _ := l.allow(s.key, t0.Add(s.at)); got != s.want {
			t.Errorf("step %d (%s at %v): allow = %v, want %v", i, s.key, s.at, got, s.want)
		}
	}
	l.allow("c", t0.Add(10*time.Minute))
	if got := len(l.hits); got != 1 {
		t.Errorf("clients kept after idle sweep = %d, want 1", got)
	}
}

func TestNoTokenInLogs(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	res := e.get(t, c, bookPath)
	res = e.postForm(t, c, "/book/zotero", validForm(csrfFrom(t, res.body)))
	manage := res.header.Get("Location")
	token := strings.TrimSuffix(strings.TrimPrefix(manage, "/booking/"), "?new=1")
	e.get(t, c, manage)
	e.get(t, c, "/booking/"+token+"/ics")
	e.get(t, c, "/booking/"+token+"/cancel")
	e.get(t, c, "/api/bookings/"+token)
	e.get(t, c, "/booking/explode") // fails inside, with the token in the error
	e.get(t, c, "/api/bookings/explode")
	logs := e.logs.String()
	if !strings.Contains(logs, "/booking/REDACTED") || !strings.Contains(logs, "/api/bookings/REDACTED") {
		t.Errorf("logs lack the redacted paths:\n%s", logs)
	}
	if !strings.Contains(logs, "connection reset") {
		t.Errorf("logs lack the internal error's detail:\n%s", logs)
	}
	for _, secret := range []string{token, "explode", "SECRET"} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs contain %q:\n%s", secret, logs)
		}
	}
}

func TestRedactPath(t *testing.T) {
	tests := []struct{ path, want string }{
		{"/booking/abc", "/booking/REDACTED"},
		{"/booking/abc/ics", "/booking/REDACTED/ics"},
		{"/booking/abc/cancel", "/booking/REDACTED/cancel"},
		{"/api/bookings/abc", "/api/bookings/REDACTED"},
		{"/api/bookings", "/api/bookings"},
		{"/booking/", "/booking/"},
		{"/book/zotero", "/book/zotero"},
	}
	for _, tt := range tests {
		if got := redactPath(tt.path); got != tt.want {
			t.Errorf("redactPath(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}

// TestCampusBookings: a campus behind one address (eduroam, NAT) is not
// one student. Forty bookings with forty e-mail addresses all go through
// under the default limits; typos do not count against the address; the
// per-e-mail limit still holds, naming its field.
func TestCampusBookings(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	csrf := csrfFrom(t, e.get(t, c, bookPath).body)
	for i := range 40 {
		form := validForm(csrf)
		form.Set("email", fmt.Sprintf("student%02d@uio.example.no", i))
		if res := e.postForm(t, c, "/book/zotero", form); res.status != http.StatusSeeOther {
			t.Fatalf("booking %d from the campus address: status %d, want 303", i+1, res.status)
		}
	}

	e = newEnv(t, func(c *Config) { c.BookingLimit, c.EmailLimit = 5, 3 })
	c = e.client(t)
	csrf = csrfFrom(t, e.get(t, c, bookPath).body)
	typo := validForm(csrf)
	typo.Set("email", "student@uio")
	for range 20 {
		if res := e.postForm(t, c, "/book/zotero", typo); res.status != http.StatusUnprocessableEntity {
			t.Fatalf("a typo: status %d, want 422", res.status)
		}
	}
	same := validForm(csrf)
	same.Set("email", "kari@uio.example.no")
	for i, want := range []int{http.StatusSeeOther, http.StatusSeeOther, http.StatusSeeOther, http.StatusTooManyRequests} {
		res := e.postForm(t, c, "/book/zotero", same)
		if res.status != want {
			t.Fatalf("attempt %d with one e-mail: status %d, want %d", i+1, res.status, want)
		}
		if want == http.StatusTooManyRequests && (!strings.Contains(res.body, "med denne e-postadressen") || res.header.Get("Retry-After") == "") {
			t.Errorf("the e-mail limit does not say what happened:\n%s", res.body)
		}
	}
	other := validForm(csrf)
	other.Set("email", "ola@uio.example.no")
	if res := e.postForm(t, c, "/book/zotero", other); res.status != http.StatusSeeOther {
		t.Errorf("another student after the e-mail limit: status %d, want 303", res.status)
	}
	// Five real attempts from the address: the sixth is refused, and says
	// what to do.
	other.Set("email", "per@uio.example.no")
	res := e.postForm(t, c, "/book/zotero", other)
	if res.status != http.StatusTooManyRequests || !strings.Contains(res.body, "kontakt biblioteket") {
		t.Errorf("over the address ceiling: status %d, want 429 with what to do", res.status)
	}
	// The API counts the same attempts and names the e-mail limit.
	e = newEnv(t, func(c *Config) { c.EmailLimit = 1 })
	body := `{"topic":"zotero","start":"` + slotTue9.UTC().Format(time.RFC3339) + `","name":"Kari","email":"kari@uio.example.no","consent":true}`
	if res := e.postJSON(t, "/api/bookings", body); res.status != http.StatusCreated {
		t.Fatalf("API booking: status %d, want 201; %s", res.status, res.body)
	}
	if res := e.postJSON(t, "/api/bookings", body); res.status != http.StatusTooManyRequests || !strings.Contains(res.body, `"field":"email"`) {
		t.Errorf("API over the e-mail limit: status %d, body %s; want 429 naming email", res.status, res.body)
	}
}

// TestGoneTimeOffersNearest: when the time went meanwhile (another
// student, or it passed), the form comes back with everything typed and
// the nearest free times to choose from; choosing one books it.
func TestGoneTimeOffersNearest(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	form := validForm(csrfFrom(t, e.get(t, c, bookPath).body))
	e.booker.mu.Lock()
	e.booker.slots = slices.DeleteFunc(e.booker.slots, func(sl fakeSlot) bool { return sl.Start.Equal(slotTue9.UTC()) })
	e.booker.mu.Unlock()
	res := e.postForm(t, c, "/book/zotero", form)
	if res.status != http.StatusConflict {
		t.Fatalf("status = %d, want 409", res.status)
	}
	for _, want := range []string{"Noen bestilte akkurat den tiden", "Velg en av de nærmeste ledige tidene", `<a href="#start">`,
		`type="radio" id="start-0" name="start"`, `value="Ola Nordmann"`, "Hvordan siterer jeg lover?", `value="Master i rettsvitenskap"`} {
		if !strings.Contains(res.body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(res.body, `name="start" value="`+slotTue9.UTC().Format(time.RFC3339)+`"`) {
		t.Errorf("the gone time is offered again")
	}
	if t.Failed() {
		t.Logf("page:\n%s", res.body)
	}
	m := regexp.MustCompile(`id="start-0" name="start" value="([^"]+)"`).FindStringSubmatch(res.body)
	if m == nil {
		t.Fatal("no alternative to choose")
	}
	form.Set("start", m[1])
	if res := e.postForm(t, c, "/book/zotero", form); res.status != http.StatusSeeOther {
		t.Errorf("booking the alternative: status %d, want 303", res.status)
	}
}
