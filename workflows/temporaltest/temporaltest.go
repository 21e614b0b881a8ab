// Package temporaltest runs one Temporal dev server per test binary, with
// Appstore's search attributes registered, for integration tests.
//
// A package that uses it calls Main from its TestMain, which stops the
// server after the last test:
//
//	func TestMain(m *testing.M) { temporaltest.Main(m) }
package temporaltest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"

	"appstore/workflows/devserver"
)

// startTimeout bounds the dev server's start, which takes a few seconds.
const startTimeout = time.Minute

var (
	mainRunning atomic.Bool
	once        sync.Once
	server      *testsuite.DevServer
	startErr    error
	serverLog   = &mutableWriter{w: os.Stderr}
)

// Main runs the tests of m and then stops the dev server if a test started
// one. The test binary exits with m.Run's code (testing does that when
// TestMain returns). Without Main the server would outlive the test binary,
// so DevServer refuses to start one.
func Main(m *testing.M) {
	mainRunning.Store(true)
	m.Run()
	if server != nil {
		server.Client().Close()
		// A stopping server warns about every connection it closes.
		serverLog.muted.Store(true)
		if err := server.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "temporaltest: stop dev server: %v\n", err)
		}
	}
}

// DevServer returns the test binary's dev server, starting it on first use.
// Its Client is shared: tests use it and must not close it. DevServer fails
// the test when the package's TestMain does not call Main, when the pinned
// Temporal CLI is not installed (run `make test`, which installs it), or
// when the server does not start.
func DevServer(t testing.TB) *testsuite.DevServer {
	t.Helper()
	if !mainRunning.Load() {
		t.Fatal("temporaltest: add `func TestMain(m *testing.M) { temporaltest.Main(m) }` to this package, " +
			"so the dev server is stopped when the tests end")
	}
	once.Do(func() { server, startErr = start() })
	if startErr != nil {
		t.Fatalf("temporaltest: %v", startErr)
	}
	return server
}

// start starts the dev server from the project's pinned CLI.
func start() (*testsuite.DevServer, error) {
	root, err := devserver.ModuleRoot()
	if err != nil {
		return nil, err
	}
	path := devserver.CLIPath(root)
	if !devserver.Installed(path) {
		return nil, fmt.Errorf("pinned Temporal CLI %s not found at %s: run `make test`, which installs it",
			devserver.CLIVersion, path)
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	srv, err := testsuite.StartDevServer(ctx, testsuite.DevServerOptions{
		ExistingPath: path,
		LogLevel:     "warn",
		// The SDK's default logger writes every worker start at INFO;
		// warnings are what a failing test needs.
		ClientOptions: &client.Options{Logger: log.NewStructuredLogger(
			slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))},
		ExtraArgs: devserver.SearchAttributeArgs(),
		Stdout:    serverLog,
		Stderr:    serverLog,
	})
	if err != nil {
		return nil, fmt.Errorf("start dev server %s: %w", path, err)
	}
	return srv, nil
}

// Logger returns an SDK logger that writes to t's log, which go test shows
// only for a failing test or with -v: the SDK logs every activity.
func Logger(t testing.TB) log.Logger {
	return log.NewStructuredLogger(slog.New(slog.NewTextHandler(testLog{t}, nil)))
}

type testLog struct{ t testing.TB }

func (w testLog) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// mutableWriter passes writes to w until muted.
type mutableWriter struct {
	w     io.Writer
	muted atomic.Bool
}

func (m *mutableWriter) Write(p []byte) (int, error) {
	if m.muted.Load() {
		return len(p), nil
	}
	return m.w.Write(p)
}
