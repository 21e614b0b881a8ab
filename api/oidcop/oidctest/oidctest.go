// Package oidctest runs the whole platform (API, pages and the OpenID
// Connect provider) on a loopback httptest server over a fresh seeded
// database, with installations, installation clients and permissions made
// directly in the store, for the provider's tests and the example app's.
package oidctest

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"appstore/api"
	"appstore/api/oidcop"
	"appstore/models"
	"appstore/models/postgres"
	"appstore/models/postgres/pgtest"
)

// Env is a running platform.
type Env struct {
	T        testing.TB
	Server   *httptest.Server
	Issuer   string
	Store    *postgres.Store
	API      *api.Server
	Provider *oidcop.Provider
	// Acme and Sandbox are the seeded organizations; Owner, Member and Dev
	// the seeded users (Dev is not a member of Acme).
	Acme, Sandbox      uuid.UUID
	Owner, Member, Dev *models.User
	DeveloperAccountID uuid.UUID
}

// Options tune Start.
type Options struct {
	KeyRotation time.Duration
	IDTokenTTL  time.Duration
	// Production runs the provider with production rules (DevMode off):
	// redirect URIs must then pass models.ValidateRedirectURIs(…, true).
	Production bool
}

// jwtKey signs the platform's session JWTs in tests.
var jwtKey = []byte("0123456789abcdef0123456789abcdef-oidc-test")

// Start serves a fresh platform until the test ends.
func Start(t testing.TB, opts Options) *Env {
	t.Helper()
	ctx := context.Background()
	db := pgtest.New(t)
	store := postgres.NewStore(db)
	enc, err := models.NewEncrypter([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	store.SetEncrypter(enc)
	if _, err := store.SeedDemo(ctx); err != nil {
		t.Fatalf("seed: %v", err)
	}
	e := &Env{T: t, Store: store}
	var handler http.Handler
	e.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(e.Server.Close)
	e.Issuer = e.Server.URL
	e.Provider, err = oidcop.New(oidcop.Config{Issuer: e.Issuer, KeyRotation: opts.KeyRotation, IDTokenTTL: opts.IDTokenTTL,
		DevMode: !opts.Production},
		store, enc, slog.New(slog.NewTextHandler(t.Output(), nil)))
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse(e.Issuer)
	e.API, err = api.New(api.Config{
		BaseURL: base, JWTKey: jwtKey, MaxBodyBytes: 1 << 16,
		LoginRatePerIP: api.RateLimit{Count: 1000, Period: time.Minute}, LoginRatePerEmail: api.RateLimit{Count: 1000, Period: time.Minute},
	}, api.Deps{Stores: api.Stores{
		Users: store.Users, Events: store.Events, DeveloperAccounts: store.DeveloperAccounts, Organizations: store.Organizations,
		Invitations: store.Invitations, Apps: store.Apps, OAuthClients: store.OAuthClients, Connections: store.Connections,
		Bundles: store.Bundles, Deployments: store.Deployments, Reviews: store.Reviews, Installations: store.Installations,
		InstallationConfig: store.Installations, Webhooks: store.Webhooks, Catalog: store.Catalog, DevMail: store.DevMail,
		Records: store.Records,
	}, Logger: slog.New(slog.NewTextHandler(t.Output(), nil)), OIDC: e.Provider})
	if err != nil {
		t.Fatal(err)
	}
	handler = e.API
	e.Owner = e.user("owner@acme.test")
	e.Member = e.user("member@acme.test")
	e.Dev = e.user("dev@acme.test")
	e.Acme = e.id("SELECT id::text FROM organizations WHERE name = 'Acme'")
	e.Sandbox = e.id("SELECT id::text FROM organizations WHERE name = 'Acme Sandbox'")
	e.DeveloperAccountID = e.id("SELECT id::text FROM developer_accounts WHERE slug = 'acme-labs'")
	return e
}

func (e *Env) id(query string) uuid.UUID {
	var s string
	must(e.T, e.Store.Gorm().Raw(query).Scan(&s).Error)
	id, err := uuid.Parse(s)
	must(e.T, err)
	return id
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (e *Env) user(email string) *models.User {
	u, err := e.Store.GetUserByEmail(context.Background(), email)
	must(e.T, err)
	return u
}

// Session returns a platform session cookie value for u.
func (e *Env) Session(u *models.User) string {
	tok, _, err := e.API.Sessions().Issue(u)
	must(e.T, err)
	return tok
}

// SessionAt returns a platform session cookie value for u as if u had
// signed in at signedIn (within the last SessionTTL): what a browser holds
// some time after signing in, since sessions are never re-issued.
func (e *Env) SessionAt(u *models.User, signedIn time.Time) string {
	e.T.Helper()
	claims := api.SessionClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: e.Issuer, Subject: u.ID.String(), Audience: jwt.ClaimStrings{e.Issuer},
			IssuedAt: jwt.NewNumericDate(signedIn), NotBefore: jwt.NewNumericDate(signedIn),
			ExpiresAt: jwt.NewNumericDate(signedIn.Add(api.SessionTTL)), ID: uuid.NewString(),
		},
		Email: u.Email, Role: u.PlatformRole, Gen: u.SessionGeneration,
	}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(jwtKey)
	must(e.T, err)
	return tok
}

// Installation is an app installed in an organization with its OAuth
// client's credentials.
type Installation struct {
	AppID, ID, OrgID       uuid.UUID
	ClientID, ClientSecret string
	AppURL, CallbackURL    string
}

// Install creates an app (app_url, callback_url), its production
// deployment, an active installation in orgID, the installation's OAuth
// client and access for every member of the organization, as the
// Installation workflow would.
func (e *Env) Install(orgID uuid.UUID, slug, appURL, callbackURL string) *Installation {
	e.T.Helper()
	ctx := context.Background()
	app, err := e.Store.CreateApp(ctx, e.DeveloperAccountID, slug, "App "+slug)
	must(e.T, err)
	g := e.Store.Gorm()
	must(e.T, g.Exec("UPDATE apps SET app_url = ?, callback_url = ? WHERE id = ?", appURL, callbackURL, app.ID).Error)
	depID, instID := uuid.New(), uuid.New()
	must(e.T, g.Exec(`INSERT INTO app_deployments (id, app_id, type, version, settings_schema, status)
		VALUES (?, ?, 'production', '1.0.0', '{}', 'published')`, depID, app.ID).Error)
	must(e.T, g.Exec(`INSERT INTO app_installations (id, app_id, organization_id, type, deployment_id, installed_by)
		VALUES (?, ?, ?, 'production', ?, ?)`, instID, app.ID, orgID, depID, e.Owner.ID).Error)
	secret := models.NewToken(models.OAuthClientSecretPrefix)
	c := &models.OAuthClient{
		ID: uuid.New(), AppID: app.ID, InstallationID: &instID, ClientID: models.OAuthClientIDPrefix + uuid.NewString()[:18],
		SecretHash: models.HashToken(secret), SecretGeneration: 1, RedirectURIs: models.StringList{callbackURL},
		Scopes: models.StringList{"openid", "profile", "email"}, PKCERequired: false, EntrypointURL: appURL, Enabled: true,
	}
	must(e.T, g.Create(c).Error)
	must(e.T, g.Exec(`INSERT INTO app_permissions (installation_id, user_id, can_access, granted_by)
		SELECT ?, user_id, true, ? FROM organization_members WHERE organization_id = ?`, instID, e.Owner.ID, orgID).Error)
	return &Installation{AppID: app.ID, ID: instID, OrgID: orgID, ClientID: c.ClientID, ClientSecret: secret, AppURL: appURL, CallbackURL: callbackURL}
}

// SetAccess grants or revokes userID's access to the installation.
func (e *Env) SetAccess(inst *Installation, userID uuid.UUID, can bool) {
	must(e.T, e.Store.Gorm().Exec("UPDATE app_permissions SET can_access = ? WHERE installation_id = ? AND user_id = ?",
		can, inst.ID, userID).Error)
}

// Uninstall marks the installation inactive and revokes its tokens, as
// the uninstall flow does.
func (e *Env) Uninstall(inst *Installation) {
	must(e.T, e.Store.Gorm().Exec("UPDATE app_installations SET status = 'inactive', uninstalled_at = now() WHERE id = ?", inst.ID).Error)
	must(e.T, e.Store.RevokeInstallationTokens(context.Background(), inst.ID, nil))
}
