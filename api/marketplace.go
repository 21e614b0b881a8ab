package api

import (
	"context"
	"net/http"

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
	page, err := s.catalog.ListMarketplaceApps(c.Request.Context(), &viewer, f)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, page)
	return nil
}

// getMarketplaceApp is GET /marketplace/apps/:slug.
func (s *Server) getMarketplaceApp(c *gin.Context) error {
	viewer := principal(c).UserID
	l, err := s.catalog.GetMarketplaceApp(c.Request.Context(), c.Param("slug"), &viewer)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, l)
	return nil
}

// registerMarketplaceRoutes mounts the routes served from this file.
func (s *Server) registerMarketplaceRoutes(me *gin.RouterGroup) {
	me.GET("/marketplace/apps", handler(s.listMarketplaceApps))
	me.GET("/marketplace/apps/:slug", handler(s.getMarketplaceApp))
}
