package workflows_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"appstore/activities"
	"appstore/models"
	"appstore/models/postgres"
	"appstore/models/postgres/pgtest"
	"appstore/workflows"
	wfclient "appstore/workflows/client"
	"appstore/workflows/contract"
	"appstore/workflows/temporaltest"
)

// installationHistory is a recorded install -> uninstall run (-record).
const installationHistory = "testdata/installation_history.json"

// appReceiver is an app's webhook URL: it verifies every request's
// Standard Webhooks signature with the app's whsec secret and keeps the
// verified events by webhook-id, as a receiver that dedupes would.
type appReceiver struct {
	secret  string
	mu      sync.Mutex
	refused int
	events  map[string]receivedEvent // by webhook-id
	order   []string
}

type receivedEvent struct {
	Type string         `json:"type"`
	Data map[string]any `json:"data"`
	n    int
}

func (r *appReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := models.VerifyWebhook(r.secret, req.Header, body, time.Now(), 0); err != nil {
		r.refused++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	id := req.Header.Get(models.WebhookIDHeader)
	e, seen := r.events[id]
	if !seen {
		if err := json.Unmarshal(body, &e); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		r.order = append(r.order, id)
	}
	e.n++
	r.events[id] = e
	w.WriteHeader(http.StatusNoContent)
}

// ofType returns the verified events of type typ, in arrival order.
func (r *appReceiver) ofType(typ string) []receivedEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []receivedEvent
	for _, id := range r.order {
		if e := r.events[id]; e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

// waitFor polls cond for up to 30 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type installFixture struct {
	store         *postgres.Store
	owner, member uuid.UUID
	org           uuid.UUID
	app           *models.App
	rcv           *appReceiver
	c             client.Client
	driver        *wfclient.Installations
	queue         string
}

// newInstallFixture makes an organization (owner and member), a published
// app with a published deployment whose webhook URL is a local receiver,
// and a worker with the real workflows and activities on the dev server.
func newInstallFixture(t *testing.T) *installFixture {
	t.Helper()
	ctx := context.Background()
	store := postgres.NewStore(pgtest.New(t))
	enc, err := models.NewEncrypter([]byte(strings.Repeat("i", 32)))
	if err != nil {
		t.Fatal(err)
	}
	store.SetEncrypter(enc)
	f := &installFixture{store: store, rcv: &appReceiver{events: map[string]receivedEvent{}}}
	user := func(email string) uuid.UUID {
		u, err := store.CreateUser(ctx, models.NewUser{Email: email, Name: email, Password: "correct horse battery", Verified: true})
		if err != nil {
			t.Fatal(err)
		}
		return u.ID
	}
	f.owner, f.member = user("owner@install.test"), user("member@install.test")
	org, err := store.CreateOrganization(ctx, "Install Org", f.owner)
	if err != nil {
		t.Fatal(err)
	}
	f.org = org.ID
	if err := store.AddOrganizationMember(ctx, f.org, f.member, models.OrgRoleMember); err != nil {
		t.Fatal(err)
	}
	acct, err := store.CreateDeveloperAccount(ctx, "install-labs", "Install Labs", user("dev@install.test"))
	if err != nil {
		t.Fatal(err)
	}
	f.app = publishedApp(t, store, acct.ID, "crm-pro")
	srv := httptest.NewServer(f.rcv)
	t.Cleanup(srv.Close)
	_, secret, err := store.SetAppWebhookURL(ctx, f.app.ID, "https://crm.example.com/hooks")
	if err != nil {
		t.Fatal(err)
	}
	f.rcv.secret = secret
	if err := store.Gorm().Exec(`UPDATE apps SET webhook_url = ? WHERE id = ?`, srv.URL+"/hooks", f.app.ID).Error; err != nil {
		t.Fatal(err)
	}

	f.c = temporaltest.DevServer(t).Client()
	f.queue = "install-test-" + uuid.NewString()
	w := worker.New(f.c, f.queue, worker.Options{})
	workflows.Register(w, &activities.Activities{Store: store, Temporal: wfclient.New(f.c), OutboundAllow: loopback,
		HTTPClient: activities.NewOutboundClient(loopback), WebhookSchedule: []time.Duration{0, time.Second, time.Second}})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	f.driver = &wfclient.Installations{Client: f.c, TaskQueue: f.queue}
	return f
}

// publishedApp is a published app with a published production deployment.
func publishedApp(t *testing.T, store *postgres.Store, acct uuid.UUID, slug string) *models.App {
	t.Helper()
	app, err := store.CreateApp(context.Background(), acct, slug, "CRM Pro")
	if err != nil {
		t.Fatal(err)
	}
	db := store.Gorm()
	err = db.Exec(`INSERT INTO app_deployments (id, app_id, type, version, settings_schema, status, published_at)
		VALUES (?, ?, 'production', '1.0.0', '{}', 'published', now())`, uuid.Must(uuid.NewV7()), app.ID).Error
	if err == nil {
		err = db.Exec(`UPDATE apps SET publication_status = 'published', callback_url = 'https://crm.example.com/callback',
			app_url = 'https://crm.example.com/', required_scopes = '["org:read"]' WHERE id = ?`, app.ID).Error
	}
	if err != nil {
		t.Fatal(err)
	}
	return app
}

// install plans and installs the app as the owner, as the API does.
func (f *installFixture) install(t *testing.T) (*models.InstallPlan, *contract.InstallationState) {
	t.Helper()
	ctx := context.Background()
	plan, err := f.store.PlanInstall(ctx, f.org, f.app.Slug)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.driver.Install(ctx, contract.InstallationInput{InstallationID: plan.InstallationID, Generation: plan.Generation,
		AppID: f.app.ID, AppSlug: f.app.Slug, OrganizationID: f.org, SecretGrace: time.Hour},
		contract.InstallationArgs{ActorID: f.owner}, "")
	if err != nil {
		t.Fatalf("install: %v", err)
	}
	return plan, st
}

// credentials checks an app.installed or secret.rotated body: the client
// id and a secret that verifies, and returns the secret.
func (f *installFixture) credentials(t *testing.T, e receivedEvent, clientID string) string {
	t.Helper()
	secret, _ := e.Data["client_secret"].(string)
	if e.Data["client_id"] != clientID || secret == "" {
		t.Fatalf("%s body data %v: want client_id %s and a client_secret", e.Type, e.Data, clientID)
	}
	if _, err := f.store.VerifyClientSecret(context.Background(), clientID, secret); err != nil {
		t.Fatalf("the delivered secret does not verify: %v", err)
	}
	return secret
}

func (f *installFixture) ciphertextErased(t *testing.T, clientID string) bool {
	var n int64
	if err := f.store.Gorm().Raw(`SELECT count(*) FROM oauth_clients WHERE client_id = ? AND secret_ciphertext IS NULL`, clientID).
		Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n == 1
}

func (f *installFixture) scheduleExists(t *testing.T, clientID string) bool {
	_, err := f.c.ScheduleClient().GetHandle(context.Background(), contract.RotationScheduleID(clientID)).Describe(context.Background())
	var notFound *serviceerror.NotFound
	if err != nil && !errorsAs(err, &notFound) {
		t.Fatal(err)
	}
	return err == nil
}

// TestInstallationIntegration installs, reinstalls and uninstalls an app
// for real: app.installed is delivered once, signed, with credentials that
// verify; the secret's encrypted copy is erased once delivered; members get
// access; uninstall revokes the client and delivers app.uninstalled; a
// reinstall keeps settings and delivers a fresh secret.
func TestInstallationIntegration(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal dev server")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	f := newInstallFixture(t)

	plan, st := f.install(t)
	if plan.Generation != 1 || plan.Active || st.Status != models.InstallationActive || !strings.HasPrefix(st.ClientID, "asc_") {
		t.Fatalf("plan %+v state %+v", plan, st)
	}
	desc, err := f.c.DescribeWorkflowExecution(ctx, contract.InstallationWorkflowID(plan.InstallationID, 1), "")
	if err != nil {
		t.Fatal(err)
	}
	sa := desc.GetWorkflowExecutionInfo().GetSearchAttributes().GetIndexedFields()
	for name, want := range map[string]string{"OrganizationID": f.org.String(), "InstallationID": plan.InstallationID.String(), "AppSlug": f.app.Slug} {
		if got := sa[name]; got == nil || string(got.GetData()) != `"`+want+`"` {
			t.Errorf("search attribute %s = %v, want %s", name, got, want)
		}
	}
	waitFor(t, "app.installed", func() bool { return len(f.rcv.ofType("app.installed")) == 1 })
	installed := f.rcv.ofType("app.installed")[0]
	secret := f.credentials(t, installed, st.ClientID)
	if installed.Data["installation_id"] != plan.InstallationID.String() || installed.Data["organization_id"] != f.org.String() {
		t.Fatalf("app.installed data %v", installed.Data)
	}
	var stored []string
	f.store.Gorm().Raw(`SELECT payload::text FROM webhook_deliveries WHERE event_type = 'app.installed'`).Scan(&stored)
	if len(stored) != 1 || strings.Contains(stored[0], secret) || strings.Contains(stored[0], "client_secret") {
		t.Fatalf("stored payload %q must not hold the secret", stored)
	}
	waitFor(t, "the secret's copy to be erased", func() bool { return f.ciphertextErased(t, st.ClientID) })
	if !f.scheduleExists(t, st.ClientID) {
		t.Fatal("no rotation schedule for the installation client")
	}

	// Installing twice is the same installation, and nothing is resent.
	again, st2 := f.install(t)
	if !again.Active || again.InstallationID != plan.InstallationID || st2.ClientID != st.ClientID {
		t.Fatalf("second install: plan %+v state %+v", again, st2)
	}
	access := func(user uuid.UUID) *models.InstallationAccess {
		a, err := f.store.InstallationAccess(ctx, f.org, plan.InstallationID, user)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	if o, m := access(f.owner), access(f.member); !o.CanAccess || !o.IsAppAdmin || !m.CanAccess || m.IsAppAdmin || o.OrgRole != models.OrgRoleOwner {
		t.Fatalf("access: owner %+v member %+v", o, m)
	}
	// A setting the organization saved survives the reinstall below.
	err = f.store.Gorm().Exec(`INSERT INTO app_settings (id, installation_id, scope, key, value, deployment_id)
		SELECT ?, id, 'organization', 'region', '"eu"', deployment_id FROM app_installations WHERE id = ?`,
		uuid.Must(uuid.NewV7()), plan.InstallationID).Error
	if err != nil {
		t.Fatal(err)
	}

	res, err := f.driver.Uninstall(ctx, plan.InstallationID, 1, contract.InstallationArgs{ActorID: f.owner}, "")
	if err != nil || res.Status != models.InstallationInactive {
		t.Fatalf("uninstall: %+v %v", res, err)
	}
	waitFor(t, "app.uninstalled", func() bool { return len(f.rcv.ofType("app.uninstalled")) == 1 })
	if _, err := f.store.VerifyClientSecret(ctx, st.ClientID, secret); err == nil {
		t.Fatal("the client secret still verifies after uninstall")
	}
	if f.scheduleExists(t, st.ClientID) {
		t.Fatal("the rotation schedule outlived the installation")
	}
	id := contract.InstallationWorkflowID(plan.InstallationID, 1)
	if err := f.c.GetWorkflow(ctx, id, "").Get(ctx, nil); err != nil {
		t.Fatalf("the run did not end after uninstall: %v", err)
	}
	if *record {
		saveHistory(t, installationHistory, fetchHistory(ctx, t, f.c, id, ""))
	}

	// Reinstall: the same installation, generation 2, a fresh secret.
	plan2, st3 := f.install(t)
	if plan2.InstallationID != plan.InstallationID || plan2.Generation != 2 || st3.ClientID != st.ClientID {
		t.Fatalf("reinstall plan %+v state %+v", plan2, st3)
	}
	waitFor(t, "the second app.installed", func() bool { return len(f.rcv.ofType("app.installed")) == 2 })
	secret2 := f.credentials(t, f.rcv.ofType("app.installed")[1], st.ClientID)
	if secret2 == secret {
		t.Fatal("the reinstall delivered the old secret")
	}
	if _, err := f.store.VerifyClientSecret(ctx, st.ClientID, secret); err == nil {
		t.Fatal("the first generation verifies again after the reinstall")
	}
	var settings int64
	f.store.Gorm().Raw(`SELECT count(*) FROM app_settings WHERE installation_id = ?`, plan.InstallationID).Scan(&settings)
	if settings != 1 {
		t.Fatalf("%d settings rows after the reinstall, want the 1 saved before", settings)
	}
	f.rcv.mu.Lock()
	defer f.rcv.mu.Unlock()
	for id, e := range f.rcv.events {
		if e.n != 1 {
			t.Errorf("event %s (%s) received %d times, want once", id, e.Type, e.n)
		}
	}
	if f.rcv.refused != 0 {
		t.Errorf("%d requests failed signature verification", f.rcv.refused)
	}
}

// TestInstallationSecretRotationIntegration runs one rotation (as the
// Schedule would): secret.rotated carries a new secret that verifies, the
// previous one keeps working through the grace period and is then revoked.
func TestInstallationSecretRotationIntegration(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal dev server")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	f := newInstallFixture(t)
	plan, st := f.install(t)
	waitFor(t, "app.installed", func() bool { return len(f.rcv.ofType("app.installed")) == 1 })
	old := f.credentials(t, f.rcv.ofType("app.installed")[0], st.ClientID)

	run, err := f.c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: fmt.Sprintf("rotation-test-%s", uuid.NewString()), TaskQueue: f.queue},
		contract.InstallationSecretRotationWorkflow, contract.InstallationRotationInput{
			ClientID: st.ClientID, InstallationID: plan.InstallationID, Grace: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "secret.rotated", func() bool { return len(f.rcv.ofType("secret.rotated")) == 1 })
	fresh := f.credentials(t, f.rcv.ofType("secret.rotated")[0], st.ClientID)
	if fresh == old {
		t.Fatal("secret.rotated carried the old secret")
	}
	if _, err := f.store.VerifyClientSecret(ctx, st.ClientID, old); err != nil {
		t.Fatalf("the previous secret stopped working before the grace period ended: %v", err)
	}
	var res workflows.InstallationRotationResult
	if err := run.Get(ctx, &res); err != nil {
		t.Fatal(err)
	}
	if !res.Rotated || !res.Delivered || !res.PreviousRevoked || res.Generation != 2 {
		t.Fatalf("rotation result %+v", res)
	}
	if _, err := f.store.VerifyClientSecret(ctx, st.ClientID, old); err == nil {
		t.Fatal("the previous secret verifies after the grace period")
	}
	if _, err := f.store.VerifyClientSecret(ctx, st.ClientID, fresh); err != nil {
		t.Fatalf("the new secret: %v", err)
	}
	if !f.ciphertextErased(t, st.ClientID) {
		t.Fatal("the rotated secret's copy was not erased after delivery")
	}
}
