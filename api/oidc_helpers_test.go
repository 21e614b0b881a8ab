package api_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/zitadel/oidc/v3/pkg/client/rp"
	"github.com/zitadel/oidc/v3/pkg/oidc"

	"appstore/api"
	"appstore/api/oidcop/oidctest"
)

// browser is a client that does not follow redirects, with an optional
// platform session.
type browser struct {
	t       *testing.T
	env     *oidctest.Env
	session string
}

func (b *browser) get(rawURL string) *http.Response {
	b.t.Helper()
	if strings.HasPrefix(rawURL, "/") {
		rawURL = b.env.Issuer + rawURL
	}
	req, _ := http.NewRequest(http.MethodGet, rawURL, nil)
	if b.session != "" {
		req.AddCookie(&http.Cookie{Name: api.SessionCookie, Value: b.session})
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	b.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// pkce returns a verifier and its S256 challenge.
func pkce() (verifier, challenge string) {
	b := make([]byte, 32)
	rand.Read(b)
	verifier = base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

// authorizeURL is an authorization request of the code flow.
func authorizeURL(clientID, redirectURI, challenge, method string, extra ...string) string {
	q := url.Values{"client_id": {clientID}, "redirect_uri": {redirectURI}, "response_type": {"code"},
		"scope": {"openid profile email"}, "state": {"st4te"}, "nonce": {"n0nce"}}
	if challenge != "" {
		q.Set("code_challenge", challenge)
		q.Set("code_challenge_method", method)
	}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	return "/oauth/authorize?" + q.Encode()
}

// authorize runs the authorization request in b's browser through the
// login step and returns the final redirect (to the client, or not).
func (b *browser) authorize(path string) *http.Response {
	b.t.Helper()
	resp := b.get(path)
	if resp.StatusCode != http.StatusFound {
		b.t.Fatalf("authorize: %d %s", resp.StatusCode, body(b.t, resp))
	}
	loc := resp.Header.Get("Location")
	if !strings.HasPrefix(loc, "/oauth/login?") {
		return resp // an error redirect to the client
	}
	return b.get(loc)
}

// codeFrom checks a redirect to the client and returns its code.
func codeFrom(t *testing.T, resp *http.Response, redirectURI string) string {
	t.Helper()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc.String(), redirectURI) {
		t.Fatalf("want a redirect to %s, got %d %q", redirectURI, resp.StatusCode, resp.Header.Get("Location"))
	}
	if loc.Query().Get("state") != "st4te" || loc.Query().Get("code") == "" {
		t.Fatalf("redirect %s: want code and state", loc)
	}
	return loc.Query().Get("code")
}

// tokenResponse is the token endpoint's answer.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	IDToken      string `json:"id_token"`
	Error        string `json:"error"`
	Description  string `json:"error_description"`
	status       int
}

// token posts form to /oauth/token, with basic client authentication when
// secret is set.
func token(t *testing.T, env *oidctest.Env, clientID, secret string, form url.Values) tokenResponse {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, env.Issuer+"/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://app.example") // a cross-origin caller, as a server is to us
	if secret != "" {
		req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(secret))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tr tokenResponse
	if err := json.NewDecoder(resp.Body).Decode(&tr); err != nil {
		t.Fatalf("token response: %v", err)
	}
	tr.status = resp.StatusCode
	return tr
}

func codeForm(code, redirectURI, verifier string) url.Values {
	f := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI}}
	if verifier != "" {
		f.Set("code_verifier", verifier)
	}
	return f
}

// userinfo calls /oauth/userinfo with an access token.
func userinfo(t *testing.T, env *oidctest.Env, accessToken string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, env.Issuer+"/oauth/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+accessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// verifyIDToken checks signature (JWKS), issuer, audience and nonce.
func verifyIDToken(t *testing.T, env *oidctest.Env, clientID, idToken string) *oidc.IDTokenClaims {
	t.Helper()
	keys := rp.NewRemoteKeySet(http.DefaultClient, env.Issuer+"/oauth/keys")
	v := rp.NewIDTokenVerifier(env.Issuer, clientID, keys, rp.WithNonce(func(context.Context) string { return "n0nce" }))
	claims, err := rp.VerifyIDToken[*oidc.IDTokenClaims](context.Background(), idToken, v)
	if err != nil {
		t.Fatalf("id token: %v", err)
	}
	return claims
}

func base64URLDecode(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }
