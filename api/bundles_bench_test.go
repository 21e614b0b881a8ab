package api_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"appstore/api"
	"appstore/models"
	"appstore/models/blob"
	"appstore/models/postgres"
	"appstore/models/postgres/pgtest"
)

// benchEnv is the real router over a fresh seeded database, served by an
// httptest server on loopback, with bundles in an FS blob store under dir.
type benchEnv struct {
	ts      *httptest.Server
	store   *postgres.Store
	token   string // dev@acme.test's session, sent as a bearer token
	app     uuid.UUID
	sandbox uuid.UUID
	dir     string
}

func newBenchEnv(b *testing.B) *benchEnv {
	b.Helper()
	ctx := context.Background()
	store := postgres.NewStore(pgtest.New(b))
	if _, err := store.SeedDemo(ctx); err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	fs, err := blob.NewFS(filepath.Join(dir, "blobs"))
	if err != nil {
		b.Fatal(err)
	}
	store.SetBlobs(fs)
	base, _ := url.Parse(testOrigin)
	srv, err := api.New(api.Config{BaseURL: base, JWTKey: testKey, MaxBodyBytes: 1 << 20,
		LoginRatePerIP: api.RateLimit{Count: 1000, Period: time.Minute}, LoginRatePerEmail: api.RateLimit{Count: 1000, Period: time.Minute}},
		api.Deps{Stores: storesOf(store), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	dev, err := store.GetUserByEmail(ctx, "dev@acme.test")
	if err != nil {
		b.Fatal(err)
	}
	token, _, err := srv.Sessions().Issue(dev)
	if err != nil {
		b.Fatal(err)
	}
	var acct models.DeveloperAccount
	var sandbox models.Organization
	if err := store.Gorm().Where("slug = ?", "acme-labs").First(&acct).Error; err != nil {
		b.Fatal(err)
	}
	if err := store.Gorm().Where("name = ?", "Acme Sandbox").First(&sandbox).Error; err != nil {
		b.Fatal(err)
	}
	// Room for every iteration's bundle.
	if err := store.Gorm().Exec(`UPDATE developer_accounts SET storage_quota_bytes = ? WHERE id = ?`, int64(1)<<40, acct.ID).Error; err != nil {
		b.Fatal(err)
	}
	app, err := store.CreateApp(ctx, acct.ID, "bench-app", "Bench App")
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	b.Cleanup(ts.Close)
	return &benchEnv{ts: ts, store: store, token: token, app: app.ID, sandbox: sandbox.ID, dir: dir}
}

func (e *benchEnv) send(b *testing.B, method, path, contentType string, body []byte, want int) []byte {
	b.Helper()
	r, err := http.NewRequest(method, e.ts.URL+path, bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	r.Header.Set("Content-Type", contentType)
	r.Header.Set("Authorization", "Bearer "+e.token)
	resp, err := e.ts.Client().Do(r)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		b.Fatalf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, out)
	}
	return out
}

func (e *benchEnv) uploadPath(typ string, body []byte) string {
	return "/api/v1/apps/" + e.app.String() + "/bundles/" + typ + "/" + hexSHA(body)
}

// BenchmarkBundleUpload compares, in one run and on the same disk, a 20 MB
// bundle upload through the real handler (HTTP on loopback, SHA-256 while
// streaming, temp file, fsync, rename, PostgreSQL row and event) with a
// plain io.Copy of the same bytes into a file, and with io.Copy plus fsync.
// Every upload sends new bytes, so none is answered from the existing row.
// The README quotes the figures and how to reproduce them.
func BenchmarkBundleUpload(b *testing.B) {
	e := newBenchEnv(b)
	payload := make([]byte, 20<<20)
	rng := rand.New(rand.NewChaCha8([32]byte{1}))
	for i := 0; i < len(payload); i += 8 {
		binary.LittleEndian.PutUint64(payload[i:], rng.Uint64())
	}
	// With -count, each sub-benchmark runs count times in a row: the ratio
	// compares the medians.
	perOp := map[string][]time.Duration{}
	record := func(b *testing.B, name string) { perOp[name] = append(perOp[name], b.Elapsed()/time.Duration(b.N)) }
	median := func(name string) float64 {
		ds := slices.Clone(perOp[name])
		slices.Sort(ds)
		if len(ds) == 0 {
			return 0
		}
		return float64(ds[len(ds)/2])
	}

	var n uint64 // across runs, so every upload is new content
	b.Run("handler", func(b *testing.B) {
		b.SetBytes(int64(len(payload)))
		for b.Loop() {
			b.StopTimer()
			n++
			binary.LittleEndian.PutUint64(payload, n) // new content, new hash
			path := e.uploadPath("client", payload)
			b.StartTimer()
			e.send(b, http.MethodPut, path, "application/octet-stream", payload, http.StatusCreated)
		}
		record(b, "handler")
	})
	copyTo := func(b *testing.B, name string, sync bool) {
		b.SetBytes(int64(len(payload)))
		for b.Loop() {
			n++
			f, err := os.Create(filepath.Join(e.dir, fmt.Sprintf("%s-%d", name, n)))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.Copy(f, bytes.NewReader(payload)); err != nil {
				b.Fatal(err)
			}
			if sync {
				if err := f.Sync(); err != nil {
					b.Fatal(err)
				}
			}
			if err := f.Close(); err != nil {
				b.Fatal(err)
			}
		}
		record(b, name)
	}
	b.Run("io.Copy", func(b *testing.B) { copyTo(b, "io.Copy", false) })
	b.Run("io.Copy+fsync", func(b *testing.B) { copyTo(b, "io.Copy+fsync", true) })
	if h := median("handler"); h > 0 {
		b.Logf("upload throughput / io.Copy throughput = %.2f; / io.Copy+fsync = %.2f (medians of %d runs)",
			median("io.Copy")/h, median("io.Copy+fsync")/h, len(perOp["handler"]))
	}
}

// BenchmarkRedeployUnchanged measures what `appstore-cli deploy` costs when
// every bundle is already stored: the check call (both present, no bytes
// sent) and the creation of the development deployment, which supersedes
// the previous one and moves the organization's installation.
func BenchmarkRedeployUnchanged(b *testing.B) {
	e := newBenchEnv(b)
	client := bytes.Repeat([]byte("client bundle "), 50_000)
	server := bytes.Repeat([]byte("server bundle "), 20_000)
	e.send(b, http.MethodPut, e.uploadPath("client", client), "application/octet-stream", client, http.StatusCreated)
	e.send(b, http.MethodPut, e.uploadPath("server", server), "application/octet-stream", server, http.StatusCreated)
	check, _ := json.Marshal(map[string]any{"bundles": []map[string]any{
		{"type": "client", "sha256": hexSHA(client), "size_bytes": len(client)},
		{"type": "server", "sha256": hexSHA(server), "size_bytes": len(server)},
	}})
	deploy, _ := json.Marshal(map[string]any{"target_organization_id": e.sandbox,
		"client_bundle_sha256": hexSHA(client), "server_bundle_sha256": hexSHA(server),
		"environment": map[string]string{"API_URL": "https://api.example.test"},
		"metadata":    map[string]string{"cli_version": "0.1.0", "commit_sha": "abc1234"}})
	apps := "/api/v1/apps/" + e.app.String()
	for b.Loop() {
		var answer struct{ Bundles []models.BundleCheck }
		if err := json.Unmarshal(e.send(b, http.MethodPost, apps+"/bundles/check", "application/json", check, http.StatusOK), &answer); err != nil {
			b.Fatal(err)
		}
		for _, c := range answer.Bundles {
			if !c.Present {
				b.Fatalf("bundle %s not present", c.SHA256)
			}
		}
		e.send(b, http.MethodPost, apps+"/deployments", "application/json", deploy, http.StatusCreated)
	}
}
