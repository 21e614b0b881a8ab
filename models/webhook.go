package models

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Webhook endpoint limits.
const (
	MaxWebhookEndpoints      = 20 // per developer account
	MaxWebhookURLLen         = 2048
	MaxWebhookDescriptionLen = 500
)

// Webhook delivery page sizes.
const (
	DefaultWebhookDeliveryLimit = 50
	MaxWebhookDeliveryLimit     = 200
)

// EventWebhookPing is the type of the test event a developer sends to an
// endpoint by hand; every endpoint receives it, whatever it subscribes to.
const EventWebhookPing EventType = "ping"

// Webhook event log types beside those of deployment.go.
const (
	EventWebhookEndpointUpdated = EventType("webhook_endpoint.updated")
	EventWebhookEndpointEnabled = EventType("webhook_endpoint.enabled")
	EventWebhookSecretRotated   = EventType("webhook_endpoint.secret_rotated")
	EventWebhookTestSent        = EventType("webhook_endpoint.test_sent")
	EventWebhookRedelivered     = EventType("webhook_delivery.redelivered")
)

// WebhookEndpointStatus says whether an endpoint receives events.
type WebhookEndpointStatus string

// Webhook endpoint statuses.
const (
	WebhookEndpointEnabled  WebhookEndpointStatus = "enabled"
	WebhookEndpointDisabled WebhookEndpointStatus = "disabled"
)

// WebhookEndpoint is a URL of a developer account that receives its
// deployment events, signed with the endpoint's own secret. The secret is
// stored encrypted (we sign with it) and never served after creation.
type WebhookEndpoint struct {
	ID                 uuid.UUID             `gorm:"type:uuid;primaryKey" json:"id"`
	DeveloperAccountID uuid.UUID             `gorm:"type:uuid" json:"developer_account_id"`
	URL                string                `json:"url"`
	Description        string                `json:"description"`
	EventTypes         JSONList[EventType]   `gorm:"type:jsonb" json:"event_types"` // empty: every event
	SecretCiphertext   []byte                `json:"-"`
	Status             WebhookEndpointStatus `json:"status"`
	DisabledReason     string                `json:"disabled_reason"`
	CreatedBy          *uuid.UUID            `gorm:"type:uuid" json:"created_by"`
	CreatedAt          time.Time             `json:"created_at"`
	UpdatedAt          time.Time             `json:"updated_at"`
}

// TableName is webhook_endpoints.
func (WebhookEndpoint) TableName() string { return "webhook_endpoints" }

// Enabled reports whether the endpoint receives events.
func (e *WebhookEndpoint) Enabled() bool { return e.Status == WebhookEndpointEnabled }

// Subscribes reports whether the endpoint wants events of type t.
func (e *WebhookEndpoint) Subscribes(t EventType) bool {
	return len(e.EventTypes) == 0 || slices.Contains(e.EventTypes, t)
}

// WebhookDeliveryStatus is where a delivery stands.
type WebhookDeliveryStatus string

// Webhook delivery statuses.
const (
	WebhookPending   WebhookDeliveryStatus = "pending"
	WebhookDelivered WebhookDeliveryStatus = "delivered"
	WebhookFailed    WebhookDeliveryStatus = "failed"
)

// WebhookDelivery is one event to one target: a developer account's
// endpoint (EndpointID) or an app's own webhook URL (AppID). Its id is the
// webhook-id header, so receivers dedupe on it; a redelivery is a new row.
// Payload never holds secrets: the body is built when it is sent.
type WebhookDelivery struct {
	ID                 uuid.UUID             `gorm:"type:uuid;primaryKey" json:"id"`
	EndpointID         *uuid.UUID            `gorm:"type:uuid" json:"endpoint_id"`
	AppID              *uuid.UUID            `gorm:"type:uuid" json:"app_id"`
	DeveloperAccountID uuid.UUID             `gorm:"type:uuid" json:"developer_account_id"`
	EventType          EventType             `json:"event_type"`
	Payload            JSONMap               `gorm:"type:jsonb" json:"payload"`
	DedupeKey          string                `json:"-"`
	RedeliveryOf       *uuid.UUID            `gorm:"type:uuid" json:"redelivery_of"`
	Status             WebhookDeliveryStatus `json:"status"`
	AttemptCount       int                   `json:"attempt_count"`
	LastStatusCode     *int                  `json:"last_status_code"`
	LastError          string                `json:"last_error"`
	NextAttemptAt      *time.Time            `json:"next_attempt_at"`
	DeliveredAt        *time.Time            `json:"delivered_at"`
	CreatedAt          time.Time             `json:"created_at"`
	UpdatedAt          time.Time             `json:"updated_at"`
	// Attempts are filled by the methods that say so, oldest first.
	Attempts []WebhookAttempt `gorm:"-" json:"attempts"`
}

// TableName is webhook_deliveries.
func (WebhookDelivery) TableName() string { return "webhook_deliveries" }

// WebhookAttempt is one POST of a delivery: the status code (nil when no
// response came), how long it took and what went wrong.
type WebhookAttempt struct {
	ID         uuid.UUID `gorm:"type:uuid;primaryKey" json:"id"`
	DeliveryID uuid.UUID `gorm:"type:uuid" json:"delivery_id"`
	Attempt    int       `json:"attempt"`
	StatusCode *int      `json:"status_code"`
	LatencyMS  int       `gorm:"column:latency_ms" json:"latency_ms"`
	Error      string    `json:"error"`
	CreatedAt  time.Time `json:"created_at"`
}

// TableName is webhook_attempts.
func (WebhookAttempt) TableName() string { return "webhook_attempts" }

// WebhookEndpointInput creates an endpoint.
type WebhookEndpointInput struct {
	URL         string
	Description string
	EventTypes  []string // from DeploymentWebhookEvents; empty: all of them
}

// WebhookEndpointUpdate changes the fields it sets.
type WebhookEndpointUpdate struct {
	URL         *string
	Description *string
	EventTypes  *[]string
	Enabled     *bool
}

// WebhookDeliveryFilter selects deliveries of a developer account.
type WebhookDeliveryFilter struct {
	DeveloperAccountID uuid.UUID
	EndpointID         *uuid.UUID // only this endpoint's
	Cursor             string
	Limit              int  // 0: DefaultWebhookDeliveryLimit
	WithAttempts       bool // fill each delivery's Attempts
}

// WebhookDeliveryPage is one page of deliveries, newest first.
type WebhookDeliveryPage struct {
	Items      []WebhookDelivery `json:"items"`
	NextCursor string            `json:"next_cursor"`
}

// WebhookTarget is what an attempt needs: the delivery, where it goes and
// the secret it is signed with. It is for the delivering activity only and
// never leaves the worker.
type WebhookTarget struct {
	Delivery WebhookDelivery
	URL      string
	Secret   string // whsec_…
	// Enabled is false when the endpoint is disabled or the app has no
	// webhook URL any more; Reason says which.
	Enabled bool
	Reason  string
}

// WebhookAttemptRecord is one attempt's outcome as the activity records it.
type WebhookAttemptRecord struct {
	DeliveryID    uuid.UUID
	Attempt       int
	StatusCode    *int
	LatencyMS     int
	Error         string
	NextAttemptAt *time.Time // when the next attempt is due, if any
}

// validateWebhookEventTypes returns the event types deduplicated, or a
// field error for the first one developers cannot subscribe to.
func validateWebhookEventTypes(raw []string) (JSONList[EventType], []FieldError) {
	out := JSONList[EventType]{}
	var errs []FieldError
	for i, s := range raw {
		t := EventType(strings.TrimSpace(s))
		if !slices.Contains(DeploymentWebhookEvents, t) {
			errs = append(errs, FieldError{Field: fmt.Sprintf("event_types[%d]", i),
				Message: fmt.Sprintf("%q is not an event endpoints can subscribe to", s)})
			continue
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out, errs
}

// WebhookURLProblem says what is wrong with raw as a URL the platform
// POSTs signed events to (developer endpoints and app webhook URLs), or "".
// Production: https only. Either way the host must be public unless it is
// an address (or localhost) that rules.AllowInternal covers; development
// also allows http, but only to such allowed internal hosts. The dialer of
// the outbound client is the final word on where a name resolves; this
// check refuses what is wrong on its face.
func WebhookURLProblem(raw string, rules URLRules) string {
	switch {
	case raw == "":
		return "must not be empty"
	case len(raw) > MaxWebhookURLLen:
		return fmt.Sprintf("must be at most %d characters", MaxWebhookURLLen)
	case strings.ContainsAny(raw, " \t\r\n"):
		return "must not contain spaces"
	case strings.Contains(raw, "#"):
		return "must not have a fragment (#…)"
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "" {
		return "must be an absolute URL such as https://example.com/webhooks"
	}
	if u.User != nil {
		return "must not contain a user name or password"
	}
	host := strings.ToLower(u.Hostname())
	if host == "" {
		return "must name a host"
	}
	allowed := internalHost(host) && rules.allowsInternal(host)
	switch scheme := strings.ToLower(u.Scheme); {
	case scheme != "https" && scheme != "http":
		return "must use https"
	case scheme == "http" && rules.Production:
		return "must use https in production"
	case scheme == "http" && !allowed:
		return "must use https (http is allowed only for localhost in development)"
	case internalHost(host) && !allowed:
		if rules.Production {
			return "must not point to localhost, a loopback, private or link-local address in production"
		}
		return "must not point to a loopback, private or link-local address outside OUTBOUND_ALLOW"
	}
	return ""
}

// ErrWebhookDeliveryNotFound is the answer for a webhook delivery that does
// not exist or that the caller may not see.
var ErrWebhookDeliveryNotFound = &Error{Kind: KindNotFound, Code: "webhook_delivery_not_found", Message: "No such webhook delivery."}

// ErrWebhookEndpointDisabled is the answer for redelivering to, or testing,
// a disabled endpoint.
var ErrWebhookEndpointDisabled = &Error{Kind: KindConflict, Code: "webhook_endpoint_disabled",
	Message: "The endpoint is disabled: enable it first."}

// ErrWebhookEndpointNotFound is the answer for a webhook endpoint that does
// not exist or that the caller may not see.
var ErrWebhookEndpointNotFound = &Error{Kind: KindNotFound, Code: "webhook_endpoint_not_found", Message: "No such webhook endpoint."}

// WebhookEndpointProblems checks an endpoint's editable fields and returns
// the event types normalised.
func WebhookEndpointProblems(url, description string, eventTypes []string, production bool, allowInternal []*net.IPNet) (JSONList[EventType], []FieldError) {
	var errs []FieldError
	if p := WebhookURLProblem(url, URLRules{Production: production, AllowInternal: allowInternal}); p != "" {
		errs = append(errs, FieldError{Field: "url", Message: p})
	}
	if n := len([]rune(description)); n > MaxWebhookDescriptionLen {
		errs = append(errs, FieldError{Field: "description", Message: fmt.Sprintf("must be at most %d characters", MaxWebhookDescriptionLen)})
	}
	types, typeErrs := validateWebhookEventTypes(eventTypes)
	return types, append(errs, typeErrs...)
}
