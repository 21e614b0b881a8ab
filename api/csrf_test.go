package api_test

import (
	"net/http"
	"testing"

	"appstore/models"
	"appstore/models/postgres"
)

func TestCSRFProtection(t *testing.T) {
	h := newHarness(t)
	session := h.login("dev@acme.test")
	body := map[string]any{"name": "csrf probe"}
	cases := []struct {
		name    string
		cookie  string
		bearer  string
		headers map[string]string
		status  int
	}{
		{"cookie, exact origin", session, "", map[string]string{"Origin": testOrigin}, http.StatusCreated},
		{"cookie, no origin, same-origin fetch", session, "", map[string]string{"Origin": "", "Sec-Fetch-Site": "same-origin"}, http.StatusCreated},
		{"cookie, foreign origin", session, "", map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"cookie, same site but another port", session, "", map[string]string{"Origin": testOrigin + ":8081"}, http.StatusForbidden},
		{"cookie, null origin", session, "", map[string]string{"Origin": "null"}, http.StatusForbidden},
		{"cookie, cross-site fetch", session, "", map[string]string{"Origin": "", "Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"cookie, same-site fetch", session, "", map[string]string{"Origin": "", "Sec-Fetch-Site": "same-site"}, http.StatusForbidden},
		{"cookie, no browser headers", session, "", map[string]string{"Origin": ""}, http.StatusForbidden},
		{"bearer, no browser headers", "", session, nil, http.StatusCreated},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var before int64
			h.store.Gorm().Model(&models.PersonalAccessToken{}).Count(&before)
			rec := h.do(req{method: "POST", path: "/api/v1/tokens", cookie: tc.cookie, bearer: tc.bearer, headers: tc.headers, body: body})
			if tc.status == http.StatusForbidden {
				wantProblem(t, rec, tc.status, "csrf_rejected")
				var after int64
				h.store.Gorm().Model(&models.PersonalAccessToken{}).Count(&after)
				if after != before {
					t.Fatal("a rejected request changed the database")
				}
				return
			}
			wantStatus(t, rec, tc.status)
		})
	}
	t.Run("login from another site is refused", func(t *testing.T) {
		rec := h.do(req{method: "POST", path: "/api/v1/auth/login", headers: map[string]string{"Origin": "https://evil.example"},
			body: map[string]string{"email": "dev@acme.test", "password": postgres.DemoPassword}})
		wantProblem(t, rec, http.StatusForbidden, "csrf_rejected")
	})
	t.Run("safe methods pass", func(t *testing.T) {
		rec := h.do(req{method: "GET", path: "/api/v1/me", cookie: session, headers: map[string]string{"Origin": "https://evil.example"}})
		wantStatus(t, rec, http.StatusOK)
	})
}
