package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"appstore/models"
)

type tokenJSON struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Token       string     `json:"token"`
	TokenPrefix string     `json:"token_prefix"`
	RevokedAt   *time.Time `json:"revoked_at"`
}

func TestPersonalAccessTokenLifecycle(t *testing.T) {
	h := newHarness(t)
	session := h.login("dev@acme.test")

	rec := h.do(req{method: "POST", path: "/api/v1/tokens", cookie: session, body: map[string]any{"name": "laptop CLI"}})
	wantStatus(t, rec, http.StatusCreated)
	var created tokenJSON
	decode(t, rec, &created)
	if !strings.HasPrefix(created.Token, models.PATPrefix) || !strings.HasPrefix(created.Token, created.TokenPrefix) {
		t.Fatalf("created = %+v", created)
	}

	// Shown once: the list carries names and prefixes, never the secret.
	list := h.do(req{method: "GET", path: "/api/v1/tokens", cookie: session})
	wantStatus(t, list, http.StatusOK)
	if strings.Contains(list.Body.String(), created.Token) {
		t.Fatal("token list reveals the secret")
	}
	var page struct {
		Tokens []tokenJSON `json:"tokens"`
	}
	decode(t, list, &page)
	if len(page.Tokens) != 1 || page.Tokens[0].ID != created.ID || page.Tokens[0].Token != "" {
		t.Fatalf("list = %+v", page)
	}
	// And the database holds only a hash.
	var stored int64
	h.store.Gorm().Raw("SELECT count(*) FROM personal_access_tokens WHERE token_hash = ?::bytea", []byte(created.Token)).Scan(&stored)
	if stored != 0 {
		t.Fatal("token stored in plain text")
	}

	// The token authenticates as its user...
	me := h.do(req{method: "GET", path: "/api/v1/me", bearer: created.Token})
	wantStatus(t, me, http.StatusOK)
	var who struct {
		User struct{ Email string } `json:"user"`
		Via  string                 `json:"authenticated_via"`
	}
	decode(t, me, &who)
	if who.User.Email != "dev@acme.test" || who.Via != "token" {
		t.Fatalf("me via token = %+v", who)
	}
	// ...but cannot mint more tokens.
	rec = h.do(req{method: "POST", path: "/api/v1/tokens", bearer: created.Token, body: map[string]any{"name": "escalate"}})
	wantProblem(t, rec, http.StatusForbidden, "session_required")

	// Another user cannot revoke it.
	other := h.login("member@acme.test")
	rec = h.do(req{method: "DELETE", path: "/api/v1/tokens/" + created.ID, cookie: other})
	wantProblem(t, rec, http.StatusNotFound, "not_found")
	wantStatus(t, h.do(req{method: "GET", path: "/api/v1/me", bearer: created.Token}), http.StatusOK)

	// Its owner can, and it stops working at once.
	rec = h.do(req{method: "DELETE", path: "/api/v1/tokens/" + created.ID, cookie: session})
	wantStatus(t, rec, http.StatusNoContent)
	wantProblem(t, h.do(req{method: "GET", path: "/api/v1/me", bearer: created.Token}), http.StatusUnauthorized, "invalid_token")
	rec = h.do(req{method: "DELETE", path: "/api/v1/tokens/" + created.ID, cookie: session})
	wantProblem(t, rec, http.StatusNotFound, "not_found")

	var events int64
	h.store.Gorm().Model(&models.Event{}).Where("type IN ?", []models.EventType{models.EventTokenCreated, models.EventTokenRevoked}).Count(&events)
	if events != 2 {
		t.Fatalf("token events = %d, want 2", events)
	}
}

func TestPersonalAccessTokenValidation(t *testing.T) {
	h := newHarness(t)
	session := h.login("dev@acme.test")
	past := time.Now().Add(-time.Hour)
	cases := []struct {
		name string
		body any
		code string
	}{
		{"empty name", map[string]any{"name": " "}, "invalid_token_name"},
		{"expiry in the past", map[string]any{"name": "x", "expires_at": past}, "invalid_token_expiry"},
		{"expiry beyond a year", map[string]any{"name": "x", "expires_at": time.Now().Add(400 * 24 * time.Hour)}, "invalid_token_expiry"},
		{"unknown field", map[string]any{"name": "x", "scopes": []string{"all"}}, "unknown_field"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := h.do(req{method: "POST", path: "/api/v1/tokens", cookie: session, body: tc.body})
			wantProblem(t, rec, http.StatusUnprocessableEntity, tc.code)
		})
	}
	var n int64
	h.store.Gorm().Model(&models.PersonalAccessToken{}).Count(&n)
	if n != 0 {
		t.Fatalf("rejected requests created %d tokens", n)
	}
}

func TestExpiredPersonalAccessToken(t *testing.T) {
	h := newHarness(t)
	session := h.login("dev@acme.test")
	rec := h.do(req{method: "POST", path: "/api/v1/tokens", cookie: session,
		body: map[string]any{"name": "short", "expires_at": time.Now().Add(time.Hour)}})
	wantStatus(t, rec, http.StatusCreated)
	var created tokenJSON
	decode(t, rec, &created)
	wantStatus(t, h.do(req{method: "GET", path: "/api/v1/me", bearer: created.Token}), http.StatusOK)
	h.store.Gorm().Exec("UPDATE personal_access_tokens SET expires_at = now() - interval '1 second'")
	wantProblem(t, h.do(req{method: "GET", path: "/api/v1/me", bearer: created.Token}), http.StatusUnauthorized, "invalid_token")
}
