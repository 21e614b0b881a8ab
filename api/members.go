package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"appstore/models"
)

// listMembers lists an account's members and roles (members may look).
func (s *Server) listMembers(c *gin.Context) error {
	id, _, err := s.accountAccess(c, models.DevRoleMember)
	if err != nil {
		return err
	}
	members, err := s.store.ListDeveloperAccountMembers(c.Request.Context(), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"members": members})
	return nil
}

type changeRoleRequest struct {
	Role models.DeveloperRole `json:"role"`
}

// changeMemberRole sets a member's role (admins); the last admin stays.
func (s *Server) changeMemberRole(c *gin.Context) error {
	id, _, err := s.accountAccess(c, models.DevRoleAdmin)
	if err != nil {
		return err
	}
	userID, err := pathID(c, "user")
	if err != nil {
		return err
	}
	var req changeRoleRequest
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	if req.Role != models.DevRoleAdmin && req.Role != models.DevRoleMember {
		return models.Invalid("invalid_role", "role must be admin or member.", models.FieldError{Field: "role", Message: "must be admin or member"})
	}
	if err := s.store.ChangeDeveloperAccountRole(c.Request.Context(), id, userID, req.Role); err != nil {
		return err
	}
	s.invalidateAccountMembers(c, id)
	c.Status(http.StatusNoContent)
	return nil
}

// removeMember removes a member (admins); the last admin stays.
func (s *Server) removeMember(c *gin.Context) error {
	id, _, err := s.accountAccess(c, models.DevRoleAdmin)
	if err != nil {
		return err
	}
	userID, err := pathID(c, "user")
	if err != nil {
		return err
	}
	if err := s.store.RemoveDeveloperAccountMember(c.Request.Context(), id, userID); err != nil {
		return err
	}
	s.invalidateAccountMembers(c, id, userID)
	c.Status(http.StatusNoContent)
	return nil
}

// leaveAccount removes the caller from the account; the last admin cannot leave.
func (s *Server) leaveAccount(c *gin.Context) error {
	id, _, err := s.accountAccess(c, models.DevRoleMember)
	if err != nil {
		return err
	}
	me := principal(c).UserID
	if err := s.store.RemoveDeveloperAccountMember(c.Request.Context(), id, me); err != nil {
		return err
	}
	s.invalidateAccountMembers(c, id, me)
	c.Status(http.StatusNoContent)
	return nil
}
