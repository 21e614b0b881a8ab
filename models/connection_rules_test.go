package models_test

import (
	"slices"
	"strings"
	"testing"

	"appstore/models"
	"appstore/models/modeltest"
)

func connBool(v bool) *bool { return &v }

// fieldsOf returns the sorted field names of errs.
func errorFields(errs []models.FieldError) []string {
	out := []string{}
	for _, e := range errs {
		out = append(out, e.Field)
	}
	slices.Sort(out)
	return out
}

type connectionRuleCase struct {
	name string
	in   models.ConnectionDefinitionInput
	want []string // fields with errors, sorted; empty = valid
}

func runConnectionRules(t *testing.T, cases []connectionRuleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, errs := models.CheckConnectionInput(tc.in)
			want := tc.want
			if want == nil {
				want = []string{}
			}
			if got := errorFields(errs); !slices.Equal(got, want) {
				t.Fatalf("errors on %v, want %v (%+v)", got, want, errs)
			}
			for _, e := range errs {
				if e.Message == "" {
					t.Fatalf("field %s has no message", e.Field)
				}
			}
		})
	}
}

func TestConnectionCommonRules(t *testing.T) {
	runConnectionRules(t, []connectionRuleCase{
		{"minimal api key", modeltest.APIKeyInput(nil), nil},
		{"key of 2", modeltest.APIKeyInput(func(in *models.ConnectionDefinitionInput) { in.Key = "ab" }), nil},
		{"key of 48", modeltest.APIKeyInput(func(in *models.ConnectionDefinitionInput) { in.Key = "a" + strings.Repeat("b", 47) }), nil},
		{"key of 1", modeltest.APIKeyInput(func(in *models.ConnectionDefinitionInput) { in.Key = "a" }), []string{"key"}},
		{"key of 49", modeltest.APIKeyInput(func(in *models.ConnectionDefinitionInput) { in.Key = "a" + strings.Repeat("b", 48) }), []string{"key"}},
		{"key with digit first", modeltest.APIKeyInput(func(in *models.ConnectionDefinitionInput) { in.Key = "1mail" }), []string{"key"}},
		{"key with uppercase", modeltest.APIKeyInput(func(in *models.ConnectionDefinitionInput) { in.Key = "Mail" }), []string{"key"}},
		{"key with dash", modeltest.APIKeyInput(func(in *models.ConnectionDefinitionInput) { in.Key = "my-mail" }), []string{"key"}},
		{"key with underscore and digits", modeltest.APIKeyInput(func(in *models.ConnectionDefinitionInput) { in.Key = "mail_v2" }), nil},
		{"empty key", modeltest.APIKeyInput(func(in *models.ConnectionDefinitionInput) { in.Key = "" }), []string{"key"}},
		{"unknown type", modeltest.APIKeyInput(func(in *models.ConnectionDefinitionInput) { in.Type = "basic"; in.AuthorizeURL = "x" }), []string{"type"}},
		{"empty display name", modeltest.APIKeyInput(func(in *models.ConnectionDefinitionInput) { in.DisplayName = "  " }), []string{"display_name"}},
		{"display name of 100", modeltest.APIKeyInput(func(in *models.ConnectionDefinitionInput) { in.DisplayName = strings.Repeat("é", 100) }), nil},
		{"display name of 101", modeltest.APIKeyInput(func(in *models.ConnectionDefinitionInput) { in.DisplayName = strings.Repeat("é", 101) }), []string{"display_name"}},
		{"description of 1000", modeltest.APIKeyInput(func(in *models.ConnectionDefinitionInput) { in.Description = strings.Repeat("d", 1000) }), nil},
		{"description of 1001", modeltest.APIKeyInput(func(in *models.ConnectionDefinitionInput) { in.Description = strings.Repeat("d", 1001) }), []string{"description"}},
		{"every error at once", models.ConnectionDefinitionInput{Key: "X", Type: models.ConnectionAPIKey, Description: strings.Repeat("d", 1001)},
			[]string{"description", "display_name", "key"}},
	})
}

func TestConnectionAPIKeyRules(t *testing.T) {
	runConnectionRules(t, []connectionRuleCase{
		{"default and placeholder", modeltest.APIKeyInput(func(in *models.ConnectionDefinitionInput) { in.DefaultValue = "demo"; in.Placeholder = "sk_live_…" }), nil},
		{"placeholder of 201", modeltest.APIKeyInput(func(in *models.ConnectionDefinitionInput) { in.Placeholder = strings.Repeat("p", 201) }), []string{"placeholder"}},
		{"default of 1001", modeltest.APIKeyInput(func(in *models.ConnectionDefinitionInput) { in.DefaultValue = strings.Repeat("v", 1001) }), []string{"default_value"}},
		{"oauth2 settings", modeltest.APIKeyInput(func(in *models.ConnectionDefinitionInput) {
			in.AuthorizeURL, in.TokenURL, in.Scopes, in.PKCE = "https://a.example", "https://a.example", []string{"x"}, connBool(true)
			in.Refresh, in.ClientID, in.ClientSecret = models.ConnectionRefreshToken, "id", "secret"
		}), []string{"authorize_url", "client_id", "client_secret", "pkce", "refresh", "scopes", "token_url"}},
		{"pkce false and refresh none are fine", modeltest.APIKeyInput(func(in *models.ConnectionDefinitionInput) {
			in.PKCE, in.Refresh = connBool(false), models.ConnectionRefreshNone
		}), nil},
		{"fields", modeltest.APIKeyInput(func(in *models.ConnectionDefinitionInput) {
			in.Fields = []models.ConnectionField{{Key: "a", Label: "A"}}
		}), []string{"fields"}},
	})
	d, _ := models.CheckConnectionInput(modeltest.APIKeyInput(nil))
	if d.PKCE || d.Refresh != models.ConnectionRefreshNone || d.Scopes == nil || d.Fields == nil {
		t.Fatalf("api key normalised to %+v, want no pkce, refresh none, empty lists", d)
	}
}

func TestConnectionOAuth2Rules(t *testing.T) {
	runConnectionRules(t, []connectionRuleCase{
		{"complete", modeltest.OAuth2Input(nil), nil},
		{"draft without urls, client id or secret", modeltest.OAuth2Input(func(in *models.ConnectionDefinitionInput) {
			in.AuthorizeURL, in.TokenURL, in.ClientID, in.ClientSecret, in.Scopes = "", "", "", "", nil
		}), nil},
		{"http authorize url", modeltest.OAuth2Input(func(in *models.ConnectionDefinitionInput) {
			in.AuthorizeURL = "http://github.com/login/oauth/authorize"
		}), []string{"authorize_url"}},
		{"http localhost token url", modeltest.OAuth2Input(func(in *models.ConnectionDefinitionInput) { in.TokenURL = "http://localhost:8080/token" }), []string{"token_url"}},
		{"relative url", modeltest.OAuth2Input(func(in *models.ConnectionDefinitionInput) { in.AuthorizeURL = "/oauth/authorize" }), []string{"authorize_url"}},
		{"no scheme", modeltest.OAuth2Input(func(in *models.ConnectionDefinitionInput) { in.AuthorizeURL = "github.com/login" }), []string{"authorize_url"}},
		{"userinfo", modeltest.OAuth2Input(func(in *models.ConnectionDefinitionInput) { in.TokenURL = "https://user:pw@github.com/token" }), []string{"token_url"}},
		{"fragment", modeltest.OAuth2Input(func(in *models.ConnectionDefinitionInput) { in.AuthorizeURL = "https://github.com/authorize#x" }), []string{"authorize_url"}},
		{"wildcard host", modeltest.OAuth2Input(func(in *models.ConnectionDefinitionInput) { in.AuthorizeURL = "https://*.github.com/authorize" }), []string{"authorize_url"}},
		{"javascript", modeltest.OAuth2Input(func(in *models.ConnectionDefinitionInput) { in.AuthorizeURL = "javascript:alert(1)" }), []string{"authorize_url"}},
		{"query kept", modeltest.OAuth2Input(func(in *models.ConnectionDefinitionInput) {
			in.AuthorizeURL = "https://p.example/authorize?audience=api"
		}), nil},
		{"url of 2049", modeltest.OAuth2Input(func(in *models.ConnectionDefinitionInput) {
			in.TokenURL = "https://p.example/" + strings.Repeat("t", 2031)
		}), []string{"token_url"}},
		{"empty scope", modeltest.OAuth2Input(func(in *models.ConnectionDefinitionInput) { in.Scopes = []string{"repo", " "} }), []string{"scopes[1]"}},
		{"scope with space", modeltest.OAuth2Input(func(in *models.ConnectionDefinitionInput) { in.Scopes = []string{"repo user"} }), []string{"scopes[0]"}},
		{"scope with quote", modeltest.OAuth2Input(func(in *models.ConnectionDefinitionInput) { in.Scopes = []string{`a"b`} }), []string{"scopes[0]"}},
		{"scope of 201", modeltest.OAuth2Input(func(in *models.ConnectionDefinitionInput) { in.Scopes = []string{strings.Repeat("s", 201)} }), []string{"scopes[0]"}},
		{"url scopes", modeltest.OAuth2Input(func(in *models.ConnectionDefinitionInput) {
			in.Scopes = []string{"https://www.googleapis.com/auth/gmail.send", "openid"}
		}), nil},
		{"51 scopes", modeltest.OAuth2Input(func(in *models.ConnectionDefinitionInput) {
			in.Scopes = nil
			for i := range 51 {
				in.Scopes = append(in.Scopes, "s"+strings.Repeat("x", i))
			}
		}), []string{"scopes"}},
		{"unknown refresh", modeltest.OAuth2Input(func(in *models.ConnectionDefinitionInput) { in.Refresh = "sometimes" }), []string{"refresh"}},
		{"reauthorize", modeltest.OAuth2Input(func(in *models.ConnectionDefinitionInput) { in.Refresh = models.ConnectionRefreshReauthorize }), nil},
		{"client id of 501", modeltest.OAuth2Input(func(in *models.ConnectionDefinitionInput) { in.ClientID = strings.Repeat("c", 501) }), []string{"client_id"}},
		{"client secret with newline inside", modeltest.OAuth2Input(func(in *models.ConnectionDefinitionInput) { in.ClientSecret = "a\nb" }), []string{"client_secret"}},
		{"client secret of 2001", modeltest.OAuth2Input(func(in *models.ConnectionDefinitionInput) { in.ClientSecret = strings.Repeat("s", 2001) }), []string{"client_secret"}},
		{"api key settings", modeltest.OAuth2Input(func(in *models.ConnectionDefinitionInput) { in.DefaultValue, in.Placeholder = "x", "y" }), []string{"default_value", "placeholder"}},
		{"fields", modeltest.OAuth2Input(func(in *models.ConnectionDefinitionInput) {
			in.Fields = []models.ConnectionField{{Key: "a", Label: "A"}}
		}), []string{"fields"}},
	})

	d, _ := models.CheckConnectionInput(modeltest.OAuth2Input(func(in *models.ConnectionDefinitionInput) {
		in.Scopes = []string{" repo ", "read:user", "repo"}
		in.AuthorizeURL = "  https://github.com/login/oauth/authorize "
	}))
	if !slices.Equal(d.Scopes, models.StringList{"repo", "read:user"}) {
		t.Errorf("scopes normalised to %q, want trimmed and deduplicated", d.Scopes)
	}
	if d.AuthorizeURL != "https://github.com/login/oauth/authorize" {
		t.Errorf("authorize URL not trimmed: %q", d.AuthorizeURL)
	}
	if !d.PKCE || d.Refresh != models.ConnectionRefreshToken {
		t.Errorf("oauth2 defaults: pkce %v refresh %q, want true and refresh_token", d.PKCE, d.Refresh)
	}
	d, _ = models.CheckConnectionInput(modeltest.OAuth2Input(func(in *models.ConnectionDefinitionInput) { in.PKCE = connBool(false) }))
	if d.PKCE {
		t.Error("explicit pkce false ignored")
	}
}

func TestConnectionCustomRules(t *testing.T) {
	field := func(key, label string) models.ConnectionField { return models.ConnectionField{Key: key, Label: label} }
	fields := func(n int) []models.ConnectionField {
		out := make([]models.ConnectionField, n)
		for i := range out {
			out[i] = field("f"+strings.Repeat("x", i), "Field")
		}
		return out
	}
	runConnectionRules(t, []connectionRuleCase{
		{"two fields", modeltest.CustomInput(nil), nil},
		{"no fields", modeltest.CustomInput(func(in *models.ConnectionDefinitionInput) { in.Fields = nil }), []string{"fields"}},
		{"20 fields", modeltest.CustomInput(func(in *models.ConnectionDefinitionInput) { in.Fields = fields(20) }), nil},
		{"21 fields", modeltest.CustomInput(func(in *models.ConnectionDefinitionInput) { in.Fields = fields(21) }), []string{"fields"}},
		{"one-letter field key", modeltest.CustomInput(func(in *models.ConnectionDefinitionInput) { in.Fields = []models.ConnectionField{field("h", "Host")} }), nil},
		{"duplicate field key", modeltest.CustomInput(func(in *models.ConnectionDefinitionInput) {
			in.Fields = []models.ConnectionField{field("host", "Host"), field("port", "Port"), field("host", "Host again")}
		}), []string{"fields[2].key"}},
		{"bad field key", modeltest.CustomInput(func(in *models.ConnectionDefinitionInput) {
			in.Fields = []models.ConnectionField{field("Host", "Host")}
		}), []string{"fields[0].key"}},
		{"empty label", modeltest.CustomInput(func(in *models.ConnectionDefinitionInput) { in.Fields = []models.ConnectionField{field("host", " ")} }), []string{"fields[0].label"}},
		{"label of 101", modeltest.CustomInput(func(in *models.ConnectionDefinitionInput) {
			in.Fields = []models.ConnectionField{field("host", strings.Repeat("l", 101))}
		}), []string{"fields[0].label"}},
		{"placeholder of 201", modeltest.CustomInput(func(in *models.ConnectionDefinitionInput) {
			in.Fields = []models.ConnectionField{{Key: "host", Label: "Host", Placeholder: strings.Repeat("p", 201)}}
		}), []string{"fields[0].placeholder"}},
		{"oauth2 settings", modeltest.CustomInput(func(in *models.ConnectionDefinitionInput) { in.ClientID, in.Scopes = "id", []string{"a"} }), []string{"client_id", "scopes"}},
		{"api key settings", modeltest.CustomInput(func(in *models.ConnectionDefinitionInput) { in.Placeholder = "p" }), []string{"placeholder"}},
	})
}

func TestConnectionPublishInfo(t *testing.T) {
	complete := models.ConnectionDefinition{Key: "github", Type: models.ConnectionOAuth2, AuthorizeURL: "https://a", TokenURL: "https://t",
		ClientID: "id", ClientSecretEncrypted: []byte{1, 2, 3}}
	cases := []struct {
		name string
		mod  func(*models.ConnectionDefinition)
		want []string
	}{
		{"complete", func(*models.ConnectionDefinition) {}, nil},
		{"no authorize url", func(d *models.ConnectionDefinition) { d.AuthorizeURL = "" }, []string{"authorize URL missing"}},
		{"no token url", func(d *models.ConnectionDefinition) { d.TokenURL = "" }, []string{"token URL missing"}},
		{"no client id", func(d *models.ConnectionDefinition) { d.ClientID = "" }, []string{"client ID missing"}},
		{"no secret", func(d *models.ConnectionDefinition) { d.ClientSecretEncrypted = nil }, []string{"client secret missing"}},
		{"nothing", func(d *models.ConnectionDefinition) {
			d.AuthorizeURL, d.TokenURL, d.ClientID, d.ClientSecretEncrypted = "", "", "", nil
		}, []string{"authorize URL missing", "token URL missing", "client ID missing", "client secret missing"}},
		{"api key is complete", func(d *models.ConnectionDefinition) {
			*d = models.ConnectionDefinition{Key: "k", Type: models.ConnectionAPIKey}
		}, nil},
		{"custom is complete", func(d *models.ConnectionDefinition) {
			*d = models.ConnectionDefinition{Key: "k", Type: models.ConnectionCustom}
		}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := complete
			tc.mod(&d)
			info := d.PublishInfo()
			if info.Key != d.Key || info.Type != string(d.Type) || !slices.Equal(info.Problems, tc.want) {
				t.Fatalf("PublishInfo = %+v, want problems %q", info, tc.want)
			}
		})
	}
}
