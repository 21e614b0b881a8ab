package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"appstore/api"
	"appstore/models"
	"appstore/models/postgres"
)

func TestLoginExchangeAndReplay(t *testing.T) {
	h := newHarness(t)
	rec := h.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"email": "Owner@Acme.test", "password": postgres.DemoPassword}})
	wantStatus(t, rec, http.StatusOK)
	var lr struct {
		LoginToken string `json:"login_token"`
	}
	decode(t, rec, &lr)
	if !strings.HasPrefix(lr.LoginToken, models.LoginTokenPrefix) {
		t.Fatalf("login token %q lacks prefix", lr.LoginToken)
	}
	if rec.Result().Cookies() != nil && len(rec.Result().Cookies()) > 0 {
		t.Fatalf("login must not start a session yet")
	}

	rec = h.do(req{method: "POST", path: "/api/v1/auth/exchange", body: map[string]string{"login_token": lr.LoginToken}})
	wantStatus(t, rec, http.StatusOK)
	var session *http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Name == api.SessionCookie {
			session = c
		}
	}
	if session == nil {
		t.Fatal("exchange set no session cookie")
	}
	if !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Secure || session.MaxAge != 3600 {
		t.Fatalf("cookie attributes: HttpOnly=%v SameSite=%v Secure=%v MaxAge=%d", session.HttpOnly, session.SameSite, session.Secure, session.MaxAge)
	}

	me := h.do(req{method: "GET", path: "/api/v1/me", cookie: session.Value})
	wantStatus(t, me, http.StatusOK)
	var body struct {
		User struct {
			Email string `json:"email"`
		} `json:"user"`
		Organizations []struct {
			Name string `json:"name"`
			Role string `json:"role"`
		} `json:"organizations"`
		DeveloperAccounts []any  `json:"developer_accounts"`
		Via               string `json:"authenticated_via"`
	}
	decode(t, me, &body)
	if body.User.Email != "owner@acme.test" || body.Via != "cookie" {
		t.Fatalf("me = %+v", body)
	}
	roles := map[string]string{}
	for _, o := range body.Organizations {
		roles[o.Name] = o.Role
	}
	if roles["Acme"] != "owner" || roles["Acme Sandbox"] != "owner" || len(body.DeveloperAccounts) != 0 {
		t.Fatalf("memberships = %+v", body)
	}

	replay := h.do(req{method: "POST", path: "/api/v1/auth/exchange", body: map[string]string{"login_token": lr.LoginToken}})
	wantProblem(t, replay, http.StatusUnauthorized, "invalid_login_token")
}

func TestSecureCookieOverHTTPS(t *testing.T) {
	h := newHarness(t, func(c *api.Config) { c.BaseURL, _ = url.Parse("https://appstore.example") })
	rec := h.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"email": "dev@acme.test", "password": postgres.DemoPassword}})
	wantStatus(t, rec, http.StatusOK)
	var lr struct {
		LoginToken string `json:"login_token"`
	}
	decode(t, rec, &lr)
	rec = h.do(req{method: "POST", path: "/api/v1/auth/exchange", body: map[string]string{"login_token": lr.LoginToken}})
	wantStatus(t, rec, http.StatusOK)
	c := rec.Result().Cookies()
	if len(c) != 1 || !c[0].Secure {
		t.Fatalf("cookie over https must be Secure: %+v", c)
	}
}

func TestLoginFailures(t *testing.T) {
	h := newHarness(t)
	wrong := h.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"email": "owner@acme.test", "password": "nope"}})
	unknown := h.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"email": "nobody@acme.test", "password": "nope"}})
	p1 := wantProblem(t, wrong, http.StatusUnauthorized, "invalid_credentials")
	p2 := wantProblem(t, unknown, http.StatusUnauthorized, "invalid_credentials")
	if p1.Detail != p2.Detail {
		t.Fatalf("unknown email and wrong password must answer alike: %q vs %q", p1.Detail, p2.Detail)
	}
	missing := h.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"email": ""}})
	p := wantProblem(t, missing, http.StatusUnprocessableEntity, "missing_credentials")
	if len(p.Errors) != 2 {
		t.Fatalf("want both fields reported, got %+v", p.Errors)
	}
	bogus := h.do(req{method: "POST", path: "/api/v1/auth/exchange", body: map[string]string{"login_token": "asl_forged"}})
	wantProblem(t, bogus, http.StatusUnauthorized, "invalid_login_token")
}

func TestExpiredLoginToken(t *testing.T) {
	h := newHarness(t)
	rec := h.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"email": "owner@acme.test", "password": postgres.DemoPassword}})
	var lr struct {
		LoginToken string `json:"login_token"`
	}
	decode(t, rec, &lr)
	if err := h.store.Gorm().Exec("UPDATE login_tokens SET expires_at = now() - interval '1 second'").Error; err != nil {
		t.Fatal(err)
	}
	rec = h.do(req{method: "POST", path: "/api/v1/auth/exchange", body: map[string]string{"login_token": lr.LoginToken}})
	wantProblem(t, rec, http.StatusUnauthorized, "invalid_login_token")
}

func TestLogoutClearsCookieAndRecordsEvent(t *testing.T) {
	h := newHarness(t)
	jwt := h.login("member@acme.test")
	rec := h.do(req{method: "POST", path: "/api/v1/auth/logout", cookie: jwt})
	wantStatus(t, rec, http.StatusNoContent)
	c := rec.Result().Cookies()
	if len(c) != 1 || c[0].MaxAge >= 0 || c[0].Value != "" {
		t.Fatalf("logout must expire the cookie: %+v", c)
	}
	var n int64
	h.store.Gorm().Model(&models.Event{}).Where("type = ?", models.EventLogout).Count(&n)
	if n != 1 {
		t.Fatalf("logout events = %d, want 1", n)
	}
}
