package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"appstore/models"
	"appstore/web"
)

func (s *Server) routes(deps Deps) (*gin.Engine, error) {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.ContextWithFallback = true
	if err := r.SetTrustedProxies(s.cfg.TrustedProxies); err != nil {
		return nil, err
	}
	metrics := newHTTPMetrics(deps.Registry)
	r.Use(requestContext(s.log), metrics.middleware(), recovery(), s.securityHeaders(), refuseBadURLText)

	r.GET("/healthz", healthz)
	r.GET("/readyz", readyz(deps.Checks))
	r.GET("/metrics", gin.WrapH(promhttp.HandlerFor(deps.Registry, promhttp.HandlerOpts{})))
	r.StaticFS("/static", filesOnly{http.FS(web.Static())})

	auth := authenticate(s.sessions, s.users)
	csrf := csrfProtect(origin(s.cfg.BaseURL))

	// The JSON API: public (sign-in, sign-up) and signed in.
	v1 := r.Group("/api/v1", noStore, auth, csrf)
	me := v1.Group("", requireAuth)

	// Identity: sessions, accounts, the signed-in user.
	s.registerAuthRoutes(v1)
	s.registerAccountRoutes(v1, me)
	s.registerMeRoutes(me)
	s.registerTokenRoutes(me)
	s.registerEventRoutes(me)

	// Organizations and developer accounts, with their members and invitations.
	s.registerOrganizationRoutes(me)
	s.registerDeveloperAccountRoutes(me)
	s.registerMemberRoutes(me, organizationScope)
	s.registerMemberRoutes(me, accountScope)
	s.registerInvitationRoutes(me)

	// Apps: listing, OAuth client, connections, webhook URL.
	s.registerAppRoutes(me)
	s.registerAppWebhookRoutes(me)
	s.registerConnectionRoutes(me)
	s.registerOAuthRoutes(me)

	// Developer webhooks: endpoints and deliveries.
	s.registerWebhookEndpointRoutes(me)
	s.registerWebhookDeliveryRoutes(me)

	// Bundles, deployments, promotion and review.
	s.registerBundleRoutes(me)
	s.registerDeploymentRoutes(me)
	s.registerPromotionRoutes(me)

	// The marketplace and installations: settings, connections, permissions, SSO.
	s.registerMarketplaceRoutes(me)
	s.registerInstallationRoutes(me)
	s.registerInstallationSettingsRoutes(me)
	s.registerInstallationConnectionRoutes(me)
	s.registerInstallationPermissionRoutes(me)
	s.registerSSORoutes(me)

	// Apps running in pages: their frames and what the host refused.
	s.registerRuntimeRoutes(me)
	// The records area: contacts, tickets and call recordings, where app surfaces appear.
	s.registerRecordRoutes(me)

	// The web pages (package pages), each of which handles a visitor who is not signed in.
	s.pages.Register(r.Group("", auth, csrf))

	if deps.OIDC != nil {
		s.mountOIDC(r, deps.OIDC, auth)
	}

	r.NoRoute(func(c *gin.Context) {
		if strings.HasPrefix(c.Request.URL.Path, "/api/") {
			writeError(c, models.Errorf(models.KindNotFound, "route_not_found", "No such endpoint: %s %s.", c.Request.Method, c.Request.URL.Path))
			return
		}
		s.pages.NotFound(c)
	})
	r.NoMethod(func(c *gin.Context) {
		writeError(c, &models.Error{Kind: models.KindMethod, Code: "method_not_allowed", Message: "This endpoint does not accept " + c.Request.Method + "."})
	})
	return r, nil
}

// noStore keeps API answers (which may hold personal data) out of caches.
func noStore(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Next()
}

// securityHeaders applies to every response: no framing of the platform, no
// MIME sniffing, no referrer leaks, scripts only from our own origin.
// The only frames a page may hold are apps' runtime origins.
func (s *Server) securityHeaders() gin.HandlerFunc {
	csp := "default-src 'self'; img-src 'self' https: data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
	if o := s.cfg.RuntimeOrigins; o.Domain != "" {
		csp += "; frame-src " + o.Of("*")
	}
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("Content-Security-Policy", csp)
		c.Next()
	}
}
