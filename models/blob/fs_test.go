package blob_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"appstore/models/blob"
)

func newFS(t *testing.T) *blob.FS {
	t.Helper()
	fs, err := blob.NewFS(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

func read(t *testing.T, s blob.Store, key string) string {
	t.Helper()
	rc, err := s.Open(context.Background(), key)
	if err != nil {
		t.Fatalf("open %s: %v", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// leftovers lists every file under dir, temporary ones included.
func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestFSPutOpenStatDelete(t *testing.T) {
	ctx := context.Background()
	fs := newFS(t)
	key := "app-1/client/abc123"
	n, err := fs.Put(ctx, key, strings.NewReader("hello"))
	if err != nil || n != 5 {
		t.Fatalf("put: %d, %v", n, err)
	}
	if got := read(t, fs, key); got != "hello" {
		t.Fatalf("read %q", got)
	}
	info, err := fs.Stat(ctx, key)
	if err != nil || info.Size != 5 || info.Key != key {
		t.Fatalf("stat %+v, %v", info, err)
	}
	if ok, err := blob.Exists(ctx, fs, key); !ok || err != nil {
		t.Fatalf("exists %v, %v", ok, err)
	}
	// A second Put replaces the blob.
	if _, err := fs.Put(ctx, key, strings.NewReader("bye")); err != nil {
		t.Fatal(err)
	}
	if got := read(t, fs, key); got != "bye" {
		t.Fatalf("read after replace %q", got)
	}
	if err := fs.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if err := fs.Delete(ctx, key); err != nil {
		t.Fatalf("deleting a missing blob: %v", err)
	}
	if _, err := fs.Open(ctx, key); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("open deleted: %v", err)
	}
	if _, err := fs.Stat(ctx, key); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("stat deleted: %v", err)
	}
	if ok, err := blob.Exists(ctx, fs, key); ok || err != nil {
		t.Fatalf("exists after delete %v, %v", ok, err)
	}
	// A directory is not a blob.
	if _, err := fs.Stat(ctx, "app-1/client"); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("stat of a directory: %v", err)
	}
	if left := leftovers(t, fs.Dir()); len(left) != 0 {
		t.Fatalf("files left: %v", left)
	}
}

func TestFSRefusesBadKeys(t *testing.T) {
	ctx := context.Background()
	fs := newFS(t)
	for _, key := range []string{"", "../escape", "a/../../b", "a/..", "/abs/path", "a//b", "a/./b", ".hidden", "a/.put-x",
		`a\b`, "a b", "a/b/", "x..y", strings.Repeat("a", 513)} {
		if _, err := fs.Put(ctx, key, strings.NewReader("x")); !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("put %q: %v, want ErrInvalidKey", key, err)
		}
		if _, err := fs.Open(ctx, key); !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("open %q: %v", key, err)
		}
		if _, err := fs.Stat(ctx, key); !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("stat %q: %v", key, err)
		}
		if err := fs.Delete(ctx, key); !errors.Is(err, blob.ErrInvalidKey) {
			t.Errorf("delete %q: %v", key, err)
		}
	}
	if left := leftovers(t, filepath.Dir(fs.Dir())); len(left) != 0 {
		t.Fatalf("files written: %v", left)
	}
}

// refusing yields its bytes, then refuses at the end as a verifying reader does.
type refusing struct {
	r   io.Reader
	err error
}

func (f *refusing) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, f.err
	}
	return n, err
}

func TestFSPutAbortLeavesNothing(t *testing.T) {
	ctx := context.Background()
	fs := newFS(t)
	key := "app/server/k"
	if _, err := fs.Put(ctx, key, strings.NewReader("good")); err != nil {
		t.Fatal(err)
	}
	refused := errors.New("hash mismatch")
	big := bytes.Repeat([]byte("x"), 3<<20)
	if _, err := fs.Put(ctx, key, &refusing{bytes.NewReader(big), refused}); !errors.Is(err, refused) {
		t.Fatalf("put: %v, want the reader's error", err)
	}
	if _, err := fs.Put(ctx, "app/server/new", &refusing{bytes.NewReader(big), refused}); !errors.Is(err, refused) {
		t.Fatalf("put new: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := fs.Put(cctx, "app/server/cancelled", bytes.NewReader(big)); !errors.Is(err, context.Canceled) {
		t.Fatalf("put with a cancelled ctx: %v", err)
	}
	if got := read(t, fs, key); got != "good" {
		t.Fatalf("an aborted put changed the blob: %q", got)
	}
	if left := leftovers(t, fs.Dir()); len(left) != 1 || left[0] != key {
		t.Fatalf("files left: %v, want only %s", left, key)
	}
}

// oneByteAtATime hands out at most 7 bytes per Read, like a slow network.
type oneByteAtATime struct{ r io.Reader }

func (o oneByteAtATime) Read(p []byte) (int, error) { return o.r.Read(p[:min(len(p), 7)]) }

func TestFSPutLarge(t *testing.T) {
	ctx := context.Background()
	fs := newFS(t)
	big := make([]byte, 5<<20+12345)
	for i := range big {
		big[i] = byte(i*31 + i>>9)
	}
	for name, r := range map[string]io.Reader{
		"whole":    bytes.NewReader(big),
		"trickled": oneByteAtATime{bytes.NewReader(big[:300_000])},
	} {
		n, err := fs.Put(ctx, "big/"+name, r)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := big
		if name == "trickled" {
			want = big[:300_000]
		}
		if n != int64(len(want)) || read(t, fs, "big/"+name) != string(want) {
			t.Fatalf("%s: stored %d bytes, not what was sent", name, n)
		}
	}
}
