package models

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
)

// RecordType names a kind of record in an organization's records area, as
// app manifests name them (surfaces' record_types) and pages mark them
// (data-record-type).
type RecordType string

// Record types.
const (
	RecordContact       RecordType = "contact"
	RecordTicket        RecordType = "ticket"
	RecordCallRecording RecordType = "call_recording"
)

// RecordTypes lists every record type, for the API and manifest checks.
var RecordTypes = []RecordType{RecordContact, RecordTicket, RecordCallRecording}

// Record list bounds.
const (
	DefaultRecordLimit = 25
	MaxRecordLimit     = 100
	MaxRecordQueryLen  = 200 // characters of a search query
)

// RecordFilter selects one page of an organization's records of one type.
// Query is web-search syntax (websearch_to_tsquery: words, "quoted
// phrases", or, -not); Cursor a NextCursor of an earlier page with the same
// Query.
type RecordFilter struct {
	Query  string
	Cursor string
	Limit  int
}

// RecordPage is one page of records: by relevance (ts_rank, then id) when
// searching, else newest first (created_at, id).
type RecordPage[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// Normalize trims the query and checks the filter: query text (an invalid
// error coded by TextProblem), length ("query_too_long") and limit
// ("invalid_limit"); a zero limit
// means DefaultRecordLimit, a larger one than MaxRecordLimit is cut down.
func (f RecordFilter) Normalize() (RecordFilter, error) {
	f.Query = strings.TrimSpace(f.Query)
	if p := TextProblem(f.Query); p != "" {
		return f, Invalid(p, "The search cannot be read.", FieldError{Field: "q", Message: textProblemMessage(p)})
	}
	if utf8.RuneCountInString(f.Query) > MaxRecordQueryLen {
		return f, Invalid("query_too_long", "The search is too long.",
			FieldError{Field: "q", Message: "at most " + strconv.Itoa(MaxRecordQueryLen) + " characters"})
	}
	if f.Limit < 0 {
		return f, Invalid("invalid_limit", "limit must be a whole number of at least 1.",
			FieldError{Field: "limit", Message: "must be a whole number of at least 1"})
	}
	if f.Limit == 0 {
		f.Limit = DefaultRecordLimit
	}
	f.Limit = min(f.Limit, MaxRecordLimit)
	return f, nil
}

// OptionalID is a nullable id in a partial update: absent (Set false)
// leaves it alone, null or "" (Set, Value "") clears it, a string sets it.
// The value is kept as sent and parsed by the record's rules, so a bad id
// is a field error ("invalid_contact_id") rather than a JSON error.
type OptionalID struct {
	Set   bool
	Value string
}

// UnmarshalJSON records that the field was sent; it never fails, so
// anything that is not a string or null reaches validation as its JSON text.
func (o *OptionalID) UnmarshalJSON(b []byte) error {
	o.Set = true
	if bytes.Equal(b, []byte("null")) {
		o.Value = ""
		return nil
	}
	if err := json.Unmarshal(b, &o.Value); err != nil {
		o.Value = string(b)
	}
	return nil
}

// SomeID is an OptionalID that sets id, for callers in Go.
func SomeID(id uuid.UUID) OptionalID { return OptionalID{Set: true, Value: id.String()} }

// applyID sets *dst from o when it was sent; errs gains field's problem.
func applyID(o OptionalID, field string, dst **uuid.UUID, errs []FieldError) ([]FieldError, bool) {
	if !o.Set {
		return errs, false
	}
	v := strings.TrimSpace(o.Value)
	var next *uuid.UUID
	if v != "" {
		id, err := uuid.Parse(v)
		if err != nil {
			return append(errs, FieldError{Field: field, Message: "must be the id of a contact of this organization, or null"}), false
		}
		next = &id
	}
	changed := (next == nil) != (*dst == nil) || (next != nil && *next != **dst)
	*dst = next
	return errs, changed
}

// textRule is one text field's rule: at most Max characters, and not
// empty when Required. Values are trimmed before they are checked.
type textRule struct {
	Field    string
	Max      int
	Required bool
}

// applyText sets *dst from v (trimmed) when v is sent, checking r; it
// reports whether the value changed.
func applyText(v *string, r textRule, dst *string, errs []FieldError) ([]FieldError, bool) {
	if v != nil {
		t := strings.TrimSpace(*v)
		if p := TextProblem(t); p != "" {
			return append(errs, FieldError{Field: r.Field, Message: textProblemMessage(p)}), false
		}
		if t != *dst {
			*dst = t
			return checkText(*dst, r, errs), true
		}
	}
	return checkText(*dst, r, errs), false
}

func checkText(v string, r textRule, errs []FieldError) []FieldError {
	switch n := utf8.RuneCountInString(v); {
	case r.Required && n == 0:
		return append(errs, FieldError{Field: r.Field, Message: "is required"})
	case n > r.Max:
		return append(errs, FieldError{Field: r.Field, Message: fmt.Sprintf("must be at most %d characters", r.Max)})
	}
	return errs
}

func textProblemMessage(p string) string {
	if p == TextNUL {
		return "must not contain the NUL character (U+0000)"
	}
	return "must be valid UTF-8"
}

// recordInvalid is the invalid error of a record's input: the code names
// the first bad field that has a code of its own (codes), else fallback.
func recordInvalid(fallback, message string, codes map[string]string, errs []FieldError) error {
	if len(errs) == 0 {
		return nil
	}
	code := fallback
	for _, e := range errs {
		if c, ok := codes[e.Field]; ok {
			code = c
			break
		}
	}
	return Invalid(code, message, errs...)
}

// ErrUnknownContact is the answer when a record names a contact that is
// not one of its organization's.
var ErrUnknownContact = Invalid("invalid_contact_id", "No such contact in this organization.",
	FieldError{Field: "contact_id", Message: "must be the id of a contact of this organization, or null"})
