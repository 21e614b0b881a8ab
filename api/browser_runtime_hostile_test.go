package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"appstore/models"
)

// Hostile apps, all on one contact page beside the hello widget: each
// trick is refused and reported (app.message_refused / app.render_refused),
// nothing they send reaches the platform's DOM, and the hello widget keeps
// working throughout.
func TestBrowserHostileApps(t *testing.T) {
	ctx := newBrowser(t)
	e := newRuntimeEnv(t)
	built, err := helloWidget()
	if err != nil {
		t.Fatalf("build examples/hello-widget: %v", err)
	}
	hello, helloInst := e.deployWithManifest(t, built.code, built.manifest)

	// Before its handshake a frame lies about its ids and source, and
	// posts a render; then it claims to be the hello widget.
	forger, forgerInst := e.deployApp(t, hostileBundle(`
parent.postMessage(envelope("ready", {}, { appId: "00000000-0000-0000-0000-000000000000" }), ctx.platform_origin);
parent.postMessage(envelope("ready", {}, { appInstallationId: "00000000-0000-0000-0000-000000000000" }), ctx.platform_origin);
parent.postMessage(envelope("ready", {}, { source: "appstore-platform" }), ctx.platform_origin);
parent.postMessage(envelope("render", { root_id: "x", mount: [] }), ctx.platform_origin);
parent.postMessage(envelope("ready", {}, { appId: `+jsString(hello.ID.String())+`, appInstallationId: `+jsString(helloInst.String())+` }), ctx.platform_origin);
`), widgetSurface("forged"))
	// Over the real port: a component that is not on the list, a style
	// prop, raw HTML.
	renders := `
onInit.push(() => setTimeout(() => port.postMessage(envelope("set-surfaces", { surfaces: [
  { kind: "record-widget", id: "script", title: "Script", record_types: ["contact"] },
  { kind: "record-widget", id: "style", title: "Style", record_types: ["contact"] },
  { kind: "record-widget", id: "html", title: "HTML", record_types: ["contact"] },
] })), 50));
const trees = {
  script: [{ id: 1, type: "Script", props: { src: "https://evil.test/x.js" }, children: [] }],
  style: [{ id: 2, type: "Button", props: { style: "position:fixed;inset:0" }, children: [{ id: 3, text: "Click" }] }],
  html: [{ id: 4, type: "TextBlock", props: { dangerouslySetInnerHTML: { __html: "<img src=x onerror=alert(1)>" } }, children: [] }],
};
onPort.push((m) => {
  if (m && m.type === "trigger-surface" && m.data.root_id) {
    port.postMessage(envelope("render", { root_id: m.data.root_id, mount: trees[m.data.surface_id] }));
  }
});
`
	renderer, rendererInst := e.deployApp(t, hostileBundle(renders), widgetSurface("script"), widgetSurface("style"), widgetSurface("html"))
	// A frame that snoops: the platform's cookies, DOM and location, and
	// navigating the top window; it shows what it got.
	snoop := `
let found = "cookie=[" + document.cookie + "]";
try { found += ";dom=" + parent.document.title; } catch (e) { found += ";dom=blocked"; }
try { found += ";loc=" + parent.location.href; } catch (e) { found += ";loc=blocked"; }
try { top.location.href = "about:blank#escaped"; found += ";nav=tried"; } catch (e) { found += ";nav=blocked"; }
onInit.push(() => setTimeout(() => port.postMessage(envelope("set-surfaces", { surfaces: [{ kind: "record-widget", id: "snoop", title: "Snoop", record_types: ["contact"] }] })), 50));
onPort.push((m) => {
  if (m && m.type === "trigger-surface" && m.data.root_id) {
    port.postMessage(envelope("render", { root_id: m.data.root_id, mount: [{ id: 1, type: "TextBlock", props: { text: "snoop:" + found }, children: [] }] }));
  }
});
`
	snooper, _ := e.deployApp(t, hostileBundle(snoop), widgetSurface("snoop"))
	// A bundle that never returns, and one that floods the port.
	looper, _ := e.deployApp(t, "while (true) {}\nexport default {};\n", widgetSurface("loop"))
	flood := `
onInit.push(() => {
  const until = performance.now() + 4500;
  const burst = () => {
    for (let i = 0; i < 2000; i++) port.postMessage(envelope("close-dialog", { dialog_id: "none" }));
    if (performance.now() < until) setTimeout(burst, 20);
  };
  burst();
});
`
	flooder, flooderInst := e.deployApp(t, hostileBundle(flood), widgetSurface("flood"))

	contact := e.sandboxRecord(t, "contacts")
	page := "/organizations/" + e.sandboxOrg.String() + "/contacts/" + contact
	ctx, cancel := context.WithTimeout(ctx, 4*time.Minute)
	defer cancel()
	helloWidget := `[data-testid=app-widget][data-app="` + hello.Slug + `"]`
	status := func(app *models.App, surface string) string {
		return `document.querySelector('[data-testid=app-widget][data-app="` + app.Slug + `"][data-surface="` + surface + `"]')`
	}
	err = chromedp.Do(ctx, steps(
		browserSignIn(e.origin, "dev@acme.test", page),
		waitJS("the hello widget", `document.querySelector(`+jsString(helloWidget+` .app-root`)+`).textContent.includes("Hello widget")`),
		// While another app's bundle spins, this page and the hello widget
		// still answer.
		chromedp.SendKeys(helloWidget+` input`, "Ada"),
		waitJS("the input's value, echoed by the app", `document.querySelector(`+jsString(helloWidget+` input`)+`).value === "Ada"`),
		waitJS("the looping app's timeout", status(looper, "loop")+`.textContent.includes("did not start")`),
		waitJS("the flooding app, stopped", status(flooder, "flood")+`.textContent.includes("stopped")`),
		waitJS("the snooper's findings", status(snooper, "snoop")+`.textContent.includes("snoop:")`),
		waitJS("the script widget's refusal", status(renderer, "script")+`.querySelector("[data-testid=surface-error]")`),
		waitJS("the style widget's refusal", status(renderer, "style")+`.querySelector("[data-testid=surface-error]")`),
		waitJS("the html widget's refusal", status(renderer, "html")+`.querySelector("[data-testid=surface-error]")`),
	)...)
	if err != nil {
		failShot(t, ctx, "hostile page", err)
	}

	var found string
	evalJSON(t, ctx, status(snooper, "snoop")+`.textContent`, &found)
	if !strings.Contains(found, "snoop:cookie=[];dom=blocked;loc=blocked;nav=") || strings.Contains(found, "escaped") {
		t.Fatalf("the snooper found %q", found)
	}
	var where string
	evalJSON(t, ctx, `location.pathname + location.hash`, &where)
	if where != page {
		t.Fatalf("a frame moved the platform page to %s", where)
	}
	// Nothing the apps sent is in the platform's DOM.
	var leaked []string
	evalJSON(t, ctx, `Array.from(document.querySelectorAll("script[src*='evil.test'], img[src=x], [style*='inset'], .app-root button")).map(function(n){ return n.outerHTML; })`, &leaked)
	if len(leaked) != 1 || !strings.Contains(leaked[0], "Say hello") {
		t.Fatalf("app content in the platform DOM: %v", leaked)
	}

	// Two more tricks: a second frame of the hello widget's origin that is
	// not its frame, and an app's frame that navigates itself, before its
	// handshake, to another app's runtime page (whose ready then comes
	// from the wrong origin).
	var frameURL string
	evalJSON(t, ctx, `document.querySelector('iframe.app-frame[data-installation-id="`+helloInst.String()+`"]').src`, &frameURL)
	evaluate(t, ctx, `(function(){ var f = document.createElement("iframe"); f.src = `+jsString(frameURL)+`; f.className = "app-frame"; document.body.appendChild(f); return true; })()`)
	// Its report, before this page is left.
	if got := e.refusals(t, ctx, helloInst, models.EventAppMessageRefused, 1); !containsPrefix(got, "a message from a frame that is not the app's") {
		t.Errorf("refusals of the hello widget %q", got)
	}
	navigator, navigatorInst := e.deployApp(t, "location.replace("+jsString(e.freshFrameURL(t, helloInst))+");\n"+
		"await new Promise(() => {}); // the boot never gets to say ready for this origin\nexport default {};\n", widgetSurface("nav"))
	octx, ocancel := context.WithTimeout(ctx, 40*time.Second)
	defer ocancel()
	err = chromedp.Do(octx, steps(
		navigates(chromedp.Navigate(e.origin+page)),
		waitJS("the hello widget, again", `document.querySelector(`+jsString(helloWidget+` .app-root`)+`).textContent.includes("Hello widget")`),
		waitJS("the navigated frame's timeout", status(navigator, "nav")+`.textContent.includes("did not start")`),
	)...)
	if err != nil {
		var apps []string
		evalJSON(t, ctx, `Array.from(document.querySelectorAll("[data-testid=app-widget]")).map(function(n){ return n.dataset.app + "/" + n.dataset.surface; })`, &apps)
		t.Logf("widgets %v navigator %s", apps, navigator.Slug)
		rec := e.h.do(req{method: "GET", path: "/api/v1/organizations/" + e.sandboxOrg.String() + "/runtime/apps", cookie: e.admin})
		t.Logf("apps: %s", rec.Body.String()[:min(3000, rec.Body.Len())])
		failShot(t, ctx, "outside tricks", err)
	}

	wantReasons := func(inst uuid.UUID, typ models.EventType, want ...string) {
		t.Helper()
		got := e.refusals(t, ctx, inst, typ, len(want))
		for _, w := range want {
			if !containsPrefix(got, w) {
				t.Errorf("refusals of %s: %q, want one starting %q", inst, got, w)
			}
		}
	}
	wantReasons(forgerInst, models.EventAppMessageRefused, "a wrong appId", "a wrong installation id", "a wrong source", "a message before the handshake")
	wantReasons(rendererInst, models.EventAppRenderRefused, "")
	wantReasons(flooderInst, models.EventAppMessageRefused, "more than 200 messages a second")
	wantReasons(navigatorInst, models.EventAppMessageRefused, "a message from another origin")
	var renderEvents []models.Event
	e.h.store.Gorm().Where("type = ? AND data->>'installation_id' = ?", models.EventAppRenderRefused, rendererInst.String()).Find(&renderEvents)
	components := map[string]bool{}
	for _, ev := range renderEvents {
		c, _ := ev.Data["component"].(string)
		p, _ := ev.Data["prop"].(string)
		components[c+"."+p] = true
	}
	if len(renderEvents) < 3 {
		t.Errorf("render refusals %v, want one per widget (Script, Button.style, TextBlock.dangerouslySetInnerHTML)", components)
	}
	_ = forger
}

func containsPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

// freshFrameURL is a frame URL (with a new token) of installation inst, as
// the runtime apps route gives the page.
func (e *runtimeEnv) freshFrameURL(t *testing.T, inst uuid.UUID) string {
	t.Helper()
	rec := e.h.do(req{method: "GET", path: "/api/v1/organizations/" + e.sandboxOrg.String() + "/runtime/apps", cookie: e.admin})
	wantStatus(t, rec, http.StatusOK)
	var got runtimeAppsResponse
	decode(t, rec, &got)
	for _, it := range got.Items {
		if it.InstallationID == inst.String() {
			return it.FrameURL
		}
	}
	t.Fatalf("no frame for %s", inst)
	return ""
}
