package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"appstore/models"
)

// settingsScopeAccess reads ?scope= and checks the caller for it:
// organization settings are read by members with access and by admins,
// written by admins; user settings are each member's own, with access.
func (s *Server) settingsScopeAccess(c *gin.Context, write bool) (*models.InstallationAccess, models.SettingsScope, error) {
	scope, err := models.ParseSettingsScope(c.Query("scope"))
	if err != nil {
		return nil, "", err
	}
	need := needAppAccess
	if scope == models.ScopeOrganization {
		need = needReader
		if write {
			need = needOrgAdmin
		}
	}
	a, err := s.installationConfigAccess(c, need)
	return a, scope, err
}

// getSettings answers one scope's schema and values (the caller's own for
// the user scope).
func (s *Server) getSettings(c *gin.Context) error {
	a, scope, err := s.settingsScopeAccess(c, false)
	if err != nil {
		return err
	}
	st, err := s.installationConfig.GetSettings(c.Request.Context(), a, scope, principal(c).UserID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, st)
	return nil
}

type saveSettingsRequest struct {
	Values map[string]any `json:"values"`
}

// putSettings replaces one scope's values after validating them against
// the installation's current deployment; 422 invalid_settings lists every
// bad field.
func (s *Server) putSettings(c *gin.Context) error {
	a, scope, err := s.settingsScopeAccess(c, true)
	if err != nil {
		return err
	}
	var req saveSettingsRequest
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	me := principal(c).UserID
	var user *uuid.UUID // organization settings belong to no user
	if scope == models.ScopeUser {
		user = &me
	}
	st, err := s.installationConfig.SaveSettings(c.Request.Context(), a.Installation.ID, scope, user, req.Values, me)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, st)
	return nil
}

// registerInstallationSettingsRoutes mounts the routes served from this file.
func (s *Server) registerInstallationSettingsRoutes(me *gin.RouterGroup) {
	me.GET("/organizations/:org/installations/:id/settings", handler(s.getSettings))
	me.PUT("/organizations/:org/installations/:id/settings", handler(s.putSettings))
}
