package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"appstore/models"
)

// installFixture is the demo data plus an admin of Acme and published apps
// of acme-labs, on a store that can encrypt installation secrets.
type installFixture struct {
	h                              *harness
	owner, admin, member, outsider string
	acme, sandbox                  uuid.UUID
	app                            *models.App
}

func newInstallFixture(t *testing.T) *installFixture {
	t.Helper()
	return newInstallFixtureOn(t, newTeamHarness(t))
}

// newInstallFixtureOn sets the fixture up on harness h.
func newInstallFixtureOn(t *testing.T, h *harness) *installFixture {
	t.Helper()
	enc, err := models.NewEncrypter([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	h.store.SetEncrypter(enc)
	f := &installFixture{h: h}
	db := h.store.Gorm()
	id := func(q string, args ...any) uuid.UUID {
		var out []uuid.UUID
		if err := db.Raw(q, args...).Pluck("id", &out).Error; err != nil || len(out) != 1 {
			t.Fatalf("%s: %v %v", q, out, err)
		}
		return out[0]
	}
	f.acme = id(`SELECT id FROM organizations WHERE name = 'Acme'`)
	f.sandbox = id(`SELECT id FROM organizations WHERE name = 'Acme Sandbox'`)
	adminID := id(`SELECT id FROM users WHERE email = 'dev@acme.test'`)
	if err := h.store.AddOrganizationMember(context.Background(), f.acme, adminID, models.OrgRoleAdmin); err != nil {
		t.Fatal(err)
	}
	f.app = publishedTestApp(t, h, id(`SELECT id FROM developer_accounts WHERE slug = 'acme-labs'`), "installable-crm", models.AppPublished)
	f.owner, f.admin = h.login("owner@acme.test"), h.login("dev@acme.test")
	f.member, f.outsider = h.login("member@acme.test"), h.login("reviewer@appstore.test")
	return f
}

// publishedTestApp is an app with a published production deployment, in
// publication status st.
func publishedTestApp(t *testing.T, h *harness, acct uuid.UUID, slug string, st models.PublicationStatus) *models.App {
	t.Helper()
	app, err := h.store.CreateApp(context.Background(), acct, slug, "Installable "+slug)
	if err != nil {
		t.Fatal(err)
	}
	db := h.store.Gorm()
	err = db.Exec(`INSERT INTO app_deployments (id, app_id, type, version, settings_schema, status, published_at)
		VALUES (?, ?, 'production', '1.2.0', '{}', 'published', now())`, uuid.Must(uuid.NewV7()), app.ID).Error
	if err == nil {
		err = db.Exec(`UPDATE apps SET publication_status = ?, app_url = 'https://crm.example.com/' WHERE id = ?`, st, app.ID).Error
	}
	if err != nil {
		t.Fatal(err)
	}
	app.PublicationStatus = st
	return app
}

func (f *installFixture) installations(org uuid.UUID) string {
	return "/api/v1/organizations/" + org.String() + "/installations"
}

func (f *installFixture) install(t *testing.T, cookie string, org uuid.UUID, slug string, want int) models.InstallationView {
	t.Helper()
	rec := f.h.do(req{method: "POST", path: f.installations(org), cookie: cookie, body: map[string]string{"app_slug": slug}})
	wantStatus(t, rec, want)
	var v models.InstallationView
	decode(t, rec, &v)
	return v
}

func TestInstallationsAPI(t *testing.T) {
	f := newInstallFixture(t)
	first := f.install(t, f.owner, f.acme, f.app.Slug, http.StatusCreated)
	if first.Status != models.InstallationActive || first.AppSlug != f.app.Slug || first.Version == nil || *first.Version != "1.2.0" ||
		!first.CanAccess || !first.IsAppAdmin || first.InstalledByName == "" || !strings.HasPrefix(first.ClientID, "asc_") {
		t.Fatalf("installed %+v", first)
	}
	// Installing twice is the same installation.
	if again := f.install(t, f.admin, f.acme, f.app.Slug, http.StatusOK); again.ID != first.ID || again.Generation != 1 {
		t.Fatalf("second install %+v, want %s generation 1", again, first.ID)
	}
	// The same app in the sandbox, for cross-organization checks.
	other := f.install(t, f.owner, f.sandbox, f.app.Slug, http.StatusCreated)

	var list struct {
		Installations []models.InstallationView `json:"installations"`
	}
	rec := f.h.do(req{method: "GET", path: f.installations(f.acme), cookie: f.member})
	wantStatus(t, rec, http.StatusOK)
	decode(t, rec, &list)
	if len(list.Installations) != 1 || list.Installations[0].ID != first.ID || !list.Installations[0].CanAccess || list.Installations[0].IsAppAdmin {
		t.Fatalf("member's list %+v", list)
	}

	one := f.installations(f.acme) + "/" + first.ID.String()
	cross := f.installations(f.acme) + "/" + other.ID.String()
	for _, tc := range []struct {
		name, method, path, cookie string
		body                       any
		status                     int
		code                       string
	}{
		{"outsider lists", "GET", f.installations(f.acme), f.outsider, nil, 404, "organization_not_found"},
		{"outsider installs", "POST", f.installations(f.acme), f.outsider, map[string]string{"app_slug": f.app.Slug}, 404, "organization_not_found"},
		{"member installs", "POST", f.installations(f.acme), f.member, map[string]string{"app_slug": f.app.Slug}, 403, "admin_required"},
		{"outsider reads", "GET", one, f.outsider, nil, 404, "organization_not_found"},
		{"outsider uninstalls", "DELETE", one, f.outsider, nil, 404, "organization_not_found"},
		{"member uninstalls", "DELETE", one, f.member, nil, 403, "admin_required"},
		{"other org's installation read", "GET", cross, f.owner, nil, 404, "installation_not_found"},
		{"other org's installation uninstalled", "DELETE", cross, f.owner, nil, 404, "installation_not_found"},
		{"bad id", "GET", f.installations(f.acme) + "/nope", f.owner, nil, 404, "installation_not_found"},
		{"unknown app", "POST", f.installations(f.acme), f.owner, map[string]string{"app_slug": "no-such-app"}, 404, "app_not_found"},
		{"no slug", "POST", f.installations(f.acme), f.owner, map[string]string{}, 422, "app_slug_required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantProblem(t, f.h.do(req{method: tc.method, path: tc.path, cookie: tc.cookie, body: tc.body}), tc.status, tc.code)
		})
	}
	for _, who := range []string{f.owner, f.admin, f.member} {
		wantStatus(t, f.h.do(req{method: "GET", path: one, cookie: who}), http.StatusOK)
	}

	// Unpublished and suspended apps cannot be installed.
	acct := f.app.DeveloperAccountID
	draft := publishedTestApp(t, f.h, acct, "draft-crm", models.AppUnpublished)
	wantProblem(t, f.h.do(req{method: "POST", path: f.installations(f.acme), cookie: f.owner, body: map[string]string{"app_slug": draft.Slug}}), 404, "app_not_found")
	taken := publishedTestApp(t, f.h, acct, "taken-crm", models.AppSuspended)
	wantProblem(t, f.h.do(req{method: "POST", path: f.installations(f.acme), cookie: f.owner, body: map[string]string{"app_slug": taken.Slug}}), 409, "app_suspended")

	// Uninstall (an admin), then it is gone from the list and a second
	// uninstall is refused; installing again is generation 2.
	rec = f.h.do(req{method: "DELETE", path: one, cookie: f.admin})
	wantStatus(t, rec, http.StatusOK)
	var gone models.InstallationView
	decode(t, rec, &gone)
	if gone.Status != models.InstallationInactive || gone.UninstalledAt == nil {
		t.Fatalf("after uninstall %+v", gone)
	}
	wantProblem(t, f.h.do(req{method: "DELETE", path: one, cookie: f.admin}), 409, "installation_not_active")
	rec = f.h.do(req{method: "GET", path: f.installations(f.acme), cookie: f.owner})
	decode(t, rec, &list)
	if len(list.Installations) != 0 {
		t.Fatalf("list after uninstall %+v", list)
	}
	if re := f.install(t, f.owner, f.acme, f.app.Slug, http.StatusCreated); re.ID != first.ID || re.Generation != 2 {
		t.Fatalf("reinstall %+v, want %s generation 2", re, first.ID)
	}
}

// After an uninstall an admin may erase what the app kept for a reinstall:
// settings, connection values and permissions; not while it is installed,
// not as a member, not across organizations. The apps page offers it.
func TestEraseInstallationDataAfterUninstall(t *testing.T) {
	f := newInstallFixture(t)
	inst := f.install(t, f.owner, f.acme, f.app.Slug, http.StatusCreated)
	data := f.installations(f.acme) + "/" + inst.ID.String() + "/data"
	wantProblem(t, f.h.do(req{method: "DELETE", path: data, cookie: f.owner}), http.StatusConflict, "installation_active")

	db := f.h.store.Gorm()
	owner := userID(t, f.h, "owner@acme.test")
	if err := db.Exec(`INSERT INTO app_settings (id, installation_id, scope, key, value, deployment_id)
		VALUES (?, ?, 'organization', 'region', '"eu"', ?)`, uuid.Must(uuid.NewV7()), inst.ID, inst.DeploymentID).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec(`INSERT INTO app_settings (id, installation_id, scope, user_id, key, value, deployment_id)
		VALUES (?, ?, 'user', ?, 'theme', '"dark"', ?)`, uuid.Must(uuid.NewV7()), inst.ID, owner, inst.DeploymentID).Error; err != nil {
		t.Fatal(err)
	}
	wantStatus(t, f.h.do(req{method: "DELETE", path: f.installations(f.acme) + "/" + inst.ID.String(), cookie: f.owner}), http.StatusOK)

	page := f.h.do(req{method: "GET", path: "/organizations/" + f.acme.String() + "/apps", cookie: f.owner})
	wantStatus(t, page, http.StatusOK)
	if !strings.Contains(page.Body.String(), `data-testid="erase-data"`) || !strings.Contains(page.Body.String(), inst.ID.String()) {
		t.Fatal("the apps page does not offer to erase the uninstalled app's data")
	}
	wantProblem(t, f.h.do(req{method: "DELETE", path: data, cookie: f.member}), http.StatusForbidden, "admin_required")
	wantProblem(t, f.h.do(req{method: "DELETE", path: f.installations(f.sandbox) + "/" + inst.ID.String() + "/data", cookie: f.owner}),
		http.StatusNotFound, "installation_not_found")

	rec := f.h.do(req{method: "DELETE", path: data, cookie: f.admin})
	wantStatus(t, rec, http.StatusOK)
	var erased models.ErasedInstallationData
	decode(t, rec, &erased)
	if erased.Settings != 2 || erased.Permissions == 0 {
		t.Fatalf("erased %+v, want 2 settings and the permissions", erased)
	}
	var left int64
	db.Table("app_settings").Where("installation_id = ?", inst.ID).Count(&left)
	if left != 0 {
		t.Fatalf("%d settings left", left)
	}
	page = f.h.do(req{method: "GET", path: "/organizations/" + f.acme.String() + "/apps", cookie: f.owner})
	if strings.Contains(page.Body.String(), `data-testid="erase-data"`) {
		t.Fatal("the apps page still offers to erase data that is gone")
	}
	// A reinstall starts clean and grants access again.
	if re := f.install(t, f.owner, f.acme, f.app.Slug, http.StatusCreated); re.Generation != 2 || !re.CanAccess {
		t.Fatalf("reinstall %+v", re)
	}
}
