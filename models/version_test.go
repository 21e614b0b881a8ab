package models_test

import (
	"testing"

	"appstore/models"
)

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

func TestNextVersion(t *testing.T) {
	str := map[string]any{"type": "string"}
	num := map[string]any{"type": "number", "minimum": 0}
	sel := map[string]any{"type": "string", "enum": []any{"a", "b"}}
	apiKey := map[string]any{"api_key": str}
	base := models.VersionBasis{ClientSHA256: "c1", ServerSHA256: "s1", SettingsSchema: schemaWith(apiKey, nil)}
	with := func(mod func(*models.VersionBasis)) models.VersionBasis {
		b := base
		mod(&b)
		return b
	}
	nested := func(inner map[string]any) models.JSONMap {
		return schemaWith(map[string]any{"api_key": str, "mapping": map[string]any{"type": "object", "properties": inner}}, nil)
	}
	tests := []struct {
		name    string
		highest string
		prev    *models.VersionBasis
		next    models.VersionBasis
		want    string
		bump    models.VersionBump
	}{
		{"first promotion", "", nil, base, "0.1.0", models.BumpInitial},
		{"metadata only", "0.1.0", &base, base, "0.1.1", models.BumpPatch},
		{"client bundle changed", "0.1.0", &base, with(func(b *models.VersionBasis) { b.ClientSHA256 = "c2" }), "0.2.0", models.BumpMinor},
		{"server bundle added", "1.4.2", &base, with(func(b *models.VersionBasis) { b.ServerSHA256 = "" }), "1.5.0", models.BumpMinor},
		{"setting added", "1.4.2", &base, with(func(b *models.VersionBasis) {
			b.SettingsSchema = schemaWith(apiKey, map[string]any{"theme": sel})
		}), "1.5.0", models.BumpMinor},
		{"setting removed", "1.4.2", &base, with(func(b *models.VersionBasis) { b.SettingsSchema = schemaWith(nil, nil) }), "2.0.0", models.BumpMajor},
		{"setting type changed", "1.4.2", &base, with(func(b *models.VersionBasis) {
			b.SettingsSchema = schemaWith(map[string]any{"api_key": num}, nil)
		}), "2.0.0", models.BumpMajor},
		{"string becomes a select", "1.4.2", &base, with(func(b *models.VersionBasis) {
			b.SettingsSchema = schemaWith(map[string]any{"api_key": sel}, nil)
		}), "2.0.0", models.BumpMajor},
		{"setting moves scope", "1.4.2", &base, with(func(b *models.VersionBasis) {
			b.SettingsSchema = schemaWith(nil, apiKey)
		}), "2.0.0", models.BumpMajor},
		{"constraint changed only", "1.4.2", &base, with(func(b *models.VersionBasis) {
			b.SettingsSchema = schemaWith(map[string]any{"api_key": map[string]any{"type": "string", "minLength": 8}}, nil)
		}), "1.4.3", models.BumpPatch},
		{"removal beats a bundle change", "1.4.2", &base, with(func(b *models.VersionBasis) {
			b.ClientSHA256, b.SettingsSchema = "c9", schemaWith(nil, nil)
		}), "2.0.0", models.BumpMajor},
		{"nested setting added", "0.3.0", &models.VersionBasis{ClientSHA256: "c1", ServerSHA256: "s1", SettingsSchema: nested(map[string]any{"a": str})},
			with(func(b *models.VersionBasis) { b.SettingsSchema = nested(map[string]any{"a": str, "b": num}) }), "0.4.0", models.BumpMinor},
		{"nested setting retyped", "0.3.0", &models.VersionBasis{ClientSHA256: "c1", ServerSHA256: "s1", SettingsSchema: nested(map[string]any{"a": str})},
			with(func(b *models.VersionBasis) { b.SettingsSchema = nested(map[string]any{"a": num}) }), "1.0.0", models.BumpMajor},
		// After rejected 0.2.0 and 0.3.0 the comparison is still with the
		// published 0.1.0, but the number continues from the highest.
		{"numbers never repeat after rejections", "0.3.0", &base, base, "0.3.1", models.BumpPatch},
		{"minor after rejections", "0.3.0", &base, with(func(b *models.VersionBasis) { b.ServerSHA256 = "s2" }), "0.4.0", models.BumpMinor},
		{"no basis but a version", "0.3.0", nil, base, "0.4.0", models.BumpMinor},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, bump, err := models.NextVersion(tt.highest, tt.prev, tt.next)
			if err != nil || got != tt.want || bump != tt.bump {
				t.Fatalf("NextVersion = %q %s %v, want %q %s", got, bump, err, tt.want, tt.bump)
			}
		})
	}
	if _, _, err := models.NextVersion("v1", &base, base); err == nil {
		t.Fatal("a highest version that is not semver was accepted")
	}
}
