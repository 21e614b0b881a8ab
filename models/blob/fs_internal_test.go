package blob

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A failing disk write stops the copy, and its reading goroutine, at once.
func TestCopyToFileWriteError(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "closed"))
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	n, err := copyToFile(f, bytes.NewReader(make([]byte, 5<<20)))
	if err == nil || !strings.Contains(err.Error(), "blob: write") || n != 0 {
		t.Fatalf("copy to a closed file: %d, %v", n, err)
	}
}
