package postgres_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"

	"appstore/models"
	"appstore/models/modeltest"
)

// deployFixture adds to a bundle fixture an organization the admin owns
// and one client and one server bundle.
type deployFixture struct {
	*bundleFixture
	org            *models.Organization
	client, server *models.Bundle
}

func newDeployFixture(t *testing.T) *deployFixture {
	t.Helper()
	f := &deployFixture{bundleFixture: newBundleFixture(t)}
	f.org = createOrg(t, f.s, f.admin)
	f.client, _ = f.upload(t, models.BundleClient, []byte("client v1"))
	f.server, _ = f.upload(t, models.BundleServer, []byte("server v1"))
	return f
}

func (f *deployFixture) input(mod ...func(*models.DevelopmentDeploymentInput)) models.DevelopmentDeploymentInput {
	in := models.DevelopmentDeploymentInput{TargetOrganizationID: f.org.ID,
		ClientBundleSHA256: f.client.SHA256, ServerBundleSHA256: f.server.SHA256,
		Environment: models.JSONMap{"API_URL": "https://api.example.test"},
		Metadata:    models.DeploymentMetadata{CLIVersion: "0.1.0", CommitSHA: "abc1234", Message: "first"}}
	for _, m := range mod {
		m(&in)
	}
	return in
}

func (f *deployFixture) deploy(t *testing.T, mod ...func(*models.DevelopmentDeploymentInput)) (*models.Deployment, *models.Installation) {
	t.Helper()
	d, inst, err := f.s.CreateDevelopmentDeployment(f.ctx, f.app.ID, f.input(mod...))
	if err != nil {
		t.Fatalf("CreateDevelopmentDeployment: %v", err)
	}
	return d, inst
}

func (f *deployFixture) promote(t *testing.T, dev *models.Deployment) *models.Deployment {
	t.Helper()
	p, err := f.s.PromoteDeployment(f.ctx, dev.ID, "notes")
	if err != nil {
		t.Fatalf("PromoteDeployment: %v", err)
	}
	return p
}

func (f *deployFixture) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	if err := f.s.Gorm().Exec(sql, args...).Error; err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func (f *deployFixture) status(t *testing.T, id uuid.UUID) models.DeploymentStatus {
	t.Helper()
	d, err := f.s.GetDeployment(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return d.Status
}

func TestCreateDevelopmentDeployment(t *testing.T) {
	t.Parallel()
	f := newDeployFixture(t)
	d, inst := f.deploy(t)
	if d.Type != models.DeploymentDevelopment || d.Status != models.DeploymentActive || d.Version != nil ||
		*d.TargetOrganizationID != f.org.ID || *d.ClientBundleID != f.client.ID || *d.ServerBundleID != f.server.ID ||
		*d.CreatedBy != f.admin.ID || d.Environment["API_URL"] != "https://api.example.test" || d.Metadata["commit_sha"] != "abc1234" {
		t.Fatalf("deployment %+v", d)
	}
	stored, err := f.s.GetDeployment(context.Background(), d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := models.ValidateSettingsSchema(stored.SettingsSchema); err != nil || stored.SettingsSchema["type"] != "object" {
		t.Fatalf("stored default schema %v: %v", stored.SettingsSchema, err)
	}
	if !stored.CreatedAt.Equal(d.CreatedAt) {
		t.Fatalf("created_at %v returned, %v stored", d.CreatedAt, stored.CreatedAt)
	}
	if inst.Type != models.DeploymentDevelopment || inst.DeploymentID != d.ID || inst.Status != models.InstallationActive ||
		inst.Generation != 1 || inst.OrganizationID != f.org.ID || *inst.InstalledBy != f.admin.ID {
		t.Fatalf("installation %+v", inst)
	}
	e := onlyEvent(t, f.s, models.EventDeploymentCreated)
	wantEvent(t, e, f.acct.ID, &f.admin.ID, map[string]any{"type": "development", "client_bundle_id": f.client.ID, "superseded": "[]"})
	if *e.DeploymentID != d.ID || *e.OrganizationID != f.org.ID || *e.AppID != f.app.ID {
		t.Fatalf("event subjects %+v", e)
	}
	wantEvent(t, onlyEvent(t, f.s, models.EventInstallationUpdated), f.acct.ID, &f.admin.ID,
		map[string]any{"installation_id": inst.ID, "created": true, "previous_deployment_id": nil, "deployment_id": d.ID})

	// A second deployment supersedes the first and moves the installation.
	time.Sleep(time.Millisecond)
	d2, inst2 := f.deploy(t, func(in *models.DevelopmentDeploymentInput) { in.ServerBundleSHA256 = "" })
	if d2.ServerBundleID != nil {
		t.Fatalf("server bundle %v, want none", d2.ServerBundleID)
	}
	if st := f.status(t, d.ID); st != models.DeploymentSuperseded {
		t.Fatalf("first deployment %s, want superseded", st)
	}
	if inst2.ID != inst.ID || inst2.DeploymentID != d2.ID || !inst2.UpdatedAt.After(inst.UpdatedAt) || inst2.Generation != 1 {
		t.Fatalf("installation after redeploy %+v (before %+v)", inst2, inst)
	}
	events := eventsOf(t, f.s, models.EventDeploymentCreated)
	wantEvent(t, events[1], f.acct.ID, &f.admin.ID, map[string]any{"superseded": "[" + d.ID.String() + "]", "server_bundle_id": nil})
	wantEvent(t, eventsOf(t, f.s, models.EventInstallationUpdated)[1], f.acct.ID, &f.admin.ID,
		map[string]any{"created": false, "previous_deployment_id": d.ID, "reactivated": false})

	// Another organization's deployments are its own.
	other := createOrg(t, f.s, f.admin)
	d3, inst3 := f.deploy(t, func(in *models.DevelopmentDeploymentInput) { in.TargetOrganizationID = other.ID })
	if inst3.ID == inst.ID || f.status(t, d2.ID) != models.DeploymentActive || f.status(t, d3.ID) != models.DeploymentActive {
		t.Fatal("a deployment to another organization touched the first one's")
	}

	// An uninstalled development installation comes back with a new generation.
	f.exec(t, `UPDATE app_installations SET status = 'inactive', uninstalled_at = now() WHERE id = ?`, inst.ID)
	d4, inst4 := f.deploy(t)
	if inst4.ID != inst.ID || inst4.Status != models.InstallationActive || inst4.Generation != 2 || inst4.UninstalledAt != nil || inst4.DeploymentID != d4.ID {
		t.Fatalf("reactivated installation %+v", inst4)
	}
	wantEvent(t, eventsOf(t, f.s, models.EventInstallationUpdated)[3], f.acct.ID, &f.admin.ID, map[string]any{"reactivated": true})
	// A suspended one stays suspended but follows the newest deployment.
	f.exec(t, `UPDATE app_installations SET status = 'suspended' WHERE id = ?`, inst.ID)
	d5, inst5 := f.deploy(t)
	if inst5.Status != models.InstallationSuspended || inst5.DeploymentID != d5.ID {
		t.Fatalf("suspended installation %+v", inst5)
	}
	found, err := f.s.FindInstallation(context.Background(), f.app.ID, f.org.ID, models.DeploymentDevelopment)
	if err != nil || found.ID != inst.ID || found.DeploymentID != d5.ID {
		t.Fatalf("FindInstallation %+v, %v", found, err)
	}
	if got, err := f.s.GetInstallation(context.Background(), inst.ID); err != nil || got.DeploymentID != d5.ID {
		t.Fatalf("GetInstallation %+v, %v", got, err)
	}
	_, err = f.s.FindInstallation(context.Background(), f.app.ID, f.org.ID, models.DeploymentProduction)
	modeltest.WantError(t, err, models.KindNotFound, "installation_not_found")
	_, err = f.s.GetInstallation(context.Background(), uuid.New())
	modeltest.WantError(t, err, models.KindNotFound, "installation_not_found")
	var active int64
	f.s.Gorm().Table("app_deployments").Where("app_id = ? AND target_organization_id = ? AND status = 'active'", f.app.ID, f.org.ID).Count(&active)
	if active != 1 {
		t.Fatalf("%d active development deployments for the organization, want 1", active)
	}
}

func TestCreateDevelopmentDeploymentRefusals(t *testing.T) {
	t.Parallel()
	f := newDeployFixture(t)
	orgAdmin, orgMember, outsider := createUser(t, f.s, models.PlatformRoleNone), createUser(t, f.s, models.PlatformRoleNone), createUser(t, f.s, models.PlatformRoleNone)
	for _, u := range []*models.User{orgAdmin, orgMember} {
		addMember(t, f.s, f.acct, u, models.DevRoleMember)
	}
	addOrgMember(t, f.s, f.org, orgAdmin, models.OrgRoleAdmin)
	addOrgMember(t, f.s, f.org, orgMember, models.OrgRoleMember)
	otherApp := createApp(t, f.s, f.acct)
	foreign, _, err := f.s.UploadBundle(f.ctx, otherApp.ID, models.BundleClient, shaOf([]byte("x")), 1, strings.NewReader("x"), 0)
	if err != nil {
		t.Fatal(err)
	}
	as := func(u *models.User) context.Context { return models.WithActor(context.Background(), u.ID) }
	tests := []struct {
		name string
		ctx  context.Context
		app  uuid.UUID
		mod  func(*models.DevelopmentDeploymentInput)
		kind models.Kind
		code string
	}{
		{"no organization", f.ctx, f.app.ID, func(in *models.DevelopmentDeploymentInput) { in.TargetOrganizationID = uuid.Nil }, models.KindInvalid, "invalid_target_organization"},
		{"unknown organization", f.ctx, f.app.ID, func(in *models.DevelopmentDeploymentInput) { in.TargetOrganizationID = uuid.New() }, models.KindNotFound, "organization_not_found"},
		{"unknown app", f.ctx, uuid.New(), nil, models.KindNotFound, "app_not_found"},
		{"bad sha", f.ctx, f.app.ID, func(in *models.DevelopmentDeploymentInput) { in.ClientBundleSHA256 = "nope" }, models.KindInvalid, "invalid_sha256"},
		{"bundle of another app", f.ctx, f.app.ID, func(in *models.DevelopmentDeploymentInput) { in.ClientBundleSHA256 = foreign.SHA256 }, models.KindInvalid, "bundle_not_found"},
		{"bundle of the other type", f.ctx, f.app.ID, func(in *models.DevelopmentDeploymentInput) { in.ServerBundleSHA256 = f.client.SHA256 }, models.KindInvalid, "bundle_not_found"},
		{"bad schema", f.ctx, f.app.ID, func(in *models.DevelopmentDeploymentInput) { in.SettingsSchema = models.JSONMap{"type": "string"} }, models.KindInvalid, "invalid_settings_schema"},
		{"bad environment", f.ctx, f.app.ID, func(in *models.DevelopmentDeploymentInput) { in.Environment = models.JSONMap{"lower": "x"} }, models.KindInvalid, "invalid_environment"},
		{"long metadata", f.ctx, f.app.ID, func(in *models.DevelopmentDeploymentInput) { in.Metadata.CommitSHA = strings.Repeat("a", 65) }, models.KindInvalid, "invalid_metadata"},
		{"not a developer", as(outsider), f.app.ID, nil, models.KindNotFound, "app_not_found"},
		{"developer outside the organization", as(createUserIn(t, f)), f.app.ID, nil, models.KindNotFound, "organization_not_found"},
		{"organization member only", as(orgMember), f.app.ID, nil, models.KindForbidden, "organization_admin_required"},
	}
	before := map[string]int64{}
	tables := []string{"app_deployments", "app_installations", "event_logs"}
	for _, tb := range tables {
		before[tb] = countRows(t, f.s, tb)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := f.input()
			if tt.mod != nil {
				tt.mod(&in)
			}
			_, _, err := f.s.CreateDevelopmentDeployment(tt.ctx, tt.app, in)
			modeltest.WantError(t, err, tt.kind, tt.code)
		})
	}
	for _, tb := range tables {
		if n := countRows(t, f.s, tb); n != before[tb] {
			t.Errorf("%s: %d rows after refusals, %d before", tb, n, before[tb])
		}
	}
	// An organization admin who is a developer may deploy; so may a system caller.
	if _, _, err := f.s.CreateDevelopmentDeployment(as(orgAdmin), f.app.ID, f.input()); err != nil {
		t.Fatalf("organization admin: %v", err)
	}
	if _, _, err := f.s.CreateDevelopmentDeployment(context.Background(), f.app.ID, f.input()); err != nil {
		t.Fatalf("system: %v", err)
	}
}

// createUserIn makes a developer of f's account who is in no organization.
func createUserIn(t *testing.T, f *deployFixture) *models.User {
	t.Helper()
	u := createUser(t, f.s, models.PlatformRoleNone)
	addMember(t, f.s, f.acct, u, models.DevRoleMember)
	return u
}

func TestListDeployments(t *testing.T) {
	t.Parallel()
	f := newDeployFixture(t)
	var devs []*models.Deployment
	for range 3 {
		d, _ := f.deploy(t)
		devs = append(devs, d)
	}
	prod := f.promote(t, devs[0])
	ctx := context.Background()
	page, err := f.s.ListDeployments(ctx, f.app.ID, models.DeploymentFilter{Limit: 2})
	if err != nil || len(page.Items) != 2 || page.NextCursor == "" || page.Items[0].ID != prod.ID || page.Items[1].ID != devs[2].ID {
		t.Fatalf("first page %+v, %v", page, err)
	}
	rest, err := f.s.ListDeployments(ctx, f.app.ID, models.DeploymentFilter{Limit: 2, Cursor: page.NextCursor})
	if err != nil || len(rest.Items) != 2 || rest.NextCursor != "" || rest.Items[1].ID != devs[0].ID {
		t.Fatalf("second page %+v, %v", rest, err)
	}
	onlyProd, err := f.s.ListDeployments(ctx, f.app.ID, models.DeploymentFilter{Type: models.DeploymentProduction})
	if err != nil || len(onlyProd.Items) != 1 || onlyProd.Items[0].ID != prod.ID {
		t.Fatalf("production only %+v, %v", onlyProd, err)
	}
	onlyDev, err := f.s.ListDeployments(ctx, f.app.ID, models.DeploymentFilter{Type: models.DeploymentDevelopment})
	if err != nil || len(onlyDev.Items) != 3 {
		t.Fatalf("development only %+v, %v", onlyDev, err)
	}
	_, err = f.s.ListDeployments(ctx, f.app.ID, models.DeploymentFilter{Type: "staging"})
	modeltest.WantError(t, err, models.KindInvalid, "invalid_deployment_type")
	_, err = f.s.ListDeployments(ctx, f.app.ID, models.DeploymentFilter{Cursor: "garbage"})
	modeltest.WantError(t, err, models.KindInvalid, "invalid_cursor")
	_, err = f.s.GetDeployment(ctx, uuid.New())
	modeltest.WantError(t, err, models.KindNotFound, "deployment_not_found")
}

func TestPromoteDeployment(t *testing.T) {
	t.Parallel()
	f := newDeployFixture(t)
	ctx := context.Background()
	schema := func(org map[string]any) func(*models.DevelopmentDeploymentInput) {
		return func(in *models.DevelopmentDeploymentInput) { in.SettingsSchema = schemaWith(org, nil) }
	}
	withKey := schema(map[string]any{"api_key": map[string]any{"type": "string"}})
	dev1, _ := f.deploy(t, withKey)
	p1 := f.promote(t, dev1)
	if *p1.Version != "0.1.0" || p1.Type != models.DeploymentProduction || p1.Status != models.DeploymentActive ||
		*p1.SourceDeploymentID != dev1.ID || *p1.ClientBundleID != f.client.ID || *p1.ServerBundleID != f.server.ID ||
		p1.TargetOrganizationID != nil || p1.ReleaseNotes != "notes" || *p1.CreatedBy != f.admin.ID ||
		p1.Environment["API_URL"] != "https://api.example.test" || p1.Metadata["commit_sha"] != "abc1234" {
		t.Fatalf("promoted %+v", p1)
	}
	e := onlyEvent(t, f.s, models.EventDeploymentPromoted)
	wantEvent(t, e, f.acct.ID, &f.admin.ID, map[string]any{"version": "0.1.0", "bump": "initial", "source_deployment_id": dev1.ID})
	if *e.DeploymentID != p1.ID {
		t.Fatalf("event deployment %s, want %s", *e.DeploymentID, p1.ID)
	}

	// Idempotent: the same row, whatever the notes.
	again, err := f.s.PromoteDeployment(f.ctx, dev1.ID, "other notes")
	if err != nil || again.ID != p1.ID || *again.Version != "0.1.0" || again.ReleaseNotes != "notes" {
		t.Fatalf("second promotion %+v, %v", again, err)
	}
	if n := countEvents(t, f.s, models.EventDeploymentPromoted); n != 1 {
		t.Fatalf("%d promoted events, want 1", n)
	}
	_, err = f.s.PromoteDeployment(f.ctx, p1.ID, "")
	modeltest.WantError(t, err, models.KindInvalid, "not_a_development_deployment")
	_, err = f.s.PromoteDeployment(f.ctx, uuid.New(), "")
	modeltest.WantError(t, err, models.KindNotFound, "deployment_not_found")
	_, err = f.s.PromoteDeployment(f.ctx, dev1.ID, strings.Repeat("x", models.MaxReleaseNotesLen+1))
	modeltest.WantError(t, err, models.KindInvalid, "invalid_release_notes")

	// Nothing published: compare with the latest production deployment.
	dev2, _ := f.deploy(t, withKey, func(in *models.DevelopmentDeploymentInput) { in.Metadata.Message = "typo" })
	if p := f.promote(t, dev2); *p.Version != "0.1.1" {
		t.Fatalf("metadata-only promotion %s, want 0.1.1", *p.Version)
	} else {
		f.exec(t, `UPDATE app_deployments SET status = 'rejected' WHERE id = ?`, p.ID)
	}
	newClient, _ := f.upload(t, models.BundleClient, []byte("client v2"))
	dev3, _ := f.deploy(t, withKey, func(in *models.DevelopmentDeploymentInput) { in.ClientBundleSHA256 = newClient.SHA256 })
	p3 := f.promote(t, dev3)
	if *p3.Version != "0.2.0" {
		t.Fatalf("bundle change %s, want 0.2.0", *p3.Version)
	}
	// Publish 0.1.0: it is the basis from now on, though 0.2.0 is newer
	// and holds the highest number. Same content as 0.1.0: patch on 0.2.0.
	f.exec(t, `UPDATE app_deployments SET status = 'published', published_at = now() WHERE id = ?`, p1.ID)
	dev4, _ := f.deploy(t, withKey)
	if p := f.promote(t, dev4); *p.Version != "0.2.1" {
		t.Fatalf("unchanged against the published one %s, want 0.2.1", *p.Version)
	}
	dev5, _ := f.deploy(t, withKey, func(in *models.DevelopmentDeploymentInput) {
		in.SettingsSchema = schemaWith(map[string]any{"api_key": map[string]any{"type": "string"}}, map[string]any{"theme": map[string]any{"enum": []any{"a"}}})
	})
	if p := f.promote(t, dev5); *p.Version != "0.3.0" {
		t.Fatalf("setting added %s, want 0.3.0", *p.Version)
	}
	dev6, _ := f.deploy(t, schema(nil))
	if p := f.promote(t, dev6); *p.Version != "1.0.0" {
		t.Fatalf("setting removed %s, want 1.0.0", *p.Version)
	}
	versions := map[string]bool{}
	page, err := f.s.ListDeployments(ctx, f.app.ID, models.DeploymentFilter{Type: models.DeploymentProduction})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range page.Items {
		if versions[*d.Version] {
			t.Fatalf("version %s assigned twice", *d.Version)
		}
		versions[*d.Version] = true
	}
}

// Eight concurrent promotions of one development deployment make one
// production deployment, and every caller gets it.
func TestPromoteDeploymentConcurrently(t *testing.T) {
	t.Parallel()
	f := newDeployFixture(t)
	dev, _ := f.deploy(t)
	const n = 8
	got := make([]*models.Deployment, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			p, err := f.s.PromoteDeployment(f.ctx, dev.ID, "notes")
			if err != nil {
				t.Errorf("promotion %d: %v", i, err)
				return
			}
			got[i] = p
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	for i, p := range got {
		if p.ID != got[0].ID || *p.Version != *got[0].Version {
			t.Fatalf("promotion %d got %s %s, promotion 0 got %s %s", i, p.ID, *p.Version, got[0].ID, *got[0].Version)
		}
	}
	var rows int64
	f.s.Gorm().Table("app_deployments").Where("type = 'production' AND app_id = ?", f.app.ID).Count(&rows)
	if rows != 1 {
		t.Fatalf("%d production deployments, want 1", rows)
	}
	if n := countEvents(t, f.s, models.EventDeploymentPromoted); n != 1 {
		t.Fatalf("%d promoted events, want 1", n)
	}

	// Concurrent promotions of different development deployments of the
	// app get different versions.
	var devs []*models.Deployment
	for range 4 {
		d, _ := f.deploy(t)
		devs = append(devs, d)
	}
	versions := make([]string, len(devs))
	for i, d := range devs {
		wg.Go(func() {
			p, err := f.s.PromoteDeployment(f.ctx, d.ID, "")
			if err != nil {
				t.Errorf("promotion of %s: %v", d.ID, err)
				return
			}
			versions[i] = *p.Version
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, v := range versions {
		if seen[v] {
			t.Fatalf("versions %v repeat", versions)
		}
		seen[v] = true
	}
}

// The database refuses any change to a deployment's content, whoever
// writes it; status and review fields move.
func TestDeploymentContentIsImmutable(t *testing.T) {
	t.Parallel()
	f := newDeployFixture(t)
	dev, _ := f.deploy(t)
	prod := f.promote(t, dev)
	db := f.s.Gorm()
	for _, stmt := range []string{
		`UPDATE app_deployments SET settings_schema = '{"type":"object"}' WHERE id = ?`,
		`UPDATE app_deployments SET environment = '{"X":"y"}' WHERE id = ?`,
		`UPDATE app_deployments SET client_bundle_id = NULL WHERE id = ?`,
		`UPDATE app_deployments SET version = '9.9.9' WHERE id = ?`,
		`UPDATE app_deployments SET release_notes = 'edited' WHERE id = ?`,
		`UPDATE app_deployments SET manifest = '{"surfaces":[]}' WHERE id = ?`,
	} {
		err := db.Exec(stmt, prod.ID).Error
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "23001" || !strings.Contains(pgErr.Message, "immutable") {
			t.Errorf("%s: %v, want the trigger's restrict_violation", stmt, err)
		}
	}
	if err := db.Exec(`UPDATE app_deployments SET status = 'pending-review', submitted_at = now(), review_seq = review_seq + 1, updated_at = now() WHERE id = ?`, prod.ID).Error; err != nil {
		t.Fatalf("status update: %v", err)
	}
	got, err := f.s.GetDeployment(context.Background(), prod.ID)
	if err != nil || got.Status != models.DeploymentPendingReview || got.SettingsSchema["type"] != "object" || *got.Version != *prod.Version {
		t.Fatalf("after status update %+v, %v", got, err)
	}
}

func TestDeploymentManifest(t *testing.T) {
	t.Parallel()
	f := newDeployFixture(t)
	m := &models.Manifest{
		Surfaces:        []models.Surface{{Kind: models.SurfaceRecordWidget, ID: "hello", Title: "Hello", RecordTypes: []string{"contact"}}},
		ServerFunctions: []string{"src/greet.server.ts#greet"},
		Workflow: models.WorkflowManifest{Blocks: []models.WorkflowBlock{{ID: "greet", Title: "Greet", Function: "src/greet.server.ts#greet",
			Input: models.JSONMap{"type": "object"}, Output: models.JSONMap{"type": "string"}}}},
	}
	dev, _ := f.deploy(t, func(in *models.DevelopmentDeploymentInput) { in.Manifest = m })
	stored, err := f.s.GetDeployment(context.Background(), dev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(stored.Manifest.Surfaces) != 1 || stored.Manifest.Surfaces[0].ID != "hello" || stored.Manifest.Workflow.Blocks[0].Output["type"] != "string" {
		t.Fatalf("stored manifest %+v", stored.Manifest)
	}
	prod := f.promote(t, dev)
	got, err := f.s.GetDeployment(context.Background(), prod.ID)
	if err != nil || len(got.Manifest.Surfaces) != 1 || got.Manifest.ServerFunctions[0] != "src/greet.server.ts#greet" {
		t.Fatalf("promoted manifest %+v, %v", got.Manifest, err)
	}

	// A deployment without a manifest stores the empty one.
	bare, _ := f.deploy(t)
	if got, err := f.s.GetDeployment(context.Background(), bare.ID); err != nil || len(got.Manifest.Surfaces) != 0 {
		t.Fatalf("bare manifest %+v, %v", got.Manifest, err)
	}

	// A bad manifest is refused and nothing is created.
	before := len(eventsOf(t, f.s, models.EventDeploymentCreated))
	bad := &models.Manifest{Surfaces: []models.Surface{{Kind: "sidebar", ID: "x", Title: "X"}}}
	_, _, err = f.s.CreateDevelopmentDeployment(f.ctx, f.app.ID, models.DevelopmentDeploymentInput{TargetOrganizationID: f.org.ID, Manifest: bad})
	if e, ok := models.AsError(err); !ok || e.Code != "invalid_manifest" {
		t.Fatalf("bad manifest: %v", err)
	}
	if after := len(eventsOf(t, f.s, models.EventDeploymentCreated)); after != before {
		t.Fatalf("%d deployments created by a refused manifest", after-before)
	}
}
