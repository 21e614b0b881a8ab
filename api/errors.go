package api

import (
	"errors"
	"net/http"
	"runtime/debug"
	"strconv"

	"github.com/gin-gonic/gin"

	"appstore/api/httpx"
)

// Problem is an RFC 9457 problem details body with our stable code.
type Problem = httpx.Problem

// problemFor is httpx.ProblemFor: the one error-to-status table, which the
// pages use too.
func problemFor(err error) Problem { return httpx.ProblemFor(err) }

// writeError logs err (internals included) and writes its problem.
func writeError(c *gin.Context, err error) {
	p := problemFor(err)
	p.RequestID = requestID(c)
	p.Instance = c.Request.URL.Path
	log := logger(c)
	if p.Status >= 500 {
		log.Error("request failed", "err", err, "status", p.Status)
	} else {
		log.Info("request rejected", "code", p.Code, "status", p.Status, "err", err)
	}
	if p.Status == http.StatusTooManyRequests {
		var rl *rateLimitedError
		if errors.As(err, &rl) {
			c.Header("Retry-After", strconv.Itoa(rl.retryAfterSeconds()))
		}
	}
	if p.Status == http.StatusUnauthorized {
		c.Header("WWW-Authenticate", `Bearer realm="appstore"`)
	}
	c.Header("Content-Type", "application/problem+json")
	c.Header("Cache-Control", "no-store")
	c.AbortWithStatusJSON(p.Status, p)
}

// handler adapts an error-returning handler to Gin: every error goes through
// writeError, so handlers never write error responses themselves.
func handler(fn func(c *gin.Context) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := fn(c); err != nil {
			writeError(c, err)
		}
	}
}

// recovery turns a panic into a logged 500 whose body reveals nothing.
func recovery() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				logger(c).Error("panic", "panic", r, "stack", string(debug.Stack()))
				writeError(c, errors.New("panic"))
			}
		}()
		c.Next()
	}
}
