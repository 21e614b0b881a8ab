package postgres

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"appstore/models"
)

// OAuthClients stores apps' OAuth clients and the rotation of their secrets.
type OAuthClients struct{ *core }

// newClientID returns a public client id: OAuthClientIDPrefix and 128
// random bits.
func newClientID() string {
	b := make([]byte, 16)
	rand.Read(b) // crypto/rand never fails on supported platforms (Go 1.24+)
	return models.OAuthClientIDPrefix + strings.ToLower(models.TokenEncoding.EncodeToString(b))
}

// lockOAuthApp locks app appID against concurrent OAuth changes and returns
// its developer account, or models.ErrOAuthAppNotFound.
func lockOAuthApp(tx *gorm.DB, appID uuid.UUID) (uuid.UUID, error) {
	var acct []uuid.UUID
	err := tx.Raw(`SELECT developer_account_id FROM apps WHERE id = ? FOR NO KEY UPDATE`, appID).Scan(&acct).Error
	if err != nil {
		return uuid.Nil, err
	}
	if len(acct) == 0 {
		return uuid.Nil, models.ErrOAuthAppNotFound
	}
	return acct[0], nil
}

// lockedAppClient returns the app's own OAuth client, locked, or models.ErrOAuthNotEnabled.
func lockedAppClient(tx *gorm.DB, appID uuid.UUID) (*models.OAuthClient, error) {
	var c models.OAuthClient
	err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).
		Take(&c, "app_id = ? AND installation_id IS NULL", appID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, models.ErrOAuthNotEnabled
	}
	return &c, err
}

// oauthEvent is an event about app appID of account acct.
func oauthEvent(typ models.EventType, acct, appID uuid.UUID, data models.JSONMap) models.Event {
	return models.Event{Type: typ, DeveloperAccountID: &acct, AppID: &appID, Data: data}
}

// EnableOAuth gives app appID an enabled OAuth client. The first time, it
// creates the client with a new client id and secret, returned here once
// (only the secret's SHA-256 is stored). Enabling a disabled client again
// keeps its client id and secrets and returns secret "": nothing new is
// minted. Enabling an enabled client changes nothing. It records
// oauth.enabled when something changed, and returns a not-found error
// ("app_not_found").
func (s *OAuthClients) EnableOAuth(ctx context.Context, appID uuid.UUID) (clientID, secret string, client *models.OAuthClient, err error) {
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		acct, err := lockOAuthApp(tx, appID)
		if err != nil {
			return err
		}
		c, err := lockedAppClient(tx, appID)
		now := s.now().Truncate(time.Microsecond)
		switch {
		case errors.Is(err, models.ErrOAuthNotEnabled):
			secret = models.NewToken(models.OAuthClientSecretPrefix)
			c = &models.OAuthClient{
				ID: newID(), AppID: appID, ClientID: newClientID(), SecretHash: models.HashToken(secret), SecretGeneration: 1,
				RedirectURIs: models.StringList{}, Scopes: models.StringList{}, PKCERequired: true, Enabled: true,
				CreatedAt: now, UpdatedAt: now,
			}
			if err := tx.Create(c).Error; err != nil {
				return err
			}
		case err != nil:
			return err
		case c.Enabled:
			client = c
			return nil
		default:
			if err := tx.Model(c).Updates(map[string]any{"enabled": true, "updated_at": now}).Error; err != nil {
				return err
			}
			c.Enabled, c.UpdatedAt = true, now
		}
		client = c
		if err := tx.Exec(`UPDATE apps SET has_oauth = true WHERE id = ?`, appID).Error; err != nil {
			return err
		}
		return appendEvent(ctx, tx, oauthEvent(models.EventOAuthEnabled, acct, appID,
			models.JSONMap{"client_id": c.ClientID, "new_client": secret != ""}))
	})
	if err != nil {
		return "", "", nil, storeError("enable oauth", err)
	}
	return client.ClientID, secret, client, nil
}

// DisableOAuth disables app appID's OAuth client: its secrets stop
// verifying, but are kept for when it is enabled again. Disabling a
// disabled client changes nothing. It records oauth.disabled and returns
// not-found errors ("app_not_found", "oauth_not_enabled").
func (s *OAuthClients) DisableOAuth(ctx context.Context, appID uuid.UUID) (*models.OAuthClient, error) {
	var c *models.OAuthClient
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		acct, err := lockOAuthApp(tx, appID)
		if err != nil {
			return err
		}
		if c, err = lockedAppClient(tx, appID); err != nil || !c.Enabled {
			return err
		}
		now := s.now().Truncate(time.Microsecond)
		if err := tx.Model(c).Updates(map[string]any{"enabled": false, "updated_at": now}).Error; err != nil {
			return err
		}
		c.Enabled, c.UpdatedAt = false, now
		if err := tx.Exec(`UPDATE apps SET has_oauth = false WHERE id = ?`, appID).Error; err != nil {
			return err
		}
		return appendEvent(ctx, tx, oauthEvent(models.EventOAuthDisabled, acct, appID, models.JSONMap{"client_id": c.ClientID}))
	})
	if err != nil {
		return nil, storeError("disable oauth", err)
	}
	return c, nil
}

// GetOAuthClient returns app appID's OAuth client, or a not-found error
// ("oauth_not_enabled") when OAuth was never enabled.
func (s *OAuthClients) GetOAuthClient(ctx context.Context, appID uuid.UUID) (*models.OAuthClient, error) {
	var c models.OAuthClient
	err := s.db.WithContext(ctx).Take(&c, "app_id = ? AND installation_id IS NULL", appID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, models.ErrOAuthNotEnabled
	}
	if err != nil {
		return nil, fmt.Errorf("store: get oauth client: %w", err)
	}
	return &c, nil
}

// UpdateOAuthClient changes the set fields of app appID's OAuth client and
// records oauth.updated naming the fields that changed. production selects
// the redirect URI rules (ValidateRedirectURIs). It returns an invalid
// error ("invalid_oauth_client") listing every bad field, and not-found
// errors ("app_not_found", "oauth_not_enabled").
func (s *OAuthClients) UpdateOAuthClient(ctx context.Context, appID uuid.UUID, in models.OAuthUpdate, production bool) (*models.OAuthClient, error) {
	if errs := in.Validate(production); len(errs) > 0 {
		return nil, models.Invalid("invalid_oauth_client", "Some OAuth settings are not valid; see the fields.", errs...)
	}
	var c *models.OAuthClient
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		acct, err := lockOAuthApp(tx, appID)
		if err != nil {
			return err
		}
		if c, err = lockedAppClient(tx, appID); err != nil {
			return err
		}
		changes := map[string]any{}
		var changed []string
		if in.RedirectURIs != nil && !slices.Equal(*in.RedirectURIs, []string(c.RedirectURIs)) {
			c.RedirectURIs = append(models.StringList{}, *in.RedirectURIs...)
			changes["redirect_uris"] = c.RedirectURIs
			changed = append(changed, "redirect_uris")
		}
		if in.Scopes != nil && !slices.Equal(*in.Scopes, []string(c.Scopes)) {
			c.Scopes = append(models.StringList{}, *in.Scopes...)
			changes["scopes"] = c.Scopes
			changed = append(changed, "scopes")
		}
		if in.EntrypointURL != nil && *in.EntrypointURL != c.EntrypointURL {
			c.EntrypointURL = *in.EntrypointURL
			changes["entrypoint_url"] = c.EntrypointURL
			changed = append(changed, "entrypoint_url")
		}
		if in.PKCERequired != nil && *in.PKCERequired != c.PKCERequired {
			c.PKCERequired = *in.PKCERequired
			changes["pkce_required"] = c.PKCERequired
			changed = append(changed, "pkce_required")
		}
		if len(changes) == 0 {
			return nil
		}
		c.UpdatedAt = s.now().Truncate(time.Microsecond)
		changes["updated_at"] = c.UpdatedAt
		if err := tx.Model(&models.OAuthClient{}).Where("id = ?", c.ID).Updates(changes).Error; err != nil {
			return err
		}
		return appendEvent(ctx, tx, oauthEvent(models.EventOAuthUpdated, acct, appID,
			models.JSONMap{"client_id": c.ClientID, "changed": changed}))
	})
	if err != nil {
		return nil, storeError("update oauth client", err)
	}
	return c, nil
}
