package postgres

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"sort"

	"github.com/pressly/goose/v3"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations returns the embedded migration files.
func Migrations() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // the embed pattern guarantees the folder exists
	}
	return sub
}

// MigrationsChecksum is a short hash of every migration file. Test helpers
// name their template database after it, so a changed migration rebuilds it.
func MigrationsChecksum() string {
	h := sha256.New()
	names, _ := fs.Glob(Migrations(), "*.sql")
	sort.Strings(names)
	for _, n := range names {
		b, _ := fs.ReadFile(Migrations(), n)
		io.WriteString(h, n)
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

func newMigrator(db *sql.DB) (*goose.Provider, error) {
	p, err := goose.NewProvider(goose.DialectPostgres, db, Migrations())
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return p, nil
}

// MigrateUp applies every pending migration.
func MigrateUp(ctx context.Context, db *sql.DB) ([]*goose.MigrationResult, error) {
	p, err := newMigrator(db)
	if err != nil {
		return nil, err
	}
	res, err := p.Up(ctx)
	if err != nil {
		return res, fmt.Errorf("migrate up: %w", err)
	}
	return res, nil
}

// MigrateDown rolls back the most recent migration, or every applied
// migration when all is true.
func MigrateDown(ctx context.Context, db *sql.DB, all bool) ([]*goose.MigrationResult, error) {
	p, err := newMigrator(db)
	if err != nil {
		return nil, err
	}
	if all {
		res, err := p.DownTo(ctx, 0)
		if err != nil {
			return res, fmt.Errorf("migrate down: %w", err)
		}
		return res, nil
	}
	r, err := p.Down(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate down: %w", err)
	}
	return []*goose.MigrationResult{r}, nil
}

// MigrationStatus lists every migration and whether it is applied.
func MigrationStatus(ctx context.Context, db *sql.DB) ([]*goose.MigrationStatus, error) {
	p, err := newMigrator(db)
	if err != nil {
		return nil, err
	}
	return p.Status(ctx)
}
