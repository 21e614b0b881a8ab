package models

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"

	"github.com/google/uuid"
)

// BundleRef names bundle content a client holds: which side it runs on,
// its SHA-256 (lowercase hex) and its size.
type BundleRef struct {
	Type      BundleType `json:"type"`
	SHA256    string     `json:"sha256"`
	SizeBytes int64      `json:"size_bytes"`
}

// BundleCheck says whether an app already holds a BundleRef's bytes, and
// which bundle they are.
type BundleCheck struct {
	BundleRef
	Present bool       `json:"present"`
	ID      *uuid.UUID `json:"id"`
}

// BundlePage is one page of an app's bundles, newest first.
type BundlePage struct {
	Items      []Bundle `json:"items"`
	NextCursor string   `json:"next_cursor,omitempty"`
}

// Bundle limits.
const (
	MaxBundleChecks    = 100 // refs in one check request
	DefaultBundleLimit = 50
	MaxBundleLimit     = 200
)

// ValidBundleType returns an invalid error ("invalid_bundle_type") unless
// typ is client or server.
func ValidBundleType(typ BundleType, field string) error {
	if typ != BundleClient && typ != BundleServer {
		return Invalid("invalid_bundle_type", "A bundle's type is client or server.",
			FieldError{Field: field, Message: "must be client or server"})
	}
	return nil
}

// NormalizeSHA256 lowercases sha and returns an invalid error
// ("invalid_sha256") unless it is 64 hex digits.
func NormalizeSHA256(sha, field string) (string, error) {
	sha = strings.ToLower(strings.TrimSpace(sha))
	if len(sha) != sha256.Size*2 {
		return "", Invalid("invalid_sha256", "A SHA-256 is 64 hexadecimal digits.",
			FieldError{Field: field, Message: "must be 64 hexadecimal digits"})
	}
	if _, err := hex.DecodeString(sha); err != nil {
		return "", Invalid("invalid_sha256", "A SHA-256 is 64 hexadecimal digits.",
			FieldError{Field: field, Message: "must be 64 hexadecimal digits"})
	}
	return sha, nil
}

// ErrBundleTooLarge is the answer for a bundle larger than maxBytes.
func ErrBundleTooLarge(maxBytes int64) *Error {
	return Errorf(KindTooLarge, "bundle_too_large", "A bundle may be at most %d bytes (MAX_BUNDLE_BYTES); nothing was stored.", maxBytes)
}

// ErrBundleSizeMismatch is the answer for a bundle whose bytes are not the
// size it was declared with; got says what arrived.
func ErrBundleSizeMismatch(declared int64, got string) *Error {
	return Errorf(KindMalformed, "bundle_size_mismatch", "The bundle was declared as %d bytes but %s; nothing was stored.", declared, got)
}

// ErrQuotaExceeded is the answer for a bundle of size that would take the
// app's stored bytes from used past quota.
func ErrQuotaExceeded(used, size, quota int64) *Error {
	return Errorf(KindTooLarge, "storage_quota_exceeded",
		"This developer account has used %d of its %d bytes of bundle storage; a bundle of %d bytes does not fit. Nothing was stored.",
		used, quota, size)
}

// ErrNoBlobs is what methods that need bundle bytes return when the store
// has no blob store: a wiring mistake, so an internal error.
var ErrNoBlobs = &Error{Kind: KindInternal, Code: "blob_store_not_configured",
	Message: "Bundles cannot be stored: no blob store is configured.",
	Err:     errors.New("store: no blob store set (call Store.SetBlobs)")}
