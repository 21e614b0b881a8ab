package postgres

import (
	"context"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// notifyPortalChange announces, on the portal_state channel, that the cached
// portal state of every current member of accountID, and of the users in
// extra (a member just removed is no longer in the table), is stale. It
// runs inside tx after the change: PostgreSQL delivers the notifications at
// commit, in commit order, and never for a rolled-back transaction, and it
// folds identical payloads of one transaction into one.
func notifyPortalChange(ctx context.Context, tx *gorm.DB, accountID uuid.UUID, extra ...uuid.UUID) error {
	return notifyMembersOf(ctx, tx, "developer_account_members", "developer_account_id", accountID, extra)
}

// notifyOrganizationChange is notifyPortalChange for an organization's
// members: the portal shows organization memberships too.
func notifyOrganizationChange(ctx context.Context, tx *gorm.DB, orgID uuid.UUID, extra ...uuid.UUID) error {
	return notifyMembersOf(ctx, tx, "organization_members", "organization_id", orgID, extra)
}

// notifyMembersOf notifies every member in table (column = id) plus extra.
// table and column are constants of this package, never input.
func notifyMembersOf(ctx context.Context, tx *gorm.DB, table, column string, id uuid.UUID, extra []uuid.UUID) error {
	ids := make([]string, len(extra))
	for i, id := range extra {
		ids[i] = id.String()
	}
	// The extra ids travel as one text[] parameter: GORM would expand a
	// slice into a list of parameters, and uuids need no quoting in an
	// array literal.
	return tx.WithContext(ctx).Exec(`SELECT pg_notify('portal_state', u.id::text)
		FROM (SELECT user_id AS id FROM `+table+` WHERE `+column+` = ?
		      UNION SELECT unnest(?::text[])::uuid) u`,
		id, "{"+strings.Join(ids, ",")+"}").Error
}
