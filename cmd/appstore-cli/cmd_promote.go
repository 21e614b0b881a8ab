package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/spf13/cobra"
)

func promoteCommand(e *env) *cobra.Command {
	var notes string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "promote <development deployment id>",
		Short: "Create the production deployment of a development deployment",
		Long: `Promotes a development deployment: the platform creates a production
deployment with the same bundles, settings schema and environment, and gives
it the next version (minor for new code or settings, major when a setting is
removed or changes type, patch otherwise). Promoting the same development
deployment again answers with the same production deployment.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return promote(cmd.Context(), e, args[0], notes, asJSON)
		},
	}
	cmd.Flags().StringVar(&notes, "notes", "", "release notes shown in the listing")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return cmd
}

func promote(ctx context.Context, e *env, id, notes string, asJSON bool) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	var ans deploymentAnswer
	if err := c.do(ctx, "POST", "/deployments/"+url.PathEscape(id)+"/promote", map[string]string{"release_notes": notes}, &ans); err != nil {
		return fmt.Errorf("promote: %w", err)
	}
	if asJSON {
		return writeJSON(e.stdout, ans)
	}
	var d deployment
	if err := json.Unmarshal(ans.Deployment, &d); err != nil {
		return fmt.Errorf("promote: unexpected answer: %w", err)
	}
	fmt.Fprintf(e.stdout, "Promoted %s to production deployment %s, version %s (%s)\n", id, d.ID, d.version(), d.Status)
	fmt.Fprintf(e.stdout, "  submit it for review with: appstore-cli submit %s\n", d.ID)
	return nil
}

// transitionCommand is submit, withdraw or publish: a POST to
// /deployments/:id/<action> on a production deployment.
func transitionCommand(e *env, action, short string) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   action + " <production deployment id>",
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := e.client()
			if err != nil {
				return err
			}
			var ans deploymentAnswer
			if err := c.do(cmd.Context(), "POST", "/deployments/"+url.PathEscape(args[0])+"/"+action, map[string]any{}, &ans); err != nil {
				return fmt.Errorf("%s: %w", action, err)
			}
			if asJSON {
				return writeJSON(e.stdout, ans)
			}
			var d deployment
			if err := json.Unmarshal(ans.Deployment, &d); err != nil {
				return fmt.Errorf("%s: unexpected answer: %w", action, err)
			}
			fmt.Fprintf(e.stdout, "%s: deployment %s (version %s) is now %s\n", strings.ToUpper(action[:1])+action[1:], d.ID, d.version(), d.Status)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return cmd
}
