package models_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"appstore/models"
)

func TestValidateRedirectURIs(t *testing.T) {
	t.Parallel()
	// want is the message of the single URI's error, "" for none; prod and
	// dev give the answer in production and in development.
	tests := []struct {
		uri       string
		prod, dev string
	}{
		{"https://example.com/callback", "", ""},
		{"https://app.example.com:8443/oauth/cb?tenant=1", "", ""},
		{"https://EXAMPLE.com/Callback", "", ""},
		{"http://example.com/callback", "must use https in production", "must use https (http is allowed only for localhost in development)"},
		{"http://localhost:3000/callback", "must use https in production", ""},
		{"http://127.0.0.1:8080/cb", "must use https in production", ""},
		{"http://[::1]:8080/cb", "must use https in production", ""},
		{"http://app.localhost/cb", "must use https in production", ""},
		{"http://0.0.0.0/cb", "must use https in production", "must use https (http is allowed only for localhost in development)"},
		{"https://localhost/cb", "must not point to localhost, a loopback, private or link-local address in production", ""},
		{"https://LOCALHOST./cb", "must not point to localhost, a loopback, private or link-local address in production", ""},
		{"https://127.0.0.2/cb", "must not point to localhost, a loopback, private or link-local address in production", ""},
		{"https://[::1]/cb", "must not point to localhost, a loopback, private or link-local address in production", ""},
		{"https://0.0.0.0/cb", "must not point to localhost, a loopback, private or link-local address in production", ""},
		{"https://10.0.0.1/cb", "must not point to localhost, a loopback, private or link-local address in production", ""},
		{"https://192.168.1.20/cb", "must not point to localhost, a loopback, private or link-local address in production", ""},
		{"https://169.254.169.254/cb", "must not point to localhost, a loopback, private or link-local address in production", ""},
		{"https://*.example.com/cb", "must not contain wildcards (*): list every address in full", "must not contain wildcards (*): list every address in full"},
		{"https://example.com/*", "must not contain wildcards (*): list every address in full", "must not contain wildcards (*): list every address in full"},
		{"https://example.com/cb#top", "must not have a fragment (#…)", "must not have a fragment (#…)"},
		{"https://example.com/cb#", "must not have a fragment (#…)", "must not have a fragment (#…)"},
		{"https://user:pw@example.com/cb", "must not contain a user name or password", "must not contain a user name or password"},
		{"https://user@example.com/cb", "must not contain a user name or password", "must not contain a user name or password"},
		{"/callback", "must be an absolute URL such as https://example.com/callback", "must be an absolute URL such as https://example.com/callback"},
		{"example.com/callback", "must be an absolute URL such as https://example.com/callback", "must be an absolute URL such as https://example.com/callback"},
		{"//example.com/callback", "must be an absolute URL such as https://example.com/callback", "must be an absolute URL such as https://example.com/callback"},
		{"https:example.com", "must be an absolute URL such as https://example.com/callback", "must be an absolute URL such as https://example.com/callback"},
		{"https://:443/cb", "must name a host", "must name a host"},
		{"com.example.app:/oauth", "must be an absolute URL such as https://example.com/callback", "must be an absolute URL such as https://example.com/callback"},
		{"ftp://example.com/cb", "must use https", "must use https"},
		{"javascript://example.com/%0aalert(1)", "must use https", "must use https"},
		{"", "must not be empty", "must not be empty"},
		{" https://example.com/cb", "must not contain spaces", "must not contain spaces"},
		{"https://exa mple.com/cb", "must not contain spaces", "must not contain spaces"},
		{"https://example.com/%zz", "is not a valid URL", "is not a valid URL"},
		{"https://" + strings.Repeat("a", 2040) + ".com/", "must be at most 2048 characters", "must be at most 2048 characters"},
	}
	for _, tt := range tests {
		for _, mode := range []struct {
			production bool
			want       string
		}{{true, tt.prod}, {false, tt.dev}} {
			t.Run(fmt.Sprintf("%s/production=%t", tt.uri, mode.production), func(t *testing.T) {
				errs := models.ValidateRedirectURIs([]string{tt.uri}, mode.production)
				switch {
				case mode.want == "" && len(errs) != 0:
					t.Fatalf("errors %+v, want none", errs)
				case mode.want != "" && (len(errs) != 1 || errs[0].Field != "redirect_uris[0]" || errs[0].Message != mode.want):
					t.Fatalf("errors %+v, want one on redirect_uris[0]: %q", errs, mode.want)
				}
			})
		}
	}
}

func TestValidateRedirectURIsList(t *testing.T) {
	t.Parallel()
	if errs := models.ValidateRedirectURIs(nil, true); len(errs) != 0 {
		t.Errorf("empty list: %+v, want valid", errs)
	}
	ten := make([]string, 10)
	for i := range ten {
		ten[i] = fmt.Sprintf("https://example.com/cb/%d", i)
	}
	if errs := models.ValidateRedirectURIs(ten, true); len(errs) != 0 {
		t.Errorf("ten URIs: %+v, want valid", errs)
	}
	errs := models.ValidateRedirectURIs(append(ten, "https://example.com/cb/10"), true)
	if len(errs) != 1 || errs[0].Field != "redirect_uris" || !strings.Contains(errs[0].Message, "at most 10") {
		t.Errorf("eleven URIs: %+v, want one list error", errs)
	}

	// Duplicates (scheme and host compare case-insensitively, paths not)
	// and every bad URI get their own error, naming their index.
	errs = models.ValidateRedirectURIs([]string{
		"https://example.com/cb",
		"http://example.com/cb",
		"HTTPS://Example.COM/cb",
		"https://example.com/CB",
		"https://example.com/cb#x",
		"https://example.com/cb",
	}, true)
	want := []models.FieldError{
		{Field: "redirect_uris[1]", Message: "must use https in production"},
		{Field: "redirect_uris[2]", Message: "is the same as redirect_uris[0]"},
		{Field: "redirect_uris[4]", Message: "must not have a fragment (#…)"},
		{Field: "redirect_uris[5]", Message: "is the same as redirect_uris[0]"},
	}
	if fmt.Sprint(errs) != fmt.Sprint(want) {
		t.Errorf("errors = %+v, want %+v", errs, want)
	}
}

// FuzzValidateRedirectURIs checks the rules never panic, report at most
// one error per URI, and accept in production only https URLs to a real
// host without user info, fragment or wildcard.
func FuzzValidateRedirectURIs(f *testing.F) {
	for _, s := range []string{
		"https://example.com/cb", "http://localhost:3000/cb", "https://*.example.com", "https://u@h/#f",
		"http://[::1]:80/", "https://[fe80::1%25en0]/", "//x", "https:%", "https://example.com/?a=b", "\x00",
	} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, raw string, production bool) {
		errs := models.ValidateRedirectURIs([]string{raw, raw}, production)
		if len(errs) > 2 {
			t.Fatalf("%d errors for two URIs: %+v", len(errs), errs)
		}
		if len(errs) == 0 || errs[0].Field != "redirect_uris[0]" {
			// raw was accepted: the copy must be reported as a duplicate.
			if len(errs) != 1 || errs[0].Field != "redirect_uris[1]" {
				t.Fatalf("accepted %q but the duplicate gave %+v", raw, errs)
			}
			u, err := url.Parse(raw)
			if err != nil || u.User != nil || u.Fragment != "" || strings.ContainsAny(raw, "*# ") || u.Host == "" {
				t.Fatalf("accepted %q (%v)", raw, err)
			}
			if production && (u.Scheme != "https" || u.Hostname() == "localhost" || u.Hostname() == "127.0.0.1") {
				t.Fatalf("accepted %q in production", raw)
			}
			if !production && u.Scheme != "https" && u.Scheme != "http" {
				t.Fatalf("accepted scheme of %q", raw)
			}
		}
	})
}
