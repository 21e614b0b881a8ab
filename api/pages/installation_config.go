package pages

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"appstore/models"
)

// installationPage is what the settings, connections and permissions
// pages of an installation share: the app, and which tabs the caller sees.
type installationPage struct {
	OrgID    string
	Access   *models.InstallationAccess
	IsAdmin  bool // organization owner or admin
	Base     string
	APIBase  string
	Tab      string
	OrgForm  *settingsForm
	UserForm *settingsForm
	Conns    []models.ConnectionValueStatus
	Members  []models.MemberPermission
}

// installationPageFor checks the caller is an owner or admin of the
// organization (orgAdmin), or else also a member with access, and fills
// the shared data; on failure it has already answered.
func (s *Server) installationPageFor(c *gin.Context, orgAdmin bool, tab string) (*models.PortalState, *installationPage, bool) {
	state, ok := s.pageUser(c)
	if !ok {
		return nil, nil, false
	}
	a, err := s.api.InstallationAccess(c, orgAdmin)
	if err != nil {
		s.pageError(c, state, err)
		return nil, nil, false
	}
	org, id := c.Param("org"), c.Param("id")
	return state, &installationPage{OrgID: org, Access: a, Tab: tab,
		IsAdmin: a.OrgRole == models.OrgRoleOwner || a.OrgRole == models.OrgRoleAdmin,
		Base:    "/organizations/" + org + "/installations/" + id,
		APIBase: "/api/v1/organizations/" + org + "/installations/" + id}, true
}

// installationSettingsPage shows the organization settings form to admins
// and the caller's own settings form to members with access.
func (s *Server) installationSettingsPage(c *gin.Context) {
	state, p, ok := s.installationPageFor(c, false, "settings")
	if !ok {
		return
	}
	ctx := c.Request.Context()
	forms := []struct {
		scope models.SettingsScope
		show  bool
		dst   **settingsForm
	}{
		{models.ScopeOrganization, p.IsAdmin, &p.OrgForm},
		{models.ScopeUser, p.Access.CanAccess, &p.UserForm},
	}
	for _, f := range forms {
		if !f.show {
			continue
		}
		st, err := s.installationConfig.GetSettings(ctx, p.Access, f.scope, state.User.ID)
		if err != nil {
			s.pageError(c, state, err)
			return
		}
		form := buildSettingsForm(f.scope, p.APIBase+"/settings?scope="+string(f.scope), st.Schema, st.Values)
		*f.dst = &form
	}
	s.renderPage(c, http.StatusOK, "installation_settings", userPage(p.Access.App.Title+" settings", state, p))
}

// installationConnectionsPage lets admins set each connection's
// credentials; inputs are never prefilled, only "set" or "not set" shows.
func (s *Server) installationConnectionsPage(c *gin.Context) {
	state, p, ok := s.installationPageFor(c, true, "connections")
	if !ok {
		return
	}
	conns, err := s.installationConfig.ListConnectionValues(c.Request.Context(), p.Access.Installation.ID)
	if err != nil {
		s.pageError(c, state, err)
		return
	}
	p.Conns = conns
	s.renderPage(c, http.StatusOK, "installation_connections", userPage(p.Access.App.Title+" connections", state, p))
}

// installationPermissionsPage lists the organization's members with
// access and app admin toggles (admins).
func (s *Server) installationPermissionsPage(c *gin.Context) {
	state, p, ok := s.installationPageFor(c, true, "permissions")
	if !ok {
		return
	}
	members, err := s.installationConfig.ListInstallationPermissions(c.Request.Context(), p.Access.Installation.ID)
	if err != nil {
		s.pageError(c, state, err)
		return
	}
	p.Members = members
	s.renderPage(c, http.StatusOK, "installation_permissions", userPage(p.Access.App.Title+" permissions", state, p))
}

// registerInstallationConfigPageRoutes mounts the routes served from this file.
func (s *Server) registerInstallationConfigPageRoutes(pages *gin.RouterGroup) {
	pages.GET("/organizations/:org/installations/:id/settings", s.installationSettingsPage)
	pages.GET("/organizations/:org/installations/:id/connections", s.installationConnectionsPage)
	pages.GET("/organizations/:org/installations/:id/permissions", s.installationPermissionsPage)
}
