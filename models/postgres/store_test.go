package postgres_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"appstore/models"
	"appstore/models/postgres"
	"appstore/models/postgres/pgtest"
)

// newStore returns a Store over a fresh migrated database.
func newStore(t *testing.T) *postgres.Store {
	t.Helper()
	return postgres.NewStore(pgtest.New(t))
}

var userSeq atomic.Int64

// createUser creates a user with a unique email and the password "correct horse".
func createUser(t *testing.T, s *postgres.Store, role models.PlatformRole) *models.User {
	t.Helper()
	n := userSeq.Add(1)
	u, err := s.CreateUser(context.Background(), models.NewUser{
		Email: fmt.Sprintf("user%d@example.test", n), Name: fmt.Sprintf("User %d", n),
		Password: "correct horse", PlatformRole: role,
	})
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	return u
}

// countRows returns the number of rows in table.
func countRows(t *testing.T, s *postgres.Store, table string) int64 {
	t.Helper()
	var n int64
	if err := s.Gorm().Table(table).Count(&n).Error; err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// countEvents returns the number of events of type typ.
func countEvents(t *testing.T, s *postgres.Store, typ models.EventType) int64 {
	t.Helper()
	var n int64
	if err := s.Gorm().Table("event_logs").Where("type = ?", typ).Count(&n).Error; err != nil {
		t.Fatalf("count %s events: %v", typ, err)
	}
	return n
}
