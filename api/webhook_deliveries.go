package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"appstore/models"
)

var errWebhookDeliveryNotFound = models.Errorf(models.KindNotFound, "webhook_delivery_not_found", "No such webhook delivery.")

// deliveryAccess loads the delivery named by :id, with its attempts, and
// checks the caller's role in its developer account.
func (s *Server) deliveryAccess(c *gin.Context, need models.DeveloperRole) (*models.WebhookDelivery, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, errWebhookDeliveryNotFound
	}
	d, err := s.webhooks.GetWebhookDelivery(c.Request.Context(), id)
	if err != nil {
		return nil, err
	}
	if _, err := s.webhookAccountRole(c, d.DeveloperAccountID, need, errWebhookDeliveryNotFound); err != nil {
		return nil, err
	}
	return d, nil
}

// listWebhookDeliveries lists an account's deliveries to its members,
// newest first with their attempts, optionally of one endpoint
// (?endpoint=), by keyset cursor.
func (s *Server) listWebhookDeliveries(c *gin.Context) error {
	id, _, err := s.accountAccess(c, models.DevRoleMember)
	if err != nil {
		return err
	}
	endpoint, err := queryUUID(c, "endpoint")
	if err != nil {
		return err
	}
	limit, err := queryLimit(c, models.DefaultWebhookDeliveryLimit)
	if err != nil {
		return err
	}
	page, err := s.webhooks.ListWebhookDeliveries(c.Request.Context(), models.WebhookDeliveryFilter{
		DeveloperAccountID: id, EndpointID: endpoint, Cursor: c.Query("cursor"), Limit: limit, WithAttempts: true})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, page)
	return nil
}

// getWebhookDelivery shows a delivery with every attempt to members.
func (s *Server) getWebhookDelivery(c *gin.Context) error {
	d, err := s.deliveryAccess(c, models.DevRoleMember)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, d)
	return nil
}

// redeliverWebhook sends a delivery's event again as a new delivery (a new
// webhook-id, redelivery_of naming the original) and answers 202 (admins).
func (s *Server) redeliverWebhook(c *gin.Context) error {
	d, err := s.deliveryAccess(c, models.DevRoleAdmin)
	if err != nil {
		return err
	}
	if err := s.webhooksRunning(); err != nil {
		return err
	}
	re, err := s.webhooks.RedeliverWebhook(c.Request.Context(), d.ID)
	if err != nil {
		return err
	}
	return s.startDelivery(c, re)
}

// registerWebhookDeliveryRoutes mounts the routes served from this file.
func (s *Server) registerWebhookDeliveryRoutes(me *gin.RouterGroup) {
	me.GET("/developer-accounts/:id/webhook-deliveries", handler(s.listWebhookDeliveries))
	me.GET("/webhook-deliveries/:id", handler(s.getWebhookDelivery))
	me.POST("/webhook-deliveries/:id/redeliver", handler(s.redeliverWebhook))
}
