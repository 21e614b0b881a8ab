package models_test

import (
	"net/url"
	"strings"
	"testing"

	"appstore/models"
)

func TestLocalPath(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		want string
	}{
		{"/apps", "/apps"},
		{"/organizations/acme/apps?tab=installed", "/organizations/acme/apps?tab=installed"},
		{"/oauth/authorize?client_id=x&redirect_uri=https%3A%2F%2Fapp.example%2Fcb", "/oauth/authorize?client_id=x&redirect_uri=https%3A%2F%2Fapp.example%2Fcb"},
		{"/", "/"},
		{"", "/"},
		{"apps", "/"},
		{"//evil.example/phish", "/"},
		{"/\\evil.example", "/"},
		{"/\t/evil.example/phish", "/"},
		{"/\t\\evil.com", "/"},
		{"/\n/evil.example", "/"},
		{"/\r//evil.example", "/"},
		{"/a\\b", "/"},
		{"/%2F%2Fevil.example", "/"},
		{"/%09/evil.example", "/"},
		{"/%5Cevil.example", "/"},
		{"/apps%20list", "/apps%20list"},
		{"https://evil.example/", "/"},
		{"javascript:alert(1)", "/"},
		{"/\x00", "/"},
		{"/\x7f", "/"},
		{"/\u0085x", "/"},
		{"/\xff", "/"},
		{"/" + strings.Repeat("a", models.MaxLocalPathLen), "/"},
	} {
		if got := models.LocalPath(tc.raw); got != tc.want {
			t.Errorf("LocalPath(%q) = %q, want %q", tc.raw, got, tc.want)
		}
	}
}

// FuzzLocalPath checks that whatever LocalPath lets through stays on the
// site even as a lenient browser reads it: TAB, CR and LF dropped and
// backslashes taken for slashes.
func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"/apps", "/\t/evil.example", "//x", "/\\x", "/%2f%2fx", "/a?next=//b", "/\u2028x"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://platform.example/login")
	f.Fuzz(func(t *testing.T, raw string) {
		got := models.LocalPath(raw)
		if got != raw && got != "/" {
			t.Fatalf("LocalPath(%q) = %q: neither the input nor /", raw, got)
		}
		lenient := strings.NewReplacer("\t", "", "\r", "", "\n", "", "\\", "/").Replace(got)
		ref, err := url.Parse(lenient)
		if err != nil {
			t.Fatalf("accepted %q does not parse as a browser would read it: %v", raw, err)
		}
		if u := base.ResolveReference(ref); u.Host != base.Host || u.Scheme != base.Scheme {
			t.Fatalf("LocalPath(%q) = %q leaves the site: %s", raw, got, u)
		}
	})
}
