package models

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// CheckSeverity says whether a failed check blocks publication.
type CheckSeverity string

// Check severities.
const (
	CheckError   CheckSeverity = "error"   // blocks publication
	CheckWarning CheckSeverity = "warning" // recommended only
)

// PublishCheck is one thing publication needs that the app lacks.
type PublishCheck struct {
	Code     string        `json:"code"`
	Field    string        `json:"field"`
	Message  string        `json:"message"`
	Severity CheckSeverity `json:"severity"`
}

// PublishOAuth is what the checks need of an app's OAuth client.
type PublishOAuth struct {
	Enabled       bool
	EntrypointURL string
	Scopes        []string
	RedirectURIs  []string
}

// PublishConnection is what the checks need of a connection definition.
type PublishConnection struct {
	Key, Type string
	Problems  []string // empty when the definition is complete
}

// Length bounds of the listing texts that publication needs, in characters.
const (
	MinListingTextLen = 100
	MaxListingTextLen = 3000
)

// listingTexts are the texts publication needs, in the order they are checked.
var listingTexts = []struct{ field, name string }{
	{"description", "The description"},
	{"overview", "The overview"},
	{"content_how_it_works", "“How it works”"},
	{"content_configure", "“Configure”"},
}

// listingURLs are the URLs publication needs.
var listingURLs = []struct{ field, name string }{
	{"website_url", "website"},
	{"docs_url", "documentation"},
	{"contact_url", "contact"},
	{"terms_url", "terms of service"},
}

// PublishChecks lists what app (with its OAuth client, nil when it has
// none, and its connection definitions) lacks for publication. It is the
// one set of rules: the API shows it, and every transition to published
// enforces it. production selects the redirect-URI rules for the callback
// URL. An empty list means nothing is missing.
func PublishChecks(app *App, oauth *PublishOAuth, conns []PublishConnection, production bool) []PublishCheck {
	checks := []PublishCheck{}
	fail := func(code, field, msg string) {
		checks = append(checks, PublishCheck{Code: code, Field: field, Message: msg, Severity: CheckError})
	}
	switch {
	case strings.TrimSpace(app.Category) == "":
		fail("category_missing", "category", "Choose a category.")
	case !IsAppCategory(app.Category):
		fail("category_invalid", "category", fmt.Sprintf("%q is not a category; choose one from the list.", app.Category))
	}
	texts := map[string]string{
		"description": app.Description, "overview": app.Overview,
		"content_how_it_works": app.ContentHowItWorks, "content_configure": app.ContentConfigure,
	}
	for _, t := range listingTexts {
		n := utf8.RuneCountInString(strings.TrimSpace(texts[t.field]))
		switch {
		case n == 0:
			fail(t.field+"_missing", t.field, fmt.Sprintf("%s is missing: write %d to %d characters.", t.name, MinListingTextLen, MaxListingTextLen))
		case n < MinListingTextLen || n > MaxListingTextLen:
			fail(t.field+"_length", t.field, fmt.Sprintf("%s has %d characters; it needs %d to %d.", t.name, n, MinListingTextLen, MaxListingTextLen))
		}
	}
	urls := map[string]string{
		"website_url": app.WebsiteURL, "docs_url": app.DocsURL, "contact_url": app.ContactURL, "terms_url": app.TermsURL,
	}
	for _, u := range listingURLs {
		raw := strings.TrimSpace(urls[u.field])
		switch {
		case raw == "":
			fail(u.field+"_missing", u.field, fmt.Sprintf("Add the %s URL.", u.name))
		case AppURLProblem(raw) != "":
			fail(u.field+"_invalid", u.field, fmt.Sprintf("The %s URL %s.", u.name, AppURLProblem(raw)))
		}
	}
	// A listing saved before the callback URL followed the redirect-URI
	// rules may still hold one that breaks them: it must not be published
	// (and the provider refuses to send codes to it).
	if p := callbackURLProblem(strings.TrimSpace(app.CallbackURL), production); p != "" {
		fail("callback_url_invalid", "callback_url", "The callback URL "+p+".")
	}
	if oauth != nil && oauth.Enabled {
		if strings.TrimSpace(oauth.EntrypointURL) == "" {
			fail("oauth_entrypoint_missing", "oauth.entrypoint_url", "OAuth is enabled: set the entrypoint URL where sign-in starts.")
		}
		if len(oauth.Scopes) == 0 {
			fail("oauth_scopes_missing", "oauth.scopes", "OAuth is enabled: choose at least one scope.")
		}
		if len(oauth.RedirectURIs) == 0 {
			fail("oauth_redirect_uris_missing", "oauth.redirect_uris", "OAuth is enabled: add at least one redirect URI.")
		}
	}
	for _, c := range conns {
		if c.Type == "oauth2" && len(c.Problems) > 0 {
			fail("connection_incomplete", "connections."+c.Key,
				fmt.Sprintf("The OAuth2 connection %q is incomplete: %s.", c.Key, strings.Join(c.Problems, "; ")))
		}
	}
	if len(app.ScreenshotURLs) == 0 {
		checks = append(checks, PublishCheck{Code: "screenshots_recommended", Field: "screenshot_urls",
			Message: "Add screenshots: listings with pictures are installed more often.", Severity: CheckWarning})
	}
	return checks
}

// Blocking reports whether any check is an error.
func Blocking(checks []PublishCheck) bool {
	for _, c := range checks {
		if c.Severity == CheckError {
			return true
		}
	}
	return false
}
