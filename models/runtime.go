package models

import (
	"strconv"

	"github.com/google/uuid"
)

// RuntimeApp is one installation whose client bundle a member's page may
// run (DESIGN §7): an active installation of the organization, with a
// client bundle, that the member has access to.
type RuntimeApp struct {
	InstallationID     uuid.UUID        `json:"installation_id"`
	InstallationType   InstallationType `json:"installation_type"`
	AppID              uuid.UUID        `json:"app_id"`
	AppSlug            string           `json:"app_slug"`
	AppTitle           string           `json:"app_title"`
	DeveloperAccountID uuid.UUID        `json:"-"`
	OrganizationID     uuid.UUID        `json:"organization_id"`
	DeploymentID       uuid.UUID        `json:"deployment_id"`
	ClientBundleSHA256 string           `gorm:"column:client_bundle_sha256" json:"-"`
	Manifest           Manifest         `gorm:"serializer:json" json:"-"`
}

// Runtime event types: what the host refused from an app's frame, logged
// for the app's developers.
const (
	EventAppRenderRefused  EventType = "app.render_refused"
	EventAppMessageRefused EventType = "app.message_refused"
)

// RuntimeRefusal is one report from the host runtime: what it refused and
// why. Reason is the host's words; Component and Prop name the offending
// part of a render.
type RuntimeRefusal struct {
	Kind      string `json:"kind"` // "render" or "message"
	Reason    string `json:"reason"`
	Component string `json:"component,omitempty"`
	Prop      string `json:"prop,omitempty"`
	Message   string `json:"message,omitempty"` // the refused message's type
}

// Validate checks a refusal report from a browser: fixed kinds, short text.
func (r RuntimeRefusal) Validate() error {
	var p []FieldError
	if r.Kind != "render" && r.Kind != "message" {
		p = append(p, FieldError{Field: "kind", Message: `must be "render" or "message"`})
	}
	for _, f := range []struct {
		name, value string
		max         int
	}{{"reason", r.Reason, 500}, {"component", r.Component, 100}, {"prop", r.Prop, 100}, {"message", r.Message, 100}} {
		if len(f.value) > f.max || TextProblem(f.value) != "" {
			p = append(p, FieldError{Field: f.name, Message: "must be text of at most " + strconv.Itoa(f.max) + " bytes"})
		}
	}
	if r.Reason == "" {
		p = append(p, FieldError{Field: "reason", Message: "is required"})
	}
	if len(p) > 0 {
		return Invalid("invalid_refusal", "The refusal report is not valid.", p...)
	}
	return nil
}

// ErrBundleNotFound answers a runtime request for a bundle the app does
// not have.
var ErrBundleNotFound = &Error{Kind: KindNotFound, Code: "bundle_not_found", Message: "No such bundle."}
