package pages

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"appstore/models"
)

// LoginFinisher is the OpenID Connect provider's side of its login step.
type LoginFinisher interface {
	// FinishLogin completes authorization request id for userID, signed in
	// at signedIn, and writes the redirect back to the client, or writes
	// nothing and returns a *models.Error: 403 when the user may not use
	// the app, unauthorized when the request wants a more recent sign-in.
	FinishLogin(w http.ResponseWriter, r *http.Request, id string, userID uuid.UUID, signedIn time.Time) error
}

// OIDCLogin is the provider's login step: the signed-in user either goes
// straight back to the app with a code, or sees why not (never the app).
// When the app wants a more recent sign-in than the session's, the session
// cookie is cleared (the sign-in page would otherwise skip the password)
// and the browser signs in again and comes back here; the provider accepts
// any sign-in made after the request, so this happens at most once.
func (s *Server) OIDCLogin(p LoginFinisher) gin.HandlerFunc {
	return func(c *gin.Context) {
		state, ok := s.pageUser(c)
		if !ok {
			return
		}
		signedIn, ok := s.api.SignedInAt(c)
		if !ok { // unreadable: sign in again
			s.signInAgain(c)
			return
		}
		err := p.FinishLogin(c.Writer, c.Request, c.Query("id"), state.User.ID, signedIn)
		if err == nil {
			return
		}
		var me *models.Error
		if errors.As(err, &me) && me.Kind == models.KindUnauthorized {
			s.signInAgain(c)
			return
		}
		s.appAccessError(c, state, err)
	}
}

// signInAgain clears the session cookie and sends the browser to sign in,
// coming back here afterwards.
func (s *Server) signInAgain(c *gin.Context) {
	s.api.ForgetSession(c)
	c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
}
