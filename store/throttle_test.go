package store_test

import (
	"sync"
	"testing"
	"time"

	"github.com/veileder/veileder/booking"
	"github.com/veileder/veileder/store"
	"github.com/veileder/veileder/store/storetest"
)

// The sign-in throttle, step by step on one clock: each step fails or
// succeeds a sign-in, or moves the clock, then checks how long each client
// must wait.
func TestLoginThrottle(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := t.Context()
			var mu sync.Mutex
			now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
			cfg := storetest.NewConfig(t, d)
			cfg.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			cfg.Throttle = store.ThrottlePolicy{Window: 10 * time.Minute, PerUserAddress: 3, PerAddress: 5, PerUser: 4, PerDevice: 2}
			s, err := store.OpenWith(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }

			attacker := booking.LoginClient{Username: "ola", Address: "192.0.2.66"}
			real := booking.LoginClient{Username: "ola", Address: "198.51.100.7"}
			device := booking.LoginClient{Username: "ola", Address: "192.0.2.66", Device: "nonce-1"}
			wait := func(c booking.LoginClient) time.Duration {
				t.Helper()
				w, err := s.LoginWait(ctx, c)
				if err != nil {
					t.Fatal(err)
				}
				return w
			}
			fail := func(c booking.LoginClient, n int) {
				t.Helper()
				for range n {
					if err := s.LoginFailed(ctx, c); err != nil {
						t.Fatal(err)
					}
				}
			}
			type want struct {
				client booking.LoginClient
				wait   time.Duration
			}
			steps := []struct {
				name string
				do   func()
				want []want
			}{
				{"nothing failed yet", func() {}, []want{{attacker, 0}, {real, 0}, {device, 0}}},
				{"two failures are under the limit", func() { fail(attacker, 2) }, []want{{attacker, 0}, {real, 0}}},
				{"the third reaches the user-and-address limit", func() { advance(time.Minute); fail(attacker, 1) },
					// The oldest of the three leaves the window in 9 minutes.
					[]want{{attacker, 9 * time.Minute}, {real, 0}, {device, 0},
						{booking.LoginClient{Username: "OLA ", Address: "192.0.2.66"}, 9 * time.Minute},
						{booking.LoginClient{Username: "kari", Address: "192.0.2.66"}, 0}}},
				{"the same address for other users reaches the address limit",
					func() { fail(booking.LoginClient{Username: "kari", Address: "192.0.2.66"}, 2) },
					[]want{{booking.LoginClient{Username: "per", Address: "192.0.2.66"}, 9 * time.Minute}, {real, 0}, {device, 0}}},
				{"a fourth failure of the user from elsewhere reaches the user limit",
					func() { fail(booking.LoginClient{Username: "ola", Address: "203.0.113.9"}, 1) },
					// The real user without a device credential is refused too
					// (OWASP: untrusted clients are locked), with the device not.
					[]want{{real, 9 * time.Minute}, {device, 0}}},
				{"the device fails twice and is refused itself", func() { fail(device, 2) },
					[]want{{device, 10 * time.Minute}, {booking.LoginClient{Username: "ola", Address: "192.0.2.66", Device: "nonce-2"}, 0}}},
				{"a device success clears that device only", func() {
					if err := s.LoginSucceeded(ctx, device); err != nil {
						t.Fatal(err)
					}
				}, []want{{device, 0}, {attacker, 9 * time.Minute}, {real, 9 * time.Minute}}},
				{"a success from one address clears the user's failures from that address only", func() {
					if err := s.LoginSucceeded(ctx, attacker); err != nil {
						t.Fatal(err)
					}
				}, []want{{attacker, 0}, {booking.LoginClient{Username: "ola", Address: "203.0.113.9"}, 0}}},
				{"the window slides past every failure", func() { advance(10 * time.Minute) },
					[]want{{booking.LoginClient{Username: "per", Address: "192.0.2.66"}, 0}, {real, 0}}},
				{"an IPv6 /64 is one address", func() {
					fail(booking.LoginClient{Username: "ola", Address: "2001:db8:1:2::1"}, 2)
					fail(booking.LoginClient{Username: "ola", Address: "2001:db8:1:2:ffff::9"}, 1)
				}, []want{{booking.LoginClient{Username: "ola", Address: "2001:db8:1:2::77"}, 10 * time.Minute},
					{booking.LoginClient{Username: "ola", Address: "2001:db8:1:3::1"}, 0}}},
			}
			for _, step := range steps {
				step.do()
				for _, w := range step.want {
					if got := wait(w.client); got != w.wait {
						t.Errorf("%s: LoginWait(%+v): got %v, want %v", step.name, w.client, got, w.wait)
					}
				}
			}
		})
	}
}
