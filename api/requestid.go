package api

import (
	"log/slog"
	"regexp"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"appstore/api/httpx"
	"appstore/models"
)

const (
	requestIDHeader = "X-Request-ID"
	ctxRequestID    = "appstore.request_id"
)

// Incoming ids are echoed only when they look like ids: they end up in logs
// and in the event log, so arbitrary text is not welcome.
var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// requestContext gives every request an id, a logger that carries it, and an
// Audit in its context so events written by stores record the request.
func requestContext(base *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader(requestIDHeader)
		if !validRequestID.MatchString(id) {
			id = uuid.Must(uuid.NewV7()).String()
		}
		c.Set(ctxRequestID, id)
		c.Header(requestIDHeader, id)
		log := base.With("request_id", id)
		httpx.SetLogger(c, log)
		ctx := models.WithAudit(c.Request.Context(), models.Audit{
			RequestID: id, RequestMethod: c.Request.Method, RequestPath: c.Request.URL.Path,
		})
		c.Request = c.Request.WithContext(ctx)

		start := time.Now()
		c.Next()
		log.Info("http",
			"method", c.Request.Method, "route", c.FullPath(), "path", c.Request.URL.Path,
			"status", c.Writer.Status(), "duration_ms", float64(time.Since(start).Microseconds())/1000,
			"bytes", c.Writer.Size(), "ip", c.ClientIP())
	}
}

func requestID(c *gin.Context) string { return c.GetString(ctxRequestID) }

// logger returns the request's logger, or the default one outside a request.
func logger(c *gin.Context) *slog.Logger { return httpx.Logger(c) }
