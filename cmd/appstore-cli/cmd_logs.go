package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

type logsOptions struct {
	dir    string
	types  []string
	limit  int
	follow bool
	json   bool
}

func logsCommand(e *env) *cobra.Command {
	var o logsOptions
	cmd := &cobra.Command{
		Use:   "logs",
		Short: "Show the app's event log",
		Long: `Shows the latest events of the app (deployments, bundles, reviews,
installations), oldest first. --follow keeps asking for new ones.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return logs(cmd.Context(), e, o)
		},
	}
	cmd.Flags().StringVar(&o.dir, "dir", ".", "the app project's directory (for its app_id)")
	cmd.Flags().StringSliceVar(&o.types, "type", nil, "only these event types (repeat or comma-separate)")
	cmd.Flags().IntVar(&o.limit, "limit", 50, "how many recent events to show first (at most 200)")
	cmd.Flags().BoolVarP(&o.follow, "follow", "f", false, "keep printing new events")
	cmd.Flags().BoolVar(&o.json, "json", false, "print one JSON event per line")
	return cmd
}

// event is what the CLI reads of the API's Event.
type event struct {
	ID           string         `json:"id"`
	CreatedAt    time.Time      `json:"created_at"`
	Type         string         `json:"type"`
	ActorID      *string        `json:"actor_id"`
	DeploymentID *string        `json:"deployment_id"`
	Data         map[string]any `json:"data"`
	raw          json.RawMessage
}

type eventPage struct {
	Events     []json.RawMessage `json:"events"`
	Items      []json.RawMessage `json:"items"`
	NextCursor string            `json:"next_cursor"`
}

func logs(ctx context.Context, e *env, o logsOptions) error {
	_, appID, c, err := e.projectClient(o.dir)
	if err != nil {
		return err
	}
	q := url.Values{"app": {appID}, "limit": {strconv.Itoa(o.limit)}}
	if len(o.types) > 0 {
		q.Set("type", strings.Join(o.types, ","))
	}
	// The log is served newest first; show the first page oldest first.
	first, _, err := fetchEvents(ctx, c, q)
	if err != nil {
		return err
	}
	var since time.Time
	seen := map[string]bool{} // ids at `since`, which from= returns again
	show := func(evs []event) error {
		for i := len(evs) - 1; i >= 0; i-- {
			ev := evs[i]
			if seen[ev.ID] {
				continue
			}
			if err := printEvent(e.stdout, ev, o.json); err != nil {
				return err
			}
			if ev.CreatedAt.After(since) {
				since, seen = ev.CreatedAt, map[string]bool{}
			}
			seen[ev.ID] = true
		}
		return nil
	}
	if err := show(first); err != nil {
		return err
	}
	if !o.follow {
		return nil
	}
	if since.IsZero() {
		since = time.Now().Add(-time.Minute)
	}
	q.Set("limit", "200")
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(e.followEvery):
		}
		// Everything from `since` on, following the cursor through pages.
		q.Set("from", since.UTC().Format(time.RFC3339Nano))
		q.Del("cursor")
		var fresh []event
		for {
			evs, next, err := fetchEvents(ctx, c, q)
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return err
			}
			fresh = append(fresh, evs...)
			if next == "" {
				break
			}
			q.Set("cursor", next)
		}
		if err := show(fresh); err != nil {
			return err
		}
	}
}

func fetchEvents(ctx context.Context, c *client, q url.Values) ([]event, string, error) {
	var page eventPage
	if err := c.do(ctx, "GET", "/events?"+q.Encode(), nil, &page); err != nil {
		return nil, "", fmt.Errorf("logs: %w", err)
	}
	raws := page.Events
	if raws == nil {
		raws = page.Items
	}
	evs := make([]event, 0, len(raws))
	for _, raw := range raws {
		var ev event
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, "", fmt.Errorf("logs: unexpected answer: %w", err)
		}
		ev.raw = raw
		evs = append(evs, ev)
	}
	return evs, page.NextCursor, nil
}

func printEvent(w io.Writer, ev event, asJSON bool) error {
	if asJSON {
		_, err := fmt.Fprintf(w, "%s\n", compactJSON(ev.raw))
		return err
	}
	line := fmt.Sprintf("%s  %-28s", ev.CreatedAt.Local().Format("2006-01-02 15:04:05"), ev.Type)
	if ev.DeploymentID != nil {
		line += "  deployment " + *ev.DeploymentID
	}
	if len(ev.Data) > 0 {
		raw, _ := json.Marshal(ev.Data)
		s := string(raw)
		if len(s) > 160 {
			s = s[:157] + "..."
		}
		line += "  " + s
	}
	_, err := fmt.Fprintln(w, line)
	return err
}

func compactJSON(raw json.RawMessage) string {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return string(raw)
	}
	return b.String()
}
