package api

import (
	"context"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"appstore/models"
)

// MarketplaceStore is what the marketplace handlers and pages use.
type MarketplaceStore interface {
	ListMarketplaceApps(ctx context.Context, viewer *uuid.UUID, f models.CatalogFilter) (*models.CatalogPage, error)
	GetMarketplaceApp(ctx context.Context, slug string, viewer *uuid.UUID) (*models.CatalogListing, error)
}

// The marketplace is read by signed-in users only (the `me` group): apps
// are installed per organization, so browsing is the first step of an
// organization admin's install, and the development section depends on
// who is asking.

// catalogFilter reads q, category, cursor and limit. Their checks
// (query_too_long, unknown_category, invalid_cursor) are the store's, so
// the API and the pages answer alike.
func catalogFilter(c *gin.Context) (models.CatalogFilter, error) {
	limit, err := queryLimit(c, models.DefaultCatalogLimit)
	if err != nil {
		return models.CatalogFilter{}, err
	}
	return models.CatalogFilter{Query: c.Query("q"), Category: c.Query("category"), Cursor: c.Query("cursor"), Limit: limit}, nil
}

// listMarketplaceApps is GET /marketplace/apps?q=&category=&cursor=&limit=.
func (s *Server) listMarketplaceApps(c *gin.Context) error {
	f, err := catalogFilter(c)
	if err != nil {
		return err
	}
	viewer := principal(c).UserID
	page, err := s.store.ListMarketplaceApps(c.Request.Context(), &viewer, f)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, page)
	return nil
}

// getMarketplaceApp is GET /marketplace/apps/:slug.
func (s *Server) getMarketplaceApp(c *gin.Context) error {
	viewer := principal(c).UserID
	l, err := s.store.GetMarketplaceApp(c.Request.Context(), c.Param("slug"), &viewer)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, l)
	return nil
}

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
	f, err := catalogFilter(c)
	if err != nil {
		s.pageError(c, state, err)
		return
	}
	page, err := s.store.ListMarketplaceApps(c.Request.Context(), &state.User.ID, f)
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
	l, err := s.store.GetMarketplaceApp(c.Request.Context(), c.Param("slug"), &state.User.ID)
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

// registerMarketplaceRoutes mounts the routes served from this file.
func (s *Server) registerMarketplaceRoutes(me, pages *gin.RouterGroup) {
	me.GET("/marketplace/apps", handler(s.listMarketplaceApps))
	me.GET("/marketplace/apps/:slug", handler(s.getMarketplaceApp))
	pages.GET("/marketplace", s.marketplacePage)
	pages.GET("/marketplace/:slug", s.marketplaceAppPage)
}
