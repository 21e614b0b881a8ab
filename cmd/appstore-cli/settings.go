package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/dop251/goja"
	"github.com/evanw/esbuild/pkg/api"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// settingsGlobal is the global the settings IIFE assigns its exports to.
const settingsGlobal = "__appstoreSettings"

// settingsTimeout bounds the evaluation of app.settings.ts: it declares
// settings and has no business running longer.
const settingsTimeout = 5 * time.Second

// extractSettingsSchema bundles entry (src/app.settings.ts) to an IIFE with
// an inline source map, evaluates it in goja, calls toJSONSchema() on its
// default export and checks the result is the two-scope JSON Schema of
// DESIGN §5. It returns the schema, indented.
func extractSettingsSchema(dir, entry string) ([]byte, []string, error) {
	opts := baseOptions(dir)
	opts.EntryPoints = []string{entry}
	opts.Outfile = filepath.Join(dir, distDir, "settings.js") // never written
	opts.Format = api.FormatIIFE
	opts.GlobalName = settingsGlobal
	opts.Platform = api.PlatformNeutral
	opts.MainFields = []string{"module", "main"}
	opts.Sourcemap = api.SourceMapInline // goja maps stack traces back to the source
	code, warnings, err := runBuild("settings", opts)
	if err != nil {
		return nil, warnings, err
	}
	raw, logs, err := evaluateSettings(entry, code)
	warnings = append(warnings, logs...)
	if err != nil {
		return nil, warnings, err
	}
	if err := checkSettingsSchema(raw); err != nil {
		return nil, warnings, fmt.Errorf("%s: %w", entry, err)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, raw, "", "  "); err != nil {
		return nil, warnings, err
	}
	out.WriteByte('\n')
	return out.Bytes(), warnings, nil
}

// evaluateSettings runs the settings bundle and serialises its schema.
// console output comes back as warnings, prefixed with the file name.
func evaluateSettings(entry string, code []byte) ([]byte, []string, error) {
	vm, logs, stop := buildVM(entry)
	defer stop()

	if _, err := vm.RunScript(entry, string(code)); err != nil {
		return nil, *logs, fmt.Errorf("evaluating %s: %s", entry, jsError(err))
	}
	exports := vm.Get(settingsGlobal)
	if exports == nil || goja.IsUndefined(exports) || goja.IsNull(exports) {
		return nil, *logs, fmt.Errorf("%s: the module has no exports: end it with export default defineSettings({...})", entry)
	}
	obj := exports.ToObject(vm)
	def := obj.Get("default")
	if def == nil || goja.IsUndefined(def) {
		def = obj.Get("settings")
	}
	if def == nil || goja.IsUndefined(def) || goja.IsNull(def) {
		return nil, *logs, fmt.Errorf("%s: no default export: end it with export default defineSettings({...})", entry)
	}
	toSchema, ok := goja.AssertFunction(def.ToObject(vm).Get("toJSONSchema"))
	if !ok {
		return nil, *logs, fmt.Errorf("%s: the default export is not a settings definition: export default defineSettings({...}) from @appstore/sdk/settings", entry)
	}
	schema, err := toSchema(def)
	if err != nil {
		return nil, *logs, fmt.Errorf("%s: %s", entry, jsError(err))
	}
	stringify, _ := goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("stringify"))
	s, err := stringify(goja.Undefined(), schema)
	if err != nil {
		return nil, *logs, fmt.Errorf("%s: serialising the schema: %s", entry, jsError(err))
	}
	if goja.IsUndefined(s) {
		return nil, *logs, fmt.Errorf("%s: toJSONSchema() returned nothing", entry)
	}
	return []byte(s.String()), *logs, nil
}

// buildVM is a fresh goja runtime for evaluating entry at build time:
// console output is collected as warnings prefixed with the file name,
// and the evaluation is interrupted after settingsTimeout. stop ends the
// timer.
func buildVM(entry string) (vm *goja.Runtime, logs *[]string, stop func()) {
	vm = goja.New()
	logs = &[]string{}
	console := vm.NewObject()
	for _, level := range []string{"log", "info", "warn", "error", "debug"} {
		_ = console.Set(level, func(call goja.FunctionCall) goja.Value {
			parts := make([]string, len(call.Arguments))
			for i, a := range call.Arguments {
				parts[i] = a.String()
			}
			*logs = append(*logs, entry+": console."+level+": "+strings.Join(parts, " "))
			return goja.Undefined()
		})
	}
	_ = vm.Set("console", console)
	timer := time.AfterFunc(settingsTimeout, func() { vm.Interrupt("timed out") })
	return vm, logs, func() { timer.Stop() }
}

// jsError is a JavaScript exception's message and the first frame of its
// stack, which the inline source map points into the app's source.
func jsError(err error) string {
	var ex *goja.Exception
	if errors.As(err, &ex) {
		msg := ex.Value().String()
		// The first frame in the app's own code says where to look; SDK
		// frames only say which check threw.
		where := ""
		for _, f := range ex.Stack() {
			pos := f.Position()
			if pos.Filename == "" || pos.Line == 0 {
				continue
			}
			at := fmt.Sprintf("%s:%d:%d", pos.Filename, pos.Line, pos.Column)
			if !strings.HasPrefix(pos.Filename, sdkNamespace+":") {
				return fmt.Sprintf("%s (at %s)", msg, at)
			}
			if where == "" {
				where = at
			}
		}
		if where != "" {
			return fmt.Sprintf("%s (at %s)", msg, where)
		}
		return msg
	}
	var ie *goja.InterruptedError
	if errors.As(err, &ie) {
		return fmt.Sprintf("did not finish within %s", settingsTimeout)
	}
	return err.Error()
}

// checkSettingsSchema checks raw is a JSON Schema 2020-12 that compiles,
// shaped as DESIGN §5 asks: an object whose properties organization and
// user are object schemas.
func checkSettingsSchema(raw []byte) error {
	var doc struct {
		Type       string `json:"type"`
		Properties map[string]struct {
			Type string `json:"type"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return fmt.Errorf("the settings schema is not a JSON object: %w", err)
	}
	if doc.Type != "object" {
		return errors.New(`the settings schema must be of type "object"`)
	}
	for _, scope := range []string{"organization", "user"} {
		if doc.Properties[scope].Type != "object" {
			return fmt.Errorf("the settings schema needs an object schema for %q", scope)
		}
	}
	_, err := compileSchema("the settings schema", raw)
	return err
}

// compileSchema compiles raw, named what in errors, as a JSON Schema
// (draft 2020-12 unless it says otherwise), the way the platform does.
func compileSchema(what string, raw []byte) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%s is not JSON: %w", what, err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	const url = "urn:appstore:schema"
	if err := c.AddResource(url, doc); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	s, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("%s is not a valid JSON Schema: %w", what, err)
	}
	return s, nil
}
