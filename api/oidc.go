package api

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"appstore/models"
)

// OIDCProvider is the OpenID Connect provider (api/oidcop.Provider): it
// serves its own endpoints, and the login step here hands it the signed-in
// user.
type OIDCProvider interface {
	http.Handler
	// Issuer is the provider's issuer URL.
	Issuer() string
	// Paths are the request paths it answers, mounted at the root.
	Paths() []string
	// AuthorizePath is where authorization requests arrive; LoginPath is
	// where the provider sends the browser to sign in.
	AuthorizePath() string
	LoginPath() string
	// FinishLogin completes authorization request id for userID and writes
	// the redirect back to the client, or writes nothing and returns a
	// *models.Error (403 when the user may not use the app).
	FinishLogin(w http.ResponseWriter, r *http.Request, id string, userID uuid.UUID) error
}

// mountOIDC mounts the provider's endpoints at the root. The token, revoke,
// introspect and userinfo endpoints are client-to-server calls
// authenticated by client credentials or bearer tokens, so no CSRF check
// and no session applies to them; authorization itself needs the platform
// session, and sends a browser without one to the sign-in page first.
func (s *Server) mountOIDC(r *gin.Engine, p OIDCProvider, auth gin.HandlerFunc) {
	h := gin.WrapH(p)
	for _, path := range p.Paths() {
		if path == p.AuthorizePath() {
			r.GET(path, noStore, auth, s.requireBrowserSession, h)
			r.POST(path, noStore, auth, s.requireBrowserSession, h)
			continue
		}
		r.Any(path, h)
	}
	r.GET(p.LoginPath(), noStore, auth, s.oidcLogin(p))
}

// requireBrowserSession sends a browser that is not signed in to the
// sign-in page, which comes back here afterwards.
func (s *Server) requireBrowserSession(c *gin.Context) {
	if p := principal(c); p != nil && p.Via == "cookie" {
		c.Next()
		return
	}
	c.Redirect(http.StatusFound, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
	c.Abort()
}

// oidcLogin is the provider's login step: the signed-in user either goes
// straight back to the app with a code, or sees why not (never the app).
func (s *Server) oidcLogin(p OIDCProvider) gin.HandlerFunc {
	return func(c *gin.Context) {
		state, ok := s.pageUser(c)
		if !ok {
			return
		}
		err := p.FinishLogin(c.Writer, c.Request, c.Query("id"), state.User.ID)
		if err == nil {
			return
		}
		s.appAccessError(c, state, err)
	}
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
