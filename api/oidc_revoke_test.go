package api_test

import (
	"net/http"
	"net/url"
	"testing"

	"appstore/api/oidcop/oidctest"
)

// Revoking a refresh token ends its grant: the access token issued with it
// stops working too (RFC 7009 §2.1); another sign-in's tokens live on.
func TestOIDCRevokingRefreshEndsTheGrant(t *testing.T) {
	env := oidctest.Start(t, oidctest.Options{})
	inst := env.Install(env.Acme, "crm-revoke", "http://127.0.0.1:9/", callback)
	member := &browser{t: t, env: env, session: env.Session(env.Member)}
	first := signIn(t, env, inst, member, "openid offline_access")
	second := signIn(t, env, inst, member, "openid offline_access")
	userinfo := func(access string) int {
		resp, _ := oauthCall{method: http.MethodGet, path: "/oauth/userinfo",
			header: http.Header{"Authorization": {"Bearer " + access}}}.send(t, env)
		return resp.StatusCode
	}
	if userinfo(first.AccessToken) != http.StatusOK {
		t.Fatal("the access token does not work before the revocation")
	}
	oauthCall{name: "revoke refresh", method: http.MethodPost, path: "/oauth/revoke", header: basicAuth(inst),
		form: url.Values{"token": {first.RefreshToken}, "token_type_hint": {"refresh_token"}}, status: http.StatusOK}.check(t, env)
	if got := userinfo(first.AccessToken); got == http.StatusOK {
		t.Fatal("the grant's access token still works after its refresh token was revoked")
	}
	if userinfo(second.AccessToken) != http.StatusOK {
		t.Fatal("revoking one grant ended another")
	}
}
