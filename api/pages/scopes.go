package pages

import (
	"github.com/gin-gonic/gin"

	"appstore/models"
)

// orgPage starts a page of organization :org: the signed-in member, the
// organization and their role in it. On failure it has already answered
// (the sign-in redirect or the error page).
func (s *Server) orgPage(c *gin.Context) (*models.PortalState, *models.Organization, models.OrganizationRole, bool) {
	state, ok := s.pageUser(c)
	if !ok {
		return nil, nil, "", false
	}
	id, role, err := s.api.OrganizationAccess(c, models.OrgRoleMember)
	if err == nil {
		var org *models.Organization
		if org, err = s.organizations.GetOrganization(c.Request.Context(), id); err == nil {
			return state, org, role, true
		}
	}
	s.pageError(c, state, err)
	return nil, nil, "", false
}

// accountPage starts a page of developer account :id: the signed-in
// member, the account and their role in it. On failure it has already
// answered.
func (s *Server) accountPage(c *gin.Context) (*models.PortalState, *models.DeveloperAccount, models.DeveloperRole, bool) {
	state, ok := s.pageUser(c)
	if !ok {
		return nil, nil, "", false
	}
	id, role, err := s.api.DeveloperAccountAccess(c, models.DevRoleMember)
	if err == nil {
		var acct *models.DeveloperAccount
		if acct, err = s.developerAccounts.GetDeveloperAccount(c.Request.Context(), id); err == nil {
			return state, acct, role, true
		}
	}
	s.pageError(c, state, err)
	return nil, nil, "", false
}
