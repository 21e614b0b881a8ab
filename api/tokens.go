package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"appstore/models"
)

type createTokenRequest struct {
	Name      string     `json:"name"`
	ExpiresAt *time.Time `json:"expires_at"`
}

type createTokenResponse struct {
	*models.PersonalAccessToken
	// Token is shown this once; only its hash is kept.
	Token string `json:"token"`
}

// createToken makes a personal access token for the caller. Tokens cannot
// mint tokens: a stolen CLI token must not be able to entrench itself.
func (s *Server) createToken(c *gin.Context) error {
	p := principal(c)
	if p.Via == "token" {
		return models.Errorf(models.KindForbidden, "session_required", "Create access tokens from a signed-in session, not with another token.")
	}
	var req createTokenRequest
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	token, pat, err := s.users.CreatePAT(c.Request.Context(), p.UserID, req.Name, req.ExpiresAt)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, createTokenResponse{PersonalAccessToken: pat, Token: token})
	return nil
}

// listTokens lists the caller's tokens (never the secrets), newest first.
func (s *Server) listTokens(c *gin.Context) error {
	limit, err := queryLimit(c, 50)
	if err != nil {
		return err
	}
	page, err := s.users.ListPATs(c.Request.Context(), principal(c).UserID, c.Query("cursor"), limit)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, page)
	return nil
}

// revokeToken revokes one of the caller's tokens at once.
func (s *Server) revokeToken(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := s.users.RevokePAT(c.Request.Context(), principal(c).UserID, id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// registerTokenRoutes mounts the routes served from this file.
func (s *Server) registerTokenRoutes(me *gin.RouterGroup) {
	me.GET("/tokens", handler(s.listTokens))
	me.POST("/tokens", handler(s.createToken))
	me.DELETE("/tokens/:id", handler(s.revokeToken))
}
