package postgres

import (
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"appstore/models"
	"appstore/models/blob"
)

// Store is the PostgreSQL-backed store of every domain type: the composition
// root of one store per aggregate, which share one core (the database
// handle, the clock, the encrypter, the blob store and the URL rules). Each
// aggregate's methods take ctx first, own their transactions, and return
// *models.Error values (wrapping models.ErrNotFound, ErrConflict, ErrInvalid)
// that the API maps to statuses.
//
// The aggregates are embedded, so *Store also has every aggregate's methods,
// for the activities, the seed code and the tests that use many of them.
type Store struct {
	*core

	*Users
	*DeveloperAccounts
	*Organizations
	*Invitations
	*Apps
	*OAuthClients
	*Connections
	*Bundles
	*Deployments
	*Reviews
	*Installations
	*Webhooks
	*Events
	*OIDC
	*Catalog
	*DevMail
	*Runtime
	*Records
}

// core is what every aggregate's store shares, by pointer, so that the
// setters below reach all of them.
type core struct {
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
	return storeOver(&core{db: db.Gorm, now: func() time.Time { return time.Now().UTC() }, urls: models.ProductionURLRules()})
}

// withURLRules is a store over a copy of s's core that checks URLs by r,
// leaving s's own rules as they are.
func (s *Store) withURLRules(r models.URLRules) *Store {
	c := *s.core
	c.urls = r
	return storeOver(&c)
}

// storeOver composes the aggregates' stores over c.
func storeOver(c *core) *Store {
	return &Store{
		core:              c,
		Users:             c.users(),
		DeveloperAccounts: c.developerAccounts(),
		Organizations:     c.organizations(),
		Invitations:       c.invitations(),
		Apps:              c.apps(),
		OAuthClients:      c.oauthClients(),
		Connections:       c.connections(),
		Bundles:           c.bundles(),
		Deployments:       c.deployments(),
		Reviews:           c.reviews(),
		Installations:     c.installations(),
		Webhooks:          c.webhooks(),
		Events:            c.events(),
		OIDC:              c.oidc(),
		Catalog:           c.catalog(),
		DevMail:           c.devMail(),
		Runtime:           &Runtime{c},
		Records:           c.records(),
	}
}

// The aggregates' stores reach each other through these, for the few
// operations that span aggregates.
func (c *core) users() *Users                         { return &Users{c} }
func (c *core) developerAccounts() *DeveloperAccounts { return &DeveloperAccounts{c} }
func (c *core) organizations() *Organizations         { return &Organizations{c} }
func (c *core) invitations() *Invitations             { return &Invitations{c} }
func (c *core) apps() *Apps                           { return &Apps{c} }
func (c *core) oauthClients() *OAuthClients           { return &OAuthClients{c} }
func (c *core) connections() *Connections             { return &Connections{c} }
func (c *core) bundles() *Bundles                     { return &Bundles{c} }
func (c *core) deployments() *Deployments             { return &Deployments{c} }
func (c *core) reviews() *Reviews                     { return &Reviews{c} }
func (c *core) installations() *Installations         { return &Installations{c} }
func (c *core) webhooks() *Webhooks                   { return &Webhooks{c} }
func (c *core) events() *Events                       { return &Events{c} }
func (c *core) oidc() *OIDC                           { return &OIDC{c} }
func (c *core) catalog() *Catalog                     { return &Catalog{c} }
func (c *core) devMail() *DevMail                     { return &DevMail{c} }
func (c *core) records() *Records                     { return &Records{c} }

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

// SetBlobs gives the store the blob store bundle bytes live in. Call it once
// while wiring, before the store serves requests. Without one, uploads fail
// with an internal error.
func (s *Store) SetBlobs(b blob.Store) { s.blobs = b }
