package oidcop

import (
	"net/http"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// discovery serves the OpenID Provider metadata of what works here. op's
// own document also lists what op can do with storage or routes we do not
// provide (device authorization, implicit and id_token responses, the
// jwt-bearer grant, private_key_jwt and public clients), and a client that
// believes it fails in confusing ways.
func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	d := op.CreateDiscoveryConfig(r.Context(), p.op, p.op.Storage())
	d.DeviceAuthorizationEndpoint, d.CheckSessionIframe = "", ""
	d.ResponseTypesSupported = []string{string(oidc.ResponseTypeCode)}
	d.ResponseModesSupported = []string{string(oidc.ResponseModeQuery)}
	d.GrantTypesSupported = supportedGrants
	secret := []oidc.AuthMethod{oidc.AuthMethodBasic, oidc.AuthMethodPost}
	d.TokenEndpointAuthMethodsSupported = secret
	d.RevocationEndpointAuthMethodsSupported = secret
	d.IntrospectionEndpointAuthMethodsSupported = []oidc.AuthMethod{oidc.AuthMethodBasic} // op reads no secret from the form there
	d.TokenEndpointAuthSigningAlgValuesSupported = nil
	d.RevocationEndpointAuthSigningAlgValuesSupported = nil
	d.IntrospectionEndpointAuthSigningAlgValuesSupported = nil
	d.RequestObjectSigningAlgValuesSupported = nil
	d.RequestParameterSupported, d.RequestURIParameterSupported = false, false
	op.Discover(w, d)
}
