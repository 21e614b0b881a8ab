package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"appstore/models"
)

// DeploymentStore is what the deployment handlers use.
type DeploymentStore interface {
	CreateDevelopmentDeployment(ctx context.Context, appID uuid.UUID, in models.DevelopmentDeploymentInput) (*models.Deployment, *models.Installation, error)
	GetDeployment(ctx context.Context, id uuid.UUID) (*models.Deployment, error)
	ListDeployments(ctx context.Context, appID uuid.UUID, f models.DeploymentFilter) (*models.DeploymentPage, error)
}

// errDeploymentNotFound is what anyone outside an app's developer account
// hears of its deployments.
var errDeploymentNotFound = models.Errorf(models.KindNotFound, "deployment_not_found", "No such deployment.")

// deploymentAccess loads the deployment named by the :id path parameter
// and checks the caller's role in its app's developer account, as
// appAccess does: non-members get 404 (deployment_not_found), members
// lacking the role 403 (admin_required).
func (s *Server) deploymentAccess(c *gin.Context, need models.DeveloperRole) (*models.Deployment, *models.App, models.DeveloperRole, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, nil, "", errDeploymentNotFound
	}
	ctx := c.Request.Context()
	d, err := s.deployments.GetDeployment(ctx, id)
	if err != nil {
		return nil, nil, "", err
	}
	app, err := s.apps.GetApp(ctx, d.AppID)
	if err != nil {
		return nil, nil, "", err
	}
	role, err := s.developerAccounts.DeveloperAccountRole(ctx, app.DeveloperAccountID, principal(c).UserID)
	if errors.Is(err, models.ErrNotFound) {
		return nil, nil, "", errDeploymentNotFound
	}
	if err != nil {
		return nil, nil, "", err
	}
	if need == models.DevRoleAdmin && role != models.DevRoleAdmin {
		return nil, nil, "", models.Errorf(models.KindForbidden, "admin_required", "Only admins of this app's developer account can do that.")
	}
	return d, app, role, nil
}

type createDeploymentRequest struct {
	TargetOrganizationID string                    `json:"target_organization_id"`
	ClientBundleSHA256   string                    `json:"client_bundle_sha256"`
	ServerBundleSHA256   string                    `json:"server_bundle_sha256"`
	SettingsSchema       models.JSONMap            `json:"settings_schema"`
	Manifest             *models.Manifest          `json:"manifest"`
	Environment          models.JSONMap            `json:"environment"`
	Metadata             models.DeploymentMetadata `json:"metadata"`
}

type createDeploymentResponse struct {
	Deployment   *models.Deployment   `json:"deployment"`
	Installation *models.Installation `json:"installation"`
}

// createDeployment creates a development deployment of app :app for the
// target organization and installs it there (DESIGN §10: a member of the
// developer account who is an admin or owner of that organization; to
// someone outside it the organization does not exist).
func (s *Server) createDeployment(c *gin.Context) error {
	app, _, err := s.appAccess(c, models.DevRoleMember)
	if err != nil {
		return err
	}
	var req createDeploymentRequest
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	orgID, err := uuid.Parse(req.TargetOrganizationID)
	if err != nil || orgID == uuid.Nil {
		return models.Invalid("invalid_target_organization", "Name the organization to deploy to by its id.",
			models.FieldError{Field: "target_organization_id", Message: "must be an organization id"})
	}
	ctx := c.Request.Context()
	role, err := s.organizations.OrganizationRole(ctx, orgID, principal(c).UserID)
	if err != nil {
		return err
	}
	if role != models.OrgRoleAdmin && role != models.OrgRoleOwner {
		return models.Errorf(models.KindForbidden, "organization_admin_required",
			"Only admins and owners of the target organization can deploy to it.")
	}
	d, inst, err := s.deployments.CreateDevelopmentDeployment(ctx, app.ID, models.DevelopmentDeploymentInput{
		TargetOrganizationID: orgID,
		ClientBundleSHA256:   req.ClientBundleSHA256,
		ServerBundleSHA256:   req.ServerBundleSHA256,
		SettingsSchema:       req.SettingsSchema,
		Manifest:             req.Manifest,
		Environment:          req.Environment,
		Metadata:             req.Metadata,
	})
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, createDeploymentResponse{Deployment: d, Installation: inst})
	return nil
}

// listDeployments lists the deployments of app :app, newest first,
// optionally of one type (members: development deployments are theirs).
func (s *Server) listDeployments(c *gin.Context) error {
	app, _, err := s.appAccess(c, models.DevRoleMember)
	if err != nil {
		return err
	}
	limit, err := queryLimit(c, models.DefaultDeploymentLimit)
	if err != nil {
		return err
	}
	page, err := s.deployments.ListDeployments(c.Request.Context(), app.ID, models.DeploymentFilter{
		Type: models.DeploymentType(c.Query("type")), Cursor: c.Query("cursor"), Limit: limit})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, page)
	return nil
}

// getDeployment shows a deployment to the members of its app's account.
func (s *Server) getDeployment(c *gin.Context) error {
	d, _, _, err := s.deploymentAccess(c, models.DevRoleMember)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, d)
	return nil
}

// registerDeploymentRoutes mounts the routes served from this file.
func (s *Server) registerDeploymentRoutes(me *gin.RouterGroup) {
	me.GET("/apps/:app/deployments", handler(s.listDeployments))
	me.POST("/apps/:app/deployments", handler(s.createDeployment))
	me.GET("/deployments/:id", handler(s.getDeployment))
}
