// Package crmapp is the example third-party app behind examples/crm-app,
// a package of its own so that `appstore dev` can run it in-process.
package crmapp

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/zitadel/oidc/v3/pkg/client/rp"
)

// Config is the app's configuration.
type Config struct {
	Addr              string // listen address
	PublicURL         string // the app's URL as browsers see it; the redirect URI is PublicURL + "/callback"
	Issuer            string // the Appstore's issuer; iss parameters naming another are refused
	WebhookSecretFile string // holds the app's whsec_ secret
	DataDir           string // where installations.json lives
	HTTPClient        *http.Client
	Log               *slog.Logger
}

// App is the example app.
type App struct {
	cfg      Config
	log      *slog.Logger
	installs *installs

	mu       sync.Mutex
	parties  map[string]rp.RelyingParty // by client_id + secret: a rotation makes a new one
	pending  map[string]pendingLogin    // by state
	sessions map[string]session         // by session cookie value
}

type pendingLogin struct {
	installationID, nonce, verifier string
	created                         time.Time
}

type session struct {
	email, name, orgID, installationID string
}

// New loads the app's installations and returns it.
func New(cfg Config) (*App, error) {
	if cfg.Issuer == "" || cfg.PublicURL == "" {
		return nil, errors.New("crm-app: issuer and public URL are required")
	}
	cfg.Issuer = strings.TrimSuffix(cfg.Issuer, "/")
	cfg.PublicURL = strings.TrimSuffix(cfg.PublicURL, "/")
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	in, err := loadInstalls(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	return &App{cfg: cfg, log: cfg.Log, installs: in, parties: map[string]rp.RelyingParty{},
		pending: map[string]pendingLogin{}, sessions: map[string]session{}}, nil
}

// Handler serves the app's routes.
func (a *App) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/webhooks", a.webhooks)
	mux.HandleFunc("GET /{$}", a.home)
	mux.HandleFunc("GET /login", a.login)
	mux.HandleFunc("GET /callback", a.callback)
	mux.HandleFunc("POST /logout", a.logout)
	return mux
}

// Run serves the app on cfg.Addr until ctx ends.
func Run(ctx context.Context, cfg Config) error {
	a, err := New(cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: a.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	a.log.Info("example app listening", "addr", ln.Addr().String(), "url", a.cfg.PublicURL)
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
