package api_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"appstore/api"
	"appstore/models"
)

// BenchmarkAuthMiddleware measures what session verification adds to a
// request: the same Gin handler with and without the auth middleware, both
// with a session cookie; the middleware includes the session-generation
// (revocation) check. Subtract "bare" from "with-auth" for the cost; the
// README quotes the figure and how to reproduce it.
func BenchmarkAuthMiddleware(b *testing.B) {
	gin.SetMode(gin.ReleaseMode)
	sessions := api.NewSessions(testKey, testOrigin, time.Hour)
	// The revocation check runs as in production: 10 000 users have reset
	// their password, among them this one, whose session is current.
	user := &models.User{ID: uuid.Must(uuid.NewV7()), Email: "bench@acme.test", PlatformRole: models.PlatformRoleNone, SessionGeneration: 1}
	generations := api.NewSessionGenerations(nil)
	for range 9_999 {
		generations.Set(uuid.New(), 1)
	}
	generations.Set(user.ID, 1)
	sessions.UseGenerations(generations)
	token, _, err := sessions.Issue(user)
	if err != nil {
		b.Fatal(err)
	}
	ok := func(c *gin.Context) { c.Status(http.StatusNoContent) }
	bare := gin.New()
	bare.GET("/x", ok)
	withAuth := gin.New()
	withAuth.GET("/x", append(api.AuthMiddleware(sessions, nil), ok)...)

	run := func(b *testing.B, h http.Handler, wantStatus int) {
		r := httptest.NewRequest("GET", "/x", nil)
		r.AddCookie(&http.Cookie{Name: api.SessionCookie, Value: token})
		w := httptest.NewRecorder()
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			h.ServeHTTP(w, r)
		}
		if w.Code != wantStatus {
			b.Fatalf("status %d, want %d", w.Code, wantStatus)
		}
	}
	b.Run("bare", func(b *testing.B) { run(b, bare, http.StatusNoContent) })
	b.Run("with-auth", func(b *testing.B) { run(b, withAuth, http.StatusNoContent) })
}
