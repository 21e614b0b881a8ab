package api

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"appstore/models"
	"appstore/workflows/contract"
)

// InstallationStore is what the installation handlers use; installing and
// uninstalling themselves go through the Installation workflow.
type InstallationStore interface {
	PlanInstall(ctx context.Context, orgID uuid.UUID, slug string) (*models.InstallPlan, error)
	ListOrganizationInstallations(ctx context.Context, orgID, viewer uuid.UUID) ([]models.InstallationView, error)
	ListUninstalledInstallations(ctx context.Context, orgID, viewer uuid.UUID) ([]models.InstallationView, error)
	EraseInstallationData(ctx context.Context, orgID, installationID uuid.UUID) (*models.ErasedInstallationData, error)
	GetInstallationView(ctx context.Context, orgID, id, viewer uuid.UUID) (*models.InstallationView, error)
	InstallationAccess(ctx context.Context, orgID, installationID, userID uuid.UUID) (*models.InstallationAccess, error)
}

var errInstallationsUnavailable = models.Errorf(models.KindUnavailable, "installations_unavailable",
	"Installing apps is not available right now; try again later.")

// listInstallations answers GET /organizations/:org/installations
// (members): the organization's installed apps, and whether the caller
// may use each.
func (s *Server) listInstallations(c *gin.Context) error {
	orgID, _, err := s.orgAccess(c, models.OrgRoleMember)
	if err != nil {
		return err
	}
	list, err := s.installations.ListOrganizationInstallations(c.Request.Context(), orgID, principal(c).UserID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"installations": list})
	return nil
}

// getInstallation answers GET /organizations/:org/installations/:id (members).
func (s *Server) getInstallation(c *gin.Context) error {
	orgID, _, err := s.orgAccess(c, models.OrgRoleMember)
	if err != nil {
		return err
	}
	v, err := s.installationView(c, orgID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

// installationView loads :id of organization orgID for the caller; an id
// of another organization is not found.
func (s *Server) installationView(c *gin.Context, orgID uuid.UUID) (*models.InstallationView, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, models.Errorf(models.KindNotFound, "installation_not_found", "No such installation.")
	}
	return s.installations.GetInstallationView(c.Request.Context(), orgID, id, principal(c).UserID)
}

type installRequest struct {
	AppSlug string `json:"app_slug"`
}

// install answers POST /organizations/:org/installations {"app_slug"}
// (owners and admins): 201 with the installation once the Installation
// run has installed it, 200 when it was installed already.
func (s *Server) install(c *gin.Context) error {
	orgID, _, err := s.orgAccess(c, models.OrgRoleAdmin)
	if err != nil {
		return err
	}
	var req installRequest
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	if s.installationRuns == nil {
		return errInstallationsUnavailable
	}
	slug := strings.TrimSpace(strings.ToLower(req.AppSlug))
	if slug == "" {
		return models.Invalid("app_slug_required", "Name the app to install by its slug.")
	}
	ctx := c.Request.Context()
	var plan *models.InstallPlan
	// A lost race (someone else installed it between planning and
	// activation) is retried once: the second plan attaches to their run.
	for try := 0; ; try++ {
		plan, err = s.installations.PlanInstall(ctx, orgID, slug)
		if err != nil {
			return err
		}
		in := contract.InstallationInput{InstallationID: plan.InstallationID, Generation: plan.Generation,
			AppID: plan.App.ID, AppSlug: plan.App.Slug, OrganizationID: orgID,
			RotateEvery: s.cfg.InstallationRotationEvery, SecretGrace: s.cfg.SecretGrace}
		_, err = s.installationRuns.Install(ctx, in, contract.InstallationArgs{ActorID: principal(c).UserID},
			installUpdateID(c, plan.InstallationID, plan.Generation))
		var me *models.Error
		if try == 0 && errors.As(err, &me) && (me.Code == "installation_conflict" || me.Code == contract.ErrTypeInstallationBusy) {
			continue
		}
		break
	}
	// A closed run with an active row (ended by hand) still answers from
	// the database.
	if err != nil && !(runClosed(err) && plan.Active) {
		return err
	}
	v, err := s.installations.GetInstallationView(ctx, orgID, plan.InstallationID, principal(c).UserID)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if plan.Active {
		status = http.StatusOK
	}
	c.JSON(status, v)
	return nil
}

// installUpdateID keys the Update by the request's Idempotency-Key, when
// it sends one; otherwise the workflow keeps install single by its state.
func installUpdateID(c *gin.Context, id uuid.UUID, generation int) string {
	key := strings.TrimSpace(c.GetHeader("Idempotency-Key"))
	if key == "" || len(key) > 200 {
		return ""
	}
	return "install-" + contract.InstallationWorkflowID(id, generation) + "-" + principal(c).UserID.String() + "-" + key
}

// uninstall answers DELETE /organizations/:org/installations/:id (owners
// and admins): the uninstall Update, answered with the installation, now
// inactive.
func (s *Server) uninstall(c *gin.Context) error {
	orgID, _, err := s.orgAccess(c, models.OrgRoleAdmin)
	if err != nil {
		return err
	}
	v, err := s.installationView(c, orgID)
	if err != nil {
		return err
	}
	if v.Status != models.InstallationActive {
		return models.Errorf(models.KindConflict, contract.ErrTypeInstallationInactive, "This app is not installed.")
	}
	if s.installationRuns == nil {
		return errInstallationsUnavailable
	}
	ctx := c.Request.Context()
	_, err = s.installationRuns.Uninstall(ctx, v.ID, v.Generation, contract.InstallationArgs{ActorID: principal(c).UserID}, "")
	if runClosed(err) {
		return models.Errorf(models.KindConflict, "installation_run_missing",
			"This installation's workflow is not running; ask platform support to repair it.")
	}
	if err != nil {
		return err
	}
	v, err = s.installations.GetInstallationView(ctx, orgID, v.ID, principal(c).UserID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

// eraseInstallationData answers DELETE
// /organizations/:org/installations/:id/data (owners and admins): the
// settings, connection values and permissions an uninstalled app kept for
// a reinstall are erased; 409 installation_active while it is installed.
func (s *Server) eraseInstallationData(c *gin.Context) error {
	orgID, _, err := s.orgAccess(c, models.OrgRoleAdmin)
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return models.Errorf(models.KindNotFound, "installation_not_found", "No such installation.")
	}
	erased, err := s.installations.EraseInstallationData(c.Request.Context(), orgID, id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, erased)
	return nil
}

// registerInstallationRoutes mounts the routes served from this file.
func (s *Server) registerInstallationRoutes(me *gin.RouterGroup) {
	me.GET("/organizations/:org/installations", handler(s.listInstallations))
	me.POST("/organizations/:org/installations", handler(s.install))
	me.GET("/organizations/:org/installations/:id", handler(s.getInstallation))
	me.DELETE("/organizations/:org/installations/:id", handler(s.uninstall))
	me.DELETE("/organizations/:org/installations/:id/data", handler(s.eraseInstallationData))
}
