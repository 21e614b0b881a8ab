package runtime

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/uuid"

	"appstore/models"
)

// bundles is a Store of fixed bundles by app slug and hash.
type bundles map[string][]byte

func (b bundles) OpenClientBundle(_ context.Context, slug, sha string) (io.ReadCloser, int64, error) {
	raw, ok := b[slug+"/"+sha]
	if !ok {
		return nil, 0, models.ErrBundleNotFound
	}
	return io.NopCloser(bytes.NewReader(raw)), int64(len(raw)), nil
}

const sha = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

func newTestServer(t *testing.T) (*Server, *Tokens) {
	t.Helper()
	tokens := NewTokens([]byte("secret"), "http://127.0.0.1:8080")
	s, err := New(Config{
		PlatformOrigin: "http://127.0.0.1:8080",
		Origins:        Origins{Scheme: "http", Domain: "apps.localhost", Port: "8090"},
		Tokens:         tokens,
		Store:          bundles{"hello/" + sha: []byte("export default {}")},
		SDK: fstest.MapFS{
			"runtime.json":  {Data: []byte(`{"imports":{"react":"react-1.js","@appstore/sdk":"sdk-1.js"},"boot":"boot-1.js"}`)},
			"react-1.js":    {Data: []byte("export {}")},
			"sdk-1.js":      {Data: []byte("export {}")},
			"boot-1.js":     {Data: []byte("export {}")},
			"chunk-1.js":    {Data: []byte("export {}")},
			"chunk-1.js.gz": {Data: []byte("x")},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return s, tokens
}

func get(s http.Handler, host, target string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", target, nil)
	r.Host = host
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	return w
}

func frame(slug string) Frame {
	return Frame{InstallationID: uuid.New(), DeploymentID: uuid.New(), AppID: uuid.New(), AppSlug: slug, BundleSHA256: sha}
}

func TestRuntimePage(t *testing.T) {
	s, tokens := newTestServer(t)
	f := frame("hello")
	tok, err := tokens.Sign(f)
	if err != nil {
		t.Fatal(err)
	}
	w := get(s, "hello.apps.localhost:8090", "/runtime?t="+tok)
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	csp := w.Header().Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self' 'sha256-", "connect-src 'none'", "frame-ancestors http://127.0.0.1:8080"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe") || strings.Count(csp, "frame-ancestors") != 1 {
		t.Errorf("CSP %q", csp)
	}
	body := w.Body.String()
	for _, want := range []string{
		`<script type="importmap">{"imports":{"@appstore/sdk":"/sdk/sdk-1.js","react":"/sdk/react-1.js"}}</script>`,
		`"app_installation_id":"` + f.InstallationID.String() + `"`,
		`"bundle":"/bundles/` + sha + `.js"`,
		`"platform_origin":"http://127.0.0.1:8080"`,
		`<script type="module" src="/sdk/boot-1.js"></script>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %s:\n%s", want, body)
		}
	}
	if cc := w.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("page Cache-Control %q", cc)
	}
	if len(w.Result().Cookies()) != 0 {
		t.Error("the runtime sets cookies")
	}
}

func TestRuntimePageRefusesBadTokens(t *testing.T) {
	s, tokens := newTestServer(t)
	other, _ := tokens.Sign(frame("other"))
	forged, _ := NewTokens([]byte("not the secret"), "http://127.0.0.1:8080").Sign(frame("hello"))
	expiring := NewTokens([]byte("secret"), "http://127.0.0.1:8080")
	expiring.now = func() time.Time { return time.Now().Add(-DefaultTokenTTL - time.Minute) }
	expired, _ := expiring.Sign(frame("hello"))
	for name, tok := range map[string]string{"none": "", "garbage": "abc.def.ghi", "another app's": other, "forged": forged, "expired": expired} {
		if w := get(s, "hello.apps.localhost:8090", "/runtime?t="+tok); w.Code != http.StatusForbidden || strings.Contains(w.Body.String(), "<script") {
			t.Errorf("%s token: %d %s", name, w.Code, w.Body)
		}
	}
}

func TestRuntimeHostsAndFiles(t *testing.T) {
	s, tokens := newTestServer(t)
	tok, _ := tokens.Sign(frame("hello"))
	for _, host := range []string{"127.0.0.1:8090", "hello.apps.localhost:9999", "hello.apps.localhost", "x.hello.apps.localhost:8090", "hello.apps.localhost.evil.test:8090"} {
		if w := get(s, host, "/runtime?t="+tok); w.Code != http.StatusNotFound {
			t.Errorf("host %s: %d, want 404", host, w.Code)
		}
	}
	w := get(s, "hello.apps.localhost:8090", "/bundles/"+sha+".js")
	if w.Code != 200 || w.Body.String() != "export default {}" || w.Header().Get("Cache-Control") != immutable ||
		!strings.HasPrefix(w.Header().Get("Content-Type"), "text/javascript") {
		t.Fatalf("bundle: %d %q %v", w.Code, w.Body, w.Header())
	}
	if w := get(s, "other.apps.localhost:8090", "/bundles/"+sha+".js"); w.Code != http.StatusNotFound {
		t.Errorf("another app's origin served the bundle: %d", w.Code)
	}
	if w := get(s, "hello.apps.localhost:8090", "/sdk/chunk-1.js"); w.Code != 200 || w.Header().Get("Cache-Control") != immutable {
		t.Errorf("sdk chunk: %d %v", w.Code, w.Header())
	}
	for _, p := range []string{"/sdk/runtime.json", "/sdk/chunk-1.js.gz", "/sdk/../runtime.json", "/", "/static/app.css", "/bundles/abc.js"} {
		if w := get(s, "hello.apps.localhost:8090", p); w.Code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", p, w.Code)
		}
	}
	r := httptest.NewRequest("POST", "/runtime", nil)
	r.Host = "hello.apps.localhost:8090"
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, r)
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", rec.Code)
	}
}

func TestOrigins(t *testing.T) {
	dev := Origins{Scheme: "http", Domain: "apps.localhost", Port: "8090"}
	if got := dev.Of("hello"); got != "http://hello.apps.localhost:8090" {
		t.Fatal(got)
	}
	prod := Origins{Scheme: "https", Domain: "apps.example.com"}
	if got := prod.Of("hello"); got != "https://hello.apps.example.com" {
		t.Fatal(got)
	}
	if slug, ok := prod.SlugOf("Hello.Apps.Example.com"); !ok || slug != "hello" {
		t.Fatalf("%q %v", slug, ok)
	}
	if _, ok := prod.SlugOf("hello.apps.example.com:8443"); ok {
		t.Fatal("a port the origins do not use")
	}
}
