package models_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"appstore/models"
)

// testSettingsSchema has a rule of every kind the settings builders make.
func testSettingsSchema() models.JSONMap {
	return models.JSONMap{
		"$schema": models.SettingsSchemaDraft,
		"type":    "object",
		"properties": map[string]any{
			"organization": map[string]any{
				"type":                 "object",
				"additionalProperties": false,
				"required":             []any{"region", "seats"},
				"properties": map[string]any{
					"region":  map[string]any{"type": "string", "enum": []any{"eu", "us"}, "x-enum-labels": []any{"Europe", "United States"}},
					"seats":   map[string]any{"type": "integer", "minimum": 1, "maximum": 500},
					"ratio":   map[string]any{"type": "number", "minimum": 0, "maximum": 1},
					"name":    map[string]any{"type": "string", "minLength": 3, "maxLength": 20},
					"api_url": map[string]any{"type": "string", "pattern": "^https://"},
					"notify":  map[string]any{"type": "boolean"},
					"limits": map[string]any{"type": "object", "required": []any{"daily"}, "additionalProperties": false,
						"properties": map[string]any{"daily": map[string]any{"type": "integer", "minimum": 0}}},
				},
			},
			"user": map[string]any{"type": "object", "properties": map[string]any{
				"theme": map[string]any{"type": "string", "enum": []any{"light", "dark"}},
			}},
		},
	}
}

func TestValidateSettingsValues(t *testing.T) {
	t.Parallel()
	base := func() map[string]any { return map[string]any{"region": "eu", "seats": 5} }
	with := func(k string, v any) map[string]any { m := base(); m[k] = v; return m }
	without := func(k string) map[string]any { m := base(); delete(m, k); return m }
	cases := []struct {
		name   string
		values map[string]any
		want   []models.FieldError // nil: valid
	}{
		{"minimal", base(), nil},
		{"everything", map[string]any{"region": "us", "seats": 500, "ratio": 0.5, "name": "Acme", "api_url": "https://x.test",
			"notify": true, "limits": map[string]any{"daily": 0}}, nil},
		{"string for integer", with("seats", "five"), []models.FieldError{{Field: "organization.seats", Message: "must be a whole number"}}},
		{"fraction for integer", with("seats", 2.5), []models.FieldError{{Field: "organization.seats", Message: "must be a whole number"}}},
		{"number for boolean", with("notify", 1), []models.FieldError{{Field: "organization.notify", Message: "must be true or false"}}},
		{"number for string", with("name", 12345), []models.FieldError{{Field: "organization.name", Message: "must be text"}}},
		{"below minimum", with("seats", 0), []models.FieldError{{Field: "organization.seats", Message: "must be at least 1"}}},
		{"above maximum", with("seats", 501), []models.FieldError{{Field: "organization.seats", Message: "must be at most 500"}}},
		{"fraction above maximum", with("ratio", 1.5), []models.FieldError{{Field: "organization.ratio", Message: "must be at most 1"}}},
		{"too short", with("name", "ab"), []models.FieldError{{Field: "organization.name", Message: "must be at least 3 characters long"}}},
		{"too long", with("name", strings.Repeat("a", 21)), []models.FieldError{{Field: "organization.name", Message: "must be at most 20 characters long"}}},
		{"pattern", with("api_url", "http://x.test"), []models.FieldError{{Field: "organization.api_url", Message: "must match the pattern ^https://"}}},
		{"enum", with("region", "asia"), []models.FieldError{{Field: "organization.region", Message: "must be one of eu, us"}}},
		{"required", without("region"), []models.FieldError{{Field: "organization.region", Message: "is required"}}},
		{"two required", map[string]any{}, []models.FieldError{
			{Field: "organization.region", Message: "is required"}, {Field: "organization.seats", Message: "is required"}}},
		{"unknown key", with("colour", "red"), []models.FieldError{{Field: "organization.colour", Message: "is not a setting of this app"}}},
		{"nested type", with("limits", map[string]any{"daily": "lots"}), []models.FieldError{{Field: "organization.limits.daily", Message: "must be a whole number"}}},
		{"nested minimum", with("limits", map[string]any{"daily": -1}), []models.FieldError{{Field: "organization.limits.daily", Message: "must be at least 0"}}},
		{"nested required", with("limits", map[string]any{}), []models.FieldError{{Field: "organization.limits.daily", Message: "is required"}}},
		{"nested unknown", with("limits", map[string]any{"daily": 1, "hourly": 2}), []models.FieldError{{Field: "organization.limits.hourly", Message: "is not a setting of this app"}}},
		{"struct not object", with("limits", 3), []models.FieldError{{Field: "organization.limits", Message: "must be a group of settings"}}},
		{"several at once", map[string]any{"region": "asia", "seats": 0, "name": "ab"}, []models.FieldError{
			{Field: "organization.name", Message: "must be at least 3 characters long"},
			{Field: "organization.region", Message: "must be one of eu, us"},
			{Field: "organization.seats", Message: "must be at least 1"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := models.ValidateSettingsValues(testSettingsSchema(), models.ScopeOrganization, tc.values)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			e, ok := models.AsError(err)
			if !ok || e.Code != "invalid_settings" {
				t.Fatalf("want invalid_settings, got %v", err)
			}
			got := slices.Clone(e.Fields)
			slices.SortFunc(got, func(a, b models.FieldError) int { return strings.Compare(a.Field, b.Field) })
			if !slices.Equal(got, tc.want) {
				t.Fatalf("field errors\n got %v\nwant %v", got, tc.want)
			}
		})
	}
	// The user scope is validated on its own: the organization's required
	// settings do not apply to it.
	if err := models.ValidateSettingsValues(testSettingsSchema(), models.ScopeUser, map[string]any{"theme": "dark"}); err != nil {
		t.Fatalf("user scope: %v", err)
	}
	err := models.ValidateSettingsValues(testSettingsSchema(), models.ScopeUser, map[string]any{"theme": "blue"})
	if e, ok := models.AsError(err); !ok || len(e.Fields) != 1 || e.Fields[0].Field != "user.theme" {
		t.Fatalf("user scope error: %v", err)
	}
}

// installFixture is an organization with an installed app whose
// production deployment has testSettingsSchema.
type installFixture struct {
	s                      *models.Store
	ctx                    context.Context
	owner, member, nothing *models.User // nothing: a member without access
	org                    *models.Organization
	app                    *models.App
	dep                    *models.Deployment
	inst                   *models.Installation
}

func newInstallFixture(t *testing.T) *installFixture {
	t.Helper()
	s := newStore(t)
	s.SetEncrypter(newEncrypter(t))
	dev := createUser(t, s, models.PlatformRoleNone)
	f := &installFixture{s: s, ctx: context.Background(), owner: createUser(t, s, models.PlatformRoleNone),
		member: createUser(t, s, models.PlatformRoleNone), nothing: createUser(t, s, models.PlatformRoleNone)}
	f.app = createApp(t, s, createAccount(t, s, dev))
	f.org = createOrg(t, s, f.owner)
	addOrgMember(t, s, f.org, f.member, models.OrgRoleMember)
	addOrgMember(t, s, f.org, f.nothing, models.OrgRoleMember)
	version, now := "1.0.0", time.Now().UTC()
	f.dep = &models.Deployment{ID: uuid.Must(uuid.NewV7()), AppID: f.app.ID, Type: models.DeploymentProduction, Version: &version,
		SettingsSchema: testSettingsSchema(), Environment: models.JSONMap{}, Metadata: models.JSONMap{},
		Status: models.DeploymentPublished, PublishedAt: &now, CreatedAt: now, UpdatedAt: now}
	if err := s.Gorm().Create(f.dep).Error; err != nil {
		t.Fatal(err)
	}
	f.inst = &models.Installation{ID: uuid.Must(uuid.NewV7()), AppID: f.app.ID, OrganizationID: f.org.ID, Type: models.DeploymentProduction,
		DeploymentID: f.dep.ID, Status: models.InstallationActive, Generation: 1, InstalledBy: &f.owner.ID, InstalledAt: now}
	if err := s.Gorm().Create(f.inst).Error; err != nil {
		t.Fatal(err)
	}
	for _, u := range []*models.User{f.owner, f.member} {
		if err := s.Gorm().Exec(`INSERT INTO app_permissions (installation_id, user_id, can_access, is_admin, granted_by)
			VALUES (?, ?, true, ?, ?)`, f.inst.ID, u.ID, u == f.owner, f.owner.ID).Error; err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func TestInstallationAccess(t *testing.T) {
	t.Parallel()
	f := newInstallFixture(t)
	a, err := f.s.InstallationAccess(f.ctx, f.org.ID, f.inst.ID, f.owner.ID)
	if err != nil || a.OrgRole != models.OrgRoleOwner || !a.CanAccess || !a.IsAppAdmin || a.App.ID != f.app.ID || a.Installation.ID != f.inst.ID {
		t.Fatalf("owner: %+v, %v", a, err)
	}
	a, err = f.s.InstallationAccess(f.ctx, f.org.ID, f.inst.ID, f.nothing.ID)
	if err != nil || a.OrgRole != models.OrgRoleMember || a.CanAccess || a.IsAppAdmin {
		t.Fatalf("member without a row: %+v, %v", a, err)
	}
	outsider := createUser(t, f.s, models.PlatformRoleNone)
	other := createOrg(t, f.s, outsider)
	for name, q := range map[string][3]uuid.UUID{
		"outsider":  {f.org.ID, f.inst.ID, outsider.ID},
		"other org": {other.ID, f.inst.ID, outsider.ID},
		"wrong org": {other.ID, f.inst.ID, f.owner.ID},
		"unknown":   {f.org.ID, uuid.New(), f.owner.ID},
	} {
		if _, err := f.s.InstallationAccess(f.ctx, q[0], q[1], q[2]); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("%s: want not found, got %v", name, err)
		}
	}
}

func TestSaveSettings(t *testing.T) {
	t.Parallel()
	f := newInstallFixture(t)
	access, err := f.s.InstallationAccess(f.ctx, f.org.ID, f.inst.ID, f.owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Nothing saved on error.
	_, err = f.s.SaveSettings(f.ctx, f.inst.ID, models.ScopeOrganization, nil, map[string]any{"region": "asia", "seats": 3}, f.owner.ID)
	if e, ok := models.AsError(err); !ok || e.Code != "invalid_settings" || e.Fields[0].Field != "organization.region" {
		t.Fatalf("bad values: %v", err)
	}
	if n := countRows(t, f.s, "app_settings"); n != 0 {
		t.Fatalf("%d rows after a refused save", n)
	}

	got, err := f.s.SaveSettings(f.ctx, f.inst.ID, models.ScopeOrganization, nil,
		map[string]any{"region": "eu", "seats": 3, "name": "Acme", "limits": map[string]any{"daily": 10}}, f.owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Values["region"] != "eu" || got.Values["seats"] != float64(3) || got.DeploymentID != f.dep.ID || got.UpdatedAt == nil {
		t.Fatalf("saved %+v", got)
	}
	// A second save replaces the set: name is gone, seats updated.
	if _, err := f.s.SaveSettings(f.ctx, f.inst.ID, models.ScopeOrganization, nil,
		map[string]any{"region": "us", "seats": 4, "limits": map[string]any{"daily": 10}}, f.owner.ID); err != nil {
		t.Fatal(err)
	}
	read, err := f.s.GetSettings(f.ctx, access, models.ScopeOrganization, f.owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, has := read.Values["name"]; has || read.Values["region"] != "us" || read.Values["seats"] != float64(4) {
		t.Fatalf("after replace: %v", read.Values)
	}
	if props := read.Schema["properties"].(map[string]any); props["region"] == nil {
		t.Fatalf("scope schema %v", read.Schema)
	}
	var deps []uuid.UUID
	f.s.Gorm().Raw(`SELECT DISTINCT deployment_id FROM app_settings`).Scan(&deps)
	if len(deps) != 1 || deps[0] != f.dep.ID {
		t.Fatalf("deployment ids %v", deps)
	}

	// User scope: each member's own.
	if _, err := f.s.SaveSettings(f.ctx, f.inst.ID, models.ScopeUser, &f.member.ID, map[string]any{"theme": "dark"}, f.member.ID); err != nil {
		t.Fatal(err)
	}
	mine, _ := f.s.GetSettings(f.ctx, access, models.ScopeUser, f.member.ID)
	theirs, _ := f.s.GetSettings(f.ctx, access, models.ScopeUser, f.owner.ID)
	if mine.Values["theme"] != "dark" || len(theirs.Values) != 0 {
		t.Fatalf("user values: mine %v, theirs %v", mine.Values, theirs.Values)
	}

	// Events carry keys, never values.
	var data []string
	f.s.Gorm().Raw(`SELECT data::text FROM event_logs WHERE type = ? ORDER BY id`, models.EventSettingsUpdated).Scan(&data)
	if len(data) != 3 {
		t.Fatalf("events %v", data)
	}
	for _, d := range data {
		if strings.Contains(d, "Acme") || strings.Contains(d, `"us"`) || strings.Contains(d, "dark") || !strings.Contains(d, `"keys"`) {
			t.Fatalf("event data %s", d)
		}
	}
}
