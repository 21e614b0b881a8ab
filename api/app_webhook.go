package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"appstore/models"
)

type webhookRequest struct {
	WebhookURL string `json:"webhook_url"`
}

// setAppWebhook sets the URL that receives the app's installation events
// (admins). The first time, the answer carries the signing secret, once.
func (s *Server) setAppWebhook(c *gin.Context) error {
	app, _, err := s.appAccess(c, models.DevRoleAdmin)
	if err != nil {
		return err
	}
	var req webhookRequest
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	app, secret, err := s.apps.SetAppWebhookURL(c.Request.Context(), app.ID, req.WebhookURL)
	if err != nil {
		return err
	}
	body := gin.H{"webhook_url": app.WebhookURL, "webhook_secret_created_at": app.WebhookSecretCreatedAt}
	if secret != "" {
		body["signing_secret"] = secret
		body["message"] = "Signing secret, shown only this once — store it now: " + secret
	} else {
		body["message"] = "Webhook URL saved."
	}
	c.JSON(http.StatusOK, body)
	return nil
}

// setAppStaffFlags sets verified and is_first_party (platform staff only).
func (s *Server) setAppStaffFlags(c *gin.Context) error {
	if err := requireStaff(c); err != nil {
		return err
	}
	id, err := pathID(c, "app")
	if err != nil {
		return errAppNotFound
	}
	var req models.AppStaffFlags
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	app, err := s.apps.SetAppStaffFlags(c.Request.Context(), id, req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, app)
	return nil
}

// registerAppWebhookRoutes mounts the routes served from this file.
func (s *Server) registerAppWebhookRoutes(me *gin.RouterGroup) {
	me.PUT("/apps/:app/webhook", handler(s.setAppWebhook))
	me.PATCH("/apps/:app/staff", handler(s.setAppStaffFlags))
}
