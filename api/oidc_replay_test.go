package api_test

import (
	"net/http"
	"net/url"
	"testing"

	"appstore/api/oidcop/oidctest"
)

const offlineScope = "openid profile email offline_access"

func refreshWith(t *testing.T, env *oidctest.Env, inst *oidctest.Installation, refreshToken string) tokenResponse {
	t.Helper()
	return token(t, env, inst.ClientID, inst.ClientSecret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}})
}

// grantAlive reports whether tr's access token still answers userinfo.
func grantAlive(t *testing.T, env *oidctest.Env, accessToken string) bool {
	t.Helper()
	status, _ := userinfo(t, env, accessToken)
	return status == http.StatusOK
}

// A code redeemed twice is a stolen code, or a client that leaked it: the
// second exchange is refused and every token of the first one is revoked
// (RFC 6749 §4.1.2, RFC 9700 §4.5). Other grants of the same user stay.
func TestOIDCCodeReplayRevokesTheGrant(t *testing.T) {
	env := oidctest.Start(t, oidctest.Options{})
	inst := env.Install(env.Acme, "crm-code-replay", "http://127.0.0.1:9/", callback)
	member := &browser{t: t, env: env, session: env.Session(env.Member)}
	other := signIn(t, env, inst, member, offlineScope)

	verifier, challenge := pkce()
	code := codeFrom(t, member.authorize(authorizeURL(inst.ClientID, callback, challenge, "S256", "scope", offlineScope)), callback)
	first := token(t, env, inst.ClientID, inst.ClientSecret, codeForm(code, callback, verifier))
	if first.status != 200 || first.RefreshToken == "" {
		t.Fatalf("first exchange: %+v", first)
	}
	refreshed := refreshWith(t, env, inst, first.RefreshToken)
	if refreshed.status != 200 {
		t.Fatalf("refresh: %+v", refreshed)
	}
	if again := token(t, env, inst.ClientID, inst.ClientSecret, codeForm(code, callback, verifier)); again.status != 400 || again.Error != "invalid_grant" {
		t.Fatalf("second exchange: %+v", again)
	}
	for name, tok := range map[string]string{"first access token": first.AccessToken, "refreshed access token": refreshed.AccessToken} {
		if grantAlive(t, env, tok) {
			t.Errorf("%s still works after the code was replayed", name)
		}
	}
	if r := refreshWith(t, env, inst, refreshed.RefreshToken); r.status != 400 || r.Error != "invalid_grant" {
		t.Errorf("refresh token of the replayed code: %+v", r)
	}
	if !grantAlive(t, env, other.AccessToken) {
		t.Error("another grant was revoked too")
	}
	if r := refreshWith(t, env, inst, other.RefreshToken); r.status != 200 {
		t.Errorf("another grant's refresh: %+v", r)
	}
}

// A rotated refresh token used again means two parties hold the chain:
// the reuse is refused and the whole chain — its successor and every
// access token issued along it — is revoked (RFC 9700 §4.14.2).
func TestOIDCRefreshReplayRevokesTheGrant(t *testing.T) {
	env := oidctest.Start(t, oidctest.Options{})
	inst := env.Install(env.Acme, "crm-refresh-replay", "http://127.0.0.1:9/", callback)
	member := &browser{t: t, env: env, session: env.Session(env.Member)}
	other := signIn(t, env, inst, member, offlineScope)

	tr := signIn(t, env, inst, member, offlineScope)
	second := refreshWith(t, env, inst, tr.RefreshToken)
	if second.status != 200 || second.RefreshToken == "" {
		t.Fatalf("refresh: %+v", second)
	}
	third := refreshWith(t, env, inst, second.RefreshToken)
	if third.status != 200 {
		t.Fatalf("second refresh: %+v", third)
	}
	if replay := refreshWith(t, env, inst, tr.RefreshToken); replay.status != 400 || replay.Error != "invalid_grant" {
		t.Fatalf("reused refresh token: %+v", replay)
	}
	if r := refreshWith(t, env, inst, third.RefreshToken); r.status != 400 || r.Error != "invalid_grant" {
		t.Errorf("the chain's current refresh token still works: %+v", r)
	}
	for name, tok := range map[string]string{"first": tr.AccessToken, "second": second.AccessToken, "third": third.AccessToken} {
		if grantAlive(t, env, tok) {
			t.Errorf("the %s access token of the chain still works", name)
		}
	}
	if !grantAlive(t, env, other.AccessToken) {
		t.Error("another grant was revoked too")
	}
	if r := refreshWith(t, env, inst, other.RefreshToken); r.status != 200 {
		t.Errorf("another grant's refresh: %+v", r)
	}
}
