package models

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

var (
	connectionKeyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{1,47}$`)
	fieldKeyPattern      = regexp.MustCompile(`^[a-z][a-z0-9_]{0,47}$`)
)

// ConnectionDefinitionInput is a new connection definition. Settings that
// do not belong to Type must be left empty. PKCE defaults to true and
// Refresh to refresh_token for oauth2 connections.
type ConnectionDefinitionInput struct {
	Key          string
	Type         ConnectionType
	DisplayName  string
	Description  string
	Required     bool
	DefaultValue string // api_key only
	Placeholder  string // api_key only
	AuthorizeURL string // oauth2 only, from here on
	TokenURL     string
	Scopes       []string
	PKCE         *bool
	Refresh      ConnectionRefresh
	ClientID     string
	ClientSecret string            // stored encrypted; never returned
	Fields       []ConnectionField // custom only
}

// ConnectionDefinitionUpdate changes the fields that are not nil. Key and
// Type cannot change (installed deployments and stored values refer to
// them): they are accepted only when equal to the current ones.
// ClientSecret "" removes the stored secret.
type ConnectionDefinitionUpdate struct {
	Key          *string
	Type         *ConnectionType
	DisplayName  *string
	Description  *string
	Required     *bool
	DefaultValue *string
	Placeholder  *string
	AuthorizeURL *string
	TokenURL     *string
	Scopes       *[]string
	PKCE         *bool
	Refresh      *ConnectionRefresh
	ClientID     *string
	ClientSecret *string
	Fields       *[]ConnectionField
}

// ConnectionSpec is a definition as submitted, before it is stored: the
// same rules check a create and the result of applying an update.
type ConnectionSpec struct {
	Definition ConnectionDefinition
	Secret     *string // a client secret to store (nil: unchanged, "": remove)
	hasSecret  bool    // a secret is stored already
}

// NewConnectionSpec builds the spec of a create.
func NewConnectionSpec(in ConnectionDefinitionInput) ConnectionSpec {
	sp := ConnectionSpec{Definition: ConnectionDefinition{
		Key: in.Key, Type: in.Type, DisplayName: in.DisplayName, Description: in.Description,
		Required: in.Required, DefaultValue: in.DefaultValue, Placeholder: in.Placeholder,
		AuthorizeURL: in.AuthorizeURL, TokenURL: in.TokenURL, Scopes: in.Scopes,
		Refresh: in.Refresh, ClientID: in.ClientID, Fields: in.Fields,
	}}
	if in.PKCE != nil {
		sp.Definition.PKCE = *in.PKCE
	} else if in.Type == ConnectionOAuth2 {
		sp.Definition.PKCE = true
	}
	if in.Type == ConnectionOAuth2 && in.Refresh == "" {
		sp.Definition.Refresh = ConnectionRefreshToken
	}
	if in.ClientSecret != "" {
		sp.Secret = &in.ClientSecret
	}
	return sp
}

// ApplyConnectionUpdate returns the spec of cur changed by in, or an invalid
// error ("connection_immutable") when in tries to change the key or the
// type.
func ApplyConnectionUpdate(cur *ConnectionDefinition, in ConnectionDefinitionUpdate) (ConnectionSpec, error) {
	var bad []FieldError
	if in.Key != nil && *in.Key != cur.Key {
		bad = append(bad, FieldError{Field: "key", Message: "cannot change; delete the connection and create a new one"})
	}
	if in.Type != nil && *in.Type != cur.Type {
		bad = append(bad, FieldError{Field: "type", Message: "cannot change; delete the connection and create a new one"})
	}
	if len(bad) > 0 {
		return ConnectionSpec{}, Invalid("connection_immutable", "The key and type of a connection cannot change: delete it and create a new one.", bad...)
	}
	d := *cur
	d.Scopes = slices.Clone(cur.Scopes)
	d.Fields = slices.Clone(cur.Fields)
	sp := ConnectionSpec{hasSecret: cur.HasClientSecret(), Secret: in.ClientSecret}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&d.DisplayName, in.DisplayName)
	set(&d.Description, in.Description)
	set(&d.DefaultValue, in.DefaultValue)
	set(&d.Placeholder, in.Placeholder)
	set(&d.AuthorizeURL, in.AuthorizeURL)
	set(&d.TokenURL, in.TokenURL)
	set(&d.ClientID, in.ClientID)
	if in.Required != nil {
		d.Required = *in.Required
	}
	if in.Scopes != nil {
		d.Scopes = *in.Scopes
	}
	if in.PKCE != nil {
		d.PKCE = *in.PKCE
	}
	if in.Refresh != nil {
		d.Refresh = *in.Refresh
	}
	if in.Fields != nil {
		d.Fields = *in.Fields
	}
	sp.Definition = d
	return sp, nil
}

// Validate normalises sp in place (trimming, deduplicating scopes) and
// returns one FieldError per broken rule, or nil.
func (sp *ConnectionSpec) Validate() []FieldError {
	d := &sp.Definition
	var errs []FieldError
	bad := func(field, format string, args ...any) {
		errs = append(errs, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if !connectionKeyPattern.MatchString(d.Key) {
		bad("key", "must be 2 to 48 characters: a lowercase letter, then lowercase letters, digits or _")
	}
	knownType := slices.Contains(ConnectionTypes, d.Type)
	if !knownType {
		bad("type", "must be api_key, oauth2 or custom")
	}
	d.DisplayName = strings.TrimSpace(d.DisplayName)
	if n := utf8.RuneCountInString(d.DisplayName); n == 0 || n > MaxConnectionNameLen {
		bad("display_name", "must be 1 to %d characters", MaxConnectionNameLen)
	}
	d.Description = strings.TrimSpace(d.Description)
	if utf8.RuneCountInString(d.Description) > MaxConnectionDescription {
		bad("description", "must be at most %d characters", MaxConnectionDescription)
	}
	if !knownType {
		return errs // the other rules depend on the type
	}

	d.DefaultValue = strings.TrimSpace(d.DefaultValue)
	d.Placeholder = strings.TrimSpace(d.Placeholder)
	if d.Type == ConnectionAPIKey {
		if utf8.RuneCountInString(d.DefaultValue) > MaxConnectionDefaultValue {
			bad("default_value", "must be at most %d characters", MaxConnectionDefaultValue)
		}
		if utf8.RuneCountInString(d.Placeholder) > MaxConnectionPlaceholder {
			bad("placeholder", "must be at most %d characters", MaxConnectionPlaceholder)
		}
	} else {
		onlyFor := "only api_key connections have one (custom fields carry their own placeholders)"
		if d.DefaultValue != "" {
			bad("default_value", "%s", onlyFor)
		}
		if d.Placeholder != "" {
			bad("placeholder", "%s", onlyFor)
		}
	}

	if d.Type == ConnectionOAuth2 {
		errs = append(errs, sp.validateOAuth2()...)
	} else {
		const onlyOAuth2 = "only oauth2 connections have one"
		if strings.TrimSpace(d.AuthorizeURL) != "" {
			bad("authorize_url", onlyOAuth2)
		}
		if strings.TrimSpace(d.TokenURL) != "" {
			bad("token_url", onlyOAuth2)
		}
		if len(d.Scopes) > 0 {
			bad("scopes", "only oauth2 connections have scopes")
		}
		if d.PKCE {
			bad("pkce", "only oauth2 connections use PKCE")
		}
		if d.Refresh != "" && d.Refresh != ConnectionRefreshNone {
			bad("refresh", "only oauth2 connections refresh tokens")
		}
		if strings.TrimSpace(d.ClientID) != "" {
			bad("client_id", onlyOAuth2)
		}
		if sp.Secret != nil && *sp.Secret != "" {
			bad("client_secret", onlyOAuth2)
		}
		d.AuthorizeURL, d.TokenURL, d.ClientID, d.Refresh, d.Scopes, d.PKCE = "", "", "", ConnectionRefreshNone, StringList{}, false
	}

	if d.Type == ConnectionCustom {
		errs = append(errs, validateConnectionFields(d.Fields)...)
	} else if len(d.Fields) > 0 {
		bad("fields", "only custom connections have fields")
	}
	if d.Fields == nil {
		d.Fields = ConnectionFields{}
	}
	return errs
}

// validateOAuth2 checks the oauth2 settings. URLs, client id and secret may
// be missing while the definition is a draft: PublishInfo reports them.
func (sp *ConnectionSpec) validateOAuth2() []FieldError {
	d := &sp.Definition
	var errs []FieldError
	d.AuthorizeURL = strings.TrimSpace(d.AuthorizeURL)
	if msg := providerURLProblem(d.AuthorizeURL); msg != "" {
		errs = append(errs, FieldError{Field: "authorize_url", Message: msg})
	}
	d.TokenURL = strings.TrimSpace(d.TokenURL)
	if msg := providerURLProblem(d.TokenURL); msg != "" {
		errs = append(errs, FieldError{Field: "token_url", Message: msg})
	}
	scopes, scopeErrs := validConnectionScopes(d.Scopes)
	d.Scopes = scopes
	errs = append(errs, scopeErrs...)
	if !slices.Contains(ConnectionRefreshes, d.Refresh) {
		errs = append(errs, FieldError{Field: "refresh", Message: "must be none, refresh_token or reauthorize"})
	}
	d.ClientID = strings.TrimSpace(d.ClientID)
	if len(d.ClientID) > MaxConnectionClientIDLen || strings.ContainsFunc(d.ClientID, isControl) {
		errs = append(errs, FieldError{Field: "client_id", Message: fmt.Sprintf("must be at most %d characters, without control characters", MaxConnectionClientIDLen)})
	}
	if sp.Secret != nil {
		s := strings.TrimSpace(*sp.Secret)
		sp.Secret = &s
		if len(s) > MaxConnectionSecretLen || strings.ContainsFunc(s, isControl) {
			errs = append(errs, FieldError{Field: "client_secret", Message: fmt.Sprintf("must be at most %d characters, without control characters", MaxConnectionSecretLen)})
		}
	}
	return errs
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// providerURLProblem accepts "" (not filled in yet) or an absolute https
// URL of a third-party OAuth provider, and says what is wrong otherwise.
func providerURLProblem(raw string) string {
	if raw == "" {
		return ""
	}
	if len(raw) > MaxConnectionURLLen {
		return fmt.Sprintf("must be at most %d characters", MaxConnectionURLLen)
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "":
		return "must be an absolute URL, e.g. https://provider.example/oauth/authorize"
	case u.Scheme != "https":
		return "must use https"
	case u.User != nil:
		return "must not contain a user name or password"
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return "must not contain a #fragment"
	case strings.Contains(u.Host, "*"):
		return "must not contain wildcards"
	}
	return ""
}

// validConnectionScopes checks each scope is an RFC 6749 scope token
// (printable ASCII without space, " or \) and drops duplicates, keeping
// the first occurrence's order.
func validConnectionScopes(in []string) (StringList, []FieldError) {
	var errs []FieldError
	if len(in) > MaxConnectionScopes {
		return StringList{}, []FieldError{{Field: "scopes", Message: fmt.Sprintf("at most %d scopes", MaxConnectionScopes)}}
	}
	out := StringList{}
	for i, s := range in {
		s = strings.TrimSpace(s)
		field := fmt.Sprintf("scopes[%d]", i)
		switch {
		case s == "":
			errs = append(errs, FieldError{Field: field, Message: "must not be empty"})
		case len(s) > MaxConnectionScopeLen:
			errs = append(errs, FieldError{Field: field, Message: fmt.Sprintf("must be at most %d characters", MaxConnectionScopeLen)})
		case strings.ContainsFunc(s, func(r rune) bool { return r <= 0x20 || r > 0x7e || r == '"' || r == '\\' }):
			errs = append(errs, FieldError{Field: field, Message: "must be printable ASCII without spaces, quotes or backslashes (one scope per item)"})
		case !slices.Contains(out, s):
			out = append(out, s)
		}
	}
	return out, errs
}

// validateConnectionFields checks a custom connection's fields in place.
func validateConnectionFields(fields ConnectionFields) []FieldError {
	if len(fields) == 0 || len(fields) > MaxConnectionFields {
		return []FieldError{{Field: "fields", Message: fmt.Sprintf("a custom connection needs 1 to %d fields", MaxConnectionFields)}}
	}
	var errs []FieldError
	seen := map[string]bool{}
	for i := range fields {
		f := &fields[i]
		at := fmt.Sprintf("fields[%d].", i)
		f.Key = strings.TrimSpace(f.Key)
		switch {
		case !fieldKeyPattern.MatchString(f.Key):
			errs = append(errs, FieldError{Field: at + "key", Message: "must be 1 to 48 characters: a lowercase letter, then lowercase letters, digits or _"})
		case seen[f.Key]:
			errs = append(errs, FieldError{Field: at + "key", Message: fmt.Sprintf("%q is used by another field", f.Key)})
		}
		seen[f.Key] = true
		f.Label = strings.TrimSpace(f.Label)
		if n := utf8.RuneCountInString(f.Label); n == 0 || n > MaxConnectionNameLen {
			errs = append(errs, FieldError{Field: at + "label", Message: fmt.Sprintf("must be 1 to %d characters", MaxConnectionNameLen)})
		}
		f.Placeholder = strings.TrimSpace(f.Placeholder)
		if utf8.RuneCountInString(f.Placeholder) > MaxConnectionPlaceholder {
			errs = append(errs, FieldError{Field: at + "placeholder", Message: fmt.Sprintf("must be at most %d characters", MaxConnectionPlaceholder)})
		}
	}
	return errs
}
