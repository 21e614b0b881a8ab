package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
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
	"appstore/models/postgres"
	"appstore/models/postgres/pgtest"
	"appstore/workflows"
	wfclient "appstore/workflows/client"
	"appstore/workflows/temporaltest"
)

const testOrigin = "http://appstore.test"

// testKey signs sessions in tests.
var testKey = []byte("0123456789abcdef0123456789abcdef-test-key")

type harness struct {
	t      *testing.T
	db     *postgres.DB
	store  *postgres.Store
	server *api.Server
}

// newHarness serves a fresh, seeded database through the real router,
// without Temporal (the team routes that start workflows need
// newTeamHarness).
func newHarness(t *testing.T, opts ...func(*api.Config)) *harness {
	t.Helper()
	return newHarnessWith(t, nil, opts...)
}

// newTeamHarness also runs a worker with the real workflows and activities
// on the test binary's Temporal dev server, on a task queue of its own.
func newTeamHarness(t *testing.T, opts ...func(*api.Config)) *harness {
	t.Helper()
	if testing.Short() {
		t.Skip("needs the Temporal dev server: skipped with -short")
	}
	return newHarnessWith(t, func(store *postgres.Store, baseURL string, deps *api.Deps) {
		c := temporaltest.DevServer(t).Client()
		queue := "api-test-" + uuid.NewString()
		w := worker.New(c, queue, worker.Options{})
		workflows.Register(w, &activities.Activities{Store: store, Mailer: &activities.OutboxMailer{Store: store}, BaseURL: baseURL, Temporal: wfclient.New(c)})
		if err := w.Start(); err != nil {
			t.Fatalf("worker: %v", err)
		}
		t.Cleanup(w.Stop)
		deps.Invitations = &wfclient.Invitations{Client: c, TaskQueue: queue}
		deps.AccountMails = &wfclient.AccountMails{Client: c, TaskQueue: queue}
		deps.Promotions = &wfclient.Promotions{Client: c, TaskQueue: queue, ReminderAfter: time.Hour}
		deps.Installations = &wfclient.Installations{Client: c, TaskQueue: queue}
	}, opts...)
}

// newHarnessWith builds the server; withTemporal, when set, fills the
// workflow-driving dependencies.
func newHarnessWith(t *testing.T, withTemporal func(store *postgres.Store, baseURL string, deps *api.Deps), opts ...func(*api.Config)) *harness {
	t.Helper()
	db := pgtest.New(t)
	store := postgres.NewStore(db)
	if _, err := store.SeedDemo(context.Background()); err != nil {
		t.Fatalf("seed: %v", err)
	}
	base, _ := url.Parse(testOrigin)
	cfg := api.Config{
		BaseURL:           base,
		JWTKey:            testKey,
		MaxBodyBytes:      4096,
		LoginRatePerIP:    api.RateLimit{Count: 1000, Period: time.Minute},
		LoginRatePerEmail: api.RateLimit{Count: 1000, Period: time.Minute},
	}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.DevMode {
		store.SetURLRules(models.DevelopmentURLRules())
	}
	deps := api.Deps{Stores: storesOf(store), Logger: slog.New(slog.NewTextHandler(t.Output(), nil)), Checks: []api.Check{{Name: "database", Run: db.Ping}}}
	if withTemporal != nil {
		withTemporal(store, cfg.BaseURL.String(), &deps)
	}
	srv, err := api.New(cfg, deps)
	if err != nil {
		t.Fatalf("api.New: %v", err)
	}
	return &harness{t: t, db: db, store: store, server: srv}
}

// req is one request to send.
type req struct {
	method, path string
	body         any               // marshalled as JSON unless a string
	headers      map[string]string // extra headers
	cookie       string            // session cookie value
	bearer       string            // Authorization: Bearer value
}

func (h *harness) do(r req) *httptest.ResponseRecorder {
	h.t.Helper()
	var body io.Reader
	switch b := r.body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		body = bytes.NewReader(raw)
	}
	hr := httptest.NewRequest(r.method, r.path, body)
	if body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	if r.cookie != "" {
		hr.AddCookie(&http.Cookie{Name: api.SessionCookie, Value: r.cookie})
		if r.method != http.MethodGet {
			hr.Header.Set("Origin", testOrigin)
		}
	}
	if r.bearer != "" {
		hr.Header.Set("Authorization", "Bearer "+r.bearer)
	}
	for k, v := range r.headers {
		if v == "" {
			hr.Header.Del(k)
		} else {
			hr.Header.Set(k, v)
		}
	}
	rec := httptest.NewRecorder()
	h.server.ServeHTTP(rec, hr)
	return rec
}

// login signs in through /auth/login and /auth/exchange and returns the
// session JWT (also the cookie's value).
func (h *harness) login(email string) string {
	h.t.Helper()
	rec := h.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"email": email, "password": postgres.DemoPassword}})
	wantStatus(h.t, rec, http.StatusOK)
	var lr struct {
		LoginToken string `json:"login_token"`
	}
	decode(h.t, rec, &lr)
	rec = h.do(req{method: "POST", path: "/api/v1/auth/exchange", body: map[string]string{"login_token": lr.LoginToken}})
	wantStatus(h.t, rec, http.StatusOK)
	var er struct {
		AccessToken string `json:"access_token"`
	}
	decode(h.t, rec, &er)
	return er.AccessToken
}

func wantStatus(t *testing.T, rec *httptest.ResponseRecorder, want int) {
	t.Helper()
	if rec.Code != want {
		t.Fatalf("status %d, want %d; body: %s", rec.Code, want, rec.Body.String())
	}
}

// wantProblem asserts a problem+json answer with status and code.
func wantProblem(t *testing.T, rec *httptest.ResponseRecorder, status int, code string) api.Problem {
	t.Helper()
	wantStatus(t, rec, status)
	if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("content type %q, want application/problem+json", ct)
	}
	var p api.Problem
	decode(t, rec, &p)
	if p.Code != code {
		t.Fatalf("problem code %q, want %q (detail %q)", p.Code, code, p.Detail)
	}
	if p.Status != status {
		t.Fatalf("problem status %d, want %d", p.Status, status)
	}
	return p
}

func decode(t *testing.T, rec *httptest.ResponseRecorder, v any) {
	t.Helper()
	if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
		t.Fatalf("decode %s: %v", rec.Body.String(), err)
	}
}

func urlEscape(s string) string { return url.QueryEscape(s) }

// storesOf wires the API's stores from store's aggregates, as serve does.
func storesOf(store *postgres.Store) api.Stores {
	return api.Stores{
		Users: store.Users, Events: store.Events, DeveloperAccounts: store.DeveloperAccounts, Organizations: store.Organizations,
		Invitations: store.Invitations, Apps: store.Apps, OAuthClients: store.OAuthClients, Connections: store.Connections,
		Bundles: store.Bundles, Deployments: store.Deployments, Reviews: store.Reviews, Installations: store.Installations,
		InstallationConfig: store.Installations, Webhooks: store.Webhooks, Catalog: store.Catalog, DevMail: store.DevMail, Runtime: store.Runtime,
		Records: store.Records,
	}
}
