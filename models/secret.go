package models

import (
	"crypto/rand"
	"crypto/sha256"
	"database/sql/driver"
	"encoding/base32"
	"strings"
)

// Token prefixes make leaked secrets recognisable to scanners and people.
const (
	PATPrefix        = "asp_" // personal access token
	LoginTokenPrefix = "asl_" // single-use login token
)

// TokenEncoding is the unpadded base32 alphabet of tokens and client ids.
var TokenEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewToken returns prefix + 256 random bits, base32 (lowercase, URL-safe).
func NewToken(prefix string) string {
	b := make([]byte, 32)
	rand.Read(b) // crypto/rand never fails on supported platforms (Go 1.24+)
	return prefix + strings.ToLower(TokenEncoding.EncodeToString(b))
}

// HashToken is how high-entropy tokens are stored and looked up. A
// slow hash adds nothing for 256-bit random values; lookup by hash is an
// index probe, so no timing comparison on the secret takes place in Go.
func HashToken(token string) TokenHash {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// TokenHash is a stored token digest (bytea). It is a driver.Valuer so that
// GORM binds it as one value instead of expanding the byte slice as a list.
type TokenHash []byte

// Value returns the digest bytes.
func (h TokenHash) Value() (driver.Value, error) { return []byte(h), nil }
