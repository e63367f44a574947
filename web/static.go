package web

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
)

// embeddedFile serves a file built into the binary, which only a new
// build changes: its ETag is its hash, so that browsers revalidate with
// a 304 and get a new file the moment a release brings one.
func embeddedFile(data []byte, contentType string, maxAge int) gin.HandlerFunc {
	sum := sha256.Sum256(data)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	cache := "public, max-age=" + strconv.Itoa(maxAge)
	return func(c *gin.Context) {
		c.Header("Cache-Control", cache)
		c.Header("ETag", etag)
		if c.GetHeader("If-None-Match") == etag {
			c.Status(http.StatusNotModified)
			return
		}
		c.Data(http.StatusOK, contentType, data)
	}
}

// style serves the one stylesheet.
var style = embeddedFile(styleCSS, "text/css; charset=utf-8", 3600)

// faviconSVG is the site's icon: an open book on the link colour.
//
//go:embed static/favicon.svg
var faviconSVG []byte

// favicon serves the icon, at /static/favicon.svg for the pages' link
// and at /favicon.ico for the browsers and feed readers that ask there
// without reading the page (an SVG answer is understood by the browsers
// that matter; the others show their default).
var favicon = embeddedFile(faviconSVG, "image/svg+xml", 86400)
