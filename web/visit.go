package web

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/veileder/veileder/booking"
)

// A visit is one browser session: unmet demand is counted at most once per
// visit for a topic and its filters, however often the student reloads the
// page or comes back to it. The browser remembers which searches it has
// been counted for in a session cookie of short hashes: nothing about the
// student, nothing kept on our side, and the same on every replica.

const (
	visitCookie = "visit"
	// visitMax bounds the searches one cookie remembers (13 bytes each).
	visitMax = 40
)

// visitKey names a search for the visit cookie.
func visitKey(t booking.Topic, f filters) string {
	h := sha256.Sum256([]byte(strings.Join([]string{t.Slug, f.Language, string(f.Mode), f.Campus}, "\x00")))
	return hex.EncodeToString(h[:6])
}

// visitSeen lists the searches this visit has been counted for.
func visitSeen(c *gin.Context) []string {
	ck, err := c.Request.Cookie(visitCookie)
	if err != nil {
		return nil
	}
	var out []string
	for _, k := range strings.Split(ck.Value, ".") {
		if len(k) == 12 && strings.Trim(k, "0123456789abcdef") == "" {
			out = append(out, k)
		}
	}
	return out
}

// firstInVisit reports whether this visit has not yet been counted for
// the search, and marks it counted.
func (s *Server) firstInVisit(c *gin.Context, t booking.Topic, f filters) bool {
	key := visitKey(t, f)
	seen := visitSeen(c)
	if slices.Contains(seen, key) {
		return false
	}
	seen = append(seen, key)
	if len(seen) > visitMax {
		seen = seen[len(seen)-visitMax:]
	}
	// No Max-Age: the cookie ends with the browser session.
	http.SetCookie(c.Writer, &http.Cookie{
		Name: visitCookie, Value: strings.Join(seen, "."), Path: "/",
		Secure: s.cfg.SecureCookies, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
	return true
}
