package models

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Catalog bounds.
const (
	DefaultCatalogLimit = 24
	MaxCatalogLimit     = 100
	MaxCatalogQueryLen  = 200 // characters of a search query
	// MaxDevelopmentItems bounds the development section: it lists the apps
	// deployed to the viewer's own organizations, a handful in practice.
	MaxDevelopmentItems = 50
)

// CatalogFilter selects marketplace apps. Query is web-search syntax
// (websearch_to_tsquery: words, "quoted phrases", or, -not); Category one of
// AppCategories; Cursor a NextCursor of an earlier page with the same Query.
type CatalogFilter struct {
	Query    string
	Category string
	Cursor   string
	Limit    int
}

// CatalogItem is one app as the marketplace lists it.
type CatalogItem struct {
	ID             uuid.UUID  `json:"id"`
	Slug           string     `json:"slug"`
	Title          string     `json:"title"`
	Description    string     `json:"description"`
	Category       string     `json:"category"`
	AvatarURL      string     `json:"avatar_url"`
	IsFree         bool       `json:"is_free"`
	MonthlyPrice   *string    `json:"monthly_price"`
	Features       StringList `json:"features"`
	IsFirstParty   bool       `json:"is_first_party"`
	Verified       bool       `json:"verified"`
	InstallCount   int64      `json:"install_count"` // active production installations
	CurrentVersion *string    `json:"current_version"`
	// Development marks an app the viewer sees because one of their
	// organizations has an active development deployment of it.
	Development bool      `json:"development"`
	CreatedAt   time.Time `json:"-"`
}

// CatalogPage is one page of the marketplace. Items are published apps: by
// relevance (ts_rank, then id) when searching, else newest first
// (created_at, id). Development lists, on the first page only, the apps the
// viewer's organizations have development deployments of, filtered alike.
type CatalogPage struct {
	Items       []CatalogItem `json:"items"`
	Development []CatalogItem `json:"development"`
	NextCursor  string        `json:"next_cursor,omitempty"`
}

// CatalogRelease is one production version of a listed app.
type CatalogRelease struct {
	Version      string           `json:"version"`
	Status       DeploymentStatus `json:"status"` // published or deprecated
	ReleaseNotes string           `json:"release_notes"`
	PublishedAt  *time.Time       `json:"published_at"`
}

// CatalogDeveloper is who makes a listed app.
type CatalogDeveloper struct {
	Slug  string `json:"slug"`
	Title string `json:"title"`
}

// CatalogListing is an app's full marketplace page.
type CatalogListing struct {
	CatalogItem
	// PublicationStatus is published, or unpublished for an app seen only
	// through a development deployment.
	PublicationStatus PublicationStatus `json:"publication_status"`
	Overview          string            `json:"overview"`
	ContentHowItWorks string            `json:"content_how_it_works"`
	ContentConfigure  string            `json:"content_configure"`
	ScreenshotURLs    StringList        `json:"screenshot_urls"`
	WebsiteURL        string            `json:"website_url"`
	DocsURL           string            `json:"docs_url"`
	SupportURL        string            `json:"support_url"`
	ContactURL        string            `json:"contact_url"`
	TermsURL          string            `json:"terms_url"`
	RequiredScopes    StringList        `json:"required_scopes"`
	// Connections are the display names of the connection definitions an
	// installer fills in; never their secrets or client settings.
	Connections []string         `json:"connections"`
	Releases    []CatalogRelease `json:"releases"` // newest first
	Developer   CatalogDeveloper `json:"developer"`
	// DevelopmentOrganizations are the viewer's organizations with an
	// active development deployment of the app.
	DevelopmentOrganizations []uuid.UUID `json:"development_organizations"`
}

// CatalogCursor is a keyset position. With a query it is the (rank, id) of
// the last item served, else its (created_at, id); the kind is encoded so a
// cursor from a search is refused without one and vice versa.
type CatalogCursor struct {
	Ranked    bool
	Rank      float32
	CreatedAt time.Time
	ID        uuid.UUID
}

// Encode renders the cursor opaque and URL-safe. The rank is written with
// the fewest digits that read back as the same float32, so the database's
// real compares equal to the one it served.
func (c CatalogCursor) Encode() string {
	var raw string
	if c.Ranked {
		raw = "r|" + strconv.FormatFloat(float64(c.Rank), 'g', -1, 32) + "|" + c.ID.String()
	} else {
		raw = "t|" + c.CreatedAt.UTC().Format(time.RFC3339Nano) + "|" + c.ID.String()
	}
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

var errBadCatalogCursor = Invalid("invalid_cursor", "The cursor is not valid; start again without one.",
	FieldError{Field: "cursor", Message: "not a cursor this server issued for this search"})

// DecodeCatalogCursor parses s, which must be of the kind ranked says; any
// other string is an invalid error ("invalid_cursor").
func DecodeCatalogCursor(s string, ranked bool) (CatalogCursor, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return CatalogCursor{}, errBadCatalogCursor
	}
	parts := strings.Split(string(raw), "|")
	if len(parts) != 3 {
		return CatalogCursor{}, errBadCatalogCursor
	}
	id, err := uuid.Parse(parts[2])
	if err != nil {
		return CatalogCursor{}, errBadCatalogCursor
	}
	c := CatalogCursor{Ranked: ranked, ID: id}
	switch {
	case ranked && parts[0] == "r":
		r, err := strconv.ParseFloat(parts[1], 32)
		if err != nil {
			return CatalogCursor{}, errBadCatalogCursor
		}
		c.Rank = float32(r)
	case !ranked && parts[0] == "t":
		if c.CreatedAt, err = time.Parse(time.RFC3339Nano, parts[1]); err != nil {
			return CatalogCursor{}, errBadCatalogCursor
		}
	default:
		return CatalogCursor{}, errBadCatalogCursor
	}
	return c, nil
}

// Normalize trims the filter and checks it: query length, category, limit
// (0 means DefaultCatalogLimit, larger than MaxCatalogLimit is cut down).
func (f CatalogFilter) Normalize() (CatalogFilter, error) {
	f.Query = strings.TrimSpace(f.Query)
	f.Category = strings.TrimSpace(f.Category)
	var errs []FieldError
	if !utf8.ValidString(f.Query) || utf8.RuneCountInString(f.Query) > MaxCatalogQueryLen {
		errs = append(errs, FieldError{Field: "q", Message: "at most " + strconv.Itoa(MaxCatalogQueryLen) + " characters"})
	}
	if f.Category != "" && !IsAppCategory(f.Category) {
		errs = append(errs, FieldError{Field: "category", Message: "not a category; see GET /api/v1/app-categories"})
	}
	if f.Limit < 0 {
		errs = append(errs, FieldError{Field: "limit", Message: "must be positive"})
	}
	if len(errs) > 0 {
		code := "invalid_catalog_filter"
		switch errs[0].Field {
		case "q":
			code = "query_too_long"
		case "category":
			code = "unknown_category"
		}
		return f, Invalid(code, "The marketplace search is not valid.", errs...)
	}
	if f.Limit == 0 {
		f.Limit = DefaultCatalogLimit
	}
	f.Limit = min(f.Limit, MaxCatalogLimit)
	return f, nil
}
