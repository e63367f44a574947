package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/veileder/veileder/booking"
)

// Device cookies (OWASP's "Slow Down Online Guessing Attacks with Device
// Cookies"): a successful sign-in leaves a long-lived cookie, signed with
// the device key, that names the user and a random nonce. A later sign-in
// for that user from a browser that presents a valid one is judged by the
// failures of that cookie alone (store/throttle.go), so that someone
// failing on purpose from elsewhere cannot lock the user out; a cookie
// that fails too often is refused itself. Each user name has its own
// cookie, so that staff who share a desk computer each keep theirs; the
// cookie's name is derived from the user name with the key, so that it
// does not show which users signed in there.

// deviceMaxAge is how long a device cookie lives: a year, renewed at each
// sign-in.
const deviceMaxAge = 365 * 24 * 3600

func (s *Server) deviceMAC(parts ...string) []byte {
	m := hmac.New(sha256.New, s.staff.deviceKey)
	m.Write([]byte(strings.Join(parts, "\x00")))
	return m.Sum(nil)
}

func (s *Server) deviceCookieName(username string) string {
	name := "device-" + hex.EncodeToString(s.deviceMAC("veileder device name", username)[:8])
	if s.cfg.SecureCookies {
		return "__Host-" + name
	}
	return name
}

// deviceNonce returns the nonce of the request's valid device cookie for
// username, or "" when it has none (an untrusted client).
func (s *Server) deviceNonce(c *gin.Context, username string) string {
	ck, err := c.Request.Cookie(s.deviceCookieName(username))
	if err != nil {
		return ""
	}
	nonce, sig, ok := strings.Cut(ck.Value, ".")
	if !ok || len(nonce) != 22 {
		return ""
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, s.deviceMAC("veileder device", username, nonce)) {
		return ""
	}
	return nonce
}

// setDeviceCookie gives the browser a new device cookie for username.
func (s *Server) setDeviceCookie(c *gin.Context, username string) {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	nonce := base64.RawURLEncoding.EncodeToString(b)
	sig := base64.RawURLEncoding.EncodeToString(s.deviceMAC("veileder device", username, nonce))
	http.SetCookie(c.Writer, &http.Cookie{
		Name: s.deviceCookieName(username), Value: nonce + "." + sig, Path: "/", MaxAge: deviceMaxAge,
		Secure: s.cfg.SecureCookies, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
}

// loginClient is who attempts to sign in as username from this request.
func (s *Server) loginClient(c *gin.Context, username string) booking.LoginClient {
	return booking.LoginClient{Username: username, Address: c.ClientIP(), Device: s.deviceNonce(c, username)}
}
