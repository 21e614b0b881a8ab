package models

import "github.com/google/uuid"

// ReviewSandboxName is the organization reviewers try apps in.
const ReviewSandboxName = "Review sandbox"

// EventReviewSandboxOpened records a reviewer running a deployment under
// review in the review sandbox.
const EventReviewSandboxOpened EventType = "review.sandbox_opened"

// ReviewSandbox is where a reviewer can run a deployment under review: the
// review sandbox organization, and the installation there that runs it.
type ReviewSandbox struct {
	OrganizationID uuid.UUID `json:"id"`
	InstallationID uuid.UUID `json:"installation_id"`
	DeploymentID   uuid.UUID `json:"deployment_id"`
}

// ErrNotUnderReview refuses a sandbox for a deployment nobody reviews.
var ErrNotUnderReview = &Error{Kind: KindConflict, Code: "not_under_review",
	Message: "Only a production deployment waiting for review, in review or approved can be tried in the review sandbox."}
