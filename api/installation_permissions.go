package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"appstore/models"
)

// listPermissions lists every organization member with their access to
// the installed app (admins).
func (s *Server) listPermissions(c *gin.Context) error {
	a, err := s.installationConfigAccess(c, needOrgAdmin)
	if err != nil {
		return err
	}
	list, err := s.installationConfig.ListInstallationPermissions(c.Request.Context(), a.Installation.ID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"permissions": list})
	return nil
}

// patchPermission grants or revokes one member's access or app admin
// rights; revoking access also revokes their SSO tokens (admins).
func (s *Server) patchPermission(c *gin.Context) error {
	a, err := s.installationConfigAccess(c, needOrgAdmin)
	if err != nil {
		return err
	}
	user, err := pathID(c, "user")
	if err != nil {
		return models.Errorf(models.KindNotFound, "member_not_found", "This user is not a member of the organization.")
	}
	var req models.PermissionUpdate
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	if req.CanAccess == nil && req.IsAdmin == nil {
		return models.Invalid("invalid_permission", "Send can_access, is_admin or both.")
	}
	p, err := s.installationConfig.SetInstallationPermission(c.Request.Context(), a.Installation.ID, user, req, principal(c).UserID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, p)
	return nil
}

// registerInstallationPermissionRoutes mounts the routes served from this file.
func (s *Server) registerInstallationPermissionRoutes(me *gin.RouterGroup) {
	me.GET("/organizations/:org/installations/:id/permissions", handler(s.listPermissions))
	me.PATCH("/organizations/:org/installations/:id/permissions/:user", handler(s.patchPermission))
}
