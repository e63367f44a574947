package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/veileder/veileder/booking"
)

// Sign-in throttling, for both doors (CalDAV Basic auth and the web's
// sign-in form) and every replica: failed attempts are rows in
// login_failures, counted in a sliding window.
//
// An attempt from an untrusted client (no device credential) is refused
// while any of three counts of untrusted failures in the window has
// reached its limit: this user from this address (guessing one password),
// this address for any user (spraying user names), and this user from
// anywhere (guessing from many addresses). An attempt that presents a
// device credential, a browser's signed device cookie from an earlier
// sign-in (OWASP's device-cookie pattern), is judged only by the failures
// of that device credential, so that no one can lock a staff member out by
// failing from elsewhere; a device credential that fails too often is
// itself refused.
//
// A refused attempt is not checked and not counted: the answer is a 429
// with Retry-After (the time until the oldest counted failure leaves the
// window), given at once. Growing delays would hold a connection and a
// goroutine per attempt, which costs the server more than the attacker,
// who simply opens more connections; and calendar apps handle 429 with
// Retry-After better than requests that hang.

// ThrottlePolicy sets the sign-in limits; its zero fields mean the
// defaults of DefaultThrottlePolicy.
type ThrottlePolicy struct {
	// Window is how long a failure counts.
	Window time.Duration
	// PerUserAddress: untrusted failures of one user from one address.
	PerUserAddress int
	// PerAddress: untrusted failures from one address, any user; higher,
	// as a campus NAT puts many users behind one address.
	PerAddress int
	// PerUser: untrusted failures of one user from any address.
	PerUser int
	// PerDevice: failures with one device credential.
	PerDevice int
}

// DefaultThrottlePolicy is the policy in force when Config.Throttle is
// zero.
var DefaultThrottlePolicy = ThrottlePolicy{
	Window:         15 * time.Minute,
	PerUserAddress: 10,
	PerAddress:     50,
	PerUser:        25,
	PerDevice:      10,
}

func (p ThrottlePolicy) withDefaults() ThrottlePolicy {
	d := DefaultThrottlePolicy
	if p.Window <= 0 {
		p.Window = d.Window
	}
	if p.PerUserAddress <= 0 {
		p.PerUserAddress = d.PerUserAddress
	}
	if p.PerAddress <= 0 {
		p.PerAddress = d.PerAddress
	}
	if p.PerUser <= 0 {
		p.PerUser = d.PerUser
	}
	if p.PerDevice <= 0 {
		p.PerDevice = d.PerDevice
	}
	return p
}

// maxThrottleUsername clips what is kept of a tried user name: real ones
// are at most 64 characters, and an attacker's need not be stored whole.
const maxThrottleUsername = 100

// loginKey is the client as login_failures stores it: the user name in lower
// case and clipped, an IPv6 address as its /64 (a host is given a whole
// /64, so one address is no unit of it), an IPv4-mapped address as IPv4.
func loginKey(c booking.LoginClient) booking.LoginClient {
	c.Username = strings.ToLower(strings.TrimSpace(c.Username))
	if len(c.Username) > maxThrottleUsername {
		c.Username = c.Username[:maxThrottleUsername]
	}
	if ip, err := netip.ParseAddr(c.Address); err == nil {
		ip = ip.Unmap().WithZone("")
		if ip.Is6() {
			p, _ := ip.Prefix(64)
			c.Address = p.String()
		} else {
			c.Address = ip.String()
		}
	}
	return c
}

// LoginWait says how long the client must wait before its next attempt
// may be checked: zero when it may try now.
func (s *Store) LoginWait(ctx context.Context, c booking.LoginClient) (time.Duration, error) {
	c = loginKey(c)
	p := s.throttle
	now := s.now()
	since := now.Add(-p.Window).Unix()
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	// Each count is "the limit-th newest failure in the window": when it
	// exists the limit is reached, and the window frees a place when it
	// leaves.
	var limits []sql.NullInt64
	var err error
	if c.Device != "" {
		var at sql.NullInt64
		err = s.db.GetContext(ctx, &at, s.db.Rebind(`
			SELECT (SELECT failed_at FROM login_failures
			        WHERE device = ? AND failed_at > ?
			        ORDER BY failed_at DESC LIMIT 1 OFFSET ?)`),
			c.Device, since, p.PerDevice-1)
		limits = append(limits, at)
	} else {
		var row struct {
			UserAddress sql.NullInt64 `db:"user_address"`
			Address     sql.NullInt64 `db:"address"`
			User        sql.NullInt64 `db:"username"`
		}
		err = s.db.GetContext(ctx, &row, s.db.Rebind(`
			SELECT
			  (SELECT failed_at FROM login_failures
			   WHERE username = ? AND address = ? AND device = '' AND failed_at > ?
			   ORDER BY failed_at DESC LIMIT 1 OFFSET ?) AS user_address,
			  (SELECT failed_at FROM login_failures
			   WHERE address = ? AND device = '' AND failed_at > ?
			   ORDER BY failed_at DESC LIMIT 1 OFFSET ?) AS address,
			  (SELECT failed_at FROM login_failures
			   WHERE username = ? AND device = '' AND failed_at > ?
			   ORDER BY failed_at DESC LIMIT 1 OFFSET ?) AS username`),
			c.Username, c.Address, since, p.PerUserAddress-1,
			c.Address, since, p.PerAddress-1,
			c.Username, since, p.PerUser-1)
		limits = append(limits, row.UserAddress, row.Address, row.User)
	}
	if err != nil {
		return 0, fmt.Errorf("store: login wait of %s: %w", c.Username, dbErr(err))
	}
	var wait time.Duration
	for _, at := range limits {
		if !at.Valid {
			continue
		}
		// Whole seconds, as stored; at least one, so that a refusal
		// never says "try again now".
		w := max(time.Unix(at.Int64, 0).Add(p.Window).Sub(now).Round(time.Second), time.Second)
		wait = max(wait, w)
	}
	return wait, nil
}

// LoginFailed counts a failed attempt, and forgets the failures that have
// left the window.
func (s *Store) LoginFailed(ctx context.Context, c booking.LoginClient) error {
	c = loginKey(c)
	now := s.now()
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	if _, err := s.db.ExecContext(ctx, s.db.Rebind(`
		INSERT INTO login_failures (username, address, device, failed_at) VALUES (?, ?, ?, ?)`),
		c.Username, c.Address, c.Device, now.Unix()); err != nil {
		return fmt.Errorf("store: count failed login of %s: %w", c.Username, dbErr(err))
	}
	if _, err := s.db.ExecContext(ctx, s.db.Rebind(`
		DELETE FROM login_failures WHERE failed_at <= ?`), now.Add(-s.throttle.Window).Unix()); err != nil {
		return fmt.Errorf("store: forget old failed logins: %w", dbErr(err))
	}
	return nil
}

// LoginSucceeded forgets the user's failures from this client only: the
// device credential's, or for an untrusted client the address's. Failures
// from elsewhere still count against untrusted clients, so that a guesser
// on another address gains nothing from the real user signing in.
func (s *Store) LoginSucceeded(ctx context.Context, c booking.LoginClient) error {
	c = loginKey(c)
	ctx, cancel := s.timeout(ctx)
	defer cancel()
	var err error
	if c.Device != "" {
		_, err = s.db.ExecContext(ctx, s.db.Rebind(`
			DELETE FROM login_failures WHERE device = ?`), c.Device)
	} else {
		_, err = s.db.ExecContext(ctx, s.db.Rebind(`
			DELETE FROM login_failures WHERE username = ? AND address = ? AND device = ''`), c.Username, c.Address)
	}
	if err != nil {
		return fmt.Errorf("store: clear failed logins of %s: %w", c.Username, dbErr(err))
	}
	return nil
}
