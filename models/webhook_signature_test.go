package models_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"appstore/models"
)

// The test vector of the Standard Webhooks specification's reference
// libraries (also checked with Python's hmac module while writing this).
const (
	vectorSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vectorID        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vectorTimestamp = 1614265330
	vectorBody      = `{"test": 2432232314}`
	vectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func TestSignWebhookVector(t *testing.T) {
	got, err := models.SignWebhook(vectorSecret, vectorID, time.Unix(vectorTimestamp, 0), []byte(vectorBody))
	if err != nil {
		t.Fatal(err)
	}
	if got != vectorSignature {
		t.Fatalf("signature %s, want %s", got, vectorSignature)
	}
	// An independent computation, written out from the specification.
	key, _ := base64.StdEncoding.DecodeString(vectorSecret[len("whsec_"):])
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(vectorID + "." + strconv.Itoa(vectorTimestamp) + "." + vectorBody))
	if want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)); got != want {
		t.Fatalf("signature %s, independent computation %s", got, want)
	}
}

func TestSignWebhookRefusesMalformedSecrets(t *testing.T) {
	for _, secret := range []string{"", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_", "whsec_not base64!"} {
		if _, err := models.SignWebhook(secret, "id", time.Now(), nil); err == nil {
			t.Errorf("SignWebhook(%q) signed", secret)
		}
	}
}

func TestVerifyWebhook(t *testing.T) {
	at := time.Unix(vectorTimestamp, 0)
	headers := func(mod func(h http.Header)) http.Header {
		h := http.Header{}
		h.Set(models.WebhookIDHeader, vectorID)
		h.Set(models.WebhookTimestampHeader, strconv.Itoa(vectorTimestamp))
		h.Set(models.WebhookSignatureHeader, vectorSignature)
		if mod != nil {
			mod(h)
		}
		return h
	}
	other := "whsec_" + base64.StdEncoding.EncodeToString([]byte("another secret of thirty-two b!!"))
	for _, tc := range []struct {
		name   string
		secret string
		h      http.Header
		body   string
		now    time.Time
		want   error
	}{
		{"valid", vectorSecret, headers(nil), vectorBody, at, nil},
		{"within tolerance", vectorSecret, headers(nil), vectorBody, at.Add(4 * time.Minute), nil},
		{"one of several signatures", vectorSecret, headers(func(h http.Header) {
			h.Set(models.WebhookSignatureHeader, "v1,AAAA v2,xyz "+vectorSignature)
		}), vectorBody, at, nil},
		{"body changed", vectorSecret, headers(nil), `{"test": 2432232315}`, at, models.ErrWebhookSignature},
		{"id changed", vectorSecret, headers(func(h http.Header) { h.Set(models.WebhookIDHeader, "msg_other") }), vectorBody, at, models.ErrWebhookSignature},
		{"other secret", other, headers(nil), vectorBody, at, models.ErrWebhookSignature},
		{"too old", vectorSecret, headers(nil), vectorBody, at.Add(6 * time.Minute), models.ErrWebhookTimestamp},
		{"from the future", vectorSecret, headers(nil), vectorBody, at.Add(-6 * time.Minute), models.ErrWebhookTimestamp},
		{"no signature", vectorSecret, headers(func(h http.Header) { h.Del(models.WebhookSignatureHeader) }), vectorBody, at, models.ErrWebhookHeaders},
		{"bad timestamp", vectorSecret, headers(func(h http.Header) { h.Set(models.WebhookTimestampHeader, "yesterday") }), vectorBody, at, models.ErrWebhookHeaders},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := models.VerifyWebhook(tc.secret, tc.h, []byte(tc.body), tc.now, 0)
			if !errors.Is(err, tc.want) {
				t.Fatalf("VerifyWebhook = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestWebhookURLRules(t *testing.T) {
	for _, tc := range []struct {
		url           string
		prod, dev     bool // accepted in production, in development
		problemSubstr string
	}{
		{"https://hooks.example.com/appstore", true, true, ""},
		{"https://hooks.example.com:8443/a?b=c", true, true, ""},
		{"http://hooks.example.com/a", false, false, "https"},
		{"http://localhost:8080/hook", false, true, "https"},
		{"http://127.0.0.1:9000/hook", false, true, "https"},
		{"http://[::1]:9000/hook", false, true, "https"},
		{"https://localhost/hook", false, true, "localhost"},
		{"https://10.0.0.5/hook", false, false, "private"},
		{"https://169.254.169.254/latest", false, false, "link-local"},
		{"http://169.254.169.254/latest/meta-data/", false, false, "https"},
		{"https://[fe80::1]/hook", false, false, "link-local"},
		{"https://0.0.0.0/hook", false, false, "loopback"},
		{"http://10.0.0.5/hook", false, false, "https"},
		{"ftp://hooks.example.com/a", false, false, "https"},
		{"https://user:pw@hooks.example.com/a", false, false, "user name"},
		{"https://hooks.example.com/a#frag", false, false, "fragment"},
		{"/relative", false, false, "absolute"},
		{"", false, false, "empty"},
	} {
		prod, dev := models.WebhookURLProblem(tc.url, models.ProductionURLRules()), models.WebhookURLProblem(tc.url, models.DevelopmentURLRules())
		if (prod == "") != tc.prod || (dev == "") != tc.dev {
			t.Errorf("%q: production %q, development %q; want accepted %v/%v", tc.url, prod, dev, tc.prod, tc.dev)
		}
		if !tc.prod && !strings.Contains(prod, tc.problemSubstr) {
			t.Errorf("%q: production problem %q does not say %q", tc.url, prod, tc.problemSubstr)
		}
	}
}

// TestWebhookURLAllowInternal: OUTBOUND_ALLOW opens exactly the networks it
// lists to https (and, in development, http), nothing next to them.
func TestWebhookURLAllowInternal(t *testing.T) {
	_, private, _ := net.ParseCIDR("10.1.0.0/16")
	_, loop, _ := net.ParseCIDR("127.0.0.0/8")
	prod := models.URLRules{Production: true, AllowInternal: []*net.IPNet{private, loop}}
	dev := models.URLRules{AllowInternal: []*net.IPNet{private}}
	for _, tc := range []struct {
		rules models.URLRules
		url   string
		ok    bool
	}{
		{prod, "https://10.1.2.3/hook", true},
		{prod, "http://10.1.2.3/hook", false},
		{prod, "https://10.2.0.1/hook", false},
		{prod, "https://127.0.0.1:8443/hook", true},
		{prod, "https://localhost/hook", false}, // ::1 is not listed
		{prod, "https://169.254.169.254/", false},
		{dev, "http://10.1.2.3/hook", true},
		{dev, "http://10.2.0.1/hook", false},
		{dev, "http://localhost:8080/hook", true},
	} {
		if p := models.WebhookURLProblem(tc.url, tc.rules); (p == "") != tc.ok {
			t.Errorf("%q (production %v): problem %q, want accepted %v", tc.url, tc.rules.Production, p, tc.ok)
		}
	}
}
