package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"appstore/models"
)

// WebhookStore is what the webhook endpoint and delivery handlers use.
type WebhookStore interface {
	CreateWebhookEndpoint(ctx context.Context, accountID uuid.UUID, in models.WebhookEndpointInput, production bool) (*models.WebhookEndpoint, string, error)
	ListWebhookEndpoints(ctx context.Context, accountID uuid.UUID) ([]models.WebhookEndpoint, error)
	GetWebhookEndpoint(ctx context.Context, id uuid.UUID) (*models.WebhookEndpoint, error)
	UpdateWebhookEndpoint(ctx context.Context, id uuid.UUID, in models.WebhookEndpointUpdate, production bool) (*models.WebhookEndpoint, error)
	DeleteWebhookEndpoint(ctx context.Context, id uuid.UUID) error
	RotateWebhookEndpointSecret(ctx context.Context, id uuid.UUID) (*models.WebhookEndpoint, string, error)
	SendWebhookTest(ctx context.Context, endpointID uuid.UUID) (*models.WebhookDelivery, error)
	ListWebhookDeliveries(ctx context.Context, f models.WebhookDeliveryFilter) (*models.WebhookDeliveryPage, error)
	GetWebhookDelivery(ctx context.Context, id uuid.UUID) (*models.WebhookDelivery, error)
	RedeliverWebhook(ctx context.Context, id uuid.UUID) (*models.WebhookDelivery, error)
	FinishWebhookDelivery(ctx context.Context, id uuid.UUID, status models.WebhookDeliveryStatus, reason string) (bool, error)
}

var errWebhookEndpointNotFound = models.Errorf(models.KindNotFound, "webhook_endpoint_not_found", "No such webhook endpoint.")

// webhookAccountRole checks the caller's role in developer account
// accountID for a webhook resource: strangers hear notFound, members
// lacking the role 403 (admin_required).
func (s *Server) webhookAccountRole(c *gin.Context, accountID uuid.UUID, need models.DeveloperRole, notFound error) (models.DeveloperRole, error) {
	role, err := s.developerAccounts.DeveloperAccountRole(c.Request.Context(), accountID, principal(c).UserID)
	if errors.Is(err, models.ErrNotFound) {
		return "", notFound
	}
	if err != nil {
		return "", err
	}
	if need == models.DevRoleAdmin && role != models.DevRoleAdmin {
		return "", models.Errorf(models.KindForbidden, "admin_required", "Only admins of this developer account can change its webhooks.")
	}
	return role, nil
}

// endpointAccess loads the endpoint named by :ep and checks the caller's
// role in its developer account (DESIGN §10: members read, admins change).
func (s *Server) endpointAccess(c *gin.Context, need models.DeveloperRole) (*models.WebhookEndpoint, models.DeveloperRole, error) {
	id, err := pathID(c, "ep")
	if err != nil {
		return nil, "", errWebhookEndpointNotFound
	}
	ep, err := s.webhooks.GetWebhookEndpoint(c.Request.Context(), id)
	if err != nil {
		return nil, "", err
	}
	role, err := s.webhookAccountRole(c, ep.DeveloperAccountID, need, errWebhookEndpointNotFound)
	if err != nil {
		return nil, "", err
	}
	return ep, role, nil
}

// webhookEndpointJSON is an endpoint as the API serves it: never its
// secret, which only create and rotate-secret answer with, once.
type webhookEndpointJSON struct {
	*models.WebhookEndpoint
	Enabled bool `json:"enabled"`
}

func newWebhookEndpointJSON(ep *models.WebhookEndpoint) webhookEndpointJSON {
	return webhookEndpointJSON{WebhookEndpoint: ep, Enabled: ep.Enabled()}
}

type webhookSecretJSON struct {
	Endpoint webhookEndpointJSON `json:"endpoint"`
	Secret   string              `json:"secret"` // whsec_…, shown once
}

// webhookEventTypes serves the events endpoints can subscribe to.
func (s *Server) webhookEventTypes(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"event_types": models.DeploymentWebhookEvents})
}

// listWebhookEndpoints lists an account's endpoints to its members.
func (s *Server) listWebhookEndpoints(c *gin.Context) error {
	id, _, err := s.accountAccess(c, models.DevRoleMember)
	if err != nil {
		return err
	}
	eps, err := s.webhooks.ListWebhookEndpoints(c.Request.Context(), id)
	if err != nil {
		return err
	}
	items := make([]webhookEndpointJSON, len(eps))
	for i := range eps {
		items[i] = newWebhookEndpointJSON(&eps[i])
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "next_cursor": ""})
	return nil
}

type createWebhookEndpointRequest struct {
	URL         string   `json:"url"`
	Description string   `json:"description"`
	EventTypes  []string `json:"event_types"`
}

// createWebhookEndpoint adds an endpoint (admins) and answers 201 with its
// signing secret, the only time it is shown. Outside development mode the
// URL must be https to a public host.
func (s *Server) createWebhookEndpoint(c *gin.Context) error {
	id, _, err := s.accountAccess(c, models.DevRoleAdmin)
	if err != nil {
		return err
	}
	var req createWebhookEndpointRequest
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	ep, secret, err := s.webhooks.CreateWebhookEndpoint(c.Request.Context(), id,
		models.WebhookEndpointInput{URL: req.URL, Description: req.Description, EventTypes: req.EventTypes}, !s.cfg.DevMode)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, webhookSecretJSON{Endpoint: newWebhookEndpointJSON(ep), Secret: secret})
	return nil
}

// getWebhookEndpoint shows an endpoint to members.
func (s *Server) getWebhookEndpoint(c *gin.Context) error {
	ep, _, err := s.endpointAccess(c, models.DevRoleMember)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, newWebhookEndpointJSON(ep))
	return nil
}

type updateWebhookEndpointRequest struct {
	URL         *string   `json:"url"`
	Description *string   `json:"description"`
	EventTypes  *[]string `json:"event_types"`
	Enabled     *bool     `json:"enabled"`
}

// updateWebhookEndpoint changes URL, description, events or enabled (admins).
func (s *Server) updateWebhookEndpoint(c *gin.Context) error {
	ep, _, err := s.endpointAccess(c, models.DevRoleAdmin)
	if err != nil {
		return err
	}
	var req updateWebhookEndpointRequest
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	ep, err = s.webhooks.UpdateWebhookEndpoint(c.Request.Context(), ep.ID, models.WebhookEndpointUpdate{
		URL: req.URL, Description: req.Description, EventTypes: req.EventTypes, Enabled: req.Enabled}, !s.cfg.DevMode)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, newWebhookEndpointJSON(ep))
	return nil
}

// deleteWebhookEndpoint deletes an endpoint and its deliveries (admins).
func (s *Server) deleteWebhookEndpoint(c *gin.Context) error {
	ep, _, err := s.endpointAccess(c, models.DevRoleAdmin)
	if err != nil {
		return err
	}
	if err := s.webhooks.DeleteWebhookEndpoint(c.Request.Context(), ep.ID); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// rotateWebhookEndpointSecret replaces the signing secret (admins) and
// answers with the new one, once; the old one stops at once.
func (s *Server) rotateWebhookEndpointSecret(c *gin.Context) error {
	ep, _, err := s.endpointAccess(c, models.DevRoleAdmin)
	if err != nil {
		return err
	}
	ep, secret, err := s.webhooks.RotateWebhookEndpointSecret(c.Request.Context(), ep.ID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, webhookSecretJSON{Endpoint: newWebhookEndpointJSON(ep), Secret: secret})
	return nil
}

// testWebhookEndpoint sends a ping to the endpoint (admins): 202 with the
// new delivery, whose progress GET /webhook-deliveries/:id shows.
func (s *Server) testWebhookEndpoint(c *gin.Context) error {
	ep, _, err := s.endpointAccess(c, models.DevRoleAdmin)
	if err != nil {
		return err
	}
	if err := s.webhooksRunning(); err != nil {
		return err
	}
	d, err := s.webhooks.SendWebhookTest(c.Request.Context(), ep.ID)
	if err != nil {
		return err
	}
	return s.startDelivery(c, d)
}

// startDelivery starts the run of a delivery just made and answers 202.
// A delivery whose run cannot start is marked failed, so it does not wait
// forever as pending; the caller may try again.
func (s *Server) startDelivery(c *gin.Context, d *models.WebhookDelivery) error {
	ctx := c.Request.Context()
	if err := s.webhookDeliveries.Start(ctx, []uuid.UUID{d.ID}); err != nil {
		if _, ferr := s.webhooks.FinishWebhookDelivery(context.WithoutCancel(ctx), d.ID, models.WebhookFailed, "Not sent: the delivery could not be scheduled."); ferr != nil {
			logger(c).Error("mark unscheduled webhook delivery failed", "delivery_id", d.ID, "err", ferr)
		}
		return &models.Error{Kind: models.KindUnavailable, Code: "webhook_not_scheduled",
			Message: "The delivery could not be scheduled; try again in a moment.", Err: err}
	}
	c.JSON(http.StatusAccepted, gin.H{"delivery": d})
	return nil
}

// webhooksRunning refuses, before anything is written, to make deliveries
// this server cannot start (no Temporal wiring).
func (s *Server) webhooksRunning() error {
	if s.webhookDeliveries == nil {
		return models.Errorf(models.KindUnavailable, "webhooks_unavailable", "Webhook deliveries are not available on this server.")
	}
	return nil
}

// registerWebhookEndpointRoutes mounts the routes served from this file.
func (s *Server) registerWebhookEndpointRoutes(me *gin.RouterGroup) {
	me.GET("/webhook-event-types", s.webhookEventTypes)
	me.GET("/developer-accounts/:id/webhook-endpoints", handler(s.listWebhookEndpoints))
	me.POST("/developer-accounts/:id/webhook-endpoints", handler(s.createWebhookEndpoint))
	me.GET("/webhook-endpoints/:ep", handler(s.getWebhookEndpoint))
	me.PATCH("/webhook-endpoints/:ep", handler(s.updateWebhookEndpoint))
	me.DELETE("/webhook-endpoints/:ep", handler(s.deleteWebhookEndpoint))
	me.POST("/webhook-endpoints/:ep/test", handler(s.testWebhookEndpoint))
	me.POST("/webhook-endpoints/:ep/rotate-secret", handler(s.rotateWebhookEndpointSecret))
}
