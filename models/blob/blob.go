// Package blob stores opaque byte streams (app bundles) by key. The Store
// interface is small enough for an object store (S3 and the like) to
// implement; FS keeps blobs in a directory on local disk.
package blob

import (
	"context"
	"errors"
	"io"
	"strings"
	"time"
)

// Errors a Store returns; implementations wrap them, test with errors.Is.
var (
	ErrNotFound   = errors.New("blob: not found")
	ErrInvalidKey = errors.New("blob: invalid key")
)

// Info describes a stored blob.
type Info struct {
	Key     string
	Size    int64
	ModTime time.Time
}

// Store keeps blobs by key. Keys are slash-separated relative paths of
// letters, digits, '.', '_' and '-' (see ValidKey).
type Store interface {
	// Put stores what r yields under key and returns the number of bytes
	// stored. The blob appears only if reading r ends with io.EOF: any
	// other error from r (a caller's verifying reader refusing the bytes,
	// a cancelled ctx) aborts the write and leaves nothing behind, and a
	// blob already stored under key is left as it was. A completed Put
	// replaces the blob atomically: readers see the old or the new bytes.
	Put(ctx context.Context, key string, r io.Reader) (int64, error)
	// Open returns the blob's bytes; ErrNotFound when there is none.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	// Stat describes the blob; ErrNotFound when there is none.
	Stat(ctx context.Context, key string) (Info, error)
	// Delete removes the blob; deleting a missing blob is not an error.
	Delete(ctx context.Context, key string) error
}

// Exists reports whether s holds a blob under key.
func Exists(ctx context.Context, s Store, key string) (bool, error) {
	_, err := s.Stat(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// ValidKey reports whether key is acceptable to every Store: non-empty,
// at most 512 bytes, relative, made of non-empty segments of [A-Za-z0-9._-]
// that do not start with a dot and hold no "..". (Dot-names are left to
// implementations, for their temporary files.)
func ValidKey(key string) bool {
	if key == "" || len(key) > 512 {
		return false
	}
	for seg := range strings.SplitSeq(key, "/") {
		if seg == "" || seg[0] == '.' || strings.Contains(seg, "..") {
			return false
		}
		for _, r := range seg {
			ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-'
			if !ok {
				return false
			}
		}
	}
	return true
}

// ctxReader stops reading once ctx ends, so a Put of a stalled stream can
// be abandoned.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
