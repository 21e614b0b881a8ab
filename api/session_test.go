package api_test

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"appstore/api"
	"appstore/models"
)

// sign makes a token with arbitrary claims and method, for forging.
func sign(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestBadSessionTokensAreRejected(t *testing.T) {
	h := newHarness(t)
	good := h.login("owner@acme.test")
	parts := strings.Split(good, ".")
	user, _ := h.store.GetUserByEmail(t.Context(), "owner@acme.test")
	now := time.Now()
	valid := func() jwt.MapClaims {
		return jwt.MapClaims{
			"iss": testOrigin, "aud": testOrigin, "sub": user.ID.String(),
			"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(),
			"email": user.Email, "platform_role": "staff-admin",
		}
	}
	with := func(k string, v any) jwt.MapClaims { c := valid(); c[k] = v; return c }
	without := func(k string) jwt.MapClaims { c := valid(); delete(c, k); return c }

	// A payload that claims staff-admin but keeps the original signature.
	forgedPayload := base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"` + testOrigin + `","aud":"` + testOrigin + `","sub":"` + user.ID.String() + `","exp":` + strconv.FormatInt(now.Add(time.Hour).Unix(), 10) + `,"platform_role":"staff-admin"}`))
	noneToken := sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, valid())

	cases := []struct {
		name, token, code string
	}{
		{"expired", sign(t, jwt.SigningMethodHS256, testKey, with("exp", now.Add(-time.Minute).Unix())), "session_expired"},
		{"tampered payload", parts[0] + "." + forgedPayload + "." + parts[2], "invalid_session"},
		{"tampered signature", parts[0] + "." + parts[1] + "." + flip(parts[2]), "invalid_session"},
		{"wrong key", sign(t, jwt.SigningMethodHS256, []byte("another-key-of-sufficient-length-0000"), valid()), "invalid_session"},
		{"alg none", noneToken, "invalid_session"},
		{"alg none, empty signature", strings.TrimSuffix(noneToken, ".") + ".", "invalid_session"},
		{"HS512 with the right key", sign(t, jwt.SigningMethodHS512, testKey, valid()), "invalid_session"},
		{"wrong issuer", sign(t, jwt.SigningMethodHS256, testKey, with("iss", "https://evil.example")), "invalid_session"},
		{"wrong audience", sign(t, jwt.SigningMethodHS256, testKey, with("aud", "https://evil.example")), "invalid_session"},
		{"no expiry", sign(t, jwt.SigningMethodHS256, testKey, without("exp")), "invalid_session"},
		{"not yet valid", sign(t, jwt.SigningMethodHS256, testKey, with("nbf", now.Add(time.Hour).Unix())), "invalid_session"},
		{"subject not a uuid", sign(t, jwt.SigningMethodHS256, testKey, with("sub", "admin")), "invalid_session"},
		{"garbage", "not.a.jwt", "invalid_session"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, via := range []string{"cookie", "bearer"} {
				r := req{method: "GET", path: "/api/v1/me"}
				if via == "cookie" {
					r.cookie = tc.token
				} else {
					r.bearer = tc.token
				}
				wantProblem(t, h.do(r), http.StatusUnauthorized, tc.code)
			}
		})
	}
	t.Run("a good token passes as cookie and bearer", func(t *testing.T) {
		wantStatus(t, h.do(req{method: "GET", path: "/api/v1/me", cookie: good}), http.StatusOK)
		wantStatus(t, h.do(req{method: "GET", path: "/api/v1/me", bearer: good}), http.StatusOK)
	})
	t.Run("malformed Authorization header", func(t *testing.T) {
		rec := h.do(req{method: "GET", path: "/api/v1/me", headers: map[string]string{"Authorization": "Basic b3duZXI6cHc="}})
		wantProblem(t, rec, http.StatusUnauthorized, "invalid_session")
	})
	t.Run("no credentials", func(t *testing.T) {
		wantProblem(t, h.do(req{method: "GET", path: "/api/v1/me"}), http.StatusUnauthorized, "unauthenticated")
	})
}

func TestSessionsRoundTrip(t *testing.T) {
	s := api.NewSessions(testKey, testOrigin, time.Hour)
	u := &models.User{ID: uuid.Must(uuid.NewV7()), Email: "a@b.test", PlatformRole: models.PlatformRoleReviewer}
	tok, exp, err := s.Issue(u)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(exp); d < 59*time.Minute || d > time.Hour {
		t.Fatalf("expiry in %v, want 1h", d)
	}
	c, err := s.Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	if c.Subject != u.ID.String() || c.Role != models.PlatformRoleReviewer || c.Email != u.Email {
		t.Fatalf("claims = %+v", c)
	}
}

func flip(sig string) string {
	b := []byte(sig)
	if b[0] == 'A' {
		b[0] = 'B'
	} else {
		b[0] = 'A'
	}
	return string(b)
}
