package pages

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"appstore/models"
)

// openAppPage redirects a signed-in member with access to the app; others
// see why not.
func (s *Server) openAppPage(c *gin.Context) {
	state, ok := s.pageUser(c)
	if !ok {
		return
	}
	u, err := s.api.OpenAppURL(c)
	if err != nil {
		s.appAccessError(c, state, err)
		return
	}
	c.Redirect(http.StatusSeeOther, u)
}

// appAccessError renders a 403 access page, or the generic error page.
func (s *Server) appAccessError(c *gin.Context, state *models.PortalState, err error) {
	var me *models.Error
	if errors.As(err, &me) && me.Kind == models.KindForbidden {
		d := userPage("No access to this app", state, nil)
		d.Error = me.Message
		s.renderPage(c, http.StatusForbidden, "app_access_denied", d)
		return
	}
	s.pageError(c, state, err)
}

// registerSSOPageRoutes mounts the routes served from this file.
func (s *Server) registerSSOPageRoutes(pages *gin.RouterGroup) {
	pages.GET("/organizations/:org/installations/:id/open", s.openAppPage)
}
