package postgres_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"appstore/models"
	"appstore/models/modeltest"
	"appstore/models/postgres"
)

// installFixture is an organization with an installed app whose
// production deployment has testSettingsSchema.
type installFixture struct {
	s                      *postgres.Store
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
	s.SetEncrypter(modeltest.NewEncrypter(t))
	dev := createUser(t, s, models.PlatformRoleNone)
	f := &installFixture{s: s, ctx: context.Background(), owner: createUser(t, s, models.PlatformRoleNone),
		member: createUser(t, s, models.PlatformRoleNone), nothing: createUser(t, s, models.PlatformRoleNone)}
	f.app = createApp(t, s, createAccount(t, s, dev))
	f.org = createOrg(t, s, f.owner)
	addOrgMember(t, s, f.org, f.member, models.OrgRoleMember)
	addOrgMember(t, s, f.org, f.nothing, models.OrgRoleMember)
	version, now := "1.0.0", time.Now().UTC()
	f.dep = &models.Deployment{ID: uuid.Must(uuid.NewV7()), AppID: f.app.ID, Type: models.DeploymentProduction, Version: &version,
		SettingsSchema: modeltest.SettingsSchema(), Environment: models.JSONMap{}, Metadata: models.JSONMap{},
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
