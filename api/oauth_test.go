package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"appstore/activities"
	"appstore/api"
	"appstore/models"
	"appstore/models/postgres"
	"appstore/workflows"
	wfclient "appstore/workflows/client"
	"appstore/workflows/contract"
	"appstore/workflows/temporaltest"
)

// oauthHarness is the team harness plus the OAuth routes' Temporal driver.
type oauthHarness struct {
	*harness
	tm       *team
	temporal client.Client
}

func newOAuthHarness(t *testing.T, opts ...func(*api.Config)) *oauthHarness {
	t.Helper()
	if testing.Short() {
		t.Skip("needs the Temporal dev server: skipped with -short")
	}
	c := temporaltest.DevServer(t).Client()
	h := newHarnessWith(t, func(store *postgres.Store, baseURL string, deps *api.Deps) {
		queue := "api-oauth-test-" + uuid.NewString()
		w := worker.New(c, queue, worker.Options{})
		workflows.Register(w, &activities.Activities{Store: store, Mailer: &activities.OutboxMailer{Store: store}, BaseURL: baseURL})
		if err := w.Start(); err != nil {
			t.Fatalf("worker: %v", err)
		}
		t.Cleanup(w.Stop)
		deps.Invitations = &wfclient.Invitations{Client: c, TaskQueue: queue}
		deps.AccountMails = &wfclient.AccountMails{Client: c, TaskQueue: queue}
		deps.Rotations = &wfclient.Rotations{Client: c, TaskQueue: queue}
	}, opts...)
	return &oauthHarness{harness: h, tm: newTeam(t, h), temporal: c}
}

var oauthAppSeq atomic.Int64

// newApp creates an app of acme-labs and returns its API path.
func (o *oauthHarness) newApp(t *testing.T) (uuid.UUID, string) {
	t.Helper()
	app, err := o.store.CreateApp(context.Background(), o.tm.acme, fmt.Sprintf("oauth-api-%d", oauthAppSeq.Add(1)), "OAuth API App")
	if err != nil {
		t.Fatal(err)
	}
	return app.ID, "/api/v1/apps/" + app.ID.String()
}

// enabledApp is newApp with OAuth enabled through the store.
func (o *oauthHarness) enabledApp(t *testing.T) string {
	t.Helper()
	id, path := o.newApp(t)
	if _, _, _, err := o.store.EnableOAuth(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	return path
}

// cleanSchedule deletes the reminder Schedule of clientID when the test ends.
func (o *oauthHarness) cleanSchedule(t *testing.T, clientID string) {
	t.Cleanup(func() { _ = wfclient.New(o.temporal).DeleteRotationSchedule(context.Background(), clientID) })
}

type oauthAnswer struct {
	ClientID          string     `json:"client_id"`
	Enabled           bool       `json:"enabled"`
	RedirectURIs      []string   `json:"redirect_uris"`
	Scopes            []string   `json:"scopes"`
	PKCERequired      bool       `json:"pkce_required"`
	EntrypointURL     string     `json:"entrypoint_url"`
	ClientSecret      string     `json:"client_secret"`
	Generation        int        `json:"generation"`
	PreviousExpiresAt *time.Time `json:"previous_expires_at"`
	Secrets           []struct {
		Generation int        `json:"generation"`
		State      string     `json:"state"`
		ExpiresAt  *time.Time `json:"expires_at"`
	} `json:"secrets"`
}

func TestOAuthAuthorization(t *testing.T) {
	o := newOAuthHarness(t)
	_, viewed := o.newApp(t)
	fresh := func(t *testing.T) string { _, p := o.newApp(t); return p }
	enabled := func(suffix string) func(t *testing.T) string {
		return func(t *testing.T) string { return o.enabledApp(t) + suffix }
	}
	type want struct{ anonymous, member, admin, outsider int }
	cases := []struct {
		name, method string
		path         func(t *testing.T) string
		body         any
		want         want
	}{
		{"view", "GET", fixed(viewed + "/oauth"), nil, want{401, 200, 200, 404}},
		{"enable", "POST", func(t *testing.T) string { return fresh(t) + "/oauth/enable" }, nil, want{401, 403, 201, 404}},
		{"disable", "POST", enabled("/oauth/disable"), nil, want{401, 403, 200, 404}},
		{"update", "PATCH", enabled("/oauth"), map[string]any{"scopes": []string{"openid"}}, want{401, 403, 200, 404}},
		{"rotate", "POST", enabled("/oauth/rotate-secret"), nil, want{401, 403, 200, 404}},
	}
	callers := []struct {
		name    string
		session string
		pick    func(want) int
	}{
		{"anonymous", "", func(w want) int { return w.anonymous }},
		{"member", o.tm.member, func(w want) int { return w.member }},
		{"admin", o.tm.admin, func(w want) int { return w.admin }},
		{"admin of another account", o.tm.outsider, func(w want) int { return w.outsider }},
	}
	for _, tc := range cases {
		for _, who := range callers {
			t.Run(tc.name+"/"+who.name, func(t *testing.T) {
				body := tc.body
				if body == nil && tc.method != "GET" {
					body = map[string]any{}
				}
				r := req{method: tc.method, path: tc.path(t), body: body, cookie: who.session}
				if who.session == "" && tc.method != "GET" {
					r.headers = map[string]string{"Origin": testOrigin}
				}
				rec := o.do(r)
				if want := who.pick(tc.want); rec.Code != want {
					t.Fatalf("%s %s as %s: %d, want %d; %s", tc.method, r.path, who.name, rec.Code, want, rec.Body.String())
				}
				if rec.Code < 300 && tc.method == "POST" {
					var got oauthAnswer
					decode(t, rec, &got)
					o.cleanSchedule(t, got.ClientID)
				}
			})
		}
	}
	// A path that is no app is 404 for everyone signed in.
	wantProblem(t, o.do(req{method: "GET", path: "/api/v1/apps/" + uuid.NewString() + "/oauth", cookie: o.tm.admin}), 404, "app_not_found")
}

func TestOAuthLifecycle(t *testing.T) {
	o := newOAuthHarness(t)
	ctx := context.Background()
	appID, path := o.newApp(t)
	admin := o.tm.admin

	// Before enabling: a disabled client without id or secrets.
	var got oauthAnswer
	rec := o.do(req{method: "GET", path: path + "/oauth", cookie: o.tm.member})
	wantStatus(t, rec, http.StatusOK)
	decode(t, rec, &got)
	if got.Enabled || got.ClientID != "" || len(got.Secrets) != 0 || !got.PKCERequired {
		t.Fatalf("before enable: %+v", got)
	}

	// Enable: 201 with the secret, once.
	rec = o.do(req{method: "POST", path: path + "/oauth/enable", cookie: admin, body: map[string]any{}})
	wantStatus(t, rec, http.StatusCreated)
	var enabled oauthAnswer
	decode(t, rec, &enabled)
	o.cleanSchedule(t, enabled.ClientID)
	first := enabled.ClientSecret
	if !strings.HasPrefix(enabled.ClientID, models.OAuthClientIDPrefix) || !strings.HasPrefix(first, models.OAuthClientSecretPrefix) ||
		!enabled.Enabled || len(enabled.Secrets) != 1 || enabled.Secrets[0].State != "current" {
		t.Fatalf("enable: %s", rec.Body.String())
	}
	schedule := o.temporal.ScheduleClient().GetHandle(ctx, contract.RotationScheduleID(enabled.ClientID))
	desc, err := schedule.Describe(ctx)
	if err != nil {
		t.Fatalf("no reminder Schedule after enable: %v", err)
	}
	if iv := desc.Schedule.Spec.Intervals; len(iv) != 1 || iv[0].Every != contract.DefaultRotationReminderEvery {
		t.Errorf("reminder intervals = %+v, want the default", iv)
	}
	rec = o.do(req{method: "POST", path: path + "/oauth/enable", cookie: admin, body: map[string]any{}})
	wantStatus(t, rec, http.StatusOK)
	if strings.Contains(rec.Body.String(), "client_secret") {
		t.Fatalf("enabling again showed a secret: %s", rec.Body.String())
	}

	// Settings: production rules (DevMode off) refuse localhost.
	rec = o.do(req{method: "PATCH", path: path + "/oauth", cookie: admin, body: map[string]any{
		"redirect_uris": []string{"https://example.com/cb", "http://localhost:3000/cb", "https://*.example.com/cb"},
		"scopes":        []string{"openid", "nope"},
	}})
	p := wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_oauth_client")
	if len(p.Errors) != 3 || p.Errors[0].Field != "redirect_uris[1]" || p.Errors[1].Field != "redirect_uris[2]" || p.Errors[2].Field != "scopes[1]" {
		t.Fatalf("field errors = %+v", p.Errors)
	}
	rec = o.do(req{method: "PATCH", path: path + "/oauth", cookie: admin, body: map[string]any{
		"redirect_uris": []string{"https://example.com/cb"}, "scopes": []string{"openid", "contacts:read"},
		"entrypoint_url": "https://example.com/start", "pkce_required": false,
	}})
	wantStatus(t, rec, http.StatusOK)
	decode(t, rec, &got)
	if len(got.RedirectURIs) != 1 || len(got.Scopes) != 2 || got.EntrypointURL != "https://example.com/start" || got.PKCERequired {
		t.Fatalf("after update: %s", rec.Body.String())
	}

	// Rotate: a new secret once, both valid, and the run that revokes the first.
	rec = o.do(req{method: "POST", path: path + "/oauth/rotate-secret", cookie: admin, body: map[string]any{}})
	wantStatus(t, rec, http.StatusOK)
	var rotated oauthAnswer
	decode(t, rec, &rotated)
	if rotated.Generation != 2 || rotated.ClientSecret == "" || rotated.ClientSecret == first || rotated.PreviousExpiresAt == nil ||
		rotated.PreviousExpiresAt.Before(time.Now().Add(contract.DefaultSecretGrace-time.Minute)) {
		t.Fatalf("rotate: %s", rec.Body.String())
	}
	for _, secret := range []string{first, rotated.ClientSecret} {
		if _, err := o.store.VerifyClientSecret(ctx, enabled.ClientID, secret); err != nil {
			t.Fatalf("secret does not verify in the grace period: %v", err)
		}
	}
	run, err := o.temporal.DescribeWorkflowExecution(ctx, contract.SecretRotationWorkflowID(enabled.ClientID, 2), "")
	if err != nil {
		t.Fatalf("no rotation run: %v", err)
	}
	if run.WorkflowExecutionInfo.Type.Name != "SecretRotation" {
		t.Fatalf("run type = %s", run.WorkflowExecutionInfo.Type.Name)
	}
	t.Cleanup(func() {
		_ = o.temporal.TerminateWorkflow(context.Background(), contract.SecretRotationWorkflowID(enabled.ClientID, 2), "", "test over")
	})

	// GET shows both secrets' state, never a secret or a hash.
	rec = o.do(req{method: "GET", path: path + "/oauth", cookie: o.tm.member})
	wantStatus(t, rec, http.StatusOK)
	body := rec.Body.String()
	decode(t, rec, &got)
	if len(got.Secrets) != 2 || got.Secrets[0].Generation != 2 || got.Secrets[0].State != "current" ||
		got.Secrets[1].Generation != 1 || got.Secrets[1].State != "previous" || got.Secrets[1].ExpiresAt == nil {
		t.Fatalf("secrets = %s", body)
	}
	if strings.Contains(body, first) || strings.Contains(body, rotated.ClientSecret) || strings.Contains(body, "hash") {
		t.Fatalf("GET leaks a secret: %s", body)
	}

	// Disable: secrets stop verifying and the reminder goes.
	rec = o.do(req{method: "POST", path: path + "/oauth/disable", cookie: admin, body: map[string]any{}})
	wantStatus(t, rec, http.StatusOK)
	if _, err := o.store.VerifyClientSecret(ctx, enabled.ClientID, rotated.ClientSecret); err == nil {
		t.Fatal("a disabled client's secret verified")
	}
	if _, err := schedule.Describe(ctx); err == nil {
		t.Fatal("the reminder Schedule survived disable")
	}
	wantProblem(t, o.do(req{method: "POST", path: path + "/oauth/rotate-secret", cookie: admin, body: map[string]any{}}),
		http.StatusConflict, "oauth_disabled")

	// Every change was recorded against the app.
	page, err := o.store.ListEvents(ctx, models.EventViewer{Role: models.PlatformRoleStaffAdmin}, models.EventFilter{AppID: &appID})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[models.EventType]int{}
	for _, e := range page.Events {
		seen[e.Type]++
	}
	for _, typ := range []models.EventType{models.EventOAuthEnabled, models.EventOAuthUpdated, models.EventOAuthSecretRotated, models.EventOAuthDisabled} {
		if seen[typ] != 1 {
			t.Errorf("%d %s events, want 1 (all: %v)", seen[typ], typ, seen)
		}
	}
}

func TestOAuthDevelopmentRedirectURIs(t *testing.T) {
	o := newOAuthHarness(t, func(c *api.Config) { c.DevMode = true })
	path := o.enabledApp(t)
	rec := o.do(req{method: "PATCH", path: path + "/oauth", cookie: o.tm.admin, body: map[string]any{
		"redirect_uris": []string{"http://localhost:3000/cb"}}})
	wantStatus(t, rec, http.StatusOK)
	rec = o.do(req{method: "PATCH", path: path + "/oauth", cookie: o.tm.admin, body: map[string]any{
		"redirect_uris": []string{"http://example.com/cb"}}})
	wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_oauth_client")
}
