package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/veileder/veileder/i18n"
)

const langCookie = "lang"

// lang picks the page language: a ?lang= switch (remembered in a cookie),
// then the cookie, then Accept-Language, then Norwegian.
// The answer is kept on the request, so that the cookie is set once.
func (s *Server) lang(c *gin.Context) string {
	if l := c.GetString(langKey); l != "" {
		return l
	}
	l := s.pickLang(c)
	c.Set(langKey, l)
	return l
}

// langKey holds the request's language in the Gin context.
const langKey = "web.lang"

func (s *Server) pickLang(c *gin.Context) string {
	if l := c.Query("lang"); isLang(l) {
		http.SetCookie(c.Writer, &http.Cookie{
			Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600,
			Secure: s.cfg.SecureCookies, HttpOnly: true, SameSite: http.SameSiteLaxMode,
		})
		return l
	}
	if ck, err := c.Request.Cookie(langCookie); err == nil && isLang(ck.Value) {
		return ck.Value
	}
	return i18n.Negotiate(c.GetHeader("Accept-Language"))
}

// isLang reports whether l is one of the product's languages.
func isLang(l string) bool { return i18n.Supported(l) }

// T is the catalogue's message for key in lang, formatted with args; pages
// and handlers call it, and templates through page.T.
func T(lang, key string, args ...any) string { return i18n.T(lang, key, args...) }
