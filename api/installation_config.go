package api

import (
	"context"
	"errors"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"appstore/models"
)

// InstallationConfigStore is what the settings, connection value and
// permission handlers of an installation use.
type InstallationConfigStore interface {
	GetSettings(ctx context.Context, access *models.InstallationAccess, scope models.SettingsScope, userID uuid.UUID) (*models.Settings, error)
	SaveSettings(ctx context.Context, installationID uuid.UUID, scope models.SettingsScope, userID *uuid.UUID, values map[string]any, actor uuid.UUID) (*models.Settings, error)
	ListConnectionValues(ctx context.Context, installationID uuid.UUID) ([]models.ConnectionValueStatus, error)
	SetConnectionValue(ctx context.Context, installationID uuid.UUID, key string, values map[string]string, actor uuid.UUID) (*models.ConnectionValueStatus, error)
	DeleteConnectionValue(ctx context.Context, installationID uuid.UUID, key string, actor uuid.UUID) error
	ListInstallationPermissions(ctx context.Context, installationID uuid.UUID) ([]models.MemberPermission, error)
	SetInstallationPermission(ctx context.Context, installationID, userID uuid.UUID, in models.PermissionUpdate, actor uuid.UUID) (*models.MemberPermission, error)
}

// installationNeed is what a route asks of the caller beyond organization
// membership.
type installationNeed int

const (
	needAppAccess installationNeed = iota // a member with access to the app
	needOrgAdmin                          // an owner or admin of the organization
	needReader                            // either of the above (reading organization settings)
)

// installationConfigAccess resolves :org and :id for the caller. Anyone
// who is not a member of the installation's organization gets 404, so
// ids reveal nothing across organizations; members without what need
// asks for get 403.
func (s *Server) installationConfigAccess(c *gin.Context, need installationNeed) (*models.InstallationAccess, error) {
	notFound := models.Errorf(models.KindNotFound, "installation_not_found", "No such installation.")
	org, err1 := uuid.Parse(c.Param("org"))
	id, err2 := uuid.Parse(c.Param("id"))
	if err1 != nil || err2 != nil {
		return nil, notFound
	}
	a, err := s.installations.InstallationAccess(c.Request.Context(), org, id, principal(c).UserID)
	if errors.Is(err, models.ErrNotFound) {
		return nil, notFound
	}
	if err != nil {
		return nil, err
	}
	admin := a.OrgRole == models.OrgRoleOwner || a.OrgRole == models.OrgRoleAdmin
	switch {
	case need == needOrgAdmin && !admin:
		return nil, models.Errorf(models.KindForbidden, "organization_admin_required", "Only owners and admins of this organization can do that.")
	case need == needAppAccess && !a.CanAccess:
		return nil, models.Errorf(models.KindForbidden, "app_access_required", "You do not have access to this app: ask an admin of your organization.")
	case need == needReader && !admin && !a.CanAccess:
		return nil, models.Errorf(models.KindForbidden, "app_access_required", "You do not have access to this app: ask an admin of your organization.")
	}
	return a, nil
}
