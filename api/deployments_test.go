package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"appstore/models"
)

type deploymentResponse struct {
	Deployment   models.Deployment   `json:"deployment"`
	Installation models.Installation `json:"installation"`
}

func (e *deployEnv) deploymentsPath() string {
	return "/api/v1/apps/" + e.app.ID.String() + "/deployments"
}

// deploy creates a development deployment for Acme Sandbox as its admin.
func (e *deployEnv) deploy(t *testing.T, body map[string]any) deploymentResponse {
	t.Helper()
	if body == nil {
		body = map[string]any{}
	}
	if _, ok := body["target_organization_id"]; !ok {
		body["target_organization_id"] = e.sandboxOrg
	}
	rec := e.h.do(req{method: "POST", path: e.deploymentsPath(), cookie: e.admin, body: body})
	wantStatus(t, rec, http.StatusCreated)
	var resp deploymentResponse
	decode(t, rec, &resp)
	return resp
}

func TestDeploymentFlow(t *testing.T) {
	e := newDeployEnv(t)
	client := e.upload(t, "client", []byte("client code"))
	server := e.upload(t, "server", []byte("server code"))
	schema := map[string]any{
		"$schema": models.SettingsSchemaDraft, "type": "object",
		"properties": map[string]any{
			"organization": map[string]any{"type": "object", "properties": map[string]any{"api_key": map[string]any{"type": "string", "minLength": 8}}},
			"user":         map[string]any{"type": "object", "properties": map[string]any{}},
		},
	}
	first := e.deploy(t, map[string]any{
		"client_bundle_sha256": client.SHA256, "server_bundle_sha256": server.SHA256,
		"settings_schema": schema, "environment": map[string]string{"API_URL": "https://api.example.test"},
		"metadata": map[string]string{"cli_version": "0.1.0", "commit_sha": "abc1234", "message": "first deploy"},
	})
	d, inst := first.Deployment, first.Installation
	if d.Type != models.DeploymentDevelopment || d.Status != models.DeploymentActive || *d.TargetOrganizationID != e.sandboxOrg ||
		*d.ClientBundleID != client.ID || *d.ServerBundleID != server.ID || d.Environment["API_URL"] != "https://api.example.test" ||
		d.Metadata["message"] != "first deploy" || d.Version != nil {
		t.Fatalf("deployment %+v", d)
	}
	if inst.DeploymentID != d.ID || inst.OrganizationID != e.sandboxOrg || inst.Status != models.InstallationActive || inst.Type != models.DeploymentDevelopment {
		t.Fatalf("installation %+v", inst)
	}

	// Redeploy without bundles or schema: the default schema, the old one superseded.
	second := e.deploy(t, nil)
	if second.Installation.ID != inst.ID || second.Installation.DeploymentID != second.Deployment.ID {
		t.Fatalf("installation after redeploy %+v", second.Installation)
	}
	if second.Deployment.SettingsSchema["type"] != "object" || second.Deployment.ClientBundleID != nil {
		t.Fatalf("second deployment %+v", second.Deployment)
	}
	rec := e.h.do(req{method: "GET", path: "/api/v1/deployments/" + d.ID.String(), cookie: e.member})
	wantStatus(t, rec, http.StatusOK)
	var got models.Deployment
	decode(t, rec, &got)
	if got.Status != models.DeploymentSuperseded || got.SettingsSchema["properties"] == nil {
		t.Fatalf("first deployment now %+v", got)
	}

	prod, err := e.h.store.PromoteDeployment(context.Background(), second.Deployment.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	list := func(query string) models.DeploymentPage {
		t.Helper()
		rec := e.h.do(req{method: "GET", path: e.deploymentsPath() + query, cookie: e.member})
		wantStatus(t, rec, http.StatusOK)
		var page models.DeploymentPage
		decode(t, rec, &page)
		return page
	}
	if all := list(""); len(all.Items) != 3 || all.Items[0].ID != prod.ID {
		t.Fatalf("all deployments %+v", all)
	}
	if devs := list("?type=development&limit=1"); len(devs.Items) != 1 || devs.Items[0].ID != second.Deployment.ID || devs.NextCursor == "" {
		t.Fatalf("development page %+v", devs)
	} else if rest := list("?type=development&limit=1&cursor=" + devs.NextCursor); len(rest.Items) != 1 || rest.Items[0].ID != d.ID || rest.NextCursor != "" {
		t.Fatalf("second development page %+v", rest)
	}
	if prods := list("?type=production"); len(prods.Items) != 1 || *prods.Items[0].Version != "0.1.0" {
		t.Fatalf("production deployments %+v", prods)
	}
}

var authzBundleSeq atomic.Int64

func TestDeploymentAuthorization(t *testing.T) {
	e := newDeployEnv(t)
	staff := e.h.login("staff@appstore.test")
	dev := e.deploy(t, nil).Deployment
	apps := "/api/v1/apps/" + e.app.ID.String()
	deployTo := func(org uuid.UUID) map[string]any { return map[string]any{"target_organization_id": org} }
	// Each upload sends new bytes, so every allowed caller gets 201.
	freshBundle := func(*testing.T) string {
		body := fmt.Sprintf("bundle %d", authzBundleSeq.Add(1))
		return apps + "/bundles/client/" + hexSHA([]byte(body)) + "?body=" + body
	}

	// Statuses for: anonymous, account member (plain member of Acme, not
	// in Acme Sandbox), account admin (admin of Acme Sandbox, not in Acme),
	// outsider (owner of both organizations, admin of another account),
	// platform staff. 0 means 201.
	type want struct{ anonymous, member, admin, outsider, staff int }
	cases := []struct {
		name, method string
		path         func(*testing.T) string
		body         any
		want         want
	}{
		{"check bundles", "POST", fixed(apps + "/bundles/check"), map[string]any{"bundles": []any{}}, want{401, 200, 200, 404, 404}},
		{"upload bundle", "PUT", freshBundle, nil, want{401, 0, 0, 404, 404}},
		{"list bundles", "GET", fixed(apps + "/bundles"), nil, want{401, 200, 200, 404, 404}},
		{"deploy to Acme Sandbox", "POST", fixed(apps + "/deployments"), deployTo(e.sandboxOrg), want{401, 404, 0, 404, 404}},
		{"deploy to Acme", "POST", fixed(apps + "/deployments"), deployTo(e.acmeOrg), want{401, 403, 404, 404, 404}},
		{"deploy to an unknown organization", "POST", fixed(apps + "/deployments"), deployTo(uuid.New()), want{401, 404, 404, 404, 404}},
		{"list deployments", "GET", fixed(apps + "/deployments"), nil, want{401, 200, 200, 404, 404}},
		{"view deployment", "GET", fixed("/api/v1/deployments/" + dev.ID.String()), nil, want{401, 200, 200, 404, 404}},
		{"unknown deployment", "GET", fixed("/api/v1/deployments/" + uuid.NewString()), nil, want{401, 404, 404, 404, 404}},
		{"malformed deployment id", "GET", fixed("/api/v1/deployments/nope"), nil, want{401, 404, 404, 404, 404}},
		{"unknown app's deployments", "GET", fixed("/api/v1/apps/" + uuid.NewString() + "/deployments"), nil, want{401, 404, 404, 404, 404}},
	}
	callers := []struct {
		name, session string
		pick          func(want) int
	}{
		{"anonymous", "", func(w want) int { return w.anonymous }},
		{"member", e.member, func(w want) int { return w.member }},
		{"admin", e.admin, func(w want) int { return w.admin }},
		{"outsider", e.outsider, func(w want) int { return w.outsider }},
		{"platform staff", staff, func(w want) int { return w.staff }},
	}
	for _, tc := range cases {
		for _, who := range callers {
			t.Run(tc.name+"/"+who.name, func(t *testing.T) {
				want := who.pick(tc.want)
				if want == 0 {
					want = http.StatusCreated
				}
				path := tc.path(t)
				var code int
				var body string
				if tc.method == "PUT" {
					path, content, _ := strings.Cut(path, "?body=")
					rec := e.put(who.session, path, []byte(content))
					code, body = rec.Code, rec.Body.String()
				} else {
					r := req{method: tc.method, path: path, body: tc.body, cookie: who.session}
					if who.session == "" && tc.method != "GET" {
						r.headers = map[string]string{"Origin": testOrigin}
					}
					rec := e.h.do(r)
					code, body = rec.Code, rec.Body.String()
				}
				if code != want {
					t.Fatalf("%s %s as %s: %d, want %d; %s", tc.method, path, who.name, code, want, body)
				}
			})
		}
	}
}

func TestDeploymentBadInput(t *testing.T) {
	e := newDeployEnv(t)
	client := e.upload(t, "client", []byte("client code"))
	scopes := func(org any) map[string]any {
		return map[string]any{"type": "object", "properties": map[string]any{"organization": org, "user": map[string]any{"type": "object"}}}
	}
	with := func(k string, v any) map[string]any {
		return map[string]any{"target_organization_id": e.sandboxOrg, k: v}
	}
	tests := []struct {
		name   string
		body   any
		status int
		code   string
		field  string
	}{
		{"not JSON", "{", 400, "malformed_json", ""},
		{"no organization", map[string]any{}, 422, "invalid_target_organization", "target_organization_id"},
		{"organization not an id", map[string]any{"target_organization_id": "acme"}, 422, "invalid_target_organization", "target_organization_id"},
		{"unknown field", with("version", "1.0.0"), 422, "unknown_field", "version"},
		{"bundle not uploaded", with("server_bundle_sha256", hexSHA([]byte("never sent"))), 422, "bundle_not_found", "server_bundle_sha256"},
		{"client hash as the server bundle", with("server_bundle_sha256", client.SHA256), 422, "bundle_not_found", "server_bundle_sha256"},
		{"bad hash", with("client_bundle_sha256", "xyz"), 422, "invalid_sha256", "client_bundle_sha256"},
		{"schema not an object", with("settings_schema", []any{}), 422, "invalid_field_type", "settings_schema"},
		{"schema without scopes", with("settings_schema", map[string]any{"type": "object"}), 422, "invalid_settings_schema", "settings_schema.properties"},
		{"scope not an object", with("settings_schema", scopes(map[string]any{"type": "string"})), 422, "invalid_settings_schema", "settings_schema.properties.organization.type"},
		{"not a JSON schema", with("settings_schema", scopes(map[string]any{"type": "object", "properties": map[string]any{"n": map[string]any{"type": 5}}})),
			422, "invalid_settings_schema", "settings_schema.properties.organization.properties.n.type"},
		{"schema reads a file", with("settings_schema", scopes(map[string]any{"type": "object", "$ref": "file:///etc/passwd"})), 422, "invalid_settings_schema", "settings_schema"},
		{"lower-case variable", with("environment", map[string]any{"api_url": "x"}), 422, "invalid_environment", "environment.api_url"},
		{"number variable", with("environment", map[string]any{"PORT": 8080}), 422, "invalid_environment", "environment.PORT"},
		{"unknown metadata", with("metadata", map[string]any{"author": "me"}), 422, "unknown_field", "author"},
		{"unknown manifest field", with("manifest", map[string]any{"sidebars": []any{}}), 422, "unknown_field", "sidebars"},
		{"manifest surface of no kind", with("manifest", map[string]any{"surfaces": []any{map[string]any{"kind": "sidebar", "id": "x", "title": "X"}}}),
			422, "invalid_manifest", "manifest.surfaces[0].kind"},
		{"long commit", with("metadata", map[string]any{"commit_sha": strings.Repeat("a", 65)}), 422, "invalid_metadata", "metadata.commit_sha"},
	}
	before := e.snapshot(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := wantProblem(t, e.h.do(req{method: "POST", path: e.deploymentsPath(), cookie: e.admin, body: tt.body}), tt.status, tt.code)
			if tt.field == "" {
				return
			}
			for _, f := range p.Errors {
				if f.Field == tt.field {
					return
				}
			}
			t.Fatalf("errors %+v do not name %s", p.Errors, tt.field)
		})
	}
	for _, tt := range []struct {
		query, code string
	}{
		{"?type=staging", "invalid_deployment_type"},
		{"?cursor=garbage", "invalid_cursor"},
		{"?limit=0", "invalid_limit"},
	} {
		wantProblem(t, e.h.do(req{method: "GET", path: e.deploymentsPath() + tt.query, cookie: e.admin}), 422, tt.code)
	}
	e.wantUnchanged(t, before)
}
