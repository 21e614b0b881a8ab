package postgres

import (
	"context"
	"log/slog"

	"github.com/google/uuid"

	"appstore/models"
)

// PortalListenerApplicationName is the application_name of a portal
// listener's connection: that of every Listen connection.
const PortalListenerApplicationName = ListenerApplicationName

// ListenPortalChanges is Listen on PortalChannel alone: it calls onUser with
// the user id of every notification (malformed ones are logged and skipped)
// and onReset each time LISTEN has taken effect, until ctx ends; then it
// returns nil. An error is returned only for a databaseURL that cannot be
// parsed.
func ListenPortalChanges(ctx context.Context, databaseURL string, log *slog.Logger, onUser func(uuid.UUID), onReset func()) error {
	return Listen(ctx, databaseURL, log, map[string]func(string){models.PortalChannel: models.OnPortalChange(log, onUser)}, onReset)
}
