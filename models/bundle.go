package models

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
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

// bundleKey is where a bundle's bytes live in the blob store.
func bundleKey(appID uuid.UUID, typ BundleType, sha string) string {
	return appID.String() + "/" + string(typ) + "/" + sha
}

// validBundleType returns an invalid error ("invalid_bundle_type") unless
// typ is client or server.
func validBundleType(typ BundleType, field string) error {
	if typ != BundleClient && typ != BundleServer {
		return Invalid("invalid_bundle_type", "A bundle's type is client or server.",
			FieldError{Field: field, Message: "must be client or server"})
	}
	return nil
}

// normalizeSHA256 lowercases sha and returns an invalid error
// ("invalid_sha256") unless it is 64 hex digits.
func normalizeSHA256(sha, field string) (string, error) {
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

func errBundleTooLarge(maxBytes int64) *Error {
	return Errorf(KindTooLarge, "bundle_too_large", "A bundle may be at most %d bytes (MAX_BUNDLE_BYTES); nothing was stored.", maxBytes)
}

func errBundleSizeMismatch(declared int64, got string) *Error {
	return Errorf(KindMalformed, "bundle_size_mismatch", "The bundle was declared as %d bytes but %s; nothing was stored.", declared, got)
}

func errQuotaExceeded(used, size, quota int64) *Error {
	return Errorf(KindTooLarge, "storage_quota_exceeded",
		"This developer account has used %d of its %d bytes of bundle storage; a bundle of %d bytes does not fit. Nothing was stored.",
		used, quota, size)
}

// verifyingReader passes a bundle's bytes through while hashing and
// counting them. It refuses the stream — with an error instead of io.EOF,
// so the blob store discards what it wrote — as soon as it is longer than
// declared or than the limit, and at the end when the size or the hash is
// not the declared one.
type verifyingReader struct {
	r        io.Reader
	h        hash.Hash
	n        int64
	declared int64
	max      int64 // 0: no limit besides declared
	sha      string
}

func newVerifyingReader(r io.Reader, sha string, declared, maxBytes int64) *verifyingReader {
	h := sha256.New()
	// The tee hashes every byte the blob store reads, as it reads it.
	return &verifyingReader{r: io.TeeReader(r, h), h: h, declared: declared, max: maxBytes, sha: sha}
}

func (v *verifyingReader) Read(p []byte) (int, error) {
	n, err := v.r.Read(p)
	v.n += int64(n)
	switch {
	case v.max > 0 && v.n > v.max:
		return n, errBundleTooLarge(v.max)
	case v.n > v.declared:
		return n, errBundleSizeMismatch(v.declared, "more bytes were sent")
	case errors.Is(err, io.ErrUnexpectedEOF):
		// net/http's body ends early this way when the client sent less
		// than its Content-Length.
		return n, errBundleSizeMismatch(v.declared, fmt.Sprintf("the body ended after %d", v.n))
	case err == io.EOF:
		if v.n != v.declared {
			return n, errBundleSizeMismatch(v.declared, fmt.Sprintf("%d were sent", v.n))
		}
		if got := hex.EncodeToString(v.h.Sum(nil)); got != v.sha {
			return n, Errorf(KindMalformed, "bundle_hash_mismatch",
				"The bytes sent have SHA-256 %s, not the declared %s; nothing was stored.", got, v.sha)
		}
	case err != nil:
		// The sender went away or the body is broken: not our failure.
		return n, &Error{Kind: KindMalformed, Code: "bundle_read_failed",
			Message: "The upload was interrupted before the whole bundle arrived; nothing was stored.", Err: err}
	}
	return n, err
}
