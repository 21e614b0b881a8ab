package oidcop

import (
	"appstore/models"
	"errors"
	"net/http"

	httphelper "github.com/zitadel/oidc/v3/pkg/http"
	"github.com/zitadel/oidc/v3/pkg/oidc"
)

// maxFormBytes bounds a provider form: codes, tokens, client credentials
// and a redirect URI are all far smaller.
const maxFormBytes = 64 << 10

// refuseBadForm reads a POSTed form before op does and answers
// invalid_request when it is too large, or when any name or value is text
// PostgreSQL cannot store (models.TextProblem; no code, token or client id
// holds such text). It reports whether it answered.
func refuseBadForm(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodPost {
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		status, desc := http.StatusBadRequest, "the form could not be read"
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			status, desc = http.StatusRequestEntityTooLarge, "the form is too large"
		}
		httphelper.MarshalJSONWithStatus(w, oidc.ErrInvalidRequest().WithDescription("%s", desc), status)
		return true
	}
	for name, values := range r.PostForm {
		for _, v := range append(values, name) {
			if models.TextProblem(v) != "" {
				httphelper.MarshalJSONWithStatus(w, oidc.ErrInvalidRequest().
					WithDescription("form values must be UTF-8 text without NUL characters"), http.StatusBadRequest)
				return true
			}
		}
	}
	return false
}
