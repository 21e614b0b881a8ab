// Package api serves Appstore's JSON API under /api/v1, its web pages and its
// operational endpoints, with Gin.
package api

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"appstore/models"
)

// Config is what the API needs to know about its deployment.
type Config struct {
	BaseURL           *url.URL // the platform origin; CSRF checks compare against it
	JWTKey            []byte
	MaxBodyBytes      int64
	LoginRatePerIP    RateLimit
	LoginRatePerEmail RateLimit
	TrustedProxies    []string // proxies whose X-Forwarded-For is believed
	DevMode           bool     // development conveniences (dev pages) are mounted
}

// Store is every store method the handlers use. It is declared here, by its
// consumer; *models.Store implements it.
type Store interface {
	PATAuthenticator
	Authenticate(ctx context.Context, email, password string) (*models.User, error)
	IssueLoginToken(ctx context.Context, userID uuid.UUID) (string, time.Time, error)
	ExchangeLoginToken(ctx context.Context, token string) (*models.User, error)
	GetUser(ctx context.Context, id uuid.UUID) (*models.User, error)
	Memberships(ctx context.Context, userID uuid.UUID) ([]models.OrganizationMembership, []models.DeveloperAccountMembership, error)
	CreatePAT(ctx context.Context, userID uuid.UUID, name string, expiresAt *time.Time) (string, *models.PersonalAccessToken, error)
	ListPATs(ctx context.Context, userID uuid.UUID, cursor string, limit int) (*models.PATPage, error)
	RevokePAT(ctx context.Context, userID, id uuid.UUID) error
	RecordEvent(ctx context.Context, e models.Event) error
	ListEvents(ctx context.Context, viewer models.EventViewer, f models.EventFilter) (*models.EventPage, error)
}

// Deps are the collaborators of a Server.
type Deps struct {
	Store    Store
	Logger   *slog.Logger
	Registry *prometheus.Registry // /metrics serves it; HTTP metrics register in it
	Checks   []Check              // readiness checks for /readyz
}

// Server holds the handlers' dependencies.
type Server struct {
	cfg      Config
	store    Store
	log      *slog.Logger
	sessions *Sessions
	logins   *loginLimiter
	pages    map[string]*template.Template
	handler  http.Handler
}

// New validates cfg and builds a Server with every route mounted.
func New(cfg Config, deps Deps) (*Server, error) {
	if cfg.BaseURL == nil || cfg.BaseURL.Scheme == "" || cfg.BaseURL.Host == "" {
		return nil, errors.New("api: BaseURL must be an absolute URL")
	}
	if len(cfg.JWTKey) < 32 {
		return nil, errors.New("api: JWT key must be at least 32 bytes")
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if deps.Logger == nil {
		deps.Logger = slog.Default()
	}
	if deps.Registry == nil {
		deps.Registry = prometheus.NewRegistry()
	}
	pages, err := parsePages()
	if err != nil {
		return nil, fmt.Errorf("api: templates: %w", err)
	}
	s := &Server{
		cfg:      cfg,
		store:    deps.Store,
		log:      deps.Logger,
		sessions: NewSessions(cfg.JWTKey, origin(cfg.BaseURL), SessionTTL),
		logins:   newLoginLimiter(cfg.LoginRatePerIP, cfg.LoginRatePerEmail),
		pages:    pages,
	}
	engine, err := s.routes(deps)
	if err != nil {
		return nil, err
	}
	s.handler = engine
	return s, nil
}

// ServeHTTP makes the Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Sessions exposes the JWT issuer, for tools and tests that mint sessions.
func (s *Server) Sessions() *Sessions { return s.sessions }

// origin is scheme://host[:port] of u, as browsers send it in Origin.
func origin(u *url.URL) string { return u.Scheme + "://" + u.Host }
