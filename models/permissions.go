package models

import (
	"time"

	"github.com/google/uuid"
)

// Permission event types.
const (
	EventPermissionUpdated EventType = "permission.updated"
)

// MemberPermission is one organization member's access to an installed
// app. A member without an app_permissions row has no access and no
// GrantedAt.
type MemberPermission struct {
	UserID    uuid.UUID        `json:"user_id"`
	Email     string           `json:"email"`
	Name      string           `json:"name"`
	OrgRole   OrganizationRole `json:"org_role"`
	CanAccess bool             `json:"can_access"`
	IsAdmin   bool             `json:"is_admin"`
	GrantedBy *uuid.UUID       `json:"granted_by"`
	GrantedAt *time.Time       `json:"granted_at"`
}

// PermissionUpdate changes the fields that are not nil.
type PermissionUpdate struct {
	CanAccess *bool `json:"can_access"`
	IsAdmin   *bool `json:"is_admin"`
}

// installationConfigEvents are the event types of installation settings,
// connection values and permissions, added to EventTypes once.
var installationConfigEvents = []EventType{
	EventSettingsUpdated, EventConnectionValueUpdated, EventConnectionValueDeleted, EventPermissionUpdated,
}

func init() { EventTypes = append(EventTypes, installationConfigEvents...) }
