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
	"go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/proto"

	"appstore/activities"
	"appstore/models"
	"appstore/models/postgres"
	"appstore/models/postgres/pgtest"
	"appstore/workflows"
	"appstore/workflows/contract"
	"appstore/workflows/temporaltest"
)

const testBaseURL = "http://127.0.0.1:8080"

var acceptLink = regexp.MustCompile(regexp.QuoteMeta(testBaseURL) + `/invitations/accept\?token=(asi_[a-z0-9]+)`)

// integrationTarget is one flavour of invitation in TestInvitationIntegration.
type integrationTarget struct {
	name    string // what the mail calls the target
	history string // where -record saves the run's history
	attr    string // the target search attribute
	// invite makes the target, administered by admin, and invites email to
	// it as a member; it returns the row and the workflow's input.
	invite func(ctx context.Context, t *testing.T, store *postgres.Store, admin uuid.UUID, email string) (*models.Invitation, contract.InvitationInput)
	// role is userID's role in the target, "" for none.
	role func(t *testing.T, store *postgres.Store, in contract.InvitationInput, userID uuid.UUID) string
	// attrValue is the target search attribute's value.
	attrValue func(in contract.InvitationInput) string
}

var integrationTargets = map[string]integrationTarget{
	"developer_account": {
		name: "Acme Labs", history: invitationHistory, attr: "DeveloperAccount",
		invite: func(ctx context.Context, t *testing.T, store *postgres.Store, admin uuid.UUID, email string) (*models.Invitation, contract.InvitationInput) {
			account, err := store.CreateDeveloperAccount(ctx, "acme-labs", "Acme Labs", admin)
			if err != nil {
				t.Fatal(err)
			}
			out, err := store.CreateInvitations(ctx, account.ID, admin, []string{email}, models.DevRoleMember)
			if err != nil || len(out) != 1 || out[0].Invitation == nil {
				t.Fatalf("CreateInvitations = %+v, %v", out, err)
			}
			inv := out[0].Invitation
			return inv, contract.InvitationInput{InvitationID: inv.ID, DeveloperAccountID: account.ID,
				DeveloperAccountSlug: account.Slug, ExpiresAt: inv.ExpiresAt}
		},
		role: func(t *testing.T, store *postgres.Store, in contract.InvitationInput, userID uuid.UUID) string {
			return memberRole(t, store, "developer_account_members", "developer_account_id", in.DeveloperAccountID, userID)
		},
		attrValue: func(in contract.InvitationInput) string { return in.DeveloperAccountSlug },
	},
	"organization": {
		name: "Acme Corp", history: organizationInvitationHistory, attr: "OrganizationID",
		invite: func(ctx context.Context, t *testing.T, store *postgres.Store, admin uuid.UUID, email string) (*models.Invitation, contract.InvitationInput) {
			org, err := store.CreateOrganization(ctx, "Acme Corp", admin)
			if err != nil {
				t.Fatal(err)
			}
			out, err := store.CreateOrganizationInvitations(ctx, org.ID, admin, []string{email}, models.OrgRoleMember)
			if err != nil || len(out) != 1 || out[0].Invitation == nil {
				t.Fatalf("CreateOrganizationInvitations = %+v, %v", out, err)
			}
			inv := out[0].Invitation
			return inv, contract.InvitationInput{InvitationID: inv.ID, OrganizationID: org.ID, ExpiresAt: inv.ExpiresAt}
		},
		role: func(t *testing.T, store *postgres.Store, in contract.InvitationInput, userID uuid.UUID) string {
			return memberRole(t, store, "organization_members", "organization_id", in.OrganizationID, userID)
		},
		attrValue: func(in contract.InvitationInput) string { return in.OrganizationID.String() },
	},
}

// memberRole reads userID's role from a members table, "" for none.
func memberRole(t *testing.T, store *postgres.Store, table, column string, id, userID uuid.UUID) string {
	t.Helper()
	var roles []string
	err := store.Gorm().Raw(`SELECT role FROM `+table+` WHERE `+column+` = ? AND user_id = ?`, id, userID).Scan(&roles).Error
	if err != nil {
		t.Fatal(err)
	}
	if len(roles) == 0 {
		return ""
	}
	return roles[0]
}

// TestInvitationIntegration runs invite -> accept by the wrong user ->
// resend -> accept on the dev server with the real activities, a real
// database and the outbox Mailer, for an invitation to a developer account
// and to an organization. With -record it saves each run's history for
// TestInvitationReplay (-run 'TestInvitationIntegration/organization' to
// record one).
func TestInvitationIntegration(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal dev server")
	}
	for _, kind := range []string{"developer_account", "organization"} {
		t.Run(kind, func(t *testing.T) { testInvitationIntegration(t, integrationTargets[kind]) })
	}
}

func testInvitationIntegration(t *testing.T, target integrationTarget) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := temporaltest.DevServer(t).Client()
	store := postgres.NewStore(pgtest.New(t))

	admin, err := store.CreateUser(ctx, models.NewUser{Email: "ada@example.com", Name: "Ada", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	invitee, err := store.CreateUser(ctx, models.NewUser{Email: "new.dev@example.com", Name: "New Dev", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	inv, in := target.invite(ctx, t, store, admin.ID, invitee.Email)

	taskQueue := "invitation-test-" + uuid.NewString()
	w := worker.New(c, taskQueue, worker.Options{})
	workflows.Register(w, &activities.Activities{Store: store, Mailer: activities.OutboxMailer{Store: store}, BaseURL: testBaseURL})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)

	// Started as the API starts it.
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                    contract.InvitationWorkflowID(inv.ID),
		TaskQueue:             taskQueue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes: contract.InvitationSearchAttributes(in),
	}, workflows.Invitation, in)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.TerminateWorkflow(context.Background(), run.GetID(), "", "test ended") })

	mails := waitForMails(ctx, t, store, 1)
	firstToken := mailedToken(t, mails[0], invitee.Email, target.name)
	var st contract.InvitationState
	queryInvitation(ctx, t, c, run.GetID(), &st)
	if st.Status != models.InvitationPending || !st.ExpiresAt.Equal(inv.ExpiresAt) {
		t.Errorf("status query = %+v, want pending until %s", st, inv.ExpiresAt)
	}

	// Another user's accept fails with the models error; the invitation
	// stays pending.
	_, err = updateInvitationErr(ctx, c, run.GetID(), contract.InvitationAcceptUpdate, contract.AcceptArgs{UserID: admin.ID})
	if e, ok := contract.ModelError(err); !ok || e.Kind != models.KindForbidden || e.Code != "invitation_email_mismatch" {
		t.Errorf("accept by another user: error %v, want forbidden invitation_email_mismatch", err)
	}

	before := time.Now()
	st = updateInvitation(ctx, t, c, run.GetID(), contract.InvitationResendUpdate, contract.ActorArgs{})
	if st.Status != models.InvitationPending || st.ResendCount != 1 || st.ExpiresAt.Before(before.Add(models.InvitationTTL-time.Minute)) {
		t.Errorf("resend returned %+v, want pending, resent once, expiring in 7 days", st)
	}
	// The update returns once the new mail is out.
	mails = waitForMails(ctx, t, store, 2)
	secondToken := mailedToken(t, mails[1], invitee.Email, target.name)
	if secondToken == firstToken {
		t.Fatal("the resend mailed the same token")
	}
	if _, err := store.FindInvitationByToken(ctx, firstToken); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("first token after resend: error %v, want not found", err)
	}
	if found, err := store.FindInvitationByToken(ctx, secondToken); err != nil || found.ID != inv.ID {
		t.Errorf("second token: %v, %v; want the invitation", found, err)
	}

	st = updateInvitation(ctx, t, c, run.GetID(), contract.InvitationAcceptUpdate, contract.AcceptArgs{UserID: invitee.ID})
	if st.Status != models.InvitationAccepted {
		t.Errorf("accept returned %+v, want accepted", st)
	}
	if role := target.role(t, store, in, invitee.ID); role != "member" {
		t.Errorf("invitee's role = %q; want member", role)
	}
	var result contract.InvitationState
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
	for name, want := range map[string]string{"InvitationStatus": "accepted", target.attr: target.attrValue(in)} {
		var got string
		if p, ok := attrs[name]; !ok || converter.GetDefaultDataConverter().FromPayload(p, &got) != nil || got != want {
			t.Errorf("search attribute %s = %q, want %q", name, got, want)
		}
	}
	for _, name := range []string{"DeveloperAccount", "OrganizationID"} {
		if _, ok := attrs[name]; ok && name != target.attr {
			t.Errorf("search attribute %s is set on an invitation to a %s", name, target.attr)
		}
	}

	// The run has ended: a second accept cannot reach it.
	_, err = updateInvitationErr(ctx, c, run.GetID(), contract.InvitationAcceptUpdate, contract.AcceptArgs{UserID: invitee.ID})
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
		saveHistory(t, target.history, history)
	}
}

// waitForMails polls the outbox until it holds n mails and returns them,
// oldest first.
func waitForMails(ctx context.Context, t *testing.T, store *postgres.Store, n int) []models.DevMail {
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

// mailedToken checks m is an invitation of email to what is called name
// and returns its token.
func mailedToken(t *testing.T, m models.DevMail, email, name string) string {
	t.Helper()
	if m.To != email || m.Subject != "You're invited to join "+name+" on Appstore" {
		t.Errorf("mail to %q, subject %q", m.To, m.Subject)
	}
	match := acceptLink.FindStringSubmatch(m.Text)
	if match == nil || !strings.Contains(m.HTML, match[0]) {
		t.Fatalf("mail has no accept link in both parts:\n%s\n%s", m.Text, m.HTML)
	}
	return match[1]
}

func queryInvitation(ctx context.Context, t *testing.T, c client.Client, id string, st *contract.InvitationState) {
	t.Helper()
	v, err := c.QueryWorkflow(ctx, id, "", contract.InvitationStatusQuery)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Get(st); err != nil {
		t.Fatal(err)
	}
}

func updateInvitation(ctx context.Context, t *testing.T, c client.Client, id, name string, args ...any) contract.InvitationState {
	t.Helper()
	st, err := updateInvitationErr(ctx, c, id, name, args...)
	if err != nil {
		t.Fatalf("update %s: %v", name, err)
	}
	return st
}

// updateInvitationErr sends an Update as the API does and waits for its result.
func updateInvitationErr(ctx context.Context, c client.Client, id, name string, args ...any) (contract.InvitationState, error) {
	var st contract.InvitationState
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
