package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/worker"

	"appstore/activities"
	"appstore/api"
	"appstore/models"
	"appstore/models/blob"
	"appstore/models/postgres"
	"appstore/models/postgres/pgtest"
	"appstore/workflows"
	wfclient "appstore/workflows/client"
	"appstore/workflows/temporaltest"
)

// platformKey signs the test platform's sessions.
var platformKey = []byte("0123456789abcdef0123456789abcdef-cli-test")

// platform is the real API (router, handlers, stores) on a fresh database,
// served over HTTP so the CLI talks to it as it would in production, with
// a developer ready to deploy: an admin of a developer account with a
// complete app listing and of a test organization, holding a personal
// access token; and a platform reviewer.
type platform struct {
	store    *postgres.Store
	dev      *models.User
	reviewer *models.User
	org      *models.Organization
	account  *models.DeveloperAccount
	app      *models.App
	pat      string
}

func newPlatform(t *testing.T) *platform {
	t.Helper()
	ctx := context.Background()
	p := &platform{store: postgres.NewStore(pgtest.New(t))}
	var err error
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("platform fixture: %v", err)
		}
	}
	p.dev, err = p.store.CreateUser(ctx, models.NewUser{Email: "dev@cli.test", Name: "Dev", Password: postgres.DemoPassword, Verified: true})
	must(err)
	p.reviewer, err = p.store.CreateUser(ctx, models.NewUser{Email: "reviewer@cli.test", Name: "Rev", Password: postgres.DemoPassword,
		PlatformRole: models.PlatformRoleReviewer, Verified: true})
	must(err)
	actx := models.WithActor(ctx, p.dev.ID)
	p.org, err = p.store.CreateOrganization(actx, "CLI Sandbox", p.dev.ID)
	must(err)
	p.account, err = p.store.CreateDeveloperAccount(actx, "cli-labs", "CLI Labs", p.dev.ID)
	must(err)
	p.app, err = p.store.CreateApp(actx, p.account.ID, "hello-widget", "Hello Widget")
	must(err)
	text := strings.Repeat("A widget that greets people from the server. ", 3)
	str := func(s string) *string { return &s }
	_, err = p.store.UpdateAppListing(actx, p.app.ID, models.AppListingUpdate{
		Category: str("productivity"), Description: str(text), Overview: str(text),
		ContentHowItWorks: str(text), ContentConfigure: str(text),
		WebsiteURL: str("https://example.com"), DocsURL: str("https://example.com/docs"),
		ContactURL: str("https://example.com/contact"), TermsURL: str("https://example.com/terms"),
	})
	must(err)
	p.pat, _, err = p.store.CreatePAT(ctx, p.dev.ID, "cli", nil)
	must(err)
	return p
}

// serve starts the API over HTTP; wire, when set, adds the
// workflow-driven dependencies.
func (p *platform) serve(t *testing.T, wire func(baseURL string, deps *api.Deps)) *httptest.Server {
	t.Helper()
	var handler http.Handler
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(ts.Close)
	base, _ := url.Parse(ts.URL)
	cfg := api.Config{
		BaseURL:           base,
		JWTKey:            platformKey,
		LoginRatePerIP:    api.RateLimit{Count: 1000, Period: time.Minute},
		LoginRatePerEmail: api.RateLimit{Count: 1000, Period: time.Minute},
	}
	deps := api.Deps{Stores: api.Stores{
		Users: p.store.Users, Events: p.store.Events, DeveloperAccounts: p.store.DeveloperAccounts, Organizations: p.store.Organizations,
		Invitations: p.store.Invitations, Apps: p.store.Apps, OAuthClients: p.store.OAuthClients, Connections: p.store.Connections,
		Bundles: p.store.Bundles, Deployments: p.store.Deployments, Reviews: p.store.Reviews, Installations: p.store.Installations,
		InstallationConfig: p.store.Installations, Webhooks: p.store.Webhooks, Catalog: p.store.Catalog, DevMail: p.store.DevMail,
		Records: p.store.Records,
	}, Logger: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))}
	if wire != nil {
		wire(ts.URL, &deps)
	}
	srv, err := api.New(cfg, deps)
	if err != nil {
		t.Fatalf("api.New: %v", err)
	}
	handler = srv
	return ts
}

// withWorkflows runs a worker with the real workflows and activities on
// the test binary's Temporal dev server and points the API's workflow
// dependencies at it, the way api/harness_test.go's newTeamHarness does.
// Bundles go to a blob store in the test's temporary directory.
func (p *platform) withWorkflows(t *testing.T) func(baseURL string, deps *api.Deps) {
	return func(baseURL string, deps *api.Deps) {
		c := temporaltest.DevServer(t).Client()
		queue := "cli-test-" + uuid.NewString()
		w := worker.New(c, queue, worker.Options{})
		blobs, err := blob.NewFS(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		p.store.SetBlobs(blobs)
		workflows.Register(w, &activities.Activities{Store: p.store, Mailer: &activities.OutboxMailer{Store: p.store}, BaseURL: baseURL, Temporal: wfclient.New(c)})
		if err := w.Start(); err != nil {
			t.Fatalf("worker: %v", err)
		}
		t.Cleanup(w.Stop)
		deps.Invitations = &wfclient.Invitations{Client: c, TaskQueue: queue}
		deps.AccountMails = &wfclient.AccountMails{Client: c, TaskQueue: queue}
		deps.Promotions = &wfclient.Promotions{Client: c, TaskQueue: queue, ReminderAfter: time.Hour}
	}
}

// call sends one JSON request with a bearer token and returns the status
// and body.
func call(t *testing.T, baseURL, method, path, token string, body any) (int, string) {
	t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(method, baseURL+"/api/v1"+path, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var out bytes.Buffer
	_, _ = out.ReadFrom(resp.Body)
	return resp.StatusCode, out.String()
}

// session signs email in with the password and returns a session JWT,
// usable as a bearer token.
func session(t *testing.T, baseURL, email string) string {
	t.Helper()
	status, body := call(t, baseURL, "POST", "/auth/login", "", map[string]string{"email": email, "password": postgres.DemoPassword})
	if status != http.StatusOK {
		t.Fatalf("login %s: %d %s", email, status, body)
	}
	var lr struct {
		LoginToken string `json:"login_token"`
	}
	_ = json.Unmarshal([]byte(body), &lr)
	status, body = call(t, baseURL, "POST", "/auth/exchange", "", map[string]string{"login_token": lr.LoginToken})
	if status != http.StatusOK {
		t.Fatalf("exchange: %d %s", status, body)
	}
	var er struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.Unmarshal([]byte(body), &er)
	return er.AccessToken
}
