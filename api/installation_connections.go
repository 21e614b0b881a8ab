package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// listConnectionValues shows, per connection of the app, whether the
// organization has set it — never the value (admins).
func (s *Server) listConnectionValues(c *gin.Context) error {
	a, err := s.installationConfigAccess(c, needOrgAdmin)
	if err != nil {
		return err
	}
	list, err := s.installationConfig.ListConnectionValues(c.Request.Context(), a.Installation.ID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"connections": list})
	return nil
}

// putConnectionValue stores the organization's credentials for one
// connection: {"value": ...} for an api_key, the fields for custom, the
// tokens for oauth2. The answer says only that it is set (admins).
func (s *Server) putConnectionValue(c *gin.Context) error {
	a, err := s.installationConfigAccess(c, needOrgAdmin)
	if err != nil {
		return err
	}
	var values map[string]string
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &values); err != nil {
		return err
	}
	st, err := s.installationConfig.SetConnectionValue(c.Request.Context(), a.Installation.ID, c.Param("key"), values, principal(c).UserID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, st)
	return nil
}

// deleteConnectionValue clears one connection's credentials (admins).
func (s *Server) deleteConnectionValue(c *gin.Context) error {
	a, err := s.installationConfigAccess(c, needOrgAdmin)
	if err != nil {
		return err
	}
	if err := s.installationConfig.DeleteConnectionValue(c.Request.Context(), a.Installation.ID, c.Param("key"), principal(c).UserID); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// registerInstallationConnectionRoutes mounts the routes served from this file.
func (s *Server) registerInstallationConnectionRoutes(me *gin.RouterGroup) {
	me.GET("/organizations/:org/installations/:id/connections", handler(s.listConnectionValues))
	me.PUT("/organizations/:org/installations/:id/connections/:key", handler(s.putConnectionValue))
	me.DELETE("/organizations/:org/installations/:id/connections/:key", handler(s.deleteConnectionValue))
}
