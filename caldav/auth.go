package caldav

import (
	"crypto/sha256"
	"net/url"
	"sync"
	"time"

	"veileder/booking"
)

// authCache remembers recent successful log-ins for a short while. Calendar
// apps send Basic credentials with every request, and a slow password hash
// (bcrypt) on each one would cost tens of milliseconds per request. Only a
// hash of the credentials is kept; a changed or revoked password stops
// working when the entry expires.
type authCache struct {
	mu      sync.Mutex
	ttl     time.Duration
	max     int
	now     func() time.Time
	entries map[[32]byte]authEntry
}

type authEntry struct {
	user    booking.User
	expires time.Time
}

func newAuthCache(ttl time.Duration, max int, now func() time.Time) *authCache {
	return &authCache{ttl: ttl, max: max, now: now, entries: map[[32]byte]authEntry{}}
}

func authKey(username, password string) [32]byte {
	return sha256.Sum256([]byte(username + "\x00" + password))
}

func (c *authCache) get(username, password string) (booking.User, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := authKey(username, password)
	e, ok := c.entries[k]
	if !ok || c.now().After(e.expires) {
		delete(c.entries, k)
		return booking.User{}, false
	}
	return e.user, true
}

func (c *authCache) put(username, password string, u booking.User) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.max {
		// Dropping everything is crude but bounded, and a full cache only
		// means some extra password checks.
		c.entries = map[[32]byte]authEntry{}
	}
	c.entries[authKey(username, password)] = authEntry{user: u, expires: c.now().Add(c.ttl)}
}

func pathUnescape(s string) (string, error) { return url.PathUnescape(s) }
