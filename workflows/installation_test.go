package workflows_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"appstore/activities"
	"appstore/models"
	"appstore/workflows"
	"appstore/workflows/contract"
	"appstore/workflows/temporaltest"
)

// installationRun is one Installation run in the test environment, its
// activities mocked; calls records what the workflow asked for, in order.
type installationRun struct {
	env      *testsuite.TestWorkflowEnvironment
	in       contract.InstallationInput
	calls    []string
	children []uuid.UUID
	activate error // what ActivateInstallation answers
}

func newInstallationRun(t *testing.T) *installationRun {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(temporaltest.Logger(t))
	env := suite.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	workflows.Register(env, &activities.Activities{})
	r := &installationRun{env: env}
	r.in = contract.InstallationInput{InstallationID: uuid.Must(uuid.NewV7()), Generation: 1, AppID: uuid.Must(uuid.NewV7()),
		AppSlug: "crm", OrganizationID: uuid.Must(uuid.NewV7())}
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: contract.InstallationWorkflowID(r.in.InstallationID, 1),
		TypedSearchAttributes: contract.InstallationSearchAttributes(r.in)})
	record := func(name string) { r.calls = append(r.calls, name) }
	env.OnActivity(a.ActivateInstallation, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in models.ActivateInstallationInput) error {
			record("activate")
			return r.activate
		})
	env.OnActivity(a.EnsureInstallationClient, mock.Anything, mock.Anything).Return(
		func(context.Context, uuid.UUID) (*activities.InstallationClientResult, error) {
			record("client")
			return &activities.InstallationClientResult{ClientID: "asc_test", SecretGeneration: 1}, nil
		})
	env.OnActivity(a.EnsureInstallationRotationSchedule, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RotationScheduleInput) error {
			record("schedule")
			if in.Every != contract.DefaultRotationReminderEvery || in.Grace != contract.DefaultSecretGrace {
				t.Errorf("schedule %+v, want the default interval and grace", in)
			}
			return nil
		})
	env.OnActivity(a.EnqueueInstallationEvent, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.InstallationEventInput) ([]uuid.UUID, error) {
			record("enqueue " + string(in.EventType) + " " + in.DedupeKey)
			return []uuid.UUID{uuid.NewSHA1(uuid.NameSpaceURL, []byte(in.DedupeKey))}, nil
		})
	env.OnWorkflow(workflows.WebhookDelivery, mock.Anything, mock.Anything).Return(
		func(_ workflow.Context, in contract.WebhookDeliveryInput) (*workflows.WebhookDeliveryResult, error) {
			r.children = append(r.children, in.DeliveryID)
			return &workflows.WebhookDeliveryResult{Status: models.WebhookDelivered, Reason: workflows.WebhookEndDelivered, Attempts: 1}, nil
		})
	env.OnActivity(a.EraseInstallationSecret, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.EraseSecretInput) error {
			record("erase")
			if in.ClientID != "asc_test" || in.Generation != 1 {
				t.Errorf("erase %+v", in)
			}
			return nil
		})
	env.OnActivity(a.DeactivateInstallation, mock.Anything, mock.Anything).Return(
		func(context.Context, activities.DeactivateInput) (string, error) {
			record("deactivate")
			return "asc_test", nil
		})
	env.OnActivity(a.DeleteInstallationRotationSchedule, mock.Anything, mock.Anything).Return(
		func(context.Context, string) error {
			record("unschedule")
			return nil
		})
	return r
}

type installUpdate struct {
	rejected  error
	completed bool
	err       error
	state     contract.InstallationState
}

func (r *installationRun) send(name string) *installUpdate {
	u := &installUpdate{}
	r.env.UpdateWorkflow(name, uuid.NewString(), &testsuite.TestUpdateCallback{
		OnAccept: func() {},
		OnReject: func(err error) { u.rejected = err },
		OnComplete: func(v any, err error) {
			u.completed, u.err = true, err
			if st, ok := v.(*contract.InstallationState); ok && err == nil {
				u.state = *st
			}
		},
	}, contract.InstallationArgs{ActorID: uuid.Must(uuid.NewV7())})
	return u
}

func (r *installationRun) at(d time.Duration, f func()) { r.env.RegisterDelayedCallback(f, d) }

func (r *installationRun) run(t *testing.T) contract.InstallationState {
	t.Helper()
	r.env.ExecuteWorkflow(workflows.Installation, r.in)
	if !r.env.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete")
	}
	if err := r.env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow error: %v", err)
	}
	var st contract.InstallationState
	if err := r.env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestInstallationInstallThenUninstall(t *testing.T) {
	r := newInstallationRun(t)
	var install, uninstall *installUpdate
	var during contract.InstallationState
	r.at(0, func() { install = r.send(contract.InstallationInstallUpdate) })
	r.at(time.Hour, func() {
		v, err := r.env.QueryWorkflow(contract.InstallationStatusQuery)
		if err != nil {
			t.Fatal(err)
		}
		if err := v.Get(&during); err != nil {
			t.Fatal(err)
		}
		uninstall = r.send(contract.InstallationUninstallUpdate)
	})
	st := r.run(t)
	if install.rejected != nil || install.err != nil || install.state.Status != models.InstallationActive || install.state.ClientID != "asc_test" {
		t.Fatalf("install %+v", install)
	}
	if !during.SecretDelivered || during.Status != models.InstallationActive {
		t.Fatalf("status an hour in %+v, want active with the secret delivered", during)
	}
	if uninstall.rejected != nil || uninstall.err != nil || uninstall.state.Status != models.InstallationInactive {
		t.Fatalf("uninstall %+v", uninstall)
	}
	if st.Status != models.InstallationInactive {
		t.Fatalf("result %+v", st)
	}
	id := contract.InstallationWorkflowID(r.in.InstallationID, 1)
	want := []string{"activate", "client", "schedule", "enqueue app.installed " + id + ":installed", "erase",
		"deactivate", "unschedule", "enqueue app.uninstalled " + id + ":uninstalled"}
	if len(r.calls) != len(want) {
		t.Fatalf("calls %q, want %q", r.calls, want)
	}
	for i := range want {
		if r.calls[i] != want[i] {
			t.Fatalf("calls %q, want %q", r.calls, want)
		}
	}
	if len(r.children) != 2 {
		t.Fatalf("deliveries %v, want app.installed and app.uninstalled", r.children)
	}
}

func TestInstallationDoubleInstallIsIdempotent(t *testing.T) {
	r := newInstallationRun(t)
	var first, second *installUpdate
	r.at(0, func() { first = r.send(contract.InstallationInstallUpdate) })
	r.at(time.Minute, func() { second = r.send(contract.InstallationInstallUpdate) })
	r.at(time.Hour, func() { r.send(contract.InstallationUninstallUpdate) })
	r.run(t)
	if first.err != nil || second.err != nil || second.rejected != nil {
		t.Fatalf("first %+v second %+v", first, second)
	}
	if first.state.ClientID != second.state.ClientID || second.state.Status != models.InstallationActive {
		t.Fatalf("second install answered %+v, want the first's %+v", second.state, first.state)
	}
	activations := 0
	for _, c := range r.calls {
		if c == "activate" {
			activations++
		}
	}
	if activations != 1 {
		t.Fatalf("ActivateInstallation ran %d times, want once (calls %q)", activations, r.calls)
	}
}

func TestInstallationUninstallRefusedWhenNotActive(t *testing.T) {
	r := newInstallationRun(t)
	var early *installUpdate
	r.at(0, func() { early = r.send(contract.InstallationUninstallUpdate) })
	r.at(time.Second, func() { r.send(contract.InstallationInstallUpdate) })
	r.at(time.Minute, func() { r.send(contract.InstallationUninstallUpdate) })
	r.run(t)
	me, ok := contract.ModelError(early.rejected)
	if !ok || me.Code != contract.ErrTypeInstallationInactive || me.Kind != models.KindConflict {
		t.Fatalf("uninstall before install: rejected %v, want %s", early.rejected, contract.ErrTypeInstallationInactive)
	}
	if len(r.calls) == 0 || r.calls[0] != "activate" {
		t.Fatalf("the refused uninstall ran activities: %q", r.calls)
	}
}

func TestInstallationRefusedInstallEndsRun(t *testing.T) {
	r := newInstallationRun(t)
	r.activate = contract.DomainError(&models.Error{Kind: models.KindConflict, Code: "installation_conflict", Message: "race"})
	var u *installUpdate
	r.at(0, func() { u = r.send(contract.InstallationInstallUpdate) })
	st := r.run(t)
	me, ok := contract.ModelError(u.err)
	if !ok || me.Code != "installation_conflict" {
		t.Fatalf("install error %v, want installation_conflict", u.err)
	}
	if st.Status != "" || len(r.calls) != 1 {
		t.Fatalf("state %+v calls %q: nothing but the refused activation should have run", st, r.calls)
	}
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }

// TestInstallationReplay replays a recorded install -> uninstall run
// against the current workflow code.
func TestInstallationReplay(t *testing.T) {
	replayer := worker.NewWorkflowReplayer()
	replayer.RegisterWorkflow(workflows.Installation)
	if err := replayer.ReplayWorkflowHistoryFromJSONFile(temporaltest.Logger(t), installationHistory); err != nil {
		t.Fatalf("replay: %v", err)
	}
}
