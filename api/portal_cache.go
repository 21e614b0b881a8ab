package api

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/sync/singleflight"

	"appstore/models"
)

// portalLoadTimeout bounds one load. A load is shared by every request
// waiting for that user, so it does not run on any one request's context.
const portalLoadTimeout = 10 * time.Second

// PortalCache keeps each user's portal state in memory, so the portal layout
// renders without a database query. Entries never expire by age: they are
// dropped by Invalidate when a change is announced (models.ListenPortalChanges
// feeds it), or all at once by Reset when announcements may have been missed.
//
// A load that was in flight when its user was invalidated is still returned
// to the requests that were waiting for it, but it is not cached, and
// requests arriving after the invalidation do not join it: they load afresh.
type PortalCache struct {
	load    func(ctx context.Context, userID uuid.UUID) (*models.PortalState, error)
	entries *lru.Cache[uuid.UUID, *models.PortalState]
	group   singleflight.Group

	mu      sync.Mutex
	epoch   uint64                      // bumped by Reset
	seq     uint64                      // source of flight generations
	loading map[uuid.UUID]*portalFlight // users with a Get waiting for a load

	hits, misses atomic.Uint64
}

// portalFlight tracks the Gets of one user that are waiting for a load.
type portalFlight struct {
	gen     uint64 // renewed by Invalidate; a load started at an older gen is stale
	waiters int
}

// NewPortalCache returns a cache of at most size users (at least 1) that
// fills itself with load, typically (*models.Store).PortalState.
func NewPortalCache(load func(ctx context.Context, userID uuid.UUID) (*models.PortalState, error), size int) *PortalCache {
	entries, _ := lru.New[uuid.UUID, *models.PortalState](max(size, 1)) // errors only for size <= 0
	return &PortalCache{load: load, entries: entries, loading: map[uuid.UUID]*portalFlight{}}
}

// Get returns userID's portal state, from memory when cached. Concurrent
// misses for one user share one load. The state is shared: callers must not
// modify it. Errors are load's (e.g. models.ErrNotFound) or ctx's; they are
// not cached.
func (c *PortalCache) Get(ctx context.Context, userID uuid.UUID) (*models.PortalState, error) {
	if st, ok := c.entries.Get(userID); ok {
		c.hits.Add(1)
		return st, nil
	}
	c.mu.Lock()
	if st, ok := c.entries.Get(userID); ok { // filled while we took the lock
		c.mu.Unlock()
		c.hits.Add(1)
		return st, nil
	}
	c.misses.Add(1)
	f := c.loading[userID]
	if f == nil {
		c.seq++
		f = &portalFlight{gen: c.seq}
		c.loading[userID] = f
	}
	f.waiters++
	epoch, gen := c.epoch, f.gen
	c.mu.Unlock()
	defer c.leave(userID, f)

	// The key carries the generation, which never repeats, so a Get after an
	// invalidation never joins a load that began before it.
	key := fmt.Sprintf("%s/%d/%d", userID, epoch, gen)
	ch := c.group.DoChan(key, func() (any, error) {
		loadCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), portalLoadTimeout)
		defer cancel()
		st, err := c.load(loadCtx, userID)
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		if c.epoch == epoch && c.loading[userID] == f && f.gen == gen {
			c.entries.Add(userID, st)
		}
		c.mu.Unlock()
		return st, nil
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(*models.PortalState), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// leave ends one Get's wait. Waiters normally leave after the load has
// returned; if all of them gave up early (their contexts ended), the load
// still running finds its flight gone and does not cache, since an
// invalidation could no longer have been recorded against it.
func (c *PortalCache) leave(userID uuid.UUID, f *portalFlight) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f.waiters--; f.waiters == 0 && c.loading[userID] == f {
		delete(c.loading, userID)
	}
}

// Invalidate drops userID's cached state and marks any load in flight for
// them stale.
func (c *PortalCache) Invalidate(userID uuid.UUID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries.Remove(userID)
	if f := c.loading[userID]; f != nil {
		c.seq++
		f.gen = c.seq
	}
}

// Reset drops every cached state and marks every load in flight stale.
func (c *PortalCache) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	c.entries.Purge()
}

// Stats returns how many Gets were answered from memory and how many had to
// load, since the cache was made; both only grow, as Prometheus counters do.
func (c *PortalCache) Stats() (hits, misses uint64) {
	return c.hits.Load(), c.misses.Load()
}
