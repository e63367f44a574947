package web

import (
	"crypto/sha256"
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
