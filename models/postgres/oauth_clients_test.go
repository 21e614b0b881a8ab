package postgres_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"appstore/models"
	"appstore/models/modeltest"
	"appstore/models/postgres"
)

// oauthApp is an app of a fresh account, and the account's admin.
type oauthApp struct {
	s     *postgres.Store
	admin *models.User
	acct  *models.DeveloperAccount
	app   *models.App
}

func newOAuthApp(t *testing.T) *oauthApp {
	t.Helper()
	s := newStore(t)
	admin := createUser(t, s, models.PlatformRoleNone)
	acct := createAccount(t, s, admin)
	app, err := s.CreateApp(context.Background(), acct.ID, fmt.Sprintf("oauth-app-%d", accountSeq.Add(1)), "OAuth App")
	if err != nil {
		t.Fatal(err)
	}
	return &oauthApp{s: s, admin: admin, acct: acct, app: app}
}

// enable enables OAuth and returns the client id and first secret.
func (o *oauthApp) enable(t *testing.T) (string, string) {
	t.Helper()
	id, secret, _, err := o.s.EnableOAuth(models.WithActor(context.Background(), o.admin.ID), o.app.ID)
	if err != nil || secret == "" {
		t.Fatalf("EnableOAuth: %q %v", secret, err)
	}
	return id, secret
}

// verifies reports whether secret verifies for client id.
func verifies(t *testing.T, s *postgres.Store, id, secret string) bool {
	t.Helper()
	c, err := s.VerifyClientSecret(context.Background(), id, secret)
	if err != nil {
		modeltest.WantError(t, err, models.KindUnauthorized, "invalid_client")
		return false
	}
	if c.ClientID != id {
		t.Fatalf("verified client %s, want %s", c.ClientID, id)
	}
	return true
}

func TestEnableOAuthShowsSecretOnceStoresHashOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	o := newOAuthApp(t)
	id, secret, c, err := o.s.EnableOAuth(models.WithActor(ctx, o.admin.ID), o.app.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(id, models.OAuthClientIDPrefix) || !strings.HasPrefix(secret, models.OAuthClientSecretPrefix) ||
		c.ClientID != id || !c.Enabled || !c.PKCERequired || c.SecretGeneration != 1 {
		t.Fatalf("enable = %q %q %+v", id, secret, c)
	}
	// Only the SHA-256 is in the row, nowhere the secret.
	var raw struct {
		SecretHash []byte
		Row        string
	}
	if err := o.s.Gorm().Raw(`SELECT secret_hash, c::text AS row FROM oauth_clients c WHERE client_id = ?`, id).Scan(&raw).Error; err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(secret))
	if !bytes.Equal(raw.SecretHash, sum[:]) || strings.Contains(raw.Row, secret) || strings.Contains(raw.Row, secret[len(models.OAuthClientSecretPrefix):]) {
		t.Fatalf("row %s holds more than the secret's hash", raw.Row)
	}
	wantEvent(t, onlyEvent(t, o.s, models.EventOAuthEnabled), o.acct.ID, &o.admin.ID, map[string]any{"client_id": id, "new_client": true})
	if app, err := o.s.GetApp(ctx, o.app.ID); err != nil || !app.HasOAuth {
		t.Fatalf("app has_oauth = %v (%v), want true", app, err)
	}

	// Enabling again mints nothing; disabling and enabling keeps the id and the secret.
	id2, secret2, _, err := o.s.EnableOAuth(ctx, o.app.ID)
	if err != nil || id2 != id || secret2 != "" {
		t.Fatalf("enable again = %q %q %v, want %q and no secret", id2, secret2, err, id)
	}
	if n := countEvents(t, o.s, models.EventOAuthEnabled); n != 1 {
		t.Fatalf("%d oauth.enabled events after a no-op enable, want 1", n)
	}
	if c, err := o.s.DisableOAuth(ctx, o.app.ID); err != nil || c.Enabled {
		t.Fatalf("disable = %+v %v", c, err)
	}
	if verifies(t, o.s, id, secret) {
		t.Fatal("a disabled client's secret verified")
	}
	if app, _ := o.s.GetApp(ctx, o.app.ID); app.HasOAuth {
		t.Fatal("app has_oauth still true after disable")
	}
	if _, err := o.s.DisableOAuth(ctx, o.app.ID); err != nil {
		t.Fatal(err)
	}
	if n := countEvents(t, o.s, models.EventOAuthDisabled); n != 1 {
		t.Fatalf("%d oauth.disabled events, want 1", n)
	}
	id3, secret3, c3, err := o.s.EnableOAuth(ctx, o.app.ID)
	if err != nil || id3 != id || secret3 != "" || !c3.Enabled || c3.SecretGeneration != 1 {
		t.Fatalf("re-enable = %q %q %+v %v", id3, secret3, c3, err)
	}
	if !verifies(t, o.s, id, secret) {
		t.Fatal("the original secret stopped working after disable and enable")
	}
}

func TestEnableOAuthConcurrent(t *testing.T) {
	t.Parallel()
	o := newOAuthApp(t)
	var wg sync.WaitGroup
	secrets := make([]string, 4)
	errs := make([]error, 4)
	for i := range secrets {
		wg.Go(func() { _, secrets[i], _, errs[i] = o.s.EnableOAuth(context.Background(), o.app.ID) })
	}
	wg.Wait()
	minted := 0
	for i, err := range errs {
		if err != nil {
			t.Fatalf("concurrent enable: %v", err)
		}
		if secrets[i] != "" {
			minted++
		}
	}
	if minted != 1 || countRows(t, o.s, "oauth_clients") != 1 {
		t.Fatalf("%d secrets minted, %d clients, want 1 and 1", minted, countRows(t, o.s, "oauth_clients"))
	}
}

func TestOAuthNotFound(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	o := newOAuthApp(t)
	_, err := o.s.GetOAuthClient(ctx, o.app.ID)
	modeltest.WantError(t, err, models.KindNotFound, "oauth_not_enabled")
	_, err = o.s.DisableOAuth(ctx, o.app.ID)
	modeltest.WantError(t, err, models.KindNotFound, "oauth_not_enabled")
	_, _, err = o.s.RotateClientSecret(ctx, o.app.ID, time.Hour)
	modeltest.WantError(t, err, models.KindNotFound, "oauth_not_enabled")
	_, _, _, err = o.s.EnableOAuth(ctx, o.acct.ID) // an id that is no app
	modeltest.WantError(t, err, models.KindNotFound, "app_not_found")
	if verifies(t, o.s, "asc_unknown", "ascs_whatever") {
		t.Fatal("unknown client verified")
	}
}

func TestUpdateOAuthClient(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	o := newOAuthApp(t)
	id, _ := o.enable(t)
	uris := []string{"https://example.com/cb", "https://example.com/cb2"}
	scopes := []string{"openid", "contacts:read"}
	entry := "https://example.com/start"
	pkce := false
	c, err := o.s.UpdateOAuthClient(models.WithActor(ctx, o.admin.ID), o.app.ID,
		models.OAuthUpdate{RedirectURIs: &uris, Scopes: &scopes, EntrypointURL: &entry, PKCERequired: &pkce}, true)
	if err != nil {
		t.Fatal(err)
	}
	got, err := o.s.GetOAuthClient(ctx, o.app.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []*models.OAuthClient{c, got} {
		if fmt.Sprint(c.RedirectURIs) != fmt.Sprint(uris) || fmt.Sprint(c.Scopes) != fmt.Sprint(scopes) ||
			c.EntrypointURL != entry || c.PKCERequired {
			t.Fatalf("client = %+v", c)
		}
	}
	if info := got.PublishInfo(); !info.Enabled || info.EntrypointURL != entry || len(info.Scopes) != 2 || len(info.RedirectURIs) != 2 {
		t.Fatalf("PublishInfo = %+v", info)
	}
	wantEvent(t, onlyEvent(t, o.s, models.EventOAuthUpdated), o.acct.ID, &o.admin.ID,
		map[string]any{"client_id": id, "changed": []any{"redirect_uris", "scopes", "entrypoint_url", "pkce_required"}})
	// The same values again change nothing and record nothing.
	if _, err := o.s.UpdateOAuthClient(ctx, o.app.ID, models.OAuthUpdate{Scopes: &scopes}, true); err != nil {
		t.Fatal(err)
	}
	if n := countEvents(t, o.s, models.EventOAuthUpdated); n != 1 {
		t.Fatalf("%d oauth.updated events, want 1", n)
	}

	local := []string{"http://localhost:3000/cb"}
	badScopes := []string{"openid", "root", "openid"}
	badEntry := "http://example.com/start"
	tests := []struct {
		name       string
		in         models.OAuthUpdate
		production bool
		fields     []string
	}{
		{"localhost in production", models.OAuthUpdate{RedirectURIs: &local}, true, []string{"redirect_uris[0]"}},
		{"scopes outside the catalogue, twice", models.OAuthUpdate{Scopes: &badScopes}, false, []string{"scopes[1]", "scopes[2]"}},
		{"http entrypoint", models.OAuthUpdate{EntrypointURL: &badEntry}, false, []string{"entrypoint_url"}},
		{"all at once", models.OAuthUpdate{RedirectURIs: &local, Scopes: &badScopes, EntrypointURL: &badEntry}, true,
			[]string{"redirect_uris[0]", "scopes[1]", "scopes[2]", "entrypoint_url"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := o.s.UpdateOAuthClient(ctx, o.app.ID, tt.in, tt.production)
			de := modeltest.WantError(t, err, models.KindInvalid, "invalid_oauth_client")
			var fields []string
			for _, f := range de.Fields {
				fields = append(fields, f.Field)
			}
			if fmt.Sprint(fields) != fmt.Sprint(tt.fields) {
				t.Fatalf("fields = %v (%+v), want %v", fields, de.Fields, tt.fields)
			}
		})
	}
	// Development accepts http://localhost.
	if _, err := o.s.UpdateOAuthClient(ctx, o.app.ID, models.OAuthUpdate{RedirectURIs: &local}, false); err != nil {
		t.Fatalf("localhost in development: %v", err)
	}
}

func TestRotateClientSecret(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	o := newOAuthApp(t)
	id, first := o.enable(t)

	before := time.Now()
	second, gen, err := o.s.RotateClientSecret(models.WithActor(ctx, o.admin.ID), o.app.ID, time.Hour)
	if err != nil || gen != 2 || second == first || !strings.HasPrefix(second, models.OAuthClientSecretPrefix) {
		t.Fatalf("rotate = %q %d %v", second, gen, err)
	}
	if !verifies(t, o.s, id, first) || !verifies(t, o.s, id, second) {
		t.Fatal("inside the grace period both secrets must verify")
	}
	c, _ := o.s.GetOAuthClient(ctx, o.app.ID)
	states := c.Secrets(time.Now())
	if len(states) != 2 || states[0].Generation != 2 || states[0].State != models.SecretCurrent || states[0].ExpiresAt != nil ||
		states[1].Generation != 1 || states[1].State != models.SecretPrevious ||
		states[1].ExpiresAt.Before(before.Add(time.Hour)) || states[1].ExpiresAt.After(time.Now().Add(time.Hour)) {
		t.Fatalf("secrets = %+v", states)
	}
	wantEvent(t, onlyEvent(t, o.s, models.EventOAuthSecretRotated), o.acct.ID, &o.admin.ID,
		map[string]any{"client_id": id, "generation": 2, "previous_generation": 1})

	// Rotating again inside the grace period revokes generation 1 at once.
	third, gen, err := o.s.RotateClientSecret(ctx, o.app.ID, time.Hour)
	if err != nil || gen != 3 {
		t.Fatalf("second rotate = %d %v", gen, err)
	}
	if verifies(t, o.s, id, first) {
		t.Fatal("generation 1 still verifies after a second rotation")
	}
	if !verifies(t, o.s, id, second) || !verifies(t, o.s, id, third) {
		t.Fatal("generations 2 and 3 must verify")
	}
	wantEvent(t, onlyEvent(t, o.s, models.EventOAuthSecretRevoked), o.acct.ID, nil,
		map[string]any{"client_id": id, "generation": 1, "reason": "rotated_again"})

	// The workflow of the first rotation wakes up late: generation 1 is
	// gone, and generation 2 (the current previous) must survive it.
	if revoked, err := o.s.RevokePreviousSecret(ctx, id, 1); err != nil || revoked {
		t.Fatalf("stale revoke = %v %v, want nothing done", revoked, err)
	}
	if !verifies(t, o.s, id, second) {
		t.Fatal("a stale revocation revoked generation 2")
	}
	if revoked, err := o.s.RevokePreviousSecret(ctx, id, 2); err != nil || !revoked {
		t.Fatalf("revoke 2 = %v %v", revoked, err)
	}
	if verifies(t, o.s, id, second) || !verifies(t, o.s, id, third) {
		t.Fatal("after revoking generation 2 only generation 3 must verify")
	}
	if revoked, err := o.s.RevokePreviousSecret(ctx, id, 2); err != nil || revoked {
		t.Fatalf("revoking twice = %v %v, want nothing done", revoked, err)
	}
	if revoked, err := o.s.RevokePreviousSecret(ctx, "asc_gone", 2); err != nil || revoked {
		t.Fatalf("revoke of an unknown client = %v %v, want nothing done", revoked, err)
	}
	if n := countEvents(t, o.s, models.EventOAuthSecretRevoked); n != 2 {
		t.Fatalf("%d oauth.secret_revoked events, want 2", n)
	}
	if c, _ := o.s.GetOAuthClient(ctx, o.app.ID); len(c.Secrets(time.Now())) != 1 {
		t.Fatalf("secrets = %+v, want the current one only", c.Secrets(time.Now()))
	}

	_, _, err = o.s.RotateClientSecret(ctx, o.app.ID, -time.Second)
	modeltest.WantError(t, err, models.KindInvalid, "invalid_grace")
	if _, err := o.s.DisableOAuth(ctx, o.app.ID); err != nil {
		t.Fatal(err)
	}
	_, _, err = o.s.RotateClientSecret(ctx, o.app.ID, time.Hour)
	modeltest.WantError(t, err, models.KindConflict, "oauth_disabled")
}

func TestVerifyClientSecret(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	o := newOAuthApp(t)
	id, old := o.enable(t)
	current, _, err := o.s.RotateClientSecret(ctx, o.app.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	other := newOAuthApp(t)
	_, otherSecret := other.enable(t)

	tests := []struct {
		name, id, secret string
		want             bool
	}{
		{"current", id, current, true},
		{"previous in its grace period", id, old, true},
		{"wrong", id, models.NewToken(models.OAuthClientSecretPrefix), false},
		{"empty", id, "", false},
		{"another client's secret", id, otherSecret, false},
		{"unknown client", "asc_nobody", current, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := verifies(t, o.s, tt.id, tt.secret); got != tt.want {
				t.Fatalf("verify = %v, want %v", got, tt.want)
			}
		})
	}
	// The grace period ends: the previous secret stops working even
	// before the workflow revokes it.
	if err := o.s.Gorm().Exec(`UPDATE oauth_clients SET previous_expires_at = now() - interval '1 second' WHERE client_id = ?`, id).Error; err != nil {
		t.Fatal(err)
	}
	if verifies(t, o.s, id, old) {
		t.Fatal("an expired previous secret verified")
	}
	if !verifies(t, o.s, id, current) {
		t.Fatal("the current secret stopped working")
	}
}
