package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
)

// passwordStore keeps passwords and sessions in memory, for the page on
// which staff change their own password. Liv has two sessions: this
// browser's and another one's.
type passwordStore struct {
	fakeStaffStore

	mu        sync.Mutex
	passwords map[string]string
	sessions  map[string]booking.User
	sets      int // SetPassword calls
	next      int
	// failures counts failed password checks per user name; from
	// limit on, the throttle refuses (the store's real throttle is
	// tested in store and app).
	failures map[string]int
	limit    int
}

var liv = booking.User{ID: 2, Username: "liv", DisplayName: "Liv Bibliotekar", Role: booking.RoleLibrarian}

func newPasswordStore() *passwordStore {
	return &passwordStore{
		passwords: map[string]string{"liv": "old password"},
		sessions:  map[string]booking.User{"librarian-session": liv, "other-browser": liv},
		failures:  map[string]int{},
		limit:     10,
	}
}

func (f *passwordStore) LoginWait(_ context.Context, c booking.LoginClient) (time.Duration, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failures[c.Username] >= f.limit {
		return time.Minute, nil
	}
	return 0, nil
}

func (f *passwordStore) LoginFailed(_ context.Context, c booking.LoginClient) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures[c.Username]++
	return nil
}

func (f *passwordStore) LoginSucceeded(_ context.Context, c booking.LoginClient) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.failures, c.Username)
	return nil
}

func (f *passwordStore) SessionUser(_ context.Context, token string) (booking.User, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if u, ok := f.sessions[token]; ok {
		return u, nil
	}
	return booking.User{}, booking.ErrUnauthenticated
}

func (f *passwordStore) AuthenticateAccount(_ context.Context, username, password string) (booking.User, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if p, ok := f.passwords[username]; ok && p == password && username == liv.Username {
		return liv, nil
	}
	return booking.User{}, fmt.Errorf("fake: authenticate %s: %w", username, booking.ErrUnauthenticated)
}

func (f *passwordStore) SetPassword(_ context.Context, username, password string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sets++
	f.passwords[username] = password
	return nil
}

func (f *passwordStore) DeleteSessionsOfUser(_ context.Context, userID int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for tok, u := range f.sessions {
		if u.ID == userID {
			delete(f.sessions, tok)
		}
	}
	return nil
}

func (f *passwordStore) CreateSession(_ context.Context, userID int64, _ time.Duration) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if userID != liv.ID {
		return "", booking.ErrNotFound
	}
	f.next++
	tok := fmt.Sprintf("fresh-session-%d", f.next)
	f.sessions[tok] = liv
	return tok, nil
}

func (f *passwordStore) state() (password string, sets int, sessions []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for tok := range f.sessions {
		sessions = append(sessions, tok)
	}
	return f.passwords["liv"], f.sets, sessions
}

func passwordEnv(t *testing.T, change ...func(*StaffConfig)) (*env, *passwordStore) {
	t.Helper()
	return passwordEnvWith(t, newPasswordStore(), change...)
}

func passwordEnvWith(t *testing.T, st *passwordStore, change ...func(*StaffConfig)) (*env, *passwordStore) {
	t.Helper()
	e := newEnv(t, func(c *Config) {
		c.Staff = StaffConfig{Store: st, Service: fakeStaffService{}}
		for _, f := range change {
			f(&c.Staff)
		}
	})
	return e, st
}

// passwordForm opens the page in lang in a browser signed in as Liv and
// returns the browser and a form with the page's CSRF token.
func (e *env) passwordForm(t *testing.T, lang, current, fresh, repeat string) (*http.Client, url.Values) {
	t.Helper()
	c := e.staffClient(t, "librarian-session")
	res := e.get(t, c, "/staff/password?lang="+lang)
	if res.status != http.StatusOK {
		t.Fatalf("GET /staff/password: status = %d, want 200:\n%s", res.status, res.body)
	}
	return c, url.Values{"csrf": {csrfFrom(t, res.body)}, "current_password": {current}, "new_password": {fresh}, "repeat_password": {repeat}}
}

func TestStaffPasswordPage(t *testing.T) {
	e, _ := passwordEnv(t)
	for _, tt := range []struct{ lang, nav, title, apps string }{
		{"nb", ">Passord</a>", "Endre passord", "App-passordene endres ikke"},
		{"en", ">Password</a>", "Change password", "Your app passwords are not changed"},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			c := e.staffClient(t, "librarian-session")
			res := e.get(t, c, "/staff/password?lang="+tt.lang)
			if res.status != http.StatusOK {
				t.Fatalf("status = %d, want 200", res.status)
			}
			for _, want := range []string{
				`<a href="/staff/password" aria-current="page"` + tt.nav, "<h1>" + tt.title + "</h1>", tt.apps,
				`<label for="current_password">`, `id="current_password" name="current_password" autocomplete="current-password"`,
				`<label for="new_password">`, `id="new_password" name="new_password" autocomplete="new-password"`,
				`<label for="repeat_password">`, `id="repeat_password" name="repeat_password" autocomplete="new-password"`,
				`aria-describedby="new_password-hint"`, `name="csrf"`,
			} {
				if !strings.Contains(res.body, want) {
					t.Errorf("page lacks %s:\n%s", want, res.body)
				}
			}
			if got := res.header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", got)
			}
			// Every staff page links to it, even a refusal.
			if res := e.get(t, c, "/admin/users"); !strings.Contains(res.body, `<a href="/staff/password">`+strings.TrimPrefix(tt.nav, ">")) {
				t.Errorf("refusal page's navigation lacks the password page:\n%s", res.body)
			}
		})
	}
	// Signed out, the page sends to the sign-in page and back.
	res := e.get(t, e.client(t), "/staff/password")
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/staff/login?next=%2Fstaff%2Fpassword" {
		t.Errorf("signed out: got %d to %q, want 303 to the sign-in page", res.status, res.header.Get("Location"))
	}
}

func TestStaffChangePasswordErrors(t *testing.T) {
	tests := []struct {
		name, lang             string
		current, fresh, repeat string
		field                  string
		message                string
	}{
		{"wrong current nb", "nb", "wrong password", "new password 1", "new password 1", "current_password", "Det nåværende passordet er feil"},
		{"wrong current en", "en", "wrong password", "new password 1", "new password 1", "current_password", "The current password is wrong"},
		{"no current", "en", "", "new password 1", "new password 1", "current_password", "Enter your current password"},
		{"mismatch nb", "nb", "old password", "new password 1", "new password 2", "repeat_password", "De to nye passordene er ikke like"},
		{"mismatch en", "en", "old password", "new password 1", "new password 2", "repeat_password", "The two new passwords are not the same"},
		{"too short nb", "nb", "old password", "kort", "kort", "new_password", "Skriv et nytt passord på 8 til 128 tegn"},
		{"too short en", "en", "old password", "1234567", "1234567", "new_password", "Enter a new password of 8 to 128 characters"},
		{"too long", "en", "old password", strings.Repeat("å", 129), strings.Repeat("å", 129), "new_password", "Enter a new password of 8 to 128 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, st := passwordEnv(t)
			c, form := e.passwordForm(t, tt.lang, tt.current, tt.fresh, tt.repeat)
			res := e.postForm(t, c, "/staff/password", form)
			if res.status != http.StatusUnprocessableEntity {
				t.Errorf("status = %d, want 422", res.status)
			}
			for _, want := range []string{
				`class="error-summary"`, `<a href="#` + tt.field + `">` + tt.message + `</a>`,
				`id="` + tt.field + `-error"`, `aria-invalid="true"`,
			} {
				if !strings.Contains(res.body, want) {
					t.Errorf("page lacks %s:\n%s", want, res.body)
				}
			}
			if !strings.Contains(res.body, `aria-describedby="`+tt.field+`-error"`) && !strings.Contains(res.body, `aria-describedby="`+tt.field+`-hint `+tt.field+`-error"`) {
				t.Errorf("the error is not tied to #%s:\n%s", tt.field, res.body)
			}
			if tt.current != "" && strings.Contains(res.body, tt.current) || strings.Contains(res.body, `value="`+tt.fresh+`"`) {
				t.Errorf("the page echoes a password back:\n%s", res.body)
			}
			if pw, sets, _ := st.state(); sets != 0 || pw != "old password" {
				t.Errorf("password = %q after %d SetPassword calls, want it unchanged", pw, sets)
			}
			if _, _, sessions := st.state(); len(sessions) != 2 {
				t.Errorf("sessions = %v, want both kept", sessions)
			}
		})
	}
}

func TestStaffChangePassword(t *testing.T) {
	for _, tt := range []struct{ lang, done string }{
		{"nb", "Passordet er endret."},
		{"en", "Your password is changed."},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			e, st := passwordEnv(t)
			c, form := e.passwordForm(t, tt.lang, "old password", "new password 1", "new password 1")
			res := e.postForm(t, c, "/staff/password", form)
			if res.status != http.StatusSeeOther || res.header.Get("Location") != "/staff/password?done=password" {
				t.Fatalf("got %d to %q, want 303 to /staff/password?done=password:\n%s", res.status, res.header.Get("Location"), res.body)
			}
			pw, sets, sessions := st.state()
			if pw != "new password 1" || sets != 1 {
				t.Errorf("password = %q after %d SetPassword calls, want the new one after 1", pw, sets)
			}
			// Both old sessions are gone; this browser holds a new one.
			if len(sessions) != 1 || !strings.HasPrefix(sessions[0], "fresh-session-") {
				t.Errorf("sessions = %v, want only a fresh one", sessions)
			}
			var cookie *http.Cookie
			for _, ck := range (&http.Response{Header: res.header}).Cookies() {
				if ck.Name == "staff" {
					cookie = ck
				}
			}
			if cookie == nil || len(sessions) != 1 || cookie.Value != sessions[0] || !cookie.HttpOnly || cookie.MaxAge <= 0 {
				t.Errorf("session cookie = %+v, want the fresh session %v", cookie, sessions)
			}
			// Still signed in, with the confirmation.
			res = e.get(t, c, res.header.Get("Location"))
			if res.status != http.StatusOK || !strings.Contains(res.body, `role="status"`) || !strings.Contains(res.body, tt.done) {
				t.Errorf("after the change: got %d, want 200 with the confirmation %q:\n%s", res.status, tt.done, res.body)
			}
			// The other browser is signed out.
			if res := e.get(t, e.staffClient(t, "other-browser"), "/staff/bookings"); res.status != http.StatusSeeOther {
				t.Errorf("other browser after the change: got %d, want 303 to sign in", res.status)
			}
			if !strings.Contains(e.logs.String(), "staff changed own password") || strings.Contains(e.logs.String(), "new password 1") {
				t.Errorf("log lacks the change or holds the password:\n%s", e.logs)
			}
		})
	}
}

func TestStaffChangePasswordCSRF(t *testing.T) {
	e, st := passwordEnv(t)
	c, form := e.passwordForm(t, "nb", "old password", "new password 1", "new password 1")
	for _, tt := range []struct{ name, csrf string }{{"no token", ""}, {"forged token", "AAAA" + form.Get("csrf")[4:]}} {
		t.Run(tt.name, func(t *testing.T) {
			f := url.Values{}
			for k, v := range form {
				f[k] = v
			}
			f.Set("csrf", tt.csrf)
			if res := e.postForm(t, c, "/staff/password", f); res.status != http.StatusForbidden {
				t.Errorf("status = %d, want 403", res.status)
			}
		})
	}
	if pw, sets, sessions := st.state(); sets != 0 || pw != "old password" || len(sessions) != 2 {
		t.Errorf("after refused POSTs: password %q, %d SetPassword calls, sessions %v; want nothing changed", pw, sets, sessions)
	}
}

// TestStaffChangePasswordRateLimit: wrong current passwords count in the
// sign-in throttle, which the sign-in page shares.
func TestStaffChangePasswordRateLimit(t *testing.T) {
	st := newPasswordStore()
	st.limit = 2
	e, _ := passwordEnvWith(t, st)
	c, form := e.passwordForm(t, "en", "wrong password", "new password 1", "new password 1")
	for i, want := range []int{http.StatusUnprocessableEntity, http.StatusUnprocessableEntity, http.StatusTooManyRequests} {
		res := e.postForm(t, c, "/staff/password", form)
		if res.status != want {
			t.Errorf("attempt %d: status = %d, want %d", i+1, res.status, want)
		}
		if want == http.StatusTooManyRequests && (res.header.Get("Retry-After") == "" || !strings.Contains(res.body, "Too many tries with a wrong password")) {
			t.Errorf("429 without Retry-After or explanation:\n%s", res.body)
		}
	}
	// The right password is refused too while the limit holds, and the
	// sign-in page shares the limit.
	form.Set("current_password", "old password")
	if res := e.postForm(t, c, "/staff/password", form); res.status != http.StatusTooManyRequests {
		t.Errorf("right password while limited: status = %d, want 429", res.status)
	}
	if pw, sets, _ := st.state(); sets != 0 || pw != "old password" {
		t.Errorf("password = %q after %d SetPassword calls, want it unchanged", pw, sets)
	}
	login := url.Values{"csrf": {form.Get("csrf")}, "username": {"liv"}, "password": {"old password"}}
	if res := e.postForm(t, c, "/staff/login", login); res.status != http.StatusTooManyRequests {
		t.Errorf("sign-in while limited: status = %d, want 429", res.status)
	}
}
