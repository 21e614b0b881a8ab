package models

import (
	"slices"
	"time"

	"github.com/google/uuid"
)

// PublicationStatus is whether an app is in the marketplace (DESIGN §4).
type PublicationStatus string

// Publication statuses.
const (
	AppUnpublished PublicationStatus = "unpublished"
	AppPublished   PublicationStatus = "published"
	AppSuspended   PublicationStatus = "suspended" // taken down by platform staff
)

// AppCategories is the fixed list of marketplace categories, served by
// GET /api/v1/app-categories.
var AppCategories = []string{
	"analytics", "autonomous", "billing", "calling", "customer-support", "communication",
	"forms-survey", "product-management", "sales", "marketing", "developer-tools", "productivity",
}

// AppScopes is the catalogue of scopes an app may ask an organization for,
// served by GET /api/v1/app-scopes. OAuth clients draw their scopes from it too.
var AppScopes = []string{
	"contacts:read", "contacts:write", "tickets:read", "tickets:write", "users:read",
	"organization:read", "webhooks:receive", "openid", "profile", "email",
}

// IsAppCategory reports whether c is in AppCategories.
func IsAppCategory(c string) bool { return slices.Contains(AppCategories, c) }

// IsAppScope reports whether s is in AppScopes.
func IsAppScope(s string) bool { return slices.Contains(AppScopes, s) }

// App is a developer account's catalog entry. Empty strings are fields not
// filled in yet; PublishChecks says which ones publication needs.
type App struct {
	ID                 uuid.UUID         `gorm:"type:uuid;primaryKey" json:"id"`
	DeveloperAccountID uuid.UUID         `gorm:"type:uuid" json:"developer_account_id"`
	Slug               string            `json:"slug"`
	Title              string            `json:"title"`
	Description        string            `json:"description"`
	Category           string            `json:"category"`
	AvatarURL          string            `json:"avatar_url"`
	ScreenshotURLs     StringList        `gorm:"type:jsonb" json:"screenshot_urls"`
	WebsiteURL         string            `json:"website_url"`
	DocsURL            string            `json:"docs_url"`
	ContactURL         string            `json:"contact_url"`
	SupportURL         string            `json:"support_url"`
	TermsURL           string            `json:"terms_url"`
	Overview           string            `json:"overview"`
	ContentHowItWorks  string            `json:"content_how_it_works"`
	ContentConfigure   string            `json:"content_configure"`
	HasOAuth           bool              `gorm:"column:has_oauth" json:"has_oauth"`
	HasBundle          bool              `json:"has_bundle"`
	PublicationStatus  PublicationStatus `json:"publication_status"`
	ReviewStatus       string            `json:"review_status"`
	Verified           bool              `json:"verified"`
	IsFirstParty       bool              `json:"is_first_party"`
	AppURL             string            `json:"app_url"`
	CallbackURL        string            `json:"callback_url"`
	WebhookURL         string            `json:"webhook_url"`
	// The webhook signing secret, encrypted (the platform signs with it);
	// only when it was made is ever served.
	WebhookSecretCiphertext []byte     `json:"-"`
	WebhookSecretCreatedAt  *time.Time `json:"webhook_secret_created_at"`
	IsFree                  bool       `json:"is_free"`
	MonthlyPrice            *string    `gorm:"type:numeric" json:"monthly_price"` // decimal, e.g. "29.99"; nil when free
	Features                StringList `gorm:"type:jsonb" json:"features"`
	RequiredScopes          StringList `gorm:"type:jsonb" json:"required_scopes"`
	CreatedAt               time.Time  `json:"created_at"`
	UpdatedAt               time.Time  `json:"updated_at"`
}

// AppPage is one page of apps, newest first, and the cursor of the next.
type AppPage struct {
	Apps       []App  `json:"apps"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// App page sizes.
const (
	DefaultAppLimit = 50
	MaxAppLimit     = 200
)

// StringList is a jsonb array of strings. A nil list is stored and served as [].
type StringList = JSONList[string]

// ErrAppNotFound is the answer for an app that does not exist or that the
// caller may not see.
var ErrAppNotFound = &Error{Kind: KindNotFound, Code: "app_not_found", Message: "No such app."}

// ChangedListingFields names the listing fields that differ between a and b.
func ChangedListingFields(a, b *App) []string {
	var out []string
	eq := func(field string, same bool) {
		if !same {
			out = append(out, field)
		}
	}
	eqPrice := func(x, y *string) bool { return (x == nil && y == nil) || (x != nil && y != nil && *x == *y) }
	eq("title", a.Title == b.Title)
	eq("description", a.Description == b.Description)
	eq("category", a.Category == b.Category)
	eq("avatar_url", a.AvatarURL == b.AvatarURL)
	eq("screenshot_urls", slices.Equal(a.ScreenshotURLs, b.ScreenshotURLs))
	eq("website_url", a.WebsiteURL == b.WebsiteURL)
	eq("docs_url", a.DocsURL == b.DocsURL)
	eq("contact_url", a.ContactURL == b.ContactURL)
	eq("support_url", a.SupportURL == b.SupportURL)
	eq("terms_url", a.TermsURL == b.TermsURL)
	eq("overview", a.Overview == b.Overview)
	eq("content_how_it_works", a.ContentHowItWorks == b.ContentHowItWorks)
	eq("content_configure", a.ContentConfigure == b.ContentConfigure)
	eq("app_url", a.AppURL == b.AppURL)
	eq("callback_url", a.CallbackURL == b.CallbackURL)
	eq("is_free", a.IsFree == b.IsFree)
	eq("monthly_price", eqPrice(a.MonthlyPrice, b.MonthlyPrice))
	eq("features", slices.Equal(a.Features, b.Features))
	eq("required_scopes", slices.Equal(a.RequiredScopes, b.RequiredScopes))
	return out
}
