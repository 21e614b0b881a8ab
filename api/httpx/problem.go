package httpx

import (
	"net/http"

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

// ProblemFor turns any error into the problem a client may see. Domain
// errors keep their safe message; anything else becomes a bare 500.
func ProblemFor(err error) Problem {
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
