package api

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"appstore/api/runtime"
	"appstore/models"
)

// RuntimeStore is what the app runtime handlers use.
type RuntimeStore interface {
	RuntimeApps(ctx context.Context, orgID, viewer uuid.UUID) ([]models.RuntimeApp, error)
	RuntimeApp(ctx context.Context, orgID, installationID, viewer uuid.UUID) (*models.RuntimeApp, error)
	RecordRuntimeRefusal(ctx context.Context, app models.RuntimeApp, r models.RuntimeRefusal) error
}

var errRuntimeUnavailable = models.Errorf(models.KindUnavailable, "runtime_unavailable",
	"Apps cannot run here: the app runtime is not configured.")

// runtimeFrame is one app frame a page may create: the origin the host
// must see messages come from, the URL (with its frame token) to load, and
// the surfaces and server functions the deployment's manifest allows.
type runtimeFrame struct {
	models.RuntimeApp
	Origin          string           `json:"origin"`
	FrameURL        string           `json:"frame_url"`
	Surfaces        []models.Surface `json:"surfaces"`
	ServerFunctions []string         `json:"server_functions"`
}

// listRuntimeApps answers GET /organizations/:org/runtime/apps (members):
// the frames the caller's page runs, each with a fresh frame token.
func (s *Server) listRuntimeApps(c *gin.Context) error {
	if s.cfg.RuntimeOrigins.Domain == "" {
		return errRuntimeUnavailable
	}
	orgID, _, err := s.orgAccess(c, models.OrgRoleMember)
	if err != nil {
		return err
	}
	apps, err := s.runtime.RuntimeApps(c.Request.Context(), orgID, principal(c).UserID)
	if err != nil {
		return err
	}
	frames := make([]runtimeFrame, 0, len(apps))
	for _, a := range apps {
		tok, err := s.frameTokens.Sign(runtime.Frame{InstallationID: a.InstallationID, DeploymentID: a.DeploymentID,
			AppID: a.AppID, AppSlug: a.AppSlug, BundleSHA256: a.ClientBundleSHA256})
		if err != nil {
			return err
		}
		origin := s.cfg.RuntimeOrigins.Of(a.AppSlug)
		m := a.Manifest.Normalize()
		frames = append(frames, runtimeFrame{RuntimeApp: a, Origin: origin, FrameURL: origin + "/runtime?t=" + tok,
			Surfaces: m.Surfaces, ServerFunctions: m.ServerFunctions})
	}
	c.JSON(http.StatusOK, gin.H{"items": frames})
	return nil
}

// refusalLimit bounds the refusals one user reports for one installation:
// a hostile app must not turn the host's reports into a flood of events.
const (
	refusalBurst  = 20
	refusalWindow = 10 * time.Minute
)

// refusalCounter counts reports per (user, installation) in a window.
type refusalCounter struct {
	mu    sync.Mutex
	start time.Time
	seen  map[[2]uuid.UUID]int
}

func (r *refusalCounter) allow(user, installation uuid.UUID, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen == nil || now.Sub(r.start) > refusalWindow {
		r.start, r.seen = now, map[[2]uuid.UUID]int{}
	}
	k := [2]uuid.UUID{user, installation}
	r.seen[k]++
	return r.seen[k] <= refusalBurst
}

// reportRuntimeRefusal answers POST
// /organizations/:org/installations/:id/runtime-refusals (members who run
// the app): the host refused a render or a message from the app's frame,
// and the app's developers see it in their logs. Beyond the burst the
// report is accepted and dropped.
func (s *Server) reportRuntimeRefusal(c *gin.Context) error {
	orgID, _, err := s.orgAccess(c, models.OrgRoleMember)
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var r models.RuntimeRefusal
	if err := decodeJSON(c, 16<<10, &r); err != nil {
		return err
	}
	if err := r.Validate(); err != nil {
		return err
	}
	ctx := c.Request.Context()
	app, err := s.runtime.RuntimeApp(ctx, orgID, id, principal(c).UserID)
	if err != nil {
		return err
	}
	if s.refusals.allow(principal(c).UserID, id, time.Now()) {
		if err := s.runtime.RecordRuntimeRefusal(ctx, *app, r); err != nil {
			return err
		}
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (s *Server) registerRuntimeRoutes(me *gin.RouterGroup) {
	me.GET("/organizations/:org/runtime/apps", handler(s.listRuntimeApps))
	me.POST("/organizations/:org/installations/:id/runtime-refusals", handler(s.reportRuntimeRefusal))
}
