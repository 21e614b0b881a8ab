package postgres_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"appstore/models"
	"appstore/models/postgres"
	"appstore/models/postgres/pgtest"
)

type installStoreFixture struct {
	s                    *postgres.Store
	owner, admin, member uuid.UUID
	org                  uuid.UUID
	app                  *models.App
}

func newInstallStoreFixture(t *testing.T) *installStoreFixture {
	t.Helper()
	ctx := context.Background()
	s := postgres.NewStore(pgtest.New(t))
	enc, err := models.NewEncrypter([]byte(strings.Repeat("s", 32)))
	if err != nil {
		t.Fatal(err)
	}
	s.SetEncrypter(enc)
	f := &installStoreFixture{s: s}
	user := func(email string) uuid.UUID {
		u, err := s.CreateUser(ctx, models.NewUser{Email: email, Name: email, Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		return u.ID
	}
	f.owner, f.admin, f.member = user("o@i.test"), user("a@i.test"), user("m@i.test")
	org, err := s.CreateOrganization(ctx, "Org", f.owner)
	if err != nil {
		t.Fatal(err)
	}
	f.org = org.ID
	if err := s.AddOrganizationMember(ctx, f.org, f.admin, models.OrgRoleAdmin); err != nil {
		t.Fatal(err)
	}
	if err := s.AddOrganizationMember(ctx, f.org, f.member, models.OrgRoleMember); err != nil {
		t.Fatal(err)
	}
	acct, err := s.CreateDeveloperAccount(ctx, "inst-labs", "Inst Labs", user("d@i.test"))
	if err != nil {
		t.Fatal(err)
	}
	f.app, err = s.CreateApp(ctx, acct.ID, "inst-app", "Inst App")
	if err != nil {
		t.Fatal(err)
	}
	db := s.Gorm()
	err = db.Exec(`INSERT INTO app_deployments (id, app_id, type, version, settings_schema, status, published_at)
		VALUES (?, ?, 'production', '1.0.0', '{}', 'published', now())`, uuid.Must(uuid.NewV7()), f.app.ID).Error
	if err == nil {
		err = db.Exec(`UPDATE apps SET publication_status = 'published', callback_url = 'https://x.example/cb',
			required_scopes = '["org:read", "openid"]' WHERE id = ?`, f.app.ID).Error
	}
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *installStoreFixture) activate(t *testing.T, id uuid.UUID, gen int) error {
	t.Helper()
	_, err := f.s.ActivateInstallation(context.Background(), models.ActivateInstallationInput{
		InstallationID: id, AppID: f.app.ID, OrganizationID: f.org, Generation: gen, ActorID: f.owner})
	return err
}

// TestInstallationStoreIdempotent retries every step as Temporal may and
// checks nothing happens twice; it also covers a lost race, uninstall and
// reinstall, and the secret's life.
func TestInstallationStoreIdempotent(t *testing.T) {
	f := newInstallStoreFixture(t)
	ctx := context.Background()
	plan, err := f.s.PlanInstall(ctx, f.org, "inst-app")
	if err != nil || plan.Generation != 1 || plan.Active {
		t.Fatalf("plan %+v %v", plan, err)
	}
	for range 2 {
		if err := f.activate(t, plan.InstallationID, 1); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.activate(t, uuid.Must(uuid.NewV7()), 1); !errors.Is(err, &models.Error{Kind: models.KindConflict, Code: "installation_conflict"}) {
		t.Fatalf("a second id for the same app and organization: %v, want installation_conflict", err)
	}
	for user, admin := range map[uuid.UUID]bool{f.owner: true, f.admin: true, f.member: false} {
		a, err := f.s.InstallationAccess(ctx, f.org, plan.InstallationID, user)
		if err != nil || !a.CanAccess || a.IsAppAdmin != admin || a.App.ID != f.app.ID {
			t.Fatalf("access of %s: %+v %v", user, a, err)
		}
	}
	if _, err := f.s.InstallationAccess(ctx, uuid.Must(uuid.NewV7()), plan.InstallationID, f.owner); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("access through another organization: %v, want not found", err)
	}

	id1, gen1, err := f.s.EnsureInstallationClient(ctx, plan.InstallationID)
	if err != nil {
		t.Fatal(err)
	}
	id2, gen2, err := f.s.EnsureInstallationClient(ctx, plan.InstallationID)
	if err != nil || id1 != id2 || gen1 != 1 || gen2 != 1 {
		t.Fatalf("client twice: %s/%d then %s/%d %v", id1, gen1, id2, gen2, err)
	}
	c, err := f.s.InstallationClient(ctx, plan.InstallationID)
	if err != nil || c.PKCERequired || len(c.RedirectURIs) != 1 || strings.Join(c.Scopes, " ") != "org:read openid profile email" {
		t.Fatalf("client %+v %v", c, err)
	}
	secret, err := f.s.InstallationSecret(ctx, id1, 1)
	if err != nil || !strings.HasPrefix(secret, models.OAuthClientSecretPrefix) {
		t.Fatalf("secret %q %v", secret, err)
	}
	if _, err := f.s.VerifyClientSecret(ctx, id1, secret); err != nil {
		t.Fatal(err)
	}
	if s, _ := f.s.InstallationSecret(ctx, id1, 2); s != "" {
		t.Fatal("another generation decrypted")
	}
	if err := f.s.EraseInstallationSecret(ctx, id1, 1); err != nil {
		t.Fatal(err)
	}
	if s, _ := f.s.InstallationSecret(ctx, id1, 1); s != "" {
		t.Fatal("the secret is still readable after erasure")
	}

	// Rotation, retried: one new generation.
	g, rotated, err := f.s.RotateInstallationSecret(ctx, id1, 1, time.Hour)
	if err != nil || g != 2 || !rotated {
		t.Fatalf("rotate: %d %v %v", g, rotated, err)
	}
	if g, rotated, err = f.s.RotateInstallationSecret(ctx, id1, 1, time.Hour); err != nil || g != 2 || rotated {
		t.Fatalf("rotate again from 1: %d %v %v", g, rotated, err)
	}
	fresh, _ := f.s.InstallationSecret(ctx, id1, 2)
	for _, s := range []string{secret, fresh} {
		if _, err := f.s.VerifyClientSecret(ctx, id1, s); err != nil {
			t.Fatalf("within grace both secrets verify: %v", err)
		}
	}

	for range 2 {
		cid, err := f.s.DeactivateInstallation(ctx, plan.InstallationID, 1, f.owner)
		if err != nil || cid != id1 {
			t.Fatalf("deactivate: %q %v", cid, err)
		}
	}
	for _, s := range []string{secret, fresh} {
		if _, err := f.s.VerifyClientSecret(ctx, id1, s); err == nil {
			t.Fatal("a secret verifies after uninstall")
		}
	}
	if _, _, err := f.s.RotateInstallationSecret(ctx, id1, 2, time.Hour); err == nil {
		t.Fatal("rotated an uninstalled installation's client")
	}
	plan2, err := f.s.PlanInstall(ctx, f.org, "inst-app")
	if err != nil || plan2.InstallationID != plan.InstallationID || plan2.Generation != 2 {
		t.Fatalf("plan after uninstall %+v %v", plan2, err)
	}
	if err := f.activate(t, plan.InstallationID, 1); err == nil {
		t.Fatal("an uninstalled generation activated again")
	}
	if err := f.activate(t, plan.InstallationID, 2); err != nil {
		t.Fatal(err)
	}
	id3, gen3, err := f.s.EnsureInstallationClient(ctx, plan.InstallationID)
	if err != nil || id3 != id1 || gen3 != 3 {
		t.Fatalf("client after reinstall %s/%d %v, want %s/3", id3, gen3, err, id1)
	}
}

func TestPlanInstallRefusals(t *testing.T) {
	f := newInstallStoreFixture(t)
	ctx := context.Background()
	// In this order: the app ends suspended for the activation below.
	for _, c := range [][2]string{{"unpublished", "app_not_found"}, {"suspended", "app_suspended"}} {
		status, code := c[0], c[1]
		if err := f.s.Gorm().Exec(`UPDATE apps SET publication_status = ? WHERE id = ?`, status, f.app.ID).Error; err != nil {
			t.Fatal(err)
		}
		_, err := f.s.PlanInstall(ctx, f.org, "inst-app")
		if e, ok := models.AsError(err); !ok || e.Code != code {
			t.Fatalf("%s app: %v, want %s", status, err, code)
		}
	}
	if err := f.activate(t, uuid.Must(uuid.NewV7()), 1); err == nil {
		t.Fatal("activated an installation of a suspended app")
	}
}

// TestSuspendingAnAppSuspendsItsInstallations: a takedown suspends every
// active installation, and restoring the app wakes exactly those.
func TestSuspendingAnAppSuspendsItsInstallations(t *testing.T) {
	f := newInstallStoreFixture(t)
	ctx := context.Background()
	id := uuid.Must(uuid.NewV7())
	if err := f.activate(t, id, 1); err != nil {
		t.Fatal(err)
	}
	status := func() models.InstallationStatus {
		inst, err := f.s.GetInstallation(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return inst.Status
	}
	if _, err := f.s.SetAppPublicationStatus(ctx, f.app.ID, models.AppSuspended); err != nil {
		t.Fatal(err)
	}
	if got := status(); got != models.InstallationSuspended {
		t.Fatalf("installation is %s after the takedown, want suspended", got)
	}
	if _, err := f.s.SetAppPublicationStatus(ctx, f.app.ID, models.AppPublished); err != nil {
		t.Fatal(err)
	}
	if got := status(); got != models.InstallationActive {
		t.Fatalf("installation is %s after the restore, want active", got)
	}
}
