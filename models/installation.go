package models

import (
	"fmt"

	"github.com/google/uuid"
)

// Installation events: delivered to the app's own webhook URL (signed with
// its whsec secret) and recorded in the event log.
const (
	EventAppInstalled   EventType = "app.installed"
	EventAppUninstalled EventType = "app.uninstalled"
	EventSecretRotated  EventType = "secret.rotated"
)

func init() {
	EventTypes = append(EventTypes, EventAppInstalled, EventAppUninstalled, EventSecretRotated)
}

// InstallationScopes are the scopes every installation client gets on top
// of the app's required scopes: those of OpenID Connect sign-in.
var InstallationScopes = []string{"openid", "profile", "email"}

// installationSecretPurpose binds the ciphertext of an installation
// client's secret to the client and the generation: a secret.rotated
// delivery of generation n can never decrypt generation n+1's secret.
func installationSecretPurpose(clientID string, generation int) string {
	return fmt.Sprintf("installation-client-secret:%s:%d", clientID, generation)
}

// InstallationView is one installation as the organization's pages and
// API show it.
type InstallationView struct {
	Installation
	AppSlug         string  `json:"app_slug"`
	AppTitle        string  `json:"app_title"`
	AppAvatarURL    string  `json:"app_avatar_url"`
	AppURL          string  `json:"app_url"`
	Version         *string `json:"version"`
	InstalledByName string  `json:"installed_by_name"`
	CanAccess       bool    `json:"can_access"` // the caller's
	IsAppAdmin      bool    `json:"is_app_admin"`
	ClientID        string  `json:"client_id,omitempty"`
}

// InstallPlan is what the API computes before it starts (or attaches to)
// an Installation run.
type InstallPlan struct {
	InstallationID uuid.UUID
	Generation     int  // the run's generation: install-<id>-<generation>
	Active         bool // already installed: the run exists and answers
	App            *App
}

// InstallationCredentials is what an app.installed or secret.rotated
// webhook carries besides its payload: read at send time, never stored in
// a workflow history.
type InstallationCredentials struct {
	ClientID     string
	ClientSecret string // "" once delivered (the ciphertext is erased)
}
