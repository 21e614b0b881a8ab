package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dop251/goja"
	"github.com/evanw/esbuild/pkg/api"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"appstore/models"
)

// expectedExampleSchema is what examples/hello-widget/src/app.settings.ts
// declares, as DESIGN §5 shapes it.
const expectedExampleSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "organization": {
      "type": "object",
      "additionalProperties": false,
      "required": ["greeting", "dailyLimit", "enabled", "language", "support"],
      "properties": {
        "greeting": {"type": "string", "title": "Greeting", "description": "The word the widget greets with.",
          "minLength": 2, "maxLength": 40, "default": "Hello"},
        "dailyLimit": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100, "title": "Greetings per day"},
        "enabled": {"type": "boolean", "default": true, "title": "Enabled"},
        "language": {"type": "string", "enum": ["en", "de", "fr"], "x-enum-labels": ["English", "Deutsch", "Français"],
          "default": "en", "title": "Language"},
        "support": {
          "type": "object", "title": "Support contact", "description": "Shown when a greeting fails.",
          "additionalProperties": false,
          "required": ["email"],
          "properties": {
            "email": {"type": "string", "title": "Email", "pattern": "^[^@\\s]+@[^@\\s]+$"},
            "phone": {"type": "string", "title": "Phone", "maxLength": 20}
          }
        }
      }
    },
    "user": {
      "type": "object",
      "additionalProperties": false,
      "required": ["theme"],
      "properties": {
        "nickname": {"type": "string", "title": "Nickname", "maxLength": 30},
        "theme": {"type": "string", "enum": ["light", "dark", "system"], "default": "system", "title": "Theme"},
        "fontScale": {"type": "number", "minimum": 0.5, "maximum": 2, "default": 1, "title": "Font scale"},
        "language": {"type": "string", "enum": ["en", "de", "fr"], "x-enum-labels": ["English", "Deutsch", "Français"], "title": "Language"}
      }
    }
  }
}`

func TestBuildExample(t *testing.T) {
	dir := copyExample(t)
	r := newCLI(t).ok("build", "--dir", dir)
	dist := filepath.Join(dir, "dist")

	// The client calls the server module through the SDK and never holds
	// the server function's code; React and the SDK come from the
	// runtime page's import map.
	client := readFile(t, filepath.Join(dist, "client.js"))
	for _, want := range []string{`"src/greet.server.ts#greet"`, `"src/greet.server.ts#greetingCount"`, `from"react/jsx-runtime"`, `from"react"`, `from"@appstore/sdk"`} {
		assert.Contains(t, client, want)
	}
	for _, bundled := range []string{`"run-server-function"`, `"appstore-extension"`, "describeApp"} {
		assert.NotContains(t, client, bundled, "the client bundle holds the SDK")
	}
	for _, server := range []string{"greeted on the server", "greeting number"} {
		assert.NotContains(t, client, server, "the client bundle holds the server function's body")
	}
	assert.NotContains(t, client, "defineSettings", "the client bundle holds the settings builders")

	// The server bundle holds it, keyed by path#export, and runs.
	server := readFile(t, filepath.Join(dist, "server.js"))
	assert.Contains(t, server, "greeted on the server")
	assert.Contains(t, server, `"src/greet.server.ts#greet":`)
	assert.Equal(t, "Hello, Ada! (greeted on the server, greeting number 1)",
		callServerFunction(t, server, "src/greet.server.ts#greet", `"Ada", {excited: true}`))

	// The manifest describes the files on disk.
	var m buildManifest
	require.NoError(t, json.Unmarshal([]byte(readFile(t, filepath.Join(dist, "manifest.json"))), &m))
	functions := []string{"src/greet.server.ts#greet", "src/greet.server.ts#greetBlock", "src/greet.server.ts#greetingCount"}
	assert.Equal(t, functions, m.ServerFunctions)
	for _, a := range []*artifact{m.Client, m.Server, m.SettingsSchema, m.AppManifest} {
		require.NotNil(t, a)
		raw, err := os.ReadFile(filepath.Join(dist, a.File))
		require.NoError(t, err)
		sum := sha256.Sum256(raw)
		assert.Equal(t, hex.EncodeToString(sum[:]), a.SHA256, a.File)
		assert.Equal(t, int64(len(raw)), a.SizeBytes, a.File)
	}
	assert.Contains(t, r.stdout, "src/greet.server.ts#greet")

	// The same sources build to the same bytes: an unchanged app uploads nothing.
	newCLI(t).ok("build", "--dir", dir)
	var again buildManifest
	require.NoError(t, json.Unmarshal([]byte(readFile(t, filepath.Join(dist, "manifest.json"))), &again))
	assert.Equal(t, m, again)
}

// callServerFunction loads the server bundle (an ES module) into goja and
// awaits functions[key](args...), returning the result as a string.
func callServerFunction(t *testing.T, bundle, key, args string) string {
	t.Helper()
	// goja runs scripts: turn the module into one that sets a global.
	tr := api.Transform(bundle, api.TransformOptions{Format: api.FormatIIFE, GlobalName: "serverBundle", Target: api.ES2020})
	require.Empty(t, tr.Errors)
	vm := goja.New()
	_, err := vm.RunString(string(tr.Code) + `
		var result;
		serverBundle.default[` + jsString(key) + `](` + args + `).then(function (v) { result = v; }, function (e) { result = "rejected: " + e; });`)
	require.NoError(t, err)
	return vm.Get("result").String() // promise jobs ran when the script ended
}

func TestExampleSettingsSchema(t *testing.T) {
	dir := copyExample(t)
	newCLI(t).ok("build", "--dir", dir)
	raw := readFile(t, filepath.Join(dir, "dist", "settings.schema.json"))
	assert.JSONEq(t, expectedExampleSchema, raw)

	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(raw))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	require.NoError(t, c.AddResource("settings.schema.json", doc))
	schema, err := c.Compile("settings.schema.json")
	require.NoError(t, err)

	good := func() map[string]any {
		return map[string]any{
			"organization": map[string]any{"greeting": "Hi", "dailyLimit": 10, "enabled": true, "language": "de",
				"support": map[string]any{"email": "help@example.com"}},
			"user": map[string]any{"theme": "dark", "fontScale": 1.5},
		}
	}
	tests := []struct {
		name  string
		edit  func(v map[string]any)
		valid bool
	}{
		{"good", func(map[string]any) {}, true},
		{"only one scope", func(v map[string]any) { delete(v, "user") }, true},
		{"wrong type", func(v map[string]any) { org(v)["enabled"] = "yes" }, false},
		{"not an integer", func(v map[string]any) { org(v)["dailyLimit"] = 2.5 }, false},
		{"below min", func(v map[string]any) { org(v)["dailyLimit"] = 0 }, false},
		{"above max", func(v map[string]any) { v["user"].(map[string]any)["fontScale"] = 3 }, false},
		{"too short", func(v map[string]any) { org(v)["greeting"] = "H" }, false},
		{"not in enum", func(v map[string]any) { org(v)["language"] = "es" }, false},
		{"missing required", func(v map[string]any) { delete(org(v), "greeting") }, false},
		{"missing required in a struct", func(v map[string]any) { org(v)["support"] = map[string]any{"phone": "123"} }, false},
		{"pattern", func(v map[string]any) { org(v)["support"] = map[string]any{"email": "nobody"} }, false},
		{"unknown setting", func(v map[string]any) { org(v)["colour"] = "red" }, false},
		{"unknown scope", func(v map[string]any) { v["team"] = map[string]any{} }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := good()
			tc.edit(v)
			raw, _ := json.Marshal(v)
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
			require.NoError(t, err)
			err = schema.Validate(inst)
			if tc.valid {
				assert.NoError(t, err)
			} else {
				assert.Error(t, err, "%s should be rejected", raw)
			}
		})
	}
}

func org(v map[string]any) map[string]any { return v["organization"].(map[string]any) }

// expectedExampleManifest is what examples/hello-widget/src/app.tsx declares.
const expectedExampleManifest = `{
  "surfaces": [
    {"kind": "record-widget", "id": "hello", "title": "Hello widget", "record_types": ["contact"]},
    {"kind": "record-action", "id": "show-record", "title": "Show record", "record_types": ["contact", "ticket"]},
    {"kind": "bulk-action", "id": "list-selected", "title": "List selected", "record_types": ["contact", "ticket"]},
    {"kind": "quick-action", "id": "say-hi", "title": "Say hi"},
    {"kind": "text-action", "id": "show-text", "title": "Show selected text", "fields": ["transcript"]}
  ],
  "server_functions": ["src/greet.server.ts#greet", "src/greet.server.ts#greetBlock", "src/greet.server.ts#greetingCount"],
  "workflow": {
    "blocks": [{
      "id": "greet", "title": "Greet", "description": "Greets a name on the server.",
      "function": "src/greet.server.ts#greetBlock",
      "input": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string", "minLength": 1}}},
      "output": {"type": "object", "required": ["greeting"], "properties": {"greeting": {"type": "string"}}},
      "retry": {"max_attempts": 3, "initial_interval_ms": 1000, "backoff_coefficient": 2}
    }],
    "triggers": [{
      "id": "greeted", "title": "Someone was greeted",
      "output": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}
    }]
  },
  "webhooks": [],
  "outbound_hosts": []
}`

func TestExampleAppManifest(t *testing.T) {
	dir := copyExample(t)
	r := newCLI(t).ok("build", "--dir", dir)
	assert.JSONEq(t, expectedExampleManifest, readFile(t, filepath.Join(dir, "dist", "app.manifest.json")))
	assert.Contains(t, r.stdout, "surfaces: 5, workflow blocks: 1, triggers: 1")
}

func TestAppManifestDeclaresWebhooksAndHosts(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "appstore.json"), `{"name": "hooks"}`)
	writeFile(t, filepath.Join(dir, "src", "hooks.server.ts"), "export async function onOrder(body: unknown) { return body; }\n")
	writeFile(t, filepath.Join(dir, "src", "app.tsx"), `import { defineApp } from "@appstore/sdk";
import { createContext, memo } from "react";
import { onOrder } from "./hooks.server";
// Top-level React calls run at build time against a stub.
export const Theme = createContext("light");
export const Nothing = memo(() => null);
export default defineApp({
  workflow: { triggers: [{ id: "order-paid", title: "Order paid", output: { type: "object" } }] },
  webhooks: [{ id: "shop", title: "Shop orders", handler: onOrder, trigger: "order-paid" }],
  outboundHosts: ["api.shop.example", "*.cdn.example"],
});
`)
	newCLI(t).ok("build", "--dir", dir)
	var m models.Manifest
	require.NoError(t, json.Unmarshal([]byte(readFile(t, filepath.Join(dir, "dist", "app.manifest.json"))), &m))
	assert.Equal(t, []models.WebhookHandler{{ID: "shop", Title: "Shop orders", Function: "src/hooks.server.ts#onOrder", Trigger: "order-paid"}}, m.Webhooks)
	assert.Equal(t, []string{"api.shop.example", "*.cdn.example"}, m.OutboundHosts)
	assert.Empty(t, m.Surfaces)
}

func TestAppManifestErrors(t *testing.T) {
	tests := []struct {
		name, find, replace string
		want                []string
	}{
		{"a duplicate surface id", `id: "say-hi"`, `id: "hello"`, []string{"src/app.tsx", `duplicate surface id "hello"`}},
		{"an unknown record type", `recordTypes: ["contact"]`, `recordTypes: ["invoice"]`, []string{`unknown record type "invoice"`}},
		{"an empty title", `title: "Say hi"`, `title: " "`, []string{`quickActions[0] "say-hi": title must be`}},
		{"an unknown text field", "transcript: {\n      textActions", "subtitles: {\n      textActions", []string{`callRecording.subtitles: unknown field`}},
		{"a block without a server function", "run: greetBlock", `run: "src/nope.server.ts#nope"`,
			[]string{"src/app.tsx: the App definition", `manifest.workflow.blocks[0].function: "src/nope.server.ts#nope" is not one of the server functions (block "greet")`}},
		{"a block schema that is not a schema", `input: { type: "object"`, `input: { type: 12`,
			[]string{"src/app.tsx: the App definition", `manifest.workflow.blocks[0].input: is not a valid JSON Schema`}},
		{"a default export that is not an App", "export default defineApp({", "export const app = defineApp({", []string{"the default export is not an App", "defineApp"}},
		{"a widget without a component", "component: HelloWidget", "component: undefined", []string{`record.widgets[0] "hello": component must be a function`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyExample(t)
			path := filepath.Join(dir, "src", "app.tsx")
			src := readFile(t, path)
			require.Contains(t, src, tc.find)
			writeFile(t, path, strings.Replace(src, tc.find, tc.replace, 1))
			r := newCLI(t).run("build", "--dir", dir)
			require.Error(t, r.err)
			for _, want := range tc.want {
				assert.Contains(t, r.err.Error(), want)
			}
			assert.NoFileExists(t, filepath.Join(dir, "dist", "manifest.json"), "a failed build wrote dist/")
		})
	}
}

// TestManifestCheck shows the platform's manifest rules as build reports
// them: one line per problem, with the field path and the definition.
func TestManifestCheck(t *testing.T) {
	schema := models.JSONMap{"type": "object"}
	good := func() *models.Manifest {
		return &models.Manifest{
			ServerFunctions: []string{"src/a.server.ts#f"},
			Surfaces:        []models.Surface{{Kind: models.SurfaceRecordWidget, ID: "w", Title: "W", RecordTypes: []string{"contact"}}},
			Workflow: models.WorkflowManifest{
				Blocks: []models.WorkflowBlock{{ID: "b", Title: "B", Function: "src/a.server.ts#f", Input: schema, Output: schema}},
			},
		}
	}
	tests := []struct {
		name string
		edit func(m *models.Manifest)
		want string
	}{
		{"good", func(*models.Manifest) {}, ""},
		{"nothing declared", func(m *models.Manifest) { *m = models.Manifest{} }, ""},
		{"unknown kind", func(m *models.Manifest) { m.Surfaces[0].Kind = "sidebar" }, `manifest.surfaces[0].kind: must be one of record-widget,`},
		{"duplicate id", func(m *models.Manifest) { m.Surfaces = append(m.Surfaces, m.Surfaces[0]) },
			`manifest.surfaces[1].id: "w" is used by another surface (surface "w")`},
		{"no record types", func(m *models.Manifest) { m.Surfaces[0].RecordTypes = nil }, "manifest.surfaces[0].record_types: name at least one of"},
		{"empty title", func(m *models.Manifest) { m.Surfaces[0].Title = "" }, "manifest.surfaces[0].title: must be 1–200 characters"},
		{"bad id", func(m *models.Manifest) { m.Surfaces[0].ID = "Big Id" }, `manifest.surfaces[0].id: must be 1–64 lowercase letters, digits, - or _ (surface "Big Id")`},
		{"unknown function", func(m *models.Manifest) { m.Workflow.Blocks[0].Function = "src/a.server.ts#g" },
			`manifest.workflow.blocks[0].function: "src/a.server.ts#g" is not one of the server functions (block "b")`},
		{"not a schema", func(m *models.Manifest) { m.Workflow.Blocks[0].Output = models.JSONMap{"type": 12} }, "manifest.workflow.blocks[0].output: is not a valid JSON Schema"},
		{"bad retry", func(m *models.Manifest) { m.Workflow.Blocks[0].Retry = &models.RetryPolicy{MaxAttempts: 0} }, "manifest.workflow.blocks[0].retry: max_attempts 1–20"},
		{"unknown trigger", func(m *models.Manifest) {
			m.Webhooks = []models.WebhookHandler{{ID: "h", Title: "H", Function: "src/a.server.ts#f", Trigger: "nope"}}
		}, `manifest.webhooks[0].trigger: "nope" is not one of the triggers (webhook "h")`},
		{"bad host", func(m *models.Manifest) { m.OutboundHosts = []string{"Not A Host"} }, "manifest.outbound_hosts[0]: must be a lowercase DNS name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := good()
			tc.edit(m)
			err := checkManifest(*m)
			if tc.want == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), "the App definition breaks the platform's manifest rules")
			assert.Contains(t, err.Error(), "\n  "+tc.want)
		})
	}
}

func TestInitScaffoldsAProjectThatBuilds(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "Ticket Board")
	c := newCLI(t)
	r := c.ok("init", dir, "--app-id", "0190f0aa-0000-7000-8000-000000000001")
	for _, f := range []string{"appstore.json", "src/app.tsx", "src/hello.server.ts", "src/app.settings.ts", "tsconfig.json", ".gitignore"} {
		assert.FileExists(t, filepath.Join(dir, f))
		assert.Contains(t, r.stdout, f)
	}
	p, err := loadProject(dir)
	require.NoError(t, err)
	assert.Equal(t, "ticket-board", p.File.Name, "slug from the directory name")
	assert.Equal(t, "0190f0aa-0000-7000-8000-000000000001", p.File.AppID)

	c.ok("build", "--dir", dir)
	client := readFile(t, filepath.Join(dir, "dist", "client.js"))
	assert.Contains(t, client, `"src/hello.server.ts#hello"`)
	assert.NotContains(t, client, "Hello from the server")
	assert.Contains(t, readFile(t, filepath.Join(dir, "dist", "server.js")), "Hello from the server")
	schema := readFile(t, filepath.Join(dir, "dist", "settings.schema.json"))
	assert.Contains(t, schema, `"dailyLimit"`)
	var app models.Manifest
	require.NoError(t, json.Unmarshal([]byte(readFile(t, filepath.Join(dir, "dist", "app.manifest.json"))), &app))
	var kinds []string
	for _, s := range app.Surfaces {
		kinds = append(kinds, string(s.Kind))
	}
	assert.Equal(t, []string{"record-widget", "record-action", "bulk-action", "quick-action", "text-action"}, kinds, "the scaffold shows every surface kind")
	require.Len(t, app.Workflow.Blocks, 1)
	assert.Equal(t, "src/hello.server.ts#helloBlock", app.Workflow.Blocks[0].Function)
	assert.Len(t, app.Workflow.Triggers, 1)
	assert.Contains(t, client, `"Hello from ticket-board."`, "the scaffold is filled in with the slug")

	// A second init touches nothing.
	before := readFile(t, filepath.Join(dir, "src", "app.tsx"))
	r = c.run("init", dir, "--slug", "other-app")
	require.Error(t, r.err)
	assert.Contains(t, r.err.Error(), "never overwrites")
	assert.Equal(t, before, readFile(t, filepath.Join(dir, "src", "app.tsx")))

	// One existing file is enough to refuse, and nothing else is written.
	other := t.TempDir()
	writeFile(t, filepath.Join(other, "tsconfig.json"), "{}")
	r = c.run("init", other, "--slug", "other-app")
	require.Error(t, r.err)
	assert.Contains(t, r.err.Error(), "tsconfig.json")
	assert.NoFileExists(t, filepath.Join(other, "appstore.json"))

	assert.Error(t, c.run("init", t.TempDir(), "--slug", "No Good").err)
	assert.Error(t, c.run("init", t.TempDir(), "--slug", "fine-slug", "--app-id", "42").err)
}

func TestBuildErrorsPointAtTheSource(t *testing.T) {
	tests := []struct {
		name, file, find, replace string
		want                      []string
	}{
		{"syntax error in the client", "src/app.tsx", `const [name, setName] = useState("");`, `const [name, setName] = useState("") oops;`,
			[]string{"src/app.tsx:12:", `Expected ";" but found "oops"`, `useState("") oops;`}},
		{"syntax error in a server module", "src/greet.server.ts", "greetings += 1;", "greetings += ;",
			[]string{"src/greet.server.ts:12:", "Unexpected"}},
		{"import of a missing server function", "src/app.tsx", "import { greet, greetBlock, greetingCount }", "import { greet, greetBlock, farewell as greetingCount }",
			[]string{"src/app.tsx:", `No matching export`, `"farewell"`}},
		{"an SDK module that does not exist", "src/app.tsx", `Stack, TextBlock } from "@appstore/sdk";`, `Stack, TextBlock } from "@appstore/sdk/widgets";`,
			[]string{"src/app.tsx:", "@appstore/sdk/widgets"}},
		{"a builder refusing its arguments", "src/app.settings.ts", ".max(1000)", ".max(0)",
			[]string{"src/app.settings.ts:20:", "max 0 is below min 1"}},
		{"no default export", "src/app.settings.ts", "export default defineSettings", "const unused = defineSettings",
			[]string{"src/app.settings.ts", "export default defineSettings"}},
		{"an unknown scope", "src/app.settings.ts", "  user: {", "  team: {",
			[]string{"src/app.settings.ts", `unknown settings scope "team"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyExample(t)
			path := filepath.Join(dir, tc.file)
			src := readFile(t, path)
			require.Contains(t, src, tc.find)
			writeFile(t, path, strings.Replace(src, tc.find, tc.replace, 1))
			r := newCLI(t).run("build", "--dir", dir)
			require.Error(t, r.err)
			for _, want := range tc.want {
				assert.Contains(t, r.err.Error(), want)
			}
			assert.NoFileExists(t, filepath.Join(dir, "dist", "manifest.json"), "a failed build wrote dist/")
		})
	}
}

func TestServerModuleOutsideSrcIsRefused(t *testing.T) {
	dir := copyExample(t)
	writeFile(t, filepath.Join(dir, "lib", "clock.server.ts"), "export function now() { return Date.now(); }\n")
	app := filepath.Join(dir, "src", "app.tsx")
	writeFile(t, app, "import { now } from \"../lib/clock.server\";\n"+readFile(t, app)+"\nexport const t = now;\n")
	r := newCLI(t).run("build", "--dir", dir)
	require.Error(t, r.err)
	assert.Contains(t, r.err.Error(), "lib/clock.server.ts is a server module outside src/")
}
