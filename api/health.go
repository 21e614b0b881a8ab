package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// Check is one readiness probe, e.g. "database" or "temporal".
type Check struct {
	Name string
	Run  func(ctx context.Context) error
}

// healthz says the process is up; it checks nothing else, so an orchestrator
// does not restart us because a dependency is down.
func healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// readyz runs every check with a short deadline and reports each by name.
// Reasons stay in the logs: the body says only which check failed.
func readyz(checks []Check) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), 3*time.Second)
		defer cancel()
		status, results := http.StatusOK, gin.H{}
		for _, ch := range checks {
			if err := ch.Run(ctx); err != nil {
				logger(c).Warn("readiness check failed", "check", ch.Name, "err", err)
				results[ch.Name] = "unavailable"
				status = http.StatusServiceUnavailable
			} else {
				results[ch.Name] = "ok"
			}
		}
		overall := "ok"
		if status != http.StatusOK {
			overall = "unavailable"
		}
		c.JSON(status, gin.H{"status": overall, "checks": results})
	}
}
