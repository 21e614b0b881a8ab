package models_test

import (
	"strings"
	"testing"

	"appstore/models"
)

func validManifest() models.Manifest {
	return models.Manifest{
		Surfaces: []models.Surface{
			{Kind: models.SurfaceRecordWidget, ID: "hello", Title: "Hello", RecordTypes: []string{"contact"}},
			{Kind: models.SurfaceTextAction, ID: "quote", Title: "Quote", Fields: []string{"transcript"}},
			{Kind: models.SurfaceQuickAction, ID: "jump", Title: "Jump"},
		},
		ServerFunctions: []string{"src/greet.server.ts#greet"},
		Workflow: models.WorkflowManifest{
			Blocks: []models.WorkflowBlock{{ID: "greet", Title: "Greet", Function: "src/greet.server.ts#greet",
				Input: models.JSONMap{"type": "object"}, Output: models.JSONMap{"type": "string"}, Retry: &models.RetryPolicy{MaxAttempts: 3}}},
			Triggers: []models.WorkflowTrigger{{ID: "greeted", Title: "Greeted", Output: models.JSONMap{"type": "object"}}},
		},
		Webhooks:      []models.WebhookHandler{{ID: "incoming", Title: "Incoming", Trigger: "greeted"}},
		OutboundHosts: []string{"api.example.com", "*.example.org"},
	}
}

func TestManifestValidate(t *testing.T) {
	if err := validManifest().Validate(); err != nil {
		t.Fatalf("valid manifest refused: %v", err)
	}
	if err := (models.Manifest{}).Validate(); err != nil {
		t.Fatalf("empty manifest refused: %v", err)
	}
	cases := map[string]struct {
		mod   func(*models.Manifest)
		field string
	}{
		"unknown kind":        {func(m *models.Manifest) { m.Surfaces[0].Kind = "sidebar" }, "manifest.surfaces[0].kind"},
		"duplicate id":        {func(m *models.Manifest) { m.Surfaces[1].ID = "hello" }, "manifest.surfaces[1].id"},
		"bad id":              {func(m *models.Manifest) { m.Surfaces[0].ID = "Hello World" }, "manifest.surfaces[0].id"},
		"empty title":         {func(m *models.Manifest) { m.Surfaces[0].Title = "  " }, "manifest.surfaces[0].title"},
		"no record types":     {func(m *models.Manifest) { m.Surfaces[0].RecordTypes = nil }, "manifest.surfaces[0].record_types"},
		"unknown record type": {func(m *models.Manifest) { m.Surfaces[0].RecordTypes = []string{"invoice"} }, "manifest.surfaces[0].record_types"},
		"unknown text field":  {func(m *models.Manifest) { m.Surfaces[1].Fields = []string{"audio"} }, "manifest.surfaces[1].fields"},
		"fields on a widget":  {func(m *models.Manifest) { m.Surfaces[0].Fields = []string{"summary"} }, "manifest.surfaces[0].fields"},
		"bad function ref":    {func(m *models.Manifest) { m.ServerFunctions[0] = "greet" }, "manifest.server_functions[0]"},
		"undeclared function": {func(m *models.Manifest) { m.Workflow.Blocks[0].Function = "src/x.server.ts#y" }, "manifest.workflow.blocks[0].function"},
		"missing schema":      {func(m *models.Manifest) { m.Workflow.Blocks[0].Input = nil }, "manifest.workflow.blocks[0].input"},
		"bad schema":          {func(m *models.Manifest) { m.Workflow.Blocks[0].Output = models.JSONMap{"type": 7} }, "manifest.workflow.blocks[0].output"},
		"remote schema ref": {func(m *models.Manifest) {
			m.Workflow.Triggers[0].Output = models.JSONMap{"$ref": "https://example.com/s.json"}
		}, "manifest.workflow.triggers[0].output"},
		"bad retry":       {func(m *models.Manifest) { m.Workflow.Blocks[0].Retry.MaxAttempts = 0 }, "manifest.workflow.blocks[0].retry"},
		"unknown trigger": {func(m *models.Manifest) { m.Webhooks[0].Trigger = "nope" }, "manifest.webhooks[0].trigger"},
		"bad host":        {func(m *models.Manifest) { m.OutboundHosts[0] = "http://api.example.com" }, "manifest.outbound_hosts[0]"},
		"NUL in title":    {func(m *models.Manifest) { m.Surfaces[2].Title = "a\x00b" }, "manifest.surfaces[2].title"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			m := validManifest()
			c.mod(&m)
			err := m.Validate()
			e, ok := models.AsError(err)
			if !ok || e.Code != "invalid_manifest" {
				t.Fatalf("got %v, want invalid_manifest", err)
			}
			var fields []string
			for _, f := range e.Fields {
				fields = append(fields, f.Field)
				if f.Field == c.field {
					return
				}
			}
			t.Fatalf("fields %s, want %s", strings.Join(fields, ", "), c.field)
		})
	}
}

func TestManifestMarshalsEmptyLists(t *testing.T) {
	raw, err := models.Manifest{}.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "null") {
		t.Fatalf("empty manifest marshals with nulls: %s", raw)
	}
}
