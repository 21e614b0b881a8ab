// Package pgtest gives each test a fresh PostgreSQL database cloned from a
// migrated template. The template is built once per migration checksum under
// an advisory lock, so test packages running in parallel share it safely.
package pgtest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"appstore/models/postgres"
)

// DefaultURL is the local server every machine of this project runs.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// advisoryLockKey serialises template creation across test processes.
const advisoryLockKey = 7_402_113

var counter atomic.Int64

// AdminURL is TEST_DATABASE_URL or the local default: a database the tests
// may connect to in order to create and drop others.
func AdminURL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultURL
}

// New returns an open handle on a fresh, migrated database that is dropped
// when the test ends.
func New(t testing.TB) *postgres.DB {
	t.Helper()
	url := NewURL(t)
	db, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatalf("pgtest: open %s: %v", url, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// NewURL creates a fresh migrated database and returns its URL; the database
// is dropped when the test ends (after cleanups registered later have run).
func NewURL(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	admin := openAdmin(t)
	template, err := ensureTemplate(ctx, admin)
	if err != nil {
		t.Fatalf("pgtest: template: %v", err)
	}
	name := fmt.Sprintf("appstore_test_%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1_000_000, counter.Add(1))
	if _, err := admin.ExecContext(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, template)); err != nil {
		t.Fatalf("pgtest: create %s: %v", name, err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name)); err != nil {
			t.Logf("pgtest: drop %s: %v", name, err)
		}
	})
	return withDatabase(AdminURL(), name)
}

// NewEmptyURL creates a fresh database with no migrations applied.
func NewEmptyURL(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	admin := openAdmin(t)
	name := fmt.Sprintf("appstore_empty_%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1_000_000, counter.Add(1))
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: create %s: %v", name, err)
	}
	t.Cleanup(func() {
		admin.ExecContext(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name))
	})
	return withDatabase(AdminURL(), name)
}

// openAdmin connects to the admin database for the length of the test.
func openAdmin(t testing.TB) *sql.DB {
	t.Helper()
	admin, err := sql.Open("pgx", AdminURL())
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() { admin.Close() })
	if err := admin.PingContext(context.Background()); err != nil {
		t.Fatalf("pgtest: PostgreSQL unreachable at %s (set TEST_DATABASE_URL): %v", AdminURL(), err)
	}
	return admin
}

func ensureTemplate(ctx context.Context, admin *sql.DB) (string, error) {
	name := "appstore_template_" + postgres.MigrationsChecksum()
	conn, err := admin.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", advisoryLockKey); err != nil {
		return "", err
	}
	defer conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", advisoryLockKey)

	var exists bool
	if err := conn.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	// Build under a temporary name and rename at the end, so a crash midway
	// never leaves a half-migrated template behind.
	building := name + "_building"
	conn.ExecContext(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", building))
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+building); err != nil {
		return "", err
	}
	db, err := sql.Open("pgx", withDatabase(AdminURL(), building))
	if err != nil {
		return "", err
	}
	_, err = postgres.MigrateUp(ctx, db)
	db.Close()
	if err != nil {
		return "", err
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("ALTER DATABASE %s RENAME TO %s", building, name)); err != nil {
		return "", err
	}
	return name, nil
}

// withDatabase swaps the database name in a postgres:// URL.
func withDatabase(raw, name string) string {
	u, err := url.Parse(raw)
	if err != nil || !strings.HasPrefix(u.Scheme, "postgres") {
		return raw
	}
	u.Path = "/" + name
	return u.String()
}
