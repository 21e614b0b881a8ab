package api

import (
	"errors"
	"net/http"
	"runtime/debug"
	"strconv"

	"github.com/gin-gonic/gin"

	"appstore/models"
)

// statusByKind is the one table from error kinds to HTTP statuses.
var statusByKind = map[models.Kind]int{
	models.KindMalformed:     http.StatusBadRequest,
	models.KindInvalid:       http.StatusUnprocessableEntity,
	models.KindUnauthorized:  http.StatusUnauthorized,
	models.KindForbidden:     http.StatusForbidden,
	models.KindNotFound:      http.StatusNotFound,
	models.KindConflict:      http.StatusConflict,
	models.KindGone:          http.StatusGone,
	models.KindRateLimited:   http.StatusTooManyRequests,
	models.KindTooLarge:      http.StatusRequestEntityTooLarge,
	models.KindUnsupportedMT: http.StatusUnsupportedMediaType,
	models.KindMethod:        http.StatusMethodNotAllowed,
	models.KindUnavailable:   http.StatusServiceUnavailable,
	models.KindInternal:      http.StatusInternalServerError,
}

// Problem is an RFC 9457 problem details body with our stable code.
type Problem struct {
	Type      string              `json:"type"`
	Title     string              `json:"title"`
	Status    int                 `json:"status"`
	Detail    string              `json:"detail,omitempty"`
	Code      string              `json:"code"`
	Instance  string              `json:"instance,omitempty"`
	RequestID string              `json:"request_id,omitempty"`
	Errors    []models.FieldError `json:"errors,omitempty"`
}

// problemFor turns any error into the problem a client may see. Domain errors
// keep their safe message; anything else becomes a bare 500.
func problemFor(err error) Problem {
	de, ok := models.AsError(err)
	if !ok {
		de = &models.Error{Kind: models.KindInternal, Code: "internal", Message: "Something went wrong on our side. Try again, and quote the request id if it persists."}
	}
	status, ok := statusByKind[de.Kind]
	if !ok {
		status = http.StatusInternalServerError
	}
	p := Problem{
		Type:   "about:blank",
		Title:  http.StatusText(status),
		Status: status,
		Detail: de.Message,
		Code:   de.Code,
		Errors: de.Fields,
	}
	if status >= 500 && de.Kind == models.KindInternal {
		// Internal errors carry nothing but the generic message.
		p.Detail, p.Code, p.Errors = "Something went wrong on our side. Try again, and quote the request id if it persists.", "internal", nil
	}
	return p
}

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
