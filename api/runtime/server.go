package runtime

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"strings"
	"text/template"

	"appstore/models"
)

// Store opens client bundles by app slug and hash.
type Store interface {
	OpenClientBundle(ctx context.Context, appSlug, sha string) (io.ReadCloser, int64, error)
}

// Config is what a runtime server needs.
type Config struct {
	PlatformOrigin string  // the only page allowed to frame the runtime (frame-ancestors)
	Origins        Origins // app runtime origins
	Tokens         *Tokens
	Store          Store
	// SDK is the pinned runtime build (web.Runtime()): runtime.json names
	// the files the import map and the boot script point at.
	SDK    fs.FS
	Logger *slog.Logger
}

// buildIndex is runtime.json of the SDK build.
type buildIndex struct {
	Imports map[string]string `json:"imports"`
	Boot    string            `json:"boot"`
}

// Server is the runtime listener's handler.
type Server struct {
	cfg       Config
	importMap string // the import map's JSON, as it appears in the page
	csp       string
	boot      string
}

// immutable is how long browsers keep content-addressed files: they never
// change under their name.
const immutable = "public, max-age=31536000, immutable"

// New builds the runtime server from cfg, reading the SDK build's index.
func New(cfg Config) (*Server, error) {
	raw, err := fs.ReadFile(cfg.SDK, "runtime.json")
	if err != nil {
		return nil, fmt.Errorf("runtime: the SDK build has no runtime.json: %w", err)
	}
	var idx buildIndex
	if err := json.Unmarshal(raw, &idx); err != nil || idx.Boot == "" || len(idx.Imports) == 0 {
		return nil, fmt.Errorf("runtime: runtime.json must name the boot module and the imports")
	}
	imports := map[string]string{}
	for spec, file := range idx.Imports {
		if !sdkName.MatchString(file) {
			return nil, fmt.Errorf("runtime: runtime.json names %q, not a plain .js file name", file)
		}
		if _, err := fs.Stat(cfg.SDK, file); err != nil {
			return nil, fmt.Errorf("runtime: runtime.json names %s for %s, which the build lacks", file, spec)
		}
		imports[spec] = "/sdk/" + file
	}
	if _, err := fs.Stat(cfg.SDK, idx.Boot); err != nil || !sdkName.MatchString(idx.Boot) {
		return nil, fmt.Errorf("runtime: runtime.json names boot %s, which the build lacks", idx.Boot)
	}
	im, err := json.Marshal(map[string]any{"imports": imports})
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(im)
	// Scripts only from the app's own origin, plus the one inline import
	// map by hash; no fetch, no frames, no forms, no base: the frame's only
	// way out is postMessage to the platform.
	csp := strings.Join([]string{
		"default-src 'none'",
		"script-src 'self' 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'",
		"connect-src 'none'",
		"base-uri 'none'",
		"form-action 'none'",
		"frame-ancestors " + cfg.PlatformOrigin,
	}, "; ")
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Server{cfg: cfg, importMap: string(im), csp: csp, boot: "/sdk/" + idx.Boot}, nil
}

// sdkName is the shape of the build's file names, which the page quotes.
var sdkName = regexp.MustCompile(`^[A-Za-z0-9_-][A-Za-z0-9._-]*\.js$`)

var bundlePath = regexp.MustCompile(`^/bundles/([0-9a-f]{64})\.js$`)

// ServeHTTP answers GET and HEAD of the runtime page, SDK files and
// bundles, on an app's runtime origin only; it never reads a cookie.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.Header.Del("Cookie")
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	// Every app's origin is its own agent cluster, which Chromium gives a
	// process of its own: app origins under one RUNTIME_DOMAIN are one
	// site, and without this one app's busy loop would stall the others.
	h.Set("Origin-Agent-Cluster", "?1")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	slug, ok := s.cfg.Origins.SlugOf(r.Host)
	if !ok {
		http.NotFound(w, r)
		return
	}
	switch p := r.URL.Path; {
	case p == "/runtime":
		s.page(w, r, slug)
	case strings.HasPrefix(p, "/sdk/"):
		s.sdkFile(w, r, strings.TrimPrefix(p, "/sdk/"))
	case bundlePath.MatchString(p):
		s.bundle(w, r, slug, bundlePath.FindStringSubmatch(p)[1])
	default:
		http.NotFound(w, r)
	}
}

// pageContext is what the SDK's boot module reads from the page.
type pageContext struct {
	AppID             string `json:"app_id"`
	AppInstallationID string `json:"app_installation_id"`
	DeploymentID      string `json:"deployment_id"`
	PlatformOrigin    string `json:"platform_origin"`
	Bundle            string `json:"bundle"`
}

// pageTemplate is a text template: html/template would escape the import
// map, whose exact bytes the CSP hash covers. Every value is ours and
// JSON from json.Marshal, which escapes <, > and &, so no value can close
// its script element.
var pageTemplate = template.Must(template.New("runtime").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>App runtime</title>
<script type="importmap">{{.ImportMap}}</script>
<script type="application/json" id="appstore-context">{{.Context}}</script>
<script type="module" src="{{.Boot}}"></script>
</head><body></body></html>
`))

func (s *Server) page(w http.ResponseWriter, r *http.Request, slug string) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", s.csp)
	f, err := s.cfg.Tokens.Verify(r.URL.Query().Get("t"))
	if err != nil || f.AppSlug != slug {
		// A forged, expired or other app's token opens nothing here.
		http.Error(w, "This app frame has expired or is not for this app. Reload the page.", http.StatusForbidden)
		return
	}
	ctxJSON, err := json.Marshal(pageContext{AppID: f.AppID.String(), AppInstallationID: f.InstallationID.String(),
		DeploymentID: f.DeploymentID.String(), PlatformOrigin: s.cfg.PlatformOrigin, Bundle: "/bundles/" + f.BundleSHA256 + ".js"})
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	err = pageTemplate.Execute(w, map[string]any{"ImportMap": s.importMap, "Context": string(ctxJSON), "Boot": s.boot})
	if err != nil {
		s.cfg.Logger.Warn("runtime page", "err", err)
	}
}

func (s *Server) sdkFile(w http.ResponseWriter, r *http.Request, name string) {
	if name == "runtime.json" || !fs.ValidPath(name) || path.Ext(name) != ".js" {
		http.NotFound(w, r)
		return
	}
	raw, err := fs.ReadFile(s.cfg.SDK, name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("Cache-Control", immutable)
	h.Set("Content-Length", strconv.Itoa(len(raw)))
	if r.Method == http.MethodGet {
		_, _ = w.Write(raw)
	}
}

func (s *Server) bundle(w http.ResponseWriter, r *http.Request, slug, sha string) {
	body, size, err := s.cfg.Store.OpenClientBundle(r.Context(), slug, sha)
	if errors.Is(err, models.ErrBundleNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		s.cfg.Logger.Error("runtime bundle", "app", slug, "sha256", sha, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	defer body.Close()
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("Cache-Control", immutable)
	h.Set("ETag", `"`+sha+`"`)
	h.Set("Content-Length", strconv.FormatInt(size, 10))
	if r.Method == http.MethodGet {
		if _, err := io.Copy(w, body); err != nil {
			s.cfg.Logger.Warn("runtime bundle: send", "app", slug, "err", err)
		}
	}
}
