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
	r.Use(requestContext(s.log), metrics.middleware(), recovery(), securityHeaders, refuseBadURLText)

	r.GET("/healthz", healthz)
	r.GET("/readyz", readyz(deps.Checks))
	r.GET("/metrics", gin.WrapH(promhttp.HandlerFor(deps.Registry, promhttp.HandlerOpts{})))
	r.StaticFS("/static", filesOnly{http.FS(web.Static())})

	auth := authenticate(s.sessions, s.store)
	csrf := csrfProtect(origin(s.cfg.BaseURL))

	v1 := r.Group("/api/v1", noStore, auth, csrf)
	v1.POST("/auth/login", handler(s.login))
	v1.POST("/auth/exchange", handler(s.exchange))
	v1.POST("/auth/logout", handler(s.logout))
	v1.POST("/auth/signup", handler(s.signUp))
	v1.POST("/auth/verify-email", handler(s.verifyEmail))
	v1.POST("/auth/forgot-password", handler(s.forgotPassword))
	v1.POST("/auth/reset-password", handler(s.resetPassword))

	me := v1.Group("", requireAuth)
	me.GET("/me", handler(s.me))
	me.GET("/tokens", handler(s.listTokens))
	me.POST("/tokens", handler(s.createToken))
	me.DELETE("/tokens/:id", handler(s.revokeToken))
	me.GET("/events", handler(s.listEvents))
	me.GET("/event-types", s.eventTypes)

	me.POST("/auth/resend-verification", handler(s.resendVerification))

	me.GET("/organizations", handler(s.listOrganizations))
	me.POST("/organizations", handler(s.createOrganization))
	me.GET("/organizations/:org", handler(s.getOrganization))
	s.registerMemberRoutes(me, organizationScope)
	me.PATCH("/organizations/:org", handler(s.renameOrganization))

	me.GET("/developer-accounts", handler(s.listDeveloperAccounts))
	me.POST("/developer-accounts", handler(s.createDeveloperAccount))
	me.GET("/developer-accounts/slug-availability", handler(s.slugAvailability))
	me.GET("/developer-accounts/:id", handler(s.getDeveloperAccount))
	s.registerMemberRoutes(me, accountScope)
	me.PATCH("/developer-accounts/:id", handler(s.updateDeveloperAccount))
	me.GET("/developer-accounts/:id/apps", handler(s.listApps))
	me.POST("/developer-accounts/:id/apps", handler(s.createApp))
	me.GET("/apps/slug-availability", handler(s.appSlugAvailability))
	me.GET("/apps/:app", handler(s.getApp))
	me.PATCH("/apps/:app", handler(s.updateApp))
	me.GET("/apps/:app/publish-checks", handler(s.publishChecks))
	me.POST("/apps/:app/publish-checks/preview", handler(s.previewPublishChecks))
	me.POST("/apps/:app/publish", handler(s.publishApp))
	me.POST("/apps/:app/unpublish", handler(s.unpublishApp))
	me.POST("/apps/:app/suspend", handler(s.suspendApp))
	me.POST("/apps/:app/restore", handler(s.restoreApp))
	me.PUT("/apps/:app/webhook", handler(s.setAppWebhook))
	me.PATCH("/apps/:app/staff", handler(s.setAppStaffFlags))
	me.GET("/app-categories", s.appCategories)
	me.GET("/app-scopes", s.appScopes)
	me.GET("/apps/:app/connections", handler(s.listConnections))
	me.POST("/apps/:app/connections", handler(s.createConnection))
	me.GET("/apps/:app/connections/:conn", handler(s.getConnection))
	me.PATCH("/apps/:app/connections/:conn", handler(s.updateConnection))
	me.DELETE("/apps/:app/connections/:conn", handler(s.deleteConnection))
	me.GET("/apps/:app/oauth", handler(s.getOAuth))
	me.PATCH("/apps/:app/oauth", handler(s.updateOAuth))
	me.POST("/apps/:app/oauth/enable", handler(s.enableOAuth))
	me.POST("/apps/:app/oauth/disable", handler(s.disableOAuth))
	me.POST("/apps/:app/oauth/rotate-secret", handler(s.rotateSecret))
	me.GET("/webhook-event-types", s.webhookEventTypes)
	me.GET("/developer-accounts/:id/webhook-endpoints", handler(s.listWebhookEndpoints))
	me.POST("/developer-accounts/:id/webhook-endpoints", handler(s.createWebhookEndpoint))
	me.GET("/webhook-endpoints/:ep", handler(s.getWebhookEndpoint))
	me.PATCH("/webhook-endpoints/:ep", handler(s.updateWebhookEndpoint))
	me.DELETE("/webhook-endpoints/:ep", handler(s.deleteWebhookEndpoint))
	me.POST("/webhook-endpoints/:ep/test", handler(s.testWebhookEndpoint))
	me.POST("/webhook-endpoints/:ep/rotate-secret", handler(s.rotateWebhookEndpointSecret))
	me.GET("/developer-accounts/:id/webhook-deliveries", handler(s.listWebhookDeliveries))
	me.GET("/webhook-deliveries/:id", handler(s.getWebhookDelivery))
	me.POST("/webhook-deliveries/:id/redeliver", handler(s.redeliverWebhook))
	me.POST("/apps/:app/bundles/check", handler(s.checkBundles))
	me.PUT("/apps/:app/bundles/:type/:sha256", handler(s.uploadBundle))
	me.GET("/apps/:app/bundles", handler(s.listBundles))
	me.GET("/apps/:app/deployments", handler(s.listDeployments))
	me.POST("/apps/:app/deployments", handler(s.createDeployment))
	me.GET("/deployments/:id", handler(s.getDeployment))
	me.POST("/deployments/:id/promote", handler(s.promote))
	me.POST("/deployments/:id/submit", handler(s.developerMove(models.ReviewSubmit)))
	me.POST("/deployments/:id/withdraw", handler(s.developerMove(models.ReviewWithdraw)))
	me.POST("/deployments/:id/publish", handler(s.developerMove(models.ReviewPublish)))
	me.POST("/deployments/:id/deprecate", handler(s.developerMove(models.ReviewDeprecate)))
	me.GET("/deployments/:id/review", handler(s.deploymentReview))
	me.GET("/review/queue", handler(s.reviewQueue))
	me.POST("/review/deployments/:id/claim", handler(s.reviewerMove(models.ReviewClaim)))
	me.POST("/review/deployments/:id/approve", handler(s.reviewerMove(models.ReviewApprove)))
	me.POST("/review/deployments/:id/reject", handler(s.reviewerMove(models.ReviewReject)))
	me.GET("/rejection-reasons", s.rejectionReasons)
	me.GET("/marketplace/apps", handler(s.listMarketplaceApps))
	me.GET("/marketplace/apps/:slug", handler(s.getMarketplaceApp))
	me.POST("/invitations/accept", handler(s.acceptInvitation))
	me.GET("/organizations/:org/installations/:id/sso", handler(s.getSSO))
	me.GET("/organizations/:org/installations", handler(s.listInstallations))
	me.POST("/organizations/:org/installations", handler(s.install))
	me.GET("/organizations/:org/installations/:id", handler(s.getInstallation))
	me.DELETE("/organizations/:org/installations/:id", handler(s.uninstall))
	me.DELETE("/organizations/:org/installations/:id/data", handler(s.eraseInstallationData))
	me.GET("/organizations/:org/installations/:id/settings", handler(s.getSettings))
	me.PUT("/organizations/:org/installations/:id/settings", handler(s.putSettings))
	me.GET("/organizations/:org/installations/:id/connections", handler(s.listConnectionValues))
	me.PUT("/organizations/:org/installations/:id/connections/:key", handler(s.putConnectionValue))
	me.DELETE("/organizations/:org/installations/:id/connections/:key", handler(s.deleteConnectionValue))
	me.GET("/organizations/:org/installations/:id/permissions", handler(s.listPermissions))
	me.PATCH("/organizations/:org/installations/:id/permissions/:user", handler(s.patchPermission))

	pages := r.Group("", auth, csrf)
	pages.GET("/", s.homePage)
	pages.GET("/login", s.loginPage)
	pages.POST("/login", s.loginSubmit)
	pages.POST("/logout", s.logoutSubmit)
	pages.GET("/signup", s.signUpPage)
	pages.GET("/verify-email", s.verifyEmailPage)
	pages.GET("/forgot-password", s.forgotPasswordPage)
	pages.GET("/reset-password", s.resetPasswordPage)
	pages.GET("/organizations", s.organizationsPage)
	pages.GET("/organizations/:org", s.organizationPage)
	pages.GET("/organizations/:org/apps", s.installedAppsPage)
	pages.GET("/organizations/:org/install/:slug", s.installConsentPage)
	pages.GET("/developer-accounts", s.developerAccountsPage)
	pages.GET("/developer-accounts/:id", s.teamPage)
	pages.GET("/developer-accounts/:id/apps", s.appsPage)
	pages.GET("/developer-accounts/:id/webhooks", s.webhooksPage)
	pages.GET("/apps/:app", s.appListingPage)
	pages.GET("/apps/:app/oauth", s.appOAuthPage)
	pages.GET("/apps/:app/connections", s.appConnectionsPage)
	pages.GET("/apps/:app/logs", s.appLogsPage)
	pages.GET("/apps/:app/deployments", s.appDeploymentsPage)
	pages.GET("/organizations/:org/installations/:id/settings", s.installationSettingsPage)
	pages.GET("/organizations/:org/installations/:id/connections", s.installationConnectionsPage)
	pages.GET("/organizations/:org/installations/:id/permissions", s.installationPermissionsPage)
	pages.GET("/deployments/:id", s.deploymentPage)
	pages.GET("/review", s.reviewPage)
	pages.GET("/marketplace", s.marketplacePage)
	pages.GET("/marketplace/:slug", s.marketplaceAppPage)
	pages.GET("/invitations/accept", s.acceptInvitationPage)
	pages.GET("/organizations/:org/installations/:id/open", s.openAppPage)
	if s.cfg.DevMode {
		pages.GET("/dev/mail", s.devMailPage)
		pages.GET("/dev/mail/:id", s.devMailMessagePage)
	}

	if deps.OIDC != nil {
		s.mountOIDC(r, deps.OIDC, auth)
	}

	r.NoRoute(func(c *gin.Context) {
		if strings.HasPrefix(c.Request.URL.Path, "/api/") {
			writeError(c, models.Errorf(models.KindNotFound, "route_not_found", "No such endpoint: %s %s.", c.Request.Method, c.Request.URL.Path))
			return
		}
		s.renderPage(c, http.StatusNotFound, "notfound", pageData{Title: "Not found"})
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
func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' https: data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
	c.Next()
}
