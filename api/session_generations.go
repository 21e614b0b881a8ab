package api

import (
	"context"
	"fmt"
	"sync"

	"github.com/google/uuid"
)

// SessionGenerations is every user's current session generation, held in
// memory so that the auth middleware can refuse sessions issued before a
// password reset without a database query. A password reset raises the
// user's generation in the database and announces it on
// models.SessionGenerationChannel; a listener in every process feeds those
// announcements to Set and calls Reload whenever its LISTEN (re)starts,
// since announcements sent while it was not listening are lost.
//
// Users absent from the set are generation 0, so only users who ever reset
// their password take memory. A nil *SessionGenerations is valid: every user
// is generation 0 and Set and Reload do nothing.
type SessionGenerations struct {
	load func(ctx context.Context) (map[uuid.UUID]int, error)
	// gens maps uuid.UUID to int. A sync.Map because it is read on every
	// authenticated request and written about never: its reads take no
	// lock and allocate nothing.
	gens sync.Map
}

// NewSessionGenerations returns an empty set that Reload fills from load,
// which returns every user whose generation is above 0 (the store's
// SessionGenerations).
func NewSessionGenerations(load func(ctx context.Context) (map[uuid.UUID]int, error)) *SessionGenerations {
	return &SessionGenerations{load: load}
}

// Current returns userID's session generation as last announced or loaded.
func (g *SessionGenerations) Current(userID uuid.UUID) int {
	if g == nil {
		return 0
	}
	if v, ok := g.gens.Load(userID); ok {
		return v.(int)
	}
	return 0
}

// Set records that userID's generation is gen. Generations only rise, and
// announcements can arrive out of order or twice (a notification and a
// Reload that already saw it), so a gen below the one known is ignored.
func (g *SessionGenerations) Set(userID uuid.UUID, gen int) {
	if g == nil || gen <= 0 {
		return
	}
	for {
		old, loaded := g.gens.LoadOrStore(userID, gen)
		if !loaded || old.(int) >= gen {
			return
		}
		if g.gens.CompareAndSwap(userID, old, gen) {
			return
		}
	}
}

// Reload loads every user's generation and raises the known ones to it. It
// never lowers one, so an announcement that arrives while it runs is kept.
// It returns the load's error; the generations known before stay in force.
func (g *SessionGenerations) Reload(ctx context.Context) error {
	if g == nil || g.load == nil {
		return nil
	}
	gens, err := g.load(ctx)
	if err != nil {
		return fmt.Errorf("session generations: reload: %w", err)
	}
	for id, gen := range gens {
		g.Set(id, gen)
	}
	return nil
}

// Generations is the server's session generations (Deps.Generations, or a
// set of its own when that was nil), for the listener that feeds it.
func (s *Server) Generations() *SessionGenerations { return s.generations }
