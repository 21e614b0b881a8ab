package postgres

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"appstore/models"
)

func webhookSecretPurpose(appID uuid.UUID) string { return "apps.webhook_secret:" + appID.String() }

// newWebhookSecret is whsec_ + base64 of 32 random bytes, the form Standard
// Webhooks receivers expect.
func newWebhookSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return models.WebhookSecretPrefix + base64.StdEncoding.EncodeToString(b)
}

// SetAppWebhookURL sets (or, with "", clears) the URL that receives the
// app's installation events. It carries installation secrets, so it keeps
// the webhook URL rules of developer endpoints (models.WebhookURLProblem
// under the store's URLRules). The first time a URL is set, a signing secret
// is made and returned, once; it is stored encrypted and kept when the URL
// later changes or is cleared. secret is "" on every other call.
func (s *Apps) SetAppWebhookURL(ctx context.Context, appID uuid.UUID, rawURL string) (app *models.App, secret string, err error) {
	raw := strings.TrimSpace(rawURL)
	if raw != "" {
		if p := models.WebhookURLProblem(raw, s.urls); p != "" {
			return nil, "", models.Invalid("invalid_webhook_url", "The webhook URL "+p+".", models.FieldError{Field: "webhook_url", Message: p})
		}
	}
	var a models.App
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&a, "id = ?", appID).Error; err != nil {
			return err
		}
		data := models.JSONMap{"webhook_url": raw}
		if raw != "" && a.WebhookSecretCiphertext == nil {
			if s.enc == nil {
				return models.ErrNoEncrypter
			}
			secret = newWebhookSecret()
			now := s.now().Truncate(time.Microsecond)
			a.WebhookSecretCiphertext = s.enc.Encrypt([]byte(secret), webhookSecretPurpose(a.ID))
			a.WebhookSecretCreatedAt = &now
			data["signing_secret_created"] = true
		}
		if a.WebhookURL == raw && secret == "" {
			return nil
		}
		a.WebhookURL = raw
		a.UpdatedAt = s.now()
		if err := tx.Model(&a).Select("webhook_url", "webhook_secret_ciphertext", "webhook_secret_created_at", "updated_at").Updates(&a).Error; err != nil {
			return err
		}
		return appendEvent(ctx, tx, models.Event{Type: models.EventAppWebhookUpdated, DeveloperAccountID: &a.DeveloperAccountID, AppID: &a.ID, Data: data})
	})
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, "", models.ErrAppNotFound
	}
	if err != nil {
		return nil, "", storeError("set app webhook url", err)
	}
	return &a, secret, nil
}

// AppWebhookSecret decrypts the app's signing secret, for signing
// deliveries. It returns a not-found error ("webhook_secret_not_set") when
// the app has none.
func (s *Apps) AppWebhookSecret(ctx context.Context, appID uuid.UUID) (string, error) {
	app, err := s.GetApp(ctx, appID)
	if err != nil {
		return "", err
	}
	if app.WebhookSecretCiphertext == nil {
		return "", &models.Error{Kind: models.KindNotFound, Code: "webhook_secret_not_set", Message: "The app has no webhook signing secret yet."}
	}
	if s.enc == nil {
		return "", models.ErrNoEncrypter
	}
	plain, err := s.enc.Decrypt(app.WebhookSecretCiphertext, webhookSecretPurpose(app.ID))
	if err != nil {
		return "", fmt.Errorf("store: app webhook secret: %w", err)
	}
	return string(plain), nil
}

// SetAppStaffFlags sets verified and is_first_party (platform staff only;
// the API checks who asks).
func (s *Apps) SetAppStaffFlags(ctx context.Context, appID uuid.UUID, in models.AppStaffFlags) (*models.App, error) {
	var a models.App
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&a, "id = ?", appID).Error; err != nil {
			return err
		}
		data := models.JSONMap{}
		if in.Verified != nil && *in.Verified != a.Verified {
			a.Verified, data["verified"] = *in.Verified, *in.Verified
		}
		if in.IsFirstParty != nil && *in.IsFirstParty != a.IsFirstParty {
			a.IsFirstParty, data["is_first_party"] = *in.IsFirstParty, *in.IsFirstParty
		}
		if len(data) == 0 {
			return nil
		}
		a.UpdatedAt = s.now()
		if err := tx.Model(&a).Select("verified", "is_first_party", "updated_at").Updates(&a).Error; err != nil {
			return err
		}
		return appendEvent(ctx, tx, models.Event{Type: models.EventAppStaffFlagsChanged, DeveloperAccountID: &a.DeveloperAccountID, AppID: &a.ID, Data: data})
	})
	if err != nil {
		return nil, storeError("set app staff flags", notFoundAs(err, models.ErrAppNotFound))
	}
	return &a, nil
}
