package models

import (
	"time"

	"github.com/google/uuid"
)

// EventType names what happened. The list is defined here once and served by
// the API; later features add their own.
type EventType string

// Event types.
const (
	EventUserCreated               EventType = "user.created"
	EventLogin                     EventType = "auth.login"
	EventLogout                    EventType = "auth.logout"
	EventTokenCreated              EventType = "token.created"
	EventTokenRevoked              EventType = "token.revoked"
	EventOrganizationCreated       EventType = "organization.created"
	EventOrganizationMemberAdded   EventType = "organization.member_added"
	EventDeveloperAccountCreated   EventType = "developer_account.created"
	EventDeveloperAccountMemberAdd EventType = "developer_account.member_added"
	EventRetentionPurged           EventType = "retention.purged"

	EventDeveloperAccountUpdated           EventType = "developer_account.updated"
	EventDeveloperAccountMemberRoleChanged EventType = "developer_account.member_role_changed"
	EventDeveloperAccountMemberRemoved     EventType = "developer_account.member_removed"
	EventDeveloperAccountMemberLeft        EventType = "developer_account.member_left"
	EventInvitationCreated                 EventType = "invitation.created"
	EventInvitationResent                  EventType = "invitation.resent"
	EventInvitationCancelled               EventType = "invitation.cancelled"
	EventInvitationAccepted                EventType = "invitation.accepted"
	EventInvitationExpired                 EventType = "invitation.expired"

	EventUserSignedUp                   EventType = "user.signed_up"
	EventUserSignupAttempted            EventType = "user.signup_attempted"
	EventUserEmailVerificationRequested EventType = "user.email_verification_requested"
	EventUserEmailVerified              EventType = "user.email_verified"
	EventUserPasswordResetRequested     EventType = "user.password_reset_requested"
	EventUserPasswordReset              EventType = "user.password_reset"

	EventOrganizationRenamed           EventType = "organization.renamed"
	EventOrganizationMemberRoleChanged EventType = "organization.member_role_changed"
	EventOrganizationMemberRemoved     EventType = "organization.member_removed"
	EventOrganizationMemberLeft        EventType = "organization.member_left"

	EventAppCreated           EventType = "app.created"
	EventAppUpdated           EventType = "app.updated"
	EventAppPublished         EventType = "app.published"
	EventAppUnpublished       EventType = "app.unpublished"
	EventAppSuspended         EventType = "app.suspended"
	EventAppRestored          EventType = "app.restored"
	EventAppWebhookUpdated    EventType = "app.webhook_updated"
	EventAppStaffFlagsChanged EventType = "app.staff_flags_changed"

	EventOAuthEnabled          EventType = "oauth.enabled"
	EventOAuthDisabled         EventType = "oauth.disabled"
	EventOAuthUpdated          EventType = "oauth.updated"
	EventOAuthSecretRotated    EventType = "oauth.secret_rotated"
	EventOAuthSecretRevoked    EventType = "oauth.secret_revoked"
	EventOAuthRotationReminder EventType = "oauth.rotation_reminder"

	EventConnectionCreated EventType = "connection.created"
	EventConnectionUpdated EventType = "connection.updated"
	EventConnectionDeleted EventType = "connection.deleted"

	// A contact, ticket or call recording changed; Data names the
	// record_type and record_id (and, on update, the fields).
	EventRecordCreated EventType = "record.created"
	EventRecordUpdated EventType = "record.updated"
	EventRecordDeleted EventType = "record.deleted"
)

// EventTypes lists every event type, for filters in the API and the UI.
var EventTypes = []EventType{
	EventAppRenderRefused, EventAppMessageRefused, EventReviewSandboxOpened,
	EventUserCreated, EventLogin, EventLogout, EventTokenCreated, EventTokenRevoked,
	EventOrganizationCreated, EventOrganizationMemberAdded,
	EventDeveloperAccountCreated, EventDeveloperAccountMemberAdd, EventRetentionPurged,
	EventDeveloperAccountUpdated, EventDeveloperAccountMemberRoleChanged,
	EventDeveloperAccountMemberRemoved, EventDeveloperAccountMemberLeft,
	EventInvitationCreated, EventInvitationResent, EventInvitationCancelled,
	EventInvitationAccepted, EventInvitationExpired,
	EventUserSignedUp, EventUserSignupAttempted, EventUserEmailVerificationRequested,
	EventUserEmailVerified, EventUserPasswordResetRequested, EventUserPasswordReset,
	EventOrganizationRenamed, EventOrganizationMemberRoleChanged,
	EventOrganizationMemberRemoved, EventOrganizationMemberLeft,
	EventAppCreated, EventAppUpdated, EventAppPublished, EventAppUnpublished,
	EventAppSuspended, EventAppRestored, EventAppWebhookUpdated, EventAppStaffFlagsChanged,
	EventOAuthEnabled, EventOAuthDisabled, EventOAuthUpdated, EventOAuthSecretRotated,
	EventOAuthSecretRevoked, EventOAuthRotationReminder,
	EventConnectionCreated, EventConnectionUpdated, EventConnectionDeleted,
	EventDeploymentCreated, EventDeploymentPromoted, EventDeploymentSubmitted,
	EventDeploymentWithdrawn, EventDeploymentClaimed, EventDeploymentApproved,
	EventDeploymentRejected, EventDeploymentPublished, EventDeploymentDeprecated,
	EventDeploymentReminder, EventBundleUploaded, EventInstallationUpdated,
	EventWebhookEndpointAdded, EventWebhookEndpointGone, EventWebhookEndpointOff,
	EventWebhookEndpointUpdated, EventWebhookEndpointEnabled, EventWebhookSecretRotated,
	EventWebhookTestSent, EventWebhookRedelivered,
	EventRecordCreated, EventRecordUpdated, EventRecordDeleted,
}

// Event is one row of the append-only event log.
type Event struct {
	ID                 uuid.UUID  `gorm:"type:uuid;primaryKey" json:"id"`
	CreatedAt          time.Time  `json:"created_at"`
	Type               EventType  `json:"type"`
	ActorID            *uuid.UUID `gorm:"type:uuid" json:"actor_id"`
	DeveloperAccountID *uuid.UUID `gorm:"type:uuid" json:"developer_account_id"`
	AppID              *uuid.UUID `gorm:"type:uuid" json:"app_id"`
	OrganizationID     *uuid.UUID `gorm:"type:uuid" json:"organization_id"`
	DeploymentID       *uuid.UUID `gorm:"type:uuid" json:"deployment_id"`
	Data               JSONMap    `gorm:"type:jsonb" json:"data"`
	RequestID          string     `json:"request_id"`
	RequestMethod      string     `json:"request_method"`
	RequestPath        string     `json:"request_path"`
}

// TableName is event_logs, as in the design.
func (Event) TableName() string { return "event_logs" }

// EventFilter selects events. Zero fields do not filter.
type EventFilter struct {
	Types              []EventType
	Query              string // full-text, websearch syntax
	AppID              *uuid.UUID
	OrganizationID     *uuid.UUID
	DeveloperAccountID *uuid.UUID
	From, To           *time.Time // From inclusive, To exclusive
	Cursor             string
	Limit              int
}

// EventPage is one page of events, newest first, and the cursor of the next.
type EventPage struct {
	Events     []Event `json:"events"`
	NextCursor string  `json:"next_cursor,omitempty"`
}

// Event page sizes.
const (
	DefaultEventLimit = 50
	MaxEventLimit     = 200
)

// EventViewer is who is reading the log: they see events of their own
// organizations and developer accounts, and their own personal events.
// Staff admins see everything.
type EventViewer struct {
	UserID uuid.UUID
	Role   PlatformRole
}
