package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"appstore/models"
)

// ConnectionStore is what the connection definition handlers use.
type ConnectionStore interface {
	CreateConnectionDefinition(ctx context.Context, appID uuid.UUID, in models.ConnectionDefinitionInput) (*models.ConnectionDefinition, error)
	ListConnectionDefinitions(ctx context.Context, appID uuid.UUID) ([]models.ConnectionDefinition, error)
	GetConnectionDefinition(ctx context.Context, appID, id uuid.UUID) (*models.ConnectionDefinition, error)
	UpdateConnectionDefinition(ctx context.Context, appID, id uuid.UUID, in models.ConnectionDefinitionUpdate) (*models.ConnectionDefinition, error)
	DeleteConnectionDefinition(ctx context.Context, appID, id uuid.UUID) error
}

// connectionID parses the :conn path parameter.
func connectionID(c *gin.Context) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param("conn"))
	if err != nil {
		return uuid.Nil, models.Errorf(models.KindNotFound, "connection_not_found", "No such connection.")
	}
	return id, nil
}

// listConnections lists an app's connection definitions (members).
func (s *Server) listConnections(c *gin.Context) error {
	app, _, err := s.appAccess(c, models.DevRoleMember)
	if err != nil {
		return err
	}
	defs, err := s.connections.ListConnectionDefinitions(c.Request.Context(), app.ID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"connections": defs})
	return nil
}

// createConnectionRequest is a new connection; the fields are those of
// models.ConnectionDefinitionInput. client_secret is write-only.
type createConnectionRequest struct {
	Key          string                   `json:"key"`
	Type         models.ConnectionType    `json:"type"`
	DisplayName  string                   `json:"display_name"`
	Description  string                   `json:"description"`
	Required     bool                     `json:"required"`
	DefaultValue string                   `json:"default_value"`
	Placeholder  string                   `json:"placeholder"`
	AuthorizeURL string                   `json:"authorize_url"`
	TokenURL     string                   `json:"token_url"`
	Scopes       []string                 `json:"scopes"`
	PKCE         *bool                    `json:"pkce"`
	Refresh      models.ConnectionRefresh `json:"refresh"`
	ClientID     string                   `json:"client_id"`
	ClientSecret string                   `json:"client_secret"`
	Fields       []models.ConnectionField `json:"fields"`
}

// createConnection adds a connection definition to an app (admins).
func (s *Server) createConnection(c *gin.Context) error {
	app, _, err := s.appAccess(c, models.DevRoleAdmin)
	if err != nil {
		return err
	}
	var req createConnectionRequest
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	d, err := s.connections.CreateConnectionDefinition(c.Request.Context(), app.ID, models.ConnectionDefinitionInput(req))
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, d)
	return nil
}

// getConnection shows one connection definition (members).
func (s *Server) getConnection(c *gin.Context) error {
	app, _, err := s.appAccess(c, models.DevRoleMember)
	if err != nil {
		return err
	}
	id, err := connectionID(c)
	if err != nil {
		return err
	}
	d, err := s.connections.GetConnectionDefinition(c.Request.Context(), app.ID, id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, d)
	return nil
}

// updateConnectionRequest changes the fields present. key and type are
// accepted only unchanged; client_secret "" removes the stored secret.
type updateConnectionRequest struct {
	Key          *string                   `json:"key"`
	Type         *models.ConnectionType    `json:"type"`
	DisplayName  *string                   `json:"display_name"`
	Description  *string                   `json:"description"`
	Required     *bool                     `json:"required"`
	DefaultValue *string                   `json:"default_value"`
	Placeholder  *string                   `json:"placeholder"`
	AuthorizeURL *string                   `json:"authorize_url"`
	TokenURL     *string                   `json:"token_url"`
	Scopes       *[]string                 `json:"scopes"`
	PKCE         *bool                     `json:"pkce"`
	Refresh      *models.ConnectionRefresh `json:"refresh"`
	ClientID     *string                   `json:"client_id"`
	ClientSecret *string                   `json:"client_secret"`
	Fields       *[]models.ConnectionField `json:"fields"`
}

// updateConnection changes a connection definition (admins).
func (s *Server) updateConnection(c *gin.Context) error {
	app, _, err := s.appAccess(c, models.DevRoleAdmin)
	if err != nil {
		return err
	}
	id, err := connectionID(c)
	if err != nil {
		return err
	}
	var req updateConnectionRequest
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	d, err := s.connections.UpdateConnectionDefinition(c.Request.Context(), app.ID, id, models.ConnectionDefinitionUpdate(req))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, d)
	return nil
}

// deleteConnection removes a connection definition (admins).
func (s *Server) deleteConnection(c *gin.Context) error {
	app, _, err := s.appAccess(c, models.DevRoleAdmin)
	if err != nil {
		return err
	}
	id, err := connectionID(c)
	if err != nil {
		return err
	}
	if err := s.connections.DeleteConnectionDefinition(c.Request.Context(), app.ID, id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// registerConnectionRoutes mounts the routes served from this file.
func (s *Server) registerConnectionRoutes(me *gin.RouterGroup) {
	me.GET("/apps/:app/connections", handler(s.listConnections))
	me.POST("/apps/:app/connections", handler(s.createConnection))
	me.GET("/apps/:app/connections/:conn", handler(s.getConnection))
	me.PATCH("/apps/:app/connections/:conn", handler(s.updateConnection))
	me.DELETE("/apps/:app/connections/:conn", handler(s.deleteConnection))
}
