package models

import (
	"slices"
	"time"

	"github.com/google/uuid"
)

// BundleType is which side of an app a bundle runs on.
type BundleType string

// Bundle types.
const (
	BundleClient BundleType = "client" // runs in the iframe host
	BundleServer BundleType = "server" // *.server.ts functions, run by the platform
)

// Bundle is content-addressed app code: the same bytes of an app are stored
// once (unique app, type, sha256).
type Bundle struct {
	ID                 uuid.UUID  `gorm:"type:uuid;primaryKey" json:"id"`
	AppID              uuid.UUID  `gorm:"type:uuid" json:"app_id"`
	DeveloperAccountID uuid.UUID  `gorm:"type:uuid" json:"developer_account_id"`
	Type               BundleType `json:"type"`
	SHA256             string     `gorm:"column:sha256" json:"sha256"`
	SizeBytes          int64      `json:"size_bytes"`
	StorageKey         string     `json:"-"`
	CreatedBy          *uuid.UUID `gorm:"type:uuid" json:"created_by"`
	CreatedAt          time.Time  `json:"created_at"`
}

// TableName is app_bundles.
func (Bundle) TableName() string { return "app_bundles" }

// DeploymentType is development (one organization, no review) or production.
type DeploymentType string

// Deployment types.
const (
	DeploymentDevelopment DeploymentType = "development"
	DeploymentProduction  DeploymentType = "production"
)

// DeploymentStatus is a deployment's place in the review state machine of
// DESIGN §4. Development deployments are active until a newer one
// supersedes them.
type DeploymentStatus string

// Deployment statuses.
const (
	DeploymentActive        DeploymentStatus = "active"
	DeploymentSuperseded    DeploymentStatus = "superseded"
	DeploymentPendingReview DeploymentStatus = "pending-review"
	DeploymentInReview      DeploymentStatus = "in-review"
	DeploymentApproved      DeploymentStatus = "approved"
	DeploymentRejected      DeploymentStatus = "rejected"
	DeploymentWithdrawn     DeploymentStatus = "withdrawn"
	DeploymentPublished     DeploymentStatus = "published"
	DeploymentDeprecated    DeploymentStatus = "deprecated"
)

// Deployment is an immutable snapshot of an app: bundles, settings schema,
// environment. Only the status and review fields change after insert; a
// database trigger refuses any other UPDATE.
type Deployment struct {
	ID                   uuid.UUID                 `gorm:"type:uuid;primaryKey" json:"id"`
	AppID                uuid.UUID                 `gorm:"type:uuid" json:"app_id"`
	Type                 DeploymentType            `json:"type"`
	Version              *string                   `json:"version"` // production only
	ClientBundleID       *uuid.UUID                `gorm:"type:uuid" json:"client_bundle_id"`
	ServerBundleID       *uuid.UUID                `gorm:"type:uuid" json:"server_bundle_id"`
	SettingsSchema       JSONMap                   `gorm:"type:jsonb" json:"settings_schema"`
	Manifest             Manifest                  `gorm:"serializer:json;type:jsonb" json:"manifest"`
	Environment          JSONMap                   `gorm:"type:jsonb" json:"environment"` // string values
	TargetOrganizationID *uuid.UUID                `gorm:"type:uuid" json:"target_organization_id"`
	SourceDeploymentID   *uuid.UUID                `gorm:"type:uuid" json:"source_deployment_id"`
	ReleaseNotes         string                    `json:"release_notes"`
	Metadata             JSONMap                   `gorm:"type:jsonb" json:"metadata"` // cli_version, commit_sha, message
	CreatedBy            *uuid.UUID                `gorm:"type:uuid" json:"created_by"`
	CreatedAt            time.Time                 `json:"created_at"`
	Status               DeploymentStatus          `json:"status"`
	ReviewSeq            int                       `json:"-"`
	SubmittedAt          *time.Time                `json:"submitted_at"`
	ReviewerID           *uuid.UUID                `gorm:"type:uuid" json:"reviewer_id"`
	ReviewedAt           *time.Time                `json:"reviewed_at"`
	RejectionReasons     JSONList[RejectionReason] `gorm:"type:jsonb" json:"rejection_reasons"`
	PublishedAt          *time.Time                `json:"published_at"`
	UpdatedAt            time.Time                 `json:"updated_at"`
}

// TableName is app_deployments.
func (Deployment) TableName() string { return "app_deployments" }

// RejectionReason is one structured reason a reviewer gives; Code comes
// from RejectionReasonCodes.
type RejectionReason struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
	DocURL  string `json:"doc_url,omitempty"`
}

// RejectionReasonCode is one entry of the catalogue reviewers choose from.
type RejectionReasonCode struct {
	Code  string `json:"code"`
	Title string `json:"title"`
}

// RejectionReasonCodes is the fixed catalogue of rejection reasons, served
// by GET /api/v1/rejection-reasons.
var RejectionReasonCodes = []RejectionReasonCode{
	{"listing-incomplete", "The listing is missing or unclear"},
	{"oauth-misconfigured", "OAuth client or redirect URIs are misconfigured"},
	{"broken-ui", "The app does not load or its UI is broken"},
	{"security", "Security problem"},
	{"privacy", "Personal data handled without a clear need or policy"},
	{"settings-invalid", "Settings are confusing or do not work"},
	{"performance", "The app is too slow or too large"},
	{"policy-violation", "Breaks the marketplace policies"},
	{"other", "Other"},
}

// IsRejectionReasonCode reports whether code is in the catalogue.
func IsRejectionReasonCode(code string) bool {
	return slices.ContainsFunc(RejectionReasonCodes, func(c RejectionReasonCode) bool { return c.Code == code })
}

// InstallationType mirrors DeploymentType: a development installation
// follows the newest development deployment for its organization.
type InstallationType = DeploymentType

// InstallationStatus is whether an installation is usable.
type InstallationStatus string

// Installation statuses.
const (
	InstallationActive    InstallationStatus = "active"
	InstallationInactive  InstallationStatus = "inactive" // uninstalled
	InstallationSuspended InstallationStatus = "suspended"
)

// Installation is an app installed in an organization, one per
// (app, organization, type); uninstalling keeps the row for a reinstall.
type Installation struct {
	ID             uuid.UUID          `gorm:"type:uuid;primaryKey" json:"id"`
	AppID          uuid.UUID          `gorm:"type:uuid" json:"app_id"`
	OrganizationID uuid.UUID          `gorm:"type:uuid" json:"organization_id"`
	Type           InstallationType   `json:"type"`
	DeploymentID   uuid.UUID          `gorm:"type:uuid" json:"deployment_id"`
	Status         InstallationStatus `json:"status"`
	Generation     int                `json:"generation"`
	InstalledBy    *uuid.UUID         `gorm:"type:uuid" json:"installed_by"`
	InstalledAt    time.Time          `json:"installed_at"`
	UninstalledAt  *time.Time         `json:"uninstalled_at"`
	CreatedAt      time.Time          `json:"created_at"`
	UpdatedAt      time.Time          `json:"updated_at"`
}

// TableName is app_installations.
func (Installation) TableName() string { return "app_installations" }

// Deployment event types: recorded in the event log and delivered to the
// developer account's webhook endpoints.
const (
	EventDeploymentCreated    EventType = "deployment.created"
	EventDeploymentPromoted   EventType = "deployment.promoted"
	EventDeploymentSubmitted  EventType = "deployment.submitted"
	EventDeploymentWithdrawn  EventType = "deployment.withdrawn"
	EventDeploymentClaimed    EventType = "deployment.claimed"
	EventDeploymentApproved   EventType = "deployment.approved"
	EventDeploymentRejected   EventType = "deployment.rejected"
	EventDeploymentPublished  EventType = "deployment.published"
	EventDeploymentDeprecated EventType = "deployment.deprecated"
	EventDeploymentReminder   EventType = "deployment.review_reminder"
	EventBundleUploaded       EventType = "bundle.uploaded"
	EventInstallationUpdated  EventType = "installation.updated"
	EventWebhookEndpointAdded EventType = "webhook_endpoint.created"
	EventWebhookEndpointGone  EventType = "webhook_endpoint.deleted"
	EventWebhookEndpointOff   EventType = "webhook_endpoint.disabled"
)

// DeploymentWebhookEvents are the events a developer account's webhook
// endpoints can subscribe to (an endpoint with no list gets them all).
var DeploymentWebhookEvents = []EventType{
	EventDeploymentPromoted, EventDeploymentSubmitted, EventDeploymentWithdrawn,
	EventDeploymentClaimed, EventDeploymentApproved, EventDeploymentRejected,
	EventDeploymentPublished, EventDeploymentDeprecated,
}

// Errors of deployments and of the installations they create.
var (
	ErrDeploymentNotFound   = &Error{Kind: KindNotFound, Code: "deployment_not_found", Message: "No such deployment."}
	ErrInstallationNotFound = &Error{Kind: KindNotFound, Code: "installation_not_found", Message: "No such installation."}
	ErrOrgAdminRequired     = &Error{Kind: KindForbidden, Code: "organization_admin_required",
		Message: "Only admins and owners of the target organization can deploy to it."}
)

// DevelopmentDeploymentInput is a development deployment to create. Bundles
// are named by SHA-256 and must have been uploaded to the app; "" means the
// deployment has no such bundle. A nil SettingsSchema is
// DefaultSettingsSchema().
type DevelopmentDeploymentInput struct {
	TargetOrganizationID uuid.UUID
	ClientBundleSHA256   string
	ServerBundleSHA256   string
	SettingsSchema       JSONMap
	Manifest             *Manifest // nil: an app with no surfaces, functions or blocks
	Environment          JSONMap   // string values
	Metadata             DeploymentMetadata
}

// DeploymentFilter selects an app's deployments; zero fields do not filter.
type DeploymentFilter struct {
	Type   DeploymentType
	Cursor string
	Limit  int
}

// DeploymentPage is one page of an app's deployments, newest first.
type DeploymentPage struct {
	Items      []Deployment `json:"items"`
	NextCursor string       `json:"next_cursor,omitempty"`
}

// Deployment page sizes.
const (
	DefaultDeploymentLimit = 50
	MaxDeploymentLimit     = 200
)
