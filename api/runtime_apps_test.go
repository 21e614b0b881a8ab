package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"appstore/api"
	"appstore/api/runtime"
	"appstore/models"
)

var testRuntimeOrigins = runtime.Origins{Scheme: "http", Domain: "apps.localhost", Port: "8088"}

func withRuntime(c *api.Config) { c.RuntimeOrigins = testRuntimeOrigins }

type runtimeAppsResponse struct {
	Items []struct {
		InstallationID   string           `json:"installation_id"`
		InstallationType string           `json:"installation_type"`
		AppSlug          string           `json:"app_slug"`
		Origin           string           `json:"origin"`
		FrameURL         string           `json:"frame_url"`
		Surfaces         []models.Surface `json:"surfaces"`
	} `json:"items"`
}

func TestRuntimeApps(t *testing.T) {
	e := newDeployEnv(t, withRuntime)
	client := e.upload(t, "client", []byte("export default {}"))
	manifest := map[string]any{"surfaces": []any{map[string]any{"kind": "record-widget", "id": "hello", "title": "Hello", "record_types": []string{"contact"}}}}
	dep := e.deploy(t, map[string]any{"client_bundle_sha256": client.SHA256, "manifest": manifest})
	path := "/api/v1/organizations/" + e.sandboxOrg.String() + "/runtime/apps"

	rec := e.h.do(req{method: "GET", path: path, cookie: e.admin})
	wantStatus(t, rec, http.StatusOK)
	var got runtimeAppsResponse
	decode(t, rec, &got)
	if len(got.Items) != 1 {
		t.Fatalf("items %+v", got.Items)
	}
	it := got.Items[0]
	wantOrigin := testRuntimeOrigins.Of(e.app.Slug)
	if it.InstallationID != dep.Installation.ID.String() || it.InstallationType != "development" || it.Origin != wantOrigin ||
		!strings.HasPrefix(it.FrameURL, wantOrigin+"/runtime?t=") || len(it.Surfaces) != 1 || it.Surfaces[0].ID != "hello" {
		t.Fatalf("item %+v", it)
	}
	u, _ := url.Parse(it.FrameURL)
	f, err := runtime.NewTokens(testKey, testOrigin).Verify(u.Query().Get("t"))
	if err != nil || f.InstallationID != dep.Installation.ID || f.AppSlug != e.app.Slug || f.BundleSHA256 != client.SHA256 || f.DeploymentID != dep.Deployment.ID {
		t.Fatalf("frame token %+v, %v", f, err)
	}
	if strings.Contains(rec.Body.String(), "client_bundle_sha256") || strings.Contains(rec.Body.String(), "developer_account_id") {
		t.Fatalf("the list leaks internals: %s", rec.Body)
	}

	// Someone outside the organization sees no organization at all.
	wantProblem(t, e.h.do(req{method: "GET", path: path, cookie: e.member}), http.StatusNotFound, "organization_not_found")

	// A deployment without a client bundle runs nothing.
	e.deploy(t, map[string]any{})
	rec = e.h.do(req{method: "GET", path: path, cookie: e.admin})
	decode(t, rec, &got)
	if len(got.Items) != 0 {
		t.Fatalf("a deployment with no client bundle runs: %+v", got.Items)
	}
}

func TestRuntimeRefusalReports(t *testing.T) {
	e := newDeployEnv(t, withRuntime)
	client := e.upload(t, "client", []byte("export default {}"))
	dep := e.deploy(t, map[string]any{"client_bundle_sha256": client.SHA256})
	path := "/api/v1/organizations/" + e.sandboxOrg.String() + "/installations/" + dep.Installation.ID.String() + "/runtime-refusals"

	before := e.snapshot(t)
	wantProblem(t, e.h.do(req{method: "POST", path: path, cookie: e.admin, body: map[string]any{"kind": "virus", "reason": "x"}}), 422, "invalid_refusal")
	wantProblem(t, e.h.do(req{method: "POST", path: path, cookie: e.admin, body: map[string]any{"kind": "render", "reason": "x", "extra": 1}}), 422, "unknown_field")
	other := "/api/v1/organizations/" + e.sandboxOrg.String() + "/installations/" + e.app.ID.String() + "/runtime-refusals"
	wantProblem(t, e.h.do(req{method: "POST", path: other, cookie: e.admin, body: map[string]any{"kind": "render", "reason": "x"}}), 404, "installation_not_found")
	e.wantUnchanged(t, before)

	rec := e.h.do(req{method: "POST", path: path, cookie: e.admin, body: map[string]any{"kind": "render", "reason": "unknown component Script", "component": "Script"}})
	wantStatus(t, rec, http.StatusNoContent)
	var events []models.Event
	if err := e.h.store.Gorm().Where("type = ?", models.EventAppRenderRefused).Find(&events).Error; err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 || *events[0].AppID != e.app.ID || *events[0].DeploymentID != dep.Deployment.ID || events[0].Data["component"] != "Script" {
		t.Fatalf("events %+v", events)
	}

	// A flood of reports is accepted and capped.
	for range 40 {
		wantStatus(t, e.h.do(req{method: "POST", path: path, cookie: e.admin, body: map[string]any{"kind": "message", "reason": "flood"}}), http.StatusNoContent)
	}
	var n int64
	e.h.store.Gorm().Model(&models.Event{}).Where("type IN ?", []models.EventType{models.EventAppRenderRefused, models.EventAppMessageRefused}).Count(&n)
	if n != 20 {
		t.Fatalf("%d refusal events after a flood, want the burst of 20", n)
	}
}

func TestRuntimeUnconfigured(t *testing.T) {
	e := newDeployEnv(t)
	wantProblem(t, e.h.do(req{method: "GET", path: "/api/v1/organizations/" + e.sandboxOrg.String() + "/runtime/apps", cookie: e.admin}),
		http.StatusServiceUnavailable, "runtime_unavailable")
}
