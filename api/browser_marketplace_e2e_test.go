package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"go.temporal.io/sdk/worker"

	"appstore/activities"
	"appstore/api"
	"appstore/api/oidcop"
	"appstore/examples/crm-app/crmapp"
	"appstore/models"
	"appstore/models/postgres"
	"appstore/workflows"
	wfclient "appstore/workflows/client"
	"appstore/workflows/temporaltest"
)

// flakyApp stands in front of the example app: its webhook receiver is down
// for the first attempts, then up; it counts what reached the app.
type flakyApp struct {
	next      http.Handler
	mu        sync.Mutex
	downFor   int            // webhook requests still to refuse
	refused   int            // webhook requests refused
	delivered map[string]int // webhook-id -> times the app got it, by event type key "type/id"
}

func (f *flakyApp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/webhooks" {
		f.next.ServeHTTP(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	if f.downFor > 0 {
		f.downFor--
		f.refused++
		f.mu.Unlock()
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	f.mu.Unlock()
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec := httptest.NewRecorder()
	f.next.ServeHTTP(rec, r)
	var ev struct{ Type string }
	_ = json.Unmarshal(body, &ev)
	if rec.Code/100 == 2 {
		f.mu.Lock()
		f.delivered[ev.Type+"/"+r.Header.Get(models.WebhookIDHeader)]++
		f.mu.Unlock()
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

func (f *flakyApp) deliveries(eventType string) (ids []string, times int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for k, n := range f.delivered {
		if strings.HasPrefix(k, eventType+"/") {
			ids = append(ids, strings.TrimPrefix(k, eventType+"/"))
			times += n
		}
	}
	return ids, times
}

// tokenSniffer records the access tokens the example app receives from
// the token endpoint, so the test can try them after the uninstall.
type tokenSniffer struct {
	mu     sync.Mutex
	tokens []string
}

func (s *tokenSniffer) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil || !strings.HasSuffix(r.URL.Path, "/oauth/token") {
		return resp, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if json.Unmarshal(body, &tok) == nil && tok.AccessToken != "" {
		s.mu.Lock()
		s.tokens = append(s.tokens, tok.AccessToken)
		s.mu.Unlock()
	}
	return resp, nil
}

// The whole marketplace path in a real browser: an owner installs the
// example third-party app; its webhook receiver is down for the first
// attempts and then up, and app.installed (with the installation's
// credentials) reaches it once; Open App signs the owner in to the example
// app, which verified the ID token; after the uninstall the access token
// it was given no longer works.
func TestBrowserInstallOpenAppUninstall(t *testing.T) {
	ctx := newBrowser(t)
	loopback := []*net.IPNet{{IP: net.IPv4(127, 0, 0, 0), Mask: net.CIDRMask(8, 32)}}

	// The example app, behind the flaky front, on its own port.
	appL, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	appURL := "http://" + appL.Addr().String()
	secretFile := filepath.Join(t.TempDir(), "webhook-secret")
	sniffer := &tokenSniffer{}
	front := &flakyApp{downFor: 2, delivered: map[string]int{}}

	var provider *oidcop.Provider
	h, origin := serveHarnessOnLoopback(t, func(t *testing.T, opts ...func(*api.Config)) *harness {
		return newHarnessWith(t, func(store *postgres.Store, baseURL string, deps *api.Deps) {
			enc, err := models.NewEncrypter([]byte(strings.Repeat("e", 32)))
			if err != nil {
				t.Fatal(err)
			}
			store.SetEncrypter(enc)
			c := temporaltest.DevServer(t).Client()
			queue := "e2e-" + uuid.NewString()
			w := worker.New(c, queue, worker.Options{})
			workflows.Register(w, &activities.Activities{Store: store, Mailer: &activities.OutboxMailer{Store: store}, BaseURL: baseURL,
				Temporal: wfclient.New(c), HTTPClient: activities.NewOutboundClient(loopback), OutboundAllow: loopback,
				WebhookSchedule: []time.Duration{0, time.Second, time.Second, time.Second, time.Second}})
			if err := w.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(w.Stop)
			deps.Installations = &wfclient.Installations{Client: c, TaskQueue: queue}
			provider, err = oidcop.New(oidcop.Config{Issuer: baseURL, DevMode: true}, store, enc, slog.New(slog.NewTextHandler(t.Output(), nil)))
			if err != nil {
				t.Fatal(err)
			}
			deps.OIDC = provider
		}, opts...)
	})

	crm, err := crmapp.New(crmapp.Config{PublicURL: appURL, Issuer: origin, WebhookSecretFile: secretFile, DataDir: t.TempDir(),
		HTTPClient: &http.Client{Timeout: 10 * time.Second, Transport: sniffer}, Log: slog.New(slog.NewTextHandler(t.Output(), nil))})
	if err != nil {
		t.Fatal(err)
	}
	front.next = crm.Handler()
	appSrv := &httptest.Server{Listener: appL, Config: &http.Server{Handler: front}}
	appSrv.Start()
	t.Cleanup(appSrv.Close)

	// A published app whose URLs are the example app's.
	f := newInstallFixtureOn(t, h)
	bg := context.Background()
	home, cb := appURL+"/", appURL+"/callback"
	if _, err := h.store.UpdateAppListing(bg, f.app.ID, models.AppListingUpdate{AppURL: &home, CallbackURL: &cb}); err != nil {
		t.Fatal(err)
	}
	_, secret, err := h.store.SetAppWebhookURL(bg, f.app.ID, appURL+"/webhooks")
	if err != nil || secret == "" {
		t.Fatalf("webhook secret: %q %v", secret, err)
	}
	if err := os.WriteFile(secretFile, []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(ctx, 4*time.Minute)
	defer cancel()
	apps := "/organizations/" + f.acme.String() + "/apps"
	err = chromedp.Do(ctx, steps(
		chromedp.EmulateViewport(1280, 900),
		browserSignIn(origin, "owner@acme.test", "/organizations/"+f.acme.String()+"/install/"+f.app.Slug),
		chromedp.WaitVisible(`[data-testid=scopes]`),
		navigates(chromedp.Click(`form[data-testid=install] button[type=submit]`)),
		waitJS("the apps page after the install", `location.pathname === `+jsString(apps)+` && new URLSearchParams(location.search).has("installed")`),
		chromedp.WaitVisible(`[data-testid=installed-apps] tr.highlight [data-testid=open-app]`),
	)...)
	if err != nil {
		failShot(t, ctx, "e2e-install", err)
	}

	// app.installed reaches the app once, after the refused attempts.
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if ids, _ := front.deliveries("app.installed"); len(ids) > 0 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	ids, times := front.deliveries("app.installed")
	if len(ids) != 1 || times != 1 || front.refused != 2 {
		t.Fatalf("app.installed reached the app %d times under ids %v after %d refusals; want once after 2", times, ids, front.refused)
	}
	var attempts []models.WebhookAttempt
	h.store.Gorm().Where("delivery_id = ?", ids[0]).Order("attempt").Find(&attempts)
	if len(attempts) != 3 || attempts[0].StatusCode == nil || *attempts[0].StatusCode != 503 || *attempts[2].StatusCode/100 != 2 {
		t.Fatalf("attempts %+v, want 503, 503, 2xx", attempts)
	}

	// Open App: straight through the provider's redirects into the example
	// app, on its own origin.
	err = chromedp.Do(ctx, steps(
		navigates(chromedp.Click(`[data-testid=installed-apps] tr.highlight [data-testid=open-app]`)),
		waitJS("the example app", `location.origin === `+jsString(appURL)+` && document.readyState === "complete"`),
		chromedp.WaitVisible(`[data-testid=signed-in]`),
	)...)
	if err != nil {
		failShot(t, ctx, "e2e-open-app", err)
	}
	signedIn, err := chromedp.Run(ctx, chromedp.Text(`[data-testid=signed-in]`))
	if err != nil || !strings.Contains(signedIn, "owner@acme.test") || !strings.Contains(signedIn, f.acme.String()) {
		t.Fatalf("the example app says %q (%v)", signedIn, err)
	}
	sniffer.mu.Lock()
	tokens := append([]string(nil), sniffer.tokens...)
	sniffer.mu.Unlock()
	if len(tokens) != 1 {
		t.Fatalf("the example app received %d access tokens, want 1", len(tokens))
	}
	userinfo := func() int {
		req, _ := http.NewRequest(http.MethodGet, origin+"/oauth/userinfo", nil)
		req.Header.Set("Authorization", "Bearer "+tokens[0])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := userinfo(); code != http.StatusOK {
		t.Fatalf("userinfo with the app's token before the uninstall: %d", code)
	}

	// Uninstall: the tokens stop working and the app hears of it.
	err = chromedp.Do(ctx, steps(
		chromedp.Navigate(origin+apps),
		chromedp.WaitVisible(`form[data-testid=uninstall] button`),
	)...)
	if err != nil {
		failShot(t, ctx, "e2e-apps", err)
	}
	evaluate(t, ctx, `window.confirm = function () { return true; }; true`)
	// The page reloads after the uninstall: wait for the reloaded one.
	err = chromedp.Do(ctx, steps(
		navigates(chromedp.Click(`form[data-testid=uninstall] button`)),
		chromedp.WaitVisible(`p.empty`),
	)...)
	if err != nil {
		failShot(t, ctx, "e2e-uninstall", err)
	}
	// zitadel/oidc answers a token it refuses at userinfo with 403.
	if code := userinfo(); code != http.StatusUnauthorized && code != http.StatusForbidden {
		t.Fatalf("userinfo with the app's token after the uninstall: %d, want it refused", code)
	}
	deadline = time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if ids, _ := front.deliveries("app.uninstalled"); len(ids) == 1 {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatal("app.uninstalled never reached the example app")
}
