package models_test

import (
	"slices"
	"strings"
	"testing"

	"appstore/models"
	"appstore/models/modeltest"
)

func TestValidateSettingsValues(t *testing.T) {
	t.Parallel()
	base := func() map[string]any { return map[string]any{"region": "eu", "seats": 5} }
	with := func(k string, v any) map[string]any { m := base(); m[k] = v; return m }
	without := func(k string) map[string]any { m := base(); delete(m, k); return m }
	cases := []struct {
		name   string
		values map[string]any
		want   []models.FieldError // nil: valid
	}{
		{"minimal", base(), nil},
		{"everything", map[string]any{"region": "us", "seats": 500, "ratio": 0.5, "name": "Acme", "api_url": "https://x.test",
			"notify": true, "limits": map[string]any{"daily": 0}}, nil},
		{"string for integer", with("seats", "five"), []models.FieldError{{Field: "organization.seats", Message: "must be a whole number"}}},
		{"fraction for integer", with("seats", 2.5), []models.FieldError{{Field: "organization.seats", Message: "must be a whole number"}}},
		{"number for boolean", with("notify", 1), []models.FieldError{{Field: "organization.notify", Message: "must be true or false"}}},
		{"number for string", with("name", 12345), []models.FieldError{{Field: "organization.name", Message: "must be text"}}},
		{"below minimum", with("seats", 0), []models.FieldError{{Field: "organization.seats", Message: "must be at least 1"}}},
		{"above maximum", with("seats", 501), []models.FieldError{{Field: "organization.seats", Message: "must be at most 500"}}},
		{"fraction above maximum", with("ratio", 1.5), []models.FieldError{{Field: "organization.ratio", Message: "must be at most 1"}}},
		{"too short", with("name", "ab"), []models.FieldError{{Field: "organization.name", Message: "must be at least 3 characters long"}}},
		{"too long", with("name", strings.Repeat("a", 21)), []models.FieldError{{Field: "organization.name", Message: "must be at most 20 characters long"}}},
		{"pattern", with("api_url", "http://x.test"), []models.FieldError{{Field: "organization.api_url", Message: "must match the pattern ^https://"}}},
		{"enum", with("region", "asia"), []models.FieldError{{Field: "organization.region", Message: "must be one of eu, us"}}},
		{"required", without("region"), []models.FieldError{{Field: "organization.region", Message: "is required"}}},
		{"two required", map[string]any{}, []models.FieldError{
			{Field: "organization.region", Message: "is required"}, {Field: "organization.seats", Message: "is required"}}},
		{"unknown key", with("colour", "red"), []models.FieldError{{Field: "organization.colour", Message: "is not a setting of this app"}}},
		{"nested type", with("limits", map[string]any{"daily": "lots"}), []models.FieldError{{Field: "organization.limits.daily", Message: "must be a whole number"}}},
		{"nested minimum", with("limits", map[string]any{"daily": -1}), []models.FieldError{{Field: "organization.limits.daily", Message: "must be at least 0"}}},
		{"nested required", with("limits", map[string]any{}), []models.FieldError{{Field: "organization.limits.daily", Message: "is required"}}},
		{"nested unknown", with("limits", map[string]any{"daily": 1, "hourly": 2}), []models.FieldError{{Field: "organization.limits.hourly", Message: "is not a setting of this app"}}},
		{"struct not object", with("limits", 3), []models.FieldError{{Field: "organization.limits", Message: "must be a group of settings"}}},
		{"several at once", map[string]any{"region": "asia", "seats": 0, "name": "ab"}, []models.FieldError{
			{Field: "organization.name", Message: "must be at least 3 characters long"},
			{Field: "organization.region", Message: "must be one of eu, us"},
			{Field: "organization.seats", Message: "must be at least 1"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := models.ValidateSettingsValues(modeltest.SettingsSchema(), models.ScopeOrganization, tc.values)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			e, ok := models.AsError(err)
			if !ok || e.Code != "invalid_settings" {
				t.Fatalf("want invalid_settings, got %v", err)
			}
			got := slices.Clone(e.Fields)
			slices.SortFunc(got, func(a, b models.FieldError) int { return strings.Compare(a.Field, b.Field) })
			if !slices.Equal(got, tc.want) {
				t.Fatalf("field errors\n got %v\nwant %v", got, tc.want)
			}
		})
	}
	// The user scope is validated on its own: the organization's required
	// settings do not apply to it.
	if err := models.ValidateSettingsValues(modeltest.SettingsSchema(), models.ScopeUser, map[string]any{"theme": "dark"}); err != nil {
		t.Fatalf("user scope: %v", err)
	}
	err := models.ValidateSettingsValues(modeltest.SettingsSchema(), models.ScopeUser, map[string]any{"theme": "blue"})
	if e, ok := models.AsError(err); !ok || len(e.Fields) != 1 || e.Fields[0].Field != "user.theme" {
		t.Fatalf("user scope error: %v", err)
	}
}
