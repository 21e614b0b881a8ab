package models

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"
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
