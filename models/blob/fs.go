package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// FS is a Store in a directory of the local file system: key a/b/c is the
// file <dir>/a/b/c. A Put writes a temporary file beside its target,
// fsyncs it, renames it into place and fsyncs the directory, so a crash
// leaves the old blob or the new one, never a torn one.
type FS struct {
	dir string
}

// NewFS returns a Store rooted at dir, creating dir if needed.
func NewFS(dir string) (*FS, error) {
	if dir == "" {
		return nil, errors.New("blob: FS needs a directory")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	if err := os.MkdirAll(abs, 0o750); err != nil {
		return nil, fmt.Errorf("blob: create %s: %w", abs, err)
	}
	return &FS{dir: abs}, nil
}

// Dir is the directory the blobs live in.
func (f *FS) Dir() string { return f.dir }

func (f *FS) path(key string) (string, error) {
	if !ValidKey(key) {
		return "", fmt.Errorf("%w: %q", ErrInvalidKey, key)
	}
	return filepath.Join(f.dir, filepath.FromSlash(key)), nil
}

// copyBuffers are reused across uploads: large buffers mean few, large
// write(2) calls.
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 1<<20); return &b }}

// copyToFile copies r into f, reading the next buffer while the previous
// one is written: receiving and hashing an upload (the caller's reader)
// overlap with the disk writes. An error from r is returned as is, so a
// caller can tell its own reader's refusal from a disk error. The reading
// goroutine has stopped when copyToFile returns.
func copyToFile(f *os.File, r io.Reader) (int64, error) {
	type chunk struct {
		b   []byte
		err error
	}
	a, b := copyBuffers.Get().(*[]byte), copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(a)
	defer copyBuffers.Put(b)
	free := make(chan []byte, 2)
	free <- *a
	free <- *b
	full := make(chan chunk)
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			var buf []byte
			select {
			case buf = <-free:
			case <-stop:
				return
			}
			n, err := fill(r, buf)
			select {
			case full <- chunk{buf[:n], err}:
			case <-stop:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	var written int64
	for {
		c := <-full
		if len(c.b) > 0 {
			if _, err := f.Write(c.b); err != nil {
				close(stop)
				<-stopped
				return written, fmt.Errorf("blob: write: %w", err)
			}
			written += int64(len(c.b))
		}
		if c.err != nil {
			<-stopped
			if c.err == io.EOF {
				return written, nil
			}
			return written, c.err
		}
		free <- c.b[:cap(c.b)]
	}
}

// fill reads from r until buf is full or r fails (io.EOF at the end).
func fill(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// Put implements Store.
func (f *FS) Put(ctx context.Context, key string, r io.Reader) (n int64, err error) {
	path, err := f.path(key)
	if err != nil {
		return 0, err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return 0, fmt.Errorf("blob: put %s: %w", key, err)
	}
	tmp, err := os.CreateTemp(dir, ".put-*")
	if err != nil {
		return 0, fmt.Errorf("blob: put %s: %w", key, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if n, err = copyToFile(tmp, ctxReader{ctx, r}); err != nil {
		return n, err
	}
	if err = tmp.Sync(); err != nil {
		return n, fmt.Errorf("blob: put %s: sync: %w", key, err)
	}
	if err = tmp.Close(); err != nil {
		return n, fmt.Errorf("blob: put %s: close: %w", key, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return n, fmt.Errorf("blob: put %s: rename: %w", key, err)
	}
	// The rename is durable once the directory entry is.
	if d, derr := os.Open(dir); derr == nil {
		derr = d.Sync()
		d.Close()
		if derr != nil {
			return n, fmt.Errorf("blob: put %s: sync dir: %w", key, derr)
		}
	}
	return n, nil
}

// Open implements Store.
func (f *FS) Open(_ context.Context, key string) (io.ReadCloser, error) {
	path, err := f.path(key)
	if err != nil {
		return nil, err
	}
	file, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	if err != nil {
		return nil, fmt.Errorf("blob: open %s: %w", key, err)
	}
	if st, err := file.Stat(); err != nil || !st.Mode().IsRegular() {
		file.Close()
		return nil, fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	return file, nil
}

// Stat implements Store.
func (f *FS) Stat(_ context.Context, key string) (Info, error) {
	path, err := f.path(key)
	if err != nil {
		return Info{}, err
	}
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && !st.Mode().IsRegular()) {
		return Info{}, fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	if err != nil {
		return Info{}, fmt.Errorf("blob: stat %s: %w", key, err)
	}
	return Info{Key: key, Size: st.Size(), ModTime: st.ModTime()}, nil
}

// Delete implements Store.
func (f *FS) Delete(_ context.Context, key string) error {
	path, err := f.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("blob: delete %s: %w", key, err)
	}
	return nil
}

var _ Store = (*FS)(nil)
