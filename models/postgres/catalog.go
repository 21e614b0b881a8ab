package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"appstore/models"
)

// Catalog reads the marketplace catalog.
type Catalog struct{ *core }

// catalogColumns are the apps columns a CatalogItem is read from.
const catalogColumns = `a.id, a.slug, a.title, a.description, a.category, a.avatar_url, a.is_free,
	a.monthly_price, a.features, a.is_first_party, a.verified, a.created_at`

// catalogRow is a CatalogItem as scanned, with the rank of a search.
type catalogRow struct {
	models.CatalogItem
	Rank float32
}

// developmentVisible is the condition "the viewer (the argument) is a
// member of an organization with an active development deployment of app
// a": development deployments are shown to their target organization only.
const developmentVisible = `EXISTS (SELECT 1 FROM app_deployments d
	JOIN organization_members om ON om.organization_id = d.target_organization_id
	WHERE d.app_id = a.id AND d.type = 'development' AND d.status = 'active' AND om.user_id = ?)`

// ListMarketplaceApps returns one page of published apps matching f, and,
// on the first page for a signed-in viewer, the development section.
//
// With a Query the apps are those whose search_vector (title A, description
// B, features C) matches websearch_to_tsquery('english', Query), found
// through the GIN index apps_search_idx, ordered by ts_rank descending,
// then id; the cursor holds the last (rank, id). Without one they are
// ordered newest first (created_at, id descending), which the partial
// index apps_catalog_idx serves per category. Neither ever uses OFFSET.
//
// Errors: invalid ("query_too_long", "unknown_category",
// "invalid_catalog_filter", "invalid_cursor").
func (s *Catalog) ListMarketplaceApps(ctx context.Context, viewer *uuid.UUID, f models.CatalogFilter) (*models.CatalogPage, error) {
	f, err := f.Normalize()
	if err != nil {
		return nil, err
	}
	ranked := f.Query != ""
	var cur *models.CatalogCursor
	if f.Cursor != "" {
		c, err := models.DecodeCatalogCursor(f.Cursor, ranked)
		if err != nil {
			return nil, err
		}
		cur = &c
	}
	var sql strings.Builder
	var args []any
	if ranked {
		// The CTE computes the tsquery once; the match is index-backed
		// (bitmap scan on apps_search_idx), the rank computed per match.
		sql.WriteString(`WITH m AS (SELECT ` + catalogColumns + `, ts_rank(a.search_vector, q) AS rank
			FROM apps a, websearch_to_tsquery('english', ?) q
			WHERE a.search_vector @@ q AND a.publication_status = 'published'`)
		args = append(args, f.Query)
		if f.Category != "" {
			sql.WriteString(` AND a.category = ?`)
			args = append(args, f.Category)
		}
		sql.WriteString(`) SELECT * FROM m`)
		if cur != nil {
			sql.WriteString(` WHERE (m.rank < ?::real OR (m.rank = ?::real AND m.id > ?))`)
			r := fmt.Sprint(cur.Rank)
			args = append(args, r, r, cur.ID)
		}
		sql.WriteString(` ORDER BY m.rank DESC, m.id LIMIT ?`)
	} else {
		sql.WriteString(`SELECT ` + catalogColumns + ` FROM apps a WHERE a.publication_status = 'published'`)
		if f.Category != "" {
			sql.WriteString(` AND a.category = ?`)
			args = append(args, f.Category)
		}
		if cur != nil {
			sql.WriteString(` AND (a.created_at, a.id) < (?, ?)`)
			args = append(args, cur.CreatedAt, cur.ID)
		}
		sql.WriteString(` ORDER BY a.created_at DESC, a.id DESC LIMIT ?`)
	}
	args = append(args, f.Limit+1)
	var rows []catalogRow
	if err := s.db.WithContext(ctx).Raw(sql.String(), args...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list marketplace apps: %w", err)
	}
	page := &models.CatalogPage{Items: []models.CatalogItem{}, Development: []models.CatalogItem{}}
	if len(rows) > f.Limit {
		rows = rows[:f.Limit]
		last := rows[f.Limit-1]
		page.NextCursor = models.CatalogCursor{Ranked: ranked, Rank: last.Rank, CreatedAt: last.CreatedAt, ID: last.ID}.Encode()
	}
	for _, r := range rows {
		page.Items = append(page.Items, r.CatalogItem)
	}
	if viewer != nil && cur == nil {
		if page.Development, err = s.developmentItems(ctx, *viewer, f); err != nil {
			return nil, err
		}
	}
	if err := s.decorateCatalog(ctx, page.Items, page.Development); err != nil {
		return nil, err
	}
	return page, nil
}

// developmentItems lists the unsuspended apps the viewer sees through
// development deployments to their organizations, matching f's query and
// category, by title.
func (s *Catalog) developmentItems(ctx context.Context, viewer uuid.UUID, f models.CatalogFilter) ([]models.CatalogItem, error) {
	sql := `SELECT ` + catalogColumns + ` FROM apps a WHERE a.publication_status <> 'suspended' AND ` + developmentVisible
	args := []any{viewer}
	if f.Query != "" {
		sql += ` AND a.search_vector @@ websearch_to_tsquery('english', ?)`
		args = append(args, f.Query)
	}
	if f.Category != "" {
		sql += ` AND a.category = ?`
		args = append(args, f.Category)
	}
	sql += ` ORDER BY a.title, a.id LIMIT ?`
	args = append(args, models.MaxDevelopmentItems)
	items := []models.CatalogItem{}
	if err := s.db.WithContext(ctx).Raw(sql, args...).Scan(&items).Error; err != nil {
		return nil, fmt.Errorf("store: development catalog: %w", err)
	}
	for i := range items {
		items[i].Development = true
	}
	return items, nil
}

// decorateCatalog fills install counts and current versions, with one
// query each for all the items of a page.
func (s *Catalog) decorateCatalog(ctx context.Context, lists ...[]models.CatalogItem) error {
	var ids []uuid.UUID
	for _, l := range lists {
		for _, it := range l {
			ids = append(ids, it.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var counts []struct {
		AppID uuid.UUID
		N     int64
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT app_id, count(*) AS n FROM app_installations
		WHERE app_id IN ? AND type = 'production' AND status = 'active' GROUP BY app_id`, ids).Scan(&counts).Error; err != nil {
		return fmt.Errorf("store: install counts: %w", err)
	}
	var versions []struct {
		AppID   uuid.UUID
		Version string
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT DISTINCT ON (app_id) app_id, version FROM app_deployments
		WHERE app_id IN ? AND type = 'production' AND status = 'published'
		ORDER BY app_id, published_at DESC NULLS LAST, created_at DESC`, ids).Scan(&versions).Error; err != nil {
		return fmt.Errorf("store: current versions: %w", err)
	}
	n := map[uuid.UUID]int64{}
	for _, c := range counts {
		n[c.AppID] = c.N
	}
	v := map[uuid.UUID]string{}
	for _, x := range versions {
		v[x.AppID] = x.Version
	}
	for _, l := range lists {
		for i := range l {
			l[i].InstallCount = n[l[i].ID]
			if ver, ok := v[l[i].ID]; ok {
				l[i].CurrentVersion = &ver
			}
		}
	}
	return nil
}

// GetMarketplaceApp returns the marketplace page of the app with slug. A
// published app is visible to everyone; an unpublished one only to members
// of an organization with an active development deployment of it
// (Development set); a suspended one to nobody. Anything else is a
// not-found error ("app_not_found"), so listings that are not public do
// not leak.
func (s *Catalog) GetMarketplaceApp(ctx context.Context, slug string, viewer *uuid.UUID) (*models.CatalogListing, error) {
	db := s.db.WithContext(ctx)
	var apps []models.App
	if err := db.Where("slug = ?", strings.ToLower(strings.TrimSpace(slug))).Limit(1).Find(&apps).Error; err != nil {
		return nil, fmt.Errorf("store: marketplace app: %w", err)
	}
	if len(apps) == 0 || apps[0].PublicationStatus == models.AppSuspended {
		return nil, models.ErrAppNotFound
	}
	a := &apps[0]
	devOrgs := []uuid.UUID{}
	if viewer != nil {
		if err := db.Raw(`SELECT DISTINCT d.target_organization_id FROM app_deployments d
			JOIN organization_members om ON om.organization_id = d.target_organization_id
			WHERE d.app_id = ? AND d.type = 'development' AND d.status = 'active' AND om.user_id = ?
			ORDER BY 1`, a.ID, *viewer).Scan(&devOrgs).Error; err != nil {
			return nil, fmt.Errorf("store: marketplace app: %w", err)
		}
	}
	if a.PublicationStatus != models.AppPublished && len(devOrgs) == 0 {
		return nil, models.ErrAppNotFound
	}
	l := &models.CatalogListing{
		CatalogItem: models.CatalogItem{ID: a.ID, Slug: a.Slug, Title: a.Title, Description: a.Description, Category: a.Category,
			AvatarURL: a.AvatarURL, IsFree: a.IsFree, MonthlyPrice: a.MonthlyPrice, Features: a.Features,
			IsFirstParty: a.IsFirstParty, Verified: a.Verified, Development: len(devOrgs) > 0, CreatedAt: a.CreatedAt},
		PublicationStatus: a.PublicationStatus, Overview: a.Overview, ContentHowItWorks: a.ContentHowItWorks, ContentConfigure: a.ContentConfigure,
		ScreenshotURLs: a.ScreenshotURLs, WebsiteURL: a.WebsiteURL, DocsURL: a.DocsURL, SupportURL: a.SupportURL,
		ContactURL: a.ContactURL, TermsURL: a.TermsURL, RequiredScopes: a.RequiredScopes,
		Connections: []string{}, Releases: []models.CatalogRelease{}, DevelopmentOrganizations: devOrgs,
	}
	items := []models.CatalogItem{l.CatalogItem}
	if err := s.decorateCatalog(ctx, items); err != nil {
		return nil, err
	}
	l.InstallCount, l.CurrentVersion = items[0].InstallCount, items[0].CurrentVersion
	if err := db.Raw(`SELECT COALESCE(NULLIF(display_name, ''), key) FROM connection_definitions
		WHERE app_id = ? ORDER BY created_at, id`, a.ID).Scan(&l.Connections).Error; err != nil {
		return nil, fmt.Errorf("store: marketplace connections: %w", err)
	}
	if err := db.Raw(`SELECT version, status, release_notes, published_at FROM app_deployments
		WHERE app_id = ? AND type = 'production' AND status IN ('published', 'deprecated')
		ORDER BY published_at DESC NULLS LAST, created_at DESC, id DESC`, a.ID).Scan(&l.Releases).Error; err != nil {
		return nil, fmt.Errorf("store: marketplace releases: %w", err)
	}
	if err := db.Raw(`SELECT slug, title FROM developer_accounts WHERE id = ?`, a.DeveloperAccountID).Scan(&l.Developer).Error; err != nil {
		return nil, fmt.Errorf("store: marketplace developer: %w", err)
	}
	return l, nil
}
