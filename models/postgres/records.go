package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"appstore/models"
)

// Records stores each organization's records area: contacts, tickets and
// call recordings. Every method is scoped by the organization id: a record
// of another organization is not found, and a contact of another
// organization cannot be linked (the foreign keys include the
// organization). Each change records record.created, record.updated or
// record.deleted in the same transaction.
type Records struct{ *core }

// recordTable is what the shared code below needs to know of one record
// type's table.
type recordTable struct {
	typ      models.RecordType
	table    string
	columns  string // every column but search_vector, which lists never need
	notFound error
}

// listKey is a record's position in a list: its id with its rank when
// searching, else its creation time.
type listKey struct {
	ID        uuid.UUID
	Rank      float32
	CreatedAt time.Time
}

// listRecords returns one page of organization orgID's records of table t
// matching f. key reads a record's id.
//
// It first finds the page's ids with a keyset query, then loads those
// rows. With a Query the ids are those whose search_vector matches
// websearch_to_tsquery('english', Query) (the GIN index t_search_idx),
// ordered by ts_rank descending, then id, and the cursor holds the last
// (rank, id); without one they are newest first (created_at, id
// descending, the index t_list_idx). Neither uses OFFSET.
//
// Errors: invalid ("query_too_long", "invalid_limit", "invalid_cursor").
func listRecords[T any](ctx context.Context, db *gorm.DB, t recordTable, orgID uuid.UUID, f models.RecordFilter, key func(*T) uuid.UUID) (*models.RecordPage[T], error) {
	f, err := f.Normalize()
	if err != nil {
		return nil, err
	}
	ranked := f.Query != ""
	var cur *models.CatalogCursor
	if f.Cursor != "" {
		// The catalog's cursor is exactly this keyset: (rank, id) or
		// (created_at, id), its kind encoded so the two never mix.
		c, err := models.DecodeCatalogCursor(f.Cursor, ranked)
		if err != nil {
			return nil, err
		}
		cur = &c
	}
	var sql strings.Builder
	var args []any
	if ranked {
		sql.WriteString(`WITH m AS (SELECT r.id, r.created_at, ts_rank(r.search_vector, q) AS rank
			FROM ` + t.table + ` r, websearch_to_tsquery('english', ?) q
			WHERE r.organization_id = ? AND r.search_vector @@ q) SELECT * FROM m`)
		args = append(args, f.Query, orgID)
		if cur != nil {
			r := fmt.Sprint(cur.Rank)
			sql.WriteString(` WHERE (m.rank < ?::real OR (m.rank = ?::real AND m.id > ?))`)
			args = append(args, r, r, cur.ID)
		}
		sql.WriteString(` ORDER BY m.rank DESC, m.id LIMIT ?`)
	} else {
		sql.WriteString(`SELECT id, created_at FROM ` + t.table + ` WHERE organization_id = ?`)
		args = append(args, orgID)
		if cur != nil {
			sql.WriteString(` AND (created_at, id) < (?, ?)`)
			args = append(args, cur.CreatedAt, cur.ID)
		}
		sql.WriteString(` ORDER BY created_at DESC, id DESC LIMIT ?`)
	}
	args = append(args, f.Limit+1)
	var keys []listKey
	if err := db.WithContext(ctx).Raw(sql.String(), args...).Scan(&keys).Error; err != nil {
		return nil, fmt.Errorf("store: list %s: %w", t.table, err)
	}
	page := &models.RecordPage[T]{Items: []T{}}
	if len(keys) > f.Limit {
		keys = keys[:f.Limit]
		last := keys[f.Limit-1]
		page.NextCursor = models.CatalogCursor{Ranked: ranked, Rank: last.Rank, CreatedAt: last.CreatedAt, ID: last.ID}.Encode()
	}
	if len(keys) == 0 {
		return page, nil
	}
	ids := make([]uuid.UUID, len(keys))
	for i, k := range keys {
		ids[i] = k.ID
	}
	var rows []T
	if err := db.WithContext(ctx).Raw(`SELECT `+t.columns+` FROM `+t.table+` WHERE organization_id = ? AND id IN ?`, orgID, ids).
		Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: list %s: %w", t.table, err)
	}
	byID := make(map[uuid.UUID]*T, len(rows))
	for i := range rows {
		byID[key(&rows[i])] = &rows[i]
	}
	for _, id := range ids {
		if r, ok := byID[id]; ok { // one deleted between the queries is skipped
			page.Items = append(page.Items, *r)
		}
	}
	return page, nil
}

// getRecord loads record id of organization orgID into dst, or returns t's
// not-found error.
func getRecord(ctx context.Context, db *gorm.DB, t recordTable, orgID, id uuid.UUID, dst any) error {
	return first(db.WithContext(ctx).Select(t.columns), dst, "get "+t.table, t.notFound, "organization_id = ? AND id = ?", orgID, id)
}

// createRecord inserts rec (whose id is id) into t for organization orgID
// and records record.created.
func createRecord(ctx context.Context, db *gorm.DB, t recordTable, orgID, id uuid.UUID, rec any) error {
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(rec).Error; err != nil {
			return contactProblem(err)
		}
		return appendEvent(ctx, tx, recordEvent(models.EventRecordCreated, t, orgID, id, nil))
	})
	return storeError("create "+t.table, err)
}

// updateRecord locks record id of organization orgID into dst, lets apply
// change it (apply returns the changed columns, or a domain error that
// changes nothing), and saves those columns with updated_at, recording
// record.updated. Nothing changed saves nothing and records nothing.
func updateRecord(ctx context.Context, db *gorm.DB, t recordTable, orgID, id uuid.UUID, dst any, apply func() ([]string, error)) error {
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		q := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Select(t.columns)
		if err := first(q, dst, "update "+t.table, t.notFound, "organization_id = ? AND id = ?", orgID, id); err != nil {
			return err
		}
		changed, err := apply()
		if err != nil || len(changed) == 0 {
			return err
		}
		if err := tx.Model(dst).Select(append(changed, "updated_at")).Updates(dst).Error; err != nil {
			return contactProblem(err)
		}
		return appendEvent(ctx, tx, recordEvent(models.EventRecordUpdated, t, orgID, id, changed))
	})
	return storeError("update "+t.table, err)
}

// deleteRecord deletes record id of organization orgID, recording
// record.deleted, or returns t's not-found error.
func deleteRecord(ctx context.Context, db *gorm.DB, t recordTable, orgID, id uuid.UUID) error {
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Exec(`DELETE FROM `+t.table+` WHERE organization_id = ? AND id = ?`, orgID, id)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return t.notFound
		}
		return appendEvent(ctx, tx, recordEvent(models.EventRecordDeleted, t, orgID, id, nil))
	})
	return storeError("delete "+t.table, err)
}

func recordEvent(typ models.EventType, t recordTable, orgID, id uuid.UUID, fields []string) models.Event {
	data := models.JSONMap{"record_type": string(t.typ), "record_id": id.String()}
	if fields != nil {
		data["fields"] = fields
	}
	return models.Event{Type: typ, OrganizationID: &orgID, Data: data}
}

// contactProblem turns a violated same-organization contact foreign key
// (tickets_contact_fk, call_recordings_contact_fk) into the field error
// the caller can fix.
func contactProblem(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23503" && strings.HasSuffix(pgErr.ConstraintName, "_contact_fk") {
		return models.ErrUnknownContact
	}
	return err
}
