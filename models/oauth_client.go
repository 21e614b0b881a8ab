package models

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
)

// OAuth client credential prefixes: the client id is public, the secret is
// shown once and kept only as its SHA-256.
const (
	OAuthClientIDPrefix     = "asc_"
	OAuthClientSecretPrefix = "ascs_"
)

// Secret states of an OAuth client, as the portal shows them.
const (
	SecretCurrent  = "current"
	SecretPrevious = "previous"
)

// OAuthClient is an app's OAuth client of the platform. Secrets are never
// kept: SecretHash is the current generation's digest, PreviousSecretHash
// the one before, still valid until PreviousExpiresAt after a rotation.
type OAuthClient struct {
	ID                 uuid.UUID  `gorm:"type:uuid;primaryKey" json:"-"`
	AppID              uuid.UUID  `gorm:"type:uuid" json:"app_id"`
	InstallationID     *uuid.UUID `gorm:"type:uuid" json:"-"`
	ClientID           string     `json:"client_id"`
	SecretHash         TokenHash  `json:"-"`
	SecretGeneration   int        `json:"-"`
	PreviousSecretHash TokenHash  `json:"-"`
	PreviousGeneration *int       `json:"-"`
	PreviousExpiresAt  *time.Time `json:"-"`
	RedirectURIs       StringList `gorm:"column:redirect_uris;type:jsonb" json:"redirect_uris"`
	Scopes             StringList `gorm:"type:jsonb" json:"scopes"`
	PKCERequired       bool       `gorm:"column:pkce_required" json:"pkce_required"`
	EntrypointURL      string     `json:"entrypoint_url"`
	Enabled            bool       `json:"enabled"`
	// SecretCiphertext is an installation client's current secret,
	// encrypted, until the webhook carrying it has been delivered.
	SecretCiphertext []byte     `json:"-"`
	RevokedAt        *time.Time `json:"-"` // an installation client's, on uninstall
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
}

// TableName is oauth_clients.
func (OAuthClient) TableName() string { return "oauth_clients" }

// ClientSecretState describes one valid secret of a client: never the
// secret or its hash, only its generation and until when it works.
type ClientSecretState struct {
	Generation int        `json:"generation"`
	State      string     `json:"state"`                // SecretCurrent or SecretPrevious
	ExpiresAt  *time.Time `json:"expires_at,omitempty"` // nil for the current secret
}

// Secrets lists the client's secrets that verify at now: the current one,
// and the previous one while its grace period lasts.
func (c *OAuthClient) Secrets(now time.Time) []ClientSecretState {
	out := []ClientSecretState{{Generation: c.SecretGeneration, State: SecretCurrent}}
	if c.PreviousValid(now) {
		exp := *c.PreviousExpiresAt
		out = append(out, ClientSecretState{Generation: *c.PreviousGeneration, State: SecretPrevious, ExpiresAt: &exp})
	}
	return out
}

// PreviousValid reports whether the previous secret still verifies at now.
func (c *OAuthClient) PreviousValid(now time.Time) bool {
	return c.PreviousSecretHash != nil && c.PreviousGeneration != nil &&
		c.PreviousExpiresAt != nil && now.Before(*c.PreviousExpiresAt)
}

// PublishInfo is what the publication checks need of the client.
func (c *OAuthClient) PublishInfo() PublishOAuth {
	if c == nil {
		return PublishOAuth{}
	}
	return PublishOAuth{
		Enabled:       c.Enabled,
		EntrypointURL: c.EntrypointURL,
		Scopes:        append([]string(nil), c.Scopes...),
		RedirectURIs:  append([]string(nil), c.RedirectURIs...),
	}
}

// OAuthUpdate changes the fields of an OAuth client that are not nil.
type OAuthUpdate struct {
	RedirectURIs  *[]string
	Scopes        *[]string // each from AppScopes
	EntrypointURL *string   // "" removes it
	PKCERequired  *bool
}

// MaxEntrypointURLLen bounds an OAuth client's entrypoint URL.
const MaxEntrypointURLLen = 2048

// Validate checks every set field and returns one error per bad value.
func (in OAuthUpdate) Validate(production bool) []FieldError {
	var errs []FieldError
	if in.RedirectURIs != nil {
		errs = append(errs, ValidateRedirectURIs(*in.RedirectURIs, production)...)
	}
	if in.Scopes != nil {
		seen := map[string]bool{}
		for i, s := range *in.Scopes {
			field := fmt.Sprintf("scopes[%d]", i)
			switch {
			case !IsAppScope(s):
				errs = append(errs, FieldError{Field: field,
					Message: fmt.Sprintf("%q is not a scope; choose from: %s", s, strings.Join(AppScopes, ", "))})
			case seen[s]:
				errs = append(errs, FieldError{Field: field, Message: fmt.Sprintf("%q is listed twice", s)})
			}
			seen[s] = true
		}
	}
	if in.EntrypointURL != nil {
		if msg := entrypointURLProblem(*in.EntrypointURL, production); msg != "" {
			errs = append(errs, FieldError{Field: "entrypoint_url", Message: msg})
		}
	}
	return errs
}

// entrypointURLProblem accepts "" (none) or an absolute https URL without
// user info (http to localhost only in development).
func entrypointURLProblem(raw string, production bool) string {
	if raw == "" {
		return ""
	}
	if len(raw) > MaxEntrypointURLLen {
		return fmt.Sprintf("must be at most %d characters", MaxEntrypointURLLen)
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || u.User != nil || strings.ContainsAny(raw, " \t\r\n") {
		return "must be an absolute URL such as https://example.com/start"
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && !production && isLoopbackHost(strings.ToLower(u.Hostname())):
	default:
		return "must use https"
	}
	return ""
}
