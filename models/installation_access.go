package models

import (
	"context"
	"fmt"

	"github.com/google/uuid"
)

// InstallationAccess is what one organization member may do with one
// installation: their organization role, and their row of app_permissions
// (no row means no access).
type InstallationAccess struct {
	Installation *Installation
	App          *App
	OrgRole      OrganizationRole
	CanAccess    bool
	IsAppAdmin   bool
}

// InstallationAccess returns userID's access to installation installationID
// of organization orgID. It returns a not-found error
// ("installation_not_found") when the installation is not in that
// organization or the user is not a member of it, so ids reveal nothing
// across organizations.
func (s *Store) InstallationAccess(ctx context.Context, orgID, installationID, userID uuid.UUID) (*InstallationAccess, error) {
	var rows []struct {
		Role      OrganizationRole
		CanAccess *bool
		IsAdmin   *bool
	}
	err := s.db.WithContext(ctx).Raw(`
		SELECT m.role, p.can_access, p.is_admin
		FROM app_installations i
		JOIN organization_members m ON m.organization_id = i.organization_id AND m.user_id = ?
		LEFT JOIN app_permissions p ON p.installation_id = i.id AND p.user_id = m.user_id
		WHERE i.id = ? AND i.organization_id = ?`, userID, installationID, orgID).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: installation access: %w", err)
	}
	if len(rows) == 0 {
		return nil, errInstallationNotFound
	}
	var inst Installation
	if err := s.db.WithContext(ctx).First(&inst, "id = ?", installationID).Error; err != nil {
		return nil, fmt.Errorf("store: installation access: %w", err)
	}
	var app App
	if err := s.db.WithContext(ctx).First(&app, "id = ?", inst.AppID).Error; err != nil {
		return nil, fmt.Errorf("store: installation access: %w", err)
	}
	r := rows[0]
	return &InstallationAccess{Installation: &inst, App: &app, OrgRole: r.Role,
		CanAccess: r.CanAccess != nil && *r.CanAccess, IsAppAdmin: r.IsAdmin != nil && *r.IsAdmin}, nil
}
