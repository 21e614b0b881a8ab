package workflows_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"appstore/activities"
	"appstore/models"
	"appstore/models/postgres"
	"appstore/models/postgres/pgtest"
	"appstore/workflows"
	"appstore/workflows/contract"
	"appstore/workflows/temporaltest"
)

// oauthClient is an app with OAuth enabled in a fresh database.
type oauthClient struct {
	store  *postgres.Store
	app    *models.App
	id     string // client id
	secret string // generation 1
}

func newOAuthClient(t *testing.T) *oauthClient {
	t.Helper()
	ctx := context.Background()
	store := postgres.NewStore(pgtest.New(t))
	admin, err := store.CreateUser(ctx, models.NewUser{Email: "ada@example.com", Name: "Ada", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	acct, err := store.CreateDeveloperAccount(ctx, "acme-labs", "Acme Labs", admin.ID)
	if err != nil {
		t.Fatal(err)
	}
	app, err := store.CreateApp(ctx, acct.ID, "rotating-app", "Rotating App")
	if err != nil {
		t.Fatal(err)
	}
	id, secret, _, err := store.EnableOAuth(ctx, app.ID)
	if err != nil {
		t.Fatal(err)
	}
	return &oauthClient{store: store, app: app, id: id, secret: secret}
}

// rotate makes a new secret with grace and returns it and its generation.
func (o *oauthClient) rotate(t *testing.T, grace time.Duration) (string, int) {
	t.Helper()
	secret, gen, err := o.store.RotateClientSecret(context.Background(), o.app.ID, grace)
	if err != nil {
		t.Fatal(err)
	}
	return secret, gen
}

func (o *oauthClient) verifies(secret string) bool {
	_, err := o.store.VerifyClientSecret(context.Background(), o.id, secret)
	return err == nil
}

func newRotationEnv(t *testing.T, store *postgres.Store) *testsuite.TestWorkflowEnvironment {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(temporaltest.Logger(t))
	env := suite.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	workflows.Register(env, &activities.Activities{Store: store})
	return env
}

// TestSecretRotation runs the workflow with the real activities and store:
// the old secret works throughout the grace period and is refused once the
// timer fires and the activity revokes it.
func TestSecretRotation(t *testing.T) {
	o := newOAuthClient(t)
	const grace = 7 * 24 * time.Hour
	second, gen := o.rotate(t, grace)
	env := newRotationEnv(t, o.store)

	checked := false
	env.RegisterDelayedCallback(func() {
		checked = true
		if !o.verifies(o.secret) || !o.verifies(second) {
			t.Error("one day before the end of the grace period both secrets must verify")
		}
	}, grace-24*time.Hour)

	env.ExecuteWorkflow(workflows.SecretRotation, contract.SecretRotationInput{ClientID: o.id, Generation: gen, Grace: grace})

	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow error: %v", err)
	}
	var revoked bool
	if err := env.GetWorkflowResult(&revoked); err != nil || !revoked {
		t.Fatalf("result = %v %v, want revoked", revoked, err)
	}
	if !checked {
		t.Fatal("the check inside the grace period did not run")
	}
	if o.verifies(o.secret) {
		t.Fatal("the previous secret still verifies after the grace period")
	}
	if !o.verifies(second) {
		t.Fatal("the new secret stopped working")
	}
	if env.Now().Sub(start) < grace {
		t.Fatalf("the run ended %s after start, before the grace period of %s", env.Now().Sub(start), grace)
	}
}

// TestSecretRotationOverlapping: a second rotation inside the grace period
// revoked generation 1 already; the first run, waking up, must not revoke
// generation 2, which is still in its own grace period.
func TestSecretRotationOverlapping(t *testing.T) {
	o := newOAuthClient(t)
	second, gen2 := o.rotate(t, time.Hour)
	third, _ := o.rotate(t, time.Hour)
	env := newRotationEnv(t, o.store)

	env.ExecuteWorkflow(workflows.SecretRotation, contract.SecretRotationInput{ClientID: o.id, Generation: gen2, Grace: time.Hour})

	var revoked bool
	if err := env.GetWorkflowResult(&revoked); err != nil || revoked {
		t.Fatalf("result = %v %v, want nothing revoked", revoked, err)
	}
	if o.verifies(o.secret) || !o.verifies(second) || !o.verifies(third) {
		t.Fatal("want generation 1 refused, generations 2 and 3 accepted")
	}
}

// TestSecretRotationTimer checks, with a mocked activity, that revocation
// waits for exactly the grace period and names the previous generation.
func TestSecretRotationTimer(t *testing.T) {
	env := newRotationEnv(t, nil)
	const grace = 36 * time.Hour
	env.OnActivity(a.RevokePreviousSecret, mock.Anything, activities.RevokePreviousSecretInput{ClientID: "asc_x", Generation: 4}).
		Return(func(context.Context, activities.RevokePreviousSecretInput) (bool, error) {
			if got := env.Now().Sub(start); got < grace {
				t.Errorf("revoked %s after start, want after %s", got, grace)
			}
			return true, nil
		}).Once()

	env.ExecuteWorkflow(workflows.SecretRotation, contract.SecretRotationInput{ClientID: "asc_x", Generation: 5, Grace: grace})

	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	env.AssertExpectations(t)
}

func TestSecretRotationRejectsBadInput(t *testing.T) {
	for _, in := range []contract.SecretRotationInput{
		{ClientID: "asc_x", Generation: 1, Grace: time.Hour},
		{ClientID: "asc_x", Generation: 2, Grace: -time.Hour},
		{Generation: 2, Grace: time.Hour},
	} {
		env := newRotationEnv(t, nil)
		env.ExecuteWorkflow(workflows.SecretRotation, in)
		var appErr *temporal.ApplicationError
		if err := env.GetWorkflowError(); !errors.As(err, &appErr) || appErr.Type() != contract.ErrTypeInvalidSecretRotation {
			t.Errorf("%+v: error = %v, want %s", in, err, contract.ErrTypeInvalidSecretRotation)
		}
		env.AssertNotCalled(t, "RevokePreviousSecret", mock.Anything, mock.Anything)
	}
}

func TestSecretRotationWorkflowID(t *testing.T) {
	if got := contract.SecretRotationWorkflowID("asc_abc", 3); got != "rotate-asc_abc-3" {
		t.Fatalf("id = %q", got)
	}
	if got := contract.RotationScheduleID("asc_abc"); got != "rotation-schedule-asc_abc" {
		t.Fatalf("schedule id = %q", got)
	}
}
