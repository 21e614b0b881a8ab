package api

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"appstore/models"
	"appstore/workflows/contract"
)

// OAuthStore is what the OAuth client handlers use.
type OAuthStore interface {
	EnableOAuth(ctx context.Context, appID uuid.UUID) (clientID, secret string, client *models.OAuthClient, err error)
	DisableOAuth(ctx context.Context, appID uuid.UUID) (*models.OAuthClient, error)
	GetOAuthClient(ctx context.Context, appID uuid.UUID) (*models.OAuthClient, error)
	UpdateOAuthClient(ctx context.Context, appID uuid.UUID, in models.OAuthUpdate, production bool) (*models.OAuthClient, error)
	RotateClientSecret(ctx context.Context, appID uuid.UUID, grace time.Duration) (string, int, error)
}

// oauthClientJSON is how the portal sees an app's OAuth client: never a
// secret or a hash, only which generations are valid and until when.
type oauthClientJSON struct {
	ClientID      string                     `json:"client_id"`
	Enabled       bool                       `json:"enabled"`
	RedirectURIs  []string                   `json:"redirect_uris"`
	Scopes        []string                   `json:"scopes"`
	PKCERequired  bool                       `json:"pkce_required"`
	EntrypointURL string                     `json:"entrypoint_url"`
	Secrets       []models.ClientSecretState `json:"secrets"`
}

func newOAuthClientJSON(c *models.OAuthClient) oauthClientJSON {
	return oauthClientJSON{
		ClientID: c.ClientID, Enabled: c.Enabled,
		RedirectURIs: append([]string{}, c.RedirectURIs...), Scopes: append([]string{}, c.Scopes...),
		PKCERequired: c.PKCERequired, EntrypointURL: c.EntrypointURL,
		Secrets: c.Secrets(time.Now()),
	}
}

// secretGrace and reminderEvery are the configured durations, or the defaults.
func (s *Server) secretGrace() time.Duration {
	return cmp.Or(s.cfg.SecretGrace, contract.DefaultSecretGrace)
}

func (s *Server) reminderEvery() time.Duration {
	return cmp.Or(s.cfg.RotationReminderEvery, contract.DefaultRotationReminderEvery)
}

// getOAuth shows the app's OAuth client to members; an app that never
// enabled OAuth shows a disabled client without id or secrets.
func (s *Server) getOAuth(c *gin.Context) error {
	app, _, err := s.appAccess(c, models.DevRoleMember)
	if err != nil {
		return err
	}
	client, err := s.oauthClients.GetOAuthClient(c.Request.Context(), app.ID)
	if errors.Is(err, models.ErrNotFound) {
		c.JSON(http.StatusOK, oauthClientJSON{RedirectURIs: []string{}, Scopes: []string{}, PKCERequired: true,
			Secrets: []models.ClientSecretState{}})
		return nil
	}
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, newOAuthClientJSON(client))
	return nil
}

type oauthSecretJSON struct {
	oauthClientJSON
	ClientSecret string `json:"client_secret,omitempty"` // shown once
}

// enableOAuth enables the app's OAuth client (admins) and schedules the
// rotation reminder. The first time it answers 201 with the secret, which
// is never shown again; afterwards 200 without one.
func (s *Server) enableOAuth(c *gin.Context) error {
	app, _, err := s.appAccess(c, models.DevRoleAdmin)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	clientID, secret, client, err := s.oauthClients.EnableOAuth(ctx, app.ID)
	if err != nil {
		return err
	}
	if err := s.rotations.EnsureReminder(ctx, clientID, app.ID, s.reminderEvery()); err != nil {
		if secret == "" {
			return err // nothing lost: enabling again retries
		}
		// The secret exists only in this answer: give it, and let the
		// next enable (idempotent) schedule the reminder.
		logger(c).Error("rotation reminder not scheduled", "client_id", clientID, "err", err)
	}
	status := http.StatusOK
	if secret != "" {
		status = http.StatusCreated
	}
	c.JSON(status, oauthSecretJSON{oauthClientJSON: newOAuthClientJSON(client), ClientSecret: secret})
	return nil
}

// disableOAuth disables the app's OAuth client (admins) and removes its
// rotation reminder.
func (s *Server) disableOAuth(c *gin.Context) error {
	app, _, err := s.appAccess(c, models.DevRoleAdmin)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	client, err := s.oauthClients.DisableOAuth(ctx, app.ID)
	if err != nil {
		return err
	}
	if err := s.rotations.RemoveReminder(ctx, client.ClientID); err != nil {
		return err
	}
	c.JSON(http.StatusOK, newOAuthClientJSON(client))
	return nil
}

type updateOAuthRequest struct {
	RedirectURIs  *[]string `json:"redirect_uris"`
	Scopes        *[]string `json:"scopes"`
	EntrypointURL *string   `json:"entrypoint_url"`
	PKCERequired  *bool     `json:"pkce_required"`
}

// updateOAuth changes redirect URIs, scopes, entrypoint URL or PKCE
// (admins). Outside development mode the production redirect URI rules apply.
func (s *Server) updateOAuth(c *gin.Context) error {
	app, _, err := s.appAccess(c, models.DevRoleAdmin)
	if err != nil {
		return err
	}
	var req updateOAuthRequest
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	client, err := s.oauthClients.UpdateOAuthClient(c.Request.Context(), app.ID, models.OAuthUpdate{
		RedirectURIs: req.RedirectURIs, Scopes: req.Scopes, EntrypointURL: req.EntrypointURL, PKCERequired: req.PKCERequired,
	}, !s.cfg.DevMode)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, newOAuthClientJSON(client))
	return nil
}

type rotateSecretJSON struct {
	oauthClientJSON
	ClientSecret      string     `json:"client_secret"` // shown once
	Generation        int        `json:"generation"`
	PreviousExpiresAt *time.Time `json:"previous_expires_at,omitempty"`
}

// rotateSecret makes a new client secret (admins), answers with it once,
// and starts the SecretRotation run that revokes the previous secret when
// its grace period ends.
func (s *Server) rotateSecret(c *gin.Context) error {
	app, _, err := s.appAccess(c, models.DevRoleAdmin)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	grace := s.secretGrace()
	secret, generation, err := s.oauthClients.RotateClientSecret(ctx, app.ID, grace)
	if err != nil {
		return err
	}
	client, err := s.oauthClients.GetOAuthClient(ctx, app.ID)
	if err != nil {
		return err
	}
	if err := s.rotations.Start(ctx, client.ClientID, generation, grace); err != nil {
		// The new secret exists only in this answer, and verification
		// refuses the previous one after its expiry whether or not the
		// run revokes it: answer, and leave the failure to the logs.
		logger(c).Error("secret rotation workflow not started", "client_id", client.ClientID, "generation", generation, "err", err)
	}
	out := rotateSecretJSON{oauthClientJSON: newOAuthClientJSON(client), ClientSecret: secret, Generation: generation}
	// A concurrent rotation may already have replaced this generation.
	if client.SecretGeneration == generation {
		out.PreviousExpiresAt = client.PreviousExpiresAt
	}
	c.JSON(http.StatusOK, out)
	return nil
}

// registerOAuthRoutes mounts the routes served from this file.
func (s *Server) registerOAuthRoutes(me *gin.RouterGroup) {
	me.GET("/apps/:app/oauth", handler(s.getOAuth))
	me.PATCH("/apps/:app/oauth", handler(s.updateOAuth))
	me.POST("/apps/:app/oauth/enable", handler(s.enableOAuth))
	me.POST("/apps/:app/oauth/disable", handler(s.disableOAuth))
	me.POST("/apps/:app/oauth/rotate-secret", handler(s.rotateSecret))
}
