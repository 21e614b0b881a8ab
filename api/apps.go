package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"appstore/models"
)

// appCategories serves the fixed list of marketplace categories.
func (s *Server) appCategories(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"categories": models.AppCategories})
}

// appScopes serves the catalogue of scopes apps may ask for.
func (s *Server) appScopes(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"scopes": models.AppScopes})
}

// appSlugAvailability answers live whether an app slug can be taken, and why not.
func (s *Server) appSlugAvailability(c *gin.Context) error {
	check, err := s.apps.CheckAppSlug(c.Request.Context(), c.Query("slug"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, check)
	return nil
}

type createAppRequest struct {
	Slug  string `json:"slug"`
	Title string `json:"title"`
}

// createApp creates an app in the developer account :id (admins).
func (s *Server) createApp(c *gin.Context) error {
	accountID, _, err := s.accountAccess(c, models.DevRoleAdmin)
	if err != nil {
		return err
	}
	if err := s.requireVerified(c); err != nil {
		return err
	}
	var req createAppRequest
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	app, err := s.apps.CreateApp(c.Request.Context(), accountID, req.Slug, req.Title)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, app)
	return nil
}

// listApps lists the apps of the developer account :id, newest first (members).
func (s *Server) listApps(c *gin.Context) error {
	accountID, _, err := s.accountAccess(c, models.DevRoleMember)
	if err != nil {
		return err
	}
	limit, err := queryLimit(c, models.DefaultAppLimit)
	if err != nil {
		return err
	}
	page, err := s.apps.ListApps(c.Request.Context(), accountID, c.Query("cursor"), limit)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, page)
	return nil
}

// getApp shows an app to the members of its account.
func (s *Server) getApp(c *gin.Context) error {
	app, _, err := s.appAccess(c, models.DevRoleMember)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, app)
	return nil
}

// updateApp changes an app's listing (admins); see models.AppListingUpdate.
func (s *Server) updateApp(c *gin.Context) error {
	app, _, err := s.appAccess(c, models.DevRoleAdmin)
	if err != nil {
		return err
	}
	var req models.AppListingUpdate
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	app, err = s.apps.UpdateAppListing(c.Request.Context(), app.ID, req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, app)
	return nil
}

type publishChecksJSON struct {
	Checks   []models.PublishCheck `json:"checks"`
	Blocking bool                  `json:"blocking"`
}

// publishChecks runs the publication checks the server enforces (members).
func (s *Server) publishChecks(c *gin.Context) error {
	app, _, err := s.appAccess(c, models.DevRoleMember)
	if err != nil {
		return err
	}
	checks, err := s.apps.PublishChecks(c.Request.Context(), app.ID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, publishChecksJSON{Checks: checks, Blocking: models.Blocking(checks)})
	return nil
}

// previewPublishChecks runs the checks on the stored app merged with a draft
// listing (the body, as for PATCH), changing nothing: the live checklist.
func (s *Server) previewPublishChecks(c *gin.Context) error {
	app, _, err := s.appAccess(c, models.DevRoleMember)
	if err != nil {
		return err
	}
	var draft models.AppListingUpdate
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &draft); err != nil {
		return err
	}
	checks, err := s.apps.PreviewPublishChecks(c.Request.Context(), app.ID, draft)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, publishChecksJSON{Checks: checks, Blocking: models.Blocking(checks)})
	return nil
}

// publishApp puts an unpublished app in the marketplace (admins). Restoring
// a suspended app is platform staff's (restoreApp).
func (s *Server) publishApp(c *gin.Context) error {
	app, _, err := s.appAccess(c, models.DevRoleAdmin)
	if err != nil {
		return err
	}
	if app.PublicationStatus == models.AppSuspended {
		return models.Errorf(models.KindForbidden, "staff_required", "The app is suspended; only platform staff can restore it.")
	}
	return s.setPublication(c, app, models.AppPublished)
}

// unpublishApp takes a published app out of the marketplace (admins).
func (s *Server) unpublishApp(c *gin.Context) error {
	app, _, err := s.appAccess(c, models.DevRoleAdmin)
	if err != nil {
		return err
	}
	return s.setPublication(c, app, models.AppUnpublished)
}

// suspendApp takes a published app down (platform staff).
func (s *Server) suspendApp(c *gin.Context) error {
	return s.staffPublication(c, models.AppSuspended)
}

// restoreApp puts a suspended app back in the marketplace (platform staff).
func (s *Server) restoreApp(c *gin.Context) error {
	return s.staffPublication(c, models.AppPublished)
}

// staffPublication moves any app, for platform staff, who belong to no
// developer account; a suspended app may only be restored and a published
// one only suspended here.
func (s *Server) staffPublication(c *gin.Context, to models.PublicationStatus) error {
	if err := requireStaff(c); err != nil {
		return err
	}
	id, err := pathID(c, "app")
	if err != nil {
		return errAppNotFound
	}
	app, err := s.apps.GetApp(c.Request.Context(), id)
	if err != nil {
		return err
	}
	from := map[models.PublicationStatus]models.PublicationStatus{models.AppSuspended: models.AppPublished, models.AppPublished: models.AppSuspended}[to]
	if app.PublicationStatus != from {
		return models.Errorf(models.KindConflict, "invalid_transition", "The app is %s; only a %s app can become %s here.", app.PublicationStatus, from, to)
	}
	return s.setPublication(c, app, to)
}

func (s *Server) setPublication(c *gin.Context, app *models.App, to models.PublicationStatus) error {
	app, err := s.apps.SetAppPublicationStatus(c.Request.Context(), app.ID, to)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, app)
	return nil
}

// registerAppRoutes mounts the routes served from this file.
func (s *Server) registerAppRoutes(me *gin.RouterGroup) {
	me.GET("/developer-accounts/:id/apps", handler(s.listApps))
	me.POST("/developer-accounts/:id/apps", handler(s.createApp))
	me.GET("/apps/slug-availability", handler(s.appSlugAvailability))
	me.GET("/apps/:app", handler(s.getApp))
	me.PATCH("/apps/:app", handler(s.updateApp))
	me.GET("/apps/:app/publish-checks", handler(s.publishChecks))
	me.POST("/apps/:app/publish-checks/preview", handler(s.previewPublishChecks))
	me.POST("/apps/:app/publish", handler(s.publishApp))
	me.POST("/apps/:app/unpublish", handler(s.unpublishApp))
	me.POST("/apps/:app/suspend", handler(s.suspendApp))
	me.POST("/apps/:app/restore", handler(s.restoreApp))
	me.GET("/app-categories", s.appCategories)
	me.GET("/app-scopes", s.appScopes)
}
