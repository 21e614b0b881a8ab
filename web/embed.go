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

//go:embed sdk
var sdk embed.FS

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

// SDK returns the TypeScript source of the app SDK (index.ts is
// @appstore/sdk, settings.ts is @appstore/sdk/settings), which
// appstore-cli bundles into apps.
func SDK() fs.FS {
	sub, err := fs.Sub(sdk, "sdk")
	if err != nil {
		panic(err) // the embed pattern guarantees the folder exists
	}
	return sub
}
