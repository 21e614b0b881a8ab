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
	"appstore/workflows/contract"
	"appstore/workflows/temporaltest"
)

// record makes the Invitation integration tests save their runs' histories:
//
//	go test ./workflows -run 'InvitationIntegration' -record
//
// Record again only for a deliberate, versioned change to the workflow; a
// change that breaks replay of the old history breaks running invitations.
var record = flag.Bool("record", false, "save the Invitation integration runs' histories to testdata/")

// Recorded histories: a developer-account invitation (recorded before
// organization invitations existed, so it also proves old runs replay) and
// an organization invitation.
const (
	invitationHistory             = "testdata/invitation_history.json"
	organizationInvitationHistory = "testdata/invitation_organization_history.json"
)

// saveHistory writes h to path in the JSON form the replayer reads (that of
// `temporal workflow show -o json`).
func saveHistory(t *testing.T, path string, h *historypb.History) {
	t.Helper()
	b, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %d events in %s", len(h.GetEvents()), path)
}

// TestInvitationReplay replays recorded invite -> resend -> accept runs of
// both flavours against the current workflow code: a change that is not
// deterministic for runs already in flight fails here.
func TestInvitationReplay(t *testing.T) {
	for _, path := range []string{invitationHistory, organizationInvitationHistory} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			replayer := worker.NewWorkflowReplayer()
			replayer.RegisterWorkflow(workflows.Invitation)
			if err := replayer.ReplayWorkflowHistoryFromJSONFile(temporaltest.Logger(t), path); err != nil {
				t.Fatalf("replay %s: %v", path, err)
			}
		})
	}
}

// TestInvitationReplayCatchesChange checks the replay test has teeth: a
// workflow that waits first instead of mailing does not replay the history.
func TestInvitationReplayCatchesChange(t *testing.T) {
	replayer := worker.NewWorkflowReplayer()
	replayer.RegisterWorkflowWithOptions(func(ctx workflow.Context, in contract.InvitationInput) (contract.InvitationState, error) {
		err := workflow.Sleep(ctx, time.Hour)
		return contract.InvitationState{}, err
	}, workflow.RegisterOptions{Name: "Invitation"})
	err := replayer.ReplayWorkflowHistoryFromJSONFile(temporaltest.Logger(t), invitationHistory)
	if err == nil || !strings.Contains(strings.ToLower(err.Error()), "nondetermin") {
		t.Fatalf("replay of a changed workflow: error %v, want a nondeterminism error", err)
	}
}
