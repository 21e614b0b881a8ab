package main

import (
	"bytes"
	"context"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// cli runs appstore-cli commands in-process with their own credentials
// file and environment.
type cli struct {
	t      *testing.T
	vars   map[string]string
	stdin  string
	client *http.Client
}

func newCLI(t *testing.T) *cli {
	t.Helper()
	return &cli{t: t, vars: map[string]string{"APPSTORE_CONFIG": filepath.Join(t.TempDir(), "credentials.json")}, client: &http.Client{Timeout: time.Minute}}
}

// result is one command's outcome.
type result struct {
	stdout, stderr string
	err            error
}

func (c *cli) run(args ...string) result {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	return c.runContext(ctx, args...)
}

func (c *cli) runContext(ctx context.Context, args ...string) result {
	c.t.Helper()
	var out, errOut bytes.Buffer
	e := &env{
		stdin: strings.NewReader(c.stdin), stdout: &out, stderr: &errOut,
		getenv: func(k string) string { return c.vars[k] }, http: c.client, followEvery: 10 * time.Millisecond,
	}
	err := run(ctx, args, e)
	return result{stdout: out.String(), stderr: errOut.String(), err: err}
}

// ok runs a command that must succeed.
func (c *cli) ok(args ...string) result {
	c.t.Helper()
	r := c.run(args...)
	if r.err != nil {
		c.t.Fatalf("appstore-cli %s: %v\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.err, r.stdout, r.stderr)
	}
	return r
}

// copyExample copies examples/hello-widget into a temporary directory, so
// builds write their dist/ there, and returns it.
func copyExample(t *testing.T) string {
	t.Helper()
	src := filepath.Join("..", "..", "examples", "hello-widget")
	dst := filepath.Join(t.TempDir(), "hello-widget")
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			if d.Name() == "dist" || d.Name() == "node_modules" {
				return fs.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), raw, 0o644)
	})
	if err != nil {
		t.Fatalf("copy example: %v", err)
	}
	return dst
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
