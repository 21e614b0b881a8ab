package pages

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"appstore/models"
)

type orgPageData struct {
	Organization *models.Organization
	MyRole       models.OrganizationRole
	IsOwner      bool
	IsAdmin      bool // admin or owner
	Me           uuid.UUID
	Members      []models.OrganizationMemberView
	Invitations  []models.Invitation
}

// organizationPage is an organization's settings: name, members and roles,
// pending invitations. Controls appear by role; the API enforces the rules.
func (s *Server) organizationPage(c *gin.Context) {
	state, org, role, ok := s.orgPage(c)
	if !ok {
		return
	}
	id, ctx := org.ID, c.Request.Context()
	members, invs, err := membersAndInvitations(
		func() ([]models.OrganizationMemberView, error) {
			return s.organizations.ListOrganizationMembers(ctx, id)
		},
		func() ([]models.Invitation, error) { return s.invitations.ListPendingOrganizationInvitations(ctx, id) })
	if err != nil {
		s.pageError(c, state, err)
		return
	}
	s.renderPage(c, http.StatusOK, "organization", userPage(org.Name, state, orgPageData{
		Organization: org, MyRole: role, IsOwner: role == models.OrgRoleOwner,
		IsAdmin: role == models.OrgRoleOwner || role == models.OrgRoleAdmin, Me: state.User.ID,
		Members: members, Invitations: invs,
	}))
}

// InvitationsPanel feeds the shared invitations partial.
func (d orgPageData) InvitationsPanel() invitationsPanel {
	return invitationsPanel{Base: "/api/v1/organizations/" + d.Organization.ID.String(), TestID: "org-invitations",
		Invitations: d.Invitations, CanManage: d.IsAdmin,
		MemberMeans: "use installed apps", AdminMeans: "also install apps and manage members"}
}

// registerOrganizationPageRoutes mounts the routes served from this file.
func (s *Server) registerOrganizationPageRoutes(pages *gin.RouterGroup) {
	pages.GET("/organizations", s.userOnlyPage("organizations", "Organizations"))
	pages.GET("/organizations/:org", s.organizationPage)
}
