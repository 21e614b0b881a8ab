package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"appstore/models"
)

// InstallationAccess returns userID's access to installation installationID
// of organization orgID. It answers installation_not_found when the
// installation is not in that organization or the user is not a member, so
// outsiders learn nothing.
func (s *Installations) InstallationAccess(ctx context.Context, orgID, installationID, userID uuid.UUID) (*models.InstallationAccess, error) {
	var row struct {
		Role      models.OrganizationRole
		CanAccess *bool
		IsAdmin   *bool
	}
	err := s.db.WithContext(ctx).Raw(`
SELECT m.role, p.can_access, p.is_admin
FROM app_installations i
JOIN organization_members m ON m.organization_id = i.organization_id AND m.user_id = ?
LEFT JOIN app_permissions p ON p.installation_id = i.id AND p.user_id = m.user_id
WHERE i.id = ? AND i.organization_id = ?`, userID, installationID, orgID).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, models.ErrInstallationNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: installation access: %w", err)
	}
	inst, err := s.GetInstallation(ctx, installationID)
	if err != nil {
		return nil, err
	}
	var app models.App
	if err := s.db.WithContext(ctx).Take(&app, "id = ?", inst.AppID).Error; err != nil {
		return nil, fmt.Errorf("store: installation access: app: %w", err)
	}
	return &models.InstallationAccess{
		Installation: inst, App: &app, OrgRole: row.Role,
		CanAccess: row.CanAccess != nil && *row.CanAccess, IsAppAdmin: row.IsAdmin != nil && *row.IsAdmin,
	}, nil
}
