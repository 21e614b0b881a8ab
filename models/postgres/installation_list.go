package postgres

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"appstore/models"
)

// installationViewSelect reads installations with their app, version,
// installer and the viewer's permission (viewer is the first argument).
const installationViewSelect = `SELECT i.*, a.slug AS app_slug, a.title AS app_title, a.avatar_url AS app_avatar_url,
	a.app_url, d.version, COALESCE(u.name, '') AS installed_by_name,
	COALESCE(p.can_access, false) AS can_access, COALESCE(p.is_admin, false) AS is_app_admin,
	COALESCE(c.client_id, '') AS client_id
	FROM app_installations i
	JOIN apps a ON a.id = i.app_id
	JOIN app_deployments d ON d.id = i.deployment_id
	LEFT JOIN users u ON u.id = i.installed_by
	LEFT JOIN app_permissions p ON p.installation_id = i.id AND p.user_id = ?
	LEFT JOIN oauth_clients c ON c.installation_id = i.id`

// ListOrganizationInstallations returns organization orgID's active
// production installations, newest first, with whether viewer may use
// each. The caller checks the viewer is a member.
func (s *Installations) ListOrganizationInstallations(ctx context.Context, orgID, viewer uuid.UUID) ([]models.InstallationView, error) {
	out := []models.InstallationView{}
	err := s.db.WithContext(ctx).Raw(installationViewSelect+`
		WHERE i.organization_id = ? AND i.type = 'production' AND i.status <> 'inactive'
		ORDER BY i.installed_at DESC, i.id DESC`, viewer, orgID).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: list installations: %w", err)
	}
	return out, nil
}

// GetInstallationView returns installation id of organization orgID as
// viewer sees it, or a not-found error ("installation_not_found") when it
// is not in that organization. The caller checks the viewer is a member.
func (s *Installations) GetInstallationView(ctx context.Context, orgID, id, viewer uuid.UUID) (*models.InstallationView, error) {
	var out []models.InstallationView
	err := s.db.WithContext(ctx).Raw(installationViewSelect+` WHERE i.id = ? AND i.organization_id = ?`, viewer, id, orgID).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: get installation: %w", err)
	}
	if len(out) == 0 {
		return nil, models.ErrInstallationNotFound
	}
	return &out[0], nil
}
