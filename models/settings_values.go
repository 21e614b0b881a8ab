package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Settings event types: the keys that changed are recorded, never values.
const (
	EventSettingsUpdated EventType = "settings.updated"
)

// SettingValue is one stored setting of an installation (app_settings).
type SettingValue struct {
	ID             uuid.UUID       `gorm:"type:uuid;primaryKey"`
	InstallationID uuid.UUID       `gorm:"type:uuid"`
	Scope          SettingsScope   `gorm:"type:text"`
	UserID         *uuid.UUID      `gorm:"type:uuid"`
	Key            string          `gorm:"type:text"`
	Value          json.RawMessage `gorm:"type:jsonb"`
	DeploymentID   uuid.UUID       `gorm:"type:uuid"`
	UpdatedBy      *uuid.UUID      `gorm:"type:uuid"`
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// TableName is app_settings.
func (SettingValue) TableName() string { return "app_settings" }

// Settings is one scope's settings of an installation: the schema of the
// installation's current deployment for that scope and the stored values.
type Settings struct {
	InstallationID uuid.UUID      `json:"installation_id"`
	Scope          SettingsScope  `json:"scope"`
	DeploymentID   uuid.UUID      `json:"deployment_id"`
	Schema         JSONMap        `json:"schema"`
	Values         map[string]any `json:"values"`
	UpdatedAt      *time.Time     `json:"updated_at"`
}

// GetSettings returns scope's schema and values for access's installation:
// the organization's values, or userID's own for the user scope. The
// caller has checked who may read them. It returns only internal errors
// besides not-found ("deployment_not_found").
func (s *Store) GetSettings(ctx context.Context, access *InstallationAccess, scope SettingsScope, userID uuid.UUID) (*Settings, error) {
	inst := access.Installation
	var dep Deployment
	err := s.db.WithContext(ctx).Select("id", "settings_schema").First(&dep, "id = ?", inst.DeploymentID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errDeploymentNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: get settings: %w", err)
	}
	q := s.db.WithContext(ctx).Where("installation_id = ? AND scope = ?", inst.ID, scope)
	if scope == ScopeUser {
		q = q.Where("user_id = ?", userID)
	}
	var rows []SettingValue
	if err := q.Order("key").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: get settings: %w", err)
	}
	out := &Settings{InstallationID: inst.ID, Scope: scope, DeploymentID: dep.ID,
		Schema: ScopeSchema(dep.SettingsSchema, scope), Values: map[string]any{}}
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
func (s *Store) SaveSettings(ctx context.Context, installationID uuid.UUID, scope SettingsScope, userID *uuid.UUID, values map[string]any, actor uuid.UUID) (*Settings, error) {
	if (scope == ScopeUser) != (userID != nil) || (scope != ScopeUser && scope != ScopeOrganization) {
		return nil, Invalid("invalid_scope", "User settings belong to one user; organization settings to none.")
	}
	if values == nil {
		values = map[string]any{}
	}
	var inst Installation
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// A share lock keeps the deployment we validate against current
		// until the values are written.
		if err := tx.Raw(`SELECT * FROM app_installations WHERE id = ? FOR SHARE`, installationID).Scan(&inst).Error; err != nil {
			return err
		}
		if inst.ID == uuid.Nil {
			return errInstallationNotFound
		}
		var dep Deployment
		if err := tx.Select("id", "settings_schema").First(&dep, "id = ?", inst.DeploymentID).Error; err != nil {
			return err
		}
		if err := ValidateSettingsValues(dep.SettingsSchema, scope, values); err != nil {
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
		if err := del.Delete(&SettingValue{}).Error; err != nil {
			return err
		}
		data := JSONMap{"installation_id": inst.ID.String(), "scope": string(scope), "keys": keys}
		if userID != nil {
			data["user_id"] = userID.String()
		}
		return appendEvent(ctx, tx, Event{Type: EventSettingsUpdated, ActorID: &actor, AppID: &inst.AppID,
			OrganizationID: &inst.OrganizationID, DeploymentID: &dep.ID, Data: data})
	})
	if err != nil {
		return nil, storeError("save settings", err)
	}
	uid := uuid.Nil
	if userID != nil {
		uid = *userID
	}
	return s.GetSettings(ctx, &InstallationAccess{Installation: &inst}, scope, uid)
}

// upsertSetting writes one key; the partial unique indexes of app_settings
// (one per scope) are the conflict targets.
func upsertSetting(tx *gorm.DB, instID uuid.UUID, scope SettingsScope, userID *uuid.UUID, key string, value any, depID, actor uuid.UUID, now time.Time) error {
	raw, err := json.Marshal(value)
	if err != nil {
		return Invalid("invalid_settings", "Settings values must be JSON.")
	}
	target := `(installation_id, key) WHERE scope = 'organization'`
	if scope == ScopeUser {
		target = `(installation_id, user_id, key) WHERE scope = 'user'`
	}
	return tx.Exec(`INSERT INTO app_settings (id, installation_id, scope, user_id, key, value, deployment_id, updated_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?)
		ON CONFLICT `+target+` DO UPDATE SET value = EXCLUDED.value, deployment_id = EXCLUDED.deployment_id,
			updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at`,
		newID(), instID, scope, userID, key, string(raw), depID, actor, now, now).Error
}
