package activities

import (
	"context"
	"fmt"
	"maps"

	"appstore/models"
)

// CredentialRef is the installation client a delivery's credentials come
// from: app.installed and secret.rotated name the client id and secret
// generation in their payload (never the secret).
func CredentialRef(d *models.WebhookDelivery) (clientID string, generation int, ok bool) {
	if d.EventType != models.EventAppInstalled && d.EventType != models.EventSecretRotated {
		return "", 0, false
	}
	clientID, _ = d.Payload["client_id"].(string)
	switch g := d.Payload["secret_generation"].(type) {
	case float64:
		generation = int(g)
	case int:
		generation = g
	}
	return clientID, generation, clientID != "" && generation > 0
}

// WithCredentials returns a copy of d whose payload also carries the
// client id and, when there is one, the secret, for the body of one
// attempt only: the row keeps no secret.
func WithCredentials(d *models.WebhookDelivery, clientID, secret string) *models.WebhookDelivery {
	out := *d
	out.Payload = maps.Clone(d.Payload)
	if out.Payload == nil {
		out.Payload = models.JSONMap{}
	}
	out.Payload["client_id"] = clientID
	if secret != "" {
		out.Payload["client_secret"] = secret
	}
	return &out
}

// webhookBody is WebhookBody, with the installation client's credentials
// read and decrypted at send time for the events that deliver them. Once
// delivered (the copy erased) or replaced by a later generation, a
// redelivery carries the client id alone.
func (a *Activities) webhookBody(ctx context.Context, d *models.WebhookDelivery) ([]byte, error) {
	clientID, gen, ok := CredentialRef(d)
	if !ok {
		return WebhookBody(d)
	}
	secret, err := a.Store.InstallationSecret(ctx, clientID, gen)
	if err != nil {
		return nil, fmt.Errorf("webhook credentials: %w", err)
	}
	return WebhookBody(WithCredentials(d, clientID, secret))
}
