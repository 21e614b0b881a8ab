package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"appstore/models"
)

// Deployments stores deployments and their promotion to production.
type Deployments struct{ *core }

// CreateDevelopmentDeployment creates an active development deployment of
// app appID for organization in.TargetOrganizationID and, in the same
// transaction, supersedes the app's previous active development
// deployments for that organization and points the organization's
// development installation at the new one (creating it, or reactivating
// it when uninstalled), recording deployment.created and
// installation.updated. When ctx names an actor, they must be a member of
// the app's developer account and an admin or owner of the organization
// (the API checks first, to answer the right status).
//
// Errors: invalid ("invalid_target_organization", "invalid_sha256",
// "bundle_not_found", "invalid_settings_schema", "invalid_environment",
// "invalid_metadata"), not found ("app_not_found",
// "organization_not_found"), forbidden ("organization_admin_required").
func (s *Deployments) CreateDevelopmentDeployment(ctx context.Context, appID uuid.UUID, in models.DevelopmentDeploymentInput) (*models.Deployment, *models.Installation, error) {
	d, err := s.newDevelopmentDeployment(ctx, appID, in)
	if err != nil {
		return nil, nil, err
	}
	org := in.TargetOrganizationID
	var inst models.Installation
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// One deployment or promotion of an app at a time: the newest
		// development deployment is the one left active and installed.
		app, err := lockApp(tx, appID)
		if err != nil {
			return err
		}
		var orgs []uuid.UUID
		if err := tx.Raw(`SELECT id FROM organizations WHERE id = ? FOR KEY SHARE`, org).Scan(&orgs).Error; err != nil {
			return err
		}
		if len(orgs) == 0 {
			return models.ErrOrganizationNotFound
		}
		if actor := d.CreatedBy; actor != nil {
			if err := checkDeployer(tx, app.DeveloperAccountID, org, *actor); err != nil {
				return err
			}
		}
		if d.ClientBundleID, err = bundleIDBySHA(tx, appID, models.BundleClient, in.ClientBundleSHA256, "client_bundle_sha256"); err != nil {
			return err
		}
		if d.ServerBundleID, err = bundleIDBySHA(tx, appID, models.BundleServer, in.ServerBundleSHA256, "server_bundle_sha256"); err != nil {
			return err
		}
		if err := tx.Create(d).Error; err != nil {
			return err
		}
		var superseded []uuid.UUID
		if err := tx.Raw(`UPDATE app_deployments SET status = ?, updated_at = ?
			WHERE app_id = ? AND type = ? AND target_organization_id = ? AND status = ? AND id <> ? RETURNING id`,
			models.DeploymentSuperseded, d.CreatedAt, appID, models.DeploymentDevelopment, org, models.DeploymentActive, d.ID).Scan(&superseded).Error; err != nil {
			return err
		}
		prev, err := upsertDevelopmentInstallation(tx, d, &inst)
		if err != nil {
			return err
		}
		if err := appendEvent(ctx, tx, models.Event{Type: models.EventDeploymentCreated, DeveloperAccountID: &app.DeveloperAccountID,
			AppID: &appID, OrganizationID: &org, DeploymentID: &d.ID, Data: models.JSONMap{
				"type": string(models.DeploymentDevelopment), "target_organization_id": org.String(),
				"client_bundle_id": idOrNil(d.ClientBundleID), "server_bundle_id": idOrNil(d.ServerBundleID),
				"superseded": uuidStrings(superseded)}}); err != nil {
			return err
		}
		data := models.JSONMap{"installation_id": inst.ID.String(), "type": string(inst.Type), "deployment_id": d.ID.String(),
			"status": string(inst.Status), "created": prev == nil, "previous_deployment_id": nil, "reactivated": false}
		if prev != nil {
			data["previous_deployment_id"] = prev.DeploymentID.String()
			data["reactivated"] = prev.Status == models.InstallationInactive
		}
		return appendEvent(ctx, tx, models.Event{Type: models.EventInstallationUpdated, DeveloperAccountID: &app.DeveloperAccountID,
			AppID: &appID, OrganizationID: &org, DeploymentID: &d.ID, Data: data})
	})
	if err != nil {
		return nil, nil, storeError("create development deployment", err)
	}
	return d, &inst, nil
}

// newDevelopmentDeployment checks everything about in that needs no
// database and returns the row to insert (bundle ids still unset).
func (s *Deployments) newDevelopmentDeployment(ctx context.Context, appID uuid.UUID, in models.DevelopmentDeploymentInput) (*models.Deployment, error) {
	if in.TargetOrganizationID == uuid.Nil {
		return nil, models.Invalid("invalid_target_organization", "Name the organization to deploy to.",
			models.FieldError{Field: "target_organization_id", Message: "is required"})
	}
	var err error
	if in.ClientBundleSHA256 != "" {
		if in.ClientBundleSHA256, err = models.NormalizeSHA256(in.ClientBundleSHA256, "client_bundle_sha256"); err != nil {
			return nil, err
		}
	}
	if in.ServerBundleSHA256 != "" {
		if in.ServerBundleSHA256, err = models.NormalizeSHA256(in.ServerBundleSHA256, "server_bundle_sha256"); err != nil {
			return nil, err
		}
	}
	schema := in.SettingsSchema
	if schema == nil {
		schema = models.DefaultSettingsSchema()
	}
	if err := models.ValidateSettingsSchema(schema); err != nil {
		return nil, err
	}
	var manifest models.Manifest
	if in.Manifest != nil {
		manifest = *in.Manifest
	}
	manifest = manifest.Normalize()
	if err := manifest.Validate(); err != nil {
		return nil, err
	}
	env := in.Environment
	if env == nil {
		env = models.JSONMap{}
	}
	if err := models.ValidateEnvironment(env); err != nil {
		return nil, err
	}
	meta, err := in.Metadata.JSONMap()
	if err != nil {
		return nil, err
	}
	now := s.now().Truncate(time.Microsecond)
	org := in.TargetOrganizationID
	return &models.Deployment{ID: newID(), AppID: appID, Type: models.DeploymentDevelopment, SettingsSchema: schema, Manifest: manifest, Environment: env,
		TargetOrganizationID: &org, Metadata: meta, CreatedBy: models.AuditFrom(ctx).ActorID, CreatedAt: now,
		Status: models.DeploymentActive, RejectionReasons: models.JSONList[models.RejectionReason]{}, UpdatedAt: now}, nil
}

// lockApp locks app id's row until tx ends and returns it. NO KEY UPDATE
// serialises deployments and promotions of the app without blocking
// inserts that merely reference it (bundles, events).
func lockApp(tx *gorm.DB, id uuid.UUID) (*models.App, error) {
	var app models.App
	err := tx.Clauses(clause.Locking{Strength: "NO KEY UPDATE"}).First(&app, "id = ?", id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, models.ErrAppNotFound
	}
	if err != nil {
		return nil, err
	}
	return &app, nil
}

// checkDeployer refuses userID unless they are a member of developer
// account accountID (else, as to any outsider, the app does not exist) and
// an admin or owner of organization orgID.
func checkDeployer(tx *gorm.DB, accountID, orgID, userID uuid.UUID) error {
	var roles []struct{ Dev, Org *string }
	err := tx.Raw(`SELECT
		(SELECT role FROM developer_account_members WHERE developer_account_id = ? AND user_id = ?) AS dev,
		(SELECT role FROM organization_members WHERE organization_id = ? AND user_id = ?) AS org`,
		accountID, userID, orgID, userID).Scan(&roles).Error
	if err != nil {
		return err
	}
	switch {
	case len(roles) == 0 || roles[0].Dev == nil:
		return models.ErrAppNotFound
	case roles[0].Org == nil:
		return models.ErrOrganizationNotFound
	case models.OrganizationRole(*roles[0].Org) != models.OrgRoleAdmin && models.OrganizationRole(*roles[0].Org) != models.OrgRoleOwner:
		return models.ErrOrgAdminRequired
	}
	return nil
}

// bundleIDBySHA returns the id of app appID's bundle of typ with sha (nil
// for ""), or an invalid error ("bundle_not_found") naming field.
func bundleIDBySHA(tx *gorm.DB, appID uuid.UUID, typ models.BundleType, sha, field string) (*uuid.UUID, error) {
	if sha == "" {
		return nil, nil
	}
	var ids []uuid.UUID
	if err := tx.Raw(`SELECT id FROM app_bundles WHERE app_id = ? AND type = ? AND sha256 = ?`, appID, typ, sha).Scan(&ids).Error; err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, models.Invalid("bundle_not_found", fmt.Sprintf("This app has no %s bundle with SHA-256 %s: upload it first.", typ, sha),
			models.FieldError{Field: field, Message: "no such bundle: upload it first"})
	}
	return &ids[0], nil
}

// upsertDevelopmentInstallation points d's organization's development
// installation of d's app at d, creating it or reactivating it when
// uninstalled (a reinstall: the generation moves on), into inst. It
// returns the installation as it was before, nil when there was none.
func upsertDevelopmentInstallation(tx *gorm.DB, d *models.Deployment, inst *models.Installation) (*models.Installation, error) {
	var before []models.Installation
	if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("app_id = ? AND organization_id = ? AND type = ?",
		d.AppID, *d.TargetOrganizationID, models.DeploymentDevelopment).Find(&before).Error; err != nil {
		return nil, err
	}
	err := tx.Raw(`INSERT INTO app_installations AS i
			(id, app_id, organization_id, type, deployment_id, status, generation, installed_by, installed_at, created_at, updated_at)
		VALUES (@id, @app, @org, @type, @dep, @active, 1, @actor, @now, @now, @now)
		ON CONFLICT (app_id, organization_id, type) DO UPDATE SET
			deployment_id = EXCLUDED.deployment_id,
			updated_at = EXCLUDED.updated_at,
			status = CASE WHEN i.status = @inactive THEN @active ELSE i.status END,
			generation = CASE WHEN i.status = @inactive THEN i.generation + 1 ELSE i.generation END,
			installed_by = CASE WHEN i.status = @inactive THEN EXCLUDED.installed_by ELSE i.installed_by END,
			installed_at = CASE WHEN i.status = @inactive THEN EXCLUDED.installed_at ELSE i.installed_at END,
			uninstalled_at = CASE WHEN i.status = @inactive THEN NULL ELSE i.uninstalled_at END
		RETURNING *`,
		map[string]any{"id": newID(), "app": d.AppID, "org": *d.TargetOrganizationID, "type": models.DeploymentDevelopment,
			"dep": d.ID, "actor": d.CreatedBy, "now": d.CreatedAt,
			"active": models.InstallationActive, "inactive": models.InstallationInactive}).Scan(inst).Error
	if err != nil {
		return nil, err
	}
	// The test organization's members may use what is deployed to it, as
	// an install gives an organization's members access; grants an admin
	// revoked stay revoked.
	err = tx.Exec(`INSERT INTO app_permissions (installation_id, user_id, can_access, is_admin, granted_by, granted_at)
		SELECT ?, user_id, true, role IN ('owner', 'admin'), ?, ? FROM organization_members WHERE organization_id = ?
		ON CONFLICT (installation_id, user_id) DO NOTHING`, inst.ID, d.CreatedBy, d.CreatedAt, *d.TargetOrganizationID).Error
	if err != nil {
		return nil, err
	}
	if len(before) == 0 {
		return nil, nil
	}
	return &before[0], nil
}

// GetDeployment returns the deployment with id, or a not-found error
// ("deployment_not_found").
func (s *Deployments) GetDeployment(ctx context.Context, id uuid.UUID) (*models.Deployment, error) {
	var d models.Deployment
	if err := first(s.db.WithContext(ctx), &d, "get deployment", models.ErrDeploymentNotFound, "id = ?", id); err != nil {
		return nil, err
	}
	return &d, nil
}

// ListDeployments returns a page of app appID's deployments, newest first,
// of f.Type when set. The limit is clamped to 1..MaxDeploymentLimit (0:
// DefaultDeploymentLimit). It returns an invalid error for a bad type
// ("invalid_deployment_type") or cursor ("invalid_cursor").
func (s *Deployments) ListDeployments(ctx context.Context, appID uuid.UUID, f models.DeploymentFilter) (*models.DeploymentPage, error) {
	limit := f.Limit
	if limit == 0 {
		limit = models.DefaultDeploymentLimit
	}
	limit = min(max(limit, 1), models.MaxDeploymentLimit)
	q := s.db.WithContext(ctx).Model(&models.Deployment{}).Where("app_id = ?", appID)
	switch f.Type {
	case "":
	case models.DeploymentDevelopment, models.DeploymentProduction:
		q = q.Where("type = ?", f.Type)
	default:
		return nil, models.Invalid("invalid_deployment_type", "type is development or production.",
			models.FieldError{Field: "type", Message: "must be development or production"})
	}
	items, next, err := keysetPage(q, f.Cursor, limit, func(d *models.Deployment) models.Cursor { return models.Cursor{CreatedAt: d.CreatedAt, ID: d.ID} })
	if err != nil {
		return nil, storeError("list deployments", err)
	}
	return &models.DeploymentPage{Items: items, NextCursor: next}, nil
}

// GetInstallation returns the installation with id, or a not-found error
// ("installation_not_found").
func (s *Installations) GetInstallation(ctx context.Context, id uuid.UUID) (*models.Installation, error) {
	var inst models.Installation
	if err := first(s.db.WithContext(ctx), &inst, "get installation", models.ErrInstallationNotFound, "id = ?", id); err != nil {
		return nil, err
	}
	return &inst, nil
}

// FindInstallation returns app appID's installation of type typ in
// organization orgID, or a not-found error ("installation_not_found").
func (s *Installations) FindInstallation(ctx context.Context, appID, orgID uuid.UUID, typ models.InstallationType) (*models.Installation, error) {
	var found []models.Installation
	err := s.db.WithContext(ctx).Where("app_id = ? AND organization_id = ? AND type = ?", appID, orgID, typ).Limit(1).Find(&found).Error
	if err != nil {
		return nil, fmt.Errorf("store: find installation: %w", err)
	}
	if len(found) == 0 {
		return nil, models.ErrInstallationNotFound
	}
	return &found[0], nil
}

func idOrNil(id *uuid.UUID) any {
	if id == nil {
		return nil
	}
	return id.String()
}

func uuidStrings(ids []uuid.UUID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	return out
}
