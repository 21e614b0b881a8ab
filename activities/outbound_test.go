package activities_test

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"appstore/activities"
)

func cidrs(t *testing.T, list ...string) []*net.IPNet {
	t.Helper()
	var out []*net.IPNet
	for _, c := range list {
		_, n, err := net.ParseCIDR(c)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

func TestOutboundRefusal(t *testing.T) {
	loopbackAllowed := cidrs(t, "127.0.0.0/8", "::1/128")
	for _, tc := range []struct {
		ip      string
		allow   []*net.IPNet
		refused string // "" when allowed
	}{
		{"93.184.216.34", nil, ""},
		{"2606:4700::6810:84e5", nil, ""},
		{"127.0.0.1", nil, "loopback"},
		{"127.5.6.7", nil, "loopback"},
		{"::1", nil, "loopback"},
		{"::ffff:127.0.0.1", nil, "loopback"},
		{"10.1.2.3", nil, "private"},
		{"172.16.0.1", nil, "private"},
		{"192.168.1.1", nil, "private"},
		{"fd00::1", nil, "private"},
		{"169.254.169.254", nil, "link-local"},
		{"fe80::1", nil, "link-local"},
		{"0.0.0.0", nil, "unspecified"},
		{"::", nil, "unspecified"},
		{"224.0.0.1", nil, "link-local"}, // 224.0.0.0/24 is link-local multicast
		{"239.1.2.3", nil, "multicast"},
		{"ff02::1", nil, "link-local"},
		{"100.64.0.1", nil, "reserved"},
		{"64:ff9b::a00:1", nil, "reserved"},
		{"255.255.255.255", nil, "reserved"},
		{"127.0.0.1", loopbackAllowed, ""},
		{"::1", loopbackAllowed, ""},
		{"10.1.2.3", loopbackAllowed, "private"},
		{"10.1.2.3", cidrs(t, "10.1.0.0/16"), ""},
	} {
		got := activities.OutboundRefusal(net.ParseIP(tc.ip), tc.allow)
		if (got == "") != (tc.refused == "") || !strings.Contains(got, tc.refused) {
			t.Errorf("OutboundRefusal(%s, %v) = %q, want %q", tc.ip, tc.allow, got, tc.refused)
		}
	}
}

// The dialer checks resolved addresses: a literal loopback address and a
// name that resolves to one are both refused, unless allowed.
func TestOutboundClientRefusesInternalAddresses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	defer srv.Close()
	port := srv.URL[strings.LastIndex(srv.URL, ":"):]
	for _, u := range []string{srv.URL, "http://localhost" + port} {
		_, err := activities.NewOutboundClient(nil).Post(u, "application/json", strings.NewReader("{}"))
		var refused *activities.RefusedAddressError
		if !errors.As(err, &refused) || !refused.IP.IsLoopback() {
			t.Fatalf("POST %s: %v, want a refused loopback address", u, err)
		}
	}
	resp, err := activities.NewOutboundClient(cidrs(t, "127.0.0.0/8", "::1/128")).Post(srv.URL, "application/json", strings.NewReader("{}"))
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("allowed POST: %v %v", resp, err)
	}
	resp.Body.Close()
}

func TestOutboundClientFollowsNoRedirect(t *testing.T) {
	hit := make(chan string, 2)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hit <- r.URL.Path
		http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
	}))
	defer srv.Close()
	resp, err := activities.NewOutboundClient(cidrs(t, "127.0.0.0/8")).Post(srv.URL+"/hook", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTemporaryRedirect || len(hit) != 1 {
		t.Fatalf("status %d after %d requests, want the 307 itself", resp.StatusCode, len(hit))
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		header string
		want   int
	}{
		{"", 0},
		{"120", 120},
		{" 7 ", 7},
		{"0", 0},
		{"-5", 0},
		{"1.5", 0},
		{"soon", 0},
		{"999999999999999999999", 86400},
		{"172800", 86400},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
		{now.Add(72 * time.Hour).Format(http.TimeFormat), 86400},
		{"Sunday, 01-Mar-26 12:01:00 GMT", 60}, // RFC 850, which HTTP-date also allows
	} {
		if got := activities.ParseRetryAfter(tc.header, now); got != tc.want {
			t.Errorf("ParseRetryAfter(%q) = %d, want %d", tc.header, got, tc.want)
		}
	}
}

func TestWebhookOutcome(t *testing.T) {
	for _, tc := range []struct {
		res  activities.WebhookAttemptResult
		want string
	}{
		{activities.WebhookAttemptResult{StatusCode: 200}, activities.WebhookOutcomeDelivered},
		{activities.WebhookAttemptResult{StatusCode: 204}, activities.WebhookOutcomeDelivered},
		{activities.WebhookAttemptResult{StatusCode: 410}, activities.WebhookOutcomeGone},
		{activities.WebhookAttemptResult{StatusCode: 400}, activities.WebhookOutcomeRejected},
		{activities.WebhookAttemptResult{StatusCode: 401}, activities.WebhookOutcomeRejected},
		{activities.WebhookAttemptResult{StatusCode: 404}, activities.WebhookOutcomeRejected},
		{activities.WebhookAttemptResult{StatusCode: 408}, activities.WebhookOutcomeRetry},
		{activities.WebhookAttemptResult{StatusCode: 425}, activities.WebhookOutcomeRetry},
		{activities.WebhookAttemptResult{StatusCode: 429}, activities.WebhookOutcomeRetry},
		{activities.WebhookAttemptResult{StatusCode: 500}, activities.WebhookOutcomeRetry},
		{activities.WebhookAttemptResult{StatusCode: 503}, activities.WebhookOutcomeRetry},
		{activities.WebhookAttemptResult{StatusCode: 302}, activities.WebhookOutcomeRetry},
		{activities.WebhookAttemptResult{Error: "connection refused"}, activities.WebhookOutcomeRetry},
		{activities.WebhookAttemptResult{Skipped: "The endpoint is disabled."}, activities.WebhookOutcomeSkipped},
	} {
		if got := tc.res.Outcome(); got != tc.want {
			t.Errorf("%+v: %s, want %s", tc.res, got, tc.want)
		}
	}
	if got := activities.WebhookRetryWait(time.Minute, 30); got != time.Minute {
		t.Errorf("a shorter Retry-After waits %s, want the planned minute", got)
	}
	if got := activities.WebhookRetryWait(time.Minute, 600); got != 10*time.Minute {
		t.Errorf("a longer Retry-After waits %s, want 10m", got)
	}
	if got := activities.WebhookRetryWait(0, 10*86400); got != activities.MaxRetryAfter {
		t.Errorf("Retry-After of 10 days waits %s, want the cap", got)
	}
}
