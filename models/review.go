package models

import (
	"fmt"
	"strings"

	"github.com/google/uuid"
)

// ReviewAction is one move of the production deployment state machine of
// DESIGN §4. Submitting again after a rejection or a withdrawal is the
// resubmit of the diagram.
type ReviewAction string

// Review actions.
const (
	ReviewSubmit    ReviewAction = "submit"
	ReviewWithdraw  ReviewAction = "withdraw"
	ReviewClaim     ReviewAction = "claim"
	ReviewApprove   ReviewAction = "approve"
	ReviewReject    ReviewAction = "reject"
	ReviewPublish   ReviewAction = "publish"
	ReviewDeprecate ReviewAction = "deprecate"
)

// reviewMoves maps (action, from) to the status the action leads to. An
// auto-approve account's submit goes on to approved (the store decides).
var reviewMoves = map[ReviewAction]map[DeploymentStatus]DeploymentStatus{
	ReviewSubmit: {
		DeploymentActive:    DeploymentPendingReview,
		DeploymentRejected:  DeploymentPendingReview,
		DeploymentWithdrawn: DeploymentPendingReview,
	},
	// A developer may take a submission back while it waits or while it is
	// being reviewed (they found a bug); the reviewer's claim ends with it.
	ReviewWithdraw: {
		DeploymentPendingReview: DeploymentWithdrawn,
		DeploymentInReview:      DeploymentWithdrawn,
	},
	ReviewClaim:     {DeploymentPendingReview: DeploymentInReview},
	ReviewApprove:   {DeploymentInReview: DeploymentApproved},
	ReviewReject:    {DeploymentInReview: DeploymentRejected},
	ReviewPublish:   {DeploymentApproved: DeploymentPublished},
	ReviewDeprecate: {DeploymentPublished: DeploymentDeprecated},
}

// ReviewTarget returns the status action leads to from status from, and
// whether the move is legal at all.
func ReviewTarget(from DeploymentStatus, action ReviewAction) (DeploymentStatus, bool) {
	to, ok := reviewMoves[action][from]
	return to, ok
}

// IllegalTransition is the conflict answered when action is not allowed
// from status from; clients read current_status from its fields.
func IllegalTransition(from DeploymentStatus, action ReviewAction) *Error {
	return &Error{Kind: KindConflict, Code: "illegal_transition",
		Message: fmt.Sprintf("A deployment that is %s cannot be %s.", from, pastTense(action)),
		Fields:  []FieldError{{Field: "current_status", Message: string(from)}}}
}

func pastTense(a ReviewAction) string {
	switch a {
	case ReviewSubmit:
		return "submitted"
	case ReviewWithdraw:
		return "withdrawn"
	case ReviewClaim:
		return "claimed"
	case ReviewApprove:
		return "approved"
	case ReviewReject:
		return "rejected"
	case ReviewPublish:
		return "published"
	case ReviewDeprecate:
		return "deprecated"
	}
	return string(a)
}

// ReviewEvents is the event each action records and delivers.
var ReviewEvents = map[ReviewAction]EventType{
	ReviewSubmit:    EventDeploymentSubmitted,
	ReviewWithdraw:  EventDeploymentWithdrawn,
	ReviewClaim:     EventDeploymentClaimed,
	ReviewApprove:   EventDeploymentApproved,
	ReviewReject:    EventDeploymentRejected,
	ReviewPublish:   EventDeploymentPublished,
	ReviewDeprecate: EventDeploymentDeprecated,
}

// maxRejectionReasons bounds what one rejection carries.
const maxRejectionReasons = 20

// ValidateRejectionReasons checks a reviewer's reasons: at least one, each
// with a catalogue code and a message. It returns them trimmed.
func ValidateRejectionReasons(reasons []RejectionReason) ([]RejectionReason, error) {
	if len(reasons) == 0 {
		return nil, &Error{Kind: KindInvalid, Code: "rejection_reason_required",
			Message: "A rejection needs at least one reason from the catalogue.",
			Fields:  []FieldError{{Field: "reasons", Message: "give at least one reason"}}}
	}
	if len(reasons) > maxRejectionReasons {
		return nil, Errorf(KindInvalid, "too_many_reasons", "A rejection carries at most %d reasons.", maxRejectionReasons)
	}
	out := make([]RejectionReason, 0, len(reasons))
	var fields []FieldError
	for i, r := range reasons {
		r.Code, r.Message = strings.TrimSpace(r.Code), strings.TrimSpace(r.Message)
		r.Field, r.DocURL = strings.TrimSpace(r.Field), strings.TrimSpace(r.DocURL)
		if !IsRejectionReasonCode(r.Code) {
			fields = append(fields, FieldError{Field: fmt.Sprintf("reasons[%d].code", i), Message: fmt.Sprintf("%q is not in the rejection reason catalogue", r.Code)})
		}
		if r.Message == "" || len(r.Message) > 2000 {
			fields = append(fields, FieldError{Field: fmt.Sprintf("reasons[%d].message", i), Message: "say what is wrong (1–2000 characters)"})
		}
		if r.DocURL != "" && AppURLProblem(r.DocURL) != "" {
			fields = append(fields, FieldError{Field: fmt.Sprintf("reasons[%d].doc_url", i), Message: "must be an http(s) URL"})
		}
		out = append(out, r)
	}
	if len(fields) > 0 {
		return nil, &Error{Kind: KindInvalid, Code: "invalid_rejection_reasons", Message: "Some rejection reasons are not valid.", Fields: fields}
	}
	return out, nil
}

// ReviewTransition is one move the Promotion workflow asks the database to
// mirror. Seq numbers the workflow's moves of this deployment from 1, so a
// retried activity finds its move already applied and changes nothing.
type ReviewTransition struct {
	DeploymentID uuid.UUID
	Seq          int
	Action       ReviewAction
	ActorID      *uuid.UUID
	Reasons      []RejectionReason // reject only
}

// ReviewOutcome is what a transition did: the status it led to (an
// auto-approve account's submit lands on approved), the webhook deliveries
// it enqueued, and, for publish, the deployment it makes obsolete.
type ReviewOutcome struct {
	Status      DeploymentStatus
	ReviewerID  *uuid.UUID
	DeliveryIDs []uuid.UUID
	// PreviousPublished is the app's formerly published deployment, which
	// the workflow deprecates through that deployment's own run.
	PreviousPublished *Deployment
}

// ErrReviewBusy is the partial unique index speaking: DESIGN §4 allows one
// deployment of an app in review at a time.
var ErrReviewBusy = &Error{Kind: KindConflict, Code: "review_in_progress",
	Message: "Another deployment of this app is already waiting for or in review; withdraw it first."}

// ReviewQueueItem is one submission waiting for or in review, with what a
// reviewer needs to pick it.
type ReviewQueueItem struct {
	Deployment
	AppSlug              string `json:"app_slug"`
	AppTitle             string `json:"app_title"`
	DeveloperAccountSlug string `json:"developer_account_slug"`
}

// ReviewQueuePage is one page of the review queue, oldest submission first.
type ReviewQueuePage struct {
	Items      []ReviewQueueItem `json:"items"`
	NextCursor string            `json:"next_cursor"`
}
