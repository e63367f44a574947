package web

import (
	"sync"
	"time"
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
