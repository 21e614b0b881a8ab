package models_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"appstore/models"
	"appstore/models/modeltest"
)

func parseSchema(t *testing.T, src string) models.JSONMap {
	t.Helper()
	var m models.JSONMap
	if err := json.Unmarshal([]byte(src), &m); err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	return m
}

func TestValidateSettingsSchema(t *testing.T) {
	if err := models.ValidateSettingsSchema(models.DefaultSettingsSchema()); err != nil {
		t.Fatalf("default schema: %v", err)
	}
	good := []string{
		`{"type":"object","properties":{"organization":{"type":"object"},"user":{"type":"object"}}}`,
		`{"$schema":"https://json-schema.org/draft/2020-12/schema#","type":"object","properties":{
			"organization":{"type":"object","required":["api_key"],"properties":{
				"api_key":{"type":"string","minLength":8,"pattern":"^sk_"},
				"region":{"enum":["eu","us"]},
				"limits":{"type":"object","properties":{"max":{"type":"number","maximum":10}}}}},
			"user":{"type":"object","properties":{"dark":{"type":"boolean","default":false}}}}}`,
		`{"type":"object","$defs":{"s":{"type":"string"}},"properties":{"organization":{"type":"object","properties":{"a":{"$ref":"#/$defs/s"}}},"user":{"type":"object"}}}`,
	}
	for _, src := range good {
		if err := models.ValidateSettingsSchema(parseSchema(t, src)); err != nil {
			t.Errorf("%s: %v", src, err)
		}
	}
	bad := []struct {
		name, src string
		fields    []string
	}{
		{"not an object schema", `{"type":"array"}`, []string{"settings_schema.type", "settings_schema.properties"}},
		{"missing scope", `{"type":"object","properties":{"organization":{"type":"object"}}}`, []string{"settings_schema.properties.user"}},
		{"scope not an object", `{"type":"object","properties":{"organization":{"type":"string"},"user":true}}`,
			[]string{"settings_schema.properties.organization.type", "settings_schema.properties.user"}},
		{"extra scope", `{"type":"object","properties":{"organization":{"type":"object"},"user":{"type":"object"},"team":{"type":"object"}}}`,
			[]string{"settings_schema.properties.team"}},
		{"other draft", `{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","properties":{"organization":{"type":"object"},"user":{"type":"object"}}}`,
			[]string{"settings_schema.$schema"}},
		{"breaks the meta-schema", `{"type":"object","properties":{"organization":{"type":"object","properties":{"n":{"type":"numbr","minimum":"0"}}},"user":{"type":"object"}}}`,
			[]string{"settings_schema.properties.organization.properties.n.type", "settings_schema.properties.organization.properties.n.minimum"}},
		{"bad pattern", `{"type":"object","properties":{"organization":{"type":"object","properties":{"p":{"type":"string","pattern":"(["}}},"user":{"type":"object"}}}`,
			[]string{"settings_schema.properties.organization.properties.p.pattern"}},
		{"reads a file", `{"type":"object","properties":{"organization":{"$ref":"file:///etc/passwd","type":"object"},"user":{"type":"object"}}}`,
			[]string{"settings_schema"}},
		{"fetches a URL", `{"type":"object","properties":{"organization":{"$ref":"https://example.com/s.json","type":"object"},"user":{"type":"object"}}}`,
			[]string{"settings_schema"}},
		{"dangling reference", `{"type":"object","properties":{"organization":{"$ref":"#/$defs/nope","type":"object"},"user":{"type":"object"}}}`,
			[]string{"settings_schema"}},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			err := models.ValidateSettingsSchema(parseSchema(t, tt.src))
			de := modeltest.WantError(t, err, models.KindInvalid, "invalid_settings_schema")
			got := fmt.Sprint(de.Fields)
			for _, f := range tt.fields {
				found := false
				for _, fe := range de.Fields {
					found = found || fe.Field == f
				}
				if !found {
					t.Errorf("fields %s lack %s", got, f)
				}
			}
			if strings.Contains(got, "root:") {
				t.Errorf("fields leak system files: %s", got)
			}
		})
	}
}

func TestValidateEnvironment(t *testing.T) {
	if err := models.ValidateEnvironment(models.JSONMap{"API_URL": "https://x", "_DEBUG": "", "A1": "v"}); err != nil {
		t.Fatal(err)
	}
	many := models.JSONMap{}
	for i := range models.MaxEnvironmentVars + 1 {
		many[fmt.Sprintf("K%d", i)] = "v"
	}
	for name, env := range map[string]models.JSONMap{
		"lower case":  {"api_url": "x"},
		"digit first": {"1A": "x"},
		"dash":        {"A-B": "x"},
		"number":      {"PORT": 8080.0},
		"object":      {"CFG": map[string]any{}},
		"too long":    {"BIG": strings.Repeat("x", models.MaxEnvironmentValueLen+1)},
		"too many":    many,
	} {
		if err := models.ValidateEnvironment(env); err == nil {
			t.Errorf("%s: accepted", name)
		} else {
			modeltest.WantError(t, err, models.KindInvalid, "invalid_environment")
		}
	}
}
