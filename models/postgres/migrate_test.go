package postgres_test

import (
	"context"
	"database/sql"
	"io/fs"
	"slices"
	"testing"

	"github.com/pressly/goose/v3"

	"appstore/models/postgres"
	"appstore/models/postgres/pgtest"
)

// appTables are tables the migrations create (later migrations may add more);
// goose's own version table is not one of them.
var appTables = []string{
	"dev_mail_outbox", "developer_account_invitations", "developer_account_members", "developer_accounts",
	"event_logs", "login_tokens", "organization_members", "organizations", "personal_access_tokens",
	"reserved_slugs", "users",
	"oauth_clients",
	"connection_definitions",
	"apps",
	"app_bundles", "app_deployments", "app_installations",
	"webhook_endpoints", "webhook_deliveries", "webhook_attempts",
	"app_settings", "connection_values", "app_permissions", "oidc_signing_keys", "oidc_auth_requests", "oidc_tokens",
}

func openEmpty(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", pgtest.NewEmptyURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func migrationCount(t *testing.T) int {
	t.Helper()
	names, err := fs.Glob(postgres.Migrations(), "*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("no embedded migrations: %v", err)
	}
	return len(names)
}

// publicTables lists the tables in the public schema other than goose's.
// publicColumns lists every table.column of the public schema but goose's.
func publicColumns(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT table_name || '.' || column_name FROM information_schema.columns
		WHERE table_schema = 'public' AND table_name <> 'goose_db_version' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return names
}

func publicTables(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT table_name FROM information_schema.tables
		WHERE table_schema = 'public' AND table_name <> 'goose_db_version' ORDER BY table_name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return names
}

// appliedVersions returns the versions MigrationStatus reports as applied.
func appliedVersions(t *testing.T, db *sql.DB) []int64 {
	t.Helper()
	status, err := postgres.MigrationStatus(context.Background(), db)
	if err != nil {
		t.Fatalf("MigrationStatus: %v", err)
	}
	if len(status) != migrationCount(t) {
		t.Fatalf("MigrationStatus lists %d migrations, want %d", len(status), migrationCount(t))
	}
	var applied []int64
	for _, s := range status {
		switch s.State {
		case goose.StateApplied:
			applied = append(applied, s.Source.Version)
		case goose.StatePending:
		default:
			t.Fatalf("migration %d in unexpected state %q", s.Source.Version, s.State)
		}
	}
	return applied
}

func TestMigrateUpDownAll(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openEmpty(t)
	n := migrationCount(t)

	res, err := postgres.MigrateUp(ctx, db)
	if err != nil {
		t.Fatalf("MigrateUp: %v", err)
	}
	if len(res) != n {
		t.Fatalf("MigrateUp applied %d migrations, want %d", len(res), n)
	}
	if got := appliedVersions(t, db); len(got) != n {
		t.Fatalf("applied after up = %v, want all %d", got, n)
	}
	tablesUp := publicTables(t, db)
	assertContainsAll(t, tablesUp, appTables)

	res, err = postgres.MigrateDown(ctx, db, true)
	if err != nil {
		t.Fatalf("MigrateDown(all): %v", err)
	}
	if len(res) != n {
		t.Fatalf("MigrateDown(all) rolled back %d migrations, want %d", len(res), n)
	}
	if got := appliedVersions(t, db); len(got) != 0 {
		t.Fatalf("applied after down all = %v, want none", got)
	}
	if got := publicTables(t, db); len(got) != 0 {
		t.Fatalf("tables left after down all: %v", got)
	}
	var fn int
	if err := db.QueryRow(`SELECT count(*) FROM pg_proc WHERE proname = 'event_logs_forbid_update'`).Scan(&fn); err != nil {
		t.Fatal(err)
	}
	if fn != 0 {
		t.Fatal("trigger function event_logs_forbid_update survived down all")
	}

	res, err = postgres.MigrateUp(ctx, db)
	if err != nil {
		t.Fatalf("MigrateUp again: %v", err)
	}
	if len(res) != n {
		t.Fatalf("second MigrateUp applied %d, want %d", len(res), n)
	}
	if got := publicTables(t, db); !slices.Equal(got, tablesUp) {
		t.Fatalf("tables after second up = %v, want %v", got, tablesUp)
	}
	res, err = postgres.MigrateUp(ctx, db)
	if err != nil {
		t.Fatalf("MigrateUp with nothing pending: %v", err)
	}
	if len(res) != 0 {
		t.Fatalf("MigrateUp with nothing pending applied %d", len(res))
	}
}

func TestMigrateDownOne(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openEmpty(t)
	n := migrationCount(t)
	if _, err := postgres.MigrateUp(ctx, db); err != nil {
		t.Fatalf("MigrateUp: %v", err)
	}
	before := appliedVersions(t, db)
	tablesUp := publicTables(t, db)
	columnsUp := publicColumns(t, db)

	res, err := postgres.MigrateDown(ctx, db, false)
	if err != nil {
		t.Fatalf("MigrateDown: %v", err)
	}
	if len(res) != 1 {
		t.Fatalf("MigrateDown rolled back %d migrations, want 1", len(res))
	}
	if res[0].Source.Version != before[len(before)-1] {
		t.Fatalf("MigrateDown rolled back version %d, want the latest %d", res[0].Source.Version, before[len(before)-1])
	}
	after := appliedVersions(t, db)
	if len(after) != n-1 || !slices.Equal(after, before[:len(before)-1]) {
		t.Fatalf("applied after one down = %v, want %v", after, before[:len(before)-1])
	}
	// One down removes only what the latest migration added (tables or
	// columns); the first migration's tables stay.
	tables := publicTables(t, db)
	columns := publicColumns(t, db)
	if len(columns) >= len(columnsUp) {
		t.Fatalf("columns after one down = %d, want fewer than %d", len(columns), len(columnsUp))
	}
	assertContainsAll(t, columnsUp, columns)
	assertContainsAll(t, tablesUp, tables)
	if !slices.Contains(tables, "users") {
		t.Fatalf("users dropped by a single down: %v", tables)
	}
}

func assertContainsAll(t *testing.T, got, want []string) {
	t.Helper()
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Fatalf("tables %v lack %q", got, w)
		}
	}
}
