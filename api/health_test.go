package api_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"appstore/api"
	"appstore/models/postgres"
	"appstore/models/postgres/pgtest"
)

func TestReadinessReportsEachCheck(t *testing.T) {
	db := pgtest.New(t)
	base, _ := url.Parse(testOrigin)
	temporalDown := errors.New("dial tcp 127.0.0.1:7233: connection refused")
	srv, err := api.New(api.Config{BaseURL: base, JWTKey: testKey,
		LoginRatePerIP: api.RateLimit{Count: 10, Period: time.Minute}, LoginRatePerEmail: api.RateLimit{Count: 10, Period: time.Minute}},
		api.Deps{Stores: storesOf(postgres.NewStore(db)), Checks: []api.Check{
			{Name: "database", Run: db.Ping},
			{Name: "temporal", Run: func(context.Context) error { return temporalDown }},
		}})
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec
	}
	if rec := get("/healthz"); rec.Code != http.StatusOK {
		t.Fatalf("healthz = %d", rec.Code)
	}
	rec := get("/readyz")
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("readyz = %d, want 503", rec.Code)
	}
	body := rec.Body.String()
	if !strings.Contains(body, `"database":"ok"`) || !strings.Contains(body, `"temporal":"unavailable"`) {
		t.Fatalf("readyz body = %s", body)
	}
	if strings.Contains(body, "7233") {
		t.Fatalf("readyz leaks the failure's details: %s", body)
	}
}

func TestMetricsCountRequestsByRoute(t *testing.T) {
	db := pgtest.New(t)
	base, _ := url.Parse(testOrigin)
	reg := prometheus.NewRegistry()
	srv, err := api.New(api.Config{BaseURL: base, JWTKey: testKey,
		LoginRatePerIP: api.RateLimit{Count: 10, Period: time.Minute}, LoginRatePerEmail: api.RateLimit{Count: 10, Period: time.Minute}},
		api.Deps{Stores: storesOf(postgres.NewStore(db)), Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct{ method, path string }{
		{"DELETE", "/api/v1/tokens/01a20583-4841-7276-b25a-348efc554a04"},
		{"DELETE", "/api/v1/tokens/01a20583-4841-7276-b25a-348efc554a05"},
		{"GET", "/healthz"},
	} {
		srv.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(r.method, r.path, nil))
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	// Two ids, one series: labels carry the route template, not the path.
	if !strings.Contains(body, `appstore_http_requests_total{method="DELETE",route="/api/v1/tokens/:id",status="401"} 2`) {
		t.Fatalf("metrics lack the templated route series:\n%s", grepLines(body, "appstore_http_requests_total"))
	}
	if !strings.Contains(body, `appstore_http_requests_total{method="GET",route="/healthz",status="200"} 1`) {
		t.Fatalf("metrics lack /healthz:\n%s", grepLines(body, "appstore_http_requests_total"))
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
