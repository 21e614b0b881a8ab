package activities_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/testsuite"

	"appstore/activities"
	"appstore/models"
	"appstore/models/postgres"
	"appstore/workflows/contract"
	"appstore/workflows/temporaltest"
)

// oauthApp creates an account administered by admin@example.com, an app
// titled title and its enabled OAuth client, and returns the client id.
func oauthApp(t *testing.T, store *postgres.Store, title string) (*models.App, string) {
	t.Helper()
	ctx := context.Background()
	admin, err := store.CreateUser(ctx, models.NewUser{Email: "admin@example.com", Name: "Admin", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	acct, err := store.CreateDeveloperAccount(ctx, "acme-labs", "Acme Labs", admin.ID)
	if err != nil {
		t.Fatal(err)
	}
	app, err := store.CreateApp(ctx, acct.ID, "reminded-app", title)
	if err != nil {
		t.Fatal(err)
	}
	id, _, _, err := store.EnableOAuth(ctx, app.ID)
	if err != nil {
		t.Fatal(err)
	}
	return app, id
}

func newOAuthActivityEnv(t *testing.T, store *postgres.Store) *testsuite.TestActivityEnvironment {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(temporaltest.Logger(t))
	env := suite.NewTestActivityEnvironment()
	env.RegisterActivity(&activities.Activities{Store: store, Mailer: activities.OutboxMailer{Store: store}, BaseURL: baseURL})
	return env
}

func TestRemindSecretRotation(t *testing.T) {
	ctx := context.Background()
	store := newStore(t)
	app, clientID := oauthApp(t, store, "Tickets <Pro>")
	env := newOAuthActivityEnv(t, store)
	in := contract.RotationReminderInput{ClientID: clientID, AppID: app.ID}

	// Run twice, as a retry would: one event (keyed by the run), mail each time.
	for range 2 {
		val, err := env.ExecuteActivity(a.RemindSecretRotation, in)
		if err != nil {
			t.Fatal(err)
		}
		var sent int
		if err := val.Get(&sent); err != nil || sent != 1 {
			t.Fatalf("sent = %d %v, want 1", sent, err)
		}
	}
	var n int64
	if err := store.Gorm().Table("event_logs").Where("type = ?", models.EventOAuthRotationReminder).Count(&n).Error; err != nil || n != 1 {
		t.Fatalf("%d rotation reminder events (%v), want 1", n, err)
	}
	mails, err := store.ListDevMails(ctx, 10)
	if err != nil || len(mails) != 2 {
		t.Fatalf("%d mails (%v), want 2", len(mails), err)
	}
	m := mails[0]
	if m.To != "admin@example.com" || m.Subject != "Time to rotate the client secret of Tickets <Pro>" ||
		!strings.Contains(m.Text, clientID) || !strings.Contains(m.Text, baseURL+"/developer-accounts/"+app.DeveloperAccountID.String()) {
		t.Errorf("mail = %+v", m)
	}
	if !strings.Contains(m.HTML, "Tickets &lt;Pro&gt;") || strings.Contains(m.HTML, "<Pro>") {
		t.Errorf("HTML does not escape the title: %s", m.HTML)
	}

	// A disabled client and an unknown one are not reminded, and that is no error.
	if _, err := store.DisableOAuth(ctx, app.ID); err != nil {
		t.Fatal(err)
	}
	for _, in := range []contract.RotationReminderInput{in, {ClientID: "asc_gone", AppID: uuid.New()}} {
		val, err := env.ExecuteActivity(a.RemindSecretRotation, in)
		if err != nil {
			t.Fatalf("%+v: %v", in, err)
		}
		var sent int
		if err := val.Get(&sent); err != nil || sent != 0 {
			t.Fatalf("%+v: sent = %d %v, want 0", in, sent, err)
		}
	}
	if mails, _ := store.ListDevMails(ctx, 10); len(mails) != 2 {
		t.Fatalf("%d mails, want still 2", len(mails))
	}
}

func TestRevokePreviousSecretActivity(t *testing.T) {
	ctx := context.Background()
	store := newStore(t)
	app, clientID := oauthApp(t, store, "Rotating")
	if _, _, err := store.RotateClientSecret(ctx, app.ID, time.Hour); err != nil {
		t.Fatal(err)
	}
	env := newOAuthActivityEnv(t, store)
	for _, want := range []bool{true, false} { // the retry finds nothing left to revoke
		val, err := env.ExecuteActivity(a.RevokePreviousSecret, activities.RevokePreviousSecretInput{ClientID: clientID, Generation: 1})
		if err != nil {
			t.Fatal(err)
		}
		var revoked bool
		if err := val.Get(&revoked); err != nil || revoked != want {
			t.Fatalf("revoked = %v %v, want %v", revoked, err, want)
		}
	}
	c, err := store.GetOAuthClient(ctx, app.ID)
	if err != nil || c.PreviousGeneration != nil {
		t.Fatalf("client = %+v %v, want no previous secret", c, err)
	}
}
