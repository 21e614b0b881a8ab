package api_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	neturl "net/url"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"appstore/api"
	"appstore/models"
	"appstore/models/postgres"
	"appstore/models/postgres/pgtest"
)

// portalLoader is a fake load function: it counts loads per user, names each
// result by its load number, and can hold loads until released.
type portalLoader struct {
	mu      sync.Mutex
	loads   map[uuid.UUID]int
	started chan uuid.UUID // receives each load's user, if not nil
	release chan struct{}  // a load waits for one value, if not nil
}

func newPortalLoader() *portalLoader { return &portalLoader{loads: map[uuid.UUID]int{}} }

func (l *portalLoader) load(ctx context.Context, id uuid.UUID) (*models.PortalState, error) {
	l.mu.Lock()
	l.loads[id]++
	n := l.loads[id]
	l.mu.Unlock()
	if l.started != nil {
		l.started <- id
	}
	if l.release != nil {
		select {
		case <-l.release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return &models.PortalState{User: &models.User{ID: id, Name: "load " + strconv.Itoa(n)}}, nil
}

func (l *portalLoader) count(id uuid.UUID) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.loads[id]
}

// portalEventually polls cond until it holds, failing after ten seconds.
func portalEventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// portalRecv receives from ch, failing after ten seconds instead of hanging.
func portalRecv[T any](t *testing.T, what string, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

// portalSend sends v on ch, failing after ten seconds instead of hanging.
func portalSend[T any](t *testing.T, what string, ch chan<- T, v T) {
	t.Helper()
	select {
	case ch <- v:
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}

func mustPortal(t *testing.T, c *api.PortalCache, id uuid.UUID) *models.PortalState {
	t.Helper()
	st, err := c.Get(context.Background(), id)
	if err != nil {
		t.Fatalf("Get %s: %v", id, err)
	}
	return st
}

func TestPortalCacheHitQueriesNothing(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	store := postgres.NewStore(db)
	u, err := store.CreateUser(ctx, models.NewUser{Email: "hit@example.test", Name: "Hit", Password: "correct horse"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.CreateDeveloperAccount(ctx, "hit-tools", "Hit Tools", u.ID); err != nil {
		t.Fatal(err)
	}
	queries := pgtest.CountQueries(t, db)

	cache := api.NewPortalCache(store.PortalState, 100)
	first := mustPortal(t, cache, u.ID)
	if n := queries.Load(); n == 0 {
		t.Fatal("a miss ran no query; is the counter wired?")
	}
	if len(first.DeveloperAccounts) != 1 || first.DeveloperAccounts[0].Slug != "hit-tools" {
		t.Fatalf("developer accounts = %+v", first.DeveloperAccounts)
	}

	queries.Store(0)
	for range 3 {
		if st := mustPortal(t, cache, u.ID); st != first {
			t.Fatal("a hit returned a different state")
		}
	}
	if n := queries.Load(); n != 0 {
		t.Fatalf("hits ran %d queries, want 0", n)
	}
	if hits, misses := cache.Stats(); hits != 3 || misses != 1 {
		t.Fatalf("Stats = %d hits, %d misses; want 3, 1", hits, misses)
	}

	cache.Invalidate(u.ID)
	mustPortal(t, cache, u.ID)
	if queries.Load() == 0 {
		t.Fatal("Get after Invalidate ran no query")
	}
}

func TestPortalCacheConcurrentMissesLoadOnce(t *testing.T) {
	l := newPortalLoader()
	l.release = make(chan struct{})
	cache := api.NewPortalCache(l.load, 10)
	id := uuid.New()
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, err := cache.Get(context.Background(), id); err != nil {
				t.Error(err)
			}
		})
	}
	portalEventually(t, "20 misses", func() bool { _, m := cache.Stats(); return m == 20 })
	close(l.release)
	wg.Wait()
	if n := l.count(id); n != 1 {
		t.Fatalf("loads = %d, want 1", n)
	}
}

// A change announced while a load is running must not leave that load's
// (possibly older) state in the cache.
func TestPortalCacheInvalidationDuringLoad(t *testing.T) {
	for _, tt := range []struct {
		name       string
		invalidate func(c *api.PortalCache, id uuid.UUID)
	}{
		{"Invalidate", func(c *api.PortalCache, id uuid.UUID) { c.Invalidate(id) }},
		{"Reset", func(c *api.PortalCache, _ uuid.UUID) { c.Reset() }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l := newPortalLoader()
			l.started, l.release = make(chan uuid.UUID), make(chan struct{})
			cache := api.NewPortalCache(l.load, 10)
			id := uuid.New()

			stale := make(chan *models.PortalState, 1)
			go func() { st, _ := cache.Get(context.Background(), id); stale <- st }()
			portalRecv(t, "the first load", l.started)
			tt.invalidate(cache, id)

			// A Get after the invalidation must not join the stale load.
			fresh := make(chan *models.PortalState, 1)
			go func() { st, _ := cache.Get(context.Background(), id); fresh <- st }()
			portalRecv(t, "a second load, not a join of the stale one", l.started)
			portalSend(t, "a load to release", l.release, struct{}{})
			portalSend(t, "a load to release", l.release, struct{}{})
			a, b := portalRecv(t, "the stale Get", stale), portalRecv(t, "the fresh Get", fresh)
			if a == nil || b == nil || a == b {
				t.Fatalf("stale %+v and fresh %+v should be two loads", a, b)
			}

			l.started, l.release = nil, nil
			got := mustPortal(t, cache, id)
			if got != b {
				t.Fatalf("cached %q, want the load that began after the invalidation (%q)", got.User.Name, b.User.Name)
			}
			if n := l.count(id); n != 2 {
				t.Fatalf("loads = %d, want 2", n)
			}
		})
	}
}

func TestPortalCacheStaleLoadAloneIsNotCached(t *testing.T) {
	l := newPortalLoader()
	l.started, l.release = make(chan uuid.UUID), make(chan struct{})
	cache := api.NewPortalCache(l.load, 10)
	id := uuid.New()
	done := make(chan struct{})
	go func() { cache.Get(context.Background(), id); close(done) }()
	portalRecv(t, "the load", l.started)
	cache.Invalidate(id)
	portalSend(t, "the load to release", l.release, struct{}{})
	portalRecv(t, "the Get", done)

	l.started, l.release = nil, nil
	mustPortal(t, cache, id)
	if n := l.count(id); n != 2 {
		t.Fatalf("loads = %d, want 2: the load invalidated in flight was cached", n)
	}
}

func TestPortalCacheCallerCancelDoesNotFailOthers(t *testing.T) {
	l := newPortalLoader()
	l.started, l.release = make(chan uuid.UUID, 1), make(chan struct{})
	cache := api.NewPortalCache(l.load, 10)
	id := uuid.New()

	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan error, 1)
	go func() { _, err := cache.Get(ctx, id); first <- err }()
	portalRecv(t, "the load", l.started)
	second := make(chan *models.PortalState, 1)
	go func() { st, _ := cache.Get(context.Background(), id); second <- st }()
	portalEventually(t, "two misses", func() bool { _, m := cache.Stats(); return m == 2 })

	cancel()
	if err := portalRecv(t, "the cancelled Get", first); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Get: err = %v, want context.Canceled", err)
	}
	close(l.release)
	if st := portalRecv(t, "the second Get", second); st == nil {
		t.Fatal("second Get got no state")
	}
	mustPortal(t, cache, id)
	if n := l.count(id); n != 1 {
		t.Fatalf("loads = %d, want 1: the shared load was cancelled or not cached", n)
	}
}

// portalListener runs models.ListenPortalChanges for the test's duration and
// counts its resets.
type portalListener struct {
	resets atomic.Int64
	users  chan uuid.UUID
}

// startPortalListener starts a listener and waits until it listens.
func startPortalListener(t *testing.T, url string, cache *api.PortalCache) *portalListener {
	t.Helper()
	pl := goPortalListener(t, url, cache)
	portalEventually(t, "the listener's first LISTEN", func() bool { return pl.resets.Load() >= 1 })
	return pl
}

// goPortalListener starts a listener that is stopped when the test ends.
func goPortalListener(t *testing.T, url string, cache *api.PortalCache) *portalListener {
	t.Helper()
	pl := &portalListener{users: make(chan uuid.UUID, 100)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	log := slog.New(slog.NewTextHandler(t.Output(), nil))
	go func() {
		done <- postgres.ListenPortalChanges(ctx, url, log,
			func(id uuid.UUID) {
				if cache != nil {
					cache.Invalidate(id)
				}
				pl.users <- id
			},
			func() {
				if cache != nil {
					cache.Reset()
				}
				pl.resets.Add(1)
			})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("ListenPortalChanges returned %v after cancel, want nil", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("ListenPortalChanges did not return after cancel")
		}
	})
	return pl
}

func notifyPortal(t *testing.T, db *postgres.DB, id uuid.UUID) {
	t.Helper()
	if err := db.Gorm.Exec("SELECT pg_notify(?, ?)", models.PortalChannel, id.String()).Error; err != nil {
		t.Fatalf("pg_notify: %v", err)
	}
}

// Two caches with their own listeners stand for two `appstore serve`
// processes; a notification from a third connection reaches both.
func TestPortalInvalidationAcrossProcesses(t *testing.T) {
	url := pgtest.NewURL(t)
	db, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })

	loaders := []*portalLoader{newPortalLoader(), newPortalLoader()}
	caches := []*api.PortalCache{api.NewPortalCache(loaders[0].load, 10), api.NewPortalCache(loaders[1].load, 10)}
	for _, c := range caches {
		startPortalListener(t, url, c)
	}
	changed, other := uuid.New(), uuid.New()
	for _, c := range caches {
		mustPortal(t, c, changed)
		mustPortal(t, c, other)
	}

	notifyPortal(t, db, changed)
	for i, c := range caches {
		portalEventually(t, "the change to reach every process", func() bool {
			mustPortal(t, c, changed)
			return loaders[i].count(changed) == 2
		})
		mustPortal(t, c, other)
		if n := loaders[i].count(other); n != 1 {
			t.Errorf("process %d: other user loaded %d times, want 1 (still cached)", i, n)
		}
	}
}

func TestPortalListenerReconnects(t *testing.T) {
	url := pgtest.NewURL(t)
	db, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	pl := startPortalListener(t, url, nil)

	var terminated int
	err = db.Gorm.Raw(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE application_name = ? AND datname = current_database()`, postgres.PortalListenerApplicationName).Scan(&terminated).Error
	if err != nil || terminated != 1 {
		t.Fatalf("terminated %d listener backends (err %v), want 1", terminated, err)
	}
	portalEventually(t, "a reset after reconnecting", func() bool { return pl.resets.Load() >= 2 })

	id := uuid.New()
	notifyPortal(t, db, id)
	if got := portalRecv(t, "a notification after reconnecting", pl.users); got != id {
		t.Fatalf("notified %s, want %s", got, id)
	}
}

// A listener started before its database accepts connections keeps
// retrying, and listens once it can.
func TestPortalListenerRetriesUntilReachable(t *testing.T) {
	ctx := context.Background()
	admin, err := sql.Open("pgx", pgtest.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	name := fmt.Sprintf("appstore_portal_later_%d_%d", os.Getpid(), time.Now().UnixNano())
	t.Cleanup(func() { admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
	u, err := neturl.Parse(pgtest.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name

	pl := goPortalListener(t, u.String(), nil) // stopped before the drop: cleanups run last first
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	portalEventually(t, "the listener to connect", func() bool { return pl.resets.Load() >= 1 })

	db, err := postgres.Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	id := uuid.New()
	notifyPortal(t, db, id)
	if got := portalRecv(t, "a notification", pl.users); got != id {
		t.Fatalf("notified %s, want %s", got, id)
	}
}

// Membership changes made through the store reach a serve process's cache
// through the listener: every member's entry is dropped, nobody else's.
func TestPortalMembershipChangesInvalidate(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewURL(t)
	db, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	store := postgres.NewStore(db)
	newUser := func(email string) *models.User {
		u, err := store.CreateUser(ctx, models.NewUser{Email: email, Name: email, Password: "correct horse"})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	admin, dev, outsider := newUser("admin@example.test"), newUser("dev@example.test"), newUser("outsider@example.test")
	acct, err := store.CreateDeveloperAccount(ctx, "team-tools", "Team Tools", admin.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.AddDeveloperAccountMember(ctx, acct.ID, dev.ID, models.DevRoleMember); err != nil {
		t.Fatal(err)
	}
	cache := api.NewPortalCache(store.PortalState, 10)
	startPortalListener(t, url, cache)

	roleIn := func(st *models.PortalState) models.DeveloperRole {
		for _, a := range st.DeveloperAccounts {
			if a.ID == acct.ID {
				return a.Role
			}
		}
		return ""
	}
	if got := roleIn(mustPortal(t, cache, dev.ID)); got != models.DevRoleMember {
		t.Fatalf("dev's role = %q, want member", got)
	}
	adminBefore, outsiderBefore := mustPortal(t, cache, admin.ID), mustPortal(t, cache, outsider.ID)

	if err := store.ChangeDeveloperAccountRole(ctx, acct.ID, dev.ID, models.DevRoleAdmin); err != nil {
		t.Fatalf("ChangeDeveloperAccountRole: %v", err)
	}
	portalEventually(t, "dev's page to show the new role", func() bool {
		return roleIn(mustPortal(t, cache, dev.ID)) == models.DevRoleAdmin
	})
	portalEventually(t, "the other member's entry to be reloaded", func() bool {
		return mustPortal(t, cache, admin.ID) != adminBefore
	})

	if err := store.RemoveDeveloperAccountMember(ctx, acct.ID, dev.ID); err != nil {
		t.Fatalf("RemoveDeveloperAccountMember: %v", err)
	}
	portalEventually(t, "the removed member's page to drop the account", func() bool {
		return roleIn(mustPortal(t, cache, dev.ID)) == ""
	})
	if mustPortal(t, cache, outsider.ID) != outsiderBefore {
		t.Error("a user outside the account was invalidated")
	}
}

// BenchmarkPortalCacheHit measures a page's portal lookup when cached.
func BenchmarkPortalCacheHit(b *testing.B) {
	l := newPortalLoader()
	cache := api.NewPortalCache(l.load, 10_000)
	ids := make([]uuid.UUID, 1000)
	for i := range ids {
		ids[i] = uuid.New()
		if _, err := cache.Get(context.Background(), ids[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := cache.Get(context.Background(), ids[i%len(ids)]); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
}
