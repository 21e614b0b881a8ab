package models

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/google/uuid"
)

// ConnectionType is what kind of credentials a connection asks for.
type ConnectionType string

// Connection types (seed 000, "Connection definitions").
const (
	ConnectionAPIKey ConnectionType = "api_key" // one secret string
	ConnectionOAuth2 ConnectionType = "oauth2"  // an OAuth2 flow against a provider
	ConnectionCustom ConnectionType = "custom"  // a developer-defined set of fields
)

// ConnectionTypes lists every connection type.
var ConnectionTypes = []ConnectionType{ConnectionAPIKey, ConnectionOAuth2, ConnectionCustom}

// ConnectionRefresh is what happens when an oauth2 connection's access
// token expires.
type ConnectionRefresh string

// Refresh behaviours of oauth2 connections.
const (
	ConnectionRefreshNone        ConnectionRefresh = "none"          // tokens do not expire, or nothing is done
	ConnectionRefreshToken       ConnectionRefresh = "refresh_token" // use the refresh token grant
	ConnectionRefreshReauthorize ConnectionRefresh = "reauthorize"   // ask the organization to authorize again
)

// ConnectionRefreshes lists every refresh behaviour.
var ConnectionRefreshes = []ConnectionRefresh{ConnectionRefreshNone, ConnectionRefreshToken, ConnectionRefreshReauthorize}

// Limits of connection definitions.
const (
	MaxConnectionsPerApp      = 50
	MaxConnectionFields       = 20
	MaxConnectionScopes       = 50
	MaxConnectionScopeLen     = 200
	MaxConnectionNameLen      = 100 // display name and field labels
	MaxConnectionDescription  = 1000
	MaxConnectionDefaultValue = 1000
	MaxConnectionPlaceholder  = 200
	MaxConnectionURLLen       = 2048
	MaxConnectionClientIDLen  = 500
	MaxConnectionSecretLen    = 2000
)

// ConnectionField is one input of a custom connection. Secret fields are
// masked in forms and encrypted with the organization's values.
type ConnectionField struct {
	Key         string `json:"key"`
	Label       string `json:"label"`
	Placeholder string `json:"placeholder"`
	Required    bool   `json:"required"`
	Secret      bool   `json:"secret"`
}

// ConnectionFields is a jsonb array of fields. A nil list is stored and
// served as [].
type ConnectionFields = JSONList[ConnectionField]

// ConnectionDefinition is one connection an app asks installing
// organizations for. The oauth2 settings are empty for other types and
// Fields is empty unless the type is custom. The provider's client secret is
// write-only: it is stored encrypted and JSON shows only has_client_secret.
type ConnectionDefinition struct {
	ID                    uuid.UUID         `gorm:"type:uuid;primaryKey" json:"id"`
	AppID                 uuid.UUID         `gorm:"type:uuid" json:"app_id"`
	Key                   string            `json:"key"`
	Type                  ConnectionType    `json:"type"`
	DisplayName           string            `json:"display_name"`
	Description           string            `json:"description"`
	Required              bool              `json:"required"`
	DefaultValue          string            `json:"default_value"`
	Placeholder           string            `json:"placeholder"`
	AuthorizeURL          string            `json:"authorize_url"`
	TokenURL              string            `json:"token_url"`
	Scopes                StringList        `gorm:"type:jsonb" json:"scopes"`
	PKCE                  bool              `gorm:"column:pkce" json:"pkce"`
	Refresh               ConnectionRefresh `json:"refresh"`
	ClientID              string            `json:"client_id"`
	ClientSecretEncrypted []byte            `gorm:"column:client_secret_encrypted" json:"-"`
	Fields                ConnectionFields  `gorm:"type:jsonb" json:"fields"`
	CreatedAt             time.Time         `json:"created_at"`
	UpdatedAt             time.Time         `json:"updated_at"`
}

// HasClientSecret reports whether an oauth2 client secret is stored.
func (d *ConnectionDefinition) HasClientSecret() bool { return len(d.ClientSecretEncrypted) > 0 }

// MarshalJSON adds has_client_secret; the secret itself is never encoded.
func (d ConnectionDefinition) MarshalJSON() ([]byte, error) {
	type plain ConnectionDefinition
	return json.Marshal(struct {
		plain
		HasClientSecret bool `json:"has_client_secret"`
	}{plain(d), d.HasClientSecret()})
}

// PublishInfo summarises d for the publication checks: an oauth2 connection
// is incomplete while its authorize URL, token URL, client id or client
// secret is missing. Other types are complete once saved.
func (d *ConnectionDefinition) PublishInfo() PublishConnection {
	info := PublishConnection{Key: d.Key, Type: string(d.Type)}
	if d.Type != ConnectionOAuth2 {
		return info
	}
	if d.AuthorizeURL == "" {
		info.Problems = append(info.Problems, "authorize URL missing")
	}
	if d.TokenURL == "" {
		info.Problems = append(info.Problems, "token URL missing")
	}
	if d.ClientID == "" {
		info.Problems = append(info.Problems, "client ID missing")
	}
	if !d.HasClientSecret() {
		info.Problems = append(info.Problems, "client secret missing")
	}
	return info
}

// Errors of connection definitions and their values.
var (
	ErrConnectionNotFound = &Error{Kind: KindNotFound, Code: "connection_not_found", Message: "No such connection."}
	ErrNoClientSecret     = &Error{Kind: KindNotFound, Code: "client_secret_not_set", Message: "This connection has no client secret."}
)

// ConnectionChanges names the settings that differ between old and upd.
func ConnectionChanges(old, upd *ConnectionDefinition) []string {
	var changed []string
	add := func(name string, differs bool) {
		if differs {
			changed = append(changed, name)
		}
	}
	add("display_name", old.DisplayName != upd.DisplayName)
	add("description", old.Description != upd.Description)
	add("required", old.Required != upd.Required)
	add("default_value", old.DefaultValue != upd.DefaultValue)
	add("placeholder", old.Placeholder != upd.Placeholder)
	add("authorize_url", old.AuthorizeURL != upd.AuthorizeURL)
	add("token_url", old.TokenURL != upd.TokenURL)
	add("scopes", !slices.Equal(old.Scopes, upd.Scopes))
	add("pkce", old.PKCE != upd.PKCE)
	add("refresh", old.Refresh != upd.Refresh)
	add("client_id", old.ClientID != upd.ClientID)
	add("fields", !slices.Equal(old.Fields, upd.Fields))
	return changed
}
