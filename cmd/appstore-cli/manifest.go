package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/dop251/goja"
	"github.com/evanw/esbuild/pkg/api"

	"appstore/models"
)

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
// goja and returns the manifest it declares (dist/app.manifest.json, the
// manifest field of a deployment, DESIGN §7) with serverFunctions,
// checked by the platform's own rules. Imports of server modules are
// proxies, so a block's `run: greet` names "src/greet.server.ts#greet".
func extractManifest(dir, entry string, exports map[string][]string, serverFunctions []string) (*models.Manifest, []string, error) {
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
	// describeApp already writes the manifest's snake_case (retry
	// maxAttempts becomes max_attempts), so it decodes straight into the
	// platform's type; an unknown field means the SDK and the CLI disagree.
	var m models.Manifest
	dec := json.NewDecoder(strings.NewReader(out.String()))
	dec.DisallowUnknownFields()
	dec.UseNumber() // schema numbers such as a large maximum stay as written
	if err := dec.Decode(&m); err != nil {
		return nil, warnings, fmt.Errorf("%s: reading the App definition: %w", entry, err)
	}
	m.ServerFunctions = serverFunctions
	if err := checkManifest(m); err != nil {
		return nil, warnings, fmt.Errorf("%s: %w", entry, err)
	}
	return &m, warnings, nil
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
