package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

type deployOptions struct {
	dir, org, message string
	noBuild, json     bool
}

func deployCommand(e *env) *cobra.Command {
	var o deployOptions
	cmd := &cobra.Command{
		Use:   "deploy --org <organization id>",
		Short: "Build, upload the bundles the platform lacks, and create a development deployment",
		Long: `Builds the project (unless --no-build), asks the platform which bundles it
already has (by sha256), uploads only the others, then creates a development
deployment for the organization --org (you must be an admin there). That
organization's development installation switches to it at once.

The deployment carries the app manifest (surfaces, server functions,
workflow blocks and triggers, webhooks, outbound hosts), the settings
schema, the "environment" of
appstore.json and metadata: the CLI version, the git commit (when the
project is in a repository) and --message.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return deploy(cmd.Context(), e, o)
		},
	}
	cmd.Flags().StringVar(&o.dir, "dir", ".", "the app project's directory")
	cmd.Flags().StringVar(&o.org, "org", "", "the target organization's id (required)")
	cmd.Flags().StringVarP(&o.message, "message", "m", "", "a note stored with the deployment")
	cmd.Flags().BoolVar(&o.noBuild, "no-build", false, "deploy dist/ as it is")
	cmd.Flags().BoolVar(&o.json, "json", false, "print the result as JSON")
	_ = cmd.MarkFlagRequired("org")
	return cmd
}

// bundleRef names a bundle by content, as bundles/check wants it.
type bundleRef struct {
	Type      string `json:"type"`
	SHA256    string `json:"sha256"`
	SizeBytes int64  `json:"size_bytes"`
}

type bundleCheck struct {
	Bundles []struct {
		bundleRef
		Present bool `json:"present"`
	} `json:"bundles"`
}

type deploymentRequest struct {
	TargetOrganizationID string             `json:"target_organization_id"`
	ClientBundleSHA256   string             `json:"client_bundle_sha256,omitempty"`
	ServerBundleSHA256   string             `json:"server_bundle_sha256,omitempty"`
	SettingsSchema       json.RawMessage    `json:"settings_schema,omitempty"`
	Manifest             json.RawMessage    `json:"manifest,omitempty"`
	Environment          map[string]string  `json:"environment,omitempty"`
	Metadata             deploymentMetadata `json:"metadata"`
}

type deploymentMetadata struct {
	CLIVersion string `json:"cli_version"`
	CommitSHA  string `json:"commit_sha,omitempty"`
	Message    string `json:"message,omitempty"`
}

// deployResult is what deploy prints with --json.
type deployResult struct {
	Deployment   json.RawMessage `json:"deployment"`
	Installation json.RawMessage `json:"installation"`
	Uploaded     []string        `json:"uploaded"`
	BytesSent    int64           `json:"bytes_sent"`
}

func deploy(ctx context.Context, e *env, o deployOptions) error {
	p, appID, c, err := e.projectClient(o.dir)
	if err != nil {
		return err
	}
	var m *buildManifest
	if o.noBuild {
		if m, err = readManifest(p.Dir); err != nil {
			return err
		}
	} else {
		res, err := buildProject(p)
		if err != nil {
			return err
		}
		printBuild(e.stderr, res)
		printWarnings(e.stderr, res.Warnings)
		m = &res.Manifest
	}
	app := "/apps/" + url.PathEscape(appID)

	files := map[string]*artifact{"client": m.Client, "server": m.Server}
	var refs []bundleRef
	for _, t := range []string{"client", "server"} {
		if a := files[t]; a != nil {
			refs = append(refs, bundleRef{Type: t, SHA256: a.SHA256, SizeBytes: a.SizeBytes})
		}
	}
	result := deployResult{Uploaded: []string{}}
	if len(refs) > 0 {
		var check bundleCheck
		if err := c.do(ctx, "POST", app+"/bundles/check", map[string]any{"bundles": refs}, &check); err != nil {
			return fmt.Errorf("check bundles: %w", err)
		}
		for _, b := range check.Bundles {
			if b.Present {
				continue
			}
			a := files[b.Type]
			if a == nil || a.SHA256 != b.SHA256 {
				return fmt.Errorf("check bundles: the platform asked for a %s bundle %s that this build does not have", b.Type, b.SHA256)
			}
			if err := uploadBundle(ctx, c, e.stderr, app, b.Type, filepath.Join(p.Dir, distDir, a.File), a); err != nil {
				return err
			}
			result.Uploaded = append(result.Uploaded, b.Type)
			result.BytesSent += a.SizeBytes
		}
	}
	if result.BytesSent == 0 {
		fmt.Fprintln(e.stderr, "bundles unchanged: 0 bytes sent")
	} else {
		fmt.Fprintf(e.stderr, "uploaded %s: %d bytes sent\n", strings.Join(result.Uploaded, " and "), result.BytesSent)
	}

	req := deploymentRequest{
		TargetOrganizationID: o.org,
		Environment:          p.File.Environment,
		Metadata:             deploymentMetadata{CLIVersion: cliVersion(), CommitSHA: gitCommit(ctx, p.Dir), Message: o.message},
	}
	if m.Client != nil {
		req.ClientBundleSHA256 = m.Client.SHA256
	}
	if m.Server != nil {
		req.ServerBundleSHA256 = m.Server.SHA256
	}
	if m.SettingsSchema != nil {
		raw, err := os.ReadFile(filepath.Join(p.Dir, distDir, m.SettingsSchema.File))
		if err != nil {
			return fmt.Errorf("settings schema: %w", err)
		}
		req.SettingsSchema = raw
	}
	if m.AppManifest != nil {
		raw, err := os.ReadFile(filepath.Join(p.Dir, distDir, m.AppManifest.File))
		if err != nil {
			return fmt.Errorf("app manifest: %w", err)
		}
		req.Manifest = raw
	}
	var created struct {
		Deployment   json.RawMessage `json:"deployment"`
		Installation json.RawMessage `json:"installation"`
	}
	if err := c.do(ctx, "POST", app+"/deployments", req, &created); err != nil {
		return fmt.Errorf("create deployment: %w", err)
	}
	result.Deployment, result.Installation = created.Deployment, created.Installation
	if o.json {
		return writeJSON(e.stdout, result)
	}
	var d deployment
	if err := json.Unmarshal(created.Deployment, &d); err != nil {
		return fmt.Errorf("create deployment: unexpected answer: %w", err)
	}
	var inst struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(created.Installation, &inst)
	fmt.Fprintf(e.stdout, "Deployed %s to organization %s\n", d.ID, o.org)
	if inst.ID != "" {
		fmt.Fprintf(e.stdout, "  development installation %s now runs it\n", inst.ID)
	}
	fmt.Fprintf(e.stdout, "  promote it with: appstore-cli promote %s\n", d.ID)
	return nil
}

// uploadBundle streams the file at path to PUT bundles/:type/:sha256 with
// its Content-Length, printing progress on w.
func uploadBundle(ctx context.Context, c *client, w io.Writer, app, typ, path string, a *artifact) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("upload %s bundle: %w", typ, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("upload %s bundle: %w", typ, err)
	}
	if st.Size() != a.SizeBytes {
		return fmt.Errorf("upload %s bundle: %s changed since the build; run appstore-cli build again", typ, path)
	}
	pr := &progressReader{r: f, total: a.SizeBytes, w: w, label: "uploading " + typ + " bundle"}
	req, err := c.request(ctx, "PUT", app+"/bundles/"+url.PathEscape(typ)+"/"+url.PathEscape(a.SHA256), pr)
	if err != nil {
		return err
	}
	req.ContentLength = a.SizeBytes
	req.Header.Set("Content-Type", "application/octet-stream")
	err = c.send(req, nil)
	pr.done()
	if err != nil {
		return fmt.Errorf("upload %s bundle: %w", typ, err)
	}
	return nil
}

// progressReader reports bytes read of total on one rewritten line.
type progressReader struct {
	r            io.Reader
	n, total     int64
	w            io.Writer
	label        string
	last         time.Time
	printedFinal bool
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.n += int64(n)
	if now := time.Now(); now.Sub(p.last) >= 100*time.Millisecond || p.n == p.total {
		p.last = now
		p.print()
	}
	return n, err
}

func (p *progressReader) print() {
	pct := int64(100)
	if p.total > 0 {
		pct = p.n * 100 / p.total
	}
	fmt.Fprintf(p.w, "\r%s: %d/%d bytes (%d%%)", p.label, p.n, p.total, pct)
	p.printedFinal = p.n == p.total
}

// done ends the progress line.
func (p *progressReader) done() {
	if !p.printedFinal {
		p.print()
	}
	fmt.Fprintln(p.w)
}

// gitCommit is the HEAD commit of the repository holding dir, or "".
func gitCommit(ctx context.Context, dir string) string {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "git", "-C", dir, "rev-parse", "HEAD").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
