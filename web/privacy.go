package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// privacy is the short privacy notice linked from the consent box.
func (s *Server) privacy(c *gin.Context) error {
	return s.render(c, http.StatusOK, "privacy", s.newPage(c, nil))
}
