package api_test

import (
	"net/http"
	"strings"
	"testing"
)

func TestBadRequestsGetProblems(t *testing.T) {
	h := newHarness(t)
	session := h.login("dev@acme.test")
	huge := `{"name":"` + strings.Repeat("x", 5000) + `"}`
	cases := []struct {
		name   string
		r      req
		status int
		code   string
	}{
		{"malformed JSON", req{method: "POST", path: "/api/v1/tokens", cookie: session, body: `{"name":`}, 400, "malformed_json"},
		{"not JSON at all", req{method: "POST", path: "/api/v1/tokens", cookie: session, body: `name=x`}, 400, "malformed_json"},
		{"two JSON values", req{method: "POST", path: "/api/v1/tokens", cookie: session, body: `{"name":"a"}{"name":"b"}`}, 400, "malformed_json"},
		{"empty body", req{method: "POST", path: "/api/v1/tokens", cookie: session, body: ``, headers: map[string]string{"Content-Type": "application/json"}}, 400, "empty_body"},
		{"unknown field", req{method: "POST", path: "/api/v1/tokens", cookie: session, body: `{"name":"a","admin":true}`}, 422, "unknown_field"},
		{"wrong type", req{method: "POST", path: "/api/v1/tokens", cookie: session, body: `{"name":5}`}, 422, "invalid_field_type"},
		{"oversized body", req{method: "POST", path: "/api/v1/tokens", cookie: session, body: huge}, 413, "body_too_large"},
		{"wrong content type", req{method: "POST", path: "/api/v1/tokens", cookie: session, body: `{"name":"a"}`, headers: map[string]string{"Content-Type": "text/plain"}}, 415, "unsupported_media_type"},
		{"unknown route", req{method: "GET", path: "/api/v1/nope", cookie: session}, 404, "route_not_found"},
		{"wrong method", req{method: "PUT", path: "/api/v1/me", cookie: session}, 405, "method_not_allowed"},
		{"bad id", req{method: "DELETE", path: "/api/v1/tokens/not-a-uuid", cookie: session}, 404, "not_found"},
		{"bad limit", req{method: "GET", path: "/api/v1/events?limit=x", cookie: session}, 422, "invalid_limit"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := wantProblem(t, h.do(tc.r), tc.status, tc.code)
			if p.RequestID == "" || p.Detail == "" {
				t.Fatalf("problem lacks request id or detail: %+v", p)
			}
		})
	}
	var n int64
	h.store.Gorm().Raw("SELECT count(*) FROM personal_access_tokens").Scan(&n)
	if n != 0 {
		t.Fatalf("bad requests created %d tokens", n)
	}
}

// A database failure must surface as a bare 500: no SQL, no driver text.
func TestInternalErrorsRevealNothing(t *testing.T) {
	h := newHarness(t)
	session := h.login("dev@acme.test")
	h.db.Close()
	rec := h.do(req{method: "GET", path: "/api/v1/me", cookie: session})
	p := wantProblem(t, rec, http.StatusInternalServerError, "internal")
	body := strings.ToLower(rec.Body.String())
	for _, leak := range []string{"sql", "database", "closed", "store:", "gorm", "pgx"} {
		if strings.Contains(body, leak) {
			t.Fatalf("500 body leaks %q: %s", leak, rec.Body.String())
		}
	}
	if p.RequestID == "" {
		t.Fatal("500 must carry the request id to quote")
	}
}

func TestRequestIDIsEchoedOrMade(t *testing.T) {
	h := newHarness(t)
	rec := h.do(req{method: "GET", path: "/healthz", headers: map[string]string{"X-Request-ID": "abc-123"}})
	if rec.Header().Get("X-Request-ID") != "abc-123" {
		t.Fatalf("request id not echoed: %q", rec.Header().Get("X-Request-ID"))
	}
	rec = h.do(req{method: "GET", path: "/healthz", headers: map[string]string{"X-Request-ID": "bad id\nwith newline"}})
	if got := rec.Header().Get("X-Request-ID"); got == "" || strings.ContainsAny(got, " \n") {
		t.Fatalf("unsafe request id kept: %q", got)
	}
}
