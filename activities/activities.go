// Package activities holds Appstore's Temporal activities: the side effects
// (database writes, mail, webhooks) that workflows in package workflows
// orchestrate. Each activity is idempotent, because Temporal may run it again
// after a failure it cannot see the end of.
package activities

import (
	"go.temporal.io/sdk/client"
	"net"
	"net/http"
	"time"

	"appstore/models"
)

// Activities is the receiver of every activity. Its fields are the
// dependencies activities need; a worker registers one value of it.
type Activities struct {
	Store   *models.Store
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
	// Temporal lets an activity talk to another workflow (a publication
	// deprecates the previous deployment through an Update to its run).
	Temporal client.Client
}
