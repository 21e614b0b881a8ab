package models

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Standard Webhooks headers (https://www.standardwebhooks.com).
const (
	WebhookIDHeader        = "webhook-id"
	WebhookTimestampHeader = "webhook-timestamp"
	WebhookSignatureHeader = "webhook-signature"
)

// DefaultWebhookTolerance is how far a webhook-timestamp may be from the
// receiver's clock before VerifyWebhook refuses it (replay protection).
const DefaultWebhookTolerance = 5 * time.Minute

// Errors VerifyWebhook returns.
var (
	ErrWebhookHeaders   = errors.New("webhook: missing or malformed webhook-id, webhook-timestamp or webhook-signature")
	ErrWebhookTimestamp = errors.New("webhook: timestamp outside the tolerance")
	ErrWebhookSignature = errors.New("webhook: no matching signature")
)

// webhookKey decodes a whsec_ secret into the HMAC key.
func webhookKey(secret string) ([]byte, error) {
	raw, ok := strings.CutPrefix(secret, WebhookSecretPrefix)
	if !ok {
		return nil, fmt.Errorf("webhook: secret does not start with %s", WebhookSecretPrefix)
	}
	key, err := base64.StdEncoding.DecodeString(raw)
	if err != nil || len(key) == 0 {
		return nil, fmt.Errorf("webhook: secret is not %s followed by base64", WebhookSecretPrefix)
	}
	return key, nil
}

// SignWebhook returns the webhook-signature header value of a Standard
// Webhooks message: "v1," + base64(HMAC-SHA256(key, id.timestamp.body)),
// where key is the base64-decoded part of secret after "whsec_" and
// timestamp is ts in Unix seconds. It returns an error for a secret of
// another shape.
func SignWebhook(secret, id string, ts time.Time, body []byte) (string, error) {
	key, err := webhookKey(secret)
	if err != nil {
		return "", err
	}
	return "v1," + base64.StdEncoding.EncodeToString(webhookMAC(key, id, ts.Unix(), body)), nil
}

func webhookMAC(key []byte, id string, unix int64, body []byte) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + strconv.FormatInt(unix, 10) + "."))
	mac.Write(body)
	return mac.Sum(nil)
}

// VerifyWebhook checks a received Standard Webhooks message as a receiver
// does: the three headers are present, webhook-timestamp is within
// tolerance of now (DefaultWebhookTolerance when zero), and one of the
// space-separated v1 signatures matches body under secret, compared in
// constant time. It returns ErrWebhookHeaders, ErrWebhookTimestamp,
// ErrWebhookSignature, or the error of a malformed secret.
func VerifyWebhook(secret string, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	key, err := webhookKey(secret)
	if err != nil {
		return err
	}
	id, tsRaw, sigs := h.Get(WebhookIDHeader), h.Get(WebhookTimestampHeader), h.Get(WebhookSignatureHeader)
	unix, perr := strconv.ParseInt(tsRaw, 10, 64)
	if id == "" || sigs == "" || perr != nil {
		return ErrWebhookHeaders
	}
	if tolerance == 0 {
		tolerance = DefaultWebhookTolerance
	}
	if d := now.Sub(time.Unix(unix, 0)); d > tolerance || d < -tolerance {
		return ErrWebhookTimestamp
	}
	want := webhookMAC(key, id, unix, body)
	for sig := range strings.FieldsSeq(sigs) {
		version, b64, ok := strings.Cut(sig, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(b64)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return ErrWebhookSignature
}
