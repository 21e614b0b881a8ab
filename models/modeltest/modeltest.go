// Package modeltest holds the fixtures and assertions that the domain's
// tests and the store's tests share. Only tests import it.
package modeltest

import (
	"crypto/rand"
	"testing"
	"time"

	"appstore/models"
)

// WantError fails unless err is a domain error of kind and, when code is
// not empty, of code.
func WantError(t testing.TB, err error, kind models.Kind, code string) *models.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s/%s", kind, code)
	}
	de, ok := models.AsError(err)
	if !ok {
		t.Fatalf("error %v is not a *models.Error, want %s/%s", err, kind, code)
	}
	if de.Kind != kind || (code != "" && de.Code != code) {
		t.Fatalf("error %v has kind %s code %s, want %s/%s", err, de.Kind, de.Code, kind, code)
	}
	return de
}

// NewEncryptionKey is a random key of models.EncryptionKeySize bytes.
func NewEncryptionKey(t testing.TB) []byte {
	t.Helper()
	k := make([]byte, models.EncryptionKeySize)
	rand.Read(k)
	return k
}

// NewEncrypter is an Encrypter under a fresh random key.
func NewEncrypter(t testing.TB) *models.Encrypter {
	t.Helper()
	e, err := models.NewEncrypter(NewEncryptionKey(t))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// APIKeyInput is a valid api_key connection definition, changed by mod.
func APIKeyInput(mod func(*models.ConnectionDefinitionInput)) models.ConnectionDefinitionInput {
	in := models.ConnectionDefinitionInput{Key: "mailer", Type: models.ConnectionAPIKey, DisplayName: "Mailer API key"}
	if mod != nil {
		mod(&in)
	}
	return in
}

// OAuth2Input is a complete oauth2 connection definition, changed by mod.
func OAuth2Input(mod func(*models.ConnectionDefinitionInput)) models.ConnectionDefinitionInput {
	in := models.ConnectionDefinitionInput{Key: "github", Type: models.ConnectionOAuth2, DisplayName: "GitHub",
		AuthorizeURL: "https://github.com/login/oauth/authorize", TokenURL: "https://github.com/login/oauth/access_token",
		Scopes: []string{"repo", "read:user"}, ClientID: "Iv1.abc", ClientSecret: "shh"}
	if mod != nil {
		mod(&in)
	}
	return in
}

// CustomInput is a custom connection definition with a secret field,
// changed by mod.
func CustomInput(mod func(*models.ConnectionDefinitionInput)) models.ConnectionDefinitionInput {
	in := models.ConnectionDefinitionInput{Key: "smtp", Type: models.ConnectionCustom, DisplayName: "SMTP server",
		Fields: []models.ConnectionField{{Key: "host", Label: "Host", Required: true}, {Key: "password", Label: "Password", Secret: true}}}
	if mod != nil {
		mod(&in)
	}
	return in
}

// SettingsSchema has a rule of every kind the settings builders make.
func SettingsSchema() models.JSONMap {
	return models.JSONMap{
		"$schema": models.SettingsSchemaDraft,
		"type":    "object",
		"properties": map[string]any{
			"organization": map[string]any{
				"type":                 "object",
				"additionalProperties": false,
				"required":             []any{"region", "seats"},
				"properties": map[string]any{
					"region":  map[string]any{"type": "string", "enum": []any{"eu", "us"}, "x-enum-labels": []any{"Europe", "United States"}},
					"seats":   map[string]any{"type": "integer", "minimum": 1, "maximum": 500},
					"ratio":   map[string]any{"type": "number", "minimum": 0, "maximum": 1},
					"name":    map[string]any{"type": "string", "minLength": 3, "maxLength": 20},
					"api_url": map[string]any{"type": "string", "pattern": "^https://"},
					"notify":  map[string]any{"type": "boolean"},
					"limits": map[string]any{"type": "object", "required": []any{"daily"}, "additionalProperties": false,
						"properties": map[string]any{"daily": map[string]any{"type": "integer", "minimum": 0}}},
				},
			},
			"user": map[string]any{"type": "object", "properties": map[string]any{
				"theme": map[string]any{"type": "string", "enum": []any{"light", "dark"}},
			}},
		},
	}
}

// Codes lists the codes of checks, in order.
func Codes(checks []models.PublishCheck) []string {
	out := []string{}
	for _, c := range checks {
		out = append(out, c.Code)
	}
	return out
}

// BaseTime has microsecond precision, as PostgreSQL keeps it.
var BaseTime = time.Date(2025, 3, 14, 15, 9, 26, 535897000, time.UTC)
