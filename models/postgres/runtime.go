package postgres

import (
	"context"
	"errors"
	"io"

	"github.com/google/uuid"

	"appstore/models"
	"appstore/models/blob"
)

// Runtime reads what the app runtime serves: the installations a member's
// page runs, and client bundles by app and hash.
type Runtime struct{ *core }

// runtimeAppSelect picks an organization's runnable installations for one
// viewer: those the viewer has been granted access to (an install grants
// every member, and so does a deployment to a test organization).
const runtimeAppSelect = `SELECT i.id AS installation_id, i.type AS installation_type, i.app_id, a.slug AS app_slug,
	a.title AS app_title, a.developer_account_id, i.organization_id, i.deployment_id,
	b.sha256 AS client_bundle_sha256, d.manifest
	FROM app_installations i
	JOIN apps a ON a.id = i.app_id
	JOIN app_deployments d ON d.id = i.deployment_id
	JOIN app_bundles b ON b.id = d.client_bundle_id
	LEFT JOIN app_permissions p ON p.installation_id = i.id AND p.user_id = @viewer
	WHERE i.organization_id = @org AND i.status = 'active' AND i.uninstalled_at IS NULL
	AND a.publication_status <> 'suspended'
	AND COALESCE(p.can_access, false)`

// RuntimeApps lists the installations of organization orgID whose client
// bundles viewer's pages run, by app title. The caller checks viewer is a
// member of the organization.
func (s *Runtime) RuntimeApps(ctx context.Context, orgID, viewer uuid.UUID) ([]models.RuntimeApp, error) {
	out := []models.RuntimeApp{}
	err := s.db.WithContext(ctx).Raw(runtimeAppSelect+` ORDER BY a.title, i.id`,
		map[string]any{"viewer": viewer, "org": orgID}).Scan(&out).Error
	if err != nil {
		return nil, storeError("list runtime apps", err)
	}
	return out, nil
}

// RuntimeApp returns one runnable installation of orgID for viewer, or a
// not-found error ("installation_not_found") when viewer may not run it.
func (s *Runtime) RuntimeApp(ctx context.Context, orgID, installationID, viewer uuid.UUID) (*models.RuntimeApp, error) {
	var out []models.RuntimeApp
	err := s.db.WithContext(ctx).Raw(runtimeAppSelect+` AND i.id = @id`,
		map[string]any{"viewer": viewer, "org": orgID, "id": installationID}).Scan(&out).Error
	if err != nil {
		return nil, storeError("get runtime app", err)
	}
	if len(out) == 0 {
		return nil, models.ErrInstallationNotFound
	}
	return &out[0], nil
}

// OpenClientBundle opens the client bundle of the app with slug appSlug
// whose SHA-256 is sha, or returns ErrBundleNotFound: an app's runtime
// origin serves only that app's bundles.
func (s *Runtime) OpenClientBundle(ctx context.Context, appSlug, sha string) (io.ReadCloser, int64, error) {
	var b []models.Bundle
	err := s.db.WithContext(ctx).Raw(`SELECT b.* FROM app_bundles b JOIN apps a ON a.id = b.app_id
		WHERE a.slug = ? AND b.type = ? AND b.sha256 = ?`, appSlug, models.BundleClient, sha).Scan(&b).Error
	if err != nil {
		return nil, 0, storeError("find client bundle", err)
	}
	if len(b) == 0 {
		return nil, 0, models.ErrBundleNotFound
	}
	r, err := s.blobs.Open(ctx, b[0].StorageKey)
	if errors.Is(err, blob.ErrNotFound) {
		return nil, 0, models.ErrBundleNotFound
	}
	if err != nil {
		return nil, 0, err
	}
	return r, b[0].SizeBytes, nil
}

// RecordRuntimeRefusal logs what the host refused from installation's
// frame as app.render_refused or app.message_refused, for the app's
// developers (their logs page) and the organization.
func (s *Runtime) RecordRuntimeRefusal(ctx context.Context, app models.RuntimeApp, r models.RuntimeRefusal) error {
	typ := models.EventAppMessageRefused
	if r.Kind == "render" {
		typ = models.EventAppRenderRefused
	}
	data := models.JSONMap{"installation_id": app.InstallationID.String(), "reason": r.Reason}
	for k, v := range map[string]string{"component": r.Component, "prop": r.Prop, "message": r.Message} {
		if v != "" {
			data[k] = v
		}
	}
	return appendEvent(ctx, s.db.WithContext(ctx), models.Event{Type: typ, DeveloperAccountID: &app.DeveloperAccountID,
		AppID: &app.AppID, OrganizationID: &app.OrganizationID, DeploymentID: &app.DeploymentID, Data: data})
}
