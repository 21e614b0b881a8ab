package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"appstore/api/oidcop/oidctest"
)

// oauthCall is one request to a provider endpoint and what must come back.
type oauthCall struct {
	name    string
	method  string
	path    string
	form    url.Values // sent as the body of a POST, as the query otherwise
	header  http.Header
	status  int
	errCode string // the OAuth error member of a JSON answer, if any
}

// send performs c against env without following redirects and returns the
// response with its body read.
func (c oauthCall) send(t *testing.T, env *oidctest.Env) (*http.Response, string) {
	t.Helper()
	target, body := env.Issuer+c.path, io.Reader(nil)
	if len(c.form) > 0 && c.method == http.MethodPost {
		body = strings.NewReader(c.form.Encode())
	} else if len(c.form) > 0 {
		target += "?" + c.form.Encode()
	}
	req, _ := http.NewRequest(c.method, target, body)
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// check sends c and compares status and OAuth error code.
func (c oauthCall) check(t *testing.T, env *oidctest.Env) *http.Response {
	t.Helper()
	resp, body := c.send(t, env)
	if resp.StatusCode != c.status {
		t.Errorf("%s: status %d, want %d: %s", c.name, resp.StatusCode, c.status, body)
		return resp
	}
	if c.errCode != "" {
		var e struct {
			Error string `json:"error"`
		}
		if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error != c.errCode {
			t.Errorf("%s: body %s, want OAuth error %q as JSON", c.name, body, c.errCode)
		}
	}
	return resp
}

func basicAuth(inst *oidctest.Installation) http.Header {
	req, _ := http.NewRequest(http.MethodGet, "/", nil)
	req.SetBasicAuth(url.QueryEscape(inst.ClientID), url.QueryEscape(inst.ClientSecret))
	return req.Header
}

// Malformed or misplaced requests get OAuth errors with the right status,
// never a 500 with an internal message; secrets are only accepted in a
// POST body (RFC 6749 §3.2).
func TestOIDCEndpointsAnswerOAuthErrors(t *testing.T) {
	env := oidctest.Start(t, oidctest.Options{})
	inst := env.Install(env.Acme, "crm-errors", "http://127.0.0.1:9/", callback)
	secretQuery := url.Values{"grant_type": {"authorization_code"}, "code": {"x"}, "redirect_uri": {callback},
		"client_id": {inst.ClientID}, "client_secret": {inst.ClientSecret}}
	for _, c := range []oauthCall{
		{name: "end_session without id_token_hint", method: http.MethodGet, path: "/oauth/end_session", status: 400, errCode: "invalid_request"},
		{name: "end_session with a client but no hint", method: http.MethodGet, path: "/oauth/end_session",
			form: url.Values{"client_id": {inst.ClientID}}, status: 400, errCode: "invalid_request"},
		{name: "token by GET", method: http.MethodGet, path: "/oauth/token", form: secretQuery, status: 405, errCode: "invalid_request"},
		{name: "revoke by GET", method: http.MethodGet, path: "/oauth/revoke", form: url.Values{"token": {"x"}}, header: basicAuth(inst), status: 405},
		{name: "introspect by GET", method: http.MethodGet, path: "/oauth/introspect", form: url.Values{"token": {"x"}}, header: basicAuth(inst), status: 405},
		{name: "jwt-bearer grant", method: http.MethodPost, path: "/oauth/token", header: basicAuth(inst),
			form: url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"}, "assertion": {"x"}}, status: 400, errCode: "unsupported_grant_type"},
		{name: "device code grant", method: http.MethodPost, path: "/oauth/token", header: basicAuth(inst),
			form: url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "device_code": {"x"}}, status: 400, errCode: "unsupported_grant_type"},
	} {
		resp := c.check(t, env)
		if c.status == 405 && resp.Header.Get("Allow") != http.MethodPost {
			t.Errorf("%s: Allow = %q, want POST", c.name, resp.Header.Get("Allow"))
		}
	}
	if n := count(t, env, "SELECT count(*) FROM oidc_tokens"); n != 0 {
		t.Fatalf("%d tokens issued", n)
	}
}

// Refreshing after the app was uninstalled is invalid_grant; after its
// client was revoked (as the uninstall flow also does) invalid_client.
func TestOIDCRefreshAfterUninstall(t *testing.T) {
	env := oidctest.Start(t, oidctest.Options{})
	inst := env.Install(env.Acme, "crm-gone", "http://127.0.0.1:9/", callback)
	tr := signIn(t, env, inst, &browser{t: t, env: env, session: env.Session(env.Member)}, "openid offline_access")
	refresh := oauthCall{method: http.MethodPost, path: "/oauth/token", header: basicAuth(inst),
		form: url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tr.RefreshToken}}}

	env.Uninstall(inst)
	refresh.name, refresh.status, refresh.errCode = "uninstalled", 400, "invalid_grant"
	refresh.check(t, env)
	env.Store.Gorm().Exec("UPDATE oauth_clients SET revoked_at = now(), enabled = false WHERE client_id = ?", inst.ClientID)
	refresh.name, refresh.status, refresh.errCode = "client revoked", 401, "invalid_client"
	if resp := refresh.check(t, env); !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Basic") {
		t.Errorf("invalid_client without WWW-Authenticate: %q", resp.Header.Get("WWW-Authenticate"))
	}
}

// Token and userinfo answers, successful or not, are never cached.
func TestOIDCTokenResponsesAreNotCached(t *testing.T) {
	env := oidctest.Start(t, oidctest.Options{})
	inst := env.Install(env.Acme, "crm-cache", "http://127.0.0.1:9/", callback)
	member := &browser{t: t, env: env, session: env.Session(env.Member)}
	verifier, challenge := pkce()
	code := codeFrom(t, member.authorize(authorizeURL(inst.ClientID, callback, challenge, "S256")), callback)
	exchange := oauthCall{method: http.MethodPost, path: "/oauth/token", header: basicAuth(inst), form: codeForm(code, callback, verifier)}
	resp, body := exchange.send(t, env)
	var tr tokenResponse
	json.Unmarshal([]byte(body), &tr)
	info, _ := oauthCall{method: http.MethodGet, path: "/oauth/userinfo", header: http.Header{"Authorization": {"Bearer " + tr.AccessToken}}}.send(t, env)
	again, _ := exchange.send(t, env) // a replay, which also ends tr's tokens
	badInfo, _ := oauthCall{method: http.MethodGet, path: "/oauth/userinfo", header: http.Header{"Authorization": {"Bearer nope"}}}.send(t, env)
	for _, c := range []struct {
		name   string
		resp   *http.Response
		status int
	}{
		{"code exchange", resp, 200},
		{"token error", again, 400},
		{"userinfo", info, 200},
		{"userinfo error", badInfo, 401},
	} {
		if c.resp.StatusCode != c.status {
			t.Errorf("%s: status %d, want %d", c.name, c.resp.StatusCode, c.status)
		}
		if cc := c.resp.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s: Cache-Control = %q, want no-store", c.name, cc)
		}
		if p := c.resp.Header.Get("Pragma"); p != "no-cache" {
			t.Errorf("%s: Pragma = %q, want no-cache", c.name, p)
		}
	}
}

// CORS is for what a browser client may read: discovery and the keys,
// without credentials. Every other endpoint is for servers or top-level
// navigation and answers a foreign origin with no CORS headers at all.
func TestOIDCCORSOnlyForPublicDocuments(t *testing.T) {
	env := oidctest.Start(t, oidctest.Options{})
	inst := env.Install(env.Acme, "crm-cors", "http://127.0.0.1:9/", callback)
	const origin = "https://evil.example"
	withOrigin := func(h http.Header, extra ...string) http.Header {
		out := http.Header{"Origin": {origin}}
		for k, v := range h {
			out[k] = v
		}
		for i := 0; i+1 < len(extra); i += 2 {
			out.Set(extra[i], extra[i+1])
		}
		return out
	}
	preflight := func(method string, headers ...string) http.Header {
		h := withOrigin(nil, "Access-Control-Request-Method", method)
		if len(headers) > 0 {
			h.Set("Access-Control-Request-Headers", strings.Join(headers, ","))
		}
		return h
	}
	for _, c := range []struct {
		oauthCall
		allowed bool
	}{
		{oauthCall{name: "discovery", method: http.MethodGet, path: "/.well-known/openid-configuration", header: withOrigin(nil)}, true},
		{oauthCall{name: "keys", method: http.MethodGet, path: "/oauth/keys", header: withOrigin(nil)}, true},
		{oauthCall{name: "discovery preflight", method: http.MethodOptions, path: "/.well-known/openid-configuration", header: preflight("GET")}, true},
		{oauthCall{name: "token", method: http.MethodPost, path: "/oauth/token", header: withOrigin(basicAuth(inst)),
			form: url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"x"}}}, false},
		{oauthCall{name: "token preflight", method: http.MethodOptions, path: "/oauth/token", header: preflight("POST", "authorization")}, false},
		{oauthCall{name: "userinfo", method: http.MethodGet, path: "/oauth/userinfo", header: withOrigin(nil, "Authorization", "Bearer x")}, false},
		{oauthCall{name: "userinfo preflight", method: http.MethodOptions, path: "/oauth/userinfo", header: preflight("GET", "authorization")}, false},
		{oauthCall{name: "introspect", method: http.MethodPost, path: "/oauth/introspect", header: withOrigin(basicAuth(inst)), form: url.Values{"token": {"x"}}}, false},
		{oauthCall{name: "revoke", method: http.MethodPost, path: "/oauth/revoke", header: withOrigin(basicAuth(inst)), form: url.Values{"token": {"x"}}}, false},
		{oauthCall{name: "authorize", method: http.MethodGet, path: authorizeURL(inst.ClientID, callback, "", ""),
			header: withOrigin(http.Header{"Cookie": {"appstore_session=" + env.Session(env.Member)}})}, false},
		{oauthCall{name: "end_session", method: http.MethodGet, path: "/oauth/end_session", header: withOrigin(nil)}, false},
	} {
		resp, _ := c.send(t, env)
		acao, acac := resp.Header.Get("Access-Control-Allow-Origin"), resp.Header.Get("Access-Control-Allow-Credentials")
		if acac != "" {
			t.Errorf("%s: Access-Control-Allow-Credentials = %q", c.name, acac)
		}
		if c.allowed && acao != origin && acao != "*" {
			t.Errorf("%s: Access-Control-Allow-Origin = %q, want it readable cross-origin", c.name, acao)
		}
		if !c.allowed && acao != "" {
			t.Errorf("%s: Access-Control-Allow-Origin = %q for a foreign origin", c.name, acao)
		}
	}
}

// The discovery document names only what works: every endpoint it lists
// answers, and every grant, response type and client authentication
// method it lists is accepted.
func TestOIDCDiscoveryAdvertisesOnlyWhatWorks(t *testing.T) {
	env := oidctest.Start(t, oidctest.Options{})
	inst := env.Install(env.Acme, "crm-discover", "http://127.0.0.1:9/", callback)
	resp, body := oauthCall{method: http.MethodGet, path: "/.well-known/openid-configuration"}.send(t, env)
	var d map[string]any
	if err := json.Unmarshal([]byte(body), &d); err != nil || resp.StatusCode != 200 {
		t.Fatalf("discovery: %d %v", resp.StatusCode, err)
	}
	for key, v := range d {
		u, ok := v.(string)
		if !ok || !strings.HasPrefix(u, "http") || key == "issuer" {
			continue
		}
		if !strings.HasPrefix(u, env.Issuer+"/") {
			t.Errorf("%s = %s is not under the issuer", key, u)
			continue
		}
		r, _ := oauthCall{method: http.MethodGet, path: strings.TrimPrefix(u, env.Issuer)}.send(t, env)
		if r.StatusCode == http.StatusMethodNotAllowed {
			r, _ = oauthCall{method: http.MethodPost, path: strings.TrimPrefix(u, env.Issuer)}.send(t, env)
		}
		if r.StatusCode == http.StatusNotFound || r.StatusCode >= 500 {
			t.Errorf("%s = %s answers %d", key, u, r.StatusCode)
		}
	}
	for key, want := range map[string][]string{
		"response_types_supported":              {"code"},
		"response_modes_supported":              {"query"},
		"grant_types_supported":                 {"authorization_code", "refresh_token"},
		"code_challenge_methods_supported":      {"S256"},
		"token_endpoint_auth_methods_supported": {"client_secret_basic", "client_secret_post"},
		"subject_types_supported":               {"public"},
		"id_token_signing_alg_values_supported": {"RS256"},
	} {
		if got := toStrings(d[key]); !slices.Equal(got, want) {
			t.Errorf("%s = %v, want %v", key, got, want)
		}
	}
	for _, key := range []string{"device_authorization_endpoint", "check_session_iframe", "registration_endpoint",
		"token_endpoint_auth_signing_alg_values_supported", "request_object_signing_alg_values_supported"} {
		if v, ok := d[key]; ok {
			t.Errorf("%s = %v is advertised", key, v)
		}
	}
	for _, key := range []string{"revocation_endpoint_auth_methods_supported", "introspection_endpoint_auth_methods_supported"} {
		for _, m := range toStrings(d[key]) {
			if m != "client_secret_basic" && m != "client_secret_post" {
				t.Errorf("%s lists %s", key, m)
			}
		}
	}

	// What is listed is accepted: the code flow with PKCE and each client
	// authentication method, then the refresh token grant.
	member := &browser{t: t, env: env, session: env.Session(env.Member)}
	var refresh string
	for _, method := range toStrings(d["token_endpoint_auth_methods_supported"]) {
		verifier, challenge := pkce()
		code := codeFrom(t, member.authorize(authorizeURL(inst.ClientID, callback, challenge, "S256", "scope", "openid offline_access")), callback)
		form, secret := codeForm(code, callback, verifier), inst.ClientSecret
		if method == "client_secret_post" {
			form.Set("client_id", inst.ClientID)
			form.Set("client_secret", secret)
			secret = ""
		}
		tr := token(t, env, inst.ClientID, secret, form)
		if tr.status != 200 || tr.RefreshToken == "" {
			t.Fatalf("%s: %+v", method, tr)
		}
		refresh = tr.RefreshToken
	}
	if tr := token(t, env, inst.ClientID, inst.ClientSecret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}); tr.status != 200 {
		t.Fatalf("refresh_token grant: %+v", tr)
	}
	// What is not listed is refused: an error page or an error for the client.
	for _, rt := range []string{"id_token", "id_token token", "token"} {
		resp = member.get(authorizeURL(inst.ClientID, callback, "", "", "response_type", rt))
		loc := resp.Header.Get("Location")
		if u, _ := url.Parse(loc); resp.StatusCode != http.StatusBadRequest && (u == nil || u.Query().Get("error") == "" ||
			strings.Contains(loc, "token=") || strings.HasPrefix(loc, "/oauth/login")) {
			t.Errorf("response_type %s: %d %q", rt, resp.StatusCode, loc)
		}
	}
}

func count(t *testing.T, env *oidctest.Env, query string, args ...any) int {
	t.Helper()
	var n int
	if err := env.Store.Gorm().Raw(query, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// RP-initiated logout with an id_token_hint ends the user's tokens for that
// client and lands on the platform (no post-logout URIs are registered).
func TestOIDCEndSessionWithHint(t *testing.T) {
	env := oidctest.Start(t, oidctest.Options{})
	inst := env.Install(env.Acme, "crm-logout", "http://127.0.0.1:9/", callback)
	tr := signIn(t, env, inst, &browser{t: t, env: env, session: env.Session(env.Member)}, "openid offline_access")
	resp, _ := oauthCall{method: http.MethodGet, path: "/oauth/end_session", form: url.Values{"id_token_hint": {tr.IDToken}}}.send(t, env)
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != env.Issuer+"/" {
		t.Fatalf("end_session: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if grantAlive(t, env, tr.AccessToken) {
		t.Fatal("the access token survived the logout")
	}
}
