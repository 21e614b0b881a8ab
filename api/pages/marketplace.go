package pages

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"appstore/models"
)

// marketplacePageData feeds web/templates/marketplace.html.
type marketplacePageData struct {
	Filter     models.CatalogFilter
	Categories []string
	Catalog    *models.CatalogPage
	NextURL    string
}

// marketplacePage is /marketplace: search, category chips, cards.
func (s *Server) marketplacePage(c *gin.Context) {
	state, ok := s.pageUser(c)
	if !ok {
		return
	}
	f, err := s.api.CatalogFilter(c)
	if err != nil {
		s.pageError(c, state, err)
		return
	}
	page, err := s.catalog.ListMarketplaceApps(c.Request.Context(), &state.User.ID, f)
	if err != nil {
		s.pageError(c, state, err)
		return
	}
	d := marketplacePageData{Filter: f, Categories: models.AppCategories, Catalog: page}
	if page.NextCursor != "" {
		q := url.Values{"cursor": {page.NextCursor}}
		if f.Query != "" {
			q.Set("q", f.Query)
		}
		if f.Category != "" {
			q.Set("category", f.Category)
		}
		d.NextURL = "/marketplace?" + q.Encode()
	}
	s.renderPage(c, http.StatusOK, "marketplace", userPage("Marketplace", state, d))
}

// marketplaceAppPageData feeds web/templates/marketplace_app.html.
type marketplaceAppPageData struct {
	App *models.CatalogListing
	// InstallOrgs are the organizations the viewer administers, each with
	// an Install button (installing needs an owner or admin, DESIGN §10).
	InstallOrgs []models.OrganizationMembership
	// DevOrgs names the viewer's organizations the app is deployed to for
	// development.
	DevOrgs []models.OrganizationMembership
}

// marketplaceAppPage is /marketplace/:slug, the app's full listing.
func (s *Server) marketplaceAppPage(c *gin.Context) {
	state, ok := s.pageUser(c)
	if !ok {
		return
	}
	l, err := s.catalog.GetMarketplaceApp(c.Request.Context(), c.Param("slug"), &state.User.ID)
	if err != nil {
		s.pageError(c, state, err)
		return
	}
	d := marketplaceAppPageData{App: l}
	for _, o := range state.Organizations {
		for _, id := range l.DevelopmentOrganizations {
			if o.ID == id {
				d.DevOrgs = append(d.DevOrgs, o)
			}
		}
		// Only published apps are installed from the marketplace; a
		// development deployment installs itself in its organization.
		if l.PublicationStatus == models.AppPublished && (o.Role == models.OrgRoleOwner || o.Role == models.OrgRoleAdmin) {
			d.InstallOrgs = append(d.InstallOrgs, o)
		}
	}
	s.renderPage(c, http.StatusOK, "marketplace_app", userPage(l.Title, state, d))
}

// registerMarketplacePageRoutes mounts the routes served from this file.
func (s *Server) registerMarketplacePageRoutes(pages *gin.RouterGroup) {
	pages.GET("/marketplace", s.marketplacePage)
	pages.GET("/marketplace/:slug", s.marketplaceAppPage)
}
