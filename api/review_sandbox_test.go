package api_test

import (
	"net/http"
	"testing"

	"github.com/google/uuid"
)

func TestReviewSandboxNeedsAReviewer(t *testing.T) {
	e := newDeployEnv(t)
	path := "/api/v1/review/deployments/" + uuid.New().String() + "/sandbox"
	wantProblem(t, e.h.do(req{method: "POST", path: path, cookie: e.admin}), http.StatusForbidden, "reviewer_required")
	wantProblem(t, e.h.do(req{method: "POST", path: path}), http.StatusUnauthorized, "unauthenticated")
	reviewer := e.h.login("reviewer@appstore.test")
	wantProblem(t, e.h.do(req{method: "POST", path: path, cookie: reviewer}), http.StatusNotFound, "deployment_not_found")
}
