package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"appstore/models"
)

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type loginResponse struct {
	LoginToken string    `json:"login_token"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// login checks an email and password and answers with a single-use login
// token (2 minutes) to exchange for a session. Attempts are rate limited per
// client IP and per email before the password is even looked at.
func (s *Server) login(c *gin.Context) error {
	var req loginRequest
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	token, expires, err := s.checkPassword(c, req.Email, req.Password)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, loginResponse{LoginToken: token, ExpiresAt: expires})
	return nil
}

// checkPassword is the shared first half of API and page sign-in.
func (s *Server) checkPassword(c *gin.Context, email, password string) (string, time.Time, error) {
	var missing []models.FieldError
	if strings.TrimSpace(email) == "" {
		missing = append(missing, models.FieldError{Field: "email", Message: "is required"})
	}
	if password == "" {
		missing = append(missing, models.FieldError{Field: "password", Message: "is required"})
	}
	if len(missing) > 0 {
		return "", time.Time{}, models.Invalid("missing_credentials", "Enter your email and password.", missing...)
	}
	if err := s.logins.check(c.ClientIP(), strings.ToLower(strings.TrimSpace(email)), time.Now()); err != nil {
		return "", time.Time{}, err
	}
	u, err := s.users.Authenticate(c.Request.Context(), email, password)
	if err != nil {
		return "", time.Time{}, err
	}
	return s.users.IssueLoginToken(c.Request.Context(), u.ID)
}

type exchangeRequest struct {
	LoginToken string `json:"login_token"`
}

type exchangeResponse struct {
	AccessToken string       `json:"access_token"`
	TokenType   string       `json:"token_type"`
	ExpiresAt   time.Time    `json:"expires_at"`
	User        *models.User `json:"user"`
}

// exchange consumes a login token and starts a session: the JWT is set as an
// HTTP-only cookie for browsers and returned once for API clients.
func (s *Server) exchange(c *gin.Context) error {
	var req exchangeRequest
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	if req.LoginToken == "" {
		return models.Invalid("missing_login_token", "login_token is required.",
			models.FieldError{Field: "login_token", Message: "is required"})
	}
	u, jwt, expires, err := s.startSession(c, req.LoginToken)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, exchangeResponse{AccessToken: jwt, TokenType: "Bearer", ExpiresAt: expires, User: u})
	return nil
}

// startSession is the shared second half of sign-in.
func (s *Server) startSession(c *gin.Context, loginToken string) (*models.User, string, time.Time, error) {
	u, err := s.users.ExchangeLoginToken(c.Request.Context(), loginToken)
	if err != nil {
		return nil, "", time.Time{}, err
	}
	jwt, expires, err := s.sessions.Issue(u)
	if err != nil {
		return nil, "", time.Time{}, err
	}
	s.setSessionCookie(c, jwt, int(SessionTTL.Seconds()))
	return u, jwt, expires, nil
}

// logout clears the session cookie. JWTs are verified locally and cannot be
// recalled; the cookie is what a browser holds, so clearing it ends the
// session there.
func (s *Server) logout(c *gin.Context) error {
	s.endSession(c)
	c.Status(http.StatusNoContent)
	return nil
}

func (s *Server) endSession(c *gin.Context) {
	if p := principal(c); p != nil {
		if err := s.events.RecordEvent(c.Request.Context(), models.Event{Type: models.EventLogout}); err != nil {
			logger(c).Error("record logout", "err", err)
		}
	}
	s.setSessionCookie(c, "", -1)
}

// registerAuthRoutes mounts the routes served from this file.
func (s *Server) registerAuthRoutes(public *gin.RouterGroup) {
	public.POST("/auth/login", handler(s.login))
	public.POST("/auth/exchange", handler(s.exchange))
	public.POST("/auth/logout", handler(s.logout))
}
