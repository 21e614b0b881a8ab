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

// Installations stores installations of apps in organizations: their clients
// and secrets, access, settings, connection values, member permissions and
// erasure.
type Installations struct{ *core }

// PlanInstall finds the published, not suspended app slug and computes
// where its installation in organization orgID goes: the existing
// production installation's id (its generation when active, the next one
// after an uninstall), or a new id and generation 1. It returns not-found
// ("app_not_found") and conflict ("app_suspended",
// "no_published_deployment", "installation_suspended") errors.
func (s *Installations) PlanInstall(ctx context.Context, orgID uuid.UUID, slug string) (*models.InstallPlan, error) {
	db := s.db.WithContext(ctx)
	var app models.App
	if err := first(db, &app, "plan install", models.ErrAppNotInstallable, "slug = ?", slug); err != nil {
		return nil, err
	}
	switch app.PublicationStatus {
	case models.AppSuspended:
		return nil, models.ErrAppSuspended
	case models.AppPublished:
	default:
		return nil, models.ErrAppNotInstallable
	}
	if _, err := publishedDeployment(db, app.ID); err != nil {
		return nil, err
	}
	plan := &models.InstallPlan{App: &app}
	var inst models.Installation
	err := db.First(&inst, "app_id = ? AND organization_id = ? AND type = ?", app.ID, orgID, models.DeploymentProduction).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		plan.InstallationID, plan.Generation = newID(), 1
	case err != nil:
		return nil, fmt.Errorf("store: plan install: %w", err)
	case inst.Status == models.InstallationSuspended:
		return nil, models.ErrInstallationSuspended
	case inst.Status == models.InstallationActive:
		plan.InstallationID, plan.Generation, plan.Active = inst.ID, inst.Generation, true
	default:
		plan.InstallationID, plan.Generation = inst.ID, inst.Generation+1
	}
	return plan, nil
}

// publishedDeployment is the app's newest published production deployment.
func publishedDeployment(tx *gorm.DB, appID uuid.UUID) (*models.Deployment, error) {
	var d models.Deployment
	err := tx.Where("app_id = ? AND type = ? AND status = ?", appID, models.DeploymentProduction, models.DeploymentPublished).
		Order("published_at DESC NULLS LAST, created_at DESC").First(&d).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, models.ErrNoPublishedDeployment
	}
	if err != nil {
		return nil, fmt.Errorf("published deployment: %w", err)
	}
	return &d, nil
}

// ActivateInstallation makes generation in.Generation of the installation
// active on the app's published deployment: it inserts the row, or
// reactivates an uninstalled one (its settings, connection values and
// permissions stay), and gives every organization member access (owners
// and admins as app admins; existing permission rows are kept). A row
// already active in that generation is left alone, so a retried activity
// changes nothing. It records app.installed when it changes something, and
// returns conflict errors when another id holds the app in that
// organization ("installation_conflict"), when the generation has been
// uninstalled already ("installation_not_active") or when it is suspended.
func (s *Installations) ActivateInstallation(ctx context.Context, in models.ActivateInstallationInput) (*models.Installation, error) {
	var out models.Installation
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		app, err := lockApp(tx, in.AppID)
		if err != nil {
			return err
		}
		// Checked again here: the app may have been taken down since the
		// API planned the install.
		if app.PublicationStatus == models.AppSuspended {
			return models.ErrAppSuspended
		}
		d, err := publishedDeployment(tx, in.AppID)
		if err != nil {
			return err
		}
		now := s.now().Truncate(time.Microsecond)
		err = tx.Clauses(clause.Locking{Strength: "UPDATE"}).
			First(&out, "app_id = ? AND organization_id = ? AND type = ?", in.AppID, in.OrganizationID, models.DeploymentProduction).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			out = models.Installation{ID: in.InstallationID, AppID: in.AppID, OrganizationID: in.OrganizationID, Type: models.DeploymentProduction,
				DeploymentID: d.ID, Status: models.InstallationActive, Generation: in.Generation, InstalledBy: &in.ActorID,
				InstalledAt: now, CreatedAt: now, UpdatedAt: now}
			if err := tx.Create(&out).Error; err != nil {
				return err
			}
		case err != nil:
			return err
		case out.ID != in.InstallationID:
			return models.ErrInstallationRace
		case out.Status == models.InstallationSuspended:
			return models.ErrInstallationSuspended
		case out.Generation == in.Generation && out.Status == models.InstallationActive:
			return nil // done by an earlier try
		case out.Generation >= in.Generation || out.Status != models.InstallationInactive:
			return models.ErrInstallationInactive
		default:
			err := tx.Model(&out).Updates(map[string]any{"status": models.InstallationActive, "generation": in.Generation,
				"deployment_id": d.ID, "installed_by": in.ActorID, "installed_at": now, "uninstalled_at": nil, "updated_at": now}).Error
			if err != nil {
				return err
			}
		}
		err = tx.Exec(`INSERT INTO app_permissions (installation_id, user_id, can_access, is_admin, granted_by, granted_at)
			SELECT ?, user_id, true, role IN ('owner', 'admin'), ?, ? FROM organization_members WHERE organization_id = ?
			ON CONFLICT (installation_id, user_id) DO NOTHING`, out.ID, in.ActorID, now, in.OrganizationID).Error
		if err != nil {
			return err
		}
		return appendEvent(ctx, tx, models.Event{Type: models.EventAppInstalled, ActorID: &in.ActorID, AppID: &in.AppID,
			DeveloperAccountID: &app.DeveloperAccountID, OrganizationID: &in.OrganizationID, DeploymentID: &d.ID,
			Data: models.JSONMap{"installation_id": out.ID, "generation": in.Generation, "version": d.Version}})
	})
	if err != nil {
		return nil, storeError("activate installation", err)
	}
	return &out, nil
}

// lockedActiveInstallation locks installation id and returns it with its app.
func lockedInstallation(tx *gorm.DB, id uuid.UUID) (*models.Installation, *models.App, error) {
	var inst models.Installation
	err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&inst, "id = ?", id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil, models.ErrInstallationNotFound
	}
	if err != nil {
		return nil, nil, err
	}
	var app models.App
	if err := tx.First(&app, "id = ?", inst.AppID).Error; err != nil {
		return nil, nil, err
	}
	return &inst, &app, nil
}

// EnsureInstallationClient gives active installation installationID its
// OAuth client (one per installation) and returns the client id and the
// secret generation awaiting delivery. The first time it creates the
// client; after an uninstall (a revoked client) it makes a fresh secret
// generation and un-revokes it; otherwise it changes nothing, so a retry is
// safe. The secret is generated here, from crypto/rand, stored as its hash
// and, until delivered, encrypted (AES-256-GCM). It returns not-found and
// conflict ("installation_not_active") errors.
func (s *Installations) EnsureInstallationClient(ctx context.Context, installationID uuid.UUID) (string, int, error) {
	if s.enc == nil {
		return "", 0, models.ErrNoEncrypter
	}
	var clientID string
	var generation int
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		inst, app, err := lockedInstallation(tx, installationID)
		if err != nil {
			return err
		}
		if inst.Status != models.InstallationActive {
			return models.ErrInstallationInactive
		}
		var c models.OAuthClient
		err = tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&c, "installation_id = ?", installationID).Error
		now := s.now().Truncate(time.Microsecond)
		redirects := models.StringList{}
		if app.CallbackURL != "" {
			redirects = models.StringList{app.CallbackURL}
		}
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			secret := models.NewToken(models.OAuthClientSecretPrefix)
			c = models.OAuthClient{ID: newID(), AppID: app.ID, InstallationID: &inst.ID, ClientID: newClientID(),
				SecretHash: models.HashToken(secret), SecretGeneration: 1, RedirectURIs: redirects, Scopes: models.InstallationClientScopes(app),
				PKCERequired: false, EntrypointURL: app.AppURL, Enabled: true, CreatedAt: now, UpdatedAt: now}
			c.SecretCiphertext = s.enc.Encrypt([]byte(secret), installationSecretPurpose(c.ClientID, 1))
			if err := tx.Create(&c).Error; err != nil {
				return err
			}
		case err != nil:
			return err
		case c.RevokedAt != nil:
			secret := models.NewToken(models.OAuthClientSecretPrefix)
			c.SecretGeneration++
			err := tx.Model(&models.OAuthClient{}).Where("id = ?", c.ID).Updates(map[string]any{
				"secret_hash": models.HashToken(secret), "secret_generation": c.SecretGeneration,
				"secret_ciphertext":    s.enc.Encrypt([]byte(secret), installationSecretPurpose(c.ClientID, c.SecretGeneration)),
				"previous_secret_hash": nil, "previous_generation": nil, "previous_expires_at": nil,
				"redirect_uris": redirects, "scopes": models.InstallationClientScopes(app), "entrypoint_url": app.AppURL,
				"enabled": true, "revoked_at": nil, "updated_at": now,
			}).Error
			if err != nil {
				return err
			}
		}
		clientID, generation = c.ClientID, c.SecretGeneration
		return nil
	})
	if err != nil {
		return "", 0, storeError("ensure installation client", err)
	}
	return clientID, generation, nil
}

// InstallationClient returns installation installationID's OAuth client,
// or a not-found error ("oauth_not_enabled").
func (s *Installations) InstallationClient(ctx context.Context, installationID uuid.UUID) (*models.OAuthClient, error) {
	var c models.OAuthClient
	if err := first(s.db.WithContext(ctx), &c, "installation client", models.ErrOAuthNotEnabled, "installation_id = ?", installationID); err != nil {
		return nil, err
	}
	return &c, nil
}

// EnqueueInstallationEvent enqueues eventType about installation
// installationID to its app's webhook URL under dedupeKey (idempotent) and
// returns the delivery ids (none when the app has no webhook URL). The
// payload names the installation, organization, app, version and, when
// the installation has a client, its client id and secret generation: the
// secret itself is added by the attempt that sends it.
func (s *Installations) EnqueueInstallationEvent(ctx context.Context, installationID uuid.UUID, eventType models.EventType, dedupeKey string) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		inst, app, err := lockedInstallation(tx, installationID)
		if err != nil {
			return err
		}
		var d models.Deployment
		if err := tx.First(&d, "id = ?", inst.DeploymentID).Error; err != nil {
			return err
		}
		payload := models.JSONMap{"installation_id": inst.ID.String(), "organization_id": inst.OrganizationID.String(),
			"app_id": app.ID.String(), "app_slug": app.Slug, "generation": inst.Generation, "version": d.Version}
		var c models.OAuthClient
		err = tx.First(&c, "installation_id = ?", installationID).Error
		if err == nil {
			payload["client_id"] = c.ClientID
			payload["secret_generation"] = c.SecretGeneration
		} else if !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		ids, err = s.enqueueAppEventTx(tx, app.ID, eventType, dedupeKey, payload)
		return err
	})
	if err != nil {
		return nil, storeError("enqueue installation event", err)
	}
	return ids, nil
}

// InstallationSecret returns client clientID's secret of generation, read
// from the ciphertext awaiting delivery: "" when it was delivered (erased)
// or a later generation replaced it. Only the webhook attempt calls it.
func (s *Installations) InstallationSecret(ctx context.Context, clientID string, generation int) (string, error) {
	var c models.OAuthClient
	err := s.db.WithContext(ctx).Select("client_id", "secret_generation", "secret_ciphertext", "revoked_at").
		First(&c, "client_id = ? AND installation_id IS NOT NULL", clientID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: installation secret: %w", err)
	}
	if c.SecretCiphertext == nil || c.SecretGeneration != generation || c.RevokedAt != nil {
		return "", nil
	}
	if s.enc == nil {
		return "", models.ErrNoEncrypter
	}
	plain, err := s.enc.Decrypt(c.SecretCiphertext, installationSecretPurpose(clientID, generation))
	if err != nil {
		return "", fmt.Errorf("store: installation secret %s: %w", clientID, err)
	}
	return string(plain), nil
}

// EraseInstallationSecret erases the encrypted copy of client clientID's
// secret of generation once its webhook was delivered; a later
// generation's copy, still awaiting its own delivery, is kept.
func (s *Installations) EraseInstallationSecret(ctx context.Context, clientID string, generation int) error {
	err := s.db.WithContext(ctx).Model(&models.OAuthClient{}).
		Where("client_id = ? AND secret_generation = ? AND secret_ciphertext IS NOT NULL", clientID, generation).
		Updates(map[string]any{"secret_ciphertext": nil, "updated_at": s.now()}).Error
	if err != nil {
		return fmt.Errorf("store: erase installation secret: %w", err)
	}
	return nil
}

// DeactivateInstallation uninstalls generation of installation
// installationID: a soft delete (status inactive, uninstalled_at; settings,
// connection values and permissions stay for a reinstall) that also
// revokes its OAuth client (no secret verifies any more; a pending secret
// copy is erased) and the OpenID Connect tokens issued for it. It returns
// the client id ("" when it has none). An installation already uninstalled
// in that generation is left alone. It records app.uninstalled, and
// returns not-found and conflict ("installation_not_active") errors.
func (s *Installations) DeactivateInstallation(ctx context.Context, installationID uuid.UUID, generation int, actorID uuid.UUID) (string, error) {
	var clientID string
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		inst, app, err := lockedInstallation(tx, installationID)
		if err != nil {
			return err
		}
		var c models.OAuthClient
		if err := tx.Select("client_id").First(&c, "installation_id = ?", installationID).Error; err == nil {
			clientID = c.ClientID
		} else if !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		if inst.Generation != generation || inst.Status == models.InstallationInactive {
			if inst.Generation == generation {
				return nil // done by an earlier try
			}
			return models.ErrInstallationInactive
		}
		now := s.now().Truncate(time.Microsecond)
		err = tx.Model(inst).Updates(map[string]any{"status": models.InstallationInactive, "uninstalled_at": now, "updated_at": now}).Error
		if err != nil {
			return err
		}
		err = tx.Model(&models.OAuthClient{}).Where("installation_id = ?", installationID).Updates(map[string]any{
			"revoked_at": now, "enabled": false, "secret_ciphertext": nil,
			"previous_secret_hash": nil, "previous_generation": nil, "previous_expires_at": nil, "updated_at": now}).Error
		if err != nil {
			return err
		}
		return appendEvent(ctx, tx, models.Event{Type: models.EventAppUninstalled, ActorID: &actorID, AppID: &inst.AppID,
			DeveloperAccountID: &app.DeveloperAccountID, OrganizationID: &inst.OrganizationID, Data: models.JSONMap{"installation_id": inst.ID, "generation": generation}})
	})
	if err != nil {
		return "", storeError("deactivate installation", err)
	}
	if err := s.oidc().RevokeInstallationTokens(ctx, installationID, nil); err != nil {
		return "", err
	}
	return clientID, nil
}

// installationSecretPurpose binds the ciphertext of an installation
// client's secret to the client and the generation: a secret.rotated
// delivery of generation n can never decrypt generation n+1's secret.
func installationSecretPurpose(clientID string, generation int) string {
	return fmt.Sprintf("installation-client-secret:%s:%d", clientID, generation)
}
