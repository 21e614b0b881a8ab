package api_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"

	"appstore/api"
	"appstore/models"
	"appstore/models/blob"
)

// deployEnv is a harness whose store keeps bundles in a directory of the
// test's own, the demo team, an app of acme-labs, and the demo
// organizations: dev@acme.test administers Acme Sandbox, member@acme.test
// is a plain member of Acme.
type deployEnv struct {
	*team
	h                   *harness
	blobs               *blob.FS
	app                 *models.App
	sandboxOrg, acmeOrg uuid.UUID
}

func newDeployEnv(t *testing.T, opts ...func(*api.Config)) *deployEnv {
	t.Helper()
	h := newHarness(t, opts...)
	fs, err := blob.NewFS(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	h.store.SetBlobs(fs)
	tm := newTeam(t, h)
	return &deployEnv{team: tm, h: h, blobs: fs, app: newApp(t, h, tm.acme, models.AppUnpublished),
		sandboxOrg: orgNamed(t, h, "Acme Sandbox"), acmeOrg: orgNamed(t, h, "Acme")}
}

func orgNamed(t *testing.T, h *harness, name string) uuid.UUID {
	t.Helper()
	var org models.Organization
	if err := h.store.Gorm().Where("name = ?", name).First(&org).Error; err != nil {
		t.Fatalf("organization %s: %v", name, err)
	}
	return org.ID
}

func hexSHA(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func (e *deployEnv) bundlePath(typ, sha string) string {
	return "/api/v1/apps/" + e.app.ID.String() + "/bundles/" + typ + "/" + sha
}

// put uploads body to path as session, with mods applied to the request.
func (e *deployEnv) put(session, path string, body []byte, mods ...func(*http.Request)) *httptest.ResponseRecorder {
	e.h.t.Helper()
	r := httptest.NewRequest(http.MethodPut, path, bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/octet-stream")
	r.Header.Set("Origin", testOrigin)
	if session != "" {
		r.AddCookie(&http.Cookie{Name: api.SessionCookie, Value: session})
	}
	for _, m := range mods {
		m(r)
	}
	rec := httptest.NewRecorder()
	e.h.server.ServeHTTP(rec, r)
	return rec
}

// upload stores body as a typ bundle through the API and returns it.
func (e *deployEnv) upload(t *testing.T, typ string, body []byte) models.Bundle {
	t.Helper()
	rec := e.put(e.admin, e.bundlePath(typ, hexSHA(body)), body)
	if rec.Code != http.StatusCreated && rec.Code != http.StatusOK {
		t.Fatalf("upload: %d %s", rec.Code, rec.Body.String())
	}
	var b models.Bundle
	decode(t, rec, &b)
	return b
}

// blobFiles lists every file in the blob directory, temporary ones too.
func (e *deployEnv) blobFiles(t *testing.T) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(e.blobs.Dir(), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// snapshot counts what a refused request must not change.
func (e *deployEnv) snapshot(t *testing.T) map[string]int64 {
	t.Helper()
	out := map[string]int64{"blob files": int64(len(e.blobFiles(t)))}
	for _, table := range []string{"app_bundles", "app_deployments", "app_installations", "event_logs"} {
		var n int64
		if err := e.h.store.Gorm().Table(table).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

func (e *deployEnv) wantUnchanged(t *testing.T, before map[string]int64) {
	t.Helper()
	for k, v := range e.snapshot(t) {
		if v != before[k] {
			t.Errorf("%s: %d, was %d", k, v, before[k])
		}
	}
}

func TestBundleUploadAndCheck(t *testing.T) {
	e := newDeployEnv(t)
	client := []byte("export const app = 1")
	sha := hexSHA(client)
	check := func(session string) []models.BundleCheck {
		t.Helper()
		rec := e.h.do(req{method: "POST", path: "/api/v1/apps/" + e.app.ID.String() + "/bundles/check", cookie: session,
			body: map[string]any{"bundles": []map[string]any{
				{"type": "client", "sha256": sha, "size_bytes": len(client)},
				{"type": "server", "sha256": sha, "size_bytes": len(client)},
			}}})
		wantStatus(t, rec, http.StatusOK)
		var resp struct {
			Bundles []models.BundleCheck `json:"bundles"`
		}
		decode(t, rec, &resp)
		if len(resp.Bundles) != 2 {
			t.Fatalf("check answered %+v", resp)
		}
		return resp.Bundles
	}
	if got := check(e.member); got[0].Present || got[0].ID != nil {
		t.Fatalf("before upload: %+v", got)
	}
	rec := e.put(e.member, e.bundlePath("client", sha), client)
	wantStatus(t, rec, http.StatusCreated)
	var b models.Bundle
	decode(t, rec, &b)
	if b.SHA256 != sha || b.SizeBytes != int64(len(client)) || b.Type != models.BundleClient || b.AppID != e.app.ID {
		t.Fatalf("uploaded %+v", b)
	}
	if strings.Contains(rec.Body.String(), "storage_key") {
		t.Fatalf("the storage key leaks: %s", rec.Body.String())
	}
	got := check(e.admin)
	if !got[0].Present || *got[0].ID != b.ID || got[1].Present {
		t.Fatalf("after upload: %+v", got)
	}
	// Same bytes again: 200, the same bundle, nothing new on disk or in the log.
	before := e.snapshot(t)
	rec = e.put(e.admin, e.bundlePath("client", strings.ToUpper(sha)), client)
	wantStatus(t, rec, http.StatusOK)
	var again models.Bundle
	decode(t, rec, &again)
	if again.ID != b.ID {
		t.Fatalf("second upload %s, want %s", again.ID, b.ID)
	}
	e.wantUnchanged(t, before)

	rec = e.h.do(req{method: "GET", path: "/api/v1/apps/" + e.app.ID.String() + "/bundles", cookie: e.member})
	wantStatus(t, rec, http.StatusOK)
	var page models.BundlePage
	decode(t, rec, &page)
	if len(page.Items) != 1 || page.Items[0].ID != b.ID {
		t.Fatalf("list %+v", page)
	}
}

func TestBundleUploadBadInput(t *testing.T) {
	e := newDeployEnv(t, func(c *api.Config) { c.MaxBundleBytes = 4096 })
	body := bytes.Repeat([]byte("0123456789abcdef"), 64) // 1 KiB
	sha := hexSHA(body)
	good := e.bundlePath("server", sha)
	big := bytes.Repeat([]byte("x"), 5000)
	tests := []struct {
		name   string
		path   string
		body   []byte
		mod    func(*http.Request)
		status int
		code   string
	}{
		{"JSON content type", good, body, func(r *http.Request) { r.Header.Set("Content-Type", "application/json") }, 415, "unsupported_media_type"},
		{"no content type", good, body, func(r *http.Request) { r.Header.Del("Content-Type") }, 415, "unsupported_media_type"},
		{"chunked, no length", good, body, func(r *http.Request) { r.ContentLength = -1 }, 400, "content_length_required"},
		{"unknown type", e.bundlePath("wasm", sha), body, nil, 422, "invalid_bundle_type"},
		{"bad sha", e.bundlePath("server", "not-a-hash"), body, nil, 422, "invalid_sha256"},
		{"wrong hash", e.bundlePath("server", hexSHA([]byte("other"))), body, nil, 400, "bundle_hash_mismatch"},
		{"shorter than its length", good, body[:1000], func(r *http.Request) { r.ContentLength = int64(len(body)) }, 400, "bundle_size_mismatch"},
		{"longer than its length", good, body, func(r *http.Request) { r.ContentLength = 1000 }, 400, "bundle_size_mismatch"},
		{"over MAX_BUNDLE_BYTES", e.bundlePath("server", hexSHA(big)), big, nil, 413, "bundle_too_large"},
		{"over MAX_BUNDLE_BYTES while read", e.bundlePath("server", hexSHA(big)), big, func(r *http.Request) { r.ContentLength = 4000 }, 413, "bundle_too_large"},
		{"unknown app", "/api/v1/apps/" + uuid.NewString() + "/bundles/server/" + sha, body, nil, 404, "app_not_found"},
		{"malformed app id", "/api/v1/apps/nope/bundles/server/" + sha, body, nil, 404, "app_not_found"},
	}
	before := e.snapshot(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mods := []func(*http.Request){}
			if tt.mod != nil {
				mods = append(mods, tt.mod)
			}
			wantProblem(t, e.put(e.admin, tt.path, tt.body, mods...), tt.status, tt.code)
		})
	}
	// The account's quota is full.
	if err := e.h.store.Gorm().Exec(`UPDATE developer_accounts SET storage_quota_bytes = 100 WHERE id = ?`, e.acme).Error; err != nil {
		t.Fatal(err)
	}
	p := wantProblem(t, e.put(e.admin, good, body), 413, "storage_quota_exceeded")
	if !strings.Contains(p.Detail, "0 of its 100 bytes") {
		t.Fatalf("quota message %q", p.Detail)
	}
	e.wantUnchanged(t, before)

	checkPath := "/api/v1/apps/" + e.app.ID.String() + "/bundles/check"
	for _, tt := range []struct {
		name   string
		body   any
		status int
		code   string
	}{
		{"not JSON", "{", 400, "malformed_json"},
		{"no list", map[string]any{}, 422, "invalid_bundles"},
		{"unknown field", map[string]any{"bundles": []any{}, "extra": 1}, 422, "unknown_field"},
		{"bad type", map[string]any{"bundles": []any{map[string]any{"type": "wasm", "sha256": sha, "size_bytes": 1}}}, 422, "invalid_bundle_type"},
		{"bad sha", map[string]any{"bundles": []any{map[string]any{"type": "client", "sha256": "abc", "size_bytes": 1}}}, 422, "invalid_sha256"},
		{"size not a number", map[string]any{"bundles": []any{map[string]any{"type": "client", "sha256": sha, "size_bytes": "1"}}}, 422, "invalid_field_type"},
	} {
		t.Run("check/"+tt.name, func(t *testing.T) {
			wantProblem(t, e.h.do(req{method: "POST", path: checkPath, cookie: e.admin, body: tt.body}), tt.status, tt.code)
		})
	}
	e.wantUnchanged(t, before)
}
