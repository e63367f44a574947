package caldav_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/caldav"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// Password guessing over Basic auth: 100 wrong passwords from one address
// are refused with 429 and Retry-After once the limit is reached, unchecked
// and so at once; meanwhile the real user gets in at once from another
// address, and with an app password from the guesser's own address. The
// store hashes with a real bcrypt cost (8; the default, 10, takes four
// times as long), so that "at once" means one password check, no more.
func TestPasswordGuessingIsThrottled(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := t.Context()
			cfg := storetest.NewConfig(t, d)
			cfg.BcryptCost = 8
			// The throttle refuses with 429 at once rather than by slowing
			// answers, so the statuses below are what "not blocked" means;
			// the times are logged, not bounded (a loaded machine is slow).
			s, err := store.OpenWith(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			alice, err := s.CreateUser(ctx, booking.User{Username: "alice", Email: "alice@ub.example.org"}, testPassword)
			if err != nil {
				t.Fatal(err)
			}
			app, _, err := s.CreateAppPassword(ctx, alice.ID, "iPhone")
			if err != nil {
				t.Fatal(err)
			}
			// The client's address comes from a header here, as it would
			// from a trusted proxy's X-Forwarded-For.
			h := caldav.NewHandler(caldav.Config{Store: s, Prefix: "/dav", Location: oslo,
				ClientAddr: func(r *http.Request) string { return r.Header.Get("X-Test-Client") }})
			ts := httptest.NewServer(h)
			t.Cleanup(ts.Close)
			propfind := func(addr, user, password string) (*http.Response, time.Duration) {
				t.Helper()
				req, err := http.NewRequestWithContext(context.Background(), "PROPFIND", ts.URL+"/dav/", nil)
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Depth", "0")
				req.Header.Set("X-Test-Client", addr)
				req.SetBasicAuth(user, password)
				start := time.Now()
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				return res, time.Since(start)
			}

			statuses := map[int]int{}
			retryAfter := ""
			var took, refusedTook time.Duration
			for i := range 100 {
				res, d := propfind("192.0.2.66", "alice", "guess-"+strconv.Itoa(i))
				statuses[res.StatusCode]++
				took += d
				if res.StatusCode == http.StatusTooManyRequests {
					retryAfter = res.Header.Get("Retry-After")
					refusedTook += d
				}
			}
			t.Logf("100 wrong passwords from one address: %v, %d answered 401, %d answered 429 in %v together (Retry-After %s s)",
				took.Round(time.Millisecond), statuses[http.StatusUnauthorized], statuses[http.StatusTooManyRequests],
				refusedTook.Round(time.Millisecond), retryAfter)
			limit := store.DefaultThrottlePolicy.PerUserAddress
			if got, want := statuses[http.StatusUnauthorized], limit; got != want {
				t.Errorf("401 answers: got %d, want %d (the limit)", got, want)
			}
			if got, want := statuses[http.StatusTooManyRequests], 100-limit; got != want {
				t.Errorf("429 answers: got %d, want %d", got, want)
			}
			if n, err := strconv.Atoi(retryAfter); err != nil || n < 1 || n > int(store.DefaultThrottlePolicy.Window/time.Second) {
				t.Errorf("Retry-After: got %q, want seconds within the window", retryAfter)
			}

			for _, c := range []struct {
				name, addr, password string
				want                 int
			}{
				// First, as a success is remembered for a minute: the
				// account password is locked on the guesser's address.
				{"the right password from the guesser's address", "192.0.2.66", testPassword, http.StatusTooManyRequests},
				{"the right password from another address", "198.51.100.7", testPassword, http.StatusMultiStatus},
				{"the app password from the guesser's address", "192.0.2.66", app, http.StatusMultiStatus},
				{"a wrong password from another address", "198.51.100.7", "wrong", http.StatusUnauthorized},
			} {
				res, took := propfind(c.addr, "alice", c.password)
				t.Logf("%s: %d in %v", c.name, res.StatusCode, took.Round(time.Millisecond))
				if res.StatusCode != c.want {
					t.Errorf("%s: got %d, want %d", c.name, res.StatusCode, c.want)
				}
			}
		})
	}
}
