package workflows_test

import (
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"appstore/workflows"
	"appstore/workflows/contract"
	"appstore/workflows/temporaltest"
)

// TestPromotionReplay replays a recorded promotion (a worker killed in the
// middle, then submit, reject, resubmit, approve, publish, deprecate)
// against the current code: a change that is not deterministic for runs in
// flight, which may live for months, fails here. Record it again with
//
//	go test ./workflows -run TestPromotionIntegration -record
//
// only for a deliberate change guarded by workflow.GetVersion.
func TestPromotionReplay(t *testing.T) {
	replayer := worker.NewWorkflowReplayer()
	replayer.RegisterWorkflow(workflows.Promotion)
	if err := replayer.ReplayWorkflowHistoryFromJSONFile(temporaltest.Logger(t), promotionHistory); err != nil {
		t.Fatalf("replay %s: %v", promotionHistory, err)
	}
}

// TestPromotionReplayCatchesChange proves the replay test can fail: a
// workflow that sleeps instead of promoting does not replay the history.
func TestPromotionReplayCatchesChange(t *testing.T) {
	replayer := worker.NewWorkflowReplayer()
	replayer.RegisterWorkflowWithOptions(func(ctx workflow.Context, in contract.PromotionInput) (*contract.ReviewState, error) {
		return nil, workflow.Sleep(ctx, time.Hour)
	}, workflow.RegisterOptions{Name: "Promotion"})
	err := replayer.ReplayWorkflowHistoryFromJSONFile(temporaltest.Logger(t), promotionHistory)
	// The SDK reports the mismatch as nondeterminism, or (when the
	// recorded history holds an Update the changed code never handles) as
	// its illegal-state error TMPRL1100.
	if err == nil || !(strings.Contains(strings.ToLower(err.Error()), "nondetermin") || strings.Contains(err.Error(), "TMPRL1100")) {
		t.Fatalf("replay of a changed workflow: error %v, want a nondeterminism error", err)
	}
}
