package models

import (
	"context"
	"fmt"

	"github.com/google/uuid"
)

// InstallationAccess is what a user may do with an installation of their
// organization: their organization role and their app permission.
type InstallationAccess struct {
	Installation *Installation
	App          *App
	OrgRole      OrganizationRole
	CanAccess    bool
	IsAppAdmin   bool
}

// InstallationAccess returns user userID's access to installation
// installationID of organization orgID. It returns a not-found error
// ("installation_not_found") when the installation is not in that
// organization or the user is not one of its members, so nobody outside
// learns that it exists.
func (s *Store) InstallationAccess(ctx context.Context, orgID, installationID, userID uuid.UUID) (*InstallationAccess, error) {
	var row struct {
		Role       OrganizationRole
		CanAccess  *bool
		IsAppAdmin *bool
	}
	db := s.db.WithContext(ctx)
	res := db.Raw(`SELECT m.role, p.can_access, p.is_admin AS is_app_admin
		FROM app_installations i
		JOIN organization_members m ON m.organization_id = i.organization_id AND m.user_id = ?
		LEFT JOIN app_permissions p ON p.installation_id = i.id AND p.user_id = m.user_id
		WHERE i.id = ? AND i.organization_id = ?`, userID, installationID, orgID).Scan(&row)
	if res.Error != nil {
		return nil, fmt.Errorf("store: installation access: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, errInstallationNotFound
	}
	var inst Installation
	if err := db.First(&inst, "id = ?", installationID).Error; err != nil {
		return nil, fmt.Errorf("store: installation access: %w", err)
	}
	var app App
	if err := db.First(&app, "id = ?", inst.AppID).Error; err != nil {
		return nil, fmt.Errorf("store: installation access: %w", err)
	}
	return &InstallationAccess{
		Installation: &inst, App: &app, OrgRole: row.Role,
		CanAccess:  row.CanAccess != nil && *row.CanAccess,
		IsAppAdmin: row.IsAppAdmin != nil && *row.IsAppAdmin,
	}, nil
}
