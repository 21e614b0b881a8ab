package api_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"appstore/api"
	"appstore/api/runtime"
	"appstore/models"
	"appstore/web"
)

// runtimeEnv is a platform and its runtime origins on loopback ports, with
// the deploy fixture's app team, for browser tests of apps running.
type runtimeEnv struct {
	*deployEnv
	origin  string // the platform
	origins runtime.Origins
}

func newRuntimeEnv(t *testing.T) *runtimeEnv {
	t.Helper()
	rl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(rl.Addr().String())
	origins := runtime.Origins{Scheme: "http", Domain: "apps.localhost", Port: port}
	pl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	origin := "http://" + pl.Addr().String()
	e := newDeployEnv(t, func(c *api.Config) {
		c.BaseURL, _ = url.Parse(origin)
		c.DevMode = true
		c.RuntimeOrigins = origins
	})
	platform := &httptest.Server{Listener: pl, Config: &http.Server{Handler: e.h.server}}
	platform.Start()
	t.Cleanup(platform.Close)
	rt, err := runtime.New(runtime.Config{PlatformOrigin: origin, Origins: origins, Tokens: runtime.NewTokens(testKey, origin),
		Store: e.h.store.Runtime, SDK: web.Runtime()})
	if err != nil {
		t.Fatal(err)
	}
	rs := &httptest.Server{Listener: rl, Config: &http.Server{Handler: rt}}
	rs.Start()
	t.Cleanup(rs.Close)
	return &runtimeEnv{deployEnv: e, origin: origin, origins: origins}
}

// deployApp creates another app of acme-labs (so another runtime origin),
// uploads code as its client bundle and deploys it with surfaces to Acme
// Sandbox; it returns the app and its development installation.
func (e *runtimeEnv) deployApp(t *testing.T, code string, surfaces ...models.Surface) (*models.App, uuid.UUID) {
	t.Helper()
	if surfaces == nil {
		surfaces = []models.Surface{}
	}
	return e.deployWithManifest(t, code, map[string]any{"surfaces": surfaces, "server_functions": []string{"src/greet.server.ts#greet"}})
}

// deployWithManifest is deployApp with the whole manifest given. It goes
// through the store: this platform's origin is the loopback one, which
// the harness's API requests do not carry.
func (e *runtimeEnv) deployWithManifest(t *testing.T, code string, manifest map[string]any) (*models.App, uuid.UUID) {
	t.Helper()
	ctx := context.Background()
	app := newApp(t, e.h, e.acme, models.AppUnpublished)
	e.deployEnv.app = app
	sha := hexSHA([]byte(code))
	if _, _, err := e.h.store.UploadBundle(ctx, app.ID, models.BundleClient, sha, int64(len(code)), strings.NewReader(code), 1<<20); err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(manifest)
	if err != nil {
		t.Fatal(err)
	}
	var m models.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("manifest %s: %v", raw, err)
	}
	_, inst, err := e.h.store.CreateDevelopmentDeployment(ctx, app.ID, models.DevelopmentDeploymentInput{
		TargetOrganizationID: e.sandboxOrg, ClientBundleSHA256: sha, Manifest: &m})
	if err != nil {
		t.Fatal(err)
	}
	return app, inst.ID
}

// sandboxRecord is a seeded record of Acme Sandbox of the given table.
func (e *runtimeEnv) sandboxRecord(t *testing.T, table string) string {
	t.Helper()
	var ids []string
	if err := e.h.store.Gorm().Raw(`SELECT id::text FROM `+table+` WHERE organization_id = ? ORDER BY created_at, id LIMIT 1`, e.sandboxOrg).Scan(&ids).Error; err != nil || len(ids) == 0 {
		t.Fatalf("no seeded %s in Acme Sandbox: %v", table, err)
	}
	return ids[0]
}

// refusals waits until the app has at least n refusal events of typ and
// returns their reasons.
func (e *runtimeEnv) refusals(t *testing.T, ctx context.Context, installation uuid.UUID, typ models.EventType, n int) []string {
	t.Helper()
	for {
		var events []models.Event
		if err := e.h.store.Gorm().Where("type = ? AND data->>'installation_id' = ?", typ, installation.String()).Order("created_at").Find(&events).Error; err != nil {
			t.Fatal(err)
		}
		if len(events) >= n {
			reasons := make([]string, len(events))
			for i, ev := range events {
				reasons[i], _ = ev.Data["reason"].(string)
			}
			return reasons
		}
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %d %s events of %s: %v (have %d)", n, typ, installation, ctx.Err(), len(events))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// hostileBundle wraps body, code that runs in the app's frame before the
// SDK's boot posts ready, with the frame's context and the port the host
// hands over at init (taken before the SDK sees it).
func hostileBundle(body string) string {
	return `
const ctx = JSON.parse(document.getElementById("appstore-context").textContent);
function envelope(type, data, extra) {
  return Object.assign({ source: "appstore-extension", type, appId: ctx.app_id, appInstallationId: ctx.app_installation_id, data }, extra || {});
}
let port = null;
const onInit = [], onPort = [];
window.addEventListener("message", (e) => {
  if (e.data && e.data.type === "init" && e.ports && e.ports[0] && !port) {
    port = e.ports[0];
    port.addEventListener("message", (m) => onPort.forEach((f) => f(m.data)));
    port.start();
    onInit.forEach((f) => f());
  }
});
` + body + `
export default {};
`
}

func widgetSurface(id string) models.Surface {
	return models.Surface{Kind: models.SurfaceRecordWidget, ID: id, Title: "Widget " + id, RecordTypes: []string{"contact"}}
}

// evalJSON evaluates expr in the tab and decodes its JSON value into v.
func evalJSON(t *testing.T, ctx context.Context, expr string, v any) {
	t.Helper()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify(`+expr+`)`))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		t.Fatalf("evaluate %s: %s: %v", expr, raw, err)
	}
}
