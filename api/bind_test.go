package api_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestBindingSpeaksJSON: a wrong type is named in JSON's words, never Go's.
func TestBindingSpeaksJSON(t *testing.T) {
	h := newHarness(t)
	owner := h.login("owner@acme.test")
	for _, tc := range []struct {
		body, field, want string
	}{
		{`{"name":5}`, "name", "must be a string"},
		{`{"name":{"a":1}}`, "name", "must be a string"},
	} {
		rec := h.do(req{method: "POST", path: "/api/v1/tokens", cookie: owner, body: tc.body})
		p := wantProblem(t, rec, 422, "invalid_field_type")
		if strings.Contains(rec.Body.String(), "interface") || strings.Contains(rec.Body.String(), "map[") || strings.Contains(rec.Body.String(), "time.Time") {
			t.Errorf("%s: the problem names a Go type: %s", tc.body, rec.Body.String())
		}
		if len(p.Errors) != 1 || p.Errors[0].Field != tc.field || (tc.want != "" && p.Errors[0].Message != tc.want) {
			t.Errorf("%s: errors %+v", tc.body, p.Errors)
		}
	}
	rec := h.do(req{method: "PATCH", path: "/api/v1/organizations/" + orgID(t, h, "owner@acme.test", "Acme").String(), cookie: owner, body: `[]`})
	p := wantProblem(t, rec, 422, "invalid_body_type")
	if p.Detail != "The body must be an object." {
		t.Errorf("detail %q", p.Detail)
	}
}

// TestSignInFormTooLarge: an oversized sign-in form is 413, not a 422
// about missing fields.
func TestSignInFormTooLarge(t *testing.T) {
	h := newHarness(t)
	rec := postForm(h, "/login", url.Values{"email": {"member@acme.test"}, "password": {strings.Repeat("p", 70<<10)}}, "")
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized sign-in form: %d, want 413", rec.Code)
	}
	if len(rec.Result().Cookies()) != 0 {
		t.Fatal("an oversized form started a session")
	}
}

// TestStaticListsNoDirectories: /static/ serves files only.
func TestStaticListsNoDirectories(t *testing.T) {
	h := newHarness(t)
	for _, path := range []string{"/static/", "/static/./", "/static//"} {
		rec := httptest.NewRecorder()
		h.server.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != http.StatusNotFound || strings.Contains(rec.Body.String(), "app_editor.js") {
			t.Errorf("GET %s: %d lists the directory: %.200s", path, rec.Code, rec.Body.String())
		}
	}
	rec := httptest.NewRecorder()
	h.server.ServeHTTP(rec, httptest.NewRequest("GET", "/static/portal.js", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("a file: %d", rec.Code)
	}
}
