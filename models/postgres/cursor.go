package postgres

import (
	"gorm.io/gorm"

	"appstore/models"
)

// keysetPage runs q newest first from cursor and returns at most limit rows
// and the cursor of the next page ("" on the last). q's table must have
// created_at and id columns; key reads them back from a row.
func keysetPage[T any](q *gorm.DB, cursor string, limit int, key func(*T) models.Cursor) ([]T, string, error) {
	if cursor != "" {
		c, err := models.DecodeCursor(cursor)
		if err != nil {
			return nil, "", err
		}
		q = q.Where("(created_at, id) < (?, ?)", c.CreatedAt, c.ID)
	}
	rows := []T{}
	if err := q.Order("created_at DESC, id DESC").Limit(limit + 1).Find(&rows).Error; err != nil {
		return nil, "", err
	}
	if len(rows) <= limit {
		return rows, "", nil
	}
	rows = rows[:limit]
	return rows, key(&rows[limit-1]).Encode(), nil
}
