package pages

import (
	"testing"

	"appstore/models"
)

func TestBuildSettingsForm(t *testing.T) {
	schema := map[string]any{
		"type":     "object",
		"x-order":  []any{"size", "name"},
		"required": []any{"name"},
		"properties": map[string]any{
			"name":   map[string]any{"type": "string", "default": "Acme", "minLength": float64(2)},
			"size":   map[string]any{"enum": []any{float64(1), float64(2)}, "x-enum-labels": []any{"Small", "Large"}},
			"token":  map[string]any{"type": "string", "format": "password"},
			"weight": map[string]any{"type": "number", "multipleOf": 0.5},
			"extra":  map[string]any{"type": "object", "properties": map[string]any{"on": map[string]any{"type": "boolean"}}},
		},
	}
	f := buildSettingsForm(models.ScopeUser, "/x", schema, map[string]any{"size": float64(2), "extra": map[string]any{"on": true}})
	var names []string
	byName := map[string]settingsField{}
	for _, fl := range f.Fields {
		names = append(names, fl.Name)
		byName[fl.Name] = fl
	}
	if len(names) != 5 || names[0] != "size" || names[1] != "name" || names[2] != "extra" {
		t.Fatalf("order %v", names)
	}
	if n := byName["name"]; n.Value != "Acme" || !n.Required || n.MinLength != "2" || n.Kind != "text" {
		t.Fatalf("name %+v", n)
	}
	if s := byName["size"]; s.Kind != "select" || s.Type != "number" || s.Options[1].Label != "Large" || !s.Options[1].Selected || s.Options[0].Selected {
		t.Fatalf("size %+v", s)
	}
	if tk := byName["token"]; tk.Kind != "password" {
		t.Fatalf("token %+v", tk)
	}
	if w := byName["weight"]; w.Kind != "number" || w.Step != "0.5" || w.Type != "number" {
		t.Fatalf("weight %+v", w)
	}
	if e := byName["extra"]; e.Kind != "fieldset" || len(e.Fields) != 1 || e.Fields[0].Name != "extra.on" || !e.Fields[0].Checked || e.Fields[0].ID != "setting-user-extra-on" {
		t.Fatalf("extra %+v", e)
	}
}
