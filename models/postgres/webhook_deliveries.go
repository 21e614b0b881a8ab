package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"appstore/models"
)

// onDedupeKey makes an insert of deliveries idempotent by dedupe key.
var onDedupeKey = clause.OnConflict{Columns: []clause.Column{{Name: "dedupe_key"}}, DoNothing: true}

// enqueueDeveloperEventTx inserts, inside tx, one pending delivery of
// eventType with payload for every enabled endpoint of developer account
// accountID that subscribes to it. Each dedupe key is
// dedupePrefix:endpointID, and an existing key is left alone, so a retried
// caller inserts nothing twice. It returns the ids of every delivery with
// that prefix, new or already there, oldest first, for StartWebhookDeliveries.
// payload must hold no secrets.
func (c *core) enqueueDeveloperEventTx(tx *gorm.DB, accountID uuid.UUID, eventType models.EventType, dedupePrefix string, payload models.JSONMap) ([]uuid.UUID, error) {
	var eps []models.WebhookEndpoint
	if err := tx.Select("id", "status", "event_types").Where("developer_account_id = ?", accountID).Find(&eps).Error; err != nil {
		return nil, fmt.Errorf("enqueue %s: endpoints: %w", eventType, err)
	}
	now := c.now()
	keys := make([]string, 0, len(eps))
	var rows []models.WebhookDelivery
	for _, ep := range eps {
		key := dedupePrefix + ":" + ep.ID.String()
		// Every endpoint's key is looked up: one disabled since the first
		// try keeps the delivery that try made.
		keys = append(keys, key)
		if ep.Enabled() && ep.Subscribes(eventType) {
			rows = append(rows, models.WebhookDelivery{ID: newID(), EndpointID: &ep.ID, DeveloperAccountID: accountID,
				EventType: eventType, Payload: payload, DedupeKey: key, Status: models.WebhookPending, CreatedAt: now, UpdatedAt: now})
		}
	}
	if len(rows) > 0 {
		if err := tx.Clauses(onDedupeKey).Create(&rows).Error; err != nil {
			return nil, fmt.Errorf("enqueue %s: %w", eventType, err)
		}
	}
	return deliveryIDsByKey(tx, keys)
}

// enqueueAppEventTx inserts, inside tx, a pending delivery of eventType to
// app appID's own webhook URL under dedupeKey, unless one with that key
// exists. It returns the delivery's id (new or already there), or no id
// when the app has no webhook URL and none was made before. It returns a
// not-found error ("app_not_found") when there is no such app.
func (c *core) enqueueAppEventTx(tx *gorm.DB, appID uuid.UUID, eventType models.EventType, dedupeKey string, payload models.JSONMap) ([]uuid.UUID, error) {
	var app models.App
	err := tx.Select("id", "developer_account_id", "webhook_url", "webhook_secret_ciphertext").First(&app, "id = ?", appID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, models.ErrAppNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("enqueue %s: app: %w", eventType, err)
	}
	if app.WebhookURL != "" && app.WebhookSecretCiphertext != nil {
		now := c.now()
		row := models.WebhookDelivery{ID: newID(), AppID: &app.ID, DeveloperAccountID: app.DeveloperAccountID, EventType: eventType,
			Payload: payload, DedupeKey: dedupeKey, Status: models.WebhookPending, CreatedAt: now, UpdatedAt: now}
		if err := tx.Clauses(onDedupeKey).Create(&row).Error; err != nil {
			return nil, fmt.Errorf("enqueue %s: %w", eventType, err)
		}
	}
	return deliveryIDsByKey(tx, []string{dedupeKey})
}

// deliveryIDsByKey returns the ids of the deliveries with these dedupe
// keys (an index probe each), oldest first.
func deliveryIDsByKey(tx *gorm.DB, keys []string) ([]uuid.UUID, error) {
	ids := []uuid.UUID{}
	if len(keys) == 0 {
		return ids, nil
	}
	err := tx.Model(&models.WebhookDelivery{}).Where("dedupe_key IN ?", keys).Order("created_at, id").Pluck("id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("delivery ids: %w", err)
	}
	return ids, nil
}

// EnqueueDeveloperEvent is enqueueDeveloperEventTx in a transaction of its
// own, for callers with nothing else to write.
func (s *Webhooks) EnqueueDeveloperEvent(ctx context.Context, accountID uuid.UUID, eventType models.EventType, dedupePrefix string, payload models.JSONMap) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		ids, err = s.enqueueDeveloperEventTx(tx, accountID, eventType, dedupePrefix, payload)
		return err
	})
	return ids, storeError("enqueue developer event", err)
}

// ListWebhookDeliveries returns a page of f's developer account's
// deliveries (to its endpoints and to its apps' webhook URLs), newest
// first. It returns an invalid error for a bad cursor or limit.
func (s *Webhooks) ListWebhookDeliveries(ctx context.Context, f models.WebhookDeliveryFilter) (*models.WebhookDeliveryPage, error) {
	limit := f.Limit
	if limit == 0 {
		limit = models.DefaultWebhookDeliveryLimit
	}
	if limit < 1 || limit > models.MaxWebhookDeliveryLimit {
		return nil, models.Invalid("invalid_limit", fmt.Sprintf("limit must be between 1 and %d.", models.MaxWebhookDeliveryLimit),
			models.FieldError{Field: "limit", Message: fmt.Sprintf("must be between 1 and %d", models.MaxWebhookDeliveryLimit)})
	}
	q := s.db.WithContext(ctx).Model(&models.WebhookDelivery{}).Where("developer_account_id = ?", f.DeveloperAccountID)
	if f.EndpointID != nil {
		q = q.Where("endpoint_id = ?", *f.EndpointID)
	}
	items, next, err := keysetPage(q, f.Cursor, limit, func(d *models.WebhookDelivery) models.Cursor { return models.Cursor{CreatedAt: d.CreatedAt, ID: d.ID} })
	if err == nil && f.WithAttempts {
		err = s.fillAttempts(ctx, items)
	}
	if err != nil {
		return nil, storeError("list webhook deliveries", err)
	}
	return &models.WebhookDeliveryPage{Items: items, NextCursor: next}, nil
}

// fillAttempts loads the attempts of ds in one query.
func (s *Webhooks) fillAttempts(ctx context.Context, ds []models.WebhookDelivery) error {
	if len(ds) == 0 {
		return nil
	}
	ids := make([]uuid.UUID, len(ds))
	for i, d := range ds {
		ids[i] = d.ID
	}
	var attempts []models.WebhookAttempt
	if err := s.db.WithContext(ctx).Where("delivery_id IN ?", ids).Order("attempt").Find(&attempts).Error; err != nil {
		return err
	}
	for i := range ds {
		ds[i].Attempts = []models.WebhookAttempt{}
		for _, a := range attempts {
			if a.DeliveryID == ds[i].ID {
				ds[i].Attempts = append(ds[i].Attempts, a)
			}
		}
	}
	return nil
}

// GetWebhookDelivery returns delivery id with its attempts, or a not-found
// error ("webhook_delivery_not_found").
func (s *Webhooks) GetWebhookDelivery(ctx context.Context, id uuid.UUID) (*models.WebhookDelivery, error) {
	var d models.WebhookDelivery
	err := s.db.WithContext(ctx).First(&d, "id = ?", id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, models.ErrWebhookDeliveryNotFound
	}
	if err == nil {
		ds := []models.WebhookDelivery{d}
		err = s.fillAttempts(ctx, ds)
		d = ds[0]
	}
	if err != nil {
		return nil, fmt.Errorf("store: get webhook delivery: %w", err)
	}
	return &d, nil
}

// SendWebhookTest makes a pending ping delivery to endpoint endpointID,
// whatever events it subscribes to, and records
// webhook_endpoint.test_sent. The caller starts its WebhookDelivery. It
// returns a not-found error for no such endpoint and a conflict
// ("webhook_endpoint_disabled") for a disabled one.
func (s *Webhooks) SendWebhookTest(ctx context.Context, endpointID uuid.UUID) (*models.WebhookDelivery, error) {
	var d models.WebhookDelivery
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var ep models.WebhookEndpoint
		if err := tx.Clauses(clause.Locking{Strength: "SHARE"}).First(&ep, "id = ?", endpointID).Error; err != nil {
			return err
		}
		if !ep.Enabled() {
			return models.ErrWebhookEndpointDisabled
		}
		now := s.now()
		d = models.WebhookDelivery{ID: newID(), EndpointID: &ep.ID, DeveloperAccountID: ep.DeveloperAccountID, EventType: models.EventWebhookPing,
			Payload: models.JSONMap{"endpoint_id": ep.ID.String(), "message": "A test event sent from the Appstore developer portal."},
			Status:  models.WebhookPending, CreatedAt: now, UpdatedAt: now}
		d.DedupeKey = "ping:" + d.ID.String()
		if err := tx.Create(&d).Error; err != nil {
			return err
		}
		return appendEvent(ctx, tx, models.Event{Type: models.EventWebhookTestSent, DeveloperAccountID: &ep.DeveloperAccountID,
			Data: models.JSONMap{"endpoint_id": ep.ID.String(), "delivery_id": d.ID.String()}})
	})
	if err != nil {
		return nil, storeError("send webhook test", notFoundAs(err, models.ErrWebhookEndpointNotFound))
	}
	return &d, nil
}

// RedeliverWebhook makes a new pending delivery with the same target, event
// and payload as delivery id (so a new webhook-id), redelivery_of naming
// it, and records webhook_delivery.redelivered. The caller starts its
// WebhookDelivery. It returns a not-found error for no such delivery and a
// conflict ("webhook_endpoint_disabled") when its endpoint is disabled.
func (s *Webhooks) RedeliverWebhook(ctx context.Context, id uuid.UUID) (*models.WebhookDelivery, error) {
	var d models.WebhookDelivery
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var orig models.WebhookDelivery
		if err := tx.First(&orig, "id = ?", id).Error; err != nil {
			return err
		}
		if orig.EndpointID != nil {
			var ep models.WebhookEndpoint
			if err := tx.Clauses(clause.Locking{Strength: "SHARE"}).Select("id", "status").First(&ep, "id = ?", *orig.EndpointID).Error; err != nil {
				return err
			}
			if !ep.Enabled() {
				return models.ErrWebhookEndpointDisabled
			}
		}
		now := s.now()
		d = models.WebhookDelivery{ID: newID(), EndpointID: orig.EndpointID, AppID: orig.AppID, DeveloperAccountID: orig.DeveloperAccountID,
			EventType: orig.EventType, Payload: orig.Payload, RedeliveryOf: &orig.ID, Status: models.WebhookPending, CreatedAt: now, UpdatedAt: now}
		d.DedupeKey = "redeliver:" + d.ID.String()
		if err := tx.Create(&d).Error; err != nil {
			return err
		}
		return appendEvent(ctx, tx, models.Event{Type: models.EventWebhookRedelivered, DeveloperAccountID: &d.DeveloperAccountID, AppID: d.AppID,
			Data: models.JSONMap{"delivery_id": d.ID.String(), "redelivery_of": orig.ID.String(), "event_type": string(d.EventType)}})
	})
	if err != nil {
		return nil, storeError("redeliver webhook", notFoundAs(err, models.ErrWebhookDeliveryNotFound))
	}
	return &d, nil
}

// WebhookDeliveryTarget loads delivery id and where it goes: its
// endpoint's URL and decrypted secret, or its app's webhook URL and
// secret. A disabled endpoint, or an app without a webhook URL, comes back
// with Enabled false and no secret. It returns a not-found error when the
// delivery (or its endpoint, deleted with it) is gone.
func (s *Webhooks) WebhookDeliveryTarget(ctx context.Context, id uuid.UUID) (*models.WebhookTarget, error) {
	db := s.db.WithContext(ctx)
	var t models.WebhookTarget
	err := db.First(&t.Delivery, "id = ?", id).Error
	var cipher []byte
	var purpose string
	switch {
	case err != nil:
	case t.Delivery.EndpointID != nil:
		var ep models.WebhookEndpoint
		if err = db.First(&ep, "id = ?", *t.Delivery.EndpointID).Error; err == nil {
			t.URL, t.Enabled, cipher, purpose = ep.URL, ep.Enabled(), ep.SecretCiphertext, webhookEndpointSecretPurpose(ep.ID)
			if !t.Enabled {
				t.Reason = "The endpoint is disabled."
			}
		}
	default:
		var app models.App
		if err = db.Select("id", "webhook_url", "webhook_secret_ciphertext").First(&app, "id = ?", *t.Delivery.AppID).Error; err == nil {
			t.URL, t.Enabled, cipher, purpose = app.WebhookURL, app.WebhookURL != "" && app.WebhookSecretCiphertext != nil,
				app.WebhookSecretCiphertext, webhookSecretPurpose(app.ID)
			if !t.Enabled {
				t.Reason = "The app has no webhook URL."
			}
		}
	}
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, models.ErrWebhookDeliveryNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: webhook delivery target: %w", err)
	}
	if t.Enabled {
		if s.enc == nil {
			return nil, models.ErrNoEncrypter
		}
		plain, err := s.enc.Decrypt(cipher, purpose)
		if err != nil {
			return nil, fmt.Errorf("store: webhook delivery target %s: %w", id, err)
		}
		t.Secret = string(plain)
	}
	return &t, nil
}

// FindWebhookAttempt returns attempt number attempt of delivery id, or a
// not-found error when it was not recorded.
func (s *Webhooks) FindWebhookAttempt(ctx context.Context, deliveryID uuid.UUID, attempt int) (*models.WebhookAttempt, error) {
	var a models.WebhookAttempt
	if err := first(s.db.WithContext(ctx), &a, "find webhook attempt", models.ErrNotFound, "delivery_id = ? AND attempt = ?", deliveryID, attempt); err != nil {
		return nil, err
	}
	return &a, nil
}

// RecordWebhookAttempt records an attempt and copies its outcome onto the
// delivery. An attempt number already recorded is left as it is (a
// retried activity), and the call reports false. It returns a not-found
// error when the delivery is gone.
func (s *Webhooks) RecordWebhookAttempt(ctx context.Context, rec models.WebhookAttemptRecord) (bool, error) {
	recorded := false
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		a := models.WebhookAttempt{ID: newID(), DeliveryID: rec.DeliveryID, Attempt: rec.Attempt, StatusCode: rec.StatusCode,
			LatencyMS: rec.LatencyMS, Error: rec.Error, CreatedAt: s.now()}
		res := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "delivery_id"}, {Name: "attempt"}}, DoNothing: true}).Create(&a)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		recorded = true
		return tx.Model(&models.WebhookDelivery{}).Where("id = ?", rec.DeliveryID).Updates(map[string]any{
			"attempt_count":    gorm.Expr("greatest(attempt_count, ?)", rec.Attempt),
			"last_status_code": rec.StatusCode,
			"last_error":       rec.Error,
			"next_attempt_at":  rec.NextAttemptAt,
			"updated_at":       s.now(),
		}).Error
	})
	if errors.Is(err, gorm.ErrForeignKeyViolated) {
		return false, models.ErrWebhookDeliveryNotFound
	}
	if err != nil {
		return false, storeError("record webhook attempt", err)
	}
	return recorded, nil
}

// FinishWebhookDelivery marks a pending delivery delivered or failed
// (failed with reason as its last error, when reason is set) and reports
// whether it did: a delivery already finished, or gone, is left alone.
func (s *Webhooks) FinishWebhookDelivery(ctx context.Context, id uuid.UUID, status models.WebhookDeliveryStatus, reason string) (bool, error) {
	if status != models.WebhookDelivered && status != models.WebhookFailed {
		return false, models.Invalid("invalid_delivery_status", fmt.Sprintf("A delivery finishes delivered or failed, not %q.", status))
	}
	now := s.now()
	set := map[string]any{"status": status, "next_attempt_at": nil, "updated_at": now}
	if status == models.WebhookDelivered {
		set["delivered_at"] = now
	} else if reason != "" {
		set["last_error"] = reason
	}
	res := s.db.WithContext(ctx).Model(&models.WebhookDelivery{}).Where("id = ? AND status = ?", id, models.WebhookPending).Updates(set)
	if res.Error != nil {
		return false, fmt.Errorf("store: finish webhook delivery: %w", res.Error)
	}
	return res.RowsAffected > 0, nil
}
