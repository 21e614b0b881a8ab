package contract

import (
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"

	"appstore/models"
)

// PromotionWorkflow is the workflow type of a Promotion run.
const PromotionWorkflow = "Promotion"

// Update and Query names of a Promotion run besides the review moves,
// whose Updates PromotionReviewUpdate names.
const (
	PromotionPromoteUpdate = "promote" // ReviewArgs -> ReviewState
	PromotionStatusQuery   = "status"  // -> ReviewState
)

// DefaultReviewReminder is how long a submission waits before reviewers are
// reminded when PromotionInput.ReminderAfter is zero.
const DefaultReviewReminder = 24 * time.Hour

// Error types (models.Error codes) a Promotion run's validators refuse
// review Updates with.
const (
	ErrTypeIllegalTransition = "illegal_transition" // the code of models.IllegalTransition
	ErrTypeNotReviewer       = "not_the_reviewer"
	ErrTypeNotPromoted       = "not_promoted"
)

// PromotionWorkflowID is the run that owns the production life of a
// development deployment: "promotion-<devDeploymentID>".
func PromotionWorkflowID(devDeploymentID uuid.UUID) string {
	return "promotion-" + devDeploymentID.String()
}

// PromotionReviewUpdate is the name of the Update that makes review move
// action: the action itself ("submit", "claim", ..., "deprecate"). Its
// argument is ReviewArgs, its answer ReviewState.
func PromotionReviewUpdate(action models.ReviewAction) string { return string(action) }

// PromotionInput starts (or continues as new) a Promotion run.
type PromotionInput struct {
	DevDeploymentID    uuid.UUID
	AppID              uuid.UUID
	AppSlug            string
	DeveloperAccountID uuid.UUID
	// DeveloperAccountSlug is what ops filter by (DeveloperAccount), as
	// for invitations and webhook deliveries.
	DeveloperAccountSlug string
	// ReminderAfter is how long a submission may wait before reviewers
	// are reminded; zero means DefaultReviewReminder.
	ReminderAfter time.Duration
	// State is carried over by Continue-As-New; nil on the first run.
	State *ReviewState
}

// PromotionSearchAttributes are the attributes a Promotion run starts with;
// the run adds DeploymentID, ReviewStatus and Version as they become known.
func PromotionSearchAttributes(in PromotionInput) temporal.SearchAttributes {
	return temporal.NewSearchAttributes(
		AttrAppSlug.ValueSet(in.AppSlug),
		AttrDeveloperAccount.ValueSet(in.DeveloperAccountSlug),
	)
}

// ReviewArgs are the arguments of the promote Update and of every review
// Update: who acts, whether they are platform staff (who may decide a
// review another reviewer claimed), for a rejection the reasons, and for a
// promotion the release notes. System marks a move the platform makes
// itself (a newer publication deprecating an older one).
type ReviewArgs struct {
	ActorID      uuid.UUID                `json:"actor_id"`
	ActorIsStaff bool                     `json:"actor_is_staff,omitempty"`
	System       bool                     `json:"system,omitempty"`
	Reasons      []models.RejectionReason `json:"reasons,omitempty"`
	ReleaseNotes string                   `json:"release_notes,omitempty"`
}

// ReviewStep is one move in a deployment's review history.
type ReviewStep struct {
	Action  models.ReviewAction      `json:"action"`
	From    models.DeploymentStatus  `json:"from"`
	To      models.DeploymentStatus  `json:"to"`
	ActorID *uuid.UUID               `json:"actor_id,omitempty"`
	At      time.Time                `json:"at"`
	Reasons []models.RejectionReason `json:"reasons,omitempty"`
}

// ReviewState is what the status Query answers and every Update returns.
type ReviewState struct {
	DevDeploymentID uuid.UUID                `json:"dev_deployment_id"`
	DeploymentID    uuid.UUID                `json:"deployment_id"` // production; zero until promoted
	Version         string                   `json:"version"`
	Status          models.DeploymentStatus  `json:"status"`
	ReviewerID      *uuid.UUID               `json:"reviewer_id,omitempty"`
	Reasons         []models.RejectionReason `json:"reasons"`
	History         []ReviewStep             `json:"history"`
	RemindersSent   int                      `json:"reminders_sent"`
	// Seq counts the moves applied to the database (ReviewTransition.Seq).
	Seq int `json:"seq"`
}
