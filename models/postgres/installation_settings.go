package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"appstore/models"
)

// GetSettings returns scope's schema and values for access's installation:
// the organization's values, or userID's own for the user scope. The
// caller has checked who may read them. It returns only internal errors
// besides not-found ("deployment_not_found").
func (s *Installations) GetSettings(ctx context.Context, access *models.InstallationAccess, scope models.SettingsScope, userID uuid.UUID) (*models.Settings, error) {
	inst := access.Installation
	var dep models.Deployment
	if err := first(s.db.WithContext(ctx).Select("id", "settings_schema"), &dep, "get settings", models.ErrDeploymentNotFound, "id = ?", inst.DeploymentID); err != nil {
		return nil, err
	}
	q := s.db.WithContext(ctx).Where("installation_id = ? AND scope = ?", inst.ID, scope)
	if scope == models.ScopeUser {
		q = q.Where("user_id = ?", userID)
	}
	var rows []models.SettingValue
	if err := q.Order("key").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: get settings: %w", err)
	}
	out := &models.Settings{InstallationID: inst.ID, Scope: scope, DeploymentID: dep.ID,
		Schema: models.ScopeSchema(dep.SettingsSchema, scope), Values: map[string]any{}}
	for _, r := range rows {
		var v any
		if err := json.Unmarshal(r.Value, &v); err != nil {
			return nil, fmt.Errorf("store: get settings: value of %s: %w", r.Key, err)
		}
		out.Values[r.Key] = v
		if out.UpdatedAt == nil || r.UpdatedAt.After(*out.UpdatedAt) {
			t := r.UpdatedAt
			out.UpdatedAt = &t
		}
	}
	return out, nil
}

// SaveSettings replaces scope's settings of installation installationID
// with values (userID's own for the user scope; nil for the organization
// scope), after validating the whole object against that scope of the
// current deployment's schema. Each top-level key is stored as one row
// with the deployment it was validated against; keys left out are
// removed. It records settings.updated with the keys only.
//
// Errors: invalid ("invalid_settings" with one field error per broken
// rule; "invalid_scope"), not found ("installation_not_found"). Nothing is
// saved on error.
func (s *Installations) SaveSettings(ctx context.Context, installationID uuid.UUID, scope models.SettingsScope, userID *uuid.UUID, values map[string]any, actor uuid.UUID) (*models.Settings, error) {
	if (scope == models.ScopeUser) != (userID != nil) || (scope != models.ScopeUser && scope != models.ScopeOrganization) {
		return nil, models.Invalid("invalid_scope", "User settings belong to one user; organization settings to none.")
	}
	if values == nil {
		values = map[string]any{}
	}
	var inst models.Installation
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// A share lock keeps the deployment we validate against current
		// until the values are written.
		if err := tx.Raw(`SELECT * FROM app_installations WHERE id = ? FOR SHARE`, installationID).Scan(&inst).Error; err != nil {
			return err
		}
		if inst.ID == uuid.Nil {
			return models.ErrInstallationNotFound
		}
		var dep models.Deployment
		if err := tx.Select("id", "settings_schema").First(&dep, "id = ?", inst.DeploymentID).Error; err != nil {
			return err
		}
		if err := models.ValidateSettingsValues(dep.SettingsSchema, scope, values); err != nil {
			return err
		}
		now := s.now().Truncate(time.Microsecond)
		keys := make([]string, 0, len(values))
		for k := range values {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if err := upsertSetting(tx, inst.ID, scope, userID, k, values[k], dep.ID, actor, now); err != nil {
				return err
			}
		}
		del := tx.Where("installation_id = ? AND scope = ?", inst.ID, scope)
		if userID != nil {
			del = del.Where("user_id = ?", *userID)
		}
		if len(keys) > 0 {
			del = del.Where("key NOT IN ?", keys)
		}
		if err := del.Delete(&models.SettingValue{}).Error; err != nil {
			return err
		}
		data := models.JSONMap{"installation_id": inst.ID.String(), "scope": string(scope), "keys": keys}
		if userID != nil {
			data["user_id"] = userID.String()
		}
		return appendEvent(ctx, tx, models.Event{Type: models.EventSettingsUpdated, ActorID: &actor, AppID: &inst.AppID,
			OrganizationID: &inst.OrganizationID, DeploymentID: &dep.ID, Data: data})
	})
	if err != nil {
		return nil, storeError("save settings", err)
	}
	uid := uuid.Nil
	if userID != nil {
		uid = *userID
	}
	return s.GetSettings(ctx, &models.InstallationAccess{Installation: &inst}, scope, uid)
}

// upsertSetting writes one key; the partial unique indexes of app_settings
// (one per scope) are the conflict targets.
func upsertSetting(tx *gorm.DB, instID uuid.UUID, scope models.SettingsScope, userID *uuid.UUID, key string, value any, depID, actor uuid.UUID, now time.Time) error {
	raw, err := json.Marshal(value)
	if err != nil {
		return models.Invalid("invalid_settings", "Settings values must be JSON.")
	}
	target := `(installation_id, key) WHERE scope = 'organization'`
	if scope == models.ScopeUser {
		target = `(installation_id, user_id, key) WHERE scope = 'user'`
	}
	return tx.Exec(`INSERT INTO app_settings (id, installation_id, scope, user_id, key, value, deployment_id, updated_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?)
		ON CONFLICT `+target+` DO UPDATE SET value = EXCLUDED.value, deployment_id = EXCLUDED.deployment_id,
			updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at`,
		newID(), instID, scope, userID, key, string(raw), depID, actor, now, now).Error
}
