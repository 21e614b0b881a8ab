package models

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
)

var (
	errOAuthAppNotFound = &Error{Kind: KindNotFound, Code: "app_not_found", Message: "No such app."}
	errOAuthNotEnabled  = &Error{Kind: KindNotFound, Code: "oauth_not_enabled",
		Message: "OAuth has never been enabled for this app."}
	errOAuthDisabled = &Error{Kind: KindConflict, Code: "oauth_disabled",
		Message: "OAuth is disabled for this app: enable it before rotating its secret."}
	// One error for an unknown client, a disabled one and a wrong or
	// expired secret: the caller learns nothing about which.
	errInvalidClient = &Error{Kind: KindUnauthorized, Code: "invalid_client",
		Message: "Unknown client, or wrong client secret."}
)

// newClientID returns a public client id: OAuthClientIDPrefix and 128
// random bits.
func newClientID() string {
	b := make([]byte, 16)
	rand.Read(b) // crypto/rand never fails on supported platforms (Go 1.24+)
	return OAuthClientIDPrefix + strings.ToLower(tokenEncoding.EncodeToString(b))
}

// lockOAuthApp locks app appID against concurrent OAuth changes and returns
// its developer account, or errOAuthAppNotFound.
func lockOAuthApp(tx *gorm.DB, appID uuid.UUID) (uuid.UUID, error) {
	var acct []uuid.UUID
	err := tx.Raw(`SELECT developer_account_id FROM apps WHERE id = ? FOR NO KEY UPDATE`, appID).Scan(&acct).Error
	if err != nil {
		return uuid.Nil, err
	}
	if len(acct) == 0 {
		return uuid.Nil, errOAuthAppNotFound
	}
	return acct[0], nil
}

// lockedAppClient returns the app's own OAuth client, locked, or errOAuthNotEnabled.
func lockedAppClient(tx *gorm.DB, appID uuid.UUID) (*OAuthClient, error) {
	var c OAuthClient
	err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).
		Take(&c, "app_id = ? AND installation_id IS NULL", appID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errOAuthNotEnabled
	}
	return &c, err
}

// oauthEvent is an event about app appID of account acct.
func oauthEvent(typ EventType, acct, appID uuid.UUID, data JSONMap) Event {
	return Event{Type: typ, DeveloperAccountID: &acct, AppID: &appID, Data: data}
}

// EnableOAuth gives app appID an enabled OAuth client. The first time, it
// creates the client with a new client id and secret, returned here once
// (only the secret's SHA-256 is stored). Enabling a disabled client again
// keeps its client id and secrets and returns secret "": nothing new is
// minted. Enabling an enabled client changes nothing. It records
// oauth.enabled when something changed, and returns a not-found error
// ("app_not_found").
func (s *Store) EnableOAuth(ctx context.Context, appID uuid.UUID) (clientID, secret string, client *OAuthClient, err error) {
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		acct, err := lockOAuthApp(tx, appID)
		if err != nil {
			return err
		}
		c, err := lockedAppClient(tx, appID)
		now := s.now().Truncate(time.Microsecond)
		switch {
		case errors.Is(err, errOAuthNotEnabled):
			secret = NewToken(OAuthClientSecretPrefix)
			c = &OAuthClient{
				ID: newID(), AppID: appID, ClientID: newClientID(), SecretHash: HashToken(secret), SecretGeneration: 1,
				RedirectURIs: StringList{}, Scopes: StringList{}, PKCERequired: true, Enabled: true,
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
		return appendEvent(ctx, tx, oauthEvent(EventOAuthEnabled, acct, appID,
			JSONMap{"client_id": c.ClientID, "new_client": secret != ""}))
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
func (s *Store) DisableOAuth(ctx context.Context, appID uuid.UUID) (*OAuthClient, error) {
	var c *OAuthClient
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
		return appendEvent(ctx, tx, oauthEvent(EventOAuthDisabled, acct, appID, JSONMap{"client_id": c.ClientID}))
	})
	if err != nil {
		return nil, storeError("disable oauth", err)
	}
	return c, nil
}

// GetOAuthClient returns app appID's OAuth client, or a not-found error
// ("oauth_not_enabled") when OAuth was never enabled.
func (s *Store) GetOAuthClient(ctx context.Context, appID uuid.UUID) (*OAuthClient, error) {
	var c OAuthClient
	err := s.db.WithContext(ctx).Take(&c, "app_id = ? AND installation_id IS NULL", appID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errOAuthNotEnabled
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
func (s *Store) UpdateOAuthClient(ctx context.Context, appID uuid.UUID, in OAuthUpdate, production bool) (*OAuthClient, error) {
	if errs := in.validate(production); len(errs) > 0 {
		return nil, Invalid("invalid_oauth_client", "Some OAuth settings are not valid; see the fields.", errs...)
	}
	var c *OAuthClient
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
			c.RedirectURIs = append(StringList{}, *in.RedirectURIs...)
			changes["redirect_uris"] = c.RedirectURIs
			changed = append(changed, "redirect_uris")
		}
		if in.Scopes != nil && !slices.Equal(*in.Scopes, []string(c.Scopes)) {
			c.Scopes = append(StringList{}, *in.Scopes...)
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
		if err := tx.Model(&OAuthClient{}).Where("id = ?", c.ID).Updates(changes).Error; err != nil {
			return err
		}
		return appendEvent(ctx, tx, oauthEvent(EventOAuthUpdated, acct, appID,
			JSONMap{"client_id": c.ClientID, "changed": changed}))
	})
	if err != nil {
		return nil, storeError("update oauth client", err)
	}
	return c, nil
}
