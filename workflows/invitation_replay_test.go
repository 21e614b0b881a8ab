package workflows_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"appstore/workflows"
	"appstore/workflows/temporaltest"
)

// record makes TestInvitationIntegration save its run's history:
//
//	go test ./workflows -run TestInvitationIntegration -record
//
// Record again only for a deliberate, versioned change to the workflow; a
// change that breaks replay of the old history breaks running invitations.
var record = flag.Bool("record", false, "save the Invitation integration run's history to "+invitationHistory)

const invitationHistory = "testdata/invitation_history.json"

// saveHistory writes h in the JSON form the replayer reads (that of
// `temporal workflow show -o json`).
func saveHistory(t *testing.T, h *historypb.History) {
	t.Helper()
	b, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(invitationHistory), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(invitationHistory, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %d events in %s", len(h.GetEvents()), invitationHistory)
}

// TestInvitationReplay replays a recorded invite -> resend -> accept run
// against the current workflow code: a change that is not deterministic
// for runs already in flight fails here.
func TestInvitationReplay(t *testing.T) {
	replayer := worker.NewWorkflowReplayer()
	replayer.RegisterWorkflow(workflows.Invitation)
	if err := replayer.ReplayWorkflowHistoryFromJSONFile(temporaltest.Logger(t), invitationHistory); err != nil {
		t.Fatalf("replay %s: %v", invitationHistory, err)
	}
}

// TestInvitationReplayCatchesChange checks the replay test has teeth: a
// workflow that waits first instead of mailing does not replay the history.
func TestInvitationReplayCatchesChange(t *testing.T) {
	replayer := worker.NewWorkflowReplayer()
	replayer.RegisterWorkflowWithOptions(func(ctx workflow.Context, in workflows.InvitationInput) (workflows.InvitationState, error) {
		err := workflow.Sleep(ctx, time.Hour)
		return workflows.InvitationState{}, err
	}, workflow.RegisterOptions{Name: "Invitation"})
	err := replayer.ReplayWorkflowHistoryFromJSONFile(temporaltest.Logger(t), invitationHistory)
	if err == nil || !strings.Contains(strings.ToLower(err.Error()), "nondetermin") {
		t.Fatalf("replay of a changed workflow: error %v, want a nondeterminism error", err)
	}
}
