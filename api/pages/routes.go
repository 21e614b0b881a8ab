package pages

import "github.com/gin-gonic/gin"

// Register mounts every page on g, whose middleware has already
// authenticated the visitor (if signed in) and checked the origin of
// unsafe requests; each page handles a visitor who is not signed in.
func (s *Server) Register(g *gin.RouterGroup) {
	// Identity: sign-in, home, sign-up, verification, password reset.
	s.registerSignInPageRoutes(g)
	s.registerAccountPageRoutes(g)

	// Organizations and developer accounts, with their members and invitations.
	s.registerOrganizationPageRoutes(g)
	s.registerTeamPageRoutes(g)
	s.registerAcceptPageRoutes(g)

	// Apps: listing, OAuth client, connections, logs.
	s.registerAppPageRoutes(g)
	s.registerAppLogsPageRoutes(g)

	// Developer webhooks: endpoints and deliveries.
	s.registerWebhookPageRoutes(g)

	// Deployments, promotion and review.
	s.registerDeploymentPageRoutes(g)

	// The marketplace and installations: settings, connections, permissions, Open App.
	s.registerMarketplacePageRoutes(g)
	s.registerSSOPageRoutes(g)
	s.registerInstallationPageRoutes(g)
	s.registerInstallationConfigPageRoutes(g)

	// The records area: contacts, tickets and call recordings.
	s.registerRecordPageRoutes(g)

	if s.cfg.DevMode {
		g.GET("/dev/mail", s.devMailPage)
		g.GET("/dev/mail/:id", s.devMailMessagePage)
	}
}
