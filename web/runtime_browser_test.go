package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"appstore/web/browsertest"
)

// platformCSP is what api sends with every platform page.
const platformCSP = "default-src 'self'; img-src 'self' https: data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// openHarness serves the static assets (as the platform does, under
// /static/) and the test pages of testdata/ on 127.0.0.1, and opens the
// render harness. The returned context ends with the test.
func openHarness(tb testing.TB) context.Context {
	tb.Helper()
	ctx := browsertest.New(tb)
	mux := http.NewServeMux()
	mux.Handle("/static/", http.StripPrefix("/static/", http.FileServerFS(Static())))
	mux.Handle("/test/", http.StripPrefix("/test/", http.FileServerFS(os.DirFS("testdata"))))
	// The platform pages' CSP (api.securityHeaders), so the renderer is
	// tested under it. Cross-origin isolation gives performance.now() 5 µs
	// steps instead of 100 µs, which the benchmarks need.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", platformCSP)
		w.Header().Set("Cross-Origin-Opener-Policy", "same-origin")
		w.Header().Set("Cross-Origin-Embedder-Policy", "require-corp")
		mux.ServeHTTP(w, r)
	}))
	tb.Cleanup(srv.Close)

	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	tb.Cleanup(cancel)
	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/test/runtime/render.html"),
		chromedp.Poll[chromedp.Void](`window.harnessReady === true`, chromedp.WithPollingTimeout(10*time.Second)),
	)
	if err != nil {
		errs, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.pageErrors`))
		tb.Fatalf("open the render harness: %v (page errors: %q)", err, errs)
	}
	return ctx
}

// eval runs a script in the page and decodes its (JSON) result.
func eval[T any](tb testing.TB, ctx context.Context, script string) T {
	tb.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](script, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.Fatalf("%v\nscript: %s", err, script)
	}
	return v
}

// noPageErrors fails the test when the page logged an error or threw.
func noPageErrors(tb testing.TB, ctx context.Context) {
	tb.Helper()
	if errs := eval[[]string](tb, ctx, `window.pageErrors`); len(errs) > 0 {
		tb.Errorf("page errors: %q", errs)
	}
}

// asJSON normalises a value through JSON, so results decoded from the page
// compare with literals written in Go.
func asJSON(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// fromJSON decodes a JSON literal, for comparing with asJSON.
func fromJSON(tb testing.TB, s string) any {
	tb.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		tb.Fatalf("%s: %v", s, err)
	}
	return v
}
