package pgtest

import (
	"sync/atomic"
	"testing"

	"gorm.io/gorm"

	"appstore/models/postgres"
)

// CountQueries counts every statement the stores send through db from now
// on (queries, rows, raw SQL, creates, updates and deletes), so a test can
// assert that a cache hit reaches no database. It fails the test when the
// counter cannot be registered.
func CountQueries(t testing.TB, db *postgres.DB) *atomic.Int64 {
	t.Helper()
	var n atomic.Int64
	count := func(*gorm.DB) { n.Add(1) }
	cb := db.Gorm.Callback()
	name := "pgtest:count_queries"
	for _, err := range []error{
		cb.Query().Before("gorm:query").Register(name, count),
		cb.Row().Before("gorm:row").Register(name, count),
		cb.Raw().Before("gorm:raw").Register(name, count),
		cb.Create().Before("gorm:create").Register(name, count),
		cb.Update().Before("gorm:update").Register(name, count),
		cb.Delete().Before("gorm:delete").Register(name, count),
	} {
		if err != nil {
			t.Fatalf("pgtest: count queries: %v", err)
		}
	}
	return &n
}
