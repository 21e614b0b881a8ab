package api

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"appstore/models"
)

// orgRank orders organization roles for "at least" checks.
var orgRank = map[models.OrganizationRole]int{models.OrgRoleMember: 1, models.OrgRoleAdmin: 2, models.OrgRoleOwner: 3}

// orgAccess checks the caller's role in the organization named by :org.
// Non-members get 404 (ids reveal nothing); members below need get 403.
func (s *Server) orgAccess(c *gin.Context, need models.OrganizationRole) (uuid.UUID, models.OrganizationRole, error) {
	id, err := pathID(c, "org")
	if err != nil {
		return uuid.Nil, "", err
	}
	role, err := s.organizations.OrganizationRole(c.Request.Context(), id, principal(c).UserID)
	if errors.Is(err, models.ErrNotFound) {
		return uuid.Nil, "", models.Errorf(models.KindNotFound, "organization_not_found", "No such organization.")
	}
	if err != nil {
		return uuid.Nil, "", err
	}
	if orgRank[role] < orgRank[need] {
		return uuid.Nil, "", models.Errorf(models.KindForbidden, string(need)+"_required", "Only %ss of this organization can do that.", need)
	}
	return id, role, nil
}

// requireVerified refuses callers whose email is not verified yet: they
// may browse, but not create organizations or developer accounts.
func (s *Server) requireVerified(c *gin.Context) error {
	u, err := s.users.GetUser(c.Request.Context(), principal(c).UserID)
	if err != nil {
		return err
	}
	if u.EmailVerifiedAt == nil {
		return models.Errorf(models.KindForbidden, "email_unverified", "Verify your email address first: follow the link we mailed you, or ask for a new one.")
	}
	return nil
}

type organizationJSON struct {
	*models.Organization
	Role models.OrganizationRole `json:"role"`
}

// listOrganizations lists the caller's organizations with their role.
func (s *Server) listOrganizations(c *gin.Context) error {
	orgs, _, err := s.users.Memberships(c.Request.Context(), principal(c).UserID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"organizations": orgs})
	return nil
}

type organizationRequest struct {
	Name string `json:"name"`
}

// createOrganization creates an organization owned by the caller.
func (s *Server) createOrganization(c *gin.Context) error {
	if err := s.requireVerified(c); err != nil {
		return err
	}
	var req organizationRequest
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	me := principal(c).UserID
	org, err := s.organizations.CreateOrganization(c.Request.Context(), req.Name, me)
	if err != nil {
		return err
	}
	s.portal.Invalidate(me)
	c.JSON(http.StatusCreated, organizationJSON{Organization: org, Role: models.OrgRoleOwner})
	return nil
}

// getOrganization shows an organization to its members.
func (s *Server) getOrganization(c *gin.Context) error {
	id, role, err := s.orgAccess(c, models.OrgRoleMember)
	if err != nil {
		return err
	}
	org, err := s.organizations.GetOrganization(c.Request.Context(), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, organizationJSON{Organization: org, Role: role})
	return nil
}

// renameOrganization renames it (owners and admins).
func (s *Server) renameOrganization(c *gin.Context) error {
	id, role, err := s.orgAccess(c, models.OrgRoleAdmin)
	if err != nil {
		return err
	}
	var req organizationRequest
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	org, err := s.organizations.RenameOrganization(c.Request.Context(), id, req.Name)
	if err != nil {
		return err
	}
	s.invalidateMembers(c, organizationScope, id)
	c.JSON(http.StatusOK, organizationJSON{Organization: org, Role: role})
	return nil
}

// adminMayManage enforces that admins manage only non-owners and never
// grant ownership; owners may do anything the last-owner rule allows.
func (s *Server) adminMayManage(c *gin.Context, orgID uuid.UUID, myRole models.OrganizationRole, target uuid.UUID, newRole models.OrganizationRole) error {
	if myRole == models.OrgRoleOwner {
		return nil
	}
	if newRole == models.OrgRoleOwner {
		return models.Errorf(models.KindForbidden, "owner_required", "Only owners can make someone an owner.")
	}
	targetRole, err := s.organizations.OrganizationRole(c.Request.Context(), orgID, target)
	if errors.Is(err, models.ErrNotFound) {
		return models.Errorf(models.KindNotFound, "member_not_found", "That user is not a member of this organization.")
	}
	if err != nil {
		return err
	}
	if targetRole == models.OrgRoleOwner {
		return models.Errorf(models.KindForbidden, "owner_required", "Only owners can change or remove an owner.")
	}
	return nil
}

// registerOrganizationRoutes mounts the routes served from this file.
func (s *Server) registerOrganizationRoutes(me *gin.RouterGroup) {
	me.GET("/organizations", handler(s.listOrganizations))
	me.POST("/organizations", handler(s.createOrganization))
	me.GET("/organizations/:org", handler(s.getOrganization))
	me.PATCH("/organizations/:org", handler(s.renameOrganization))
}
