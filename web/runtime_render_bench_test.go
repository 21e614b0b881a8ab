package web

import (
	"strconv"
	"testing"
)

// The host renderer in Chromium (testdata/runtime/bench.js): a render
// message through a MessageChannel, timed in the page from postMessage to
// the DOM built ("ms") and to layout done ("layout-ms"). Each op is one
// message; the page reports the 50th and 99th percentiles of the run.
// `make bench-render` runs them.

type pageTimes struct {
	DOM      struct{ P50, P99 float64 }
	Layout   struct{ P50, P99 float64 }
	Isolated bool
}

func benchInPage(b *testing.B, call string) {
	ctx := openHarness(b)
	b.ResetTimer()
	r := eval[pageTimes](b, ctx, `window.bench.`+call+`(`+strconv.Itoa(b.N)+`)`)
	b.StopTimer()
	if !r.Isolated {
		b.Fatal("the page is not cross-origin isolated: performance.now() would step by 100 µs")
	}
	b.ReportMetric(r.DOM.P50, "p50-ms")
	b.ReportMetric(r.DOM.P99, "p99-ms")
	b.ReportMetric(r.Layout.P50, "p50-layout-ms")
	b.ReportMetric(r.Layout.P99, "p99-layout-ms")
}

// BenchmarkRenderMount1000 is the first render of a 1,000-node tree.
func BenchmarkRenderMount1000(b *testing.B) { benchInPage(b, "mount") }

// BenchmarkRenderPropsUpdate is one node's props update inside that tree.
func BenchmarkRenderPropsUpdate(b *testing.B) { benchInPage(b, "propsUpdate") }
