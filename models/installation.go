package models

import (
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

// Errors of installing, activating and changing installations.
var (
	ErrAppNotInstallable = &Error{Kind: KindNotFound, Code: "app_not_found", Message: "No such app in the marketplace."}
	ErrAppSuspended      = &Error{Kind: KindConflict, Code: "app_suspended",
		Message: "This app has been taken down by the marketplace and cannot be installed."}
	ErrNoPublishedDeployment = &Error{Kind: KindConflict, Code: "no_published_deployment",
		Message: "This app has no published version to install."}
	ErrInstallationSuspended = &Error{Kind: KindConflict, Code: "installation_suspended",
		Message: "This installation is suspended by the marketplace."}
	ErrInstallationRace = &Error{Kind: KindConflict, Code: "installation_conflict",
		Message: "Someone else is installing this app right now; try again."}
	ErrInstallationInactive = &Error{Kind: KindConflict, Code: "installation_not_active",
		Message: "This app is not installed."}
)

// ActivateInstallationInput names one generation of an installation.
type ActivateInstallationInput struct {
	InstallationID uuid.UUID
	AppID          uuid.UUID
	OrganizationID uuid.UUID
	Generation     int
	ActorID        uuid.UUID
}

// InstallationClientScopes are the app's required scopes and the sign-in ones.
func InstallationClientScopes(app *App) StringList {
	out := StringList{}
	seen := map[string]bool{}
	for _, sc := range append(append([]string{}, app.RequiredScopes...), InstallationScopes...) {
		if !seen[sc] {
			seen[sc] = true
			out = append(out, sc)
		}
	}
	return out
}
