package workflows_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"appstore/activities"
	"appstore/models"
	"appstore/workflows"
	"appstore/workflows/contract"
	"appstore/workflows/temporaltest"
)

const day = 24 * time.Hour

// invitationRun is one Invitation run in the test environment, with the
// search attribute values it upserted.
type invitationRun struct {
	env        *testsuite.TestWorkflowEnvironment
	in         contract.InvitationInput
	statuses   []string  // InvitationStatus values, in upsert order
	targets    []string  // DeveloperAccount and OrganizationID values, as "name=value"
	wantTarget string    // the one target value the run should upsert
	admin      uuid.UUID // the admin who resends and cancels
}

// invitationTargets are the two flavours of invitation; every workflow
// test runs for both, since they share one workflow and its rules.
var invitationTargets = []string{"developer account", "organization"}

// eachTarget runs test once per flavour of invitation.
func eachTarget(t *testing.T, test func(t *testing.T, r *invitationRun)) {
	for _, target := range invitationTargets {
		t.Run(target, func(t *testing.T) { test(t, newInvitationRun(t, target)) })
	}
}

// newInvitationRun prepares a run of an invitation to target (a developer
// account or an organization) created at start, with every activity
// succeeding unless a test overrides it first.
func newInvitationRun(t *testing.T, target string) *invitationRun {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(temporaltest.Logger(t))
	env := suite.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	workflows.Register(env, &activities.Activities{})
	r := &invitationRun{env: env, admin: uuid.Must(uuid.NewV7()), in: contract.InvitationInput{
		InvitationID: uuid.Must(uuid.NewV7()),
		ExpiresAt:    start.Add(models.InvitationTTL),
	}}
	switch target {
	case "developer account":
		r.in.DeveloperAccountID, r.in.DeveloperAccountSlug = uuid.Must(uuid.NewV7()), "acme-labs"
		r.wantTarget = "DeveloperAccount=acme-labs"
	case "organization":
		r.in.OrganizationID = uuid.Must(uuid.NewV7())
		r.wantTarget = "OrganizationID=" + r.in.OrganizationID.String()
	default:
		t.Fatalf("unknown invitation target %q", target)
	}
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: contract.InvitationWorkflowID(r.in.InvitationID),
		TypedSearchAttributes: contract.InvitationSearchAttributes(r.in)})
	env.OnUpsertTypedSearchAttributes(mock.Anything).Run(func(args mock.Arguments) {
		sa := args.Get(0).(temporal.SearchAttributes)
		if v, ok := sa.GetKeyword(contract.AttrInvitationStatus); ok {
			r.statuses = append(r.statuses, v)
		}
		if v, ok := sa.GetKeyword(contract.AttrDeveloperAccount); ok {
			r.targets = append(r.targets, "DeveloperAccount="+v)
		}
		if v, ok := sa.GetKeyword(contract.AttrOrganizationID); ok {
			r.targets = append(r.targets, "OrganizationID="+v)
		}
	}).Return(nil)
	return r
}

// mailed expects generation gen's mail.
func (r *invitationRun) mailed(gen int) {
	r.env.OnActivity(a.MailInvitation, mock.Anything,
		activities.MailInvitationInput{InvitationID: r.in.InvitationID, Generation: gen}).Return(true, nil).Once()
}

// at runs f when the workflow clock reaches start+d.
func (r *invitationRun) at(d time.Duration, f func()) { r.env.RegisterDelayedCallback(f, d) }

// run executes the workflow and returns its final state.
func (r *invitationRun) run(t *testing.T) contract.InvitationState {
	t.Helper()
	r.env.ExecuteWorkflow(workflows.Invitation, r.in)
	if !r.env.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete")
	}
	if err := r.env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow error: %v", err)
	}
	var st contract.InvitationState
	if err := r.env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

// update is the outcome of one Update sent by send.
type update struct {
	rejected  error
	completed bool
	err       error
	state     contract.InvitationState
}

// send sends an Update now (call it from a delayed callback).
func (r *invitationRun) send(t *testing.T, name string, args ...any) *update {
	u := &update{}
	r.env.UpdateWorkflow(name, uuid.NewString(), &testsuite.TestUpdateCallback{
		OnAccept: func() {},
		OnReject: func(err error) { u.rejected = err },
		OnComplete: func(v any, err error) {
			u.completed, u.err = true, err
			if err == nil {
				st, ok := v.(contract.InvitationState)
				if !ok {
					t.Errorf("update %s returned %T, want InvitationState", name, v)
				}
				u.state = st
			}
		},
	}, args...)
	return u
}

// query returns the status Query's answer.
func (r *invitationRun) query(t *testing.T) contract.InvitationState {
	t.Helper()
	v, err := r.env.QueryWorkflow(contract.InvitationStatusQuery)
	if err != nil {
		t.Fatal(err)
	}
	var st contract.InvitationState
	if err := v.Get(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

// errorType is the ApplicationError type in err's chain, or "".
func errorType(err error) string {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return appErr.Type()
	}
	return ""
}

func TestInvitationExpiresAfterSevenDays(t *testing.T) {
	eachTarget(t, func(t *testing.T, r *invitationRun) {
		r.mailed(1)
		var expiredAt time.Time
		r.env.OnActivity(a.ExpireInvitation, mock.Anything, r.in.InvitationID).Run(func(mock.Arguments) {
			expiredAt = r.env.Now()
		}).Return(nil).Once()
		var onDay3 contract.InvitationState
		r.at(3*day, func() { onDay3 = r.query(t) })

		st := r.run(t)

		if want := start.Add(7 * day); !expiredAt.Equal(want) {
			t.Errorf("expired at %s, want %s", expiredAt, want)
		}
		if st.Status != models.InvitationExpired || !st.ExpiresAt.Equal(r.in.ExpiresAt) || st.ResendCount != 0 {
			t.Errorf("result = %+v, want expired at %s", st, r.in.ExpiresAt)
		}
		if onDay3.Status != models.InvitationPending || !onDay3.ExpiresAt.Equal(r.in.ExpiresAt) {
			t.Errorf("query on day 3 = %+v, want pending until %s", onDay3, r.in.ExpiresAt)
		}
		if want := []string{"pending", "expired"}; !slices.Equal(r.statuses, want) {
			t.Errorf("InvitationStatus upserts = %v, want %v", r.statuses, want)
		}
		if want := []string{r.wantTarget}; !slices.Equal(r.targets, want) {
			t.Errorf("target upserts = %v, want %v", r.targets, want)
		}
		r.env.AssertExpectations(t)
	})
}

func TestInvitationResendResetsExpiry(t *testing.T) {
	eachTarget(t, func(t *testing.T, r *invitationRun) {
		r.mailed(1)
		r.mailed(2)
		day13 := start.Add(13 * day)
		r.env.OnActivity(a.MarkInvitationResent, mock.Anything, activities.MarkResentInput{
			InvitationID: r.in.InvitationID, Generation: 2, ExpiresAt: day13, ActorID: r.admin,
		}).Return(nil).Once()
		var expiredAt time.Time
		r.env.OnActivity(a.ExpireInvitation, mock.Anything, r.in.InvitationID).Run(func(mock.Arguments) {
			expiredAt = r.env.Now()
		}).Return(nil).Once()
		var resend *update
		r.at(6*day, func() { resend = r.send(t, contract.InvitationResendUpdate, contract.ActorArgs{ActorID: r.admin}) })
		var onDay8 contract.InvitationState
		r.at(8*day, func() { onDay8 = r.query(t) })

		st := r.run(t)

		if resend.rejected != nil || !resend.completed || resend.err != nil {
			t.Fatalf("resend: rejected %v, completed %t, error %v", resend.rejected, resend.completed, resend.err)
		}
		if !resend.state.ExpiresAt.Equal(day13) || resend.state.ResendCount != 1 || resend.state.Status != models.InvitationPending {
			t.Errorf("resend returned %+v, want pending until %s, resent once", resend.state, day13)
		}
		if onDay8.Status != models.InvitationPending || !onDay8.ExpiresAt.Equal(day13) {
			t.Errorf("query on day 8 = %+v, want still pending until day 13", onDay8)
		}
		if !expiredAt.Equal(day13) {
			t.Errorf("expired at %s, want day 13 (%s), not day 7", expiredAt, day13)
		}
		if st.Status != models.InvitationExpired || st.ResendCount != 1 {
			t.Errorf("result = %+v, want expired after one resend", st)
		}
		r.env.AssertExpectations(t)
	})
}

func TestInvitationCancel(t *testing.T) {
	eachTarget(t, func(t *testing.T, r *invitationRun) {
		r.mailed(1)
		r.env.OnActivity(a.CancelInvitation, mock.Anything, activities.CancelInvitationInput{InvitationID: r.in.InvitationID, ActorID: r.admin}).Return(nil).Once()
		var cancel *update
		r.at(2*day, func() { cancel = r.send(t, contract.InvitationCancelUpdate, contract.ActorArgs{ActorID: r.admin}) })

		st := r.run(t)

		if cancel.rejected != nil || cancel.err != nil || cancel.state.Status != models.InvitationCancelled {
			t.Fatalf("cancel: rejected %v, error %v, state %+v", cancel.rejected, cancel.err, cancel.state)
		}
		if st.Status != models.InvitationCancelled {
			t.Errorf("result = %+v, want cancelled", st)
		}
		if got := r.env.Now(); got.After(start.Add(2 * day)) {
			t.Errorf("workflow ended at %s, want on day 2: cancel ends the timer", got)
		}
		if want := []string{"pending", "cancelled"}; !slices.Equal(r.statuses, want) {
			t.Errorf("InvitationStatus upserts = %v, want %v", r.statuses, want)
		}
		r.env.AssertNotCalled(t, "ExpireInvitation", mock.Anything, mock.Anything)
		r.env.AssertExpectations(t)
	})
}

// A resend after cancel is rejected by the validator, so it never reaches
// history. The run is kept open by a resend still mailing when cancel lands.
func TestInvitationRejectsChangesOnceNotPending(t *testing.T) {
	eachTarget(t, func(t *testing.T, r *invitationRun) {
		r.mailed(1)
		r.env.OnActivity(a.MarkInvitationResent, mock.Anything, mock.Anything).Return(nil).Once()
		// Generation 2's mail takes an hour: the run stays open meanwhile.
		r.env.OnActivity(a.MailInvitation, mock.Anything,
			activities.MailInvitationInput{InvitationID: r.in.InvitationID, Generation: 2}).After(time.Hour).Return(false, nil).Once()
		r.env.OnActivity(a.CancelInvitation, mock.Anything, activities.CancelInvitationInput{InvitationID: r.in.InvitationID, ActorID: r.admin}).Return(nil).Once()
		var resend, cancel, resendAgain, accept, cancelAgain *update
		r.at(day, func() {
			resend = r.send(t, contract.InvitationResendUpdate, contract.ActorArgs{ActorID: r.admin})
			cancel = r.send(t, contract.InvitationCancelUpdate, contract.ActorArgs{ActorID: r.admin})
		})
		r.at(day+time.Minute, func() {
			resendAgain = r.send(t, contract.InvitationResendUpdate, contract.ActorArgs{ActorID: r.admin})
			accept = r.send(t, contract.InvitationAcceptUpdate, contract.AcceptArgs{UserID: uuid.New()})
			cancelAgain = r.send(t, contract.InvitationCancelUpdate, contract.ActorArgs{ActorID: r.admin})
		})

		st := r.run(t)

		if resend.err != nil || cancel.err != nil || resend.rejected != nil || cancel.rejected != nil {
			t.Fatalf("resend %+v, cancel %+v: want both done", resend, cancel)
		}
		for name, u := range map[string]*update{"resend": resendAgain, "accept": accept, "cancel": cancelAgain} {
			if errorType(u.rejected) != "invitation_cancelled" || u.completed {
				t.Errorf("%s after cancel: rejected %v, completed %t; want rejected invitation_cancelled", name, u.rejected, u.completed)
			}
			if e, ok := contract.ModelError(u.rejected); !ok || e.Kind != models.KindConflict {
				t.Errorf("%s after cancel: ModelError = %v, %t; want a conflict", name, e, ok)
			}
		}
		if st.Status != models.InvitationCancelled {
			t.Errorf("result = %+v, want cancelled", st)
		}
		r.env.AssertNotCalled(t, "AcceptInvitation", mock.Anything, mock.Anything)
		r.env.AssertExpectations(t)
	})
}

func TestInvitationAccept(t *testing.T) {
	eachTarget(t, func(t *testing.T, r *invitationRun) {
		r.mailed(1)
		user := uuid.New()
		r.env.OnActivity(a.AcceptInvitation, mock.Anything,
			activities.AcceptInvitationInput{InvitationID: r.in.InvitationID, UserID: user}).After(time.Second).Return(nil).Once()
		var first, second *update
		// A double click: the second accept arrives while the first runs.
		r.at(3*day, func() {
			first = r.send(t, contract.InvitationAcceptUpdate, contract.AcceptArgs{UserID: user})
			second = r.send(t, contract.InvitationAcceptUpdate, contract.AcceptArgs{UserID: user})
		})

		st := r.run(t)

		if first.rejected != nil || first.err != nil || first.state.Status != models.InvitationAccepted {
			t.Fatalf("first accept: rejected %v, error %v, state %+v", first.rejected, first.err, first.state)
		}
		if errorType(second.rejected) != contract.ErrTypeInvitationBusy || second.completed {
			t.Errorf("second accept: rejected %v, completed %t; want rejected %s", second.rejected, second.completed, contract.ErrTypeInvitationBusy)
		}
		if st.Status != models.InvitationAccepted {
			t.Errorf("result = %+v, want accepted", st)
		}
		if want := []string{"pending", "accepted"}; !slices.Equal(r.statuses, want) {
			t.Errorf("InvitationStatus upserts = %v, want %v", r.statuses, want)
		}
		r.env.AssertNumberOfCalls(t, "AcceptInvitation", 1)
		r.env.AssertNotCalled(t, "ExpireInvitation", mock.Anything, mock.Anything)
	})
}

// An accept the activity refuses (another user's email) reaches its caller
// with the models code and leaves the invitation pending for the right user.
func TestInvitationAcceptRefusedStaysPending(t *testing.T) {
	eachTarget(t, func(t *testing.T, r *invitationRun) {
		r.mailed(1)
		stranger, invitee := uuid.New(), uuid.New()
		r.env.OnActivity(a.AcceptInvitation, mock.Anything,
			activities.AcceptInvitationInput{InvitationID: r.in.InvitationID, UserID: stranger}).
			Return(contract.DomainError(models.Errorf(models.KindForbidden, "invitation_email_mismatch", "This invitation is for another email address."))).Once()
		r.env.OnActivity(a.AcceptInvitation, mock.Anything,
			activities.AcceptInvitationInput{InvitationID: r.in.InvitationID, UserID: invitee}).Return(nil).Once()
		var wrong, right *update
		var between contract.InvitationState
		r.at(day, func() { wrong = r.send(t, contract.InvitationAcceptUpdate, contract.AcceptArgs{UserID: stranger}) })
		r.at(day+time.Hour, func() { between = r.query(t) })
		r.at(2*day, func() { right = r.send(t, contract.InvitationAcceptUpdate, contract.AcceptArgs{UserID: invitee}) })

		st := r.run(t)

		e, ok := contract.ModelError(wrong.err)
		if !ok || e.Kind != models.KindForbidden || e.Code != "invitation_email_mismatch" {
			t.Errorf("wrong user's accept: error %v, want forbidden invitation_email_mismatch", wrong.err)
		}
		if between.Status != models.InvitationPending {
			t.Errorf("after the wrong user's accept: %+v, want pending", between)
		}
		if right.err != nil || right.state.Status != models.InvitationAccepted || st.Status != models.InvitationAccepted {
			t.Errorf("right user's accept: error %v, state %+v, result %+v; want accepted", right.err, right.state, st)
		}
		r.env.AssertExpectations(t)
	})
}

// An accept that arrives while expiry runs waits for it and is refused
// without calling AcceptInvitation. Once the run has ended an Update cannot
// reach it at all, which the test environment does not model:
// TestInvitationIntegration checks that on the dev server.
func TestInvitationAcceptAfterExpiryRefused(t *testing.T) {
	eachTarget(t, func(t *testing.T, r *invitationRun) {
		r.mailed(1)
		r.env.OnActivity(a.ExpireInvitation, mock.Anything, r.in.InvitationID).After(time.Minute).Return(nil).Once()
		var accept *update
		r.at(7*day+time.Second, func() {
			accept = r.send(t, contract.InvitationAcceptUpdate, contract.AcceptArgs{UserID: uuid.New()})
		})

		st := r.run(t)

		if st.Status != models.InvitationExpired {
			t.Fatalf("result = %+v, want expired", st)
		}
		if accept.rejected != nil || errorType(accept.err) != "invitation_expired" {
			t.Errorf("accept during expiry: rejected %v, error %v; want failed with invitation_expired", accept.rejected, accept.err)
		}
		r.env.AssertNotCalled(t, "AcceptInvitation", mock.Anything, mock.Anything)
	})
}

func TestInvitationWorkflowID(t *testing.T) {
	id := uuid.MustParse("01890a5d-ac96-774b-bcce-b302099a8057")
	if got, want := contract.InvitationWorkflowID(id), "invitation-01890a5d-ac96-774b-bcce-b302099a8057"; got != want {
		t.Errorf("InvitationWorkflowID = %q, want %q", got, want)
	}
}
