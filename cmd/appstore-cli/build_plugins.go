package main

import (
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strings"

	"github.com/evanw/esbuild/pkg/api"

	"appstore/web"
)

// Namespaces of the modules the plugins make up.
const (
	sdkNamespace   = "appstore-sdk"
	proxyNamespace = "appstore-server-proxy"
)

// sdkPlugin resolves @appstore/sdk and @appstore/sdk/<name> to the SDK's
// TypeScript source embedded in the CLI (web/sdk), so a project needs no
// node_modules for it and always gets the SDK its CLI was built with.
func sdkPlugin() api.Plugin {
	sdk := web.SDK()
	return api.Plugin{Name: "appstore-sdk", Setup: func(b api.PluginBuild) {
		b.OnResolve(api.OnResolveOptions{Filter: sdkImport}, func(args api.OnResolveArgs) (api.OnResolveResult, error) {
			name, err := sdkModule(args.Path)
			if err != nil {
				return api.OnResolveResult{}, err
			}
			return api.OnResolveResult{Path: name, Namespace: sdkNamespace}, nil
		})
		// Relative imports between the SDK's own files.
		b.OnResolve(api.OnResolveOptions{Filter: `^\.\.?/`, Namespace: sdkNamespace}, func(args api.OnResolveArgs) (api.OnResolveResult, error) {
			name := path.Join(path.Dir(args.Importer), args.Path)
			if path.Ext(name) == "" {
				name += ".ts"
			}
			return api.OnResolveResult{Path: name, Namespace: sdkNamespace}, nil
		})
		b.OnLoad(api.OnLoadOptions{Filter: `.*`, Namespace: sdkNamespace}, func(args api.OnLoadArgs) (api.OnLoadResult, error) {
			raw, err := fs.ReadFile(sdk, args.Path)
			if err != nil {
				return api.OnLoadResult{}, fmt.Errorf("SDK module %s: %w", args.Path, err)
			}
			src := string(raw)
			return api.OnLoadResult{Contents: &src, Loader: api.LoaderTS}, nil
		})
	}}
}

// sdkImport matches the imports the SDK answers.
const sdkImport = `^@appstore/sdk(/.*)?$`

// sdkModules are the SDK's public modules, by import path.
var sdkModules = map[string]string{"@appstore/sdk": "index.ts", "@appstore/sdk/settings": "settings.ts"}

// sdkModule is the SDK source file of the import path, or an error naming
// the modules there are.
func sdkModule(importPath string) (string, error) {
	name, ok := sdkModules[importPath]
	if !ok {
		return "", fmt.Errorf("there is no SDK module %q (the SDK has @appstore/sdk and @appstore/sdk/settings)", importPath)
	}
	return name, nil
}

// sdkExternalPlugin leaves the SDK's public modules to the runtime page's
// import map and refuses any other @appstore/sdk path at build time.
func sdkExternalPlugin() api.Plugin {
	return api.Plugin{Name: "appstore-sdk-external", Setup: func(b api.PluginBuild) {
		b.OnResolve(api.OnResolveOptions{Filter: sdkImport}, func(args api.OnResolveArgs) (api.OnResolveResult, error) {
			if _, err := sdkModule(args.Path); err != nil {
				return api.OnResolveResult{}, err
			}
			return api.OnResolveResult{Path: args.Path, External: true}, nil
		})
	}}
}

// resolvingServerModule marks the plugin's own call to esbuild's resolver,
// so its OnResolve callback lets that call through.
type resolvingServerModule struct{}

// serverProxyPlugin replaces, in the client bundle, every import of a
// server module (src/**/*.server.ts) by a generated module whose exports
// call the platform: runServerFunction("<path>#<export>", args). The
// server function's code never reaches the client.
func serverProxyPlugin(dir string, exports map[string][]string) api.Plugin {
	return api.Plugin{Name: "appstore-server-proxy", Setup: func(b api.PluginBuild) {
		b.OnResolve(api.OnResolveOptions{Filter: `\.server(\.[cm]?[jt]sx?)?$`, Namespace: "file"}, func(args api.OnResolveArgs) (api.OnResolveResult, error) {
			if _, inner := args.PluginData.(resolvingServerModule); inner {
				return api.OnResolveResult{}, nil
			}
			r := b.Resolve(args.Path, api.ResolveOptions{Importer: args.Importer, ResolveDir: args.ResolveDir,
				Kind: args.Kind, Namespace: "file", PluginData: resolvingServerModule{}})
			if len(r.Errors) > 0 {
				return api.OnResolveResult{Errors: r.Errors}, nil
			}
			rel, err := filepath.Rel(dir, r.Path)
			if err != nil {
				return api.OnResolveResult{}, err
			}
			rel = filepath.ToSlash(rel)
			if _, ok := exports[rel]; ok {
				return api.OnResolveResult{Path: r.Path, Namespace: proxyNamespace, PluginData: rel}, nil
			}
			if strings.HasSuffix(rel, serverSuffix) {
				return api.OnResolveResult{}, fmt.Errorf("%s is a server module outside %s/: move it under %s/ so it is bundled for the server", rel, srcDir, srcDir)
			}
			return api.OnResolveResult{}, nil // not a server module: esbuild resolves it as usual
		})
		b.OnLoad(api.OnLoadOptions{Filter: `.*`, Namespace: proxyNamespace}, func(args api.OnLoadArgs) (api.OnLoadResult, error) {
			rel, _ := args.PluginData.(string)
			names, ok := exports[rel]
			if !ok {
				return api.OnLoadResult{}, fmt.Errorf("no server module %s", args.Path)
			}
			code := proxyModule(rel, names)
			return api.OnLoadResult{Contents: &code, Loader: api.LoaderJS, ResolveDir: dir}, nil
		})
	}}
}

// proxyModule is the client-side stand-in for the server module rel.
func proxyModule(rel string, names []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "// Proxy for the server module %s: each export runs on the platform.\n", rel)
	b.WriteString("import { runServerFunction } from \"@appstore/sdk\";\n")
	// moduleHash on the function lets the App definition name it
	// (a workflow block's run, a webhook's handler).
	b.WriteString("function proxy(moduleHash) { const f = (...args) => runServerFunction(moduleHash, args); Object.defineProperty(f, \"moduleHash\", { value: moduleHash }); return f; }\n")
	aliases := make([]string, len(names))
	for i, name := range names {
		fmt.Fprintf(&b, "const f%d = proxy(%s);\n", i, jsString(rel+"#"+name))
		aliases[i] = fmt.Sprintf("f%d as %s", i, name)
	}
	if len(aliases) > 0 {
		fmt.Fprintf(&b, "export { %s };\n", strings.Join(aliases, ", "))
	}
	return b.String()
}
