package models

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Listing bounds.
const (
	MaxAppTitleLen      = 100
	MaxAppURLLen        = 2048
	MaxAppScreenshots   = 10
	MaxAppFeatures      = 20
	MaxAppFeatureLen    = 200
	maxMonthlyPriceText = "9999999.99"
)

// AppListingUpdate changes the listing fields that are not nil. Strings are
// trimmed; "" clears a field (for MonthlyPrice: no price).
type AppListingUpdate struct {
	Title             *string   `json:"title"`
	Description       *string   `json:"description"`
	Category          *string   `json:"category"`
	AvatarURL         *string   `json:"avatar_url"`
	ScreenshotURLs    *[]string `json:"screenshot_urls"`
	WebsiteURL        *string   `json:"website_url"`
	DocsURL           *string   `json:"docs_url"`
	ContactURL        *string   `json:"contact_url"`
	SupportURL        *string   `json:"support_url"`
	TermsURL          *string   `json:"terms_url"`
	Overview          *string   `json:"overview"`
	ContentHowItWorks *string   `json:"content_how_it_works"`
	ContentConfigure  *string   `json:"content_configure"`
	AppURL            *string   `json:"app_url"`
	CallbackURL       *string   `json:"callback_url"`
	IsFree            *bool     `json:"is_free"`
	MonthlyPrice      *string   `json:"monthly_price"`
	Features          *[]string `json:"features"`
	RequiredScopes    *[]string `json:"required_scopes"`
}

// AppURLProblem says what is wrong with raw as a listing URL (an absolute
// http or https URL with a host, no credentials, at most MaxAppURLLen),
// or "" when nothing is.
func AppURLProblem(raw string) string {
	if len(raw) > MaxAppURLLen {
		return fmt.Sprintf("must be at most %d characters", MaxAppURLLen)
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "":
		return "must be an absolute URL such as https://example.com/page"
	case u.Scheme != "http" && u.Scheme != "https":
		return "must start with https:// or http://"
	case u.User != nil:
		return "must not contain a user name or password"
	}
	return ""
}

// callbackURLProblem says what is wrong with raw as the app's callback
// URL, or "" (also for no URL). It is the redirect URI of every
// installation's OAuth client, so the redirect-URI rules apply (DESIGN §5).
func callbackURLProblem(raw string, production bool) string {
	if raw == "" {
		return ""
	}
	p, _ := redirectURIProblem(raw, production)
	return p
}

var monthlyPrice = regexp.MustCompile(`^[0-9]{1,7}(\.[0-9]{1,2})?$`)

// Apply copies the fields of in that are set onto app, trimmed. It does not
// validate: the publication checks preview uses it on drafts.
func (in AppListingUpdate) Apply(app *App) {
	str := func(dst *string, src *string) {
		if src != nil {
			*dst = strings.TrimSpace(*src)
		}
	}
	list := func(dst *StringList, src *[]string) {
		if src != nil {
			out := StringList{}
			for _, s := range *src {
				if s = strings.TrimSpace(s); s != "" && !slices.Contains(out, s) {
					out = append(out, s)
				}
			}
			*dst = out
		}
	}
	str(&app.Title, in.Title)
	str(&app.Description, in.Description)
	str(&app.Category, in.Category)
	str(&app.AvatarURL, in.AvatarURL)
	list(&app.ScreenshotURLs, in.ScreenshotURLs)
	str(&app.WebsiteURL, in.WebsiteURL)
	str(&app.DocsURL, in.DocsURL)
	str(&app.ContactURL, in.ContactURL)
	str(&app.SupportURL, in.SupportURL)
	str(&app.TermsURL, in.TermsURL)
	str(&app.Overview, in.Overview)
	str(&app.ContentHowItWorks, in.ContentHowItWorks)
	str(&app.ContentConfigure, in.ContentConfigure)
	str(&app.AppURL, in.AppURL)
	str(&app.CallbackURL, in.CallbackURL)
	list(&app.Features, in.Features)
	list(&app.RequiredScopes, in.RequiredScopes)
	if in.IsFree != nil {
		app.IsFree = *in.IsFree
	}
	if in.MonthlyPrice != nil {
		if p := strings.TrimSpace(*in.MonthlyPrice); p == "" {
			app.MonthlyPrice = nil
		} else {
			p = canonicalPrice(p)
			app.MonthlyPrice = &p
		}
	}
}

// ListingProblems checks app, a listing after apply, field by field: the
// rules every saved listing keeps, drafts included. Publication needs more
// (PublishChecks); this only refuses what is wrong, not what is missing.
func ListingProblems(app *App, rules URLRules) []FieldError {
	var errs []FieldError
	bad := func(field, format string, args ...any) {
		errs = append(errs, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if n := utf8.RuneCountInString(app.Title); n == 0 || n > MaxAppTitleLen {
		bad("title", "must be 1 to %d characters", MaxAppTitleLen)
	}
	if app.Category != "" && !IsAppCategory(app.Category) {
		bad("category", "must be one of: %s", strings.Join(AppCategories, ", "))
	}
	for _, t := range []struct{ field, value string }{
		{"description", app.Description}, {"overview", app.Overview},
		{"content_how_it_works", app.ContentHowItWorks}, {"content_configure", app.ContentConfigure},
	} {
		if n := utf8.RuneCountInString(t.value); n > MaxListingTextLen {
			bad(t.field, "must be at most %d characters (it has %d)", MaxListingTextLen, n)
		}
	}
	for _, u := range []struct{ field, value string }{
		{"avatar_url", app.AvatarURL}, {"website_url", app.WebsiteURL}, {"docs_url", app.DocsURL},
		{"contact_url", app.ContactURL}, {"support_url", app.SupportURL}, {"terms_url", app.TermsURL},
		{"app_url", app.AppURL},
	} {
		if u.value != "" {
			if p := AppURLProblem(u.value); p != "" {
				bad(u.field, "%s", p)
			}
		}
	}
	if p := callbackURLProblem(app.CallbackURL, rules.Production); p != "" {
		bad("callback_url", "%s", p)
	}
	if len(app.ScreenshotURLs) > MaxAppScreenshots {
		bad("screenshot_urls", "at most %d screenshots", MaxAppScreenshots)
	}
	for i, s := range app.ScreenshotURLs {
		if p := AppURLProblem(s); p != "" {
			bad(fmt.Sprintf("screenshot_urls[%d]", i), "%s", p)
		}
	}
	if len(app.Features) > MaxAppFeatures {
		bad("features", "at most %d features (it has %d)", MaxAppFeatures, len(app.Features))
	}
	for i, f := range app.Features {
		if n := utf8.RuneCountInString(f); n > MaxAppFeatureLen {
			bad(fmt.Sprintf("features[%d]", i), "must be at most %d characters (it has %d)", MaxAppFeatureLen, n)
		}
	}
	for i, s := range app.RequiredScopes {
		if !IsAppScope(s) {
			bad(fmt.Sprintf("required_scopes[%d]", i), "%q is not a scope; choose from: %s", s, strings.Join(AppScopes, ", "))
		}
	}
	switch {
	case app.MonthlyPrice == nil:
	case app.IsFree:
		bad("monthly_price", "a free app has no price: remove the price or set is_free to false")
	case !monthlyPrice.MatchString(*app.MonthlyPrice):
		bad("monthly_price", "must be an amount from 0 to %s with at most two decimals, e.g. 29.99", maxMonthlyPriceText)
	}
	return errs
}

// canonicalPrice writes a well-formed price as PostgreSQL's numeric(9,2)
// renders it ("007.5" -> "7.50"), so an unchanged price compares equal to
// the stored one; anything else is returned as it is, for validation to refuse.
func canonicalPrice(p string) string {
	if !monthlyPrice.MatchString(p) {
		return p
	}
	whole, frac, _ := strings.Cut(p, ".")
	if whole = strings.TrimLeft(whole, "0"); whole == "" {
		whole = "0"
	}
	return whole + "." + (frac + "00")[:2]
}
