package postgres_test

import (
	"crypto/rand"
	"slices"
	"testing"
	"time"

	"appstore/models"
)

// Copies of helpers of the domain tests in package models, which the store
// tests use as well.

func connBool(v bool) *bool { return &v }

// fieldsOf returns the sorted field names of errs.
func errorFields(errs []models.FieldError) []string {
	out := []string{}
	for _, e := range errs {
		out = append(out, e.Field)
	}
	slices.Sort(out)
	return out
}

func apiKeyInput(mod func(*models.ConnectionDefinitionInput)) models.ConnectionDefinitionInput {
	in := models.ConnectionDefinitionInput{Key: "mailer", Type: models.ConnectionAPIKey, DisplayName: "Mailer API key"}
	if mod != nil {
		mod(&in)
	}
	return in
}

func oauth2Input(mod func(*models.ConnectionDefinitionInput)) models.ConnectionDefinitionInput {
	in := models.ConnectionDefinitionInput{Key: "github", Type: models.ConnectionOAuth2, DisplayName: "GitHub",
		AuthorizeURL: "https://github.com/login/oauth/authorize", TokenURL: "https://github.com/login/oauth/access_token",
		Scopes: []string{"repo", "read:user"}, ClientID: "Iv1.abc", ClientSecret: "shh"}
	if mod != nil {
		mod(&in)
	}
	return in
}

func customInput(mod func(*models.ConnectionDefinitionInput)) models.ConnectionDefinitionInput {
	in := models.ConnectionDefinitionInput{Key: "smtp", Type: models.ConnectionCustom, DisplayName: "SMTP server",
		Fields: []models.ConnectionField{{Key: "host", Label: "Host", Required: true}, {Key: "password", Label: "Password", Secret: true}}}
	if mod != nil {
		mod(&in)
	}
	return in
}

func newEncryptionKey(t testing.TB) []byte {
	t.Helper()
	k := make([]byte, models.EncryptionKeySize)
	rand.Read(k)
	return k
}

func newEncrypter(t testing.TB) *models.Encrypter {
	t.Helper()
	e, err := models.NewEncrypter(newEncryptionKey(t))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// baseTime has microsecond precision, as PostgreSQL keeps it.
var baseTime = time.Date(2025, 3, 14, 15, 9, 26, 535897000, time.UTC)

func codes(checks []models.PublishCheck) []string {
	out := []string{}
	for _, c := range checks {
		out = append(out, c.Code)
	}
	return out
}

// testSettingsSchema has a rule of every kind the settings builders make.
func testSettingsSchema() models.JSONMap {
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

// wantError fails unless err is a domain error of kind and, when code is
// not empty, of code.
func wantError(t *testing.T, err error, kind models.Kind, code string) *models.Error {
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

// schemaWith returns a settings schema whose organization scope has props.
func schemaWith(org map[string]any, user map[string]any) models.JSONMap {
	s := models.DefaultSettingsSchema()
	p := s["properties"].(map[string]any)
	if org != nil {
		p["organization"].(map[string]any)["properties"] = org
	}
	if user != nil {
		p["user"].(map[string]any)["properties"] = user
	}
	return s
}
