package caldav

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/veileder/veileder/booking"
)

// authenticate checks HTTP Basic credentials (RFC 7617) under the
// sign-in throttle that the web's sign-in form shares (the store keeps
// the failures, for every replica).
//
// A client the throttle refuses gets 429 with Retry-After at once, its
// password unchecked and uncounted, unless the password is one of the
// user's app passwords: an app password is the calendar app's own
// per-device credential, 80 random bits that no one guesses, so a phone
// set up with one keeps working while someone guesses the account
// password from anywhere, its own address included. A success with the
// account password clears the user's failures from this address; one with
// an app password clears nothing, so that a phone polling from a shared
// address cannot reset a guesser's count there.
//
// The user name may arrive percent-encoded (iOS 18.4 sends "%40"); user
// names hold no '%', so it is decoded first.
func (h *Handler) authenticate(w http.ResponseWriter, r *http.Request) (booking.User, error) {
	username, password, ok := r.BasicAuth()
	if !ok || username == "" {
		return booking.User{}, fmt.Errorf("caldav: no credentials: %w", booking.ErrUnauthenticated)
	}
	username = strings.ToLower(username)
	if strings.Contains(username, "%") {
		if dec, err := pathUnescape(username); err == nil {
			username = dec
		}
	}
	if u, ok := h.auth.get(username, password); ok {
		return u, nil
	}
	ctx := r.Context()
	client := booking.LoginClient{Username: username, Address: h.clientAddr(r)}
	wait, err := h.store.LoginWait(ctx, client)
	if err != nil {
		return booking.User{}, fmt.Errorf("caldav: authenticate %q: %w", username, err)
	}
	if wait > 0 {
		u, err := h.store.AuthenticateAppPassword(ctx, username, password)
		if err == nil {
			h.auth.put(username, password, u)
			return u, nil
		}
		if !errors.Is(err, booking.ErrUnauthenticated) {
			return booking.User{}, fmt.Errorf("caldav: authenticate %q: %w", username, err)
		}
		w.Header().Set("Retry-After", strconv.Itoa(int(wait/time.Second)))
		return booking.User{}, &httpError{status: http.StatusTooManyRequests,
			message: "too many failed log-ins; try again later, or use an app password",
			cause:   fmt.Errorf("caldav: log-in of %q throttled for %v", username, wait)}
	}
	u, err := h.store.AuthenticateAccount(ctx, username, password)
	if err == nil {
		if err := h.store.LoginSucceeded(ctx, client); err != nil {
			h.logger.Warn("caldav: clear failed log-ins", "user", username, "err", err)
		}
	} else if errors.Is(err, booking.ErrUnauthenticated) {
		u, err = h.store.AuthenticateAppPassword(ctx, username, password)
		if errors.Is(err, booking.ErrUnauthenticated) {
			h.countFailure(ctx, client)
		}
	}
	if err != nil {
		return booking.User{}, fmt.Errorf("caldav: authenticate %q: %w", username, err)
	}
	h.auth.put(username, password, u)
	return u, nil
}

// countFailure records a failed log-in. A failure to record it is logged
// and the client told 401 all the same: the attempt failed either way.
func (h *Handler) countFailure(ctx context.Context, client booking.LoginClient) {
	if err := h.store.LoginFailed(ctx, client); err != nil {
		h.logger.Error("caldav: count failed log-in", "user", client.Username, "err", err)
	}
}

// remoteAddr is the request's peer address without its port.
func remoteAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

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
