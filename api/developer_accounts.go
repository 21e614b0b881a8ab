package api

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"appstore/models"
)

// accountAccess checks the caller's role in the developer account named by
// the :id path parameter. Non-members get 404, so account ids reveal
// nothing; members lacking the role get 403.
func (s *Server) accountAccess(c *gin.Context, need models.DeveloperRole) (uuid.UUID, models.DeveloperRole, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return uuid.Nil, "", err
	}
	role, err := s.developerAccounts.DeveloperAccountRole(c.Request.Context(), id, principal(c).UserID)
	if errors.Is(err, models.ErrNotFound) {
		return uuid.Nil, "", models.Errorf(models.KindNotFound, "developer_account_not_found", "No such developer account.")
	}
	if err != nil {
		return uuid.Nil, "", err
	}
	if need == models.DevRoleAdmin && role != models.DevRoleAdmin {
		return uuid.Nil, "", models.Errorf(models.KindForbidden, "admin_required", "Only admins of this developer account can do that.")
	}
	return id, role, nil
}

type developerAccountJSON struct {
	*models.DeveloperAccount
	Role models.DeveloperRole `json:"role"`
}

// listDeveloperAccounts lists the caller's developer accounts with their role.
func (s *Server) listDeveloperAccounts(c *gin.Context) error {
	_, accounts, err := s.users.Memberships(c.Request.Context(), principal(c).UserID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"developer_accounts": accounts})
	return nil
}

type createDeveloperAccountRequest struct {
	Slug  string `json:"slug"`
	Title string `json:"title"`
}

// createDeveloperAccount creates an account; the caller becomes its admin.
func (s *Server) createDeveloperAccount(c *gin.Context) error {
	if err := s.requireVerified(c); err != nil {
		return err
	}
	var req createDeveloperAccountRequest
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	me := principal(c).UserID
	acct, err := s.developerAccounts.CreateDeveloperAccount(c.Request.Context(), req.Slug, req.Title, me)
	if err != nil {
		return err
	}
	s.portal.Invalidate(me)
	c.JSON(http.StatusCreated, developerAccountJSON{DeveloperAccount: acct, Role: models.DevRoleAdmin})
	return nil
}

// slugAvailability answers live whether a slug can be taken, and why not.
func (s *Server) slugAvailability(c *gin.Context) error {
	check, err := s.developerAccounts.CheckDeveloperAccountSlug(c.Request.Context(), c.Query("slug"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, check)
	return nil
}

// getDeveloperAccount shows an account to its members.
func (s *Server) getDeveloperAccount(c *gin.Context) error {
	id, role, err := s.accountAccess(c, models.DevRoleMember)
	if err != nil {
		return err
	}
	acct, err := s.developerAccounts.GetDeveloperAccount(c.Request.Context(), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, developerAccountJSON{DeveloperAccount: acct, Role: role})
	return nil
}

type updateDeveloperAccountRequest struct {
	Title   *string `json:"title"`
	LogoURL *string `json:"logo_url"`
}

// updateDeveloperAccount changes the title or logo (admins).
func (s *Server) updateDeveloperAccount(c *gin.Context) error {
	id, role, err := s.accountAccess(c, models.DevRoleAdmin)
	if err != nil {
		return err
	}
	var req updateDeveloperAccountRequest
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	acct, err := s.developerAccounts.UpdateDeveloperAccount(c.Request.Context(), id, models.DeveloperAccountUpdate{Title: req.Title, LogoURL: req.LogoURL})
	if err != nil {
		return err
	}
	s.invalidateMembers(c, accountScope, id)
	c.JSON(http.StatusOK, developerAccountJSON{DeveloperAccount: acct, Role: role})
	return nil
}

// registerDeveloperAccountRoutes mounts the routes served from this file.
func (s *Server) registerDeveloperAccountRoutes(me *gin.RouterGroup) {
	me.GET("/developer-accounts", handler(s.listDeveloperAccounts))
	me.POST("/developer-accounts", handler(s.createDeveloperAccount))
	me.GET("/developer-accounts/slug-availability", handler(s.slugAvailability))
	me.GET("/developer-accounts/:id", handler(s.getDeveloperAccount))
	me.PATCH("/developer-accounts/:id", handler(s.updateDeveloperAccount))
}
