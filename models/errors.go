// Package models holds Appstore's domain types, the rules that need no I/O,
// the PostgreSQL stores (GORM) and the embedded migrations.
package models

import (
	"errors"
	"fmt"
)

// Kind classifies an error for transport: the API maps each Kind to one HTTP
// status in a single table. Kinds are few and stable; Codes are specific.
type Kind string

// Error kinds. Every error a store or service returns to a caller is one of these.
const (
	KindMalformed     Kind = "malformed"    // the request cannot be parsed
	KindInvalid       Kind = "invalid"      // the request parses but breaks a rule
	KindUnauthorized  Kind = "unauthorized" // no or bad credentials
	KindForbidden     Kind = "forbidden"    // authenticated but not allowed
	KindNotFound      Kind = "not_found"    // no such thing (or not visible to the caller)
	KindGone          Kind = "gone"         // existed, but is over (an expired link)
	KindConflict      Kind = "conflict"     // uniqueness or state conflict
	KindRateLimited   Kind = "rate_limited" // too many attempts
	KindTooLarge      Kind = "too_large"    // body or quota exceeded
	KindUnavailable   Kind = "unavailable"  // a dependency is down
	KindInternal      Kind = "internal"     // anything else; details never leave the server
	KindUnsupportedMT Kind = "unsupported_media_type"
	KindMethod        Kind = "method_not_allowed"
)

// Sentinel errors for errors.Is checks. Stores wrap them with context.
var (
	ErrNotFound = &Error{Kind: KindNotFound, Code: "not_found", Message: "Not found."}
	ErrConflict = &Error{Kind: KindConflict, Code: "conflict", Message: "Conflict."}
	ErrInvalid  = &Error{Kind: KindInvalid, Code: "invalid", Message: "Invalid request."}
)

// FieldError names one bad input field and what is wrong with it.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is a domain error with a user-safe message. The Message and Fields
// are shown to callers; anything wrapped in Err stays on the server.
type Error struct {
	Kind    Kind
	Code    string // stable, machine-readable, e.g. "invalid_credentials"
	Message string // safe to show to the user
	Fields  []FieldError
	Err     error // internal cause, logged but never returned to a client
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrNotFound) true for any Error of the same Kind.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Kind == e.Kind && (t.Code == string(t.Kind) || t.Code == e.Code)
}

// Errorf builds an Error with a user-safe message.
func Errorf(kind Kind, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid builds a validation error listing every bad field.
func Invalid(code, message string, fields ...FieldError) *Error {
	return &Error{Kind: KindInvalid, Code: code, Message: message, Fields: fields}
}

// AsError returns the domain Error in err's chain, if any.
func AsError(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}
