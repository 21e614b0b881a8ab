package models

import (
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Connection value event types; their data names the connection, never a value.
const (
	EventConnectionValueUpdated EventType = "connection_value.updated"
	EventConnectionValueDeleted EventType = "connection_value.deleted"
)

// MaxConnectionValueLen bounds one credential field (long enough for JWT
// access tokens).
const MaxConnectionValueLen = 8192

// ConnectionValue is an organization's credentials for one connection
// definition, sealed as one JSON object. It never leaves the server.
type ConnectionValue struct {
	ID                     uuid.UUID  `gorm:"type:uuid;primaryKey"`
	InstallationID         uuid.UUID  `gorm:"type:uuid"`
	ConnectionDefinitionID uuid.UUID  `gorm:"type:uuid"`
	Ciphertext             []byte     `gorm:"column:ciphertext"`
	UpdatedBy              *uuid.UUID `gorm:"type:uuid"`
	CreatedAt              time.Time
	UpdatedAt              time.Time
}

// TableName is connection_values.
func (ConnectionValue) TableName() string { return "connection_values" }

// ConnectionValueStatus is all the API shows of a connection's value:
// whether it is set, and when it last changed. Definition feeds pages
// (the inputs to draw) and is never encoded.
type ConnectionValueStatus struct {
	Key         string                `json:"key"`
	DisplayName string                `json:"display_name"`
	Type        ConnectionType        `json:"type"`
	Required    bool                  `json:"required"`
	IsSet       bool                  `json:"is_set"`
	UpdatedAt   *time.Time            `json:"updated_at"`
	Definition  *ConnectionDefinition `json:"-"`
}

// ValueFields lists the inputs an organization fills for d: "value" for an
// api_key, access and refresh tokens for oauth2 (the refresh token
// required when d refreshes with it), the developer's fields for custom.
func (d *ConnectionDefinition) ValueFields() []ConnectionField {
	switch d.Type {
	case ConnectionAPIKey:
		return []ConnectionField{{Key: "value", Label: d.DisplayName, Placeholder: d.Placeholder, Required: true, Secret: true}}
	case ConnectionOAuth2:
		return []ConnectionField{
			{Key: "access_token", Label: "Access token", Required: true, Secret: true},
			{Key: "refresh_token", Label: "Refresh token", Required: d.Refresh == ConnectionRefreshToken, Secret: true},
		}
	}
	return d.Fields
}

// CheckConnectionValues checks values against d's fields: every required
// field present and non-blank, no unknown field, none too long. It returns
// an invalid error ("invalid_connection_value") with one field error per
// broken rule, or nil.
func CheckConnectionValues(d *ConnectionDefinition, values map[string]string) error {
	fields := d.ValueFields()
	known := map[string]bool{}
	var errs []FieldError
	for _, f := range fields {
		known[f.Key] = true
		v := values[f.Key]
		switch {
		case f.Required && strings.TrimSpace(v) == "":
			errs = append(errs, FieldError{Field: f.Key, Message: "is required"})
		case len(v) > MaxConnectionValueLen:
			errs = append(errs, FieldError{Field: f.Key, Message: fmt.Sprintf("must be at most %d characters long", MaxConnectionValueLen)})
		}
	}
	for k := range values {
		if !known[k] {
			errs = append(errs, FieldError{Field: k, Message: "is not a field of this connection"})
		}
	}
	if len(errs) > 0 {
		return Invalid("invalid_connection_value", "The credentials are not complete: see the errors for each field.", errs...)
	}
	return nil
}
