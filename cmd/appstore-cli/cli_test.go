package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLogin(t *testing.T) {
	f := newFakeAPI(t)
	c := newCLI(t)
	path := c.vars["APPSTORE_CONFIG"]

	r := c.run("login", "--url", f.URL, "--token", "asp_wrong")
	require.Error(t, r.err)
	assert.Contains(t, r.err.Error(), "refused the token")
	assert.NoFileExists(t, path)

	r = c.run("login", "--url", f.URL, "--token", "not-a-pat")
	require.Error(t, r.err)
	assert.Contains(t, r.err.Error(), "asp_")

	r = c.ok("login", "--url", f.URL+"/api/v1/", "--token", f.token)
	assert.Contains(t, r.stdout, "dev@example.com")
	assert.NotContains(t, r.stdout+r.stderr, f.token, "the token was printed")
	st, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	var saved credentials
	require.NoError(t, json.Unmarshal([]byte(readFile(t, path)), &saved))
	assert.Equal(t, credentials{URL: f.URL, Token: f.token}, saved)

	// From stdin, as a pipe: echo "$TOKEN" | appstore-cli login.
	c2 := newCLI(t)
	c2.stdin = f.token + "\n"
	c2.ok("login", "--url", f.URL)
	assert.FileExists(t, c2.vars["APPSTORE_CONFIG"])
}

func TestEnvironmentOverridesStoredCredentials(t *testing.T) {
	f := newFakeAPI(t)
	dir := copyExample(t)
	setAppID(t, dir, "app-1")
	c := newCLI(t)
	r := c.run("deploy", "--dir", dir, "--org", "org-1")
	require.Error(t, r.err)
	assert.Contains(t, r.err.Error(), "not logged in")

	c.vars["APPSTORE_URL"], c.vars["APPSTORE_TOKEN"] = f.URL, f.token
	c.ok("deploy", "--dir", dir, "--org", "org-1")

	// The stored token is wrong; the environment's wins.
	writeFile(t, c.vars["APPSTORE_CONFIG"], `{"url":"http://127.0.0.1:1","token":"asp_stale"}`)
	c.ok("deploy", "--dir", dir, "--org", "org-1")
}

func setAppID(t *testing.T, dir, id string) {
	t.Helper()
	path := filepath.Join(dir, "appstore.json")
	var pf map[string]any
	require.NoError(t, json.Unmarshal([]byte(readFile(t, path)), &pf))
	pf["app_id"] = id
	raw, _ := json.Marshal(pf)
	writeFile(t, path, string(raw))
}

func TestDeployUploadsOnlyMissingBundles(t *testing.T) {
	f := newFakeAPI(t)
	c := newCLI(t)
	f.login(t, c)
	dir := copyExample(t)
	setAppID(t, dir, "app-1")

	r := c.ok("deploy", "--dir", dir, "--org", "org-1", "-m", "first try")
	m, err := readManifest(dir)
	require.NoError(t, err)
	assert.Equal(t, []string{"client/" + m.Client.SHA256, "server/" + m.Server.SHA256}, f.puts)
	assert.Equal(t, m.Client.SizeBytes+m.Server.SizeBytes, f.bytesIn)
	assert.Contains(t, r.stderr, "uploading client bundle: ")
	assert.Contains(t, r.stderr, "/"+itoa(m.Client.SizeBytes)+" bytes (100%)")
	assert.Contains(t, r.stdout, "dep-1")

	require.Len(t, f.deployments, 1)
	d := f.deployments[0]
	assert.Equal(t, "org-1", d["target_organization_id"])
	assert.Equal(t, m.Client.SHA256, d["client_bundle_sha256"])
	assert.Equal(t, m.Server.SHA256, d["server_bundle_sha256"])
	assert.Equal(t, map[string]any{"GREETING_STYLE": "friendly"}, d["environment"])
	meta := d["metadata"].(map[string]any)
	assert.Equal(t, "first try", meta["message"])
	assert.Equal(t, cliVersion(), meta["cli_version"])
	schema, _ := json.Marshal(d["settings_schema"])
	assert.JSONEq(t, expectedExampleSchema, string(schema))
	manifest, _ := json.Marshal(d["manifest"])
	assert.JSONEq(t, expectedExampleManifest, string(manifest), "the deployment carries the app manifest")

	// Nothing changed: nothing is sent, and --json says so.
	r = c.ok("deploy", "--dir", dir, "--org", "org-1", "--json")
	assert.Len(t, f.puts, 2)
	assert.Contains(t, r.stderr, "unchanged: 0 bytes sent")
	var out deployResult
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &out))
	assert.Zero(t, out.BytesSent)
	assert.Empty(t, out.Uploaded)
	assert.Contains(t, string(out.Deployment), `"dep-2"`)

	// A changed client uploads the client only.
	app := filepath.Join(dir, "src", "app.tsx")
	writeFile(t, app, strings.Replace(readFile(t, app), "<CardTitle>Hello widget", "<CardTitle>Hello, widget", 1))
	c.ok("deploy", "--dir", dir, "--org", "org-1")
	require.Len(t, f.puts, 3)
	assert.True(t, strings.HasPrefix(f.puts[2], "client/"))

	// --no-build deploys dist/ as it is.
	writeFile(t, app, "this does not compile")
	c.ok("deploy", "--dir", dir, "--org", "org-1", "--no-build")
	assert.Len(t, f.puts, 3)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestAPIErrorsArePrintedClearly(t *testing.T) {
	f := newFakeAPI(t)
	c := newCLI(t)
	f.login(t, c)
	dir := copyExample(t)
	setAppID(t, dir, "app-1")

	f.answer("POST /apps/app-1/deployments", 422, `{"type":"about:blank","title":"Unprocessable Entity","status":422,
		"detail":"The settings schema is not valid.","code":"invalid_settings_schema",
		"errors":[{"field":"settings_schema.properties.user","message":"must be an object schema"}]}`)
	r := c.run("deploy", "--dir", dir, "--org", "org-1")
	require.Error(t, r.err)
	assert.Equal(t, "create deployment: The settings schema is not valid. (invalid_settings_schema, HTTP 422)\n"+
		"  settings_schema.properties.user: must be an object schema", r.err.Error())

	f.answer("POST /deployments/prod-1/submit", 409, `{"status":409,"title":"Conflict","detail":"This deployment cannot be submitted now.",
		"code":"illegal_transition","current_status":"approved"}`)
	r = c.run("submit", "prod-1")
	require.Error(t, r.err)
	assert.Equal(t, "submit: This deployment cannot be submitted now. (illegal_transition, HTTP 409)\n  current status: approved", r.err.Error())

	f.answer("POST /deployments/prod-1/publish", 500, `{"status":500,"title":"Internal Server Error","detail":"Something went wrong on our side.","code":"internal","request_id":"req-9"}`)
	r = c.run("publish", "prod-1")
	require.Error(t, r.err)
	assert.Contains(t, r.err.Error(), "request id: req-9")

	// Not problem+json at all (a proxy in the way).
	f.answer("POST /deployments/dev-1/promote", 502, `<html>bad gateway</html>`)
	r = c.run("promote", "dev-1")
	require.Error(t, r.err)
	assert.Contains(t, r.err.Error(), "answered 502 Bad Gateway")
}

func TestStatus(t *testing.T) {
	f := newFakeAPI(t)
	c := newCLI(t)
	f.login(t, c)
	dir := copyExample(t)
	setAppID(t, dir, "app-1")
	f.answer("GET /apps/app-1/deployments", 200, `{"items":[
		{"id":"prod-1","type":"production","version":"0.2.0","status":"rejected","created_at":"2026-01-03T10:00:00Z"},
		{"id":"dev-1","type":"development","version":null,"status":"active","created_at":"2026-01-02T10:00:00Z"}]}`)
	r := c.ok("status", "--dir", dir)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.Len(t, lines, 3)
	assert.Regexp(t, `^ID\s+TYPE\s+VERSION\s+STATUS\s+CREATED$`, lines[0])
	assert.Regexp(t, `^prod-1\s+production\s+0\.2\.0\s+rejected\s`, lines[1])
	assert.Regexp(t, `^dev-1\s+development\s+-\s+active\s`, lines[2])

	f.answer("GET /deployments/prod-1", 200, `{"id":"prod-1","type":"production","version":"0.2.0","status":"rejected",
		"source_deployment_id":"dev-1","created_at":"2026-01-03T10:00:00Z","release_notes":"Faster greetings"}`)
	f.answer("GET /deployments/prod-1/review", 200, `{"status":"rejected",
		"history":[{"at":"2026-01-03T11:00:00Z","transition":"submit","to":"pending-review"},
		           {"at":"2026-01-03T12:00:00Z","transition":"reject","to":"rejected","actor":"reviewer@appstore.test"}],
		"reasons":[{"code":"broken-ui","message":"The widget shows nothing.","field":"client","doc_url":"https://docs.example/ui"}]}`)
	r = c.ok("status", "prod-1")
	for _, want := range []string{"Deployment prod-1", "version:  0.2.0", "status:   rejected", "promoted from: dev-1",
		"release notes: Faster greetings", "reject  -> rejected  by reviewer@appstore.test",
		"- [broken-ui] The widget shows nothing. (field: client) https://docs.example/ui"} {
		assert.Contains(t, r.stdout, want)
	}

	r = c.ok("status", "prod-1", "--json")
	var out struct {
		Deployment deployment     `json:"deployment"`
		Review     map[string]any `json:"review"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &out))
	assert.Equal(t, "0.2.0", out.Deployment.version())
	assert.Equal(t, "rejected", out.Review["status"])
}

func TestLogsFollow(t *testing.T) {
	f := newFakeAPI(t)
	c := newCLI(t)
	f.login(t, c)
	dir := copyExample(t)
	setAppID(t, dir, "app-1")
	f.events = []map[string]any{
		{"id": "e2", "created_at": "2026-01-02T10:00:02Z", "type": "deployment.created", "deployment_id": "dep-1"},
		{"id": "e1", "created_at": "2026-01-02T10:00:01Z", "type": "bundle.uploaded", "data": map[string]any{"type": "client"}},
	}
	r := c.ok("logs", "--dir", dir)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.Len(t, lines, 2)
	assert.Contains(t, lines[0], "bundle.uploaded")
	assert.Contains(t, lines[1], "deployment.created")
	assert.Contains(t, lines[1], "deployment dep-1")

	// --follow prints each new event once, then stops with its context.
	go func() {
		time.Sleep(100 * time.Millisecond)
		f.mu.Lock()
		f.events = append([]map[string]any{{"id": "e3", "created_at": "2026-01-02T10:00:03Z", "type": "deployment.promoted"}}, f.events...)
		f.mu.Unlock()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
	defer cancel()
	r = c.runContext(ctx, "logs", "--dir", dir, "--follow", "--json")
	require.NoError(t, r.err)
	lines = strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.Len(t, lines, 3, r.stdout)
	assert.Contains(t, lines[2], `"id":"e3"`)
}
