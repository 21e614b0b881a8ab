// Package httpx is what the JSON API (package api) and the web pages
// (package api/pages) share about a request: who is calling, the request's
// logger, and the one table that turns an error into an HTTP status. It is
// a leaf, so both can import it.
package httpx

import (
	"log/slog"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"appstore/models"
)

// Principal is the authenticated caller of a request.
type Principal struct {
	UserID uuid.UUID
	Email  string
	Role   models.PlatformRole
	// Via says how the caller authenticated: "cookie", "bearer" (a session
	// JWT) or "token" (a personal access token).
	Via string
}

const (
	ctxPrincipal = "appstore.principal"
	ctxLogger    = "appstore.logger"
)

// SetPrincipal records the caller the auth middleware identified.
func SetPrincipal(c *gin.Context, p *Principal) { c.Set(ctxPrincipal, p) }

// PrincipalOf returns the caller, or nil when nobody is signed in.
func PrincipalOf(c *gin.Context) *Principal {
	p, _ := c.Get(ctxPrincipal)
	pr, _ := p.(*Principal)
	return pr
}

// SetLogger records the request's logger (it carries the request id).
func SetLogger(c *gin.Context, l *slog.Logger) { c.Set(ctxLogger, l) }

// Logger returns the request's logger, or the default one outside a request.
func Logger(c *gin.Context) *slog.Logger {
	if l, ok := c.Get(ctxLogger); ok {
		return l.(*slog.Logger)
	}
	return slog.Default()
}
