package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/dop251/goja"
	"github.com/evanw/esbuild/pkg/api"

	"appstore/models"
)

// appManifest is dist/app.manifest.json, the manifest field of a
// deployment (DESIGN §7): what the App definition declares, with the
// server functions the build found.
type appManifest struct {
	Surfaces        []surface        `json:"surfaces"`
	ServerFunctions []string         `json:"server_functions"`
	Workflow        workflowManifest `json:"workflow"`
	Webhooks        []webhookHandler `json:"webhooks"`
	OutboundHosts   []string         `json:"outbound_hosts"`
}

// surface is PROTOCOL.md's Surface.
type surface struct {
	Kind        string   `json:"kind"`
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	RecordTypes []string `json:"record_types,omitempty"`
	Fields      []string `json:"fields,omitempty"`
}

type workflowManifest struct {
	Blocks   []workflowBlock   `json:"blocks"`
	Triggers []workflowTrigger `json:"triggers"`
}

type workflowBlock struct {
	ID          string          `json:"id"`
	Title       string          `json:"title"`
	Description string          `json:"description,omitempty"`
	Function    string          `json:"function"`
	Input       json.RawMessage `json:"input"`
	Output      json.RawMessage `json:"output"`
	Retry       *retryPolicy    `json:"retry,omitempty"`
}

type retryPolicy struct {
	MaxAttempts        int     `json:"max_attempts"`
	InitialIntervalMS  int     `json:"initial_interval_ms,omitempty"`
	BackoffCoefficient float64 `json:"backoff_coefficient,omitempty"`
}

type workflowTrigger struct {
	ID          string          `json:"id"`
	Title       string          `json:"title"`
	Description string          `json:"description,omitempty"`
	Output      json.RawMessage `json:"output"`
}

type webhookHandler struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Function string `json:"function"`
	Trigger  string `json:"trigger,omitempty"`
}

// The module the manifest build evaluates: the app's definition and the
// SDK's describeApp, which the frame runtime also uses for set-surfaces.
const (
	manifestGlobal = "__appstoreApp"
	reactStubNS    = "appstore-react-stub"
)

// reactStub stands in for react and react/* while the App definition is
// evaluated: nothing renders at build time, but top-level code (memo,
// createContext, JSX in constants) must run. It is an ES module with
// React's export names, so a misspelt import still fails the build.
const reactStub = `
const id = (x) => x;
const element = (type, props) => ({ type, props });
const hook = (name) => () => { throw new Error(name + " can only be called while the app renders, not at build time"); };
export const jsx = element, jsxs = element, jsxDEV = element, createElement = element, cloneElement = id;
export const Fragment = "Fragment", StrictMode = "StrictMode", Suspense = "Suspense", Profiler = "Profiler",
  Activity = "Activity", ViewTransition = "ViewTransition", version = "build-time";
export function Component() {}
export function PureComponent() {}
export const Children = { map: () => [], forEach: () => {}, count: () => 0, only: id, toArray: () => [] };
export const createContext = (value) => ({ Provider: "Provider", Consumer: "Consumer", _currentValue: value });
export const createRef = () => ({ current: null });
export const forwardRef = id, memo = id, lazy = id, cache = id, isValidElement = () => false;
export const startTransition = (f) => f(), addTransitionType = () => {};
export const use = hook("use"), useActionState = hook("useActionState"), useCallback = hook("useCallback"),
  useContext = hook("useContext"), useDebugValue = hook("useDebugValue"), useDeferredValue = hook("useDeferredValue"),
  useEffect = hook("useEffect"), useEffectEvent = hook("useEffectEvent"), useId = hook("useId"),
  useImperativeHandle = hook("useImperativeHandle"), useInsertionEffect = hook("useInsertionEffect"),
  useLayoutEffect = hook("useLayoutEffect"), useMemo = hook("useMemo"), useOptimistic = hook("useOptimistic"),
  useReducer = hook("useReducer"), useRef = hook("useRef"), useState = hook("useState"),
  useSyncExternalStore = hook("useSyncExternalStore"), useTransition = hook("useTransition");
export default { createElement, cloneElement, Fragment, Children, createContext, createRef, forwardRef, memo, lazy, Component, PureComponent };
`

// extractManifest evaluates the default export of entry (src/app.tsx) in
// goja and returns the manifest it declares, checked, with
// serverFunctions. Imports of server modules are proxies, so a block's
// `run: greet` names "src/greet.server.ts#greet".
func extractManifest(dir, entry string, exports map[string][]string, serverFunctions []string) (*appManifest, []string, error) {
	src := fmt.Sprintf("import * as entry from %s;\nimport { describeApp } from \"@appstore/sdk\";\n"+
		"const app = entry.default;\n"+
		"export const hasApp = app !== null && typeof app === \"object\";\n"+
		"export function describe() { return JSON.stringify(describeApp(app)); }\n", jsString("./"+entry))
	opts := baseOptions(dir)
	opts.Stdin = &api.StdinOptions{Contents: src, ResolveDir: dir, Sourcefile: "<manifest entry>", Loader: api.LoaderJS}
	opts.Outfile = filepath.Join(dir, distDir, "manifest.js") // never written
	opts.Format = api.FormatIIFE
	opts.GlobalName = manifestGlobal
	opts.Platform = api.PlatformNeutral
	opts.MainFields = []string{"module", "main"}
	opts.JSX = api.JSXAutomatic
	opts.JSXImportSource = "react"
	opts.Sourcemap = api.SourceMapInline
	opts.Plugins = append(opts.Plugins, reactStubPlugin(), serverProxyPlugin(dir, exports))
	code, warnings, err := runBuild("app manifest", opts)
	if err != nil {
		return nil, warnings, err
	}
	vm, logs, stop := buildVM(entry)
	defer stop()
	// The SDK's top level may schedule nothing; stubs keep stray timers harmless.
	_ = vm.Set("setTimeout", func(goja.FunctionCall) goja.Value { return goja.Undefined() })
	_ = vm.Set("clearTimeout", func(goja.FunctionCall) goja.Value { return goja.Undefined() })
	_ = vm.Set("queueMicrotask", func(goja.FunctionCall) goja.Value { return goja.Undefined() })
	if _, err := vm.RunScript(entry, string(code)); err != nil {
		return nil, append(warnings, *logs...), fmt.Errorf("evaluating %s: %s", entry, jsError(err))
	}
	mod := vm.Get(manifestGlobal).ToObject(vm)
	if !mod.Get("hasApp").ToBoolean() {
		return nil, append(warnings, *logs...), fmt.Errorf("%s: the default export is not an App: end it with export default defineApp({...}) from @appstore/sdk", entry)
	}
	describe, _ := goja.AssertFunction(mod.Get("describe"))
	out, err := describe(goja.Undefined())
	warnings = append(warnings, *logs...)
	if err != nil {
		return nil, warnings, fmt.Errorf("%s: %s", entry, jsError(err))
	}
	var m appManifest
	dec := json.NewDecoder(strings.NewReader(out.String()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, warnings, fmt.Errorf("%s: reading the App definition: %w", entry, err)
	}
	m.ServerFunctions = serverFunctions
	if err := m.check(); err != nil {
		return nil, warnings, fmt.Errorf("%s: %w", entry, err)
	}
	if err := m.platformCheck(); err != nil {
		return nil, warnings, fmt.Errorf("%s: %w", entry, err)
	}
	return &m, warnings, nil
}

// platformCheck runs the platform's own manifest rules (models.Manifest),
// the ones POST deployments applies, so what passes here deploys.
func (m *appManifest) platformCheck() error {
	raw, err := json.Marshal(m)
	if err != nil {
		return err
	}
	var pm models.Manifest
	if err := json.Unmarshal(raw, &pm); err != nil {
		return fmt.Errorf("the manifest does not fit the platform's shape: %w", err)
	}
	err = pm.Normalize().Validate()
	if err == nil {
		return nil
	}
	e, ok := models.AsError(err)
	if !ok || len(e.Fields) == 0 {
		return err
	}
	lines := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		lines[i] = "  " + f.Field + ": " + f.Message
	}
	return fmt.Errorf("the platform would refuse this manifest:\n%s", strings.Join(lines, "\n"))
}

// reactStubPlugin resolves react and react/* to reactStub.
func reactStubPlugin() api.Plugin {
	return api.Plugin{Name: "appstore-react-stub", Setup: func(b api.PluginBuild) {
		b.OnResolve(api.OnResolveOptions{Filter: `^react(/.*)?$`}, func(args api.OnResolveArgs) (api.OnResolveResult, error) {
			return api.OnResolveResult{Path: args.Path, Namespace: reactStubNS}, nil
		})
		b.OnLoad(api.OnLoadOptions{Filter: `.*`, Namespace: reactStubNS}, func(api.OnLoadArgs) (api.OnLoadResult, error) {
			code := reactStub
			return api.OnLoadResult{Contents: &code, Loader: api.LoaderJS}, nil
		})
	}}
}

// emptyManifest is the manifest of a project without a client entry.
func emptyManifest(serverFunctions []string) *appManifest {
	return &appManifest{Surfaces: []surface{}, ServerFunctions: serverFunctions,
		Workflow: workflowManifest{Blocks: []workflowBlock{}, Triggers: []workflowTrigger{}},
		Webhooks: []webhookHandler{}, OutboundHosts: []string{}}
}

var (
	manifestID  = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
	recordTypes = []string{"contact", "ticket", "call_recording"}
	textFields  = []string{"transcript", "summary", "insight"}
)

// check refuses, with messages that name the App definition's parts,
// what the platform would: unknown kinds, record types and fields,
// duplicate ids, empty titles, functions that do not exist, schemas that
// do not compile. platformCheck then applies the platform's own rules.
func (m *appManifest) check() error {
	idTitle := func(what, id, title string) error {
		if !manifestID.MatchString(id) {
			return fmt.Errorf("%s id %q: use 1-64 lowercase letters, digits, - or _", what, id)
		}
		if strings.TrimSpace(title) == "" || len(title) > 200 {
			return fmt.Errorf("%s %q: the title must be 1-200 characters", what, id)
		}
		return nil
	}
	seen := map[string]bool{}
	for _, s := range m.Surfaces {
		if err := idTitle("surface", s.ID, s.Title); err != nil {
			return err
		}
		if seen[s.ID] {
			return fmt.Errorf("two surfaces have the id %q", s.ID)
		}
		seen[s.ID] = true
		var allowed []string
		switch s.Kind {
		case "record-widget", "record-action", "bulk-action", "quick-action":
			allowed = recordTypes
		case "text-action":
			allowed = textFields
		default:
			return fmt.Errorf("surface %q: unknown kind %q", s.ID, s.Kind)
		}
		list := s.RecordTypes
		if s.Kind == "text-action" {
			list = s.Fields
		}
		if len(list) == 0 && s.Kind != "quick-action" {
			return fmt.Errorf("surface %q: name at least one of %s", s.ID, strings.Join(allowed, ", "))
		}
		for _, v := range list {
			if !slices.Contains(allowed, v) {
				return fmt.Errorf("surface %q: unknown record type or field %q (use %s)", s.ID, v, strings.Join(allowed, ", "))
			}
		}
	}
	function := func(what, id, fn string) error {
		if !slices.Contains(m.ServerFunctions, fn) {
			return fmt.Errorf("%s %q: %q is not one of the server functions (%s)", what, id, fn, strings.Join(m.ServerFunctions, ", "))
		}
		return nil
	}
	schema := func(what, id, part string, raw json.RawMessage) error {
		if len(bytes.TrimSpace(raw)) == 0 || raw[0] != '{' {
			return fmt.Errorf("%s %q: %s must be a JSON Schema object", what, id, part)
		}
		_, err := compileSchema(fmt.Sprintf("%s %q: %s", what, id, part), raw)
		return err
	}
	unique := func(what string, ids map[string]bool, id string) error {
		if ids[id] {
			return fmt.Errorf("two %ss have the id %q", what, id)
		}
		ids[id] = true
		return nil
	}
	triggers, blocks, hooks := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, t := range m.Workflow.Triggers {
		if err := idTitle("trigger", t.ID, t.Title); err != nil {
			return err
		}
		if err := unique("trigger", triggers, t.ID); err != nil {
			return err
		}
		if err := schema("trigger", t.ID, "output", t.Output); err != nil {
			return err
		}
	}
	for _, b := range m.Workflow.Blocks {
		if err := idTitle("block", b.ID, b.Title); err != nil {
			return err
		}
		if err := unique("block", blocks, b.ID); err != nil {
			return err
		}
		if err := function("block", b.ID, b.Function); err != nil {
			return err
		}
		if err := schema("block", b.ID, "input", b.Input); err != nil {
			return err
		}
		if err := schema("block", b.ID, "output", b.Output); err != nil {
			return err
		}
		if r := b.Retry; r != nil && (r.MaxAttempts < 1 || r.MaxAttempts > 20 || r.InitialIntervalMS < 0 || r.InitialIntervalMS > 3_600_000 || r.BackoffCoefficient < 0 || r.BackoffCoefficient > 10) {
			return fmt.Errorf("block %q: retry needs maxAttempts 1-20, initialIntervalMs up to an hour, backoffCoefficient up to 10", b.ID)
		}
	}
	for _, h := range m.Webhooks {
		if err := idTitle("webhook", h.ID, h.Title); err != nil {
			return err
		}
		if err := unique("webhook", hooks, h.ID); err != nil {
			return err
		}
		if err := function("webhook", h.ID, h.Function); err != nil {
			return err
		}
		if h.Trigger != "" && !triggers[h.Trigger] {
			return fmt.Errorf("webhook %q: trigger %q is not one of the workflow triggers", h.ID, h.Trigger)
		}
	}
	return nil
}
