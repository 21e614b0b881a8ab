package workflows_test

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/proto"

	"appstore/activities"
	"appstore/models"
	"appstore/models/dbtest"
	"appstore/workflows"
	"appstore/workflows/temporaltest"
)

const testBaseURL = "http://127.0.0.1:8080"

var acceptLink = regexp.MustCompile(regexp.QuoteMeta(testBaseURL) + `/invitations/accept\?token=(asi_[a-z0-9]+)`)

// TestInvitationIntegration runs invite -> accept by the wrong user ->
// resend -> accept on the dev
// server with the real activities, a real database and the outbox Mailer.
// With -record it saves the run's history for TestInvitationReplay.
func TestInvitationIntegration(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal dev server")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := temporaltest.DevServer(t).Client()
	store := models.NewStore(dbtest.New(t))

	admin, err := store.CreateUser(ctx, models.NewUser{Email: "ada@example.com", Name: "Ada", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	invitee, err := store.CreateUser(ctx, models.NewUser{Email: "new.dev@example.com", Name: "New Dev", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	account, err := store.CreateDeveloperAccount(ctx, "acme-labs", "Acme Labs", admin.ID)
	if err != nil {
		t.Fatal(err)
	}
	out, err := store.CreateInvitations(ctx, account.ID, admin.ID, []string{invitee.Email}, models.DevRoleMember)
	if err != nil || len(out) != 1 || out[0].Invitation == nil {
		t.Fatalf("CreateInvitations = %+v, %v", out, err)
	}
	inv := out[0].Invitation

	taskQueue := "invitation-test-" + uuid.NewString()
	w := worker.New(c, taskQueue, worker.Options{})
	workflows.Register(w, &activities.Activities{Store: store, Mailer: activities.OutboxMailer{Store: store}, BaseURL: testBaseURL})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)

	// Started as the API starts it.
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                    workflows.InvitationWorkflowID(inv.ID),
		TaskQueue:             taskQueue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			workflows.AttrDeveloperAccount.ValueSet(account.Slug),
			workflows.AttrInvitationStatus.ValueSet(string(models.InvitationPending))),
	}, workflows.Invitation, workflows.InvitationInput{
		InvitationID: inv.ID, DeveloperAccountID: account.ID, DeveloperAccountSlug: account.Slug, ExpiresAt: inv.ExpiresAt,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.TerminateWorkflow(context.Background(), run.GetID(), "", "test ended") })

	mails := waitForMails(ctx, t, store, 1)
	firstToken := mailedToken(t, mails[0], invitee.Email)
	var st workflows.InvitationState
	queryInvitation(ctx, t, c, run.GetID(), &st)
	if st.Status != models.InvitationPending || !st.ExpiresAt.Equal(inv.ExpiresAt) {
		t.Errorf("status query = %+v, want pending until %s", st, inv.ExpiresAt)
	}

	// Another user's accept fails with the models error; the invitation
	// stays pending.
	_, err = updateInvitationErr(ctx, c, run.GetID(), workflows.InvitationAcceptUpdate, workflows.AcceptArgs{UserID: admin.ID})
	if e, ok := activities.ModelError(err); !ok || e.Kind != models.KindForbidden || e.Code != "invitation_email_mismatch" {
		t.Errorf("accept by another user: error %v, want forbidden invitation_email_mismatch", err)
	}

	before := time.Now()
	st = updateInvitation(ctx, t, c, run.GetID(), workflows.InvitationResendUpdate, workflows.ActorArgs{})
	if st.Status != models.InvitationPending || st.ResendCount != 1 || st.ExpiresAt.Before(before.Add(models.InvitationTTL-time.Minute)) {
		t.Errorf("resend returned %+v, want pending, resent once, expiring in 7 days", st)
	}
	// The update returns once the new mail is out.
	mails = waitForMails(ctx, t, store, 2)
	secondToken := mailedToken(t, mails[1], invitee.Email)
	if secondToken == firstToken {
		t.Fatal("the resend mailed the same token")
	}
	if _, err := store.FindInvitationByToken(ctx, firstToken); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("first token after resend: error %v, want not found", err)
	}
	if found, err := store.FindInvitationByToken(ctx, secondToken); err != nil || found.ID != inv.ID {
		t.Errorf("second token: %v, %v; want the invitation", found, err)
	}

	st = updateInvitation(ctx, t, c, run.GetID(), workflows.InvitationAcceptUpdate, workflows.AcceptArgs{UserID: invitee.ID})
	if st.Status != models.InvitationAccepted {
		t.Errorf("accept returned %+v, want accepted", st)
	}
	if role, err := store.DeveloperAccountRole(ctx, account.ID, invitee.ID); err != nil || role != models.DevRoleMember {
		t.Errorf("invitee's role = %q, %v; want member", role, err)
	}
	var result workflows.InvitationState
	if err := run.Get(ctx, &result); err != nil || result.Status != models.InvitationAccepted || result.ResendCount != 1 {
		t.Fatalf("workflow result = %+v, %v; want accepted after one resend", result, err)
	}
	row, err := store.GetInvitation(ctx, inv.ID)
	if err != nil || row.Status != models.InvitationAccepted || row.ResendCount != 1 {
		t.Errorf("invitation row = %+v, %v; want accepted, resent once", row, err)
	}
	desc, err := c.DescribeWorkflowExecution(ctx, run.GetID(), run.GetRunID())
	if err != nil {
		t.Fatal(err)
	}
	attrs := desc.GetWorkflowExecutionInfo().GetSearchAttributes().GetIndexedFields()
	for name, want := range map[string]string{"InvitationStatus": "accepted", "DeveloperAccount": "acme-labs"} {
		var got string
		if p, ok := attrs[name]; !ok || converter.GetDefaultDataConverter().FromPayload(p, &got) != nil || got != want {
			t.Errorf("search attribute %s = %q, want %q", name, got, want)
		}
	}

	// The run has ended: a second accept cannot reach it.
	_, err = updateInvitationErr(ctx, c, run.GetID(), workflows.InvitationAcceptUpdate, workflows.AcceptArgs{UserID: invitee.ID})
	t.Logf("accept after the end: %v", err)
	if err == nil {
		t.Error("accept after the run ended was delivered, want an error")
	}

	history := fetchHistory(ctx, t, c, run.GetID(), run.GetRunID())
	// Payloads are raw bytes in the binary form (base64 in JSON).
	raw, err := proto.Marshal(history)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{firstToken, secondToken, models.InvitationTokenPrefix} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("workflow history contains %q: tokens must stay out of it", secret)
		}
	}
	if *record {
		saveHistory(t, history)
	}
}

// waitForMails polls the outbox until it holds n mails and returns them,
// oldest first.
func waitForMails(ctx context.Context, t *testing.T, store *models.Store, n int) []models.DevMail {
	t.Helper()
	for {
		mails, err := store.ListDevMails(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(mails) >= n {
			if len(mails) > n {
				t.Fatalf("%d mails in the outbox, want %d", len(mails), n)
			}
			for i, j := 0, len(mails)-1; i < j; i, j = i+1, j-1 {
				mails[i], mails[j] = mails[j], mails[i]
			}
			return mails
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%d mails in the outbox, want %d", len(mails), n)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// mailedToken checks m is an invitation to email and returns its token.
func mailedToken(t *testing.T, m models.DevMail, email string) string {
	t.Helper()
	if m.To != email || m.Subject != "You're invited to join Acme Labs on Appstore" {
		t.Errorf("mail to %q, subject %q", m.To, m.Subject)
	}
	match := acceptLink.FindStringSubmatch(m.Text)
	if match == nil || !strings.Contains(m.HTML, match[0]) {
		t.Fatalf("mail has no accept link in both parts:\n%s\n%s", m.Text, m.HTML)
	}
	return match[1]
}

func queryInvitation(ctx context.Context, t *testing.T, c client.Client, id string, st *workflows.InvitationState) {
	t.Helper()
	v, err := c.QueryWorkflow(ctx, id, "", workflows.InvitationStatusQuery)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Get(st); err != nil {
		t.Fatal(err)
	}
}

func updateInvitation(ctx context.Context, t *testing.T, c client.Client, id, name string, args ...any) workflows.InvitationState {
	t.Helper()
	st, err := updateInvitationErr(ctx, c, id, name, args...)
	if err != nil {
		t.Fatalf("update %s: %v", name, err)
	}
	return st
}

// updateInvitationErr sends an Update as the API does and waits for its result.
func updateInvitationErr(ctx context.Context, c client.Client, id, name string, args ...any) (workflows.InvitationState, error) {
	var st workflows.InvitationState
	handle, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: id, UpdateName: name, Args: args, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return st, err
	}
	err = handle.Get(ctx, &st)
	return st, err
}

// fetchHistory returns a run's full history.
func fetchHistory(ctx context.Context, t *testing.T, c client.Client, id, runID string) *historypb.History {
	t.Helper()
	iter := c.GetWorkflowHistory(ctx, id, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	history := &historypb.History{}
	for iter.HasNext() {
		event, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		history.Events = append(history.Events, event)
	}
	return history
}
