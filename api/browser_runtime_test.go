package api_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// helloWidget is examples/hello-widget built by appstore-cli: its client
// bundle and manifest, built once per test binary.
var helloWidget = sync.OnceValues(func() (*builtApp, error) {
	root, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return nil, err
	}
	repo := filepath.Dir(strings.TrimSpace(string(root)))
	dir, err := os.MkdirTemp("", "hello-widget-")
	if err != nil {
		return nil, err
	}
	if err := os.CopyFS(dir, os.DirFS(filepath.Join(repo, "examples", "hello-widget"))); err != nil {
		return nil, err
	}
	build := exec.Command("go", "run", "./cmd/appstore-cli", "build", "--dir", dir)
	build.Dir = repo
	if out, err := build.CombinedOutput(); err != nil {
		return nil, &buildFailure{out: string(out), err: err}
	}
	code, err := os.ReadFile(filepath.Join(dir, "dist", "client.js"))
	if err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(filepath.Join(dir, "dist", "app.manifest.json"))
	if err != nil {
		return nil, err
	}
	var manifest map[string]any
	if err := json.Unmarshal(raw, &manifest); err != nil {
		return nil, err
	}
	return &builtApp{code: string(code), manifest: manifest}, nil
})

type builtApp struct {
	code     string
	manifest map[string]any
}

type buildFailure struct {
	out string
	err error
}

func (b *buildFailure) Error() string { return b.err.Error() + ": " + b.out }

// The hello widget, built by the CLI and deployed to Acme Sandbox, runs on
// its own origin: its widget renders on a contact page, typing into its
// input round-trips through a handler id and updates that one node, a
// record action opens a dialog that closes, a bulk action receives the
// checked ids, a quick action runs from the palette and a transcript text
// action receives the selected text.
func TestBrowserAppSurfaces(t *testing.T) {
	ctx := newBrowser(t)
	e := newRuntimeEnv(t)
	built, err := helloWidget()
	if err != nil {
		t.Fatalf("build examples/hello-widget: %v", err)
	}
	app, _ := e.deployWithManifest(t, built.code, built.manifest)
	contact := e.sandboxRecord(t, "contacts")
	org := e.sandboxOrg.String()
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	widget := `[data-testid=app-widget][data-app="` + app.Slug + `"]`

	err = chromedp.Do(ctx, steps(
		browserSignIn(e.origin, "dev@acme.test", "/organizations/"+org+"/contacts/"+contact),
		waitJS("the widget, rendered", `document.querySelector(`+jsString(widget+` .app-root`)+`).textContent.includes("Hello widget")`),
		waitJS("the contact id, passed in", `document.querySelector(`+jsString(widget)+`).textContent.includes(`+jsString(contact)+`)`),
	)...)
	if err != nil {
		failShot(t, ctx, "widget", err)
	}
	// The frame is on the app's own origin, hidden, sandboxed.
	var frame struct{ Src, Sandbox string }
	evalJSON(t, ctx, `(function(){ var f = document.querySelector("iframe.app-frame"); return {Src: f.src, Sandbox: f.getAttribute("sandbox")}; })()`, &frame)
	if !strings.HasPrefix(frame.Src, e.origins.Of(app.Slug)+"/runtime?t=") || frame.Sandbox != "allow-scripts allow-same-origin" {
		t.Fatalf("frame %+v", frame)
	}

	// Typing: the input's handler runs in the frame, which sends back an
	// update of that input alone; the other nodes stay the same elements.
	evaluate(t, ctx, `(function(){ document.querySelectorAll(`+jsString(widget+` .app-root *`)+`).forEach(function(n){ n.__before = true; }); return true; })()`)
	err = chromedp.Do(ctx, steps(
		chromedp.SendKeys(widget+` input`, "Ada"),
		waitJS("the input's value, echoed by the app", `document.querySelector(`+jsString(widget+` input`)+`).value === "Ada"`),
	)...)
	if err != nil {
		failShot(t, ctx, "type", err)
	}
	var fresh int
	evalJSON(t, ctx, `Array.from(document.querySelectorAll(`+jsString(widget+` .app-root *`)+`)).filter(function(n){ return !n.__before; }).length`, &fresh)
	if fresh != 0 {
		t.Fatalf("%d elements were rebuilt for a one-prop update", fresh)
	}
	// The button's handler calls a server function; until the sandbox
	// route exists the host answers with a structured refusal, shown.
	err = chromedp.Do(ctx, steps(
		chromedp.Click(widget+` button`),
		waitJS("the refusal, shown by the app", `document.querySelector(`+jsString(widget)+`).textContent.includes("cannot run on this platform yet")`),
	)...)
	if err != nil {
		failShot(t, ctx, "button", err)
	}

	// A record action opens a dialog; closing it ends it.
	dialog := `dialog[data-testid=app-dialog][data-app="` + app.Slug + `"]`
	err = chromedp.Do(ctx, steps(
		chromedp.Click(`[data-testid=app-action][data-surface=show-record]`),
		waitJS("the record dialog", `(function(){ var d = document.querySelector(`+jsString(dialog)+`); return d && d.open && d.textContent.includes("Record details") && d.textContent.includes(`+jsString(contact)+`); })()`),
		chromedp.Click(dialog+` [data-testid=app-dialog-close]`),
		waitJS("the dialog, gone", `!document.querySelector(`+jsString(dialog)+`)`),
	)...)
	if err != nil {
		failShot(t, ctx, "dialog", err)
	}

	// A quick action from the palette (Ctrl+K).
	qctx, qcancel := context.WithTimeout(ctx, 20*time.Second)
	defer qcancel()
	err = chromedp.Do(qctx, steps(
		chromedp.KeyEvent("k", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		waitJS("the palette", `document.querySelector("[data-testid=quick-action-palette]") && document.querySelector("[data-testid=quick-action-palette]").open`),
		chromedp.SendKeys(`[data-testid=quick-action-filter]`, "say hi"+kb.Enter),
		waitJS("the quick action's dialog, once", `(function(){ var d = document.querySelectorAll(`+jsString(dialog)+`); return d.length === 1 && d[0].textContent.includes("Hello from the quick actions."); })()`),
		chromedp.Click(dialog+` [data-testid=app-dialog-close]`),
		waitJS("the dialog, gone", `!document.querySelector(`+jsString(dialog)+`)`),
	)...)
	if err != nil {
		var ds []string
		evalJSON(t, ctx, `Array.from(document.querySelectorAll("dialog")).map(function(d){ return d.dataset.testid + "|" + d.dataset.dialog + "|" + d.open + "|" + d.textContent.slice(0, 60); })`, &ds)
		t.Logf("dialogs: %q", ds)
		failShot(t, ctx, "quick action", err)
	}

	// A bulk action on the checked rows of the contact list.
	var want []string
	if err := e.h.store.Gorm().Raw(`SELECT id::text FROM contacts WHERE organization_id = ? ORDER BY created_at DESC, id DESC LIMIT 2`, e.sandboxOrg).Scan(&want).Error; err != nil || len(want) != 2 {
		t.Fatalf("two contacts: %v %v", want, err)
	}
	err = chromedp.Do(ctx, steps(
		navigates(chromedp.Navigate(e.origin+"/organizations/"+org+"/contacts")),
		waitJS("the bulk action", `document.querySelector("[data-testid=app-bulk-action][data-surface=list-selected]")`),
		chromedp.Click(`input[type=checkbox][data-record-id="`+want[0]+`"]`),
		chromedp.Click(`input[type=checkbox][data-record-id="`+want[1]+`"]`),
		chromedp.Click(`[data-testid=app-bulk-action][data-surface=list-selected]`),
		waitJS("the selected ids, in the app's dialog", `(function(){ var d = document.querySelector(`+jsString(dialog)+`); return d && d.textContent.includes("2 selected") && d.textContent.includes(`+jsString(want[0])+`) && d.textContent.includes(`+jsString(want[1])+`); })()`),
	)...)
	if err != nil {
		failShot(t, ctx, "bulk action", err)
	}

	// A text action on text selected in a call's transcript.
	call := e.sandboxRecord(t, "call_recordings")
	err = chromedp.Do(ctx, steps(
		navigates(chromedp.Navigate(e.origin+"/organizations/"+org+"/call-recordings/"+call)),
		waitJS("the app, running with its surfaces", `document.querySelector("iframe.app-frame[data-surfaces]")`),
	)...)
	if err != nil {
		failShot(t, ctx, "call page", err)
	}
	// Select the first words of the transcript the way a user would, then
	// let the host see the mouseup.
	var selected string
	evalJSON(t, ctx, `(function(){
		var f = document.querySelector("[data-call-field=transcript]");
		var walker = document.createTreeWalker(f, NodeFilter.SHOW_TEXT);
		var node; while ((node = walker.nextNode()) && node.textContent.trim().length < 12) {}
		var start = node.textContent.search(/\S/);
		var r = document.createRange(); r.setStart(node, start); r.setEnd(node, start + 12);
		var s = getSelection(); s.removeAllRanges(); s.addRange(r);
		f.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
		return s.toString();
	})()`, &selected)
	err = chromedp.Do(ctx, steps(
		waitJS("the text action", `document.querySelector("[data-testid=text-action][data-surface=show-text]")`),
		chromedp.Click(`[data-testid=text-action][data-surface=show-text]`),
		waitJS("the selected text, in the app's dialog", `(function(){ var d = document.querySelector(`+jsString(dialog)+`); return d && d.textContent.includes("Selected text") && d.textContent.includes(`+jsString(strings.TrimSpace(selected))+`); })()`),
	)...)
	if err != nil {
		failShot(t, ctx, "text action", err)
	}
}
