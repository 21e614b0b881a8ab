package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// fakeAPI answers the routes the CLI uses the way the contract describes
// them, and records what it was sent. It lets the CLI's own behaviour
// (what it uploads, what it prints) be tested without the platform.
type fakeAPI struct {
	*httptest.Server
	token string

	mu          sync.Mutex
	bundles     map[string]bool // type/sha256 stored
	puts        []string        // type/sha256 of every PUT
	bytesIn     int64
	deployments []map[string]any // request bodies of POST deployments
	events      []map[string]any // newest first
	answers     map[string]fakeAnswer
}

type fakeAnswer struct {
	status int
	body   string
}

func newFakeAPI(t *testing.T) *fakeAPI {
	f := &fakeAPI{token: "asp_fake0123456789", bundles: map[string]bool{}, answers: map[string]fakeAnswer{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

// answer makes "METHOD /path" answer status and body.
func (f *fakeAPI) answer(route string, status int, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answers[route] = fakeAnswer{status, body}
}

func problemJSON(w http.ResponseWriter, status int, code, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"type":"about:blank","title":%q,"status":%d,"detail":%q,"code":%q}`, http.StatusText(status), status, detail, code)
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer "+f.token {
		problemJSON(w, 401, "unauthorized", "Sign in first.")
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/api/v1")
	if a, ok := f.answers[r.Method+" "+path]; ok {
		ct := "application/json"
		if a.status >= 400 {
			ct = "application/problem+json"
		}
		w.Header().Set("Content-Type", ct)
		w.WriteHeader(a.status)
		io.WriteString(w, a.body)
		return
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case r.Method == "GET" && path == "/me":
		io.WriteString(w, `{"user":{"email":"dev@example.com","name":"Dev"}}`)
	case r.Method == "POST" && len(parts) == 4 && parts[0] == "apps" && parts[2] == "bundles" && parts[3] == "check":
		var in struct {
			Bundles []bundleRef `json:"bundles"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			problemJSON(w, 400, "malformed_json", err.Error())
			return
		}
		out := []map[string]any{}
		for _, b := range in.Bundles {
			out = append(out, map[string]any{"type": b.Type, "sha256": b.SHA256, "size_bytes": b.SizeBytes,
				"present": f.bundles[b.Type+"/"+b.SHA256], "id": nil})
		}
		json.NewEncoder(w).Encode(map[string]any{"bundles": out})
	case r.Method == "PUT" && len(parts) == 5 && parts[0] == "apps" && parts[2] == "bundles":
		if r.ContentLength <= 0 {
			problemJSON(w, 411, "length_required", "Content-Length is required.")
			return
		}
		h := sha256.New()
		n, err := io.Copy(h, r.Body)
		if err != nil || n != r.ContentLength {
			problemJSON(w, 400, "bundle_size_mismatch", "size")
			return
		}
		if hex.EncodeToString(h.Sum(nil)) != parts[4] {
			problemJSON(w, 400, "bundle_hash_mismatch", "The bytes do not hash to the sha256 in the URL.")
			return
		}
		f.bundles[parts[3]+"/"+parts[4]] = true
		f.puts = append(f.puts, parts[3]+"/"+parts[4])
		f.bytesIn += n
		w.WriteHeader(201)
		fmt.Fprintf(w, `{"id":"b-%d","type":%q,"sha256":%q,"size_bytes":%d}`, len(f.puts), parts[3], parts[4], n)
	case r.Method == "POST" && len(parts) == 3 && parts[0] == "apps" && parts[2] == "deployments":
		var in map[string]any
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			problemJSON(w, 400, "malformed_json", err.Error())
			return
		}
		f.deployments = append(f.deployments, in)
		w.WriteHeader(201)
		fmt.Fprintf(w, `{"deployment":{"id":"dep-%d","app_id":%q,"type":"development","version":null,"status":"active","created_at":"2026-01-02T15:04:05Z"},
			"installation":{"id":"inst-1","deployment_id":"dep-%d"}}`, len(f.deployments), parts[1], len(f.deployments))
	case r.Method == "GET" && path == "/events":
		q := r.URL.Query()
		out := []map[string]any{}
		for _, e := range f.events {
			if from := q.Get("from"); from != "" && e["created_at"].(string) < from {
				continue
			}
			out = append(out, e)
		}
		json.NewEncoder(w).Encode(map[string]any{"events": out})
	default:
		problemJSON(w, 404, "route_not_found", "No such endpoint: "+r.Method+" "+r.URL.Path+".")
	}
}

// login logs c in to f.
func (f *fakeAPI) login(t *testing.T, c *cli) {
	t.Helper()
	c.ok("login", "--url", f.URL, "--token", f.token)
}
