package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"appstore/models"
)

// Webhooks stores developer accounts' webhook endpoints and the deliveries to
// them.
type Webhooks struct{ *core }

// webhookEndpointSecretPurpose binds an endpoint's secret ciphertext to its
// row: copied to another row, it no longer decrypts.
func webhookEndpointSecretPurpose(id uuid.UUID) string {
	return "webhook_endpoints.secret:" + id.String()
}

// CreateWebhookEndpoint adds an endpoint to developer account accountID
// and returns it with its signing secret (whsec_ + base64 of 32 random
// bytes), which is stored encrypted and never returned again. production
// selects the URL rules (https only, no internal hosts). It records
// webhook_endpoint.created. It returns an invalid error
// ("invalid_webhook_endpoint") listing every bad field, a conflict
// ("too_many_webhook_endpoints") past MaxWebhookEndpoints, and a not-found
// error when the account does not exist.
func (s *Webhooks) CreateWebhookEndpoint(ctx context.Context, accountID uuid.UUID, in models.WebhookEndpointInput, production bool) (*models.WebhookEndpoint, string, error) {
	url, desc := strings.TrimSpace(in.URL), strings.TrimSpace(in.Description)
	types, errs := models.WebhookEndpointProblems(url, desc, in.EventTypes, production, s.urls.AllowInternal)
	if len(errs) > 0 {
		return nil, "", models.Invalid("invalid_webhook_endpoint", "Some fields of the endpoint need fixing; nothing was saved.", errs...)
	}
	if s.enc == nil {
		return nil, "", models.ErrNoEncrypter
	}
	now := s.now()
	ep := &models.WebhookEndpoint{ID: newID(), DeveloperAccountID: accountID, URL: url, Description: desc, EventTypes: types,
		Status: models.WebhookEndpointEnabled, CreatedBy: models.AuditFrom(ctx).ActorID, CreatedAt: now, UpdatedAt: now}
	secret := newWebhookSecret()
	ep.SecretCiphertext = s.enc.Encrypt([]byte(secret), webhookEndpointSecretPurpose(ep.ID))
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Locks the account: concurrent creations count one after the other.
		var found []uuid.UUID
		if err := tx.Raw(`SELECT id FROM developer_accounts WHERE id = ? FOR UPDATE`, accountID).Scan(&found).Error; err != nil {
			return err
		}
		if len(found) == 0 {
			return models.ErrDeveloperAccountNotFound
		}
		var n int64
		if err := tx.Model(&models.WebhookEndpoint{}).Where("developer_account_id = ?", accountID).Count(&n).Error; err != nil {
			return err
		}
		if n >= models.MaxWebhookEndpoints {
			return models.Errorf(models.KindConflict, "too_many_webhook_endpoints", "A developer account can have at most %d webhook endpoints; delete one first.", models.MaxWebhookEndpoints)
		}
		if err := tx.Create(ep).Error; err != nil {
			return err
		}
		return appendEvent(ctx, tx, models.Event{Type: models.EventWebhookEndpointAdded, DeveloperAccountID: &accountID,
			Data: models.JSONMap{"endpoint_id": ep.ID.String(), "url": ep.URL, "event_types": ep.EventTypes}})
	})
	if err != nil {
		return nil, "", storeError("create webhook endpoint", err)
	}
	return ep, secret, nil
}

// ListWebhookEndpoints returns every endpoint of developer account
// accountID (at most MaxWebhookEndpoints), newest first.
func (s *Webhooks) ListWebhookEndpoints(ctx context.Context, accountID uuid.UUID) ([]models.WebhookEndpoint, error) {
	eps := []models.WebhookEndpoint{}
	err := s.db.WithContext(ctx).Where("developer_account_id = ?", accountID).Order("created_at DESC, id DESC").Find(&eps).Error
	if err != nil {
		return nil, fmt.Errorf("store: list webhook endpoints: %w", err)
	}
	return eps, nil
}

// GetWebhookEndpoint returns endpoint id, or a not-found error
// ("webhook_endpoint_not_found").
func (s *Webhooks) GetWebhookEndpoint(ctx context.Context, id uuid.UUID) (*models.WebhookEndpoint, error) {
	var ep models.WebhookEndpoint
	if err := first(s.db.WithContext(ctx), &ep, "get webhook endpoint", models.ErrWebhookEndpointNotFound, "id = ?", id); err != nil {
		return nil, err
	}
	return &ep, nil
}

// UpdateWebhookEndpoint changes the fields in sets. Disabling records
// webhook_endpoint.disabled, enabling webhook_endpoint.enabled (and clears
// the reason it was disabled), other changes webhook_endpoint.updated
// naming the fields. It returns an invalid error
// ("invalid_webhook_endpoint") and changes nothing when a field is bad,
// and a not-found error when there is no such endpoint.
func (s *Webhooks) UpdateWebhookEndpoint(ctx context.Context, id uuid.UUID, in models.WebhookEndpointUpdate, production bool) (*models.WebhookEndpoint, error) {
	var ep models.WebhookEndpoint
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&ep, "id = ?", id).Error; err != nil {
			return err
		}
		url, desc, rawTypes := ep.URL, ep.Description, make([]string, len(ep.EventTypes))
		for i, t := range ep.EventTypes {
			rawTypes[i] = string(t)
		}
		if in.URL != nil {
			url = strings.TrimSpace(*in.URL)
		}
		if in.Description != nil {
			desc = strings.TrimSpace(*in.Description)
		}
		if in.EventTypes != nil {
			rawTypes = *in.EventTypes
		}
		types, errs := models.WebhookEndpointProblems(url, desc, rawTypes, production && in.URL != nil, s.urls.AllowInternal)
		if in.URL == nil {
			// An unchanged URL stays valid even if the rules were stricter
			// when it was saved elsewhere (a development database).
			errs = slices.DeleteFunc(errs, func(e models.FieldError) bool { return e.Field == "url" })
		}
		if len(errs) > 0 {
			return models.Invalid("invalid_webhook_endpoint", "Some fields of the endpoint need fixing; nothing was saved.", errs...)
		}
		var changed []string
		if url != ep.URL {
			changed, ep.URL = append(changed, "url"), url
		}
		if desc != ep.Description {
			changed, ep.Description = append(changed, "description"), desc
		}
		if !slices.Equal(types, ep.EventTypes) {
			changed, ep.EventTypes = append(changed, "event_types"), types
		}
		var events []models.Event
		if len(changed) > 0 {
			events = append(events, models.Event{Type: models.EventWebhookEndpointUpdated, Data: models.JSONMap{"endpoint_id": ep.ID.String(), "fields": changed}})
		}
		if in.Enabled != nil && *in.Enabled != ep.Enabled() {
			if *in.Enabled {
				ep.Status, ep.DisabledReason = models.WebhookEndpointEnabled, ""
				events = append(events, models.Event{Type: models.EventWebhookEndpointEnabled, Data: models.JSONMap{"endpoint_id": ep.ID.String()}})
			} else {
				ep.Status, ep.DisabledReason = models.WebhookEndpointDisabled, "Disabled by a developer."
				events = append(events, models.Event{Type: models.EventWebhookEndpointOff, Data: models.JSONMap{"endpoint_id": ep.ID.String(), "reason": "manual"}})
			}
		}
		if len(events) == 0 {
			return nil
		}
		ep.UpdatedAt = s.now()
		if err := tx.Model(&ep).Select("url", "description", "event_types", "status", "disabled_reason", "updated_at").Updates(&ep).Error; err != nil {
			return err
		}
		for _, e := range events {
			e.DeveloperAccountID = &ep.DeveloperAccountID
			if err := appendEvent(ctx, tx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, storeError("update webhook endpoint", notFoundAs(err, models.ErrWebhookEndpointNotFound))
	}
	return &ep, nil
}

// DeleteWebhookEndpoint deletes endpoint id with its deliveries and their
// attempts, and records webhook_endpoint.deleted. Deliveries under way
// find their row gone and stop. It returns a not-found error when there
// is no such endpoint.
func (s *Webhooks) DeleteWebhookEndpoint(ctx context.Context, id uuid.UUID) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var ep models.WebhookEndpoint
		if err := tx.Clauses(clause.Returning{}).Where("id = ?", id).Delete(&ep).Error; err != nil {
			return err
		}
		if ep.ID == uuid.Nil {
			return models.ErrWebhookEndpointNotFound
		}
		return appendEvent(ctx, tx, models.Event{Type: models.EventWebhookEndpointGone, DeveloperAccountID: &ep.DeveloperAccountID,
			Data: models.JSONMap{"endpoint_id": ep.ID.String(), "url": ep.URL}})
	})
	return storeError("delete webhook endpoint", err)
}

// RotateWebhookEndpointSecret replaces the endpoint's signing secret and
// returns the new one, once. Attempts from now on are signed with it only,
// so the receiver must switch at once. It records
// webhook_endpoint.secret_rotated and returns a not-found error when there
// is no such endpoint.
func (s *Webhooks) RotateWebhookEndpointSecret(ctx context.Context, id uuid.UUID) (*models.WebhookEndpoint, string, error) {
	if s.enc == nil {
		return nil, "", models.ErrNoEncrypter
	}
	secret := newWebhookSecret()
	var ep models.WebhookEndpoint
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&ep, "id = ?", id).Error; err != nil {
			return err
		}
		ep.SecretCiphertext = s.enc.Encrypt([]byte(secret), webhookEndpointSecretPurpose(ep.ID))
		ep.UpdatedAt = s.now()
		if err := tx.Model(&ep).Select("secret_ciphertext", "updated_at").Updates(&ep).Error; err != nil {
			return err
		}
		return appendEvent(ctx, tx, models.Event{Type: models.EventWebhookSecretRotated, DeveloperAccountID: &ep.DeveloperAccountID,
			Data: models.JSONMap{"endpoint_id": ep.ID.String()}})
	})
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, "", models.ErrWebhookEndpointNotFound
	}
	if err != nil {
		return nil, "", storeError("rotate webhook endpoint secret", err)
	}
	return &ep, secret, nil
}

// DisableWebhookEndpoint disables an enabled endpoint for reason (a 410
// from the receiver) and records webhook_endpoint.disabled; it reports
// whether it did. An endpoint already disabled, or gone, is left alone,
// so a retried activity records one event.
func (s *Webhooks) DisableWebhookEndpoint(ctx context.Context, id uuid.UUID, reason string) (bool, error) {
	disabled := false
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var ep models.WebhookEndpoint
		res := tx.Model(&ep).Clauses(clause.Returning{}).
			Where("id = ? AND status = ?", id, models.WebhookEndpointEnabled).
			Updates(map[string]any{"status": models.WebhookEndpointDisabled, "disabled_reason": reason, "updated_at": s.now()})
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		disabled = true
		return appendEvent(ctx, tx, models.Event{Type: models.EventWebhookEndpointOff, DeveloperAccountID: &ep.DeveloperAccountID,
			Data: models.JSONMap{"endpoint_id": ep.ID.String(), "reason": reason}})
	})
	if err != nil {
		return false, storeError("disable webhook endpoint", err)
	}
	return disabled, nil
}
