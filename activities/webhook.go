package activities

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"appstore/models"
	"appstore/workflows/contract"
)

// DefaultWebhookSchedule is the delay before each attempt of a webhook
// delivery (DESIGN §6), used when Activities.WebhookSchedule is empty.
var DefaultWebhookSchedule = []time.Duration{0, 5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour,
	5 * time.Hour, 10 * time.Hour, 14 * time.Hour, 20 * time.Hour, 24 * time.Hour}

// MaxRetryAfter caps how long a receiver's Retry-After may delay the next
// attempt.
const MaxRetryAfter = 24 * time.Hour

// webhookUserAgent identifies our requests to receivers.
const webhookUserAgent = "Appstore-Webhooks/1 (+https://www.standardwebhooks.com)"

// maxAttemptError bounds the error text recorded with an attempt.
const maxAttemptError = 500

// WebhookPlan is what a WebhookDelivery run reads once, at its start, and
// keeps in its history: the retry schedule and the delivery's state.
type WebhookPlan struct {
	Found            bool // false: the delivery is gone (its endpoint was deleted)
	Status           models.WebhookDeliveryStatus
	Schedule         []time.Duration
	DeveloperAccount string // the account's slug, for the search attribute
}

// WebhookDeliveryPlan returns the configured schedule and the delivery's
// status and developer account. It runs as a local activity. It returns
// the store's error, which Temporal retries.
func (a *Activities) WebhookDeliveryPlan(ctx context.Context, deliveryID uuid.UUID) (*WebhookPlan, error) {
	plan := &WebhookPlan{Schedule: a.WebhookSchedule}
	if len(plan.Schedule) == 0 {
		plan.Schedule = DefaultWebhookSchedule
	}
	d, err := a.Store.GetWebhookDelivery(ctx, deliveryID)
	if errors.Is(err, models.ErrNotFound) {
		return plan, nil
	}
	if err != nil {
		return nil, fmt.Errorf("webhook plan %s: %w", deliveryID, err)
	}
	plan.Found, plan.Status = true, d.Status
	acct, err := a.Store.GetDeveloperAccount(ctx, d.DeveloperAccountID)
	if err != nil {
		return nil, fmt.Errorf("webhook plan %s: %w", deliveryID, err)
	}
	plan.DeveloperAccount = acct.Slug
	return plan, nil
}

// WebhookAttemptInput names one attempt of a delivery.
type WebhookAttemptInput struct {
	DeliveryID uuid.UUID
	Attempt    int // 1-based
	// NextDelay is the planned wait before the next attempt (jitter
	// included), recorded as the delivery's next_attempt_at when this one
	// fails and is not Last.
	NextDelay time.Duration
	Last      bool
}

// WebhookAttemptResult is what the workflow needs of an attempt. HTTP
// outcomes are results, never activity errors.
type WebhookAttemptResult struct {
	StatusCode        int    // 0: no response (network error, timeout, refused address)
	RetryAfterSeconds int    // the receiver's Retry-After, 0 when it sent none
	Error             string // what went wrong, as recorded
	Skipped           string // set when nothing was sent: why
}

// Outcomes of an attempt, from WebhookAttemptResult.Outcome.
const (
	WebhookOutcomeDelivered = "delivered" // 2xx
	WebhookOutcomeRetry     = "retry"     // 5xx, 408, 425, 429, 3xx, no response
	WebhookOutcomeGone      = "gone"      // 410: disable the endpoint
	WebhookOutcomeRejected  = "rejected"  // any other 4xx: permanent
	WebhookOutcomeSkipped   = "skipped"   // nothing was sent
)

// Outcome classifies the attempt for the workflow.
func (r *WebhookAttemptResult) Outcome() string {
	c := r.StatusCode
	switch {
	case r.Skipped != "":
		return WebhookOutcomeSkipped
	case c >= 200 && c < 300:
		return WebhookOutcomeDelivered
	case c == http.StatusGone:
		return WebhookOutcomeGone
	case c == http.StatusRequestTimeout, c == http.StatusTooEarly, c == http.StatusTooManyRequests:
		return WebhookOutcomeRetry
	case c >= 400 && c < 500:
		return WebhookOutcomeRejected
	}
	return WebhookOutcomeRetry
}

// WebhookRetryWait is how long to wait before the next attempt: the
// planned delay, or longer when the receiver asked for it with Retry-After
// (capped at MaxRetryAfter).
func WebhookRetryWait(planned time.Duration, retryAfterSeconds int) time.Duration {
	asked := min(time.Duration(retryAfterSeconds)*time.Second, MaxRetryAfter)
	return max(planned, asked)
}

// WebhookBody is the JSON body of delivery d: {"type", "timestamp", "data"},
// the timestamp being when the event was enqueued (RFC 3339, UTC), the
// same for every attempt.
func WebhookBody(d *models.WebhookDelivery) ([]byte, error) {
	data := d.Payload
	if data == nil {
		data = models.JSONMap{}
	}
	return json.Marshal(struct {
		Type      models.EventType `json:"type"`
		Timestamp string           `json:"timestamp"`
		Data      models.JSONMap   `json:"data"`
	}{d.EventType, d.CreatedAt.UTC().Format(time.RFC3339), data})
}

// AttemptWebhook makes attempt in.Attempt of a delivery: it builds the
// body from the row, signs it with the target's secret (Standard
// Webhooks), POSTs it, records the attempt (status, latency, error) and
// returns the status and Retry-After. An attempt number already recorded
// is not sent again: its recorded outcome is returned, so a retried
// activity neither POSTs twice nor records twice. A delivery that is gone
// or finished, or whose endpoint is disabled, is skipped. It returns an
// error only when the database or the secret cannot be read, which
// Temporal retries.
func (a *Activities) AttemptWebhook(ctx context.Context, in WebhookAttemptInput) (*WebhookAttemptResult, error) {
	target, err := a.Store.WebhookDeliveryTarget(ctx, in.DeliveryID)
	if errors.Is(err, models.ErrNotFound) {
		return &WebhookAttemptResult{Skipped: "The delivery no longer exists."}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("webhook attempt %d of %s: %w", in.Attempt, in.DeliveryID, err)
	}
	d := &target.Delivery
	switch {
	case d.Status != models.WebhookPending:
		return &WebhookAttemptResult{Skipped: "The delivery is " + string(d.Status) + " already."}, nil
	case !target.Enabled:
		return &WebhookAttemptResult{Skipped: target.Reason}, nil
	}
	prev, err := a.Store.FindWebhookAttempt(ctx, d.ID, in.Attempt)
	if err == nil {
		res := &WebhookAttemptResult{Error: prev.Error}
		if prev.StatusCode != nil {
			res.StatusCode = *prev.StatusCode
		}
		return res, nil
	}
	if !errors.Is(err, models.ErrNotFound) {
		return nil, fmt.Errorf("webhook attempt %d of %s: %w", in.Attempt, d.ID, err)
	}

	res, latency, err := a.post(ctx, target)
	if err != nil {
		return nil, fmt.Errorf("webhook attempt %d of %s: %w", in.Attempt, d.ID, err)
	}
	rec := models.WebhookAttemptRecord{DeliveryID: d.ID, Attempt: in.Attempt, LatencyMS: int(latency.Milliseconds()), Error: res.Error}
	if res.StatusCode != 0 {
		rec.StatusCode = &res.StatusCode
	}
	if res.Outcome() == WebhookOutcomeRetry && !in.Last {
		next := time.Now().Add(WebhookRetryWait(in.NextDelay, res.RetryAfterSeconds)).UTC()
		rec.NextAttemptAt = &next
	}
	if _, err := a.Store.RecordWebhookAttempt(ctx, rec); errors.Is(err, models.ErrNotFound) {
		return &WebhookAttemptResult{Skipped: "The delivery no longer exists."}, nil
	} else if err != nil {
		return nil, fmt.Errorf("webhook attempt %d of %s: %w", in.Attempt, d.ID, err)
	}
	return res, nil
}

// post sends the signed body to the target and describes the answer. Its
// error is for what the receiver cannot cause: a body or secret we cannot
// use, a cancelled activity.
func (a *Activities) post(ctx context.Context, target *models.WebhookTarget) (*WebhookAttemptResult, time.Duration, error) {
	d := &target.Delivery
	body, err := a.webhookBody(ctx, d)
	if err != nil {
		return nil, 0, err
	}
	now := time.Now()
	sig, err := models.SignWebhook(target.Secret, d.ID.String(), now, body)
	if err != nil {
		return nil, 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target.URL, bytes.NewReader(body))
	if err != nil {
		// A URL saved before its rules were this strict: nothing to send.
		return &WebhookAttemptResult{Error: truncateError("invalid URL: " + err.Error())}, 0, nil
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", webhookUserAgent)
	req.Header.Set(models.WebhookIDHeader, d.ID.String())
	req.Header.Set(models.WebhookTimestampHeader, strconv.FormatInt(now.Unix(), 10))
	req.Header.Set(models.WebhookSignatureHeader, sig)

	client := a.HTTPClient
	if client == nil {
		client = NewOutboundClient(a.OutboundAllow)
	}
	resp, err := client.Do(req)
	latency := time.Since(now)
	if err != nil {
		if ctx.Err() != nil {
			return nil, latency, ctx.Err()
		}
		return &WebhookAttemptResult{Error: truncateError(describeSendError(err))}, latency, nil
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	latency = time.Since(now)
	res := &WebhookAttemptResult{StatusCode: resp.StatusCode, RetryAfterSeconds: ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())}
	if res.Outcome() != WebhookOutcomeDelivered {
		msg := resp.Status
		if s := strings.TrimSpace(string(snippet)); s != "" {
			msg += ": " + s
		}
		res.Error = truncateError(msg)
	}
	return res, latency, nil
}

// describeSendError is the part of a client error worth showing: the URL
// is known already.
func describeSendError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return fmt.Sprintf("no answer within %s", OutboundTimeout)
		}
		err = ue.Err
	}
	return err.Error()
}

// truncateError keeps error text storable and short: valid UTF-8, no NUL
// (PostgreSQL text refuses it), at most maxAttemptError runes.
func truncateError(s string) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "�"), "\x00", "")
	if r := []rune(s); len(r) > maxAttemptError {
		s = string(r[:maxAttemptError-1]) + "…"
	}
	return s
}

// ParseRetryAfter reads a Retry-After header, delta-seconds or an HTTP
// date, as whole seconds from now (rounded up), capped at MaxRetryAfter.
// Anything else, or a time in the past, is 0.
func ParseRetryAfter(v string, now time.Time) int {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	limit := int(MaxRetryAfter / time.Second)
	if strings.Trim(v, "0123456789") == "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return limit // more digits than uint64 holds
		}
		return int(min(n, uint64(limit)))
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0
	}
	d := t.Sub(now)
	if d <= 0 {
		return 0
	}
	return min(int((d+time.Second-1)/time.Second), limit)
}

// FinishWebhookInput ends a delivery.
type FinishWebhookInput struct {
	DeliveryID uuid.UUID
	Status     models.WebhookDeliveryStatus // delivered or failed
	Reason     string                       // for failed: recorded as the last error when set
	// DisableEndpoint disables the delivery's endpoint (the receiver
	// answered 410 Gone) and records webhook_endpoint.disabled.
	DisableEndpoint bool
}

// FinishWebhookDelivery marks the delivery delivered or failed and, for a
// 410, disables its endpoint. Both are idempotent; a delivery that is gone
// is left alone. It returns the store's error, which Temporal retries.
func (a *Activities) FinishWebhookDelivery(ctx context.Context, in FinishWebhookInput) error {
	if in.DisableEndpoint {
		d, err := a.Store.GetWebhookDelivery(ctx, in.DeliveryID)
		switch {
		case errors.Is(err, models.ErrNotFound):
			return nil
		case err != nil:
			return fmt.Errorf("finish webhook %s: %w", in.DeliveryID, err)
		case d.EndpointID != nil:
			reason := "The receiver answered 410 Gone (delivery " + d.ID.String() + ")."
			if _, err := a.Store.DisableWebhookEndpoint(ctx, *d.EndpointID, reason); err != nil {
				return fmt.Errorf("finish webhook %s: %w", in.DeliveryID, err)
			}
		}
	}
	if _, err := a.Store.FinishWebhookDelivery(ctx, in.DeliveryID, in.Status, in.Reason); err != nil {
		return contract.DomainError(fmt.Errorf("finish webhook %s: %w", in.DeliveryID, err))
	}
	return nil
}
