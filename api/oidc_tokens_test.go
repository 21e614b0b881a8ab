package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"appstore/api/oidcop/oidctest"
)

// An app's own client (for its developers) authenticates with its current
// secret and, after a rotation, with the previous one during the grace
// period only; client_secret_post works as well as basic.
func TestOIDCAppClientSecretsWithGrace(t *testing.T) {
	env := oidctest.Start(t, oidctest.Options{})
	ctx := context.Background()
	inst := env.Install(env.Acme, "crm-secrets", "http://127.0.0.1:9/", callback)
	clientID, first, _, err := env.Store.EnableOAuth(ctx, inst.AppID)
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Store.Gorm().Exec(`UPDATE oauth_clients SET redirect_uris = ? WHERE client_id = ?`, `["`+callback+`"]`, clientID).Error; err != nil {
		t.Fatal(err)
	}
	second, _, err := env.Store.RotateClientSecret(ctx, inst.AppID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	dev := &browser{t: t, env: env, session: env.Session(env.Member)} // member of acme-labs
	exchange := func(secret string, post bool) tokenResponse {
		verifier, challenge := pkce()
		code := codeFrom(t, dev.authorize(authorizeURL(clientID, callback, challenge, "S256")), callback)
		form := codeForm(code, callback, verifier)
		if post {
			form.Set("client_id", clientID)
			form.Set("client_secret", secret)
			return token(t, env, clientID, "", form)
		}
		return token(t, env, clientID, secret, form)
	}
	if tr := exchange(second, false); tr.status != 200 {
		t.Fatalf("current secret: %+v", tr)
	}
	if tr := exchange(first, true); tr.status != 200 {
		t.Fatalf("previous secret within grace (post): %+v", tr)
	}
	env.Store.Gorm().Exec(`UPDATE oauth_clients SET previous_expires_at = now() - interval '1 second' WHERE client_id = ?`, clientID)
	if tr := exchange(first, false); tr.status == 200 {
		t.Fatalf("previous secret after grace: %+v", tr)
	}
	// The app client requires PKCE (pkce_required): no challenge, no code.
	resp := dev.authorize(authorizeURL(clientID, callback, "", ""))
	if loc, _ := url.Parse(resp.Header.Get("Location")); loc == nil || loc.Query().Get("error") != "invalid_request" || loc.Query().Get("code") != "" {
		t.Fatalf("no PKCE for a PKCE client: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	// Someone outside the developer account may not use the app's client.
	outsider := &browser{t: t, env: env, session: env.Session(env.Owner)}
	_, challenge := pkce()
	if resp := outsider.authorize(authorizeURL(clientID, callback, challenge, "S256")); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("outsider on the app client: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	// A revoked client cannot authenticate at all.
	env.Store.Gorm().Exec(`UPDATE oauth_clients SET revoked_at = now() WHERE client_id = ?`, inst.ClientID)
	if tr := token(t, env, inst.ClientID, inst.ClientSecret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"x"}}); tr.status == 200 {
		t.Fatalf("revoked client: %+v", tr)
	}
}

// signIn runs the code flow for the installation and returns its tokens.
func signIn(t *testing.T, env *oidctest.Env, inst *oidctest.Installation, b *browser, scope string) tokenResponse {
	t.Helper()
	verifier, challenge := pkce()
	code := codeFrom(t, b.authorize(authorizeURL(inst.ClientID, callback, challenge, "S256", "scope", scope)), callback)
	tr := token(t, env, inst.ClientID, inst.ClientSecret, codeForm(code, callback, verifier))
	if tr.status != 200 {
		t.Fatalf("sign in: %+v", tr)
	}
	return tr
}

func revoke(t *testing.T, env *oidctest.Env, inst *oidctest.Installation, tok string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, env.Issuer+"/oauth/revoke", strings.NewReader(url.Values{"token": {tok}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(inst.ClientID, inst.ClientSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
}

func TestOIDCRevokedTokensStopWorking(t *testing.T) {
	env := oidctest.Start(t, oidctest.Options{})
	ctx := context.Background()
	inst := env.Install(env.Acme, "crm-revoke", "http://127.0.0.1:9/", callback)
	member := &browser{t: t, env: env, session: env.Session(env.Member)}
	const offline = "openid profile email offline_access"

	// The revocation endpoint, for an access token and a refresh token.
	tr := signIn(t, env, inst, member, offline)
	if tr.RefreshToken == "" {
		t.Fatal("no refresh token for offline_access")
	}
	revoke(t, env, inst, tr.AccessToken)
	if status, _ := userinfo(t, env, tr.AccessToken); status != http.StatusUnauthorized && status != http.StatusForbidden {
		t.Fatalf("userinfo after revoke: %d", status)
	}
	refreshed := token(t, env, inst.ClientID, inst.ClientSecret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tr.RefreshToken}})
	if refreshed.status != 200 {
		t.Fatalf("refresh: %+v", refreshed)
	}
	if again := token(t, env, inst.ClientID, inst.ClientSecret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tr.RefreshToken}}); again.status == 200 {
		t.Fatal("a refresh token worked twice")
	}
	revoke(t, env, inst, refreshed.RefreshToken)
	if r := token(t, env, inst.ClientID, inst.ClientSecret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshed.RefreshToken}}); r.status == 200 {
		t.Fatal("a revoked refresh token worked")
	}

	// Access removed for one user: their tokens end, others' do not.
	tr = signIn(t, env, inst, member, offline)
	owner := signIn(t, env, inst, &browser{t: t, env: env, session: env.Session(env.Owner)}, offline)
	env.SetAccess(inst, env.Member.ID, false)
	if err := env.Store.RevokeInstallationTokens(ctx, inst.ID, &env.Member.ID); err != nil {
		t.Fatal(err)
	}
	if status, _ := userinfo(t, env, tr.AccessToken); status == 200 {
		t.Fatal("userinfo works after the member's access was revoked")
	}
	if r := token(t, env, inst.ClientID, inst.ClientSecret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tr.RefreshToken}}); r.status == 200 {
		t.Fatal("refresh works after the member's access was revoked")
	}
	if status, info := userinfo(t, env, owner.AccessToken); status != 200 || info["org_role"] != "owner" {
		t.Fatalf("owner's userinfo: %d %v", status, info)
	}
	// A disabled client's tokens stop working while it is disabled.
	env.Store.Gorm().Exec("UPDATE oauth_clients SET enabled = false WHERE client_id = ?", inst.ClientID)
	if status, _ := userinfo(t, env, owner.AccessToken); status == 200 {
		t.Fatal("userinfo works for a disabled client's token")
	}
	env.Store.Gorm().Exec("UPDATE oauth_clients SET enabled = true WHERE client_id = ?", inst.ClientID)
	if status, _ := userinfo(t, env, owner.AccessToken); status != 200 {
		t.Fatalf("userinfo after re-enabling: %d", status)
	}
	// Uninstalled: every token of the installation ends, and its client too.
	env.Uninstall(inst)
	if status, _ := userinfo(t, env, owner.AccessToken); status == 200 {
		t.Fatal("userinfo works after uninstall")
	}
	env.Store.Gorm().Exec("UPDATE oidc_tokens SET revoked_at = NULL") // even without the revocation
	if status, _ := userinfo(t, env, owner.AccessToken); status == 200 {
		t.Fatal("a token of an uninstalled installation works")
	}
}

// SSO URLs: members with access only; outsiders learn nothing.
func TestSSOURLAndOpenApp(t *testing.T) {
	env := oidctest.Start(t, oidctest.Options{})
	inst := env.Install(env.Acme, "crm-sso", "https://crm.example/app?x=1", callback)
	sso := "/api/v1/organizations/" + env.Acme.String() + "/installations/" + inst.ID.String() + "/sso"
	member := &browser{t: t, env: env, session: env.Session(env.Member)}
	resp := member.get(sso)
	var out struct {
		URL string `json:"url"`
	}
	json.NewDecoder(resp.Body).Decode(&out)
	u, err := url.Parse(out.URL)
	if resp.StatusCode != 200 || err != nil || u.Host != "crm.example" || u.Query().Get("iss") != env.Issuer ||
		u.Query().Get("login_hint") != env.Member.ID.String() || u.Query().Get("target_link_uri") != inst.AppURL || u.Query().Get("x") != "1" {
		t.Fatalf("sso: %d %q", resp.StatusCode, out.URL)
	}
	open := "/organizations/" + env.Acme.String() + "/installations/" + inst.ID.String() + "/open"
	if resp := member.get(open); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != out.URL {
		t.Fatalf("open: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	// Another organization's member (dev is admin of Acme Sandbox only).
	outsider := &browser{t: t, env: env, session: env.Session(env.Dev)}
	if resp := outsider.get(sso); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("outsider sso: %d", resp.StatusCode)
	}
	// The same installation id under the outsider's own organization.
	cross := "/api/v1/organizations/" + env.Sandbox.String() + "/installations/" + inst.ID.String() + "/sso"
	if resp := outsider.get(cross); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("cross-organization sso: %d", resp.StatusCode)
	}
	if resp := outsider.get(open); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("outsider open: %d", resp.StatusCode)
	}
	env.SetAccess(inst, env.Member.ID, false)
	resp = member.get(sso)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body(t, resp), "access_revoked") {
		t.Fatalf("member without access: %d", resp.StatusCode)
	}
	if resp := member.get(open); resp.StatusCode != http.StatusForbidden || resp.Header.Get("Location") != "" ||
		!strings.Contains(body(t, resp), "do not have access") {
		t.Fatalf("open without access: %d", resp.StatusCode)
	}
	if resp := (&browser{t: t, env: env}).get(open); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
		t.Fatalf("anonymous open: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// Rotation: a key older than the rotation period is retired, the next
// token is signed with a new key, and the old kid stays in the JWKS (so
// tokens it signed still verify) until they have expired.
func TestOIDCKeyRotation(t *testing.T) {
	env := oidctest.Start(t, oidctest.Options{KeyRotation: 24 * time.Hour, IDTokenTTL: time.Hour})
	inst := env.Install(env.Acme, "crm-keys", "http://127.0.0.1:9/", callback)
	member := &browser{t: t, env: env, session: env.Session(env.Member)}
	old := signIn(t, env, inst, member, "openid email")
	oldKid := kidOf(t, old.IDToken)
	env.Store.Gorm().Exec("UPDATE oidc_signing_keys SET created_at = now() - interval '25 hours'")
	fresh := signIn(t, env, inst, member, "openid email")
	if newKid := kidOf(t, fresh.IDToken); newKid == oldKid {
		t.Fatal("the key was not rotated")
	}
	if kids := jwksKids(t, env); len(kids) != 2 || !kids[oldKid] {
		t.Fatalf("jwks after rotation: %v", kids)
	}
	verifyIDToken(t, env, inst.ClientID, old.IDToken) // the retired kid still verifies
	verifyIDToken(t, env, inst.ClientID, fresh.IDToken)
	var expires time.Time
	env.Store.Gorm().Raw("SELECT expires_at FROM oidc_signing_keys WHERE id = ?", oldKid).Scan(&expires)
	if d := time.Until(expires); d < time.Hour || d > 2*time.Hour {
		t.Fatalf("retired key leaves the JWKS in %s, want just over the ID token lifetime", d)
	}
	env.Store.Gorm().Exec("UPDATE oidc_signing_keys SET expires_at = now() - interval '1 second' WHERE id = ?", oldKid)
	if kids := jwksKids(t, env); len(kids) != 1 || kids[oldKid] {
		t.Fatalf("jwks after expiry: %v", kids)
	}
}

func kidOf(t *testing.T, jwt string) string {
	t.Helper()
	var h struct {
		Kid string `json:"kid"`
	}
	head, _, _ := strings.Cut(jwt, ".")
	raw, err := base64URLDecode(head)
	if err != nil || json.Unmarshal(raw, &h) != nil || h.Kid == "" {
		t.Fatalf("jwt header %q", head)
	}
	return h.Kid
}

func jwksKids(t *testing.T, env *oidctest.Env) map[string]bool {
	t.Helper()
	resp := (&browser{t: t, env: env}).get("/oauth/keys")
	var jwks struct {
		Keys []struct {
			Kid string `json:"kid"`
		} `json:"keys"`
	}
	json.NewDecoder(resp.Body).Decode(&jwks)
	kids := map[string]bool{}
	for _, k := range jwks.Keys {
		kids[k.Kid] = true
	}
	return kids
}
