package api

import (
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// OIDCProvider is the OpenID Connect provider (api/oidcop.Provider): it
// serves its own endpoints, and the login step (pages.Server.OIDCLogin)
// hands it the signed-in user.
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
	// FinishLogin completes authorization request id for userID, signed in
	// at signedIn, and writes the redirect back to the client, or writes
	// nothing and returns a *models.Error: 403 when the user may not use
	// the app, unauthorized when the request wants a more recent sign-in
	// (prompt=login, max_age).
	FinishLogin(w http.ResponseWriter, r *http.Request, id string, userID uuid.UUID, signedIn time.Time) error
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
	r.GET(p.LoginPath(), noStore, auth, s.pages.OIDCLogin(p))
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

// signedInAt is when the browser's platform session began. Sessions are
// issued only at sign-in (startSession) and never re-issued, so the
// session JWT's iat is the sign-in time; Verify answers from its cache.
func (s *Server) signedInAt(c *gin.Context) (time.Time, bool) {
	ck, err := c.Request.Cookie(SessionCookie)
	if err != nil {
		return time.Time{}, false
	}
	claims, err := s.sessions.Verify(ck.Value)
	if err != nil || claims.IssuedAt == nil {
		return time.Time{}, false
	}
	return claims.IssuedAt.Time, true
}
