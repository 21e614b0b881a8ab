package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"appstore/api/oidcop/oidctest"
)

// A NUL character or invalid UTF-8 in a provider form is an OAuth
// invalid_request, never a 500 from the database, and issues nothing.
func TestOIDCFormsRefuseNUL(t *testing.T) {
	env := oidctest.Start(t, oidctest.Options{})
	inst := env.Install(env.Acme, "crm-nul", "http://127.0.0.1:9/", callback)
	for _, c := range []oauthCall{
		{name: "code with NUL", method: http.MethodPost, path: "/oauth/token", header: basicAuth(inst),
			form: url.Values{"grant_type": {"authorization_code"}, "code": {"a\x00b"}, "redirect_uri": {callback}}},
		{name: "refresh token with NUL", method: http.MethodPost, path: "/oauth/token", header: basicAuth(inst),
			form: url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"r\x00"}}},
		{name: "client id with NUL", method: http.MethodPost, path: "/oauth/token",
			form: url.Values{"grant_type": {"authorization_code"}, "code": {"x"}, "client_id": {"asc_\x00"}, "client_secret": {"s"}}},
		{name: "client id not UTF-8", method: http.MethodPost, path: "/oauth/token",
			form: url.Values{"grant_type": {"authorization_code"}, "code": {"x"}, "client_id": {"asc_\xff"}, "client_secret": {"s"}}},
		{name: "revoke with NUL", method: http.MethodPost, path: "/oauth/revoke", header: basicAuth(inst), form: url.Values{"token": {"t\x00"}}},
		{name: "introspect with NUL", method: http.MethodPost, path: "/oauth/introspect", header: basicAuth(inst), form: url.Values{"token": {"t\x00"}}},
	} {
		c.status, c.errCode = http.StatusBadRequest, "invalid_request"
		c.check(t, env)
	}
	// A form or query that does not parse is a 400 too, never a 500.
	resp, err := http.Post(env.Issuer+"/oauth/end_session", "application/x-www-form-urlencoded", strings.NewReader("id_token_hint=%zz"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("end_session with an unreadable form: %d, want 400", resp.StatusCode)
	}
	if resp, err = http.Get(env.Issuer + "/oauth/end_session?id_token_hint=%zz"); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("end_session with an unreadable query: %d, want 400", resp.StatusCode)
	}
	if n := count(t, env, "SELECT count(*) FROM oidc_tokens"); n != 0 {
		t.Fatalf("%d tokens issued", n)
	}
}
