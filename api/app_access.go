package api

import (
	"errors"

	"github.com/gin-gonic/gin"

	"appstore/models"
)

// errAppNotFound is what anyone outside an app's developer account hears of
// it, so app ids reveal nothing.
var errAppNotFound = models.Errorf(models.KindNotFound, "app_not_found", "No such app.")

// appAccess loads the app named by the :app path parameter and checks the
// caller's role in its developer account (DESIGN §10: members view, admins
// change). Non-members get 404 (app_not_found), members lacking the role
// 403 (admin_required).
func (s *Server) appAccess(c *gin.Context, need models.DeveloperRole) (*models.App, models.DeveloperRole, error) {
	id, err := pathID(c, "app")
	if err != nil {
		return nil, "", errAppNotFound
	}
	ctx := c.Request.Context()
	app, err := s.apps.GetApp(ctx, id)
	if err != nil {
		return nil, "", err
	}
	role, err := s.developerAccounts.DeveloperAccountRole(ctx, app.DeveloperAccountID, principal(c).UserID)
	if errors.Is(err, models.ErrNotFound) {
		return nil, "", errAppNotFound
	}
	if err != nil {
		return nil, "", err
	}
	if need == models.DevRoleAdmin && role != models.DevRoleAdmin {
		return nil, "", models.Errorf(models.KindForbidden, "admin_required", "Only admins of this app's developer account can do that.")
	}
	return app, role, nil
}

// requireStaff refuses callers who are not platform staff admins (403
// staff_required), before anything is looked up.
func requireStaff(c *gin.Context) error {
	if principal(c).Role != models.PlatformRoleStaffAdmin {
		return models.Errorf(models.KindForbidden, "staff_required", "Only platform staff can do that.")
	}
	return nil
}
