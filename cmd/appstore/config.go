package main

import (
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"

	"appstore/api"
	"appstore/api/runtime"
)

// devJWTKey signs sessions in development only; production refuses it.
const devJWTKey = "appstore-development-jwt-key-never-use-in-production"

// devEncryptionKey (base64 of 32 bytes) encrypts stored secrets in
// development only; production refuses it.
const devEncryptionKey = "YXBwc3RvcmUtZGV2LWtleS1ub3QtZm9yLXByb2R1Y3Q="

// Config is every setting, read from the environment once at start. A
// secret NAME may instead be given as NAME_FILE, the path of a file holding it.
type Config struct {
	Env            string // development | production
	DatabaseURL    string
	HTTPAddr       string
	WorkerHTTPAddr string
	// RuntimeAddr is where app runtime origins are served; RuntimeDomain
	// is their parent domain: <app-slug>.<RuntimeDomain> (DESIGN §7).
	RuntimeAddr       string
	RuntimeDomain     string
	BaseURL           *url.URL
	JWTSecret         []byte
	TemporalAddress   string
	TemporalNamespace string
	TaskQueue         string
	LogLevel          slog.Level
	LogFormat         string // text | json
	EventRetention    time.Duration
	RetentionInterval time.Duration
	LoginRatePerIP    api.RateLimit
	LoginRatePerEmail api.RateLimit
	MaxBodyBytes      int64
	TrustedProxies    []string
	DataDir           string
	SMTP              SMTPConfig // production mail; development uses the /dev/mail outbox
	// EncryptionKey (32 bytes) encrypts secrets we must use later, such as
	// connection client secrets (AES-256-GCM).
	EncryptionKey []byte
	// SecretGrace is how long a rotated app client secret stays valid.
	SecretGrace time.Duration
	// RotationReminderEvery is how often developers are reminded to rotate.
	RotationReminderEvery time.Duration
	// InstallationRotationEvery is how often each installation client's
	// secret is rotated (and delivered by secret.rotated).
	InstallationRotationEvery time.Duration
	// BlobDir holds uploaded bundles (the filesystem blob store).
	BlobDir string
	// MaxBundleBytes is the largest bundle accepted in one upload.
	MaxBundleBytes int64
	// ReviewReminderAfter is how long a submission may wait before
	// reviewers are reminded (and again after each reminder).
	ReviewReminderAfter time.Duration
	// WebhookRetrySchedule is the delay before each webhook attempt; its
	// length is the number of attempts.
	WebhookRetrySchedule []time.Duration
	// TemporalUIURL is where ops open the Temporal UI; pages link each
	// run there.
	TemporalUIURL string
	// OutboundAllow lists CIDRs that outbound calls to developer-supplied
	// URLs may reach although they are loopback, private or link-local.
	OutboundAllow []*net.IPNet
	// OIDCKeyRotation is the age at which the OpenID Connect signing key
	// is replaced.
	OIDCKeyRotation time.Duration
	// ExampleAppURL is where the example third-party app listens; the
	// seeded catalog apps point their app, callback and webhook URLs there.
	ExampleAppURL string
	// ExampleAppWebhookSecretFile receives the seeded CRM app's webhook
	// signing secret when `appstore seed` makes it (development only):
	// the secret is shown once, and this is how the example app gets it.
	ExampleAppWebhookSecretFile string
}

// SMTPConfig is the mail relay of production.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string
	Password string
	From     string
	TLS      string // starttls | tls | none
}

// Production reports whether the platform runs in production mode.
func (c *Config) Production() bool { return c.Env == "production" }

// setting documents one environment variable, for validation and the README.
type setting struct {
	name, def, help string
}

var settings = []setting{
	{"APPSTORE_ENV", "development", "development or production; production refuses dev keys, demo data and demo passwords"},
	{"DATABASE_URL", "postgres://postgres@127.0.0.1:5432/appstore?sslmode=disable", "PostgreSQL connection URL (also DATABASE_URL_FILE)"},
	{"HTTP_ADDR", "(127.0.0.1:8080 in development, :8080 in production)", "listen address of `serve` (API, web pages, /metrics); development keeps to loopback, since /dev/mail shows sign-in links and the dev keys are public"},
	{"WORKER_HTTP_ADDR", "(127.0.0.1:8081 in development, :8081 in production)", "listen address of `worker` for /healthz, /readyz, /metrics"},
	{"RUNTIME_ADDR", "(127.0.0.1:8088 in development, :8088 in production)", "listen address of the app runtime origins (runtime page, SDK build, client bundles); `serve` runs it beside HTTP_ADDR"},
	{"RUNTIME_DOMAIN", "(apps.localhost in development)", "parent domain of the per-app runtime origins: https://<app-slug>.RUNTIME_DOMAIN in production (behind TLS on 443), http://<app-slug>.apps.localhost:<RUNTIME_ADDR port> in development; must be another site than BASE_URL; required in production"},
	{"BASE_URL", "http://localhost:8080", "public origin of the platform; CSRF checks compare Origin with it; https makes cookies Secure"},
	{"JWT_SECRET", "(development key)", "HMAC key for session JWTs, at least 32 bytes (also JWT_SECRET_FILE); required in production"},
	{"TEMPORAL_ADDRESS", "127.0.0.1:7233", "Temporal frontend host:port"},
	{"TEMPORAL_NAMESPACE", "default", "Temporal namespace"},
	{"TEMPORAL_TASK_QUEUE", "appstore", "task queue of the worker"},
	{"TEMPORAL_UI_URL", "http://localhost:8233", "the Temporal UI; deployment pages link each Promotion run there (empty: no links)"},
	{"LOG_LEVEL", "info", "debug, info, warn or error"},
	{"LOG_FORMAT", "text", "text or json"},
	{"EVENT_RETENTION", "2160h", "how long event log rows are kept (90 days)"},
	{"RETENTION_INTERVAL", "24h", "how often the retention Schedule runs"},
	{"LOGIN_RATE_PER_IP", "20/1m", "sign-in attempts allowed per client IP, as count/period"},
	{"LOGIN_RATE_PER_EMAIL", "5/1m", "sign-in attempts allowed per email, as count/period"},
	{"MAX_BODY_BYTES", "1048576", "largest JSON request body accepted"},
	{"TRUSTED_PROXIES", "", "comma-separated proxy IPs/CIDRs whose X-Forwarded-For is believed"},
	{"DATA_DIR", "./data", "where `appstore dev` keeps the Temporal dev server's state"},
	{"SMTP_HOST", "", "mail relay host; required in production (development mail goes to the /dev/mail outbox)"},
	{"SMTP_PORT", "587", "mail relay port"},
	{"SMTP_USERNAME", "", "mail relay user (optional)"},
	{"SMTP_PASSWORD", "", "mail relay password (also SMTP_PASSWORD_FILE)"},
	{"SMTP_FROM", "Appstore <no-reply@appstore.localhost>", "sender of every mail"},
	{"SMTP_TLS", "starttls", "starttls, tls or none"},
	{"ENCRYPTION_KEY", "(development key)", "base64 of 32 random bytes; encrypts stored secrets we must use (AES-256-GCM); required in production (also ENCRYPTION_KEY_FILE)"},
	{"SECRET_GRACE", "168h", "how long the previous app client secret stays valid after a rotation"},
	{"ROTATION_REMINDER_INTERVAL", "2160h", "how often developers are reminded to rotate app client secrets (90 days)"},
	{"INSTALLATION_SECRET_ROTATION_INTERVAL", "2160h", "how often each installation's OAuth client secret is rotated and delivered by secret.rotated (90 days)"},
	{"BLOB_DIR", "", "where uploaded bundles are stored (default: DATA_DIR/blobs)"},
	{"MAX_BUNDLE_BYTES", "52428800", "largest bundle accepted in one upload (50 MB); account quotas are per developer account"},
	{"REVIEW_REMINDER_AFTER", "24h", "how long a submission waits before reviewers are reminded, and again after each reminder"},
	{"WEBHOOK_RETRY_SCHEDULE", "0s,5s,5m,30m,2h,5h,10h,14h,20h,24h", "delay before each webhook attempt (jitter is added); its length is the number of attempts"},
	{"OIDC_KEY_ROTATION", "720h", "age at which the OpenID Connect signing key is replaced; retired keys stay published until their tokens expire"},
	{"EXAMPLE_APP_URL", "http://localhost:8090", "the example third-party app; the seeded catalog apps (crm: app URL /, callback /callback, webhooks /webhooks) point there"},
	{"EXAMPLE_APP_WEBHOOK_SECRET_FILE", "", "where `appstore seed` writes the seeded crm app's webhook signing secret when it makes it, for the example app (default: DATA_DIR/example-app-webhook-secret)"},
	{"OUTBOUND_ALLOW", "", "CIDRs outbound webhook calls may reach although private or loopback (development allows 127.0.0.0/8 and ::1/128 by default)"},
}

// env looks a setting up: NAME, else the contents of NAME_FILE, else the default.
type env struct {
	lookup func(string) (string, bool)
	errs   []string
}

func (e *env) get(name string) string {
	v, ok := e.lookup(name)
	file, fileOK := e.lookup(name + "_FILE")
	switch {
	case ok && fileOK:
		e.errs = append(e.errs, fmt.Sprintf("%s and %s_FILE are both set; set one", name, name))
	case ok:
		return v
	case fileOK:
		b, err := os.ReadFile(file)
		if err != nil {
			e.errs = append(e.errs, fmt.Sprintf("%s_FILE: cannot read %s: %v", name, file, err))
			return ""
		}
		return strings.TrimRight(string(b), "\r\n")
	}
	for _, s := range settings {
		if s.name == name && !strings.HasPrefix(s.def, "(") {
			return s.def
		}
	}
	return ""
}

func (e *env) fail(name, format string, args ...any) {
	e.errs = append(e.errs, name+": "+fmt.Sprintf(format, args...))
}

func (e *env) duration(name string) time.Duration {
	v := e.get(name)
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		e.fail(name, "%q is not a positive duration such as 24h or 90m", v)
	}
	return d
}

// durations reads a comma-separated list of non-negative durations.
func (e *env) durations(name string) []time.Duration {
	var out []time.Duration
	for _, part := range strings.Split(e.get(name), ",") {
		d, err := time.ParseDuration(strings.TrimSpace(part))
		if err != nil || d < 0 {
			e.fail(name, "%q is not a comma-separated list of durations such as 0s,5s,5m", part)
			return nil
		}
		out = append(out, d)
	}
	return out
}

// cidrs reads a comma-separated list of CIDRs. Empty in development means
// loopback, so a newcomer's local receivers work; production allows none.
func (e *env) cidrs(name, mode string) []*net.IPNet {
	raw := strings.TrimSpace(e.get(name))
	if raw == "" && mode == "development" {
		raw = "127.0.0.0/8,::1/128"
	}
	var out []*net.IPNet
	for _, part := range strings.Split(raw, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		_, n, err := net.ParseCIDR(part)
		if err != nil {
			e.fail(name, "%q is not a CIDR such as 10.0.0.0/8", part)
			continue
		}
		out = append(out, n)
	}
	return out
}

func (e *env) rate(name string) api.RateLimit {
	v := e.get(name)
	count, period, ok := strings.Cut(v, "/")
	n, err1 := strconv.Atoi(count)
	d, err2 := time.ParseDuration(period)
	if !ok || err1 != nil || err2 != nil || n <= 0 || d <= 0 {
		e.fail(name, "%q is not count/period such as 20/1m", v)
		return api.RateLimit{Count: 1, Period: time.Minute}
	}
	return api.RateLimit{Count: n, Period: d}
}

// LoadConfig reads and validates the configuration. The error lists every
// bad value with what is wrong with it.
func LoadConfig(lookup func(string) (string, bool)) (*Config, error) {
	e := &env{lookup: lookup}
	c := &Config{
		Env:               e.get("APPSTORE_ENV"),
		DatabaseURL:       e.get("DATABASE_URL"),
		HTTPAddr:          e.get("HTTP_ADDR"),
		WorkerHTTPAddr:    e.get("WORKER_HTTP_ADDR"),
		RuntimeAddr:       e.get("RUNTIME_ADDR"),
		RuntimeDomain:     strings.ToLower(strings.TrimSpace(e.get("RUNTIME_DOMAIN"))),
		TemporalAddress:   e.get("TEMPORAL_ADDRESS"),
		TemporalNamespace: e.get("TEMPORAL_NAMESPACE"),
		TaskQueue:         e.get("TEMPORAL_TASK_QUEUE"),
		LogFormat:         e.get("LOG_FORMAT"),
		EventRetention:    e.duration("EVENT_RETENTION"),
		RetentionInterval: e.duration("RETENTION_INTERVAL"),
		LoginRatePerIP:    e.rate("LOGIN_RATE_PER_IP"),
		LoginRatePerEmail: e.rate("LOGIN_RATE_PER_EMAIL"),
		DataDir:           e.get("DATA_DIR"),
	}
	if c.Env != "development" && c.Env != "production" {
		e.fail("APPSTORE_ENV", "%q must be development or production", c.Env)
	}
	// Development listens on loopback unless told otherwise: its mail
	// outbox and published keys are for this machine only.
	listenHost := "127.0.0.1"
	if c.Production() {
		listenHost = ""
	}
	if c.HTTPAddr == "" {
		c.HTTPAddr = net.JoinHostPort(listenHost, "8080")
	}
	if c.WorkerHTTPAddr == "" {
		c.WorkerHTTPAddr = net.JoinHostPort(listenHost, "8081")
	}
	if c.RuntimeAddr == "" {
		c.RuntimeAddr = net.JoinHostPort(listenHost, "8088")
	}
	switch {
	case c.RuntimeDomain == "" && c.Production():
		e.fail("RUNTIME_DOMAIN", "is required in production: apps run on https://<app-slug>.RUNTIME_DOMAIN")
	case c.RuntimeDomain == "":
		c.RuntimeDomain = "apps.localhost"
	case !runtimeDomainPattern.MatchString(c.RuntimeDomain):
		e.fail("RUNTIME_DOMAIN", "%q must be a domain name such as apps.example-usercontent.com", c.RuntimeDomain)
	}
	if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		e.fail("DATABASE_URL", "must be a postgres:// URL")
	}
	base := e.get("BASE_URL")
	if u, err := url.Parse(base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
		e.fail("BASE_URL", "%q must be an origin such as https://appstore.example.com", base)
	} else {
		c.BaseURL = &url.URL{Scheme: u.Scheme, Host: u.Host}
		// Browsers treat loopback as a secure context, so a production-mode
		// stack tried out on one machine (docker compose) may use plain http there.
		if c.Env == "production" && u.Scheme != "https" && !isLoopbackHost(u.Hostname()) {
			e.fail("BASE_URL", "must be https in production (plain http only for localhost)")
		}
	}
	secret := e.get("JWT_SECRET")
	switch {
	case secret == "" && c.Env == "production":
		e.fail("JWT_SECRET", "is required in production (at least 32 random bytes; or JWT_SECRET_FILE)")
	case secret == "":
		secret = devJWTKey
	case secret == devJWTKey && c.Env == "production":
		e.fail("JWT_SECRET", "is the development key; production needs its own secret")
	case len(secret) < 32:
		e.fail("JWT_SECRET", "must be at least 32 bytes")
	}
	c.JWTSecret = []byte(secret)
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(e.get("LOG_LEVEL"))); err != nil {
		e.fail("LOG_LEVEL", "must be debug, info, warn or error")
	}
	c.LogLevel = lvl
	if c.LogFormat != "text" && c.LogFormat != "json" {
		e.fail("LOG_FORMAT", "%q must be text or json", c.LogFormat)
	}
	if n, err := strconv.ParseInt(e.get("MAX_BODY_BYTES"), 10, 64); err != nil || n < 1024 {
		e.fail("MAX_BODY_BYTES", "must be a whole number of at least 1024")
	} else {
		c.MaxBodyBytes = n
	}
	for _, p := range strings.Split(e.get("TRUSTED_PROXIES"), ",") {
		if p = strings.TrimSpace(p); p != "" {
			c.TrustedProxies = append(c.TrustedProxies, p)
		}
	}
	if c.BaseURL != nil && c.RuntimeDomain != "" && sameSite(c.BaseURL.Hostname(), c.RuntimeDomain) {
		e.fail("RUNTIME_DOMAIN", "%q must be another site than BASE_URL's host %s: apps on the platform's site could lift their frame's sandbox", c.RuntimeDomain, c.BaseURL.Hostname())
	}
	for name, v := range map[string]string{"HTTP_ADDR": c.HTTPAddr, "WORKER_HTTP_ADDR": c.WorkerHTTPAddr, "RUNTIME_ADDR": c.RuntimeAddr, "TEMPORAL_ADDRESS": c.TemporalAddress} {
		if !strings.Contains(v, ":") {
			e.fail(name, "%q must be host:port or :port", v)
		}
	}
	c.SMTP = SMTPConfig{Host: e.get("SMTP_HOST"), Username: e.get("SMTP_USERNAME"), Password: e.get("SMTP_PASSWORD"),
		From: e.get("SMTP_FROM"), TLS: e.get("SMTP_TLS")}
	if port, err := strconv.Atoi(e.get("SMTP_PORT")); err != nil || port < 1 || port > 65535 {
		e.fail("SMTP_PORT", "must be a port number")
	} else {
		c.SMTP.Port = port
	}
	if c.SMTP.TLS != "starttls" && c.SMTP.TLS != "tls" && c.SMTP.TLS != "none" {
		e.fail("SMTP_TLS", "%q must be starttls, tls or none", c.SMTP.TLS)
	}
	if c.Env == "production" && c.SMTP.Host == "" {
		e.fail("SMTP_HOST", "is required in production: invitations and account mail must be delivered")
	}
	c.SecretGrace = e.duration("SECRET_GRACE")
	c.ReviewReminderAfter = e.duration("REVIEW_REMINDER_AFTER")
	c.TemporalUIURL = strings.TrimSuffix(e.get("TEMPORAL_UI_URL"), "/")
	if c.TemporalUIURL != "" {
		if u, err := url.Parse(c.TemporalUIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			e.fail("TEMPORAL_UI_URL", "%q must be an http(s) URL", c.TemporalUIURL)
		}
	}
	c.BlobDir = e.get("BLOB_DIR")
	if c.BlobDir == "" {
		c.BlobDir = filepath.Join(c.DataDir, "blobs")
	}
	if n, err := strconv.ParseInt(e.get("MAX_BUNDLE_BYTES"), 10, 64); err != nil || n < 1024 {
		e.fail("MAX_BUNDLE_BYTES", "must be a whole number of at least 1024")
	} else {
		c.MaxBundleBytes = n
	}
	c.WebhookRetrySchedule = e.durations("WEBHOOK_RETRY_SCHEDULE")
	c.OutboundAllow = e.cidrs("OUTBOUND_ALLOW", c.Env)
	c.RotationReminderEvery = e.duration("ROTATION_REMINDER_INTERVAL")
	if c.OIDCKeyRotation = e.duration("OIDC_KEY_ROTATION"); c.OIDCKeyRotation > 0 && c.OIDCKeyRotation < time.Hour {
		e.fail("OIDC_KEY_ROTATION", "must be at least 1h")
	}
	c.ExampleAppURL = strings.TrimSuffix(e.get("EXAMPLE_APP_URL"), "/")
	if u, err := url.Parse(c.ExampleAppURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		e.fail("EXAMPLE_APP_URL", "%q must be an http(s) URL", c.ExampleAppURL)
	}
	c.ExampleAppWebhookSecretFile = e.get("EXAMPLE_APP_WEBHOOK_SECRET_FILE")
	if c.ExampleAppWebhookSecretFile == "" {
		c.ExampleAppWebhookSecretFile = filepath.Join(c.DataDir, "example-app-webhook-secret")
	}
	c.InstallationRotationEvery = e.duration("INSTALLATION_SECRET_ROTATION_INTERVAL")
	encKey := e.get("ENCRYPTION_KEY")
	switch {
	case encKey == "" && c.Env == "production":
		e.fail("ENCRYPTION_KEY", "is required in production (base64 of 32 random bytes; or ENCRYPTION_KEY_FILE)")
	case encKey == devEncryptionKey && c.Env == "production":
		e.fail("ENCRYPTION_KEY", "is the development key; production needs its own")
	default:
		if encKey == "" {
			encKey = devEncryptionKey
		}
		if key, err := base64.StdEncoding.DecodeString(encKey); err != nil || len(key) != 32 {
			e.fail("ENCRYPTION_KEY", "must be base64 of exactly 32 bytes")
		} else {
			c.EncryptionKey = key
		}
	}
	if c.TemporalNamespace == "" || c.TaskQueue == "" {
		e.fail("TEMPORAL_NAMESPACE/TEMPORAL_TASK_QUEUE", "must not be empty")
	}
	if len(e.errs) > 0 {
		return nil, errors.New("invalid configuration:\n  " + strings.Join(e.errs, "\n  "))
	}
	return c, nil
}

// isLoopbackHost reports whether host names this machine.
func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

var runtimeDomainPattern = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// sameSite reports whether the platform host and an app runtime origin
// under runtimeDomain share a site (scheme aside): the same registrable
// domain by the public suffix list, as browsers decide.
func sameSite(platformHost, runtimeDomain string) bool {
	site := func(host string) string {
		if ip := net.ParseIP(host); ip != nil {
			return ip.String()
		}
		if s, err := publicsuffix.EffectiveTLDPlusOne(host); err == nil {
			return s
		}
		return host
	}
	return site(strings.ToLower(platformHost)) == site("app."+runtimeDomain)
}

// RuntimeOrigins are the app runtime origins: the platform's scheme, and
// over plain http (development, or a production stack tried out on
// loopback) the runtime listener's port.
func (c *Config) RuntimeOrigins() runtime.Origins {
	o := runtime.Origins{Scheme: c.BaseURL.Scheme, Domain: c.RuntimeDomain}
	if o.Scheme == "http" {
		if _, port, err := net.SplitHostPort(c.RuntimeAddr); err == nil {
			o.Port = port
		}
	}
	return o
}
