package pages

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"appstore/api/httpx"
	"appstore/models"
)

type accountPageData struct {
	Token         string
	PasswordRules string
}

// The account pages are plain forms that portal.js posts to the JSON API;
// each works signed in or out.

func (s *Server) signUpPage(c *gin.Context) {
	if p := httpx.PrincipalOf(c); p != nil && p.Via == "cookie" {
		c.Redirect(http.StatusSeeOther, "/")
		return
	}
	s.renderPage(c, http.StatusOK, "signup", pageData{Title: "Create your account", Email: c.Query("email"),
		Page: accountPageData{PasswordRules: models.PasswordRules}})
}

func (s *Server) verifyEmailPage(c *gin.Context) {
	s.renderPage(c, http.StatusOK, "verify_email", s.optionalUser(c, pageData{Title: "Verify your email", Page: accountPageData{Token: c.Query("token")}}))
}

func (s *Server) forgotPasswordPage(c *gin.Context) {
	s.renderPage(c, http.StatusOK, "forgot_password", s.optionalUser(c, pageData{Title: "Forgot your password?"}))
}

func (s *Server) resetPasswordPage(c *gin.Context) {
	s.renderPage(c, http.StatusOK, "reset_password", pageData{Title: "Choose a new password",
		Page: accountPageData{Token: c.Query("token"), PasswordRules: models.PasswordRules}})
}

// registerAccountPageRoutes mounts the routes served from this file.
func (s *Server) registerAccountPageRoutes(pages *gin.RouterGroup) {
	pages.GET("/signup", s.signUpPage)
	pages.GET("/verify-email", s.verifyEmailPage)
	pages.GET("/forgot-password", s.forgotPasswordPage)
	pages.GET("/reset-password", s.resetPasswordPage)
}
