package postgres

import (
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"appstore/models"
	"appstore/models/blob"
)

// Store is the PostgreSQL-backed store of every domain type. Its methods take
// ctx first, own their transactions, and return *models.Error values
// (wrapping models.ErrNotFound, ErrConflict, ErrInvalid) that the API maps to
// statuses.
type Store struct {
	db  *gorm.DB
	now func() time.Time
	enc *models.Encrypter // seals the secrets we must use again; nil until SetEncrypter

	// blobs holds bundle bytes; nil until SetBlobs.
	blobs blob.Store

	// urls are the rules for listing and webhook URLs; strict (production)
	// until SetURLRules says otherwise.
	urls models.URLRules
}

// NewStore returns a Store over db.
func NewStore(db *DB) *Store {
	return &Store{db: db.Gorm, now: func() time.Time { return time.Now().UTC() }, urls: models.ProductionURLRules()}
}

// Gorm exposes the handle for tests and tools that need raw queries.
func (s *Store) Gorm() *gorm.DB { return s.db }

// newID returns a time-ordered UUIDv7.
func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

// SetEncrypter gives the store the key for secrets it must use again (see
// models.Encrypter). Call it once while wiring, before the store serves
// requests. Without one, only the methods that seal or open such secrets
// fail.
func (s *Store) SetEncrypter(e *models.Encrypter) { s.enc = e }

// SetURLRules replaces the rules s checks listing and webhook URLs with.
func (s *Store) SetURLRules(r models.URLRules) { s.urls = r }
