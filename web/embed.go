// Package web holds Appstore's server-rendered templates and static assets,
// embedded into the binary so one file serves everything.
package web

import (
	"embed"
	"io/fs"
)

//go:embed templates/*.html
var templates embed.FS

//go:embed static
var static embed.FS

//go:embed mail/*.tmpl
var mail embed.FS

// The SDK's sources only: node_modules, tests and build scripts stay out.
//
//go:embed sdk/*.ts sdk/PROTOCOL.md
var sdk embed.FS

//go:embed sdk/dist
var runtime embed.FS

// Templates returns the page templates.
func Templates() fs.FS { return templates }

// Static returns the static assets (CSS, vendored scripts, images).
func Static() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embed pattern guarantees the folder exists
	}
	return sub
}

// Mail returns the mail templates: NAME.txt.tmpl (text/template) and
// NAME.html.tmpl (html/template) hold the two parts of each mail, each
// part a {{define}} named after the mail.
func Mail() fs.FS {
	sub, err := fs.Sub(mail, "mail")
	if err != nil {
		panic(err) // the embed pattern guarantees the folder exists
	}
	return sub
}

// SDK returns the TypeScript source of the app SDK's public modules
// (index.ts is @appstore/sdk, settings.ts is @appstore/sdk/settings),
// which appstore-cli bundles to evaluate an app's definition at build
// time. The frame runtime (sdk/runtime) is not in it: it reaches the
// browser through Runtime.
func SDK() fs.FS {
	sub, err := fs.Sub(sdk, "sdk")
	if err != nil {
		panic(err) // the embed pattern guarantees the folder exists
	}
	return sub
}

// Runtime returns the pinned runtime build (web/sdk/dist, made by `npm run
// build` in web/sdk): content-hashed ES modules for react,
// react/jsx-runtime, @appstore/sdk, @appstore/sdk/settings and the boot
// module, and runtime.json,
//
//	{"imports": {"react": FILE, "react/jsx-runtime": FILE, "@appstore/sdk": FILE, "@appstore/sdk/settings": FILE}, "boot": FILE}
//
// which names them for the runtime page's import map. FILE is a name in
// this folder; the chunks the entries import sit beside them.
func Runtime() fs.FS {
	sub, err := fs.Sub(runtime, "sdk/dist")
	if err != nil {
		panic(err) // the embed pattern guarantees the folder exists
	}
	return sub
}
