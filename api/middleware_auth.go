package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"appstore/api/httpx"
	"appstore/models"
)

// SessionCookie is the name of the HTTP-only cookie holding the session JWT.
const SessionCookie = "appstore_session"

// Principal is the authenticated caller of a request.
type Principal = httpx.Principal

const ctxAuthErr = "appstore.auth_error"

// PATAuthenticator resolves personal access tokens, which live in the database.
type PATAuthenticator interface {
	AuthenticatePAT(ctx context.Context, token string) (*models.User, error)
}

// authenticate identifies the caller from an Authorization: Bearer header (a
// session JWT or a personal access token) or else the session cookie. A JWT
// is verified locally; only a personal access token needs the database.
// Failure is remembered, not answered: requireAuth decides what to do.
func authenticate(sessions *Sessions, pats PATAuthenticator) gin.HandlerFunc {
	return func(c *gin.Context) {
		var (
			p   *Principal
			err error
		)
		if h := c.GetHeader("Authorization"); h != "" {
			scheme, token, _ := strings.Cut(h, " ")
			token = strings.TrimSpace(token)
			switch {
			case !strings.EqualFold(scheme, "Bearer") || token == "":
				err = errSessionInvalid
			case strings.HasPrefix(token, models.PATPrefix):
				var u *models.User
				if u, err = pats.AuthenticatePAT(c.Request.Context(), token); err == nil {
					p = &Principal{UserID: u.ID, Email: u.Email, Role: u.PlatformRole, Via: "token"}
				}
			default:
				p, err = principalFromJWT(sessions, token, "bearer")
			}
		} else if cookie, cerr := c.Request.Cookie(SessionCookie); cerr == nil && cookie.Value != "" {
			// The raw value: a JWT is URL-safe, so gin's unescaping is wasted work.
			p, err = principalFromJWT(sessions, cookie.Value, "cookie")
		}
		if err != nil {
			c.Set(ctxAuthErr, err)
		} else if p != nil {
			httpx.SetPrincipal(c, p)
			c.Request = c.Request.WithContext(models.WithActor(c.Request.Context(), p.UserID))
		}
		c.Next()
	}
}

func principalFromJWT(sessions *Sessions, token, via string) (*Principal, error) {
	claims, err := sessions.Verify(token)
	if err != nil {
		return nil, err
	}
	return &Principal{UserID: claims.UserID(), Email: claims.Email, Role: claims.Role, Via: via}, nil
}

// requireAuth answers 401 unless authenticate found a caller.
func requireAuth(c *gin.Context) {
	if httpx.PrincipalOf(c) != nil {
		c.Next()
		return
	}
	if err, ok := c.Get(ctxAuthErr); ok {
		writeError(c, err.(error))
		return
	}
	writeError(c, &models.Error{Kind: models.KindUnauthorized, Code: "unauthenticated", Message: "Sign in, or send a token as Authorization: Bearer."})
}

// principal returns the caller; only call it behind requireAuth.
func principal(c *gin.Context) *Principal { return httpx.PrincipalOf(c) }

// setSessionCookie stores the session JWT in an HTTP-only, SameSite=Lax cookie.
func (s *Server) setSessionCookie(c *gin.Context, token string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name:     SessionCookie,
		Value:    token,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   s.secureCookies(c),
		SameSite: http.SameSiteLaxMode,
	})
}

// secureCookies is true when the platform is served over TLS.
func (s *Server) secureCookies(c *gin.Context) bool {
	return s.cfg.BaseURL.Scheme == "https" || c.Request.TLS != nil
}

// AuthMiddleware is the chain that authenticates and requires a caller, as
// mounted on protected routes; exported for benchmarks and embedding.
func AuthMiddleware(sessions *Sessions, pats PATAuthenticator) []gin.HandlerFunc {
	return []gin.HandlerFunc{authenticate(sessions, pats), requireAuth}
}
