package api_test

import (
	"crypto/x509"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"appstore/api"
	"appstore/api/oidcop/oidctest"
	"appstore/models"
	"appstore/models/postgres"
)

const callback = "http://127.0.0.1:9/callback"

func TestOIDCDiscoveryAndKeys(t *testing.T) {
	env := oidctest.Start(t, oidctest.Options{})
	b := &browser{t: t, env: env}
	resp := b.get("/.well-known/openid-configuration")
	var d map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil || resp.StatusCode != 200 {
		t.Fatalf("discovery: %d %v", resp.StatusCode, err)
	}
	for k, want := range map[string]string{
		"issuer": env.Issuer, "authorization_endpoint": env.Issuer + "/oauth/authorize", "token_endpoint": env.Issuer + "/oauth/token",
		"userinfo_endpoint": env.Issuer + "/oauth/userinfo", "revocation_endpoint": env.Issuer + "/oauth/revoke",
		"jwks_uri": env.Issuer + "/oauth/keys",
	} {
		if d[k] != want {
			t.Errorf("%s = %v, want %s", k, d[k], want)
		}
	}
	if !slices.Contains(toStrings(d["code_challenge_methods_supported"]), "S256") {
		t.Errorf("code_challenge_methods_supported = %v", d["code_challenge_methods_supported"])
	}
	if !slices.Contains(toStrings(d["claims_supported"]), "org_id") {
		t.Errorf("claims_supported = %v", d["claims_supported"])
	}
	resp = b.get("/oauth/keys")
	var jwks struct {
		Keys []map[string]any `json:"keys"`
	}
	json.NewDecoder(resp.Body).Decode(&jwks)
	if len(jwks.Keys) != 1 || jwks.Keys[0]["kty"] != "RSA" || jwks.Keys[0]["alg"] != "RS256" || jwks.Keys[0]["use"] != "sig" || jwks.Keys[0]["kid"] == "" {
		t.Fatalf("jwks = %v", jwks.Keys)
	}
	if _, ok := jwks.Keys[0]["d"]; ok {
		t.Fatal("the JWKS publishes a private key")
	}
	var key models.OIDCSigningKey
	if err := env.Store.Gorm().Take(&key).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := x509.ParsePKCS1PrivateKey(key.PrivateKeyCiphertext); err == nil || len(key.PrivateKeyCiphertext) < 1000 {
		t.Fatal("the private key is not stored encrypted")
	}
}

func toStrings(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, x := range list {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

func TestOIDCCodeFlowWithPKCE(t *testing.T) {
	env := oidctest.Start(t, oidctest.Options{})
	inst := env.Install(env.Acme, "crm-flow", "http://127.0.0.1:9/", callback)
	member := &browser{t: t, env: env, session: env.Session(env.Member)}

	verifier, challenge := pkce()
	code := codeFrom(t, member.authorize(authorizeURL(inst.ClientID, callback, challenge, "S256")), callback)
	if tr := token(t, env, inst.ClientID, inst.ClientSecret, codeForm(code, callback, "wrong-"+verifier)); tr.status != 400 || tr.AccessToken != "" {
		t.Fatalf("wrong verifier: %+v", tr)
	}
	// A refused exchange does not burn the code for the rightful client.
	tr := token(t, env, inst.ClientID, inst.ClientSecret, codeForm(code, callback, verifier))
	if tr.status != 200 || tr.AccessToken == "" || tr.IDToken == "" {
		t.Fatalf("exchange: %+v", tr)
	}
	claims := verifyIDToken(t, env, inst.ClientID, tr.IDToken)
	if claims.Subject != env.Member.ID.String() || claims.Email != "member@acme.test" ||
		claims.Claims["org_id"] != env.Acme.String() || claims.Claims["installation_id"] != inst.ID.String() || claims.Claims["org_role"] != "member" {
		t.Fatalf("id token claims: sub %s email %s extra %v", claims.Subject, claims.Email, claims.Claims)
	}
	status, info := userinfo(t, env, tr.AccessToken)
	if status != 200 || info["sub"] != env.Member.ID.String() || info["email"] != "member@acme.test" || info["name"] != env.Member.Name {
		t.Fatalf("userinfo: %d %v", status, info)
	}
	// A used code does not work twice, and its replay ends the tokens it
	// gave (see TestOIDCCodeReplayRevokesTheGrant).
	if again := token(t, env, inst.ClientID, inst.ClientSecret, codeForm(code, callback, verifier)); again.status != 400 {
		t.Fatalf("code reused: %+v", again)
	}
	if status, _ := userinfo(t, env, tr.AccessToken); status == 200 {
		t.Fatal("the replayed code's access token still works")
	}

	// A challenge without its verifier is refused.
	_, challenge = pkce()
	code = codeFrom(t, member.authorize(authorizeURL(inst.ClientID, callback, challenge, "S256")), callback)
	if tr := token(t, env, inst.ClientID, inst.ClientSecret, codeForm(code, callback, "")); tr.status != 400 {
		t.Fatalf("missing verifier: %+v", tr)
	}
	// plain is refused outright, back to the client as an error.
	resp := member.authorize(authorizeURL(inst.ClientID, callback, "plain-challenge-plain-challenge-plain-challenge", "plain"))
	if loc, _ := url.Parse(resp.Header.Get("Location")); loc == nil || loc.Query().Get("error") != "invalid_request" || loc.Query().Get("code") != "" {
		t.Fatalf("plain PKCE: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	// Without PKCE this confidential client still works (the secret binds the code).
	code = codeFrom(t, member.authorize(authorizeURL(inst.ClientID, callback, "", "")), callback)
	if tr := token(t, env, inst.ClientID, inst.ClientSecret, codeForm(code, callback, "")); tr.status != 200 {
		t.Fatalf("no PKCE, confidential: %+v", tr)
	}
	// A wrong secret is refused.
	code = codeFrom(t, member.authorize(authorizeURL(inst.ClientID, callback, "", "")), callback)
	if tr := token(t, env, inst.ClientID, "ascs_wrong", codeForm(code, callback, "")); tr.status < 400 || tr.AccessToken != "" {
		t.Fatalf("wrong secret: %+v", tr)
	}
}

func TestOIDCSignInFirst(t *testing.T) {
	env := oidctest.Start(t, oidctest.Options{})
	inst := env.Install(env.Acme, "crm-login", "http://127.0.0.1:9/", callback)
	path := authorizeURL(inst.ClientID, callback, "", "")
	resp := (&browser{t: t, env: env}).get(path)
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/login?next="+url.QueryEscape(path) {
		t.Fatalf("anonymous authorize: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	// The login page keeps next and sends the browser back after signing in.
	page := (&browser{t: t, env: env}).get(resp.Header.Get("Location"))
	if html := body(t, page); !strings.Contains(html, `name="next" value="/oauth/authorize?`) {
		t.Fatalf("login page does not carry next %q", path)
	}
	form := url.Values{"email": {"member@acme.test"}, "password": {postgres.DemoPassword}, "next": {path}}
	req, _ := http.NewRequest(http.MethodPost, env.Issuer+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", env.Issuer)
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != path {
		t.Fatalf("sign in: %d %q, want back to %q", resp.StatusCode, resp.Header.Get("Location"), path)
	}
	var session string
	for _, ck := range resp.Cookies() {
		if ck.Name == api.SessionCookie {
			session = ck.Value
		}
	}
	codeFrom(t, (&browser{t: t, env: env, session: session}).authorize(path), callback)
}

func TestOIDCMemberWithoutAccessGetsNoCode(t *testing.T) {
	env := oidctest.Start(t, oidctest.Options{})
	inst := env.Install(env.Acme, "crm-denied", "http://127.0.0.1:9/", callback)
	env.SetAccess(inst, env.Member.ID, false)
	_, challenge := pkce()
	for name, who := range map[string]*browser{
		"member without access": {t: t, env: env, session: env.Session(env.Member)},
		"outsider":              {t: t, env: env, session: env.Session(env.Dev)},
	} {
		resp := who.authorize(authorizeURL(inst.ClientID, callback, challenge, "S256"))
		html := body(t, resp)
		if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Location") != "" || !strings.Contains(html, "do not have access") {
			t.Fatalf("%s: %d %q", name, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	var done int
	env.Store.Gorm().Raw("SELECT count(*) FROM oidc_auth_requests WHERE done").Scan(&done)
	if done != 0 {
		t.Fatalf("%d requests completed", done)
	}
}
