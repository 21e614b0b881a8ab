package api

import (
	"context"
	"time"

	"github.com/google/uuid"

	"appstore/api/pages"
	"appstore/models"
)

// Stores are the stores the handlers and the pages use, one per aggregate;
// *postgres.Store's fields of the same names implement them.
type Stores struct {
	Users              UserStore
	Events             EventStore
	DeveloperAccounts  DeveloperAccountStore
	Organizations      OrganizationStore
	Invitations        InvitationStore
	Apps               AppStore
	OAuthClients       OAuthStore
	Connections        ConnectionStore
	Bundles            BundleStore
	Deployments        DeploymentStore
	Reviews            ReviewStore
	Installations      InstallationStore
	InstallationConfig InstallationConfigStore
	Webhooks           WebhookStore
	Catalog            MarketplaceStore
	Runtime            RuntimeStore
	Records            RecordStore
	// DevMail is read by the development pages only.
	DevMail pages.DevMailStore
}

// pages hands the pages the same stores, as the narrower interfaces they
// declare.
func (st Stores) pages() pages.Stores {
	return pages.Stores{
		Organizations:      st.Organizations,
		DeveloperAccounts:  st.DeveloperAccounts,
		Invitations:        st.Invitations,
		DevMail:            st.DevMail,
		Apps:               st.Apps,
		OAuthClients:       st.OAuthClients,
		Connections:        st.Connections,
		Events:             st.Events,
		Deployments:        st.Deployments,
		Reviews:            st.Reviews,
		Webhooks:           st.Webhooks,
		Catalog:            st.Catalog,
		Installations:      st.Installations,
		InstallationConfig: st.InstallationConfig,
		Records:            st.Records,
	}
}

// UserStore is what sign-in, sessions, personal access tokens, sign-up,
// verification, password reset and the portal state use.
type UserStore interface {
	PATAuthenticator
	Authenticate(ctx context.Context, email, password string) (*models.User, error)
	IssueLoginToken(ctx context.Context, userID uuid.UUID) (string, time.Time, error)
	ExchangeLoginToken(ctx context.Context, token string) (*models.User, error)
	GetUser(ctx context.Context, id uuid.UUID) (*models.User, error)
	Memberships(ctx context.Context, userID uuid.UUID) ([]models.OrganizationMembership, []models.DeveloperAccountMembership, error)
	CreatePAT(ctx context.Context, userID uuid.UUID, name string, expiresAt *time.Time) (string, *models.PersonalAccessToken, error)
	ListPATs(ctx context.Context, userID uuid.UUID, cursor string, limit int) (*models.PATPage, error)
	RevokePAT(ctx context.Context, userID, id uuid.UUID) error
	SignUp(ctx context.Context, email, name, password string) (*models.SignUpResult, error)
	RequestEmailVerification(ctx context.Context, userID uuid.UUID) (uuid.UUID, error)
	VerifyEmail(ctx context.Context, token string) (*models.User, error)
	RequestPasswordReset(ctx context.Context, email string) (*uuid.UUID, error)
	ResetPassword(ctx context.Context, token, newPassword string) (*models.User, error)
	PortalState(ctx context.Context, userID uuid.UUID) (*models.PortalState, error)
}

// EventStore is what the event log handlers, and handlers that record an
// event of their own, use.
type EventStore interface {
	RecordEvent(ctx context.Context, e models.Event) error
	ListEvents(ctx context.Context, viewer models.EventViewer, f models.EventFilter) (*models.EventPage, error)
}

// DeveloperAccountStore is what the developer-account and member handlers use.
type DeveloperAccountStore interface {
	CheckDeveloperAccountSlug(ctx context.Context, raw string) (*models.SlugCheck, error)
	CreateDeveloperAccount(ctx context.Context, rawSlug, title string, admin uuid.UUID) (*models.DeveloperAccount, error)
	GetDeveloperAccount(ctx context.Context, id uuid.UUID) (*models.DeveloperAccount, error)
	UpdateDeveloperAccount(ctx context.Context, id uuid.UUID, in models.DeveloperAccountUpdate) (*models.DeveloperAccount, error)
	DeveloperAccountRole(ctx context.Context, accountID, userID uuid.UUID) (models.DeveloperRole, error)
	ListDeveloperAccountMembers(ctx context.Context, accountID uuid.UUID) ([]models.DeveloperAccountMemberView, error)
	ChangeDeveloperAccountRole(ctx context.Context, accountID, userID uuid.UUID, role models.DeveloperRole) error
	RemoveDeveloperAccountMember(ctx context.Context, accountID, userID uuid.UUID) error
}

// OrganizationStore is what the organization and member handlers use.
type OrganizationStore interface {
	CreateOrganization(ctx context.Context, name string, owner uuid.UUID) (*models.Organization, error)
	GetOrganization(ctx context.Context, id uuid.UUID) (*models.Organization, error)
	OrganizationRole(ctx context.Context, orgID, userID uuid.UUID) (models.OrganizationRole, error)
	RenameOrganization(ctx context.Context, id uuid.UUID, name string) (*models.Organization, error)
	ListOrganizationMembers(ctx context.Context, orgID uuid.UUID) ([]models.OrganizationMemberView, error)
	ChangeOrganizationRole(ctx context.Context, orgID, userID uuid.UUID, role models.OrganizationRole) error
	RemoveOrganizationMember(ctx context.Context, orgID, userID uuid.UUID) error
}

// AppStore is what the app handlers use.
type AppStore interface {
	SetAppWebhookURL(ctx context.Context, appID uuid.UUID, rawURL string) (*models.App, string, error)
	SetAppStaffFlags(ctx context.Context, appID uuid.UUID, in models.AppStaffFlags) (*models.App, error)
	CheckAppSlug(ctx context.Context, raw string) (*models.SlugCheck, error)
	CreateApp(ctx context.Context, accountID uuid.UUID, rawSlug, title string) (*models.App, error)
	GetApp(ctx context.Context, id uuid.UUID) (*models.App, error)
	ListApps(ctx context.Context, accountID uuid.UUID, cursor string, limit int) (*models.AppPage, error)
	UpdateAppListing(ctx context.Context, id uuid.UUID, in models.AppListingUpdate) (*models.App, error)
	SetAppPublicationStatus(ctx context.Context, id uuid.UUID, to models.PublicationStatus) (*models.App, error)
	PublishChecks(ctx context.Context, appID uuid.UUID) ([]models.PublishCheck, error)
	PreviewPublishChecks(ctx context.Context, appID uuid.UUID, draft models.AppListingUpdate) ([]models.PublishCheck, error)
}
