package web

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// Operations endpoints: /healthz (routes.go) says the process serves;
// /readyz says it can reach its database, so that a load balancer sends
// no traffic to a replica that cannot; /metrics is Prometheus's.

// readyz answers 200 when Config.Ready succeeds, 503 otherwise.
func (s *Server) readyz(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	if s.cfg.Ready == nil {
		c.String(http.StatusOK, "ok\n")
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if err := s.cfg.Ready(ctx); err != nil {
		s.logger.Warn("not ready", "err", err)
		c.String(http.StatusServiceUnavailable, "not ready\n")
		return
	}
	c.String(http.StatusOK, "ok\n")
}

// observe reports each request to Config.Observe with its route pattern
// (never the path itself, which holds manage tokens and would make a new
// series for each), method, status and duration.
func (s *Server) observe(c *gin.Context) {
	if s.cfg.Observe == nil {
		c.Next()
		return
	}
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	s.cfg.Observe(route, c.Request.Method, c.Writer.Status(), time.Since(start))
}
