package api

import (
	"bytes"
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
	raw, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return jsonError(err, maxBytes)
		}
		return &models.Error{Kind: models.KindMalformed, Code: "unreadable_body", Message: "The body could not be read.", Err: err}
	}
	if err := jsonTextProblem(raw); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err, maxBytes)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
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
		field, want := typeErr.Field, jsonTypeName(typeErr.Type)
		if field == "" {
			return &models.Error{Kind: models.KindInvalid, Code: "invalid_body_type",
				Message: fmt.Sprintf("The body must be %s.", want), Err: err}
		}
		return &models.Error{Kind: models.KindInvalid, Code: "invalid_field_type",
			Message: fmt.Sprintf("Field %q must be %s.", field, want),
			Fields:  []models.FieldError{{Field: field, Message: "must be " + want}}, Err: err}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &models.Error{Kind: models.KindInvalid, Code: "unknown_field",
			Message: fmt.Sprintf("Field %q is not accepted here.", field),
			Fields:  []models.FieldError{{Field: field, Message: "unknown field"}}, Err: err}
	default:
		return malformed
	}
}

// loginFormMaxBytes bounds the sign-in form: an email, a password and a path.
const loginFormMaxBytes = 64 << 10

// parseSmallForm reads a urlencoded form of at most maxBytes into
// c.Request.PostForm, so c.PostForm reads what was sent. A larger body is
// 413 "body_too_large", a body that is not a form 415, and a NUL byte or
// invalid UTF-8 in any field 422 (PostgreSQL refuses both in text).
func parseSmallForm(c *gin.Context, maxBytes int64) error {
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if mt != "application/x-www-form-urlencoded" {
		return models.Errorf(models.KindUnsupportedMT, "unsupported_media_type", "Send the form as application/x-www-form-urlencoded.")
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxBytes)
	if err := c.Request.ParseForm(); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return &models.Error{Kind: models.KindTooLarge, Code: "body_too_large",
				Message: fmt.Sprintf("The form is larger than %d bytes.", maxBytes), Err: err}
		}
		return &models.Error{Kind: models.KindMalformed, Code: "malformed_form", Message: "The form could not be read.", Err: err}
	}
	for name, values := range c.Request.PostForm {
		for _, v := range values {
			if err := textProblem(name, v); err != nil {
				return err
			}
		}
	}
	return nil
}
