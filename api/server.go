// Package api serves Appstore's JSON API under /api/v1 and its operational
// endpoints, with Gin, and mounts the web pages of package api/pages.
package api

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"appstore/api/pages"
	"appstore/api/runtime"
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
	// SecretGrace is how long a rotated-out OAuth client secret keeps
	// working; zero means contract.DefaultSecretGrace.
	SecretGrace time.Duration
	// RotationReminderEvery is how often admins are reminded to rotate an
	// app's client secret; zero means contract.DefaultRotationReminderEvery.
	RotationReminderEvery time.Duration
	// InstallationRotationEvery is how often each installation client's
	// secret is rotated; zero means contract.DefaultRotationReminderEvery.
	InstallationRotationEvery time.Duration
	// MaxBundleBytes is the largest bundle upload (raw bodies, not JSON);
	// zero means DefaultMaxBundleBytes.
	MaxBundleBytes int64
	// TemporalUIURL and TemporalNamespace let pages link workflow runs to
	// the Temporal UI; empty means no links.
	TemporalUIURL     string
	TemporalNamespace string
	// RuntimeOrigins are the apps' runtime origins (DESIGN §7); with no
	// Domain, apps do not run and the runtime routes answer 503.
	RuntimeOrigins runtime.Origins
}

// Deps are the collaborators of a Server.
type Deps struct {
	// Stores are the stores the handlers and the pages read and write.
	Stores   Stores
	Logger   *slog.Logger
	Registry *prometheus.Registry // /metrics serves it; HTTP metrics register in it
	Checks   []Check              // readiness checks for /readyz
	// Invitations drives Invitation workflows; required for the team routes.
	Invitations Invitations
	// AccountMails sends verification, reset and sign-up mails through
	// workflows; required for the sign-up and password routes.
	AccountMails AccountMails
	// Generations holds every user's session generation; sessions issued
	// under an older one are refused (session_revoked). Nil: a set of the
	// server's own, where every user is generation 0 until a password reset
	// handled by this server, for tests that do not care.
	Generations *SessionGenerations
	// Rotations drives secret rotation runs and reminder Schedules;
	// required for the OAuth routes.
	Rotations Rotations
	// WebhookDeliveries starts WebhookDelivery runs; the test-event and
	// redeliver routes answer 503 without it.
	WebhookDeliveries WebhookDeliveries
	// Promotions drives Promotion runs; required for the promotion and
	// review routes.
	Promotions Promotions
	// OIDC is the OpenID Connect provider, mounted at the root when set;
	// the SSO routes answer 503 without it.
	OIDC OIDCProvider
	// Installations drives Installation runs; install and uninstall
	// answer 503 without it.
	Installations Installations
}

// portalCacheSize bounds the per-user portal state cache.
const portalCacheSize = 10_000

// Server holds the handlers' dependencies.
type Server struct {
	cfg Config

	// One store per aggregate, as Stores lists them.
	users              UserStore
	events             EventStore
	developerAccounts  DeveloperAccountStore
	organizations      OrganizationStore
	invitations        InvitationStore
	apps               AppStore
	oauthClients       OAuthStore
	connections        ConnectionStore
	bundles            BundleStore
	deployments        DeploymentStore
	reviews            ReviewStore
	installations      InstallationStore
	installationConfig InstallationConfigStore
	webhooks           WebhookStore
	catalog            MarketplaceStore
	runtime            RuntimeStore
	records            RecordStore

	log      *slog.Logger
	sessions *Sessions
	logins   *loginLimiter
	pages    *pages.Server
	handler  http.Handler
	// portal caches each user's dehydrated portal state (memberships) so
	// page layouts render without a database query.
	portal         *PortalCache
	invitationRuns Invitations
	accountMails   AccountMails
	generations    *SessionGenerations
	rotations      Rotations
	// webhookDeliveries starts WebhookDelivery runs; may be nil.
	webhookDeliveries WebhookDeliveries
	promotions        Promotions
	oidc              OIDCProvider
	installationRuns  Installations
	// frameTokens sign the tokens that open app frames on runtime origins.
	frameTokens *runtime.Tokens
	refusals    refusalCounter
	// routeTable lists every mounted route, for Routes.
	routeTable []Route
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
	if cfg.MaxBundleBytes <= 0 {
		cfg.MaxBundleBytes = DefaultMaxBundleBytes
	}
	if deps.Logger == nil {
		deps.Logger = slog.Default()
	}
	if deps.Registry == nil {
		deps.Registry = prometheus.NewRegistry()
	}
	s := &Server{
		cfg:                cfg,
		users:              deps.Stores.Users,
		events:             deps.Stores.Events,
		developerAccounts:  deps.Stores.DeveloperAccounts,
		organizations:      deps.Stores.Organizations,
		invitations:        deps.Stores.Invitations,
		apps:               deps.Stores.Apps,
		oauthClients:       deps.Stores.OAuthClients,
		connections:        deps.Stores.Connections,
		bundles:            deps.Stores.Bundles,
		deployments:        deps.Stores.Deployments,
		reviews:            deps.Stores.Reviews,
		installations:      deps.Stores.Installations,
		installationConfig: deps.Stores.InstallationConfig,
		webhooks:           deps.Stores.Webhooks,
		catalog:            deps.Stores.Catalog,
		runtime:            deps.Stores.Runtime,
		frameTokens:        runtime.NewTokens(cfg.JWTKey, origin(cfg.BaseURL)),
		records:            deps.Stores.Records,
		log:                deps.Logger,
		sessions:           NewSessions(cfg.JWTKey, origin(cfg.BaseURL), SessionTTL),
		logins:             newLoginLimiter(cfg.LoginRatePerIP, cfg.LoginRatePerEmail),
		portal:             NewPortalCache(deps.Stores.Users.PortalState, portalCacheSize),
		invitationRuns:     deps.Invitations,
		accountMails:       deps.AccountMails,
		generations:        deps.Generations,
		rotations:          deps.Rotations,

		webhookDeliveries: deps.WebhookDeliveries,
		promotions:        deps.Promotions,
		oidc:              deps.OIDC,
		installationRuns:  deps.Installations,
	}
	if s.generations == nil {
		// Nobody shares one: a password reset in this process still ends
		// the user's sessions here.
		s.generations = NewSessionGenerations(nil)
	}
	s.sessions.UseGenerations(s.generations)
	pg, err := pages.New(pages.Config{
		DevMode: cfg.DevMode, SecretGrace: s.secretGrace(),
		TemporalUIURL: cfg.TemporalUIURL, TemporalNamespace: cfg.TemporalNamespace,
	}, pages.Deps{Stores: deps.Stores.pages(), Portal: s.portal, API: pageAPI{s}, Promotions: deps.Promotions, Logger: deps.Logger})
	if err != nil {
		return nil, fmt.Errorf("api: %w", err)
	}
	s.pages = pg
	deps.Registry.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "appstore_portal_cache_hits_total", Help: "Portal state served from the per-user cache."},
			func() float64 { h, _ := s.portal.Stats(); return float64(h) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "appstore_portal_cache_misses_total", Help: "Portal state loaded from the database."},
			func() float64 { _, m := s.portal.Stats(); return float64(m) }),
	)
	engine, err := s.routes(deps)
	if err != nil {
		return nil, err
	}
	s.handler = engine
	for _, r := range engine.Routes() {
		s.routeTable = append(s.routeTable, Route{Method: r.Method, Path: r.Path})
	}
	return s, nil
}

// Route is one mounted route: its method and path pattern (":name" marks a
// parameter).
type Route struct{ Method, Path string }

// Routes lists every mounted route, for tests that walk the whole router.
func (s *Server) Routes() []Route { return s.routeTable }

// ServeHTTP makes the Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Sessions exposes the JWT issuer, for tools and tests that mint sessions.
func (s *Server) Sessions() *Sessions { return s.sessions }

// Portal is the server's portal state cache; a PostgreSQL listener feeds
// it invalidations from every process.
func (s *Server) Portal() *PortalCache { return s.portal }

// origin is scheme://host[:port] of u, as browsers send it in Origin.
func origin(u *url.URL) string { return u.Scheme + "://" + u.Host }

// Invitations is the workflow driver the team handlers use.
func (s *Server) Invitations() Invitations { return s.invitationRuns }
