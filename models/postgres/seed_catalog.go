package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"appstore/models"
)

// CatalogURLs are where the seeded catalog apps live. ExampleAppURL is the
// example third-party app (EXAMPLE_APP_URL); the CRM app is that app.
type CatalogURLs struct {
	ExampleAppURL string
}

// CatalogSeedResult says what SeedCatalog created. WebhookSecret is the CRM
// app's webhook signing secret when this run made it ("" otherwise): it is
// shown once, and `appstore seed` hands it to the example app.
type CatalogSeedResult struct {
	Created       []string
	WebhookSecret string
}

// First-party catalog seed: the developer account, the organization its
// development deployments target, and the apps of seed 002.
const (
	CatalogAccountSlug = "appstore-labs"
	catalogAccountName = "Appstore Labs"
	catalogQAOrgName   = "Appstore Labs QA"
	catalogAdminEmail  = "staff@appstore.test"
	catalogReviewEmail = "reviewer@appstore.test"
	// CatalogWebhookApp is the app whose webhooks the example app receives.
	CatalogWebhookApp = "crm"
)

// catalogApp is one seeded listing; paths are under ExampleAppURL.
type catalogApp struct {
	slug, title, category, price    string // price "" means free
	description, overview, how, cfg string
	features, scopes                []string
	appPath, webhookPath            string // webhookPath "": no webhook
	orgSettings, userSettings       map[string]any
}

// catalogApps are the four apps of seed 002, first party and verified.
var catalogApps = []catalogApp{
	{slug: "customer-service", title: "Customer Service", category: "customer-support", price: "29.99",
		description: "A shared inbox for support teams: every email, chat and form message becomes a ticket your whole organization can assign, answer and track to resolution.",
		overview:    "Customer Service gives your organization one place to answer customers. Messages from email, the chat widget and web forms arrive as tickets with the customer's history beside them.",
		how:         "Install the app for your organization and every member can open it with their platform login. Tickets are assigned to teams, SLAs are tracked, and canned replies keep answers consistent.",
		cfg:         "Set the support email address and business hours in the organization settings. Each agent can choose their notification preference in their own user settings after the first sign-in.",
		features:    []string{"Shared inbox", "Ticket assignment", "SLA tracking", "Canned replies", "Customer history"},
		scopes:      []string{"tickets:read", "tickets:write", "contacts:read", "users:read"},
		appPath:     "/apps/customer-service/",
		orgSettings: map[string]any{
			"support_email":  map[string]any{"type": "string", "title": "Support email address", "format": "email"},
			"business_hours": map[string]any{"type": "string", "title": "Business hours", "default": "Mon-Fri 9:00-17:00"},
		},
		userSettings: map[string]any{
			"notify": map[string]any{"type": "string", "title": "Notify me", "enum": []any{"every ticket", "assigned only", "never"}, "default": "assigned only"},
		}},
	{slug: "bot", title: "Bot", category: "autonomous", price: "",
		description: "An autonomous assistant that answers common customer questions around the clock from your knowledge base and hands the conversation to a person when it is unsure.",
		overview:    "Bot answers the questions your customers ask every day, instantly and in their language, using the articles your organization already wrote. It knows when to hand over to a human agent.",
		how:         "Bot reads your knowledge base, matches each incoming question to the best answer and replies in the chat widget. Conversations it cannot resolve become tickets with the transcript attached.",
		cfg:         "Choose the greeting and the confidence threshold below which Bot hands over in the organization settings. Agents can turn the transcript summaries on or off in their user settings.",
		features:    []string{"Knowledge base answers", "Human handover", "Multilingual replies", "Conversation transcripts"},
		scopes:      []string{"tickets:write", "contacts:read"},
		appPath:     "/apps/bot/",
		orgSettings: map[string]any{
			"greeting":   map[string]any{"type": "string", "title": "Greeting", "default": "Hi! How can I help?"},
			"confidence": map[string]any{"type": "number", "title": "Hand over below confidence", "minimum": 0, "maximum": 1, "default": 0.6},
		},
		userSettings: map[string]any{
			"summaries": map[string]any{"type": "boolean", "title": "Show transcript summaries", "default": true},
		}},
	{slug: CatalogWebhookApp, title: "CRM", category: "sales", price: "49.00",
		description: "A customer relationship manager for sales teams: contacts, companies and deals in one pipeline, synced with your organization's members and their single sign-on.",
		overview:    "CRM keeps every contact, company and deal of your organization in one pipeline. It signs your members in with the platform, so there are no extra passwords and access follows the organization.",
		how:         "When your organization installs CRM, the platform creates its OAuth client and sends the credentials to CRM by a signed webhook. Members open the app and are signed in through single sign-on.",
		cfg:         "Pick the pipeline stages and the default currency in the organization settings. Each salesperson can set the view they land on in their user settings; admins decide who has access.",
		features:    []string{"Deal pipeline", "Contacts and companies", "Single sign-on", "Activity timeline", "Sales forecasts"},
		scopes:      []string{"contacts:read", "contacts:write", "organization:read", "users:read"},
		appPath:     "/", webhookPath: "/webhooks",
		orgSettings: map[string]any{
			"currency": map[string]any{"type": "string", "title": "Default currency", "enum": []any{"EUR", "USD", "GBP"}, "default": "EUR"},
			"stages":   map[string]any{"type": "string", "title": "Pipeline stages (comma separated)", "default": "Lead, Qualified, Proposal, Won, Lost"},
		},
		userSettings: map[string]any{
			"landing": map[string]any{"type": "string", "title": "Start on", "enum": []any{"pipeline", "contacts", "tasks"}, "default": "pipeline"},
		}},
	{slug: "analytics", title: "Analytics", category: "analytics", price: "",
		description: "Dashboards for your organization's support and sales numbers: ticket volume, response times, conversion and revenue, refreshed hourly from the apps you have installed.",
		overview:    "Analytics turns the activity of your installed apps into dashboards anyone in the organization can read: how fast tickets are answered, how deals convert, and where the trend is heading.",
		how:         "Analytics receives events from your organization's apps and aggregates them every hour. Dashboards are shared with the whole organization; exports go to CSV for deeper analysis.",
		cfg:         "Choose the reporting time zone and the first day of the week in the organization settings. Each member can pick their default dashboard in their user settings.",
		features:    []string{"Support dashboards", "Sales dashboards", "Hourly refresh", "CSV export"},
		scopes:      []string{"tickets:read", "contacts:read", "organization:read"},
		appPath:     "/apps/analytics/",
		orgSettings: map[string]any{
			"timezone":   map[string]any{"type": "string", "title": "Reporting time zone", "default": "UTC"},
			"week_start": map[string]any{"type": "string", "title": "First day of the week", "enum": []any{"monday", "sunday"}, "default": "monday"},
		},
		userSettings: map[string]any{
			"dashboard": map[string]any{"type": "string", "title": "Default dashboard", "enum": []any{"support", "sales"}, "default": "support"},
		}},
}

// SeedCatalog creates the first-party catalog of seed 002 if it is
// missing: the developer account appstore-labs (administered by the demo
// staff user), the organization "Appstore Labs QA" its development
// deployments target, and the four apps, each with a complete listing,
// first-party and verified flags, a production deployment promoted from a
// development one and moved through review to published (the store's
// transitions, recorded like a reviewer's), and a published listing. It
// needs SeedDemo's users. It is idempotent: every step looks at what is
// there first, and a second run changes nothing (except the app URLs when
// urls changed).
func (s *Store) SeedCatalog(ctx context.Context, urls CatalogURLs) (*CatalogSeedResult, error) {
	// Demo data for appstore dev: the example app it points at runs on this
	// machine, over http, as development rules allow.
	s = s.withURLRules(models.DevelopmentURLRules())
	base := strings.TrimSuffix(strings.TrimSpace(urls.ExampleAppURL), "/")
	if p := models.AppURLProblem(base); p != "" {
		return nil, fmt.Errorf("seed catalog: the example app URL %s", p)
	}
	res := &CatalogSeedResult{}
	admin, err := s.GetUserByEmail(ctx, catalogAdminEmail)
	if err != nil {
		return nil, fmt.Errorf("seed catalog: %s (run the demo seed first): %w", catalogAdminEmail, err)
	}
	reviewer, err := s.GetUserByEmail(ctx, catalogReviewEmail)
	if err != nil {
		return nil, fmt.Errorf("seed catalog: %s: %w", catalogReviewEmail, err)
	}
	var acct models.DeveloperAccount
	if err := s.db.WithContext(ctx).Where("slug = ?", CatalogAccountSlug).Limit(1).Find(&acct).Error; err != nil {
		return nil, fmt.Errorf("seed catalog: %w", err)
	}
	if acct.ID == uuid.Nil {
		a, err := s.CreateDeveloperAccount(ctx, CatalogAccountSlug, catalogAccountName, admin.ID)
		if err != nil {
			return nil, fmt.Errorf("seed catalog: %w", err)
		}
		acct = *a
		res.Created = append(res.Created, "developer account "+CatalogAccountSlug)
	}
	qa, created, err := s.seedOrganization(ctx, catalogQAOrgName, admin.ID)
	if err != nil {
		return nil, err
	}
	if created {
		res.Created = append(res.Created, "organization "+catalogQAOrgName)
	}
	for _, spec := range catalogApps {
		secret, made, err := s.seedCatalogApp(ctx, acct.ID, qa, reviewer.ID, base, spec)
		if err != nil {
			return nil, fmt.Errorf("seed catalog app %s: %w", spec.slug, err)
		}
		res.Created = append(res.Created, made...)
		if spec.slug == CatalogWebhookApp && secret != "" {
			res.WebhookSecret = secret
		}
	}
	return res, nil
}

// seedCatalogApp brings one app to published, skipping what is done. It
// returns the webhook secret if it made one, and what it created.
func (s *Store) seedCatalogApp(ctx context.Context, acct, qa, reviewer uuid.UUID, base string, spec catalogApp) (string, []string, error) {
	var made []string
	var app models.App
	if err := s.db.WithContext(ctx).Where("slug = ?", spec.slug).Limit(1).Find(&app).Error; err != nil {
		return "", nil, err
	}
	if app.ID == uuid.Nil {
		a, err := s.CreateApp(ctx, acct, spec.slug, spec.title)
		if err != nil {
			return "", nil, err
		}
		app = *a
		made = append(made, "app "+spec.slug)
	} else if app.DeveloperAccountID != acct {
		return "", nil, errors.New("the slug belongs to another developer account")
	}
	site := "https://appstore-labs.example.com/" + spec.slug
	appURL := base + spec.appPath
	callback := strings.TrimSuffix(appURL, "/") + "/callback"
	price := spec.price
	isFree := price == ""
	shots := []string{site + "/screenshots/1.png", site + "/screenshots/2.png"}
	upd := models.AppListingUpdate{Description: &spec.description, Category: &spec.category, Overview: &spec.overview,
		ContentHowItWorks: &spec.how, ContentConfigure: &spec.cfg, WebsiteURL: &site, DocsURL: ptr(site + "/docs"),
		ContactURL: ptr(site + "/contact"), SupportURL: ptr(site + "/support"), TermsURL: ptr(site + "/terms"),
		ScreenshotURLs: &shots, AppURL: &appURL, CallbackURL: &callback, IsFree: &isFree, MonthlyPrice: &price,
		Features: &spec.features, RequiredScopes: &spec.scopes}
	if _, err := s.UpdateAppListing(ctx, app.ID, upd); err != nil {
		return "", nil, err
	}
	yes := true
	if _, err := s.SetAppStaffFlags(ctx, app.ID, models.AppStaffFlags{Verified: &yes, IsFirstParty: &yes}); err != nil {
		return "", nil, err
	}
	var secret string
	if spec.webhookPath != "" {
		var err error
		if _, secret, err = s.SetAppWebhookURL(ctx, app.ID, base+spec.webhookPath); err != nil {
			return "", nil, err
		}
	}
	published, err := s.seedPublishedDeployment(ctx, app.ID, qa, reviewer, spec)
	if err != nil {
		return "", nil, err
	}
	if published {
		made = append(made, "published deployment of "+spec.slug)
	}
	if err := s.db.WithContext(ctx).First(&app, "id = ?", app.ID).Error; err != nil {
		return "", nil, err
	}
	if app.PublicationStatus == models.AppUnpublished {
		if _, err := s.SetAppPublicationStatus(ctx, app.ID, models.AppPublished); err != nil {
			return "", nil, err
		}
		made = append(made, "listing "+spec.slug+" published")
	}
	return secret, made, nil
}

// seedPublishedDeployment makes sure the app has a published production
// deployment: a development deployment to the QA organization (no bundles,
// the spec's settings), promoted, then submitted, claimed and approved by
// the demo reviewer and published, each move recorded by
// ApplyReviewTransition as the Promotion workflow would. It reports
// whether it published one.
func (s *Store) seedPublishedDeployment(ctx context.Context, appID, qa, reviewer uuid.UUID, spec catalogApp) (bool, error) {
	db := s.db.WithContext(ctx)
	var n int64
	if err := db.Model(&models.Deployment{}).Where("app_id = ? AND type = ? AND status = ?", appID, models.DeploymentProduction, models.DeploymentPublished).
		Count(&n).Error; err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	var dev models.Deployment
	if err := db.Where("app_id = ? AND type = ? AND target_organization_id = ? AND status = ?", appID, models.DeploymentDevelopment, qa, models.DeploymentActive).
		Limit(1).Find(&dev).Error; err != nil {
		return false, err
	}
	if dev.ID == uuid.Nil {
		schema := models.DefaultSettingsSchema()
		props := schema["properties"].(map[string]any)
		props["organization"] = map[string]any{"type": "object", "properties": spec.orgSettings}
		props["user"] = map[string]any{"type": "object", "properties": spec.userSettings}
		d, _, err := s.CreateDevelopmentDeployment(ctx, appID, models.DevelopmentDeploymentInput{TargetOrganizationID: qa,
			SettingsSchema: schema, Metadata: models.DeploymentMetadata{Message: "catalog seed"}})
		if err != nil {
			return false, err
		}
		dev = *d
	}
	prod, err := s.PromoteDeployment(ctx, dev.ID, "First release of "+spec.title+".")
	if err != nil {
		return false, err
	}
	moves := []models.ReviewAction{models.ReviewSubmit, models.ReviewClaim, models.ReviewApprove, models.ReviewPublish}
	for seq := prod.ReviewSeq + 1; seq <= len(moves); seq++ {
		t := models.ReviewTransition{DeploymentID: prod.ID, Seq: seq, Action: moves[seq-1]}
		if t.Action != models.ReviewSubmit {
			t.ActorID = &reviewer
		}
		if _, err := s.ApplyReviewTransition(ctx, t); err != nil {
			return false, err
		}
	}
	return true, nil
}

func ptr[T any](v T) *T { return &v }
