package api_test

import (
	"context"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"appstore/api"
)

// TestEveryJSONRouteRefusesNUL sends a NUL character in the query string of
// every JSON route, and in the body of every route that takes a JSON body,
// as a user who may use the routes. Each answer is a 4xx problem+json that
// changes nothing (no event recorded); where the path names real records,
// the problem is the NUL itself.
func TestEveryJSONRouteRefusesNUL(t *testing.T) {
	h := newHarness(t)
	withEncryption(t, h)
	tm := newTeam(t, h)
	ctx := context.Background()
	org := orgID(t, h, "owner@acme.test", "Acme")
	app, err := h.store.CreateApp(ctx, tm.acme, "nul-probe", "NUL probe")
	if err != nil {
		t.Fatal(err)
	}
	member := userID(t, h, "member@acme.test")
	// The owner of organization Acme, an admin of developer account
	// acme-labs, and staff for the staff-only routes.
	owner, staff := h.login("owner@acme.test"), h.login("staff@appstore.test")
	who := func(path string) string {
		switch {
		case strings.HasPrefix(path, "/api/v1/organizations"):
			return owner
		case strings.HasSuffix(path, "/staff"), strings.Contains(path, "/suspend"), strings.Contains(path, "/restore"):
			return staff
		}
		return tm.admin
	}
	// Parameters filled with records the caller may act on; anything else
	// is an id that names nothing, which must still be a clean 4xx.
	real := map[string]string{
		"/organizations/:org":     org.String(),
		"/developer-accounts/:id": tm.acme.String(),
		"/apps/:app":              app.ID.String(),
		"/apps/:slug":             "crm",
		"/members/:user":          member.String(),
		"/permissions/:user":      member.String(),
	}
	// Routes that read no JSON body: the NUL goes in their query only.
	noBody := map[string]bool{}
	for _, route := range []string{
		"POST /api/v1/auth/logout",
		"POST /api/v1/auth/resend-verification",
		"POST /api/v1/organizations/:org/leave",
		"POST /api/v1/developer-accounts/:id/leave",
		"POST /api/v1/apps/:app/publish",
		"POST /api/v1/apps/:app/unpublish",
		"POST /api/v1/apps/:app/suspend",
		"POST /api/v1/apps/:app/restore",
		"POST /api/v1/apps/:app/oauth/enable",
		"POST /api/v1/apps/:app/oauth/disable",
		"POST /api/v1/apps/:app/oauth/rotate-secret",
		"POST /api/v1/webhook-endpoints/:ep/test",
		"POST /api/v1/webhook-endpoints/:ep/rotate-secret",
		"POST /api/v1/webhook-deliveries/:id/redeliver",
		"PUT /api/v1/apps/:app/bundles/:type/:sha256",
		"POST /api/v1/deployments/:id/promote",
		"POST /api/v1/deployments/:id/withdraw",
		"POST /api/v1/deployments/:id/publish",
		"POST /api/v1/deployments/:id/deprecate",
		"POST /api/v1/review/deployments/:id/claim",
		"POST /api/v1/review/deployments/:id/approve",
		"POST /api/v1/developer-accounts/:id/invitations/:inv/resend",
		"POST /api/v1/developer-accounts/:id/invitations/:inv/cancel",
		"POST /api/v1/organizations/:org/invitations/:inv/resend",
		"POST /api/v1/organizations/:org/invitations/:inv/cancel",
	} {
		noBody[route] = true
	}
	seen := 0
	for _, r := range h.server.Routes() {
		if !strings.HasPrefix(r.Path, "/api/v1/") {
			continue
		}
		seen++
		path, allReal := fillParams(r.Path, real)
		key := r.Method + " " + r.Path
		t.Run(key, func(t *testing.T) {
			before := eventCount(t, h)
			rec := h.do(req{method: r.Method, path: path + "?q=a%00b&cursor=x", cookie: who(r.Path)})
			p := wantNULProblem(t, rec)
			if p.Code != "nul_character" || len(p.Errors) != 1 || p.Errors[0].Field != "q" {
				t.Errorf("query: %d %s %+v, want nul_character on q", rec.Code, p.Code, p.Errors)
			}
			if (r.Method == "POST" || r.Method == "PUT" || r.Method == "PATCH") && !noBody[key] {
				rec = h.do(req{method: r.Method, path: path, cookie: who(r.Path),
					body: `{"name":"a\u0000b","title":"a\u0000b","email":"a\u0000b@x.test","settings":{"k\u0000":1}}`})
				p = wantNULProblem(t, rec)
				if allReal && p.Code != "nul_character" {
					t.Errorf("body: %d %s, want nul_character", rec.Code, p.Code)
				}
			}
			if after := eventCount(t, h); after != before {
				t.Errorf("%d events recorded", after-before)
			}
		})
	}
	if seen < 90 {
		t.Fatalf("walked %d JSON routes; the router has more", seen)
	}

	// Invalid UTF-8 gets the same treatment, in a query and in a body.
	p := wantNULProblem(t, h.do(req{method: "GET", path: "/api/v1/events?q=%ff", cookie: owner}))
	if p.Code != "invalid_utf8" {
		t.Fatalf("query with 0xff: %s", p.Code)
	}
	p = wantNULProblem(t, h.do(req{method: "POST", path: "/api/v1/organizations", cookie: owner, body: "{\"name\":\"a\xffb\"}"}))
	if p.Code != "invalid_utf8" {
		t.Fatalf("body with 0xff: %s", p.Code)
	}
	// The path names the NUL inside a nested object.
	p = wantNULProblem(t, h.do(req{method: "POST", path: "/api/v1/organizations", cookie: owner, body: `{"name":"ok","x":{"y":["a","b\u0000"]}}`}))
	if len(p.Errors) != 1 || p.Errors[0].Field != "x.y[1]" {
		t.Fatalf("nested NUL named %+v, want x.y[1]", p.Errors)
	}
	// An escaped backslash before u0000 is no NUL: the body goes on to the
	// decoder, which refuses the unknown field instead.
	wantProblem(t, h.do(req{method: "POST", path: "/api/v1/organizations", cookie: owner, body: `{"name":"ok","x":"\\u0000"}`}), 422, "unknown_field")
}

// fillParams replaces each ":param" in pattern with a value from real,
// found by the segment before it (so "/apps/:app" in any route), or with a
// random UUID. allReal says every parameter came from real.
func fillParams(pattern string, real map[string]string) (string, bool) {
	segs := strings.Split(pattern, "/")
	allReal := true
	for i, s := range segs {
		if !strings.HasPrefix(s, ":") {
			continue
		}
		v, ok := real["/"+segs[i-1]+"/"+s]
		if !ok || v == "" {
			v, allReal = uuid.NewString(), false
		}
		segs[i] = url.PathEscape(v)
	}
	return strings.Join(segs, "/"), allReal
}

// wantNULProblem checks rec is a 4xx problem+json and returns it.
func wantNULProblem(t *testing.T, rec *httptest.ResponseRecorder) api.Problem {
	t.Helper()
	var p api.Problem
	if rec.Code < 400 || rec.Code >= 500 {
		t.Errorf("status %d, want a 4xx: %s", rec.Code, rec.Body.String())
		return p
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Errorf("content type %q, want problem+json", ct)
		return p
	}
	decode(t, rec, &p)
	return p
}
