package web

import (
	"encoding/json"
	"io/fs"
	"testing"
)

// The runtime page trusts runtime.json: every file it names must be in
// the embedded build, and the SDK sources must not drag in node_modules.
func TestRuntimeBuildIsComplete(t *testing.T) {
	raw, err := fs.ReadFile(Runtime(), "runtime.json")
	if err != nil {
		t.Fatal(err)
	}
	var idx struct {
		Imports map[string]string `json:"imports"`
		Boot    string            `json:"boot"`
	}
	if err := json.Unmarshal(raw, &idx); err != nil {
		t.Fatal(err)
	}
	for _, spec := range []string{"react", "react/jsx-runtime", "@appstore/sdk", "@appstore/sdk/settings"} {
		if idx.Imports[spec] == "" {
			t.Errorf("runtime.json maps no file for %s", spec)
		}
	}
	files := []string{idx.Boot}
	for _, f := range idx.Imports {
		files = append(files, f)
	}
	for _, f := range files {
		if _, err := fs.Stat(Runtime(), f); err != nil {
			t.Errorf("runtime.json names %s: %v", f, err)
		}
	}
	for _, name := range []string{"index.ts", "settings.ts", "components.ts", "app.ts", "host.ts", "protocol.ts"} {
		if _, err := fs.Stat(SDK(), name); err != nil {
			t.Errorf("SDK() lacks %s: %v", name, err)
		}
	}
	if _, err := fs.Stat(SDK(), "node_modules"); err == nil {
		t.Error("SDK() embeds node_modules")
	}
}
