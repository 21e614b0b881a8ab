package main

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"text/template"

	"github.com/spf13/cobra"
)

// scaffold is the project init writes; text/template fills in the slug.
// gitignore becomes .gitignore (go:embed would skip a dot file).
//
//go:embed scaffold
var scaffold embed.FS

var (
	slugPattern = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)
	uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	notSlug     = regexp.MustCompile(`[^a-z0-9]+`)
)

func initCommand(e *env) *cobra.Command {
	var slug, appID string
	cmd := &cobra.Command{
		Use:   "init <dir>",
		Short: "Scaffold an app project",
		Long: `Creates an app project in <dir> (created if missing): appstore.json,
src/app.tsx (the App definition: one surface of each kind, a workflow
block and a trigger), src/hello.server.ts (server functions),
src/app.settings.ts (settings), tsconfig.json and .gitignore.
Existing files are never overwritten.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			files, err := scaffoldProject(args[0], slug, appID)
			if err != nil {
				return err
			}
			for _, f := range files {
				fmt.Fprintf(e.stdout, "  created %s\n", f)
			}
			fmt.Fprintf(e.stdout, "Next: cd %s && appstore-cli build\n", args[0])
			if appID == "" {
				fmt.Fprintln(e.stdout, "Before deploying, put the app's id (from the portal) in appstore.json.")
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&slug, "slug", "", "the app's slug (default: from the directory name)")
	cmd.Flags().StringVar(&appID, "app-id", "", "the app's id on the platform (can be added to appstore.json later)")
	return cmd
}

// scaffoldProject writes the scaffold into dir and returns the files it
// created, relative to dir. It writes nothing if any of them exists.
func scaffoldProject(dir, slug, appID string) ([]string, error) {
	if slug == "" {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return nil, err
		}
		slug = strings.Trim(notSlug.ReplaceAllString(strings.ToLower(filepath.Base(abs)), "-"), "-")
	}
	if len(slug) < 3 || len(slug) > 48 || !slugPattern.MatchString(slug) {
		return nil, fmt.Errorf("slug %q: use 3 to 48 lowercase letters, digits and single dashes", slug)
	}
	if appID != "" && !uuidPattern.MatchString(appID) {
		return nil, fmt.Errorf("app id %q is not a UUID (the portal shows the app's id)", appID)
	}
	files := map[string][]byte{}
	pf, err := json.MarshalIndent(projectFile{AppID: appID, Name: slug, Environment: map[string]string{}}, "", "  ")
	if err != nil {
		return nil, err
	}
	files[projectFileName] = append(pf, '\n')
	err = fs.WalkDir(scaffold, "scaffold", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := scaffold.ReadFile(path)
		if err != nil {
			return err
		}
		t, err := template.New(path).Parse(string(raw))
		if err != nil {
			return err
		}
		var out bytes.Buffer
		if err := t.Execute(&out, struct{ Name string }{slug}); err != nil {
			return err
		}
		rel := strings.TrimPrefix(path, "scaffold/")
		if rel == "gitignore" {
			rel = ".gitignore"
		}
		files[rel] = out.Bytes()
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("init: %w", err)
	}
	var names, existing []string
	for rel := range files {
		names = append(names, rel)
		if _, err := os.Lstat(filepath.Join(dir, rel)); err == nil {
			existing = append(existing, rel)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	sort.Strings(names)
	if len(existing) > 0 {
		sort.Strings(existing)
		return nil, fmt.Errorf("init: %s already has %s; nothing was written (init never overwrites)", dir, strings.Join(existing, ", "))
	}
	for _, rel := range names {
		path := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("init: %w", err)
		}
		// O_EXCL: a file that appeared since the check is still not overwritten.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return nil, fmt.Errorf("init: %w", err)
		}
		_, werr := f.Write(files[rel])
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return nil, fmt.Errorf("init: %w", werr)
		}
	}
	return names, nil
}
