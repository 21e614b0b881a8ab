package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/evanw/esbuild/pkg/api"

	"appstore/models"
)

// Where build reads and writes, relative to the project.
const (
	srcDir          = "src"
	distDir         = "dist"
	clientFile      = "client.js"
	serverFile      = "server.js"
	settingsFile    = "settings.schema.json"
	appManifestFile = "app.manifest.json"
	manifestFile    = "manifest.json"
	settingsSrc     = "src/app.settings.ts"
	serverSuffix    = ".server.ts"
)

// clientEntries are the client entry points build looks for, in order.
var clientEntries = []string{"src/app.tsx", "src/app.ts"}

// artifact is one built file: its name under dist/, hash and size.
type artifact struct {
	File      string `json:"file"`
	SHA256    string `json:"sha256"`
	SizeBytes int64  `json:"size_bytes"`
}

// buildManifest is dist/manifest.json: what deploy uploads.
type buildManifest struct {
	AppID           string    `json:"app_id,omitempty"`
	CLIVersion      string    `json:"cli_version"`
	Client          *artifact `json:"client,omitempty"`
	Server          *artifact `json:"server,omitempty"`
	SettingsSchema  *artifact `json:"settings_schema,omitempty"`
	AppManifest     *artifact `json:"app_manifest,omitempty"`
	ServerFunctions []string  `json:"server_functions"`
}

// buildResult is a successful build.
type buildResult struct {
	Manifest buildManifest
	App      *models.Manifest // what dist/app.manifest.json holds
	Warnings []string         // esbuild warnings and console output of app.settings.ts
}

// buildError is a failed esbuild run: its messages carry file:line:column.
type buildError struct {
	what string // "client bundle", …
	msgs []api.Message
}

func (e *buildError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d error(s)", e.what, len(e.msgs))
	for _, m := range e.msgs {
		b.WriteString("\n")
		b.WriteString(formatMessage(m))
	}
	return b.String()
}

// formatMessage renders an esbuild message as "file:line:col: text" with
// the offending line and a caret under the column.
func formatMessage(m api.Message) string {
	l := m.Location
	if l == nil {
		return m.Text
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%d:%d: %s", l.File, l.Line, l.Column+1, m.Text)
	if l.LineText != "" {
		line := strings.ReplaceAll(l.LineText, "\t", " ")
		fmt.Fprintf(&b, "\n    %s\n    %s^", line, strings.Repeat(" ", min(l.Column, len(line))))
	}
	for _, n := range m.Notes {
		if n.Text != "" {
			b.WriteString("\n  note: " + n.Text)
		}
	}
	return b.String()
}

// buildProject bundles the project in p.Dir and writes dist/. Nothing is
// written unless every step succeeds.
func buildProject(p *project) (*buildResult, error) {
	res := &buildResult{Manifest: buildManifest{AppID: p.File.AppID, CLIVersion: cliVersion(), ServerFunctions: []string{}}}
	clientEntry := ""
	for _, c := range clientEntries {
		if fileExists(filepath.Join(p.Dir, c)) {
			clientEntry = c
			break
		}
	}
	modules, err := findServerModules(p.Dir)
	if err != nil {
		return nil, err
	}
	if clientEntry == "" && len(modules) == 0 {
		return nil, fmt.Errorf("nothing to build in %s: add src/app.tsx (the client) or src/*%s (server functions)", p.Dir, serverSuffix)
	}
	exports, warnings, err := serverExports(p.Dir, modules)
	res.Warnings = append(res.Warnings, warnings...)
	if err != nil {
		return nil, err
	}
	outputs := map[string][]byte{}
	if clientEntry != "" {
		code, warnings, err := bundleClient(p.Dir, clientEntry, exports)
		res.Warnings = append(res.Warnings, warnings...)
		if err != nil {
			return nil, err
		}
		outputs[clientFile] = code
	}
	if len(modules) > 0 {
		code, warnings, err := bundleServer(p.Dir, modules, exports)
		res.Warnings = append(res.Warnings, warnings...)
		if err != nil {
			return nil, err
		}
		outputs[serverFile] = code
		for _, m := range modules {
			for _, name := range exports[m] {
				res.Manifest.ServerFunctions = append(res.Manifest.ServerFunctions, m+"#"+name)
			}
		}
	}
	// Without a client entry the app declares nothing but its server
	// functions; Manifest's MarshalJSON writes the empty lists.
	manifest := &models.Manifest{ServerFunctions: res.Manifest.ServerFunctions}
	if clientEntry != "" {
		m, warnings, err := extractManifest(p.Dir, clientEntry, exports, res.Manifest.ServerFunctions)
		res.Warnings = append(res.Warnings, warnings...)
		if err != nil {
			return nil, err
		}
		manifest = m
	}
	raw, err := json.MarshalIndent(manifest, "", "  ")
	if err != nil {
		return nil, err
	}
	outputs[appManifestFile] = append(raw, '\n')
	res.App = manifest
	if fileExists(filepath.Join(p.Dir, settingsSrc)) {
		schema, warnings, err := extractSettingsSchema(p.Dir, settingsSrc)
		res.Warnings = append(res.Warnings, warnings...)
		if err != nil {
			return nil, err
		}
		outputs[settingsFile] = schema
	}
	if err := writeDist(p.Dir, outputs, &res.Manifest); err != nil {
		return nil, err
	}
	return res, nil
}

// writeDist replaces the build outputs in dist/ with outputs and the
// manifest describing them.
func writeDist(dir string, outputs map[string][]byte, m *buildManifest) error {
	dist := filepath.Join(dir, distDir)
	if err := os.MkdirAll(dist, 0o755); err != nil {
		return fmt.Errorf("build: %w", err)
	}
	for _, name := range []string{clientFile, serverFile, settingsFile, appManifestFile, manifestFile} {
		if err := os.Remove(filepath.Join(dist, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("build: %w", err)
		}
	}
	slots := map[string]**artifact{clientFile: &m.Client, serverFile: &m.Server, settingsFile: &m.SettingsSchema, appManifestFile: &m.AppManifest}
	for name, content := range outputs {
		if err := os.WriteFile(filepath.Join(dist, name), content, 0o644); err != nil {
			return fmt.Errorf("build: %w", err)
		}
		sum := sha256.Sum256(content)
		*slots[name] = &artifact{File: name, SHA256: hex.EncodeToString(sum[:]), SizeBytes: int64(len(content))}
	}
	raw, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dist, manifestFile), append(raw, '\n'), 0o644)
}

// readManifest reads dist/manifest.json of a previous build.
func readManifest(dir string) (*buildManifest, error) {
	raw, err := os.ReadFile(filepath.Join(dir, distDir, manifestFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no %s/%s: run appstore-cli build first", distDir, manifestFile)
	}
	if err != nil {
		return nil, err
	}
	var m buildManifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("%s/%s: %w", distDir, manifestFile, err)
	}
	return &m, nil
}

// findServerModules lists src/**/*.server.ts as slash-separated paths
// relative to dir, sorted.
func findServerModules(dir string) ([]string, error) {
	var modules []string
	root := filepath.Join(dir, srcDir)
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && path == root {
				return fs.SkipDir
			}
			return err
		}
		if d.IsDir() && path != root && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) {
			return fs.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(d.Name(), serverSuffix) {
			rel, err := filepath.Rel(dir, path)
			if err != nil {
				return err
			}
			modules = append(modules, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("build: find server modules: %w", err)
	}
	sort.Strings(modules)
	return modules, nil
}

func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir()
}

// baseOptions are the options every bundle shares.
func baseOptions(dir string) api.BuildOptions {
	return api.BuildOptions{
		AbsWorkingDir: dir,
		Bundle:        true,
		Write:         false,
		LogLevel:      api.LogLevelSilent,
		Target:        api.ES2020,
		Plugins:       []api.Plugin{sdkPlugin()},
	}
}

// runBuild runs esbuild and returns its JavaScript output and warnings.
func runBuild(what string, opts api.BuildOptions) ([]byte, []string, error) {
	r := api.Build(opts)
	var warnings []string
	for _, w := range r.Warnings {
		warnings = append(warnings, what+": warning: "+formatMessage(w))
	}
	if len(r.Errors) > 0 {
		return nil, warnings, &buildError{what: what, msgs: r.Errors}
	}
	for _, f := range r.OutputFiles {
		if strings.HasSuffix(f.Path, ".js") {
			return f.Contents, warnings, nil
		}
	}
	return nil, warnings, fmt.Errorf("%s: esbuild produced no JavaScript", what)
}

// clientExternals are the imports a client bundle leaves to the runtime
// page's import map (web/sdk/dist/runtime.json): the app shares the
// runtime's one React and one SDK instance instead of bringing its own.
// The SDK's modules are left out by sdkExternalPlugin.
var clientExternals = []string{"react", "react/*"}

// bundleClient bundles the client entry for the iframe host: ESM, minified,
// ES2020, JSX with React's automatic runtime. React and the SDK are not
// bundled (clientExternals), so a project needs no node_modules. Imports
// of server modules become proxies (serverProxyPlugin).
func bundleClient(dir, entry string, exports map[string][]string) ([]byte, []string, error) {
	opts := baseOptions(dir)
	opts.EntryPoints = []string{entry}
	opts.Outfile = filepath.Join(dir, distDir, clientFile)
	opts.Format = api.FormatESModule
	opts.Platform = api.PlatformBrowser
	opts.JSX = api.JSXAutomatic
	opts.JSXImportSource = "react"
	opts.External = clientExternals
	opts.MinifyWhitespace, opts.MinifyIdentifiers, opts.MinifySyntax = true, true, true
	// Not the embedded SDK: the runtime page provides @appstore/sdk.
	opts.Plugins = []api.Plugin{sdkExternalPlugin(), serverProxyPlugin(dir, exports)}
	return runBuild("client bundle", opts)
}

// bundleServer bundles every server module into one platform-neutral ES
// module whose default export (also exported as `functions`) maps
// "<path>#<export>" to each server function.
func bundleServer(dir string, modules []string, exports map[string][]string) ([]byte, []string, error) {
	var entry bytes.Buffer
	for i, m := range modules {
		fmt.Fprintf(&entry, "import * as m%d from %s;\n", i, jsString("./"+m))
	}
	entry.WriteString("export const functions = {\n")
	for i, m := range modules {
		for _, name := range exports[m] {
			fmt.Fprintf(&entry, "  %s: m%d[%s],\n", jsString(m+"#"+name), i, jsString(name))
		}
	}
	entry.WriteString("};\nexport default functions;\n")
	opts := baseOptions(dir)
	opts.Stdin = &api.StdinOptions{Contents: entry.String(), ResolveDir: dir, Sourcefile: "<server entry>", Loader: api.LoaderJS}
	opts.Outfile = filepath.Join(dir, distDir, serverFile)
	opts.Format = api.FormatESModule
	opts.Platform = api.PlatformNeutral
	opts.MainFields = []string{"module", "main"}
	// Readable names in server stack traces; whitespace and syntax only.
	opts.MinifyWhitespace, opts.MinifySyntax = true, true
	return runBuild("server bundle", opts)
}

// serverExports finds the export names of each server module with one
// esbuild build of them all: its metafile lists every entry's exports.
func serverExports(dir string, modules []string) (map[string][]string, []string, error) {
	exports := map[string][]string{}
	if len(modules) == 0 {
		return exports, nil, nil
	}
	opts := baseOptions(dir)
	opts.EntryPoints = modules
	opts.Outdir = filepath.Join(dir, distDir, ".exports") // never written
	opts.Outbase = dir
	opts.Format = api.FormatESModule
	opts.Platform = api.PlatformNeutral
	opts.MainFields = []string{"module", "main"}
	opts.Metafile = true
	r := api.Build(opts)
	var warnings []string
	for _, w := range r.Warnings {
		warnings = append(warnings, "server modules: warning: "+formatMessage(w))
	}
	if len(r.Errors) > 0 {
		return nil, warnings, &buildError{what: "server modules", msgs: r.Errors}
	}
	var meta struct {
		Outputs map[string]struct {
			EntryPoint string   `json:"entryPoint"`
			Exports    []string `json:"exports"`
		} `json:"outputs"`
	}
	if err := json.Unmarshal([]byte(r.Metafile), &meta); err != nil {
		return nil, warnings, fmt.Errorf("server modules: read esbuild metafile: %w", err)
	}
	for _, out := range meta.Outputs {
		if out.EntryPoint == "" {
			continue
		}
		names := append([]string{}, out.Exports...)
		sort.Strings(names)
		exports[filepath.ToSlash(out.EntryPoint)] = names
	}
	for _, m := range modules {
		names, ok := exports[m]
		if !ok {
			return nil, warnings, fmt.Errorf("server modules: esbuild reported no exports for %s", m)
		}
		if len(names) == 0 {
			warnings = append(warnings, m+": warning: exports nothing; export the server functions the client calls")
		}
		for _, name := range names {
			if name != "default" && !isIdentifier(name) {
				return nil, warnings, fmt.Errorf("%s: export %q is not a plain identifier; name server functions like JavaScript variables", m, name)
			}
		}
	}
	return exports, warnings, nil
}

func isIdentifier(s string) bool {
	for i, r := range s {
		ok := r == '_' || r == '$' || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || (i > 0 && '0' <= r && r <= '9')
		if !ok {
			return false
		}
	}
	return s != ""
}

// jsString quotes s as a JavaScript string literal (JSON's is one).
func jsString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}
