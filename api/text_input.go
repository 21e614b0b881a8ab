package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"appstore/models"
)

// Text that PostgreSQL cannot store (models.TextProblem) is refused here,
// at the edge, with the name of the field that carries it.

// textProblem is a 422 naming field when v holds NUL or invalid UTF-8
// (models.TextProblem).
func textProblem(field, v string) error {
	switch models.TextProblem(v) {
	case models.TextInvalidUTF8:
		return badText(field, models.TextInvalidUTF8, "must be valid UTF-8")
	case models.TextNUL:
		return badText(field, models.TextNUL, "must not contain the NUL character (U+0000)")
	}
	return nil
}

func badText(field, code, msg string) error {
	return &models.Error{Kind: models.KindInvalid, Code: code,
		Message: fmt.Sprintf("%q %s.", field, msg), Fields: []models.FieldError{{Field: field, Message: msg}}}
}

// refuseBadURLText answers 422 before routing goes further when the path or
// any query parameter (name or value) holds NUL or invalid UTF-8.
func refuseBadURLText(c *gin.Context) {
	if err := urlTextProblem(c.Request.URL); err != nil {
		writeError(c, err)
		return
	}
	c.Next()
}

func urlTextProblem(u *url.URL) error {
	if err := textProblem("path", u.Path); err != nil {
		return err
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return &models.Error{Kind: models.KindMalformed, Code: "malformed_query", Message: "The query string could not be read.", Err: err}
	}
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	sort.Strings(names) // the same request names the same field every time
	for _, name := range names {
		if err := textProblem("query parameter", name); err != nil {
			return err
		}
		for _, v := range q[name] {
			if err := textProblem(name, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// jsonTextProblem checks a JSON body before it is decoded: invalid UTF-8
// anywhere (Go's decoder would quietly replace it), and NUL in any string
// or object key, named by its path ("settings.name", "items[2]").
func jsonTextProblem(raw []byte) error {
	if !utf8.Valid(raw) {
		return badText("body", models.TextInvalidUTF8, "must be valid UTF-8")
	}
	if !bytes.Contains(raw, []byte(`\u0000`)) {
		return nil // the only way to write NUL in valid JSON text
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil // the decoder that follows reports the syntax error
	}
	if field, ok := nulPath(v, ""); ok {
		return textProblem(field, "\x00")
	}
	return nil
}

// nulPath returns the path of the first string holding NUL in v.
func nulPath(v any, path string) (string, bool) {
	switch t := v.(type) {
	case string:
		return path, strings.IndexByte(t, 0) >= 0
	case []any:
		for i, e := range t {
			if p, ok := nulPath(e, fmt.Sprintf("%s[%d]", path, i)); ok {
				return p, true
			}
		}
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if strings.IndexByte(k, 0) >= 0 {
				return p, true
			}
			if p, ok := nulPath(t[k], p); ok {
				return p, true
			}
		}
	}
	if path == "" {
		path = "body"
	}
	return path, false
}

// jsonTypeName says in JSON's words what a Go type expects: "an object",
// not "map[string]interface {}".
func jsonTypeName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return "a base64 string"
		}
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number in range"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "a JSON value of another type"
}
