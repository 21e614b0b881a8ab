package oidcop

import (
	"net/http"

	"github.com/rs/cors"
	httphelper "github.com/zitadel/oidc/v3/pkg/http"
	"github.com/zitadel/oidc/v3/pkg/oidc"
)

// postOnly are the endpoints whose requests carry client secrets, codes or
// tokens in the body: a query string ends up in logs and histories (RFC
// 6749 §3.2, RFC 7009 §2.1, RFC 7662 §2.1).
var postOnly = map[string]bool{TokenPath: true, RevokePath: true, IntrospectPath: true}

// noStore are the endpoints whose answers hold tokens or personal data
// (RFC 6749 §5.1; OIDC Core §5.3.2 for userinfo).
var noStore = map[string]bool{TokenPath: true, UserinfoPath: true, IntrospectPath: true}

// supportedGrants are the grant types the token endpoint serves; op would
// try others (jwt-bearer) against storage that does not support them.
var supportedGrants = []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken}

// endpointRules applies the provider's HTTP rules before op sees a request:
// the methods above, no caching of tokens, forms of text within bounds
// (refuseBadForm), only the supported grants, the
// discovery document of what is supported, and in production no
// authorization for a redirect URI that breaks the rules.
func (p *Provider) endpointRules(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := r.URL.Path
		if noStore[path] {
			w.Header().Set("Cache-Control", "no-store")
			w.Header().Set("Pragma", "no-cache")
		}
		if postOnly[path] && r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			httphelper.MarshalJSONWithStatus(w, oidc.ErrInvalidRequest().WithDescription("send this request as a POST form"),
				http.StatusMethodNotAllowed)
			return
		}
		if refuseBadForm(w, r) {
			return
		}
		switch path {
		case TokenPath:
			if gt := oidc.GrantType(r.PostFormValue("grant_type")); gt != "" && !supportedGrant(gt) {
				httphelper.MarshalJSONWithStatus(w, oidc.ErrUnsupportedGrantType().WithDescription("supported: authorization_code, refresh_token"),
					http.StatusBadRequest)
				return
			}
			w = basicChallenge{w}
		case AuthorizePath:
			if p.refuseBadRedirect(w, r) {
				return
			}
		case DiscoveryPath:
			p.discovery(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// basicChallenge adds the WWW-Authenticate header RFC 6749 §5.2 requires
// on a 401 invalid_client answer.
type basicChallenge struct{ http.ResponseWriter }

func (w basicChallenge) WriteHeader(status int) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="oauth"`)
	}
	w.ResponseWriter.WriteHeader(status)
}

func supportedGrant(gt oidc.GrantType) bool {
	for _, g := range supportedGrants {
		if g == gt {
			return true
		}
	}
	return false
}

// corsOptions let browsers read the public documents, discovery and the
// keys, from any origin, never with credentials. Every other endpoint is
// called by servers or reached by top-level navigation, and answers a
// foreign origin with no CORS headers (op's default reflects any origin
// with credentials allowed).
func corsOptions() *cors.Options {
	return &cors.Options{
		AllowOriginVaryRequestFunc: func(r *http.Request, _ string) (bool, []string) {
			return r.URL.Path == DiscoveryPath || r.URL.Path == KeysPath, nil
		},
		AllowedMethods:   []string{http.MethodGet, http.MethodHead},
		AllowCredentials: false,
	}
}
