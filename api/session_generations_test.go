package api_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"appstore/api"
	"appstore/models"
	"appstore/models/postgres"
	"appstore/models/postgres/pgtest"
)

// newGenerationsHarness serves a fresh, seeded database whose server shares
// gens (loaded from the store); it also returns the database's URL, for
// listeners.
func newGenerationsHarness(t *testing.T) (*harness, *api.SessionGenerations, string) {
	t.Helper()
	ctx := context.Background()
	dbURL := pgtest.NewURL(t)
	db, err := postgres.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	store := postgres.NewStore(db)
	if _, err := store.SeedDemo(ctx); err != nil {
		t.Fatalf("seed: %v", err)
	}
	base, _ := url.Parse(testOrigin)
	gens := api.NewSessionGenerations(store.SessionGenerations)
	srv, err := api.New(api.Config{
		BaseURL:           base,
		JWTKey:            testKey,
		MaxBodyBytes:      4096,
		LoginRatePerIP:    api.RateLimit{Count: 1000, Period: time.Minute},
		LoginRatePerEmail: api.RateLimit{Count: 1000, Period: time.Minute},
	}, api.Deps{Stores: storesOf(store), Logger: slog.New(slog.NewTextHandler(t.Output(), nil)), Generations: gens})
	if err != nil {
		t.Fatalf("api.New: %v", err)
	}
	if srv.Generations() != gens {
		t.Fatal("the server does not use Deps.Generations")
	}
	return &harness{t: t, db: db, store: store, server: srv}, gens, dbURL
}

// generationListener runs models.Listen feeding gens, as `appstore serve`
// does, for the test's duration, and counts its resets.
type generationListener struct{ resets atomic.Int64 }

func startGenerationListener(t *testing.T, dbURL string, gens *api.SessionGenerations) *generationListener {
	t.Helper()
	gl := &generationListener{}
	log := slog.New(slog.NewTextHandler(t.Output(), nil))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- postgres.Listen(ctx, dbURL, log,
			map[string]func(string){models.SessionGenerationChannel: models.OnSessionGeneration(log, gens.Set)},
			func() {
				if err := gens.Reload(ctx); err != nil {
					log.Error("reload session generations", "err", err)
				}
				gl.resets.Add(1)
			})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Listen returned %v after cancel, want nil", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("Listen did not return after cancel")
		}
	})
	portalEventually(t, "the listener's first LISTEN", func() bool { return gl.resets.Load() >= 1 })
	return gl
}

// resetPassword resets email's password through the store, as the reset
// link would, and returns the user.
func resetPassword(t *testing.T, store *postgres.Store, email, password string) *models.User {
	t.Helper()
	ctx := context.Background()
	id, err := store.RequestPasswordReset(ctx, email)
	if err != nil || id == nil {
		t.Fatalf("RequestPasswordReset = %v, %v", id, err)
	}
	var token string
	if _, err := store.MailAccountToken(ctx, *id, func(_ *models.AccountMailRequest, _ *models.User, tok string) error {
		token = tok
		return nil
	}); err != nil {
		t.Fatalf("MailAccountToken: %v", err)
	}
	u, err := store.ResetPassword(ctx, token, password)
	if err != nil {
		t.Fatalf("ResetPassword: %v", err)
	}
	return u
}

// A password reset ends every session issued before it, as cookie and as
// bearer, also one the server has verified (and cached) already, and
// revokes the user's personal access tokens (not other users'); a new
// sign-in works. The reset is
// announced by the store's NOTIFY, as it would be from another process.
func TestPasswordResetRevokesSessions(t *testing.T) {
	h, gens, dbURL := newGenerationsHarness(t)
	startGenerationListener(t, dbURL, gens)

	before := h.login("member@acme.test")
	rec := h.do(req{method: "POST", path: "/api/v1/tokens", cookie: before, body: map[string]any{"name": "cli"}})
	wantStatus(t, rec, http.StatusCreated)
	var pat struct{ Token string }
	decode(t, rec, &pat)
	wantStatus(t, h.do(req{method: "GET", path: "/api/v1/me", cookie: before}), http.StatusOK)
	wantStatus(t, h.do(req{method: "GET", path: "/api/v1/me", bearer: before}), http.StatusOK)
	bystander := h.login("owner@acme.test")
	rec = h.do(req{method: "POST", path: "/api/v1/tokens", cookie: bystander, body: map[string]any{"name": "cli"}})
	wantStatus(t, rec, http.StatusCreated)
	var bystanderPAT struct{ Token string }
	decode(t, rec, &bystanderPAT)

	u := resetPassword(t, h.store, "member@acme.test", "a brand new passphrase")
	if u.SessionGeneration != 1 {
		t.Fatalf("generation after the reset = %d, want 1", u.SessionGeneration)
	}
	portalEventually(t, "the reset to be announced", func() bool { return gens.Current(u.ID) == 1 })

	wantProblem(t, h.do(req{method: "GET", path: "/api/v1/me", cookie: before}), http.StatusUnauthorized, "session_revoked")
	wantProblem(t, h.do(req{method: "GET", path: "/api/v1/me", bearer: before}), http.StatusUnauthorized, "session_revoked")
	// A page with the old cookie sends the browser to sign in.
	if rec := h.do(req{method: "GET", path: "/developer-accounts", cookie: before}); rec.Code != http.StatusSeeOther {
		t.Fatalf("page with a revoked cookie: status %d, want 303", rec.Code)
	}
	wantStatus(t, h.do(req{method: "GET", path: "/api/v1/me", bearer: pat.Token}), http.StatusUnauthorized)
	wantStatus(t, h.do(req{method: "GET", path: "/api/v1/me", cookie: bystander}), http.StatusOK)
	wantStatus(t, h.do(req{method: "GET", path: "/api/v1/me", bearer: bystanderPAT.Token}), http.StatusOK)

	after := loginWith(t, h, "member@acme.test", "a brand new passphrase")
	wantStatus(t, h.do(req{method: "GET", path: "/api/v1/me", cookie: after}), http.StatusOK)
	wantStatus(t, h.do(req{method: "GET", path: "/api/v1/me", bearer: after}), http.StatusOK)
	wantProblem(t, h.do(req{method: "GET", path: "/api/v1/me", cookie: before}), http.StatusUnauthorized, "session_revoked")
}

// A server given no Generations keeps a set of its own: a reset through
// its API still ends the sessions it serves.
func TestPasswordResetWithoutSharedGenerations(t *testing.T) {
	h := newHarness(t)
	if h.server.Generations() == nil {
		t.Fatal("no generations")
	}
	before := h.login("member@acme.test")
	u := resetPassword(t, h.store, "member@acme.test", "a brand new passphrase")
	h.server.Generations().Set(u.ID, u.SessionGeneration) // what the reset handler does
	wantProblem(t, h.do(req{method: "GET", path: "/api/v1/me", cookie: before}), http.StatusUnauthorized, "session_revoked")
	after := loginWith(t, h, "member@acme.test", "a brand new passphrase")
	wantStatus(t, h.do(req{method: "GET", path: "/api/v1/me", cookie: after}), http.StatusOK)
}

// Authenticating a request, and refusing a revoked session, runs no query.
func TestAuthenticatedRequestQueriesNothing(t *testing.T) {
	h, gens, dbURL := newGenerationsHarness(t)
	startGenerationListener(t, dbURL, gens)
	revoked := h.login("member@acme.test")
	u := resetPassword(t, h.store, "member@acme.test", "a brand new passphrase")
	portalEventually(t, "the reset to be announced", func() bool { return gens.Current(u.ID) == 1 })
	fresh := loginWith(t, h, "member@acme.test", "a brand new passphrase")
	other := h.login("owner@acme.test")

	queries := pgtest.CountQueries(t, h.db)
	wantStatus(t, h.do(req{method: "GET", path: "/api/v1/me", cookie: other}), http.StatusOK)
	if queries.Load() == 0 {
		t.Fatal("GET /me ran no query; is the counter wired?")
	}
	for _, tt := range []struct {
		name   string
		r      req
		status int
	}{
		{"cookie, first request", req{cookie: fresh}, http.StatusOK},
		{"cookie, cached", req{cookie: fresh}, http.StatusOK},
		{"bearer", req{bearer: fresh}, http.StatusOK},
		{"another user", req{cookie: other}, http.StatusOK},
		{"revoked cookie", req{cookie: revoked}, http.StatusUnauthorized},
		{"revoked bearer", req{bearer: revoked}, http.StatusUnauthorized},
	} {
		tt.r.method, tt.r.path = "GET", "/api/v1/event-types"
		queries.Store(0)
		wantStatus(t, h.do(tt.r), tt.status)
		if n := queries.Load(); n != 0 {
			t.Errorf("%s: %d queries, want 0", tt.name, n)
		}
	}
}

// Two SessionGenerations with their own listeners stand for two `appstore
// serve` processes: a NOTIFY from a third connection reaches both, and a
// listener that reconnects reloads what it may have missed.
func TestSessionGenerationsAcrossProcesses(t *testing.T) {
	ctx := context.Background()
	dbURL := pgtest.NewURL(t)
	db, err := postgres.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	store := postgres.NewStore(db)

	// Reset before the processes start: the first LISTEN loads it.
	early, err := store.CreateUser(ctx, models.NewUser{Email: "early@example.test", Name: "Early", Password: "correct horse"})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Gorm.Exec(`UPDATE users SET session_generation = 2 WHERE id = ?`, early.ID).Error; err != nil {
		t.Fatal(err)
	}

	procs := []*api.SessionGenerations{api.NewSessionGenerations(store.SessionGenerations), api.NewSessionGenerations(store.SessionGenerations)}
	listeners := []*generationListener{startGenerationListener(t, dbURL, procs[0]), startGenerationListener(t, dbURL, procs[1])}
	for i, g := range procs {
		if got := g.Current(early.ID); got != 2 {
			t.Fatalf("process %d: loaded generation %d, want 2", i, got)
		}
	}

	notified, bystander := uuid.New(), uuid.New()
	if err := db.Gorm.Exec(`SELECT pg_notify('session_generation', ?)`, notified.String()+":3").Error; err != nil {
		t.Fatal(err)
	}
	for i, g := range procs {
		portalEventually(t, "the notification to reach every process", func() bool { return g.Current(notified) == 3 })
		if got := g.Current(bystander); got != 0 {
			t.Errorf("process %d: bystander at generation %d, want 0", i, got)
		}
	}
	// An older announcement arriving late changes nothing.
	if err := db.Gorm.Exec(`SELECT pg_notify('session_generation', ?), pg_notify('session_generation', 'garbage'),
		pg_notify('session_generation', ?)`, notified.String()+":1", bystander.String()+":1").Error; err != nil {
		t.Fatal(err)
	}
	for i, g := range procs {
		portalEventually(t, "the later notification", func() bool { return g.Current(bystander) == 1 })
		if got := g.Current(notified); got != 3 {
			t.Errorf("process %d: generation %d after an older announcement, want 3", i, got)
		}
	}

	// A reset nobody hears (the listeners are down) is loaded on reconnect.
	missed, err := store.CreateUser(ctx, models.NewUser{Email: "missed@example.test", Name: "Missed", Password: "correct horse"})
	if err != nil {
		t.Fatal(err)
	}
	var terminated int
	if err := db.Gorm.Raw(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE application_name = ? AND datname = current_database()`, postgres.ListenerApplicationName).Scan(&terminated).Error; err != nil || terminated != 2 {
		t.Fatalf("terminated %d listener backends (err %v), want 2", terminated, err)
	}
	if err := db.Gorm.Exec(`UPDATE users SET session_generation = 5 WHERE id = ?`, missed.ID).Error; err != nil {
		t.Fatal(err)
	}
	for i, g := range procs {
		portalEventually(t, "a reload after reconnecting", func() bool { return listeners[i].resets.Load() >= 2 })
		portalEventually(t, "the missed reset to be loaded", func() bool { return g.Current(missed.ID) == 5 })
		if got := g.Current(notified); got != 3 {
			t.Errorf("process %d: a reload lowered a generation to %d", i, got)
		}
	}
}

func TestSessionGenerationsOnlyRise(t *testing.T) {
	g := api.NewSessionGenerations(func(context.Context) (map[uuid.UUID]int, error) { return nil, nil })
	id := uuid.New()
	for _, step := range []struct{ set, want int }{{0, 0}, {2, 2}, {1, 2}, {2, 2}, {-1, 2}, {5, 5}} {
		g.Set(id, step.set)
		if got := g.Current(id); got != step.want {
			t.Fatalf("after Set(%d): Current = %d, want %d", step.set, got, step.want)
		}
	}
}

// BenchmarkSessionGenerationsCurrent is the revocation check of each
// authenticated request, from many goroutines, with 10 000 users known.
func BenchmarkSessionGenerationsCurrent(b *testing.B) {
	g := api.NewSessionGenerations(nil)
	ids := make([]uuid.UUID, 20_000)
	for i := range ids {
		ids[i] = uuid.New()
		if i%2 == 0 {
			g.Set(ids[i], 1+i%5)
		}
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			g.Current(ids[i%len(ids)])
			i++
		}
	})
}
