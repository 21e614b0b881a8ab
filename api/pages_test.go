package api_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"appstore/api"
	"appstore/models/postgres"
)

func postForm(h *harness, path string, form url.Values, cookie string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Origin", testOrigin)
	if cookie != "" {
		r.AddCookie(&http.Cookie{Name: api.SessionCookie, Value: cookie})
	}
	rec := httptest.NewRecorder()
	h.server.ServeHTTP(rec, r)
	return rec
}

func TestPagesSignInHomeSignOut(t *testing.T) {
	h := newHarness(t)

	rec := h.do(req{method: "GET", path: "/"})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/login?next=%2F" {
		t.Fatalf("anonymous home: %d %q", rec.Code, rec.Header().Get("Location"))
	}

	rec = h.do(req{method: "GET", path: "/login"})
	wantStatus(t, rec, http.StatusOK)
	if !strings.Contains(rec.Body.String(), `name="password"`) {
		t.Fatal("login page has no password field")
	}

	rec = postForm(h, "/login", url.Values{"email": {"member@acme.test"}, "password": {"wrong"}}, "")
	wantStatus(t, rec, http.StatusUnauthorized)
	if !strings.Contains(rec.Body.String(), "Email or password is incorrect.") || !strings.Contains(rec.Body.String(), `value="member@acme.test"`) {
		t.Fatalf("failed sign-in page: %s", rec.Body.String())
	}

	rec = postForm(h, "/login", url.Values{"email": {"member@acme.test"}, "password": {postgres.DemoPassword}, "next": {"//evil.example/"}}, "")
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/" {
		t.Fatalf("sign-in must redirect home (never off-site): %d %q", rec.Code, rec.Header().Get("Location"))
	}
	var session string
	for _, c := range rec.Result().Cookies() {
		if c.Name == api.SessionCookie {
			session = c.Value
		}
	}
	if session == "" {
		t.Fatal("sign-in set no session cookie")
	}

	rec = h.do(req{method: "GET", path: "/", cookie: session})
	wantStatus(t, rec, http.StatusOK)
	body := rec.Body.String()
	for _, want := range []string{"member@acme.test", "Acme", "Acme Labs", "acme-labs"} {
		if !strings.Contains(body, want) {
			t.Fatalf("home lacks %q", want)
		}
	}
	if strings.Contains(body, "Acme Sandbox") {
		t.Fatal("home lists an organization the member does not belong to")
	}

	rec = postForm(h, "/logout", nil, session)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/login" {
		t.Fatalf("sign-out: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	if c := rec.Result().Cookies(); len(c) != 1 || c[0].MaxAge >= 0 {
		t.Fatalf("sign-out must expire the cookie: %+v", c)
	}
}

func TestPagesRejectCrossSiteForms(t *testing.T) {
	h := newHarness(t)
	r := httptest.NewRequest("POST", "/login", strings.NewReader(url.Values{"email": {"member@acme.test"}, "password": {postgres.DemoPassword}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Origin", "https://evil.example")
	rec := httptest.NewRecorder()
	h.server.ServeHTTP(rec, r)
	if rec.Code != http.StatusForbidden || len(rec.Result().Cookies()) != 0 {
		t.Fatalf("cross-site login form: %d, cookies %v", rec.Code, rec.Result().Cookies())
	}
}

func TestUnknownPageIs404(t *testing.T) {
	h := newHarness(t)
	rec := h.do(req{method: "GET", path: "/no/such/page"})
	wantStatus(t, rec, http.StatusNotFound)
	if !strings.Contains(rec.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("content type %q", rec.Header().Get("Content-Type"))
	}
}

func TestSignUpPagePrefillsInvitedEmail(t *testing.T) {
	h := newHarness(t)
	rec := h.do(req{method: "GET", path: "/signup?email=" + urlEscape(`new"<x>@example.com`)})
	wantStatus(t, rec, http.StatusOK)
	body := rec.Body.String()
	if !strings.Contains(body, `value="new&#34;&lt;x&gt;@example.com"`) {
		t.Fatalf("sign-up page does not prefill the escaped email:\n%s", body)
	}
}
