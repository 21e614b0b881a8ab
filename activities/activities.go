// Package activities holds Appstore's Temporal activities: the side effects
// (database writes, mail, webhooks) that workflows in package workflows
// orchestrate. Each activity is idempotent, because Temporal may run it again
// after a failure it cannot see the end of.
package activities

import (
	"context"
	"net"
	"net/http"
	"time"

	"github.com/google/uuid"

	"appstore/models/postgres"
	"appstore/workflows/contract"
)

// Activities is the receiver of every activity. Its fields are the
// dependencies activities need; a worker registers one value of it.
type Activities struct {
	Store   *postgres.Store
	Mailer  Mailer // OutboxMailer in development, SMTPMailer in production
	BaseURL string // the platform origin, for links in mail, e.g. https://appstore.example.com
	// WebhookSchedule is the delay before each webhook attempt; its length
	// is the number of attempts. Empty: DefaultWebhookSchedule.
	WebhookSchedule []time.Duration
	// HTTPClient sends webhooks to developer-supplied URLs: build it with
	// NewOutboundClient. Nil: one is built from OutboundAllow per attempt.
	HTTPClient *http.Client
	// OutboundAllow lists the networks outbound calls may reach although
	// they are loopback, private or link-local (development, tests).
	OutboundAllow []*net.IPNet
	// Temporal lets an activity talk to Temporal itself: Schedules, and
	// Updates to other runs (a publication deprecates the previous
	// deployment through an Update to its run).
	Temporal Temporal
}

// Temporal is what activities ask of Temporal beyond running as activities.
// workflows/client.Client implements it; its errors are contract's.
type Temporal interface {
	// EnsureInstallationRotationSchedule creates the rotation Schedule of
	// an installation client on taskQueue, keeping one that exists.
	EnsureInstallationRotationSchedule(ctx context.Context, taskQueue string, every time.Duration, in contract.InstallationRotationInput) error
	// DeleteRotationSchedule deletes a client's rotation Schedule, if any.
	DeleteRotationSchedule(ctx context.Context, clientID string) error
	// Deprecate sends the deprecate Update to the Promotion run of
	// devDeploymentID on behalf of the publication replacedBy. A missing or
	// ended run is contract.ErrNotFound or contract.ErrAlreadyCompleted, a
	// refusal its *models.Error.
	Deprecate(ctx context.Context, devDeploymentID, replacedBy uuid.UUID) error
}
