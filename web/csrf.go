package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"

	"github.com/gin-gonic/gin"
)

// CSRF protection is a double-submit token bound to the key: a random
// value lives in a cookie, and every form carries the HMAC of it in a
// hidden field. A forged cross-site form has neither the value nor the key
// to sign it. SameSite=Lax on the cookie is a second line.

const (
	csrfField  = "csrf"
	csrfMaxAge = 24 * 3600
)

func (s *Server) csrfCookieName() string {
	if s.cfg.SecureCookies {
		// __Host- makes browsers insist on Secure, Path=/ and no Domain,
		// so that a sibling subdomain cannot plant the cookie.
		return "__Host-csrf"
	}
	return "csrf"
}

// csrfToken returns the token for this client's forms, setting the cookie
// when the client has none yet.
func (s *Server) csrfToken(c *gin.Context) string {
	name := s.csrfCookieName()
	value := ""
	if ck, err := c.Request.Cookie(name); err == nil && validCSRFValue(ck.Value) {
		value = ck.Value
	} else {
		b := make([]byte, 32)
		_, _ = rand.Read(b) // crypto/rand.Read never fails
		value = base64.RawURLEncoding.EncodeToString(b)
	}
	// Set (or refresh) the cookie, so that it outlives the form.
	http.SetCookie(c.Writer, &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: csrfMaxAge,
		Secure: s.cfg.SecureCookies, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
	return s.signCSRF(value)
}

func validCSRFValue(v string) bool {
	b, err := base64.RawURLEncoding.DecodeString(v)
	return err == nil && len(b) == 32
}

func (s *Server) signCSRF(value string) string {
	m := hmac.New(sha256.New, s.csrfKey)
	m.Write([]byte("veileder csrf\x00" + value))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// checkCSRF refuses a form POST whose token does not match its cookie.
func (s *Server) checkCSRF(c *gin.Context) error {
	ck, err := c.Request.Cookie(s.csrfCookieName())
	got := c.PostForm(csrfField)
	if err != nil || !validCSRFValue(ck.Value) || got == "" ||
		!hmac.Equal([]byte(got), []byte(s.signCSRF(ck.Value))) {
		s.logger.Info("csrf check failed", "path", redactPath(c.Request.URL.Path))
		return errStatus(http.StatusForbidden)
	}
	c.Next()
	return nil
}
