package postgres_test

import (
	"context"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"appstore/models"
	"appstore/models/postgres"
	"appstore/models/postgres/pgtest"
)

// notification is one payload a test listener received, with its channel.
type notification struct{ channel, payload string }

// testListener runs models.Listen on channels for the test's duration.
type testListener struct {
	resets atomic.Int64
	got    chan notification
}

// startListener starts Listen on channels and waits until it listens; the
// listener is stopped, and must return nil, when the test ends.
func startListener(t *testing.T, url string, channels ...string) *testListener {
	t.Helper()
	l := &testListener{got: make(chan notification, 100)}
	handlers := map[string]func(string){}
	for _, ch := range channels {
		handlers[ch] = func(payload string) { l.got <- notification{ch, payload} }
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	log := slog.New(slog.NewTextHandler(t.Output(), nil))
	go func() { done <- postgres.Listen(ctx, url, log, handlers, func() { l.resets.Add(1) }) }()
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
	eventually(t, "the first LISTEN", func() bool { return l.resets.Load() >= 1 })
	return l
}

// next returns the next notification, failing after ten seconds.
func (l *testListener) next(t *testing.T) notification {
	t.Helper()
	select {
	case n := <-l.got:
		return n
	case <-time.After(10 * time.Second):
		t.Fatal("timed out waiting for a notification")
		panic("unreachable")
	}
}

// eventually polls cond until it holds, failing after ten seconds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func openURL(t *testing.T, url string) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func pgNotify(t *testing.T, db *postgres.DB, channel, payload string) {
	t.Helper()
	if err := db.Gorm.Exec("SELECT pg_notify(?, ?)", channel, payload).Error; err != nil {
		t.Fatalf("pg_notify: %v", err)
	}
}

// One connection listens on several channels and hands each payload to
// its channel's function, in the order they were sent.
func TestListenDispatchesByChannel(t *testing.T) {
	t.Parallel()
	url := pgtest.NewURL(t)
	db := openURL(t, url)
	l := startListener(t, url, models.PortalChannel, models.SessionGenerationChannel, "Mixed Case")

	var listeners int
	err := db.Gorm.Raw(`SELECT count(*) FROM pg_stat_activity WHERE application_name = ? AND datname = current_database()`,
		postgres.ListenerApplicationName).Scan(&listeners).Error
	if err != nil || listeners != 1 {
		t.Fatalf("%d listener connections (err %v), want 1 for every channel", listeners, err)
	}

	want := []notification{
		{models.SessionGenerationChannel, uuid.NewString() + ":3"},
		{models.PortalChannel, uuid.NewString()},
		{"Mixed Case", "quoted"},
		{"unheard", "nobody listens"},
		{models.PortalChannel, "second"},
	}
	for _, n := range want {
		pgNotify(t, db, n.channel, n.payload)
	}
	for _, w := range want {
		if w.channel == "unheard" {
			continue
		}
		if got := l.next(t); got != w {
			t.Fatalf("received %+v, want %+v", got, w)
		}
	}
	if n := l.resets.Load(); n != 1 {
		t.Fatalf("%d resets, want 1", n)
	}
}

func TestListenReconnects(t *testing.T) {
	t.Parallel()
	url := pgtest.NewURL(t)
	db := openURL(t, url)
	l := startListener(t, url, models.PortalChannel, models.SessionGenerationChannel)

	var terminated int
	err := db.Gorm.Raw(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE application_name = ? AND datname = current_database()`, postgres.ListenerApplicationName).Scan(&terminated).Error
	if err != nil || terminated != 1 {
		t.Fatalf("terminated %d listener backends (err %v), want 1", terminated, err)
	}
	eventually(t, "a reset after reconnecting", func() bool { return l.resets.Load() >= 2 })

	// Both channels are listened to again.
	for _, w := range []notification{{models.SessionGenerationChannel, "after"}, {models.PortalChannel, "after"}} {
		pgNotify(t, db, w.channel, w.payload)
		if got := l.next(t); got != w {
			t.Fatalf("received %+v, want %+v", got, w)
		}
	}
}

func TestListenRefusesBadArguments(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	fn := func(string) {}
	for _, tt := range []struct {
		name     string
		url      string
		channels map[string]func(string)
		want     string
	}{
		{"no channels", pgtest.AdminURL(), nil, "no channels"},
		{"empty channel name", pgtest.AdminURL(), map[string]func(string){"": fn}, "needs a name"},
		{"nil function", pgtest.AdminURL(), map[string]func(string){"x": nil}, "needs a name"},
		{"bad URL", "postgres://%zz", map[string]func(string){"x": fn}, "parse database URL"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := postgres.Listen(ctx, tt.url, nil, tt.channels, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Listen = %v, want an error about %q", err, tt.want)
			}
		})
	}
}
