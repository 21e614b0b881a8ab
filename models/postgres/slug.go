package postgres

import (
	"appstore/models"
	"context"
	"fmt"
)

// Messages for the reasons that need the database.
const (
	slugReservedMessage = "This name is reserved; choose another."
	slugTakenMessage    = "This slug is already taken; choose another."
)

// slugTables are the tables whose slugs checkSlug may look up.
var slugTables = map[string]bool{"apps": true, "developer_accounts": true}

// checkSlug normalises raw and says whether a row of table (apps or
// developer_accounts) could take it now: the slug rules, not reserved,
// unique in table. Creating the row checks again; the unique index is the
// final word. It returns an error only when the database fails.
func (c *core) checkSlug(ctx context.Context, raw, table string) (*models.SlugCheck, error) {
	if !slugTables[table] {
		return nil, fmt.Errorf("store: check slug: unknown table %q", table)
	}
	slug := models.NormalizeSlug(raw)
	if reason, msg := models.SlugProblem(raw, slug); reason != "" {
		return &models.SlugCheck{Slug: slug, Reason: reason, Message: msg}, nil
	}
	var found struct{ Reserved, Taken bool }
	err := c.db.WithContext(ctx).Raw(`SELECT
		EXISTS (SELECT 1 FROM reserved_slugs WHERE slug = @s) AS reserved,
		EXISTS (SELECT 1 FROM `+table+` WHERE slug = @s) AS taken`,
		map[string]any{"s": slug}).Scan(&found).Error
	if err != nil {
		return nil, fmt.Errorf("store: check %s slug: %w", table, err)
	}
	switch {
	case found.Reserved:
		return &models.SlugCheck{Slug: slug, Reason: models.SlugReserved, Message: slugReservedMessage}, nil
	case found.Taken:
		return &models.SlugCheck{Slug: slug, Reason: models.SlugTaken, Message: slugTakenMessage}, nil
	}
	return &models.SlugCheck{Slug: slug, Available: true}, nil
}
