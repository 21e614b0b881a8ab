package api

import (
	"net/url"
	"testing"
)

// BenchmarkURLTextCheck is the cost the NUL/UTF-8 check adds to every
// request: a marketplace search URL with three parameters.
func BenchmarkURLTextCheck(b *testing.B) {
	u, _ := url.Parse("/api/v1/marketplace/apps?q=shared+inbox&category=customer-support&cursor=eyJ0IjoiMjAyNiJ9")
	b.ReportAllocs()
	for b.Loop() {
		if err := urlTextProblem(u); err != nil {
			b.Fatal(err)
		}
	}
}
