package postgres

import (
	"appstore/models"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// DB is the one handle every store shares: GORM for the stores, the raw
// *sql.DB for migrations and health checks.
type DB struct {
	Gorm *gorm.DB
	SQL  *sql.DB
}

// Open connects to PostgreSQL at url and verifies the connection. The error
// says plainly when the server is unreachable, so commands can explain it.
func Open(ctx context.Context, url string) (*DB, error) {
	sqlDB, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	sqlDB.SetMaxOpenConns(20)
	sqlDB.SetMaxIdleConns(10)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pingCtx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	g, err := gorm.Open(postgres.New(postgres.Config{Conn: sqlDB}), &gorm.Config{
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true,
		TranslateError:         true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	})
	if err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("open gorm: %w", err)
	}
	return &DB{Gorm: g, SQL: sqlDB}, nil
}

// Close releases every connection.
func (db *DB) Close() error { return db.SQL.Close() }

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.SQL.PingContext(ctx) }

// isUniqueViolation reports whether err is PostgreSQL's unique_violation,
// optionally on the named constraint.
func isUniqueViolation(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "23505" {
		return false
	}
	return constraint == "" || pgErr.ConstraintName == constraint
}

// first loads into dst the first row that q finds with conds. No row is
// notFound, returned as it is (a domain error); any other failure is
// wrapped as "store: op: …".
func first(q *gorm.DB, dst any, op string, notFound error, conds ...any) error {
	err := q.First(dst, conds...).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return notFound
	case err != nil:
		return fmt.Errorf("store: %s: %w", op, err)
	}
	return nil
}

// storeError returns nil and domain errors unchanged (the caller decides
// what the user sees) and wraps anything else with the operation's name.
func storeError(op string, err error) error {
	if _, ok := models.AsError(err); ok || err == nil {
		return err
	}
	return fmt.Errorf("store: %s: %w", op, err)
}

// notFoundAs is notFound when err says no row was found, and err otherwise.
func notFoundAs(err, notFound error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return notFound
	}
	return err
}
