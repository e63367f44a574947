package web

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"net/http"

	"github.com/gin-gonic/gin"
)

// styleETag identifies the embedded stylesheet, which only a new build
// changes.
var styleETag = func() string {
	sum := sha256.Sum256(styleCSS)
	return `"` + hex.EncodeToString(sum[:8]) + `"`
}()

// style serves the one stylesheet.
func (s *Server) style(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=3600")
	c.Header("ETag", styleETag)
	if c.GetHeader("If-None-Match") == styleETag {
		c.Status(http.StatusNotModified)
		return
	}
	c.Data(http.StatusOK, "text/css; charset=utf-8", styleCSS)
}

// faviconSVG is the site's icon: an open book on the link colour.
//
//go:embed static/favicon.svg
var faviconSVG []byte

var faviconETag = func() string {
	sum := sha256.Sum256(faviconSVG)
	return `"` + hex.EncodeToString(sum[:8]) + `"`
}()

// favicon serves the icon, at /static/favicon.svg for the pages' link
// and at /favicon.ico for the browsers and feed readers that ask there
// without reading the page (an SVG answer is understood by the browsers
// that matter; the others show their default).
func (s *Server) favicon(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=86400")
	c.Header("ETag", faviconETag)
	if c.GetHeader("If-None-Match") == faviconETag {
		c.Status(http.StatusNotModified)
		return
	}
	c.Data(http.StatusOK, "image/svg+xml", faviconSVG)
}
