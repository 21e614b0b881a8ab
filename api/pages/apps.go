package pages

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"appstore/models"
)

type appsPageData struct {
	Account    *models.DeveloperAccount
	IsAdmin    bool
	Apps       []models.App
	NextCursor string
}

// appsPage lists a developer account's apps to its members; admins also
// get the create form with the live slug check.
func (s *Server) appsPage(c *gin.Context) {
	state, acct, role, ok := s.accountPage(c)
	if !ok {
		return
	}
	id, ctx := acct.ID, c.Request.Context()
	page, err := s.apps.ListApps(ctx, id, c.Query("cursor"), models.DefaultAppLimit)
	if err != nil {
		s.pageError(c, state, err)
		return
	}
	s.renderPage(c, http.StatusOK, "app_list", userPage("Apps of "+acct.Title, state, appsPageData{
		Account: acct, IsAdmin: role == models.DevRoleAdmin, Apps: page.Apps, NextCursor: page.NextCursor,
	}))
}

// appPageBase is what every tab of an app's pages shows: the header, the
// tabs, and whether the viewer may change things.
type appPageBase struct {
	App     *models.App
	Account *models.DeveloperAccount
	IsAdmin bool
	Tab     string
}

// Header is the base itself, for templates: {{template "app_header" .Header}}.
func (b appPageBase) Header() appPageBase { return b }

// appPage checks the signed-in viewer is a member of the app's developer
// account (404 otherwise, as the API) and loads the header's data. On
// failure it has already answered.
func (s *Server) appPage(c *gin.Context, tab string) (*models.PortalState, appPageBase, bool) {
	state, ok := s.pageUser(c)
	if !ok {
		return nil, appPageBase{}, false
	}
	app, role, err := s.api.AppAccess(c, models.DevRoleMember)
	if err != nil {
		s.pageError(c, state, err)
		return nil, appPageBase{}, false
	}
	acct, err := s.developerAccounts.GetDeveloperAccount(c.Request.Context(), app.DeveloperAccountID)
	if err != nil {
		s.pageError(c, state, err)
		return nil, appPageBase{}, false
	}
	return state, appPageBase{App: app, Account: acct, IsAdmin: role == models.DevRoleAdmin, Tab: tab}, true
}

// option is one choice of a select or checkbox group.
type option struct {
	Value   string
	Checked bool
}

func options(all, chosen []string) []option {
	out := make([]option, len(all))
	for i, v := range all {
		out[i] = option{Value: v, Checked: slices.Contains(chosen, v)}
	}
	return out
}

type appListingPageData struct {
	appPageBase
	Categories  []option
	Scopes      []option
	Screenshots string // one URL a line
	Features    string // one feature a line
	Price       string
	Checks      []models.PublishCheck
	Blocking    bool
}

// appListingPage is the listing editor with the publish checklist, which
// app_editor.js keeps current as fields change; read-only for members.
func (s *Server) appListingPage(c *gin.Context) {
	state, base, ok := s.appPage(c, "listing")
	if !ok {
		return
	}
	app := base.App
	checks, err := s.apps.PublishChecks(c.Request.Context(), app.ID)
	if err != nil {
		s.pageError(c, state, err)
		return
	}
	d := appListingPageData{
		appPageBase: base,
		Categories:  options(models.AppCategories, []string{app.Category}),
		Scopes:      options(models.AppScopes, app.RequiredScopes),
		Screenshots: strings.Join(app.ScreenshotURLs, "\n"),
		Features:    strings.Join(app.Features, "\n"),
		Checks:      checks,
		Blocking:    models.Blocking(checks),
	}
	if app.MonthlyPrice != nil {
		d.Price = *app.MonthlyPrice
	}
	s.renderPage(c, http.StatusOK, "app_listing", userPage(app.Title, state, d))
}

type appOAuthPageData struct {
	appPageBase
	Client       any    // the JSON API's view of the client; nil until OAuth is first enabled
	RedirectURIs string // one a line
	Scopes       []option
	GraceDays    int
}

// appOAuthPage shows the app's OAuth client: its state, both secrets'
// validity, and (for admins) enable, rotate, disable and the settings.
func (s *Server) appOAuthPage(c *gin.Context) {
	state, base, ok := s.appPage(c, "oauth")
	if !ok {
		return
	}
	d := appOAuthPageData{appPageBase: base, Scopes: options(models.AppScopes, nil), GraceDays: int(s.cfg.SecretGrace.Hours() / 24)}
	client, err := s.oauthClients.GetOAuthClient(c.Request.Context(), base.App.ID)
	switch {
	case errors.Is(err, models.ErrNotFound):
	case err != nil:
		s.pageError(c, state, err)
		return
	default:
		d.Client = s.api.OAuthClientView(client)
		d.RedirectURIs = strings.Join(client.RedirectURIs, "\n")
		d.Scopes = options(models.AppScopes, client.Scopes)
	}
	s.renderPage(c, http.StatusOK, "app_oauth", userPage(base.App.Title+" · OAuth", state, d))
}

type appConnectionsPageData struct {
	appPageBase
	Connections []models.ConnectionDefinition
	Types       []models.ConnectionType
	Refreshes   []models.ConnectionRefresh
}

// appConnectionsPage lists the app's connection definitions; admins create
// and delete them. Client secrets are write-only: the page says only
// whether one is set.
func (s *Server) appConnectionsPage(c *gin.Context) {
	state, base, ok := s.appPage(c, "connections")
	if !ok {
		return
	}
	defs, err := s.connections.ListConnectionDefinitions(c.Request.Context(), base.App.ID)
	if err != nil {
		s.pageError(c, state, err)
		return
	}
	s.renderPage(c, http.StatusOK, "app_connections", userPage(base.App.Title+" · Connections", state, appConnectionsPageData{
		appPageBase: base, Connections: defs, Types: models.ConnectionTypes, Refreshes: models.ConnectionRefreshes,
	}))
}

// registerAppPageRoutes mounts the routes served from this file.
func (s *Server) registerAppPageRoutes(pages *gin.RouterGroup) {
	pages.GET("/developer-accounts/:id/apps", s.appsPage)
	pages.GET("/apps/:app", s.appListingPage)
	pages.GET("/apps/:app/oauth", s.appOAuthPage)
	pages.GET("/apps/:app/connections", s.appConnectionsPage)
}
