package postgres_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"appstore/models"
	"appstore/models/blob"
	"appstore/models/modeltest"
	"appstore/models/postgres"
)

// bundleFixture is an app of a fresh account, its admin, and a store whose
// bundles go to a blob directory of the test's own.
type bundleFixture struct {
	s     *postgres.Store
	blobs *blob.FS
	admin *models.User
	acct  *models.DeveloperAccount
	app   *models.App
	ctx   context.Context // acting as admin
}

func newBundleFixture(t *testing.T) *bundleFixture {
	t.Helper()
	s := newStore(t)
	fs, err := blob.NewFS(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	s.SetBlobs(fs)
	admin := createUser(t, s, models.PlatformRoleNone)
	acct := createAccount(t, s, admin)
	return &bundleFixture{s: s, blobs: fs, admin: admin, acct: acct, app: createApp(t, s, acct),
		ctx: models.WithActor(context.Background(), admin.ID)}
}

func shaOf(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func (f *bundleFixture) upload(t *testing.T, typ models.BundleType, body []byte) (*models.Bundle, bool) {
	t.Helper()
	b, created, err := f.s.UploadBundle(f.ctx, f.app.ID, typ, shaOf(body), int64(len(body)), bytes.NewReader(body), 1<<20)
	if err != nil {
		t.Fatalf("UploadBundle: %v", err)
	}
	return b, created
}

// blobFiles lists every file under the blob directory, temporary ones too.
func (f *bundleFixture) blobFiles(t *testing.T) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(f.blobs.Dir(), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(f.blobs.Dir(), p)
			out = append(out, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (f *bundleFixture) setQuota(t *testing.T, quota int64) {
	t.Helper()
	if err := f.s.Gorm().Exec(`UPDATE developer_accounts SET storage_quota_bytes = ? WHERE id = ?`, quota, f.acct.ID).Error; err != nil {
		t.Fatal(err)
	}
}

// unread fails the test if the upload reads the body.
type unread struct{ t *testing.T }

func (u unread) Read([]byte) (int, error) {
	u.t.Error("the body was read")
	return 0, io.EOF
}

func TestUploadBundle(t *testing.T) {
	t.Parallel()
	f := newBundleFixture(t)
	body := []byte("export default function App() {}")
	b, created := f.upload(t, models.BundleClient, body)
	if !created || b.SHA256 != shaOf(body) || b.SizeBytes != int64(len(body)) || b.AppID != f.app.ID ||
		b.DeveloperAccountID != f.acct.ID || b.CreatedBy == nil || *b.CreatedBy != f.admin.ID {
		t.Fatalf("uploaded %+v (created %v)", b, created)
	}
	wantKey := f.app.ID.String() + "/client/" + shaOf(body)
	if b.StorageKey != wantKey {
		t.Fatalf("storage key %q, want %q", b.StorageKey, wantKey)
	}
	rc, err := f.blobs.Open(context.Background(), wantKey)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(stored, body) {
		t.Fatalf("stored %q", stored)
	}
	e := onlyEvent(t, f.s, models.EventBundleUploaded)
	wantEvent(t, e, f.acct.ID, &f.admin.ID, map[string]any{"bundle_id": b.ID, "type": "client", "sha256": shaOf(body), "size_bytes": len(body)})

	// The same bytes again: the same row, nothing read, nothing written.
	// Upper-case hex names the same content.
	again, created, err := f.s.UploadBundle(f.ctx, f.app.ID, models.BundleClient, strings.ToUpper(shaOf(body)), int64(len(body)), unread{t}, 1<<20)
	if err != nil || created || again.ID != b.ID {
		t.Fatalf("second upload: %+v created %v, %v", again, created, err)
	}
	if n := countEvents(t, f.s, models.EventBundleUploaded); n != 1 {
		t.Fatalf("%d bundle.uploaded events, want 1", n)
	}
	// The same bytes as the other type are another bundle.
	if srv, created := f.upload(t, models.BundleServer, body); !created || srv.ID == b.ID {
		t.Fatalf("server bundle %+v created %v", srv, created)
	}
	// An empty bundle is a bundle.
	if _, created := f.upload(t, models.BundleServer, nil); !created {
		t.Fatal("empty bundle not created")
	}
	if files := f.blobFiles(t); len(files) != 3 {
		t.Fatalf("blob files %v, want 3", files)
	}

	page, err := f.s.ListBundles(context.Background(), f.app.ID, "", 2)
	if err != nil || len(page.Items) != 2 || page.NextCursor == "" {
		t.Fatalf("first page %+v, %v", page, err)
	}
	rest, err := f.s.ListBundles(context.Background(), f.app.ID, page.NextCursor, 2)
	if err != nil || len(rest.Items) != 1 || rest.NextCursor != "" || rest.Items[0].ID != b.ID {
		t.Fatalf("second page %+v, %v", rest, err)
	}
}

func TestUploadBundleRefusals(t *testing.T) {
	t.Parallel()
	f := newBundleFixture(t)
	body := bytes.Repeat([]byte("abcdefgh"), 512) // 4 KiB
	sha := shaOf(body)
	other := shaOf([]byte("something else"))
	tests := []struct {
		name     string
		typ      models.BundleType
		sha      string
		declared int64
		body     io.Reader
		max      int64
		kind     models.Kind
		code     string
	}{
		{"hash mismatch", models.BundleClient, other, int64(len(body)), bytes.NewReader(body), 1 << 20, models.KindMalformed, "bundle_hash_mismatch"},
		{"body shorter than declared", models.BundleClient, sha, int64(len(body)) + 1, bytes.NewReader(body), 1 << 20, models.KindMalformed, "bundle_size_mismatch"},
		{"body longer than declared", models.BundleClient, sha, int64(len(body)) - 1, bytes.NewReader(body), 1 << 20, models.KindMalformed, "bundle_size_mismatch"},
		{"truncated body", models.BundleClient, sha, int64(len(body)), io.MultiReader(bytes.NewReader(body[:100]), errReader{io.ErrUnexpectedEOF}), 1 << 20, models.KindMalformed, "bundle_size_mismatch"},
		{"broken body", models.BundleClient, sha, int64(len(body)), io.MultiReader(bytes.NewReader(body[:100]), errReader{io.ErrClosedPipe}), 1 << 20, models.KindMalformed, "bundle_read_failed"},
		{"declared too large", models.BundleClient, sha, 2048, unread{t}, 1024, models.KindTooLarge, "bundle_too_large"},
		{"grows too large while read", models.BundleClient, sha, 1000, bytes.NewReader(body), 1024, models.KindTooLarge, "bundle_too_large"},
		{"bad type", "wasm", sha, int64(len(body)), unread{t}, 1 << 20, models.KindInvalid, "invalid_bundle_type"},
		{"bad sha", models.BundleClient, "../../etc/passwd", int64(len(body)), unread{t}, 1 << 20, models.KindInvalid, "invalid_sha256"},
		{"short sha", models.BundleClient, sha[:63], int64(len(body)), unread{t}, 1 << 20, models.KindInvalid, "invalid_sha256"},
		{"negative size", models.BundleClient, sha, -1, unread{t}, 1 << 20, models.KindInvalid, "invalid_size"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := f.s.UploadBundle(f.ctx, f.app.ID, tt.typ, tt.sha, tt.declared, tt.body, tt.max)
			modeltest.WantError(t, err, tt.kind, tt.code)
		})
	}
	if _, _, err := f.s.UploadBundle(f.ctx, uuid.New(), models.BundleClient, sha, 1, unread{t}, 0); err == nil {
		t.Fatal("upload to an unknown app succeeded")
	} else {
		modeltest.WantError(t, err, models.KindNotFound, "app_not_found")
	}
	if n := countRows(t, f.s, "app_bundles"); n != 0 {
		t.Fatalf("%d bundles after refusals", n)
	}
	if files := f.blobFiles(t); len(files) != 0 {
		t.Fatalf("refused uploads left files: %v", files)
	}
	if n := countEvents(t, f.s, models.EventBundleUploaded); n != 0 {
		t.Fatalf("%d events after refusals", n)
	}

	// Stored bytes under a hash fix the size: a different declared size is refused.
	f.upload(t, models.BundleClient, body)
	_, _, err := f.s.UploadBundle(f.ctx, f.app.ID, models.BundleClient, sha, 7, unread{t}, 1<<20)
	modeltest.WantError(t, err, models.KindMalformed, "bundle_size_mismatch")

	// A store without a blob store is a wiring mistake.
	bare := postgres.NewStore(dbFromStore(t, f.s))
	_, _, err = bare.UploadBundle(f.ctx, f.app.ID, models.BundleServer, sha, 1, unread{t}, 0)
	modeltest.WantError(t, err, models.KindInternal, "blob_store_not_configured")
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func TestUploadBundleQuota(t *testing.T) {
	t.Parallel()
	f := newBundleFixture(t)
	f.setQuota(t, 100)
	first := bytes.Repeat([]byte("a"), 60)
	f.upload(t, models.BundleClient, first)
	second := bytes.Repeat([]byte("b"), 41)
	_, _, err := f.s.UploadBundle(f.ctx, f.app.ID, models.BundleServer, shaOf(second), 41, unread{t}, 0)
	de := modeltest.WantError(t, err, models.KindTooLarge, "storage_quota_exceeded")
	if !strings.Contains(de.Message, "60 of its 100 bytes") {
		t.Fatalf("message %q does not say used/quota", de.Message)
	}
	// Exactly filling the quota is fine; the quota counts every app of the account.
	other := createApp(t, f.s, f.acct)
	fill := bytes.Repeat([]byte("c"), 40)
	if _, created, err := f.s.UploadBundle(f.ctx, other.ID, models.BundleClient, shaOf(fill), 40, bytes.NewReader(fill), 0); err != nil || !created {
		t.Fatalf("filling upload: %v", err)
	}
	used, quota, err := f.s.StorageUsage(context.Background(), f.acct.ID)
	if err != nil || used != 100 || quota != 100 {
		t.Fatalf("usage %d/%d, %v", used, quota, err)
	}
	// Re-sending bytes already stored costs nothing.
	if _, created, err := f.s.UploadBundle(f.ctx, f.app.ID, models.BundleClient, shaOf(first), 60, unread{t}, 0); err != nil || created {
		t.Fatalf("re-upload at full quota: created %v, %v", created, err)
	}
	if files := f.blobFiles(t); len(files) != 2 {
		t.Fatalf("blob files %v, want 2", files)
	}
}

// Concurrent uploads that each pass the early quota check still cannot
// overrun the quota together: the insert re-checks with the account locked,
// and a refused upload removes its bytes.
func TestUploadBundleQuotaUnderConcurrency(t *testing.T) {
	t.Parallel()
	f := newBundleFixture(t)
	f.setQuota(t, 100)
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			body := bytes.Repeat([]byte{byte('a' + i)}, 40)
			_, _, errs[i] = f.s.UploadBundle(f.ctx, f.app.ID, models.BundleClient, shaOf(body), 40, bytes.NewReader(body), 0)
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
			continue
		}
		modeltest.WantError(t, err, models.KindTooLarge, "storage_quota_exceeded")
	}
	if ok != 2 {
		t.Fatalf("%d uploads succeeded, want 2 (quota 100, 40 bytes each)", ok)
	}
	if files := f.blobFiles(t); len(files) != 2 {
		t.Fatalf("blob files %v, want the 2 stored bundles", files)
	}
}

// Twin uploads of the same bytes make one row; every caller gets it.
func TestUploadBundleTwins(t *testing.T) {
	t.Parallel()
	f := newBundleFixture(t)
	body := bytes.Repeat([]byte("twin"), 10_000)
	const n = 8
	var wg sync.WaitGroup
	ids := make([]uuid.UUID, n)
	created := make([]bool, n)
	for i := range n {
		wg.Go(func() {
			b, c, err := f.s.UploadBundle(f.ctx, f.app.ID, models.BundleServer, shaOf(body), int64(len(body)), bytes.NewReader(body), 0)
			if err != nil {
				t.Errorf("upload %d: %v", i, err)
				return
			}
			ids[i], created[i] = b.ID, c
		})
	}
	wg.Wait()
	if n := countRows(t, f.s, "app_bundles"); n != 1 {
		t.Fatalf("%d rows, want 1", n)
	}
	newOnes := 0
	for i := range n {
		if ids[i] != ids[0] {
			t.Fatalf("upload %d got %s, upload 0 got %s", i, ids[i], ids[0])
		}
		if created[i] {
			newOnes++
		}
	}
	if newOnes != 1 {
		t.Fatalf("%d uploads say they created the bundle, want 1", newOnes)
	}
	if files := f.blobFiles(t); len(files) != 1 {
		t.Fatalf("blob files %v, want 1", files)
	}
}

func TestCheckBundles(t *testing.T) {
	t.Parallel()
	f := newBundleFixture(t)
	client := []byte("client code")
	b, _ := f.upload(t, models.BundleClient, client)
	refs := []models.BundleRef{
		{Type: models.BundleClient, SHA256: shaOf(client), SizeBytes: int64(len(client))},
		{Type: models.BundleServer, SHA256: shaOf(client), SizeBytes: int64(len(client))}, // other type
		{Type: models.BundleClient, SHA256: strings.ToUpper(shaOf(client)), SizeBytes: 3}, // other size
		{Type: models.BundleServer, SHA256: shaOf([]byte("new")), SizeBytes: 3},
	}
	got, err := f.s.CheckBundles(context.Background(), f.app.ID, refs)
	if err != nil {
		t.Fatal(err)
	}
	want := []bool{true, false, false, false}
	for i, c := range got {
		if c.Present != want[i] || (c.ID != nil) != want[i] || c.SHA256 != strings.ToLower(refs[i].SHA256) {
			t.Errorf("check %d: %+v, want present %v", i, c, want[i])
		}
	}
	if *got[0].ID != b.ID {
		t.Fatalf("id %s, want %s", *got[0].ID, b.ID)
	}
	if got, err := f.s.CheckBundles(context.Background(), f.app.ID, nil); err != nil || len(got) != 0 {
		t.Fatalf("empty check: %v, %v", got, err)
	}

	bad := []models.BundleRef{{Type: "wasm", SHA256: shaOf(client)}, {Type: models.BundleClient, SHA256: "xyz", SizeBytes: -1}}
	de := modeltest.WantError(t, func() error { _, err := f.s.CheckBundles(context.Background(), f.app.ID, bad); return err }(), models.KindInvalid, "invalid_bundle_type")
	fields := fmt.Sprint(de.Fields)
	for _, want := range []string{"bundles[0].type", "bundles[1].sha256", "bundles[1].size_bytes"} {
		if !strings.Contains(fields, want) {
			t.Errorf("fields %s lack %s", fields, want)
		}
	}
	many := make([]models.BundleRef, models.MaxBundleChecks+1)
	_, err = f.s.CheckBundles(context.Background(), f.app.ID, many)
	modeltest.WantError(t, err, models.KindInvalid, "too_many_bundles")
	_, err = f.s.CheckBundles(context.Background(), uuid.New(), refs[:1])
	modeltest.WantError(t, err, models.KindNotFound, "app_not_found")
}
