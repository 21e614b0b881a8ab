package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"appstore/models"
	"appstore/models/blob"
)

// Bundles stores apps' bundles: their rows here and their bytes in the blob
// store.
type Bundles struct{ *core }

// CheckBundles answers, for each ref, whether app appID already holds those
// bytes (same type, SHA-256 and size) and which bundle they are, in the
// order given, so a client uploads only what is missing. It returns an
// invalid error ("invalid_bundle_type", "invalid_sha256", "invalid_size",
// "too_many_bundles") naming every bad ref, and a not-found error
// ("app_not_found").
func (s *Bundles) CheckBundles(ctx context.Context, appID uuid.UUID, refs []models.BundleRef) ([]models.BundleCheck, error) {
	if len(refs) > models.MaxBundleChecks {
		return nil, models.Invalid("too_many_bundles", fmt.Sprintf("Check at most %d bundles at once.", models.MaxBundleChecks),
			models.FieldError{Field: "bundles", Message: fmt.Sprintf("at most %d", models.MaxBundleChecks)})
	}
	var first *models.Error
	var fields []models.FieldError
	shas := make([]string, 0, len(refs))
	out := make([]models.BundleCheck, len(refs))
	for i, ref := range refs {
		at := fmt.Sprintf("bundles[%d]", i)
		var errs []error
		errs = append(errs, models.ValidBundleType(ref.Type, at+".type"))
		sha, err := models.NormalizeSHA256(ref.SHA256, at+".sha256")
		errs = append(errs, err)
		if ref.SizeBytes < 0 {
			errs = append(errs, models.Invalid("invalid_size", "A bundle's size_bytes is a whole number of bytes.",
				models.FieldError{Field: at + ".size_bytes", Message: "must be 0 or more"}))
		}
		for _, err := range errs {
			if de, ok := models.AsError(err); ok {
				if first == nil {
					first = de
				}
				fields = append(fields, de.Fields...)
			}
		}
		ref.SHA256 = sha
		out[i] = models.BundleCheck{BundleRef: ref}
		shas = append(shas, sha)
	}
	if first != nil {
		return nil, models.Invalid(first.Code, "Some bundles are not described correctly; nothing was checked.", fields...)
	}
	if _, err := s.apps().GetApp(ctx, appID); err != nil {
		return nil, err
	}
	var have []models.Bundle
	if len(shas) > 0 {
		if err := s.db.WithContext(ctx).Where("app_id = ? AND sha256 IN ?", appID, shas).Find(&have).Error; err != nil {
			return nil, fmt.Errorf("store: check bundles: %w", err)
		}
	}
	for i := range out {
		for _, b := range have {
			if b.Type == out[i].Type && b.SHA256 == out[i].SHA256 && b.SizeBytes == out[i].SizeBytes {
				out[i].Present, out[i].ID = true, &b.ID
				break
			}
		}
	}
	return out, nil
}

// UploadBundle stores the bundle of app appID read from r, declared as
// typ, sha and declaredSize bytes, and returns it; created is false when
// the app already had those bytes, in which case r is not read and nothing
// is written. The body streams to the blob store while it is hashed; it is
// refused before anything is written when declaredSize exceeds maxBytes
// (0: no limit) or the developer account's storage quota, and while
// reading as soon as it grows past either size. A refused body leaves
// nothing behind. The quota is checked again, with the account locked,
// when the bundle row is inserted with its bundle.uploaded event.
//
// Errors: invalid ("invalid_bundle_type", "invalid_sha256", "invalid_size"),
// malformed ("bundle_hash_mismatch", "bundle_size_mismatch"), too large
// ("bundle_too_large", "storage_quota_exceeded"), not found
// ("app_not_found"), conflict ("bundle_upload_conflict": a concurrent
// refused upload of the same bytes removed them; send them again).
func (s *Bundles) UploadBundle(ctx context.Context, appID uuid.UUID, typ models.BundleType, sha string, declaredSize int64, r io.Reader, maxBytes int64) (b *models.Bundle, created bool, err error) {
	if err := models.ValidBundleType(typ, "type"); err != nil {
		return nil, false, err
	}
	if sha, err = models.NormalizeSHA256(sha, "sha256"); err != nil {
		return nil, false, err
	}
	if declaredSize < 0 {
		return nil, false, models.Invalid("invalid_size", "Declare the bundle's size in bytes (Content-Length).",
			models.FieldError{Field: "size_bytes", Message: "must be 0 or more"})
	}
	if maxBytes > 0 && declaredSize > maxBytes {
		return nil, false, models.ErrBundleTooLarge(maxBytes)
	}
	if s.blobs == nil {
		return nil, false, models.ErrNoBlobs
	}
	app, err := s.apps().GetApp(ctx, appID)
	if err != nil {
		return nil, false, err
	}
	if b, err := s.findBundle(s.db.WithContext(ctx), appID, typ, sha, declaredSize); b != nil || err != nil {
		return b, false, err
	}
	used, quota, err := s.StorageUsage(ctx, app.DeveloperAccountID)
	if err != nil {
		return nil, false, err
	}
	if used+declaredSize > quota {
		return nil, false, models.ErrQuotaExceeded(used, declaredSize, quota)
	}

	key := bundleKey(appID, typ, sha)
	if _, err := s.blobs.Put(ctx, key, newVerifyingReader(r, sha, declaredSize, maxBytes)); err != nil {
		return nil, false, storeError("upload bundle", err)
	}

	bundle := &models.Bundle{ID: newID(), AppID: appID, DeveloperAccountID: app.DeveloperAccountID, Type: typ, SHA256: sha,
		SizeBytes: declaredSize, StorageKey: key, CreatedBy: models.AuditFrom(ctx).ActorID, CreatedAt: s.now().Truncate(time.Microsecond)}
	var existing *models.Bundle
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Every bundle insert of the account queues here, so the sum it
		// reads is the one it adds to, and a blob is removed below only
		// while no insert can be about to reference it.
		var quota []int64
		if err := tx.Raw(`SELECT storage_quota_bytes FROM developer_accounts WHERE id = ? FOR UPDATE`,
			app.DeveloperAccountID).Scan(&quota).Error; err != nil {
			return err
		}
		if len(quota) == 0 {
			return models.ErrDeveloperAccountNotFound
		}
		// Twin uploads of the same bytes: the first to commit wins, the
		// other answers with its row.
		if existing, err = s.findBundle(tx, appID, typ, sha, declaredSize); existing != nil || err != nil {
			return err
		}
		var used int64
		if err := tx.Raw(`SELECT COALESCE(SUM(size_bytes), 0) FROM app_bundles WHERE developer_account_id = ?`,
			app.DeveloperAccountID).Scan(&used).Error; err != nil {
			return err
		}
		if used+declaredSize > quota[0] {
			if err := s.blobs.Delete(ctx, key); err != nil {
				return err
			}
			return models.ErrQuotaExceeded(used, declaredSize, quota[0])
		}
		// A twin refused above may have removed the bytes this upload
		// wrote to the same key; never insert a row without its blob.
		if ok, err := blob.Exists(ctx, s.blobs, key); err != nil || !ok {
			if err == nil {
				err = models.Errorf(models.KindConflict, "bundle_upload_conflict", "A concurrent upload of the same bundle was refused and removed its bytes; send the bundle again.")
			}
			return err
		}
		if err := tx.Create(bundle).Error; err != nil {
			return err
		}
		return appendEvent(ctx, tx, models.Event{Type: models.EventBundleUploaded, DeveloperAccountID: &app.DeveloperAccountID, AppID: &appID,
			Data: models.JSONMap{"bundle_id": bundle.ID.String(), "type": string(typ), "sha256": sha, "size_bytes": declaredSize}})
	})
	if isUniqueViolation(err, "app_bundles_content_key") {
		// Cannot happen while the account lock orders inserts, but the
		// index is the final word.
		existing, err = s.findBundle(s.db.WithContext(ctx), appID, typ, sha, declaredSize)
		if existing == nil && err == nil {
			err = fmt.Errorf("store: upload bundle: row vanished after a unique violation")
		}
	}
	if err != nil {
		return nil, false, storeError("upload bundle", err)
	}
	if existing != nil {
		return existing, false, nil
	}
	return bundle, true, nil
}

// findBundle returns app appID's bundle of typ with sha, nil when there is
// none, and a size mismatch error when it exists with another size than
// declared (a hash names one content, hence one size).
func (s *Bundles) findBundle(q *gorm.DB, appID uuid.UUID, typ models.BundleType, sha string, declaredSize int64) (*models.Bundle, error) {
	var found []models.Bundle
	if err := q.Where("app_id = ? AND type = ? AND sha256 = ?", appID, typ, sha).Limit(1).Find(&found).Error; err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return nil, nil
	}
	if found[0].SizeBytes != declaredSize {
		return nil, models.ErrBundleSizeMismatch(declaredSize, fmt.Sprintf("the bundle with this SHA-256 has %d", found[0].SizeBytes))
	}
	return &found[0], nil
}

// StorageUsage returns how many bytes of bundles developer account
// accountID stores and its quota, or a not-found error
// ("developer_account_not_found").
func (s *Bundles) StorageUsage(ctx context.Context, accountID uuid.UUID) (used, quota int64, err error) {
	var row []struct{ Used, Quota int64 }
	err = s.db.WithContext(ctx).Raw(`SELECT storage_quota_bytes AS quota,
		(SELECT COALESCE(SUM(size_bytes), 0) FROM app_bundles WHERE developer_account_id = a.id) AS used
		FROM developer_accounts a WHERE a.id = ?`, accountID).Scan(&row).Error
	if err != nil {
		return 0, 0, fmt.Errorf("store: storage usage: %w", err)
	}
	if len(row) == 0 {
		return 0, 0, models.ErrDeveloperAccountNotFound
	}
	return row[0].Used, row[0].Quota, nil
}

// ListBundles returns a page of app appID's bundles, newest first. limit is
// clamped to 1..MaxBundleLimit; a bad cursor is an invalid error
// ("invalid_cursor").
func (s *Bundles) ListBundles(ctx context.Context, appID uuid.UUID, cursor string, limit int) (*models.BundlePage, error) {
	limit = min(max(limit, 1), models.MaxBundleLimit)
	q := s.db.WithContext(ctx).Model(&models.Bundle{}).Where("app_id = ?", appID)
	items, next, err := keysetPage(q, cursor, limit, func(b *models.Bundle) models.Cursor { return models.Cursor{CreatedAt: b.CreatedAt, ID: b.ID} })
	if err != nil {
		return nil, storeError("list bundles", err)
	}
	return &models.BundlePage{Items: items, NextCursor: next}, nil
}

// bundleKey is where a bundle's bytes live in the blob store.
func bundleKey(appID uuid.UUID, typ models.BundleType, sha string) string {
	return appID.String() + "/" + string(typ) + "/" + sha
}

// verifyingReader passes a bundle's bytes through while hashing and
// counting them. It refuses the stream — with an error instead of io.EOF,
// so the blob store discards what it wrote — as soon as it is longer than
// declared or than the limit, and at the end when the size or the hash is
// not the declared one.
type verifyingReader struct {
	r        io.Reader
	h        hash.Hash
	n        int64
	declared int64
	max      int64 // 0: no limit besides declared
	sha      string
}

func newVerifyingReader(r io.Reader, sha string, declared, maxBytes int64) *verifyingReader {
	h := sha256.New()
	// The tee hashes every byte the blob store reads, as it reads it.
	return &verifyingReader{r: io.TeeReader(r, h), h: h, declared: declared, max: maxBytes, sha: sha}
}

func (v *verifyingReader) Read(p []byte) (int, error) {
	n, err := v.r.Read(p)
	v.n += int64(n)
	switch {
	case v.max > 0 && v.n > v.max:
		return n, models.ErrBundleTooLarge(v.max)
	case v.n > v.declared:
		return n, models.ErrBundleSizeMismatch(v.declared, "more bytes were sent")
	case errors.Is(err, io.ErrUnexpectedEOF):
		// net/http's body ends early this way when the client sent less
		// than its Content-Length.
		return n, models.ErrBundleSizeMismatch(v.declared, fmt.Sprintf("the body ended after %d", v.n))
	case err == io.EOF:
		if v.n != v.declared {
			return n, models.ErrBundleSizeMismatch(v.declared, fmt.Sprintf("%d were sent", v.n))
		}
		if got := hex.EncodeToString(v.h.Sum(nil)); got != v.sha {
			return n, models.Errorf(models.KindMalformed, "bundle_hash_mismatch",
				"The bytes sent have SHA-256 %s, not the declared %s; nothing was stored.", got, v.sha)
		}
	case err != nil:
		// The sender went away or the body is broken: not our failure.
		return n, &models.Error{Kind: models.KindMalformed, Code: "bundle_read_failed",
			Message: "The upload was interrupted before the whole bundle arrived; nothing was stored.", Err: err}
	}
	return n, err
}
