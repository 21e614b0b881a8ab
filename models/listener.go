package models

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/google/uuid"
)

// OnPortalChange adapts onUser to Listen for PortalChannel: it calls onUser
// with the user id of each notification and logs (and skips) malformed ones.
func OnPortalChange(log *slog.Logger, onUser func(uuid.UUID)) func(payload string) {
	if log == nil {
		log = slog.Default()
	}
	return func(payload string) {
		id, err := uuid.Parse(payload)
		if err != nil {
			log.Warn("listener: ignoring malformed payload", "channel", PortalChannel, "payload", payload)
			return
		}
		onUser(id)
	}
}

// OnSessionGeneration adapts set to Listen for SessionGenerationChannel: it
// calls set with the user id and generation of each notification and logs
// (and skips) malformed ones.
func OnSessionGeneration(log *slog.Logger, set func(userID uuid.UUID, generation int)) func(payload string) {
	if log == nil {
		log = slog.Default()
	}
	return func(payload string) {
		id, gen, err := ParseSessionGeneration(payload)
		if err != nil {
			log.Warn("listener: ignoring malformed payload", "channel", SessionGenerationChannel, "payload", payload)
			return
		}
		set(id, gen)
	}
}

// ParseSessionGeneration parses a SessionGenerationChannel payload,
// "<user id>:<generation>" with a generation of 0 or more.
func ParseSessionGeneration(payload string) (uuid.UUID, int, error) {
	rawID, rawGen, ok := strings.Cut(payload, ":")
	if !ok {
		return uuid.Nil, 0, fmt.Errorf("session generation payload %q: want <user id>:<generation>", payload)
	}
	id, err := uuid.Parse(rawID)
	if err != nil {
		return uuid.Nil, 0, fmt.Errorf("session generation payload %q: %w", payload, err)
	}
	gen, err := strconv.Atoi(rawGen)
	if err != nil || gen < 0 {
		return uuid.Nil, 0, fmt.Errorf("session generation payload %q: bad generation", payload)
	}
	return id, gen, nil
}
