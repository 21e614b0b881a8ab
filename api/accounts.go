package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"appstore/models"
)

// checkYourEmail is the one answer to sign-up and forgot-password, whether
// or not the address has an account: the answer must not tell.
const checkYourEmail = "Check your email: we have sent you a message with what to do next."

type signUpRequest struct {
	Email    string `json:"email"`
	Name     string `json:"name"`
	Password string `json:"password"`
}

// signUp creates an account (usable at once for browsing) and mails a
// verification link. For an address that already has an account it mails
// the owner instead, and answers exactly the same.
func (s *Server) signUp(c *gin.Context) error {
	var req signUpRequest
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	if err := s.logins.check(c.ClientIP(), strings.ToLower(strings.TrimSpace(req.Email)), time.Now()); err != nil {
		return err
	}
	res, err := s.users.SignUp(c.Request.Context(), req.Email, req.Name, req.Password)
	if err != nil {
		return err
	}
	if err := s.accountMails.Send(c.Request.Context(), res.MailRequestID); err != nil {
		return err
	}
	c.JSON(http.StatusAccepted, gin.H{"message": checkYourEmail})
	return nil
}

type tokenRequest struct {
	Token string `json:"token"`
}

// verifyEmail follows the mailed link's token. A second click succeeds too.
func (s *Server) verifyEmail(c *gin.Context) error {
	var req tokenRequest
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	u, err := s.users.VerifyEmail(c.Request.Context(), req.Token)
	if err != nil {
		return err
	}
	s.portal.Invalidate(u.ID)
	c.JSON(http.StatusOK, gin.H{"user": u})
	return nil
}

// resendVerification mails a fresh verification link to the caller.
func (s *Server) resendVerification(c *gin.Context) error {
	id, err := s.users.RequestEmailVerification(c.Request.Context(), principal(c).UserID)
	if err != nil {
		return err
	}
	if err := s.accountMails.Send(c.Request.Context(), id); err != nil {
		return err
	}
	c.JSON(http.StatusAccepted, gin.H{"message": checkYourEmail})
	return nil
}

type forgotPasswordRequest struct {
	Email string `json:"email"`
}

// forgotPassword mails a reset link if the address has an account; the
// answer is the same either way.
func (s *Server) forgotPassword(c *gin.Context) error {
	var req forgotPasswordRequest
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	email, err := models.NormalizeEmail(req.Email)
	if err != nil {
		return err
	}
	if err := s.logins.check(c.ClientIP(), email, time.Now()); err != nil {
		return err
	}
	id, err := s.users.RequestPasswordReset(c.Request.Context(), email)
	if err != nil {
		return err
	}
	if id != nil {
		if err := s.accountMails.Send(c.Request.Context(), *id); err != nil {
			return err
		}
	}
	c.JSON(http.StatusAccepted, gin.H{"message": checkYourEmail})
	return nil
}

type resetPasswordRequest struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

// resetPassword sets a new password. Every session of the user ends at
// once (their session generation moves on); personal access tokens stay.
func (s *Server) resetPassword(c *gin.Context) error {
	var req resetPasswordRequest
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	u, err := s.users.ResetPassword(c.Request.Context(), req.Token, req.Password)
	if err != nil {
		return err
	}
	s.generations.Set(u.ID, u.SessionGeneration)
	s.setSessionCookie(c, "", -1)
	c.JSON(http.StatusOK, gin.H{"message": "Your password is changed. Sign in with the new one; every other session has been signed out and every personal access token revoked."})
	return nil
}

// registerAccountRoutes mounts the routes served from this file.
func (s *Server) registerAccountRoutes(public, me *gin.RouterGroup) {
	public.POST("/auth/signup", handler(s.signUp))
	public.POST("/auth/verify-email", handler(s.verifyEmail))
	public.POST("/auth/forgot-password", handler(s.forgotPassword))
	public.POST("/auth/reset-password", handler(s.resetPassword))
	me.POST("/auth/resend-verification", handler(s.resendVerification))
}
