package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCLIEndToEnd drives the CLI against the real API: login with a
// personal access token, deploy the example app (every bundle uploaded the
// first time, nothing the second), promote, submit, approval by a
// reviewer, publish, and status showing the published 0.1.0.
func TestCLIEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("needs PostgreSQL and the Temporal dev server: skipped with -short")
	}
	p := newPlatform(t)
	srv := p.serve(t, p.withWorkflows(t))

	c := newCLI(t)
	r := c.ok("login", "--url", srv.URL, "--token", p.pat)
	assert.Contains(t, r.stdout, p.dev.Email)

	dir := copyExample(t)
	setAppID(t, dir, p.app.ID.String())
	org := p.org.ID.String()

	// First deploy: both bundles go up.
	r = c.ok("deploy", "--dir", dir, "--org", org, "-m", "first deploy", "--json")
	m, err := readManifest(dir)
	require.NoError(t, err)
	var first deployResult
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &first))
	assert.Equal(t, m.Client.SizeBytes+m.Server.SizeBytes, first.BytesSent)
	assert.ElementsMatch(t, []string{"client", "server"}, first.Uploaded)
	var dev1 deployment
	require.NoError(t, json.Unmarshal(first.Deployment, &dev1))
	assert.Equal(t, "development", dev1.Type)
	assert.Equal(t, "active", dev1.Status)
	// The platform stored the manifest the build extracted.
	var stored struct {
		Manifest json.RawMessage `json:"manifest"`
	}
	require.NoError(t, json.Unmarshal(first.Deployment, &stored))
	assert.JSONEq(t, expectedExampleManifest, string(stored.Manifest))

	// Second deploy of the same build: nothing is sent.
	r = c.ok("deploy", "--dir", dir, "--org", org, "--json")
	var second deployResult
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &second))
	assert.Zero(t, second.BytesSent)
	assert.Empty(t, second.Uploaded)
	assert.Contains(t, r.stderr, "unchanged: 0 bytes sent")
	var dev2 deployment
	require.NoError(t, json.Unmarshal(second.Deployment, &dev2))
	assert.NotEqual(t, dev1.ID, dev2.ID)

	// Promote: version 0.1.0; promoting again answers the same deployment.
	r = c.ok("promote", dev2.ID, "--notes", "First release", "--json")
	var promoted deploymentAnswer
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &promoted))
	var prod deployment
	require.NoError(t, json.Unmarshal(promoted.Deployment, &prod))
	assert.Equal(t, "production", prod.Type)
	assert.Equal(t, "0.1.0", prod.version())
	r = c.ok("promote", dev2.ID, "--json")
	var again deploymentAnswer
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &again))
	var prodAgain deployment
	require.NoError(t, json.Unmarshal(again.Deployment, &prodAgain))
	assert.Equal(t, prod.ID, prodAgain.ID, "a second promotion made another production deployment")

	r = c.ok("submit", prod.ID)
	assert.Contains(t, r.stdout, "pending-review")

	// A reviewer claims and approves, over HTTP with a session.
	reviewer := session(t, srv.URL, p.reviewer.Email)
	for _, step := range []string{"claim", "approve"} {
		status, body := call(t, srv.URL, "POST", "/review/deployments/"+prod.ID+"/"+step, reviewer, map[string]any{})
		require.Equal(t, http.StatusOK, status, "%s: %s", step, body)
	}

	r = c.ok("publish", prod.ID)
	assert.Contains(t, r.stdout, "published")

	r = c.ok("status", "--dir", dir)
	assert.Regexp(t, `(?m)^`+prod.ID+`\s+production\s+0\.1\.0\s+published\s`, r.stdout)
	r = c.ok("status", prod.ID)
	assert.Contains(t, r.stdout, "version:  0.1.0")
	assert.Contains(t, r.stdout, "status:   published")

	r = c.ok("logs", "--dir", dir)
	assert.Contains(t, r.stdout, "deployment.")
}

// TestAgainstTheAPI runs the commands whose routes exist today against the
// real API: login with a personal access token (and a refused one), and
// the app's event log.
func TestAgainstTheAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("needs PostgreSQL: skipped with -short")
	}
	p := newPlatform(t)
	srv := p.serve(t, nil)

	c := newCLI(t)
	r := c.run("login", "--url", srv.URL, "--token", "asp_"+strings.Repeat("a", 52))
	require.Error(t, r.err)
	assert.Contains(t, r.err.Error(), "refused the token")
	assert.Contains(t, r.err.Error(), "HTTP 401")

	r = c.ok("login", "--url", srv.URL, "--token", p.pat)
	assert.Contains(t, r.stdout, p.dev.Email)
	assert.NotContains(t, r.stdout+r.stderr, p.pat)

	dir := copyExample(t)
	setAppID(t, dir, p.app.ID.String())
	r = c.ok("logs", "--dir", dir, "--json")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.NotEmpty(t, lines[0], "creating the app logged nothing")
	for _, line := range lines {
		var ev map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &ev))
		assert.Equal(t, p.app.ID.String(), ev["app_id"])
	}

	// An app the developer cannot see: the API's problem, clearly.
	setAppID(t, dir, "0190f0aa-0000-7000-8000-000000000001")
	r = c.run("logs", "--dir", dir)
	require.NoError(t, r.err, "an unknown app filters to nothing")
	r = c.run("logs", "--dir", dir, "--type", "x", "--limit", "1000")
	require.Error(t, r.err)
	assert.Contains(t, r.err.Error(), "(invalid_limit, HTTP 422)")
	assert.Contains(t, r.err.Error(), "limit: must be between 1 and 200")
}
