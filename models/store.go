package models

import (
	"context"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"appstore/models/blob"
)

// Store is the PostgreSQL-backed store of every domain type. Its methods take
// ctx first, own their transactions, and return *Error values (wrapping
// ErrNotFound, ErrConflict, ErrInvalid) that the API maps to statuses.
type Store struct {
	db  *gorm.DB
	now func() time.Time
	enc *Encrypter // seals the secrets we must use again; nil until SetEncrypter

	// blobs holds bundle bytes; nil until SetBlobs.
	blobs blob.Store

	// urls are the rules for listing and webhook URLs; strict (production)
	// until SetURLRules says otherwise.
	urls URLRules
}

// NewStore returns a Store over db.
func NewStore(db *DB) *Store {
	return &Store{db: db.Gorm, now: func() time.Time { return time.Now().UTC() }, urls: ProductionURLRules()}
}

// Gorm exposes the handle for tests and tools that need raw queries.
func (s *Store) Gorm() *gorm.DB { return s.db }

// newID returns a time-ordered UUIDv7.
func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

// Audit describes who is acting and through which request. Handlers put it
// in the context; every event written in a store transaction copies it.
type Audit struct {
	ActorID       *uuid.UUID
	RequestID     string
	RequestMethod string
	RequestPath   string
}

type auditKey struct{}

// WithAudit returns ctx carrying a.
func WithAudit(ctx context.Context, a Audit) context.Context {
	return context.WithValue(ctx, auditKey{}, a)
}

// AuditFrom returns the Audit in ctx, or the zero Audit (a system action).
func AuditFrom(ctx context.Context) Audit {
	a, _ := ctx.Value(auditKey{}).(Audit)
	return a
}

// WithActor returns ctx whose Audit names userID as the actor.
func WithActor(ctx context.Context, userID uuid.UUID) context.Context {
	a := AuditFrom(ctx)
	a.ActorID = &userID
	return WithAudit(ctx, a)
}
