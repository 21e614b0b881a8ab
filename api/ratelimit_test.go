package api_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"appstore/api"
	"appstore/models/postgres"
)

func TestLoginRateLimitPerEmail(t *testing.T) {
	h := newHarness(t, func(c *api.Config) { c.LoginRatePerEmail = api.RateLimit{Count: 3, Period: time.Minute} })
	attempt := func(email string) int {
		rec := h.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"email": email, "password": "wrong"}})
		return rec.Code
	}
	for i := range 3 {
		if got := attempt("owner@acme.test"); got != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i, got)
		}
	}
	// Even with the right password, and spelled differently, the email is locked.
	rec := h.do(req{method: "POST", path: "/api/v1/auth/login",
		body: map[string]string{"email": "OWNER@acme.test", "password": postgres.DemoPassword}})
	wantProblem(t, rec, http.StatusTooManyRequests, "too_many_attempts")
	if ra, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || ra < 1 || ra > 60 {
		t.Fatalf("Retry-After = %q", rec.Header().Get("Retry-After"))
	}
	// Other accounts are unaffected.
	if got := attempt("member@acme.test"); got != http.StatusUnauthorized {
		t.Fatalf("other email: %d", got)
	}
}

func TestLoginRateLimitPerIP(t *testing.T) {
	h := newHarness(t, func(c *api.Config) { c.LoginRatePerIP = api.RateLimit{Count: 2, Period: time.Minute} })
	emails := []string{"a@acme.test", "b@acme.test", "c@acme.test"}
	var codes []int
	for i, e := range emails {
		// Forwarded-for headers are not believed from untrusted peers, so
		// varying them does not reset the limit.
		rec := h.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"email": e, "password": "x"},
			headers: map[string]string{"X-Forwarded-For": "198.51.100." + strconv.Itoa(i), "X-Real-IP": "198.51.100." + strconv.Itoa(i)}})
		codes = append(codes, rec.Code)
	}
	if codes[0] != 401 || codes[1] != 401 || codes[2] != http.StatusTooManyRequests {
		t.Fatalf("codes = %v, want [401 401 429]", codes)
	}
}
