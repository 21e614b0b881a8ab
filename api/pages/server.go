// Package pages serves Appstore's web pages: the HTML handlers, their data
// and the templates embedded in package web. Package api mounts them and
// lends them what the JSON API already decides (sessions, access checks),
// through the API interface declared here.
package pages

import (
	"context"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"appstore/api/httpx"
	"appstore/models"
	"appstore/workflows/contract"
)

// Config is what the pages need to know about the deployment.
type Config struct {
	DevMode bool // the development pages (mail outbox) are mounted
	// SecretGrace is how long a rotated-out OAuth client secret keeps working.
	SecretGrace time.Duration
	// TemporalUIURL and TemporalNamespace let pages link workflow runs to
	// the Temporal UI; empty means no links.
	TemporalUIURL     string
	TemporalNamespace string
}

// Stores are the stores the pages read, one per aggregate.
type Stores struct {
	Organizations      OrganizationStore
	DeveloperAccounts  DeveloperAccountStore
	Invitations        InvitationStore
	DevMail            DevMailStore
	Apps               AppStore
	OAuthClients       OAuthStore
	Connections        ConnectionStore
	Events             EventStore
	Deployments        DeploymentStore
	Reviews            ReviewStore
	Webhooks           WebhookStore
	Catalog            MarketplaceStore
	Installations      InstallationStore
	InstallationConfig InstallationConfigStore
	Records            RecordStore
}

// OrganizationStore is what the organization pages read.
type OrganizationStore interface {
	GetOrganization(ctx context.Context, id uuid.UUID) (*models.Organization, error)
	ListOrganizationMembers(ctx context.Context, orgID uuid.UUID) ([]models.OrganizationMemberView, error)
}

// DeveloperAccountStore is what the developer-account pages read.
type DeveloperAccountStore interface {
	GetDeveloperAccount(ctx context.Context, id uuid.UUID) (*models.DeveloperAccount, error)
	ListDeveloperAccountMembers(ctx context.Context, accountID uuid.UUID) ([]models.DeveloperAccountMemberView, error)
}

// InvitationStore is what the member panels and the accept page read.
type InvitationStore interface {
	ListPendingOrganizationInvitations(ctx context.Context, orgID uuid.UUID) ([]models.Invitation, error)
	ListPendingInvitations(ctx context.Context, accountID uuid.UUID) ([]models.Invitation, error)
	FindInvitationByToken(ctx context.Context, token string) (*models.Invitation, error)
	GetInvitationTarget(ctx context.Context, inv *models.Invitation) (*models.InvitationTarget, error)
}

// DevMailStore is what the development mail outbox reads.
type DevMailStore interface {
	ListDevMails(ctx context.Context, limit int) ([]models.DevMail, error)
	GetDevMail(ctx context.Context, id uuid.UUID) (*models.DevMail, error)
}

// AppStore is what the app pages read.
type AppStore interface {
	ListApps(ctx context.Context, accountID uuid.UUID, cursor string, limit int) (*models.AppPage, error)
	PublishChecks(ctx context.Context, appID uuid.UUID) ([]models.PublishCheck, error)
}

// OAuthStore is what the OAuth page reads.
type OAuthStore interface {
	GetOAuthClient(ctx context.Context, appID uuid.UUID) (*models.OAuthClient, error)
}

// ConnectionStore is what the connections page reads.
type ConnectionStore interface {
	ListConnectionDefinitions(ctx context.Context, appID uuid.UUID) ([]models.ConnectionDefinition, error)
}

// EventStore is what the log pages read.
type EventStore interface {
	ListEvents(ctx context.Context, viewer models.EventViewer, f models.EventFilter) (*models.EventPage, error)
}

// DeploymentStore is what the deployment pages read.
type DeploymentStore interface {
	ListDeployments(ctx context.Context, appID uuid.UUID, f models.DeploymentFilter) (*models.DeploymentPage, error)
}

// ReviewStore is what the review queue page reads.
type ReviewStore interface {
	ListReviewQueue(ctx context.Context, cursor string, limit int) (*models.ReviewQueuePage, error)
}

// WebhookStore is what the webhook pages read.
type WebhookStore interface {
	ListWebhookEndpoints(ctx context.Context, accountID uuid.UUID) ([]models.WebhookEndpoint, error)
	ListWebhookDeliveries(ctx context.Context, f models.WebhookDeliveryFilter) (*models.WebhookDeliveryPage, error)
}

// MarketplaceStore is what the marketplace pages read.
type MarketplaceStore interface {
	ListMarketplaceApps(ctx context.Context, viewer *uuid.UUID, f models.CatalogFilter) (*models.CatalogPage, error)
	GetMarketplaceApp(ctx context.Context, slug string, viewer *uuid.UUID) (*models.CatalogListing, error)
}

// InstallationStore is what the installation pages read.
type InstallationStore interface {
	ListOrganizationInstallations(ctx context.Context, orgID, viewer uuid.UUID) ([]models.InstallationView, error)
	ListUninstalledInstallations(ctx context.Context, orgID, viewer uuid.UUID) ([]models.InstallationView, error)
	PlanInstall(ctx context.Context, orgID uuid.UUID, slug string) (*models.InstallPlan, error)
}

// InstallationConfigStore is what an installation's settings, connections and permissions pages read.
type InstallationConfigStore interface {
	GetSettings(ctx context.Context, a *models.InstallationAccess, scope models.SettingsScope, userID uuid.UUID) (*models.Settings, error)
	ListConnectionValues(ctx context.Context, installationID uuid.UUID) ([]models.ConnectionValueStatus, error)
	ListInstallationPermissions(ctx context.Context, installationID uuid.UUID) ([]models.MemberPermission, error)
}

// Portal is the per-user portal state cache the layout renders from.
type Portal interface {
	Get(ctx context.Context, userID uuid.UUID) (*models.PortalState, error)
}

// Promotions answers a Promotion run's status Query.
type Promotions interface {
	Status(ctx context.Context, devID uuid.UUID) (*contract.ReviewState, error)
}

// API is what the pages borrow from the JSON API, so that sessions, access
// rules and shared views are written once; package api implements it.
// Errors are *models.Error values for httpx.ProblemFor.
type API interface {
	// ReadSignInForm parses the sign-in form, refusing one that is too
	// large or holds text the database refuses.
	ReadSignInForm(c *gin.Context) error
	// SignIn checks the password (rate limited) and starts the browser
	// session; SignOut ends it; ForgetSession clears the session cookie.
	SignIn(c *gin.Context, email, password string) error
	SignOut(c *gin.Context)
	ForgetSession(c *gin.Context)
	// SignedInAt is when the browser's session began.
	SignedInAt(c *gin.Context) (time.Time, bool)

	// OrganizationAccess checks the caller's role in organization :org,
	// DeveloperAccountAccess in developer account :id, AppAccess in the
	// developer account of app :app: 404 for outsiders, 403 below need.
	OrganizationAccess(c *gin.Context, need models.OrganizationRole) (uuid.UUID, models.OrganizationRole, error)
	DeveloperAccountAccess(c *gin.Context, need models.DeveloperRole) (uuid.UUID, models.DeveloperRole, error)
	AppAccess(c *gin.Context, need models.DeveloperRole) (*models.App, models.DeveloperRole, error)
	// InstallationAccess resolves installation :id of organization :org
	// for an owner or admin (orgAdmin) or else also a member with access.
	InstallationAccess(c *gin.Context, orgAdmin bool) (*models.InstallationAccess, error)
	// Deployment loads deployment :id and its app, for members of its
	// developer account and reviewers (404 for anyone else).
	Deployment(c *gin.Context) (*models.Deployment, *models.App, error)
	// OpenAppURL is where Open App sends the caller for installation :id.
	OpenAppURL(c *gin.Context) (string, error)

	// InvitationNotFound names a missing invitation; InvitationAcceptable
	// says why me cannot accept inv, if they cannot.
	InvitationNotFound(err error) error
	InvitationAcceptable(inv *models.Invitation, me *httpx.Principal, now time.Time) error
	// CatalogFilter reads the marketplace query as the JSON API does;
	// RecordFilter a records list's (?q=&cursor=&limit=).
	CatalogFilter(c *gin.Context) (models.CatalogFilter, error)
	RecordFilter(c *gin.Context) (models.RecordFilter, error)
	// RunClosed reports whether err says a workflow run is missing or over.
	RunClosed(err error) bool
	// OAuthClientView and WebhookEndpointView are the JSON API's views,
	// which never show a secret.
	OAuthClientView(client *models.OAuthClient) any
	WebhookEndpointView(ep *models.WebhookEndpoint) any
}

// Deps are the collaborators of a Server.
type Deps struct {
	Stores     Stores
	Portal     Portal
	API        API
	Promotions Promotions
	Logger     *slog.Logger
}

// Server holds the page handlers' dependencies.
type Server struct {
	cfg Config

	// One store per aggregate, as Stores lists them.
	organizations      OrganizationStore
	developerAccounts  DeveloperAccountStore
	invitations        InvitationStore
	devMail            DevMailStore
	apps               AppStore
	oauthClients       OAuthStore
	connections        ConnectionStore
	events             EventStore
	deployments        DeploymentStore
	reviews            ReviewStore
	webhooks           WebhookStore
	catalog            MarketplaceStore
	installations      InstallationStore
	installationConfig InstallationConfigStore
	records            RecordStore

	portal     Portal
	api        API
	promotions Promotions
	log        *slog.Logger
	pages      map[string]*template.Template
}

// New parses the page templates and builds a Server; it fails on a
// template that does not parse.
func New(cfg Config, deps Deps) (*Server, error) {
	pages, err := parsePages()
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	return &Server{cfg: cfg, portal: deps.Portal, api: deps.API,
		promotions: deps.Promotions, log: deps.Logger, pages: pages,
		organizations:      deps.Stores.Organizations,
		developerAccounts:  deps.Stores.DeveloperAccounts,
		invitations:        deps.Stores.Invitations,
		devMail:            deps.Stores.DevMail,
		apps:               deps.Stores.Apps,
		oauthClients:       deps.Stores.OAuthClients,
		connections:        deps.Stores.Connections,
		events:             deps.Stores.Events,
		deployments:        deps.Stores.Deployments,
		reviews:            deps.Stores.Reviews,
		webhooks:           deps.Stores.Webhooks,
		catalog:            deps.Stores.Catalog,
		installations:      deps.Stores.Installations,
		installationConfig: deps.Stores.InstallationConfig,
		records:            deps.Stores.Records,
	}, nil
}

// NotFound renders the not-found page.
func (s *Server) NotFound(c *gin.Context) {
	s.renderPage(c, http.StatusNotFound, "notfound", pageData{Title: "Not found"})
}
