package models_test

import (
	"log/slog"
	"testing"

	"github.com/google/uuid"

	"appstore/models"
)

func TestParseSessionGeneration(t *testing.T) {
	t.Parallel()
	id := uuid.New()
	for _, tt := range []struct {
		payload string
		gen     int
		ok      bool
	}{
		{id.String() + ":0", 0, true},
		{id.String() + ":3", 3, true},
		{id.String() + ":-1", 0, false},
		{id.String() + ":", 0, false},
		{id.String() + ":x", 0, false},
		{id.String(), 0, false},
		{"nope:3", 0, false},
		{":3", 0, false},
		{"", 0, false},
	} {
		gotID, gen, err := models.ParseSessionGeneration(tt.payload)
		if (err == nil) != tt.ok || (tt.ok && (gotID != id || gen != tt.gen)) {
			t.Errorf("ParseSessionGeneration(%q) = %s, %d, %v; want ok=%v gen %d", tt.payload, gotID, gen, err, tt.ok, tt.gen)
		}
	}
}

// The channel adapters call through for good payloads and skip bad ones.
func TestListenAdapters(t *testing.T) {
	t.Parallel()
	log := slog.New(slog.NewTextHandler(t.Output(), nil))
	id := uuid.New()

	var users []uuid.UUID
	onPortal := models.OnPortalChange(log, func(u uuid.UUID) { users = append(users, u) })
	onPortal("not a uuid")
	onPortal(id.String())
	if len(users) != 1 || users[0] != id {
		t.Fatalf("portal adapter called with %v, want [%s]", users, id)
	}

	type set struct {
		id  uuid.UUID
		gen int
	}
	var sets []set
	onGen := models.OnSessionGeneration(log, func(u uuid.UUID, gen int) { sets = append(sets, set{u, gen}) })
	onGen(id.String())
	onGen(id.String() + ":7")
	if len(sets) != 1 || sets[0] != (set{id, 7}) {
		t.Fatalf("session generation adapter called with %v, want [{%s 7}]", sets, id)
	}
}
