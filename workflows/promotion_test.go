package workflows_test

import (
	"context"
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

// promotionRun is one Promotion run in the test environment. Its
// activities are a small in-memory mirror of the database, following the
// same state machine (models.ReviewTarget), so tests assert on what the
// workflow asked for and in which order.
type promotionRun struct {
	env      *testsuite.TestWorkflowEnvironment
	in       contract.PromotionInput
	prodID   uuid.UUID
	status   models.DeploymentStatus
	seqs     []int           // Seq of every transition the activity saw
	statuses []string        // ReviewStatus search attribute values, in order
	promoted int             // PromoteDeployment calls
	reminded []time.Duration // when RemindReviewers ran, since start
	reminder []int           // which reminder number
	autoOK   bool            // the account auto-approves
	prevPub  *uuid.UUID      // a formerly published deployment a publish replaces
	deprec   []activities.DeprecateInput
	reviewer uuid.UUID
	dev      uuid.UUID
}

func newPromotionRun(t *testing.T) *promotionRun {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(temporaltest.Logger(t))
	env := suite.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	workflows.Register(env, &activities.Activities{})
	r := &promotionRun{env: env, prodID: uuid.Must(uuid.NewV7()), reviewer: uuid.Must(uuid.NewV7()), dev: uuid.Must(uuid.NewV7())}
	r.in = contract.PromotionInput{DevDeploymentID: uuid.Must(uuid.NewV7()), AppID: uuid.Must(uuid.NewV7()),
		AppSlug: "hello-widget", DeveloperAccountID: uuid.Must(uuid.NewV7()), ReminderAfter: day}
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: contract.PromotionWorkflowID(r.in.DevDeploymentID),
		TypedSearchAttributes: contract.PromotionSearchAttributes(r.in)})
	env.OnUpsertTypedSearchAttributes(mock.Anything).Run(func(args mock.Arguments) {
		sa := args.Get(0).(temporal.SearchAttributes)
		if v, ok := sa.GetKeyword(contract.AttrReviewStatus); ok {
			r.statuses = append(r.statuses, v)
		}
	}).Return(nil)
	env.OnActivity(a.PromoteDeployment, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.PromoteInput) (*activities.PromoteResult, error) {
			r.promoted++
			r.status = models.DeploymentActive
			return &activities.PromoteResult{DeploymentID: r.prodID, Version: "0.1.0", Status: models.DeploymentActive}, nil
		})
	env.OnActivity(a.ApplyReviewTransition, mock.Anything, mock.Anything).Return(
		func(_ context.Context, tr models.ReviewTransition) (*activities.ReviewTransitionResult, error) {
			r.seqs = append(r.seqs, tr.Seq)
			to, ok := models.ReviewTarget(r.status, tr.Action)
			if !ok {
				return nil, contract.DomainError(models.IllegalTransition(r.status, tr.Action))
			}
			if tr.Action == models.ReviewSubmit && r.autoOK {
				to = models.DeploymentApproved
			}
			r.status = to
			res := &activities.ReviewTransitionResult{Status: to}
			if tr.Action == models.ReviewClaim {
				res.ReviewerID = tr.ActorID
			}
			if tr.Action == models.ReviewPublish && r.prevPub != nil {
				res.PreviousPublishedID, res.PreviousSourceID = r.prevPub, &r.dev
			}
			return res, nil
		})
	env.OnActivity(a.DeprecateDeployment, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.DeprecateInput) ([]uuid.UUID, error) {
			r.deprec = append(r.deprec, in)
			return nil, nil
		})
	env.OnActivity(a.RemindReviewers, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RemindReviewersInput) (int, error) {
			r.reminded = append(r.reminded, r.env.Now().Sub(start))
			r.reminder = append(r.reminder, in.Reminder)
			return 1, nil
		})
	return r
}

func (r *promotionRun) at(d time.Duration, f func()) { r.env.RegisterDelayedCallback(f, d) }

// reviewUpdate is the outcome of one Update.
type reviewUpdate struct {
	rejected  error
	completed bool
	err       error
	state     contract.ReviewState
}

func (r *promotionRun) send(t *testing.T, name string, args contract.ReviewArgs) *reviewUpdate {
	u := &reviewUpdate{}
	r.env.UpdateWorkflow(name, uuid.NewString(), &testsuite.TestUpdateCallback{
		OnAccept: func() {},
		OnReject: func(err error) { u.rejected = err },
		OnComplete: func(v any, err error) {
			u.completed, u.err = true, err
			if err == nil {
				st, ok := v.(*contract.ReviewState)
				if !ok {
					t.Errorf("update %s returned %T, want *ReviewState", name, v)
					return
				}
				u.state = *st
			}
		},
	}, args)
	return u
}

func (r *promotionRun) query(t *testing.T) contract.ReviewState {
	t.Helper()
	v, err := r.env.QueryWorkflow(contract.PromotionStatusQuery)
	if err != nil {
		t.Fatal(err)
	}
	var st contract.ReviewState
	if err := v.Get(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

// run executes the workflow, which must end (deprecated) by itself.
func (r *promotionRun) run(t *testing.T) contract.ReviewState {
	t.Helper()
	r.env.ExecuteWorkflow(workflows.Promotion, r.in)
	if !r.env.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete")
	}
	if err := r.env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow error: %v", err)
	}
	var st contract.ReviewState
	if err := r.env.GetWorkflowResult(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

func (r *promotionRun) developer() contract.ReviewArgs {
	return contract.ReviewArgs{ActorID: r.dev}
}
func (r *promotionRun) rev() contract.ReviewArgs { return contract.ReviewArgs{ActorID: r.reviewer} }

var system = contract.ReviewArgs{System: true}

func mustComplete(t *testing.T, name string, u *reviewUpdate) {
	t.Helper()
	if u.rejected != nil || !u.completed || u.err != nil {
		t.Fatalf("%s: rejected=%v completed=%v err=%v", name, u.rejected, u.completed, u.err)
	}
}

func mustReject(t *testing.T, name string, u *reviewUpdate, wantType string) {
	t.Helper()
	if u.rejected == nil {
		t.Fatalf("%s was accepted (completed=%v err=%v); want the validator to reject it with %s", name, u.completed, u.err, wantType)
	}
	if got := errorType(u.rejected); got != wantType {
		t.Fatalf("%s rejected with %q (%v), want %q", name, got, u.rejected, wantType)
	}
}

func TestPromotionApprovePublishDeprecate(t *testing.T) {
	r := newPromotionRun(t)
	var first, again, submit, claim, approve, publish *reviewUpdate
	r.at(time.Minute, func() { first = r.send(t, contract.PromotionPromoteUpdate, r.developer()) })
	r.at(2*time.Minute, func() { again = r.send(t, contract.PromotionPromoteUpdate, r.developer()) })
	r.at(time.Hour, func() { submit = r.send(t, "submit", r.developer()) })
	r.at(2*time.Hour, func() { claim = r.send(t, "claim", r.rev()) })
	r.at(3*time.Hour, func() { approve = r.send(t, "approve", r.rev()) })
	r.at(4*time.Hour, func() { publish = r.send(t, "publish", r.developer()) })
	r.at(30*day, func() { r.send(t, "deprecate", system) })

	st := r.run(t)

	mustComplete(t, "promote", first)
	mustComplete(t, "promote again", again)
	if r.promoted != 1 {
		t.Errorf("PromoteDeployment ran %d times, want once", r.promoted)
	}
	if first.state.DeploymentID != r.prodID || again.state.DeploymentID != r.prodID || again.state.Version != "0.1.0" {
		t.Errorf("promotions answered %v and %v/%s, want %v 0.1.0", first.state.DeploymentID, again.state.DeploymentID, again.state.Version, r.prodID)
	}
	for name, u := range map[string]*reviewUpdate{"submit": submit, "claim": claim, "approve": approve, "publish": publish} {
		mustComplete(t, name, u)
	}
	if claim.state.ReviewerID == nil || *claim.state.ReviewerID != r.reviewer {
		t.Errorf("claim recorded reviewer %v, want %v", claim.state.ReviewerID, r.reviewer)
	}
	if st.Status != models.DeploymentDeprecated {
		t.Errorf("final status %s, want deprecated", st.Status)
	}
	if !slices.Equal(r.seqs, []int{1, 2, 3, 4, 5}) {
		t.Errorf("transition seqs %v, want 1..5", r.seqs)
	}
	want := []string{"active", "pending-review", "in-review", "approved", "published", "deprecated"}
	if !slices.Equal(r.statuses, want) {
		t.Errorf("ReviewStatus upserts %v, want %v", r.statuses, want)
	}
	if len(st.History) != 6 || st.History[5].ActorID != nil {
		t.Errorf("history %+v: want 6 steps, the last (deprecate) by the system", st.History)
	}
	if len(r.reminded) != 0 {
		t.Errorf("reminders at %v; none expected (claimed within the hour)", r.reminded)
	}
}

func TestPromotionRejectThenResubmit(t *testing.T) {
	r := newPromotionRun(t)
	reasons := []models.RejectionReason{{Code: "broken-ui", Message: "The widget is blank.", Field: "client_bundle"}}
	var reject, resubmit, approve *reviewUpdate
	var afterReject contract.ReviewState
	r.at(time.Minute, func() { r.send(t, contract.PromotionPromoteUpdate, r.developer()) })
	r.at(time.Hour, func() { r.send(t, "submit", r.developer()) })
	r.at(2*time.Hour, func() { r.send(t, "claim", r.rev()) })
	r.at(3*time.Hour, func() {
		args := r.rev()
		args.Reasons = reasons
		reject = r.send(t, "reject", args)
	})
	r.at(4*time.Hour, func() { afterReject = r.query(t) })
	r.at(5*time.Hour, func() { resubmit = r.send(t, "submit", r.developer()) })
	r.at(6*time.Hour, func() { r.send(t, "claim", r.rev()) })
	r.at(7*time.Hour, func() { approve = r.send(t, "approve", r.rev()) })
	r.at(8*time.Hour, func() { r.send(t, "publish", r.developer()) })
	r.at(9*time.Hour, func() { r.send(t, "deprecate", system) })

	st := r.run(t)

	mustComplete(t, "reject", reject)
	mustComplete(t, "resubmit", resubmit)
	mustComplete(t, "approve", approve)
	if afterReject.Status != models.DeploymentRejected || !slices.Equal(afterReject.Reasons, reasons) {
		t.Errorf("after reject the Query says %s %+v, want rejected with %+v", afterReject.Status, afterReject.Reasons, reasons)
	}
	if resubmit.state.Status != models.DeploymentPendingReview || len(resubmit.state.Reasons) != 0 {
		t.Errorf("resubmit gave %s with reasons %+v, want pending-review and none", resubmit.state.Status, resubmit.state.Reasons)
	}
	if st.Status != models.DeploymentDeprecated || len(st.History) != 9 {
		t.Errorf("final %s with %d steps, want deprecated after 9", st.Status, len(st.History))
	}
}

func TestPromotionWithdrawAndResubmit(t *testing.T) {
	r := newPromotionRun(t)
	var withdraw, claimWithdrawn, resubmit *reviewUpdate
	r.at(time.Minute, func() { r.send(t, contract.PromotionPromoteUpdate, r.developer()) })
	r.at(time.Hour, func() { r.send(t, "submit", r.developer()) })
	r.at(2*time.Hour, func() { withdraw = r.send(t, "withdraw", r.developer()) })
	r.at(3*time.Hour, func() { claimWithdrawn = r.send(t, "claim", r.rev()) })
	r.at(4*time.Hour, func() { resubmit = r.send(t, "submit", r.developer()) })
	r.at(5*time.Hour, func() { r.send(t, "claim", r.rev()) })
	r.at(6*time.Hour, func() { r.send(t, "approve", r.rev()) })
	r.at(7*time.Hour, func() { r.send(t, "publish", r.developer()) })
	r.at(8*time.Hour, func() { r.send(t, "deprecate", system) })

	r.run(t)

	mustComplete(t, "withdraw", withdraw)
	if withdraw.state.Status != models.DeploymentWithdrawn {
		t.Errorf("withdraw gave %s", withdraw.state.Status)
	}
	mustReject(t, "claim of a withdrawn deployment", claimWithdrawn, contract.ErrTypeIllegalTransition)
	mustComplete(t, "resubmit", resubmit)
}

func TestPromotionAutoApprove(t *testing.T) {
	r := newPromotionRun(t)
	r.autoOK = true
	var submit, claim *reviewUpdate
	r.at(time.Minute, func() { r.send(t, contract.PromotionPromoteUpdate, r.developer()) })
	r.at(time.Hour, func() { submit = r.send(t, "submit", r.developer()) })
	r.at(2*time.Hour, func() { claim = r.send(t, "claim", r.rev()) })
	r.at(3*time.Hour, func() { r.send(t, "publish", r.developer()) })
	r.at(4*time.Hour, func() { r.send(t, "deprecate", system) })

	st := r.run(t)

	mustComplete(t, "submit", submit)
	if submit.state.Status != models.DeploymentApproved {
		t.Errorf("auto-approve submit gave %s, want approved", submit.state.Status)
	}
	mustReject(t, "claim after auto-approve", claim, contract.ErrTypeIllegalTransition)
	if len(r.reminded) != 0 {
		t.Errorf("reminders %v for an auto-approved deployment", r.reminded)
	}
	if st.Status != models.DeploymentDeprecated {
		t.Errorf("final %s", st.Status)
	}
}

func TestPromotionValidatorsRefuseIllegalMoves(t *testing.T) {
	r := newPromotionRun(t)
	other := contract.ReviewArgs{ActorID: uuid.Must(uuid.NewV7())}
	staff := contract.ReviewArgs{ActorID: uuid.Must(uuid.NewV7()), ActorIsStaff: true}
	got := map[string]*reviewUpdate{}
	r.at(time.Second, func() { got["submit before promote"] = r.send(t, "submit", r.developer()) })
	r.at(time.Minute, func() { r.send(t, contract.PromotionPromoteUpdate, r.developer()) })
	r.at(2*time.Minute, func() { got["approve while active"] = r.send(t, "approve", staff) })
	r.at(3*time.Minute, func() { got["publish while active"] = r.send(t, "publish", r.developer()) })
	r.at(4*time.Minute, func() { got["claim while active"] = r.send(t, "claim", r.rev()) })
	r.at(time.Hour, func() { r.send(t, "submit", r.developer()) })
	r.at(time.Hour+time.Minute, func() { got["submit twice"] = r.send(t, "submit", r.developer()) })
	r.at(2*time.Hour, func() { r.send(t, "claim", r.rev()) })
	r.at(2*time.Hour+time.Minute, func() { got["approve by another reviewer"] = r.send(t, "approve", other) })
	r.at(2*time.Hour+2*time.Minute, func() { got["reject without reasons"] = r.send(t, "reject", r.rev()) })
	r.at(2*time.Hour+3*time.Minute, func() {
		args := r.rev()
		args.Reasons = []models.RejectionReason{{Code: "not-a-code", Message: "x"}}
		got["reject with an unknown code"] = r.send(t, "reject", args)
	})
	r.at(3*time.Hour, func() { got["approve by staff"] = r.send(t, "approve", staff) })
	r.at(4*time.Hour, func() { got["deprecate before publish"] = r.send(t, "deprecate", system) })
	r.at(5*time.Hour, func() { r.send(t, "publish", r.developer()) })
	r.at(6*time.Hour, func() { r.send(t, "deprecate", system) })

	r.run(t)

	wantRejected := map[string]string{
		"submit before promote":       contract.ErrTypeNotPromoted,
		"approve while active":        contract.ErrTypeIllegalTransition,
		"publish while active":        contract.ErrTypeIllegalTransition,
		"claim while active":          contract.ErrTypeIllegalTransition,
		"submit twice":                contract.ErrTypeIllegalTransition,
		"approve by another reviewer": contract.ErrTypeNotReviewer,
		"reject without reasons":      "rejection_reason_required",
		"reject with an unknown code": "invalid_rejection_reasons",
		"deprecate before publish":    contract.ErrTypeIllegalTransition,
	}
	for name, typ := range wantRejected {
		mustReject(t, name, got[name], typ)
	}
	mustComplete(t, "approve by staff", got["approve by staff"])
	// Refused moves never reached the database.
	if !slices.Equal(r.seqs, []int{1, 2, 3, 4, 5}) {
		t.Errorf("transition seqs %v, want exactly the five accepted moves", r.seqs)
	}
}

func TestPromotionRemindsReviewersAndRearms(t *testing.T) {
	r := newPromotionRun(t)
	r.at(time.Minute, func() { r.send(t, contract.PromotionPromoteUpdate, r.developer()) })
	r.at(time.Hour, func() { r.send(t, "submit", r.developer()) })
	r.at(time.Hour+50*time.Hour, func() { r.send(t, "claim", r.rev()) }) // after two reminders
	r.at(time.Hour+50*time.Hour+30*time.Hour, func() { r.send(t, "approve", r.rev()) })
	r.at(100*day, func() { r.send(t, "publish", r.developer()) })
	r.at(101*day, func() { r.send(t, "deprecate", system) })

	st := r.run(t)

	// Pending from 1h: reminders at 25h and 49h; claimed at 51h: the
	// in-review wait reminds at 75h; approved at 81h: no more.
	want := []time.Duration{25 * time.Hour, 49 * time.Hour, 75 * time.Hour}
	if !slices.Equal(r.reminded, want) {
		t.Errorf("reminders at %v, want %v", r.reminded, want)
	}
	if !slices.Equal(r.reminder, []int{1, 2, 3}) || st.RemindersSent != 3 {
		t.Errorf("reminder numbers %v, RemindersSent %d; want 1,2,3 and 3", r.reminder, st.RemindersSent)
	}
}

func TestPromotionPublishDeprecatesPrevious(t *testing.T) {
	r := newPromotionRun(t)
	prev := uuid.Must(uuid.NewV7())
	r.prevPub = &prev
	r.at(time.Minute, func() { r.send(t, contract.PromotionPromoteUpdate, r.developer()) })
	r.at(time.Hour, func() { r.send(t, "submit", r.developer()) })
	r.at(2*time.Hour, func() { r.send(t, "claim", r.rev()) })
	r.at(3*time.Hour, func() { r.send(t, "approve", r.rev()) })
	r.at(4*time.Hour, func() { r.send(t, "publish", r.developer()) })
	r.at(5*time.Hour, func() { r.send(t, "deprecate", system) })

	r.run(t)

	if len(r.deprec) != 1 || r.deprec[0].DeploymentID != prev || r.deprec[0].SourceDeploymentID != r.dev || r.deprec[0].ReplacedBy != r.prodID {
		t.Errorf("DeprecateDeployment calls %+v, want one for %v (source %v) replaced by %v", r.deprec, prev, r.dev, r.prodID)
	}
}
