package postgres_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"appstore/models"
	"appstore/models/modeltest"
	"appstore/models/postgres"
)

// connectionFixture is a store with an encryption key and an app of an
// account administered by admin.
type connectionFixture struct {
	s     *postgres.Store
	ctx   context.Context // acting as admin
	admin *models.User
	acct  *models.DeveloperAccount
	app   *models.App
}

func newConnectionFixture(t *testing.T) *connectionFixture {
	t.Helper()
	s := newStore(t)
	s.SetEncrypter(modeltest.NewEncrypter(t))
	admin := createUser(t, s, models.PlatformRoleNone)
	acct := createAccount(t, s, admin)
	return &connectionFixture{s: s, ctx: models.WithActor(context.Background(), admin.ID), admin: admin, acct: acct, app: createApp(t, s, acct)}
}

func (f *connectionFixture) create(t *testing.T, in models.ConnectionDefinitionInput) *models.ConnectionDefinition {
	t.Helper()
	d, err := f.s.CreateConnectionDefinition(f.ctx, f.app.ID, in)
	if err != nil {
		t.Fatalf("CreateConnectionDefinition(%s): %v", in.Key, err)
	}
	return d
}

// rawSecret reads the stored client_secret_encrypted column.
func rawSecret(t *testing.T, s *postgres.Store, id uuid.UUID) []byte {
	t.Helper()
	var raw []byte
	if err := s.Gorm().Raw(`SELECT client_secret_encrypted FROM connection_definitions WHERE id = ?`, id).Row().Scan(&raw); err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestConnectionDefinitionLifecycle(t *testing.T) {
	t.Parallel()
	f := newConnectionFixture(t)
	key := f.create(t, modeltest.APIKeyInput(func(in *models.ConnectionDefinitionInput) { in.Required, in.Placeholder = true, "key_…" }))
	gh := f.create(t, modeltest.OAuth2Input(nil))
	smtp := f.create(t, modeltest.CustomInput(nil))

	if !gh.PKCE || gh.Refresh != models.ConnectionRefreshToken || !gh.HasClientSecret() {
		t.Fatalf("oauth2 created as %+v", gh)
	}
	list, err := f.s.ListConnectionDefinitions(f.ctx, f.app.ID)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, d := range list {
		keys = append(keys, d.Key)
	}
	if !slices.Equal(keys, []string{"mailer", "github", "smtp"}) {
		t.Fatalf("list = %v, want creation order", keys)
	}
	got, err := f.s.GetConnectionDefinition(f.ctx, f.app.ID, smtp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Fields, smtp.Fields) || !got.CreatedAt.Equal(smtp.CreatedAt) {
		t.Fatalf("get = %+v, want %+v", got, smtp)
	}
	if !slices.Equal(list[1].Scopes, models.StringList{"repo", "read:user"}) {
		t.Fatalf("scopes read back as %q", list[1].Scopes)
	}

	// Another app of the same account cannot reach these connections.
	other := createApp(t, f.s, f.acct)
	_, err = f.s.GetConnectionDefinition(f.ctx, other.ID, key.ID)
	modeltest.WantError(t, err, models.KindNotFound, "connection_not_found")
	_, err = f.s.UpdateConnectionDefinition(f.ctx, other.ID, key.ID, models.ConnectionDefinitionUpdate{DisplayName: connString("x")})
	modeltest.WantError(t, err, models.KindNotFound, "connection_not_found")
	modeltest.WantError(t, f.s.DeleteConnectionDefinition(f.ctx, other.ID, key.ID), models.KindNotFound, "connection_not_found")
	// The same key in another app is fine.
	if _, err := f.s.CreateConnectionDefinition(f.ctx, other.ID, modeltest.APIKeyInput(nil)); err != nil {
		t.Fatalf("same key in another app: %v", err)
	}
	_, err = f.s.CreateConnectionDefinition(f.ctx, f.app.ID, modeltest.APIKeyInput(nil))
	de := modeltest.WantError(t, err, models.KindConflict, "connection_key_taken")
	if len(de.Fields) != 1 || de.Fields[0].Field != "key" {
		t.Fatalf("conflict fields = %+v", de.Fields)
	}
	_, err = f.s.CreateConnectionDefinition(f.ctx, uuid.Must(uuid.NewV7()), modeltest.APIKeyInput(nil))
	modeltest.WantError(t, err, models.KindNotFound, "app_not_found")

	e := onlyEventOfApp(t, f.s, models.EventConnectionCreated, f.app.ID, "github")
	wantConnectionEvent(t, e, f, map[string]any{"connection_id": gh.ID.String(), "key": "github", "type": "oauth2"})

	// Update: the changed fields are recorded, values of secrets never.
	upd, err := f.s.UpdateConnectionDefinition(f.ctx, f.app.ID, gh.ID, models.ConnectionDefinitionUpdate{
		DisplayName: connString("GitHub (org)"), Scopes: &[]string{"repo"}, ClientSecret: connString("new-secret"),
		Key: connString("github"), Type: connType(models.ConnectionOAuth2)})
	if err != nil {
		t.Fatal(err)
	}
	if upd.DisplayName != "GitHub (org)" || !slices.Equal(upd.Scopes, models.StringList{"repo"}) || upd.ClientID != gh.ClientID || !upd.PKCE {
		t.Fatalf("updated = %+v", upd)
	}
	if !upd.UpdatedAt.After(gh.UpdatedAt) {
		t.Fatalf("updated_at %v not after %v", upd.UpdatedAt, gh.UpdatedAt)
	}
	if secret, err := f.s.ConnectionClientSecret(f.ctx, f.app.ID, gh.ID); err != nil || secret != "new-secret" {
		t.Fatalf("secret after update = %q, %v", secret, err)
	}
	e = onlyEventOfApp(t, f.s, models.EventConnectionUpdated, f.app.ID, "github")
	wantConnectionEvent(t, e, f, map[string]any{"connection_id": gh.ID.String(), "key": "github", "type": "oauth2",
		"changed": []any{"display_name", "scopes", "client_secret"}})
	raw, _ := json.Marshal(e.Data)
	if bytes.Contains(raw, []byte("new-secret")) {
		t.Fatalf("event data holds the secret: %s", raw)
	}
	reread, err := f.s.GetConnectionDefinition(f.ctx, f.app.ID, gh.ID)
	if err != nil || reread.DisplayName != "GitHub (org)" || !reread.UpdatedAt.Equal(upd.UpdatedAt) {
		t.Fatalf("reread = %+v, %v", reread, err)
	}

	// Nothing changed: no write, no event.
	before := countEvents(t, f.s, models.EventConnectionUpdated)
	same, err := f.s.UpdateConnectionDefinition(f.ctx, f.app.ID, gh.ID, models.ConnectionDefinitionUpdate{DisplayName: connString(" GitHub (org) ")})
	if err != nil || !same.UpdatedAt.Equal(upd.UpdatedAt) {
		t.Fatalf("no-op update = %+v, %v", same, err)
	}
	if n := countEvents(t, f.s, models.EventConnectionUpdated); n != before {
		t.Fatalf("no-op update wrote an event (%d -> %d)", before, n)
	}

	// Removing the secret makes the oauth2 connection incomplete again.
	upd, err = f.s.UpdateConnectionDefinition(f.ctx, f.app.ID, gh.ID, models.ConnectionDefinitionUpdate{ClientSecret: connString("")})
	if err != nil || upd.HasClientSecret() || rawSecret(t, f.s, gh.ID) != nil {
		t.Fatalf("secret removal: %+v, %v", upd, err)
	}
	if p := upd.PublishInfo().Problems; !slices.Equal(p, []string{"client secret missing"}) {
		t.Fatalf("problems after removal = %q", p)
	}
	_, err = f.s.ConnectionClientSecret(f.ctx, f.app.ID, gh.ID)
	modeltest.WantError(t, err, models.KindNotFound, "client_secret_not_set")

	// Delete.
	if err := f.s.DeleteConnectionDefinition(f.ctx, f.app.ID, smtp.ID); err != nil {
		t.Fatal(err)
	}
	_, err = f.s.GetConnectionDefinition(f.ctx, f.app.ID, smtp.ID)
	modeltest.WantError(t, err, models.KindNotFound, "connection_not_found")
	modeltest.WantError(t, f.s.DeleteConnectionDefinition(f.ctx, f.app.ID, smtp.ID), models.KindNotFound, "connection_not_found")
	e = onlyEventOfApp(t, f.s, models.EventConnectionDeleted, f.app.ID, "smtp")
	wantConnectionEvent(t, e, f, map[string]any{"connection_id": smtp.ID.String(), "key": "smtp", "type": "custom"})
}

func TestConnectionUpdateRules(t *testing.T) {
	t.Parallel()
	f := newConnectionFixture(t)
	key := f.create(t, modeltest.APIKeyInput(nil))
	smtp := f.create(t, modeltest.CustomInput(nil))
	cases := []struct {
		name   string
		id     uuid.UUID
		in     models.ConnectionDefinitionUpdate
		code   string
		fields []string
	}{
		{"change key", key.ID, models.ConnectionDefinitionUpdate{Key: connString("mailer2")}, "connection_immutable", []string{"key"}},
		{"change type", key.ID, models.ConnectionDefinitionUpdate{Type: connType(models.ConnectionOAuth2)}, "connection_immutable", []string{"type"}},
		{"oauth2 settings on an api key", key.ID, models.ConnectionDefinitionUpdate{TokenURL: connString("https://t.example"), PKCE: connBool(true)},
			"invalid_connection", []string{"pkce", "token_url"}},
		{"empty display name", key.ID, models.ConnectionDefinitionUpdate{DisplayName: connString("")}, "invalid_connection", []string{"display_name"}},
		{"no fields left", smtp.ID, models.ConnectionDefinitionUpdate{Fields: &[]models.ConnectionField{}}, "invalid_connection", []string{"fields"}},
		{"secret on a custom connection", smtp.ID, models.ConnectionDefinitionUpdate{ClientSecret: connString("s")}, "invalid_connection", []string{"client_secret"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.s.UpdateConnectionDefinition(f.ctx, f.app.ID, tc.id, tc.in)
			de := modeltest.WantError(t, err, models.KindInvalid, tc.code)
			if got := errorFields(de.Fields); !slices.Equal(got, tc.fields) {
				t.Fatalf("fields %v, want %v", got, tc.fields)
			}
		})
	}
	if n := countEvents(t, f.s, models.EventConnectionUpdated); n != 0 {
		t.Fatalf("%d update events after refused updates", n)
	}
	// An update that keeps an api key valid, and one field added to custom.
	fields := append([]models.ConnectionField(slices.Clone(smtp.Fields)), models.ConnectionField{Key: "port", Label: "Port"})
	got, err := f.s.UpdateConnectionDefinition(f.ctx, f.app.ID, smtp.ID, models.ConnectionDefinitionUpdate{Fields: &fields, Required: connBool(true)})
	if err != nil || len(got.Fields) != 3 || !got.Required {
		t.Fatalf("custom update = %+v, %v", got, err)
	}
}

func TestConnectionSecretEncryptedAtRest(t *testing.T) {
	t.Parallel()
	f := newConnectionFixture(t)
	const secret = "provider-client-secret-0123456789"
	gh := f.create(t, modeltest.OAuth2Input(func(in *models.ConnectionDefinitionInput) { in.ClientSecret = "  " + secret + " \n" }))

	raw := rawSecret(t, f.s, gh.ID)
	if len(raw) == 0 || bytes.Contains(raw, []byte(secret)) || bytes.Contains(raw, []byte(secret[:8])) {
		t.Fatalf("stored secret is not encrypted: %q", raw)
	}
	got, err := f.s.ConnectionClientSecret(f.ctx, f.app.ID, gh.ID)
	if err != nil || got != secret {
		t.Fatalf("ConnectionClientSecret = %q, %v; want the trimmed secret", got, err)
	}

	// Never in JSON: neither the secret nor its ciphertext.
	for _, d := range []*models.ConnectionDefinition{gh, mustGet(t, f, gh.ID)} {
		body, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(body, []byte(secret)) || bytes.Contains(body, []byte("client_secret_encrypted")) ||
			!bytes.Contains(body, []byte(`"has_client_secret":true`)) {
			t.Fatalf("JSON = %s", body)
		}
	}

	// A different key (a misconfigured ENCRYPTION_KEY) cannot read it.
	wrong := postgres.NewStore(dbFromStore(t, f.s))
	wrong.SetEncrypter(modeltest.NewEncrypter(t))
	_, err = wrong.ConnectionClientSecret(f.ctx, f.app.ID, gh.ID)
	if !errors.Is(err, models.ErrDecrypt) {
		t.Fatalf("wrong key: %v, want ErrDecrypt", err)
	}
	// A ciphertext copied to another row does not decrypt there.
	other := f.create(t, modeltest.OAuth2Input(func(in *models.ConnectionDefinitionInput) { in.Key = "github2" }))
	if err := f.s.Gorm().Exec(`UPDATE connection_definitions SET client_secret_encrypted = ? WHERE id = ?`, raw, other.ID).Error; err != nil {
		t.Fatal(err)
	}
	_, err = f.s.ConnectionClientSecret(f.ctx, f.app.ID, other.ID)
	if !errors.Is(err, models.ErrDecrypt) {
		t.Fatalf("copied ciphertext: %v, want ErrDecrypt", err)
	}
	// Two connections with the same secret store unrelated ciphertexts.
	if bytes.Equal(raw[1:13], rawSecret(t, f.s, f.create(t, modeltest.OAuth2Input(func(in *models.ConnectionDefinitionInput) {
		in.Key, in.ClientSecret = "github3", secret
	})).ID)[1:13]) {
		t.Fatal("nonce reused")
	}
}

func TestConnectionWithoutEncrypter(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	admin := createUser(t, s, models.PlatformRoleNone)
	app := createApp(t, s, createAccount(t, s, admin))
	ctx := context.Background()
	// Definitions without secrets need no key.
	if _, err := s.CreateConnectionDefinition(ctx, app.ID, modeltest.APIKeyInput(nil)); err != nil {
		t.Fatalf("api key without an encrypter: %v", err)
	}
	draft, err := s.CreateConnectionDefinition(ctx, app.ID, modeltest.OAuth2Input(func(in *models.ConnectionDefinitionInput) { in.ClientSecret = "" }))
	if err != nil {
		t.Fatalf("oauth2 draft without secret: %v", err)
	}
	_, err = s.CreateConnectionDefinition(ctx, app.ID, modeltest.OAuth2Input(func(in *models.ConnectionDefinitionInput) { in.Key = "gh2" }))
	modeltest.WantError(t, err, models.KindInternal, "encryption_not_configured")
	_, err = s.UpdateConnectionDefinition(ctx, app.ID, draft.ID, models.ConnectionDefinitionUpdate{ClientSecret: connString("s")})
	modeltest.WantError(t, err, models.KindInternal, "encryption_not_configured")
	_, err = s.ConnectionClientSecret(ctx, app.ID, draft.ID)
	modeltest.WantError(t, err, models.KindInternal, "encryption_not_configured")
	if n := countRows(t, s, "connection_definitions"); n != 2 {
		t.Fatalf("%d rows, want 2", n)
	}
}

func TestConnectionLimitPerApp(t *testing.T) {
	t.Parallel()
	f := newConnectionFixture(t)
	for i := range models.MaxConnectionsPerApp {
		f.create(t, modeltest.APIKeyInput(func(in *models.ConnectionDefinitionInput) { in.Key = fmt.Sprintf("key_%d", i) }))
	}
	_, err := f.s.CreateConnectionDefinition(f.ctx, f.app.ID, modeltest.APIKeyInput(func(in *models.ConnectionDefinitionInput) { in.Key = "one_more" }))
	modeltest.WantError(t, err, models.KindInvalid, "too_many_connections")
}

func TestConnectionDatabaseChecks(t *testing.T) {
	t.Parallel()
	f := newConnectionFixture(t)
	key := f.create(t, modeltest.APIKeyInput(nil))
	// The table refuses settings of another type even when Go is bypassed.
	for _, stmt := range []string{
		`UPDATE connection_definitions SET token_url = 'https://t.example' WHERE id = ?`,
		`UPDATE connection_definitions SET fields = '[{"key":"a"}]' WHERE id = ?`,
		`UPDATE connection_definitions SET key = 'Bad-Key' WHERE id = ?`,
		`UPDATE connection_definitions SET client_secret_encrypted = '\x01' WHERE id = ?`,
	} {
		if err := f.s.Gorm().Exec(stmt, key.ID).Error; err == nil || !strings.Contains(err.Error(), "violates check constraint") {
			t.Errorf("%s: %v, want a check violation", stmt, err)
		}
	}
}

func mustGet(t *testing.T, f *connectionFixture, id uuid.UUID) *models.ConnectionDefinition {
	t.Helper()
	d, err := f.s.GetConnectionDefinition(f.ctx, f.app.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// dbFromStore wraps s's database in a models.DB for a second store.
func dbFromStore(t *testing.T, s *postgres.Store) *postgres.DB {
	t.Helper()
	sqlDB, err := s.Gorm().DB()
	if err != nil {
		t.Fatal(err)
	}
	return &postgres.DB{Gorm: s.Gorm(), SQL: sqlDB}
}

// onlyEventOfApp returns the one event of typ about connection key of app.
func onlyEventOfApp(t *testing.T, s *postgres.Store, typ models.EventType, app uuid.UUID, key string) models.Event {
	t.Helper()
	var events []models.Event
	if err := s.Gorm().Where("type = ? AND app_id = ? AND data->>'key' = ?", typ, app, key).Find(&events).Error; err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 {
		t.Fatalf("%d %s events for %s, want 1", len(events), typ, key)
	}
	return events[0]
}

func wantConnectionEvent(t *testing.T, e models.Event, f *connectionFixture, data map[string]any) {
	t.Helper()
	if e.AppID == nil || *e.AppID != f.app.ID || e.DeveloperAccountID == nil || *e.DeveloperAccountID != f.acct.ID {
		t.Fatalf("event %s subjects app %v account %v, want %s %s", e.Type, e.AppID, e.DeveloperAccountID, f.app.ID, f.acct.ID)
	}
	if e.ActorID == nil || *e.ActorID != f.admin.ID {
		t.Fatalf("event %s actor %v, want %s", e.Type, e.ActorID, f.admin.ID)
	}
	got, _ := json.Marshal(e.Data)
	want, _ := json.Marshal(data)
	if !bytes.Equal(got, want) {
		t.Fatalf("event %s data %s, want %s", e.Type, got, want)
	}
}

func connString(s string) *string { return &s }

func connType(t models.ConnectionType) *models.ConnectionType { return &t }
