package postgres_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"appstore/models"
	"appstore/models/modeltest"
)

func TestConnectionValues(t *testing.T) {
	t.Parallel()
	f := newInstallFixture(t)
	apiKey, err := f.s.CreateConnectionDefinition(f.ctx, f.app.ID, models.ConnectionDefinitionInput{
		Key: "stripe", Type: models.ConnectionAPIKey, DisplayName: "Stripe key", Required: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.CreateConnectionDefinition(f.ctx, f.app.ID, models.ConnectionDefinitionInput{
		Key: "db", Type: models.ConnectionCustom, DisplayName: "Database",
		Fields: []models.ConnectionField{{Key: "host", Label: "Host", Required: true}, {Key: "password", Label: "Password", Secret: true}}}); err != nil {
		t.Fatal(err)
	}
	const secret = "sk_live_very_secret_value"

	cases := []struct {
		key    string
		values map[string]string
		code   string
	}{
		{"stripe", map[string]string{}, "invalid_connection_value"},
		{"stripe", map[string]string{"value": "  "}, "invalid_connection_value"},
		{"stripe", map[string]string{"value": "x", "extra": "y"}, "invalid_connection_value"},
		{"db", map[string]string{"password": "p"}, "invalid_connection_value"},
		{"nope", map[string]string{"value": "x"}, "connection_not_found"},
	}
	for _, tc := range cases {
		_, err := f.s.SetConnectionValue(f.ctx, f.inst.ID, tc.key, tc.values, f.owner.ID)
		if e, ok := models.AsError(err); !ok || e.Code != tc.code {
			t.Errorf("%s %v: want %s, got %v", tc.key, tc.values, tc.code, err)
		}
	}
	if n := countRows(t, f.s, "connection_values"); n != 0 {
		t.Fatalf("%d rows after refused writes", n)
	}

	st, err := f.s.SetConnectionValue(f.ctx, f.inst.ID, "stripe", map[string]string{"value": secret}, f.owner.ID)
	if err != nil || !st.IsSet {
		t.Fatalf("set: %+v, %v", st, err)
	}
	if _, err := f.s.SetConnectionValue(f.ctx, f.inst.ID, "db", map[string]string{"host": "db.internal", "password": secret}, f.owner.ID); err != nil {
		t.Fatal(err)
	}
	var sealed [][]byte
	f.s.Gorm().Raw(`SELECT ciphertext FROM connection_values`).Scan(&sealed)
	for _, c := range sealed {
		if bytes.Contains(c, []byte(secret)) || bytes.Contains(c, []byte("db.internal")) {
			t.Fatal("plaintext in the database")
		}
	}
	// The ciphertext is bound to its installation and definition.
	var c []byte
	f.s.Gorm().Raw(`SELECT ciphertext FROM connection_values WHERE connection_definition_id = ?`, apiKey.ID).Scan(&c)
	if _, err := modeltest.NewEncrypter(t).Decrypt(c, "connection-value:"+f.inst.ID.String()+":"+apiKey.ID.String()); !errors.Is(err, models.ErrDecrypt) {
		t.Fatalf("another key decrypted: %v", err)
	}
	creds, err := f.s.ConnectionCredentials(f.ctx, f.inst.ID, "stripe")
	if err != nil || creds["value"] != secret {
		t.Fatalf("credentials %v, %v", creds, err)
	}

	list, err := f.s.ListConnectionValues(f.ctx, f.inst.ID)
	if err != nil || len(list) != 2 || !list[0].IsSet || !list[1].IsSet || list[0].UpdatedAt == nil {
		t.Fatalf("list %+v, %v", list, err)
	}
	if err := f.s.DeleteConnectionValue(f.ctx, f.inst.ID, "stripe", f.owner.ID); err != nil {
		t.Fatal(err)
	}
	list, _ = f.s.ListConnectionValues(f.ctx, f.inst.ID)
	if list[0].Key != "stripe" || list[0].IsSet || list[0].UpdatedAt != nil {
		t.Fatalf("after delete %+v", list[0])
	}
	if _, err := f.s.ConnectionCredentials(f.ctx, f.inst.ID, "stripe"); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("credentials after delete: %v", err)
	}

	var data []string
	f.s.Gorm().Raw(`SELECT type || ' ' || data::text FROM event_logs WHERE type LIKE 'connection_value.%' ORDER BY id`).Scan(&data)
	if len(data) != 3 {
		t.Fatalf("events %v", data)
	}
	for _, d := range data {
		if strings.Contains(d, secret) || strings.Contains(d, "db.internal") {
			t.Fatalf("value in event %s", d)
		}
	}
}

func TestSetInstallationPermission(t *testing.T) {
	t.Parallel()
	f := newInstallFixture(t)
	list, err := f.s.ListInstallationPermissions(f.ctx, f.inst.ID)
	if err != nil || len(list) != 3 {
		t.Fatalf("list %+v, %v", list, err)
	}
	for _, p := range list {
		if p.UserID == f.nothing.ID && (p.CanAccess || p.GrantedAt != nil) {
			t.Fatalf("member without a row: %+v", p)
		}
	}
	// A live SSO token of the member, to be revoked with their access.
	if err := f.s.Gorm().Exec(`INSERT INTO oauth_clients (id, app_id, client_id, installation_id, secret_hash, secret_generation)
		VALUES (gen_random_uuid(), ?, 'asc_test', ?, sha256('x'), 1)`, f.app.ID, f.inst.ID).Error; err != nil {
		t.Fatal(err)
	}
	if err := f.s.Gorm().Exec(`INSERT INTO oidc_tokens (id, kind, token_hash, client_id, user_id, installation_id, expires_at)
		VALUES (gen_random_uuid(), 'refresh', '\x01', 'asc_test', ?, ?, now() + interval '1 day')`, f.member.ID, f.inst.ID).Error; err != nil {
		t.Fatal(err)
	}

	yes, no := true, false
	p, err := f.s.SetInstallationPermission(f.ctx, f.inst.ID, f.nothing.ID, models.PermissionUpdate{CanAccess: &yes}, f.owner.ID)
	if err != nil || !p.CanAccess || p.IsAdmin || p.GrantedBy == nil || *p.GrantedBy != f.owner.ID {
		t.Fatalf("grant: %+v, %v", p, err)
	}
	if _, err := f.s.SetInstallationPermission(f.ctx, f.inst.ID, f.member.ID, models.PermissionUpdate{CanAccess: &no, IsAdmin: &yes}, f.owner.ID); !errors.Is(err, models.ErrInvalid) {
		t.Fatalf("admin without access: %v", err)
	}
	p, err = f.s.SetInstallationPermission(f.ctx, f.inst.ID, f.member.ID, models.PermissionUpdate{CanAccess: &no}, f.owner.ID)
	if err != nil || p.CanAccess {
		t.Fatalf("revoke: %+v, %v", p, err)
	}
	var live int64
	f.s.Gorm().Raw(`SELECT count(*) FROM oidc_tokens WHERE revoked_at IS NULL`).Scan(&live)
	if live != 0 {
		t.Fatalf("%d live tokens after revoking access", live)
	}
	outsider := createUser(t, f.s, models.PlatformRoleNone)
	if _, err := f.s.SetInstallationPermission(f.ctx, f.inst.ID, outsider.ID, models.PermissionUpdate{CanAccess: &yes}, f.owner.ID); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("outsider: %v", err)
	}
	var n int64
	f.s.Gorm().Raw(`SELECT count(*) FROM event_logs WHERE type = ?`, models.EventPermissionUpdated).Scan(&n)
	if n != 2 {
		t.Fatalf("%d permission events", n)
	}
}
