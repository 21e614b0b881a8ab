package api

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"appstore/models"
)

type meResponse struct {
	User              *models.User                        `json:"user"`
	PlatformRole      models.PlatformRole                 `json:"platform_role"`
	Organizations     []models.OrganizationMembership     `json:"organizations"`
	DeveloperAccounts []models.DeveloperAccountMembership `json:"developer_accounts"`
	AuthenticatedVia  string                              `json:"authenticated_via"`
}

// me answers who the caller is and where they belong.
func (s *Server) me(c *gin.Context) error {
	p := principal(c)
	u, err := s.users.GetUser(c.Request.Context(), p.UserID)
	if errors.Is(err, models.ErrNotFound) {
		return models.Errorf(models.KindUnauthorized, "account_gone", "This account no longer exists.")
	}
	if err != nil {
		return err
	}
	orgs, accounts, err := s.users.Memberships(c.Request.Context(), p.UserID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, meResponse{User: u, PlatformRole: u.PlatformRole, Organizations: orgs,
		DeveloperAccounts: accounts, AuthenticatedVia: p.Via})
	return nil
}

// registerMeRoutes mounts the routes served from this file.
func (s *Server) registerMeRoutes(me *gin.RouterGroup) {
	me.GET("/me", handler(s.me))
}
