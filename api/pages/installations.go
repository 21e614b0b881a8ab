package pages

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"appstore/models"
)

type installedAppsPage struct {
	Organization  *models.Organization
	IsAdmin       bool
	Installations []models.InstallationView
	Installed     string // the id just installed, highlighted
	// Uninstalled are the apps whose settings and credentials are kept
	// for a reinstall; admins may erase them.
	Uninstalled []models.InstallationView
}

// installedAppsPage is /organizations/:org/apps: the organization's
// installed apps with Open App (members with access) and Uninstall
// (owners and admins).
func (s *Server) installedAppsPage(c *gin.Context) {
	state, org, role, ok := s.orgPage(c)
	if !ok {
		return
	}
	id, ctx := org.ID, c.Request.Context()
	list, err := s.installations.ListOrganizationInstallations(ctx, id, state.User.ID)
	if err != nil {
		s.pageError(c, state, err)
		return
	}
	isAdmin := role == models.OrgRoleOwner || role == models.OrgRoleAdmin
	var kept []models.InstallationView
	if isAdmin {
		if kept, err = s.installations.ListUninstalledInstallations(ctx, id, state.User.ID); err != nil {
			s.pageError(c, state, err)
			return
		}
	}
	s.renderPage(c, http.StatusOK, "installed_apps", userPage("Apps of "+org.Name, state, installedAppsPage{
		Organization: org, IsAdmin: isAdmin, Installations: list, Installed: c.Query("installed"), Uninstalled: kept,
	}))
}

type installConsentPage struct {
	Organization *models.Organization
	IsAdmin      bool
	App          *models.App
	Scopes       []string
	Connections  []models.ConnectionDefinition
	Installed    bool
}

// installConsentPage is /organizations/:org/install/:slug: what installing
// the app grants (scopes), what it will need (connections) and its price,
// before an owner or admin confirms.
func (s *Server) installConsentPage(c *gin.Context) {
	state, org, role, ok := s.orgPage(c)
	if !ok {
		return
	}
	id, ctx := org.ID, c.Request.Context()
	plan, err := s.installations.PlanInstall(ctx, id, strings.ToLower(c.Param("slug")))
	if err != nil {
		s.pageError(c, state, err)
		return
	}
	conns, err := s.connections.ListConnectionDefinitions(ctx, plan.App.ID)
	if err != nil {
		s.pageError(c, state, err)
		return
	}
	scopes := append(append([]string{}, plan.App.RequiredScopes...), models.InstallationScopes...)
	s.renderPage(c, http.StatusOK, "install_consent", userPage("Install "+plan.App.Title, state, installConsentPage{
		Organization: org, IsAdmin: role == models.OrgRoleOwner || role == models.OrgRoleAdmin,
		App: plan.App, Scopes: scopes, Connections: conns, Installed: plan.Active,
	}))
}

// registerInstallationPageRoutes mounts the routes served from this file.
func (s *Server) registerInstallationPageRoutes(pages *gin.RouterGroup) {
	pages.GET("/organizations/:org/apps", s.installedAppsPage)
	pages.GET("/organizations/:org/install/:slug", s.installConsentPage)
}
