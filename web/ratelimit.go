package web

import (
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// rateLimiter allows limit events per key in any sliding window of the
// given length. It lives in memory, so each replica counts on its own.
type rateLimiter struct {
	limit  int
	window time.Duration

	mu        sync.Mutex
	hits      map[string][]time.Time
	lastSweep time.Time
}

func newRateLimiter(limit int, window time.Duration) *rateLimiter {
	return &rateLimiter{limit: limit, window: window, hits: make(map[string][]time.Time)}
}

// wait is how long key must wait at now before allow would let an event
// through; zero when it may go now. It records nothing.
func (l *rateLimiter) wait(key string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	ts := l.hits[key]
	i := 0
	for i < len(ts) && now.Sub(ts[i]) >= l.window {
		i++
	}
	if len(ts)-i < l.limit {
		return 0
	}
	return l.window - now.Sub(ts[i])
}

// allow records an event for key at now if the limit allows it; otherwise
// it returns how long until the oldest event leaves the window.
func (l *rateLimiter) allow(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	// Forget idle clients once per window, so that memory follows the
	// number of recent clients, not of all clients ever seen.
	if now.Sub(l.lastSweep) >= l.window {
		for k, ts := range l.hits {
			if len(ts) == 0 || now.Sub(ts[len(ts)-1]) >= l.window {
				delete(l.hits, k)
			}
		}
		l.lastSweep = now
	}
	ts := l.hits[key]
	i := 0
	for i < len(ts) && now.Sub(ts[i]) >= l.window {
		i++
	}
	ts = ts[i:]
	if len(ts) >= l.limit {
		l.hits[key] = ts
		return false, l.window - now.Sub(ts[0])
	}
	l.hits[key] = append(ts, now)
	return true, 0
}

// attempt counts one real booking attempt (one that passed the form's own
// checks) for the client's address and for the student's e-mail address,
// and says which limit, if any, refuses it ("address" or "email") and for
// how long. The e-mail is counted only when the address lets the attempt
// through, so that a flood from one address does not lock out the
// students whose addresses it types.
func (s *Server) attempt(c *gin.Context, email string) (limit string, wait time.Duration) {
	now := s.now()
	if ok, w := s.limiter.allow(c.ClientIP(), now); !ok {
		return "address", w
	}
	if ok, w := s.emailLimiter.allow(strings.ToLower(strings.TrimSpace(email)), now); !ok {
		return "email", w
	}
	return "", 0
}

// retryAfter sets Retry-After for a wait, in whole seconds rounded up.
func retryAfter(c *gin.Context, wait time.Duration) {
	c.Header("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
}

// minutes is a wait in whole minutes, at least one, for messages.
func minutes(wait time.Duration) int { return max(1, int((wait+time.Minute-1)/time.Minute)) }
