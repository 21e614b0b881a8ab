package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// ListenerApplicationName is the application_name of the listener's
// connection, so operators (and tests) can find it in pg_stat_activity.
const ListenerApplicationName = "appstore-listener"

// Reconnection and health-check timing of the listener.
const (
	listenMinBackoff = 250 * time.Millisecond
	listenMaxBackoff = 30 * time.Second
	// listenStable is how long a connection must have lasted for the
	// backoff to start again from the minimum; a server that accepts and
	// then drops connections is retried ever more slowly.
	listenStable = time.Minute
	// listenPingEvery bounds how long a silently dead connection (a network
	// partition sends no RST) can go unnoticed.
	listenPingEvery      = 30 * time.Second
	listenPingTimeout    = 10 * time.Second
	listenConnectTimeout = 10 * time.Second
)

// Listen holds one dedicated connection to databaseURL that LISTENs on
// every channel of channels and calls that channel's function with the
// payload of each notification, until ctx ends; then it returns nil. It
// reconnects with capped, jittered backoff when the connection fails.
// onReset (if not nil) is called each time LISTEN has taken effect on every
// channel, including the first time: notifications sent while no LISTEN was
// active are lost, and state cached before it (requests served while the
// listener started, or while it was disconnected) may be stale. The first
// call also tells the caller that notifications now flow. Callbacks run on
// the listener's goroutine, one at a time, and should return quickly.
// An error is returned only for a databaseURL that cannot be parsed or for
// no channels, an empty channel name or a nil function.
func Listen(ctx context.Context, databaseURL string, log *slog.Logger, channels map[string]func(payload string), onReset func()) error {
	if len(channels) == 0 {
		return errors.New("listener: no channels")
	}
	names := make([]string, 0, len(channels))
	for name, fn := range channels {
		if name == "" || fn == nil {
			return fmt.Errorf("listener: channel %q needs a name and a function", name)
		}
		names = append(names, name)
	}
	slices.Sort(names)
	cfg, err := pgx.ParseConfig(databaseURL)
	if err != nil {
		return fmt.Errorf("listener: parse database URL: %w", err)
	}
	cfg.RuntimeParams["application_name"] = ListenerApplicationName
	if log == nil {
		log = slog.Default()
	}
	if onReset == nil {
		onReset = func() {}
	}
	backoff := listenMinBackoff
	connected := false
	for {
		conn, err := listen(ctx, cfg, names)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			wait := jitter(backoff)
			log.Warn("listener: connect failed", "err", err, "retry_in", wait)
			if !sleep(ctx, wait) {
				return nil
			}
			backoff = min(backoff*2, listenMaxBackoff)
			continue
		}
		if connected {
			log.Info("listener: reconnected; resetting caches", "channels", names)
		} else {
			log.Info("listener: listening", "channels", names)
		}
		connected = true
		onReset()
		start := time.Now()
		err = receive(ctx, conn, log, channels)
		closeQuietly(conn)
		if ctx.Err() != nil {
			return nil
		}
		log.Warn("listener: connection lost", "err", err)
		if time.Since(start) >= listenStable {
			backoff = listenMinBackoff
			continue // a long-lived connection failing once: reconnect at once
		}
		if !sleep(ctx, jitter(backoff)) {
			return nil
		}
		backoff = min(backoff*2, listenMaxBackoff)
	}
}

// jitter spreads reconnects of many processes over [d/2, d], so they do not
// arrive at a restarted server all at once.
func jitter(d time.Duration) time.Duration { return d/2 + rand.N(d/2+1) }

// listen connects and LISTENs on every channel, giving up after
// listenConnectTimeout: a server that swallows packets would otherwise hold
// the dial for minutes.
func listen(ctx context.Context, cfg *pgx.ConnConfig, channels []string) (*pgx.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, listenConnectTimeout)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	for _, ch := range channels {
		if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{ch}.Sanitize()); err != nil {
			closeQuietly(conn)
			return nil, fmt.Errorf("listen %s: %w", ch, err)
		}
	}
	return conn, nil
}

// closeQuietly closes conn, waiting at most a second for the server.
func closeQuietly(conn *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	conn.Close(ctx)
}

// receive delivers notifications until the connection fails or ctx ends.
// Between notifications it pings the server now and then, so a dead peer is
// noticed even when no RST ever arrives.
func receive(ctx context.Context, conn *pgx.Conn, log *slog.Logger, channels map[string]func(string)) error {
	for {
		waitCtx, cancel := context.WithTimeout(ctx, listenPingEvery)
		n, err := conn.WaitForNotification(waitCtx)
		idle := waitCtx.Err() != nil
		cancel()
		if n != nil {
			if fn := channels[n.Channel]; fn != nil {
				fn(n.Payload)
			} else {
				log.Warn("listener: ignoring notification on an unexpected channel", "channel", n.Channel)
			}
		}
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case err == nil && n == nil:
			return errors.New("no notification and no error")
		case err == nil:
			continue
		case idle && !conn.IsClosed():
			pingCtx, cancel := context.WithTimeout(ctx, listenPingTimeout)
			err := conn.Ping(pingCtx)
			cancel()
			if err != nil {
				return fmt.Errorf("ping: %w", err)
			}
		default:
			return err
		}
	}
}

// sleep waits for d or until ctx ends, and reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
