package main

import (
	"encoding/json"
	"time"
)

// deployment is what the CLI reads of the API's Deployment.
type deployment struct {
	ID                   string            `json:"id"`
	AppID                string            `json:"app_id"`
	Type                 string            `json:"type"`
	Version              *string           `json:"version"`
	Status               string            `json:"status"`
	TargetOrganizationID *string           `json:"target_organization_id"`
	SourceDeploymentID   *string           `json:"source_deployment_id"`
	ReleaseNotes         string            `json:"release_notes"`
	Metadata             map[string]any    `json:"metadata"`
	CreatedAt            time.Time         `json:"created_at"`
	SubmittedAt          *time.Time        `json:"submitted_at"`
	ReviewedAt           *time.Time        `json:"reviewed_at"`
	PublishedAt          *time.Time        `json:"published_at"`
	RejectionReasons     []rejectionReason `json:"rejection_reasons"`
}

// rejectionReason is one structured reason a reviewer gave.
type rejectionReason struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
	DocURL  string `json:"doc_url,omitempty"`
}

func (d *deployment) version() string {
	if d.Version == nil || *d.Version == "" {
		return "-"
	}
	return *d.Version
}

// deploymentAnswer is the answer of promote and of the transitions:
// the deployment, and for transitions the review state.
type deploymentAnswer struct {
	Deployment json.RawMessage `json:"deployment"`
	Review     json.RawMessage `json:"review,omitempty"`
}
