package api

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"appstore/models"
)

var (
	errAccessRevoked = &models.Error{Kind: models.KindForbidden, Code: "access_revoked",
		Message: "You do not have access to this app. Ask an administrator of your organization to grant it."}
	errAppNotActive = &models.Error{Kind: models.KindForbidden, Code: "access_revoked",
		Message: "This app is not active in your organization (uninstalled or suspended)."}
	errNoAppURL = &models.Error{Kind: models.KindConflict, Code: "app_url_missing",
		Message: "This app has no app URL to open."}
	errNoOIDC = &models.Error{Kind: models.KindUnavailable, Code: "sso_unavailable",
		Message: "Single sign-on is not configured on this server."}
)

// ssoURL is where "Open App" sends caller: the app's app_url with an
// OpenID Connect third-party-initiated login (iss, login_hint,
// target_link_uri), from which the app starts the code flow. Outsiders get
// 404, members without access 403.
func (s *Server) ssoURL(c *gin.Context) (string, error) {
	if s.oidc == nil {
		return "", errNoOIDC
	}
	orgID, err := pathID(c, "org")
	if err != nil {
		return "", err
	}
	instID, err := pathID(c, "id")
	if err != nil {
		return "", err
	}
	userID := principal(c).UserID
	acc, err := s.installations.InstallationAccess(c.Request.Context(), orgID, instID, userID)
	if err != nil {
		return "", err
	}
	switch {
	case acc.Installation.Status != models.InstallationActive:
		return "", errAppNotActive
	case !acc.CanAccess:
		return "", errAccessRevoked
	case acc.App.AppURL == "":
		return "", errNoAppURL
	}
	u, err := url.Parse(acc.App.AppURL)
	if err != nil {
		return "", errNoAppURL
	}
	q := u.Query()
	q.Set("iss", s.oidc.Issuer())
	q.Set("login_hint", userID.String())
	q.Set("target_link_uri", acc.App.AppURL)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// getSSO answers {"url": ...} for the portal's Open App button.
func (s *Server) getSSO(c *gin.Context) error {
	u, err := s.ssoURL(c)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"url": u})
	return nil
}

// registerSSORoutes mounts the routes served from this file.
func (s *Server) registerSSORoutes(me *gin.RouterGroup) {
	me.GET("/organizations/:org/installations/:id/sso", handler(s.getSSO))
}
