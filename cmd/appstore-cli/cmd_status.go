package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

type statusOptions struct {
	dir, typ string
	limit    int
	json     bool
}

func statusCommand(e *env) *cobra.Command {
	var o statusOptions
	cmd := &cobra.Command{
		Use:   "status [<deployment id>]",
		Short: "List the app's deployments, or show one with its review state",
		Long: `Without an id: the app's deployments (newest first) with type, version
and status. With an id: that deployment, and for a production deployment its
review state, history and any rejection reasons.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				return showDeployment(cmd.Context(), e, args[0], o.json)
			}
			return listDeployments(cmd.Context(), e, o)
		},
	}
	cmd.Flags().StringVar(&o.dir, "dir", ".", "the app project's directory (for its app_id)")
	cmd.Flags().StringVar(&o.typ, "type", "", "only development or production deployments")
	cmd.Flags().IntVar(&o.limit, "limit", 20, "how many deployments to list")
	cmd.Flags().BoolVar(&o.json, "json", false, "print the result as JSON")
	return cmd
}

func listDeployments(ctx context.Context, e *env, o statusOptions) error {
	_, appID, c, err := e.projectClient(o.dir)
	if err != nil {
		return err
	}
	q := url.Values{"limit": {strconv.Itoa(o.limit)}}
	if o.typ != "" {
		q.Set("type", o.typ)
	}
	var page map[string]json.RawMessage
	if err := c.do(ctx, "GET", "/apps/"+url.PathEscape(appID)+"/deployments?"+q.Encode(), nil, &page); err != nil {
		return fmt.Errorf("status: %w", err)
	}
	// Lists answer {"items": [...]}; accept a resource-named key too.
	raw := page["items"]
	if raw == nil {
		raw = page["deployments"]
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); raw != nil && err != nil {
		return fmt.Errorf("status: unexpected answer: %w", err)
	}
	if o.json {
		if items == nil {
			items = []json.RawMessage{}
		}
		return writeJSON(e.stdout, map[string]any{"items": items})
	}
	if len(items) == 0 {
		fmt.Fprintln(e.stdout, "No deployments yet: run appstore-cli deploy --org <organization id>.")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTYPE\tVERSION\tSTATUS\tCREATED")
	for _, it := range items {
		var d deployment
		if err := json.Unmarshal(it, &d); err != nil {
			return fmt.Errorf("status: unexpected answer: %w", err)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", d.ID, d.Type, d.version(), d.Status, d.CreatedAt.Local().Format("2006-01-02 15:04"))
	}
	return tw.Flush()
}

// reviewState is what the CLI reads of GET /deployments/:id/review.
type reviewState struct {
	Status           string            `json:"status"`
	History          []map[string]any  `json:"history"`
	Reasons          []rejectionReason `json:"reasons"`
	RejectionReasons []rejectionReason `json:"rejection_reasons"`
}

func showDeployment(ctx context.Context, e *env, id string, asJSON bool) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	path := "/deployments/" + url.PathEscape(id)
	var raw json.RawMessage
	if err := c.do(ctx, "GET", path, nil, &raw); err != nil {
		return fmt.Errorf("status: %w", err)
	}
	// The deployment may come bare or as {"deployment": …}.
	var wrapped struct {
		Deployment json.RawMessage `json:"deployment"`
	}
	if json.Unmarshal(raw, &wrapped) == nil && wrapped.Deployment != nil {
		raw = wrapped.Deployment
	}
	var d deployment
	if err := json.Unmarshal(raw, &d); err != nil {
		return fmt.Errorf("status: unexpected answer: %w", err)
	}
	var review json.RawMessage
	if d.Type == "production" {
		err := c.do(ctx, "GET", path+"/review", nil, &review)
		var ae *apiError
		if err != nil && !(errors.As(err, &ae) && ae.Status == 404) {
			return fmt.Errorf("status: review: %w", err)
		}
	}
	if asJSON {
		return writeJSON(e.stdout, map[string]json.RawMessage{"deployment": raw, "review": review})
	}
	printDeployment(e.stdout, &d)
	if review != nil {
		var rs reviewState
		if err := json.Unmarshal(review, &rs); err != nil {
			return fmt.Errorf("status: unexpected review answer: %w", err)
		}
		printReview(e.stdout, &rs, d.RejectionReasons)
	} else if len(d.RejectionReasons) > 0 {
		printReasons(e.stdout, d.RejectionReasons)
	}
	return nil
}

func printDeployment(w io.Writer, d *deployment) {
	fmt.Fprintf(w, "Deployment %s\n", d.ID)
	fmt.Fprintf(w, "  type:     %s\n", d.Type)
	fmt.Fprintf(w, "  version:  %s\n", d.version())
	fmt.Fprintf(w, "  status:   %s\n", d.Status)
	fmt.Fprintf(w, "  created:  %s\n", d.CreatedAt.Local().Format(time.RFC3339))
	if d.TargetOrganizationID != nil {
		fmt.Fprintf(w, "  organization: %s\n", *d.TargetOrganizationID)
	}
	if d.SourceDeploymentID != nil {
		fmt.Fprintf(w, "  promoted from: %s\n", *d.SourceDeploymentID)
	}
	for _, t := range []struct {
		name string
		at   *time.Time
	}{{"submitted", d.SubmittedAt}, {"reviewed", d.ReviewedAt}, {"published", d.PublishedAt}} {
		if t.at != nil {
			fmt.Fprintf(w, "  %s: %s\n", t.name, t.at.Local().Format(time.RFC3339))
		}
	}
	if msg, _ := d.Metadata["message"].(string); msg != "" {
		fmt.Fprintf(w, "  message:  %s\n", msg)
	}
	if d.ReleaseNotes != "" {
		fmt.Fprintf(w, "  release notes: %s\n", d.ReleaseNotes)
	}
}

func printReview(w io.Writer, rs *reviewState, fallback []rejectionReason) {
	fmt.Fprintln(w, "Review")
	if rs.Status != "" {
		fmt.Fprintf(w, "  status: %s\n", rs.Status)
	}
	if len(rs.History) > 0 {
		fmt.Fprintln(w, "  history:")
		for _, h := range rs.History {
			fmt.Fprintf(w, "    %s\n", historyLine(h))
		}
	}
	reasons := rs.Reasons
	if len(reasons) == 0 {
		reasons = rs.RejectionReasons
	}
	if len(reasons) == 0 {
		reasons = fallback
	}
	printReasons(w, reasons)
}

func printReasons(w io.Writer, reasons []rejectionReason) {
	if len(reasons) == 0 {
		return
	}
	fmt.Fprintln(w, "  rejection reasons:")
	for _, r := range reasons {
		line := fmt.Sprintf("    - [%s] %s", r.Code, r.Message)
		if r.Field != "" {
			line += " (field: " + r.Field + ")"
		}
		if r.DocURL != "" {
			line += " " + r.DocURL
		}
		fmt.Fprintln(w, line)
	}
}

// historyLine renders one review history entry whatever its exact keys:
// when, what, to which status, by whom.
func historyLine(h map[string]any) string {
	pick := func(keys ...string) string {
		for _, k := range keys {
			if v, ok := h[k]; ok && v != nil && fmt.Sprint(v) != "" {
				return fmt.Sprint(v)
			}
		}
		return ""
	}
	var parts []string
	if at := pick("at", "time", "timestamp", "created_at"); at != "" {
		if t, err := time.Parse(time.RFC3339Nano, at); err == nil {
			at = t.Local().Format("2006-01-02 15:04:05")
		}
		parts = append(parts, at)
	}
	if what := pick("transition", "action", "event", "type"); what != "" {
		parts = append(parts, what)
	}
	if to := pick("to", "status", "to_status"); to != "" {
		parts = append(parts, "-> "+to)
	}
	if who := pick("actor_email", "actor", "actor_id", "by"); who != "" {
		parts = append(parts, "by "+who)
	}
	if len(parts) == 0 {
		raw, _ := json.Marshal(h)
		return string(raw)
	}
	return strings.Join(parts, "  ")
}
