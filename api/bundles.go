package api

import (
	"context"
	"io"
	"mime"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"appstore/models"
)

// BundleStore is what the bundle handlers use.
type BundleStore interface {
	CheckBundles(ctx context.Context, appID uuid.UUID, refs []models.BundleRef) ([]models.BundleCheck, error)
	UploadBundle(ctx context.Context, appID uuid.UUID, typ models.BundleType, sha string, declaredSize int64, r io.Reader, maxBytes int64) (*models.Bundle, bool, error)
	ListBundles(ctx context.Context, appID uuid.UUID, cursor string, limit int) (*models.BundlePage, error)
}

// DefaultMaxBundleBytes is the bundle size limit when Config sets none.
const DefaultMaxBundleBytes = 50 << 20

type checkBundlesRequest struct {
	Bundles []models.BundleRef `json:"bundles"`
}

// checkBundles answers which of the listed bundles the app :app already
// holds, so the CLI uploads only the rest (developer-account members).
func (s *Server) checkBundles(c *gin.Context) error {
	app, _, err := s.appAccess(c, models.DevRoleMember)
	if err != nil {
		return err
	}
	var req checkBundlesRequest
	if err := decodeJSON(c, s.cfg.MaxBodyBytes, &req); err != nil {
		return err
	}
	if req.Bundles == nil {
		return models.Invalid("invalid_bundles", "List the bundles to check under \"bundles\".",
			models.FieldError{Field: "bundles", Message: "is required"})
	}
	checks, err := s.bundles.CheckBundles(c.Request.Context(), app.ID, req.Bundles)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"bundles": checks})
	return nil
}

// uploadBundle stores the raw body as the :type bundle of app :app whose
// SHA-256 is :sha256 (developer-account members). The body streams to the
// blob store; it is not subject to the JSON body limit but to
// MaxBundleBytes, and its Content-Length is the declared size. 201 with
// the bundle, or 200 when the app already had these bytes.
func (s *Server) uploadBundle(c *gin.Context) error {
	app, _, err := s.appAccess(c, models.DevRoleMember)
	if err != nil {
		return err
	}
	if mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type")); mt != "application/octet-stream" {
		return models.Errorf(models.KindUnsupportedMT, "unsupported_media_type", "Send the bundle as application/octet-stream.")
	}
	size := c.Request.ContentLength
	if size < 0 {
		return models.Errorf(models.KindMalformed, "content_length_required",
			"Send the bundle with a Content-Length header; chunked uploads are not accepted.")
	}
	// The server's timeouts suit JSON bodies, not tens of megabytes on a
	// slow link: allow a minute plus 64 KiB/s to read the body, and a
	// minute more to answer (the write deadline runs from the request's
	// start). Recorders in tests do not support deadlines, which is fine.
	rc := http.NewResponseController(c.Writer)
	readBy := time.Now().Add(time.Minute + time.Duration(size/(64<<10))*time.Second)
	_ = rc.SetReadDeadline(readBy)
	_ = rc.SetWriteDeadline(readBy.Add(time.Minute))
	b, created, err := s.bundles.UploadBundle(c.Request.Context(), app.ID, models.BundleType(c.Param("type")), c.Param("sha256"),
		size, c.Request.Body, s.cfg.MaxBundleBytes)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.JSON(status, b)
	return nil
}

// listBundles lists the bundles of app :app, newest first (members).
func (s *Server) listBundles(c *gin.Context) error {
	app, _, err := s.appAccess(c, models.DevRoleMember)
	if err != nil {
		return err
	}
	limit, err := queryLimit(c, models.DefaultBundleLimit)
	if err != nil {
		return err
	}
	page, err := s.bundles.ListBundles(c.Request.Context(), app.ID, c.Query("cursor"), limit)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, page)
	return nil
}

// registerBundleRoutes mounts the routes served from this file.
func (s *Server) registerBundleRoutes(me *gin.RouterGroup) {
	me.POST("/apps/:app/bundles/check", handler(s.checkBundles))
	me.PUT("/apps/:app/bundles/:type/:sha256", handler(s.uploadBundle))
	me.GET("/apps/:app/bundles", handler(s.listBundles))
}
