package workflows_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"appstore/activities"
	"appstore/workflows"
	"appstore/workflows/contract"
	"appstore/workflows/temporaltest"
)

// a names activities for OnActivity, as in the workflow code.
var a *activities.Activities

var start = time.Date(2031, 3, 4, 5, 6, 7, 0, time.UTC)

func newRetentionEnv(t *testing.T) *testsuite.TestWorkflowEnvironment {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	// The SDK logs each activity at DEBUG; keep that for failing tests.
	suite.SetLogger(temporaltest.Logger(t))
	env := suite.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	workflows.Register(env, &activities.Activities{})
	return env
}

func TestRetention(t *testing.T) {
	tests := []struct {
		name       string
		in         contract.RetentionInput
		wantCutoff time.Time
		wantBatch  int
	}{
		{"defaults", contract.RetentionInput{}, start.Add(-90 * 24 * time.Hour), 5000},
		{"configured", contract.RetentionInput{EventRetention: 36 * time.Hour, BatchSize: 7}, start.Add(-36 * time.Hour), 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newRetentionEnv(t)
			env.OnActivity(a.PurgeLoginTokens, mock.Anything, mock.MatchedBy(func(now time.Time) bool {
				return now.Equal(start)
			})).Return(int64(3), nil).Once()
			env.OnActivity(a.PurgeAccountMailRequests, mock.Anything, mock.MatchedBy(func(now time.Time) bool {
				return now.Equal(start)
			})).Return(int64(2), nil).Once()
			env.OnActivity(a.PurgeEvents, mock.Anything, mock.MatchedBy(func(in activities.PurgeEventsInput) bool {
				return in.Cutoff.Equal(tt.wantCutoff) && in.BatchSize == tt.wantBatch
			})).Return(int64(12345), nil).Once()
			env.OnActivity(a.RecordRetentionRun, mock.Anything, mock.MatchedBy(func(r activities.RetentionResult) bool {
				return r.LoginTokensDeleted == 3 && r.AccountMailRequestsDeleted == 2 && r.EventsDeleted == 12345 &&
					r.Cutoff.Equal(tt.wantCutoff)
			})).Return(nil).Once()

			env.ExecuteWorkflow(workflows.Retention, tt.in)

			if !env.IsWorkflowCompleted() {
				t.Fatal("workflow did not complete")
			}
			if err := env.GetWorkflowError(); err != nil {
				t.Fatalf("workflow error: %v", err)
			}
			var got workflows.RetentionResult
			if err := env.GetWorkflowResult(&got); err != nil {
				t.Fatal(err)
			}
			if got.LoginTokensDeleted != 3 || got.AccountMailRequestsDeleted != 2 || got.EventsDeleted != 12345 ||
				!got.Cutoff.Equal(tt.wantCutoff) {
				t.Errorf("result = %+v, want 3 tokens, 2 account mail requests, 12345 events, cutoff %s", got, tt.wantCutoff)
			}
			env.AssertExpectations(t)
		})
	}
}

func TestRetentionActivityFailure(t *testing.T) {
	env := newRetentionEnv(t)
	env.OnActivity(a.PurgeLoginTokens, mock.Anything, mock.Anything).Return(int64(0), nil)
	env.OnActivity(a.PurgeAccountMailRequests, mock.Anything, mock.Anything).Return(int64(0), nil)
	env.OnActivity(a.PurgeEvents, mock.Anything, mock.Anything).Return(int64(0), errors.New("database is down"))

	env.ExecuteWorkflow(workflows.Retention, contract.RetentionInput{})

	err := env.GetWorkflowError()
	if err == nil {
		t.Fatal("workflow succeeded, want the purge failure")
	}
	var actErr *temporal.ActivityError
	var appErr *temporal.ApplicationError
	if !errors.As(err, &actErr) || !errors.As(actErr.Unwrap(), &appErr) || appErr.Message() != "database is down" {
		t.Fatalf("error = %v, want PurgeEvents' error", err)
	}
	// The retry policy is bounded: five attempts, then the run fails and
	// no retention.purged event claims a purge that did not happen.
	env.AssertNumberOfCalls(t, "PurgeEvents", 5)
	env.AssertNotCalled(t, "RecordRetentionRun", mock.Anything, mock.Anything)
}

func TestRetentionRejectsNegativeInput(t *testing.T) {
	env := newRetentionEnv(t)

	env.ExecuteWorkflow(workflows.Retention, contract.RetentionInput{EventRetention: -time.Hour})

	var appErr *temporal.ApplicationError
	if err := env.GetWorkflowError(); !errors.As(err, &appErr) || appErr.Type() != "InvalidRetentionInput" {
		t.Fatalf("error = %v, want InvalidRetentionInput", err)
	}
	env.AssertNotCalled(t, "PurgeLoginTokens", mock.Anything, mock.Anything)
	env.AssertNotCalled(t, "PurgeEvents", mock.Anything, mock.Anything)
}
