package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"appstore/models"
)

// decodeJSON strictly decodes the request body into v: JSON content type,
// at most maxBytes, no unknown fields, no trailing data. Each failure is a
// 4xx with its own stable code.
func decodeJSON(c *gin.Context, maxBytes int64, v any) error {
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if mt != "application/json" {
		return models.Errorf(models.KindUnsupportedMT, "unsupported_media_type", "Send the body as application/json.")
	}
	body := http.MaxBytesReader(c.Writer, c.Request.Body, maxBytes)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err, maxBytes)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return jsonError(err, maxBytes)
		}
		return models.Errorf(models.KindMalformed, "malformed_json", "The body must hold a single JSON value.")
	}
	return nil
}

func jsonError(err error, maxBytes int64) error {
	var (
		tooLarge  *http.MaxBytesError
		syntax    *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
		malformed = &models.Error{Kind: models.KindMalformed, Code: "malformed_json", Message: "The body is not valid JSON.", Err: err}
	)
	switch {
	case errors.As(err, &tooLarge):
		return &models.Error{Kind: models.KindTooLarge, Code: "body_too_large",
			Message: fmt.Sprintf("The body is larger than %d bytes.", maxBytes), Err: err}
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return malformed
	case errors.Is(err, io.EOF):
		return &models.Error{Kind: models.KindMalformed, Code: "empty_body", Message: "The body is empty; send a JSON object.", Err: err}
	case errors.As(err, &typeErr):
		field := typeErr.Field
		return &models.Error{Kind: models.KindInvalid, Code: "invalid_field_type",
			Message: fmt.Sprintf("Field %q must be of type %s.", field, typeErr.Type.String()),
			Fields:  []models.FieldError{{Field: field, Message: "must be " + typeErr.Type.String()}}, Err: err}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &models.Error{Kind: models.KindInvalid, Code: "unknown_field",
			Message: fmt.Sprintf("Field %q is not accepted here.", field),
			Fields:  []models.FieldError{{Field: field, Message: "unknown field"}}, Err: err}
	default:
		return malformed
	}
}
