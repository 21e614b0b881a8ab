package workflows_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"appstore/activities"
	"appstore/workflows"
	"appstore/workflows/contract"
	"appstore/workflows/temporaltest"
)

func newAccountMailEnv(t *testing.T) *testsuite.TestWorkflowEnvironment {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(temporaltest.Logger(t))
	env := suite.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	workflows.Register(env, &activities.Activities{})
	return env
}

func TestAccountMailWorkflowID(t *testing.T) {
	id := uuid.MustParse("0195f3a2-7c1e-7d4b-9a3e-2f1c5b6d7e8f")
	if got := contract.AccountMailWorkflowID(id); got != "account-mail-0195f3a2-7c1e-7d4b-9a3e-2f1c5b6d7e8f" {
		t.Errorf("AccountMailWorkflowID = %q", got)
	}
}

func TestAccountMailRetriesUntilSent(t *testing.T) {
	env := newAccountMailEnv(t)
	id := uuid.Must(uuid.NewV7())
	env.OnActivity(a.SendAccountMail, mock.Anything, id).Return(false, errors.New("smtp: 451 try later")).Times(3)
	env.OnActivity(a.SendAccountMail, mock.Anything, id).Return(true, nil).Once()

	env.ExecuteWorkflow(workflows.AccountMail, id)

	if !env.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete")
	}
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow error: %v", err)
	}
	env.AssertExpectations(t)
	env.AssertNumberOfCalls(t, "SendAccountMail", 4)
}

func TestAccountMailRetriesAreBoundedByADay(t *testing.T) {
	env := newAccountMailEnv(t)
	id := uuid.Must(uuid.NewV7())
	var infos []activity.Info
	var last time.Time // of the workflow clock
	env.OnActivity(a.SendAccountMail, mock.Anything, id).Return(func(ctx context.Context, _ uuid.UUID) (bool, error) {
		infos, last = append(infos, activity.GetInfo(ctx)), env.Now()
		return false, errors.New("smtp: connection refused")
	})

	env.ExecuteWorkflow(workflows.AccountMail, id)

	if !env.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete")
	}
	var actErr *temporal.ActivityError
	if err := env.GetWorkflowError(); !errors.As(err, &actErr) {
		t.Fatalf("error = %v, want the activity's", err)
	}
	// The test environment caps an unlimited retry policy at 10 attempts;
	// the server stops at the schedule-to-close timeout, which is the bound.
	if len(infos) < 2 {
		t.Fatalf("%d attempts, want retries", len(infos))
	}
	for _, info := range infos {
		if info.ScheduleToCloseTimeout != workflows.AccountMailGiveUp {
			t.Errorf("attempt %d: schedule-to-close %s, want %s", info.Attempt, info.ScheduleToCloseTimeout, workflows.AccountMailGiveUp)
		}
	}
	// Backoff doubles from a second: 1+2+...+2^(n-2) seconds before attempt n.
	if want := time.Duration(1<<(len(infos)-1)-1) * time.Second; last.Sub(start) != want {
		t.Errorf("attempt %d ran at %s, want %s after the first", len(infos), last.Sub(start), want)
	}
}

func TestAccountMailUnknownRequestFailsAtOnce(t *testing.T) {
	env := newAccountMailEnv(t)
	id := uuid.Must(uuid.NewV7())
	env.OnActivity(a.SendAccountMail, mock.Anything, id).Return(false,
		temporal.NewNonRetryableApplicationError("No such account mail.", "account_mail_not_found", nil))

	env.ExecuteWorkflow(workflows.AccountMail, id)

	if errorType(env.GetWorkflowError()) != "account_mail_not_found" {
		t.Fatalf("error = %v, want account_mail_not_found", env.GetWorkflowError())
	}
	env.AssertNumberOfCalls(t, "SendAccountMail", 1)
}
