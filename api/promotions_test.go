package api_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"appstore/api"
	"appstore/models"
	"appstore/workflows/contract"
)

// reviewFixture is an app with a complete listing in acme-labs, and the
// sessions of everyone who takes part in its review.
type reviewFixture struct {
	h        *harness
	tm       *team
	app      *models.App
	sandbox  uuid.UUID
	reviewer string
	staff    string
}

func newReviewFixture(t *testing.T, opts ...func(*api.Config)) *reviewFixture {
	t.Helper()
	h := newTeamHarness(t, opts...)
	tm := newTeam(t, h)
	f := &reviewFixture{h: h, tm: tm, app: newApp(t, h, tm.acme, models.AppUnpublished),
		reviewer: h.login("reviewer@appstore.test"), staff: h.login("staff@appstore.test")}
	// Set up through the store: browser tests serve the harness on an
	// origin of their own, which the harness's API requests do not carry.
	text := strings.Repeat("t", 100)
	cat, site := "analytics", "https://example.com"
	if _, err := h.store.UpdateAppListing(context.Background(), f.app.ID, models.AppListingUpdate{Category: &cat, Description: &text,
		Overview: &text, ContentHowItWorks: &text, ContentConfigure: &text, WebsiteURL: &site, DocsURL: &site, ContactURL: &site,
		TermsURL: &site}); err != nil {
		t.Fatal(err)
	}
	var org models.Organization
	if err := h.store.Gorm().Where("name = ?", "Acme Sandbox").First(&org).Error; err != nil {
		t.Fatal(err)
	}
	f.sandbox = org.ID
	return f
}

// deploy makes a development deployment to Acme Sandbox with the given
// organization-scope settings properties.
func (f *reviewFixture) deploy(t *testing.T, orgSettings map[string]any) uuid.UUID {
	t.Helper()
	schema := map[string]any{
		"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
		"properties": map[string]any{
			"organization": map[string]any{"type": "object", "properties": orgSettings},
			"user":         map[string]any{"type": "object", "properties": map[string]any{}},
		},
	}
	d, _, err := f.h.store.CreateDevelopmentDeployment(models.WithActor(context.Background(), userID(t, f.h, "dev@acme.test")), f.app.ID,
		models.DevelopmentDeploymentInput{TargetOrganizationID: f.sandbox, SettingsSchema: schema, Metadata: models.DeploymentMetadata{Message: "test"}})
	if err != nil {
		t.Fatal(err)
	}
	return d.ID
}

type moveAnswer struct {
	Deployment models.Deployment
	Review     contract.ReviewState
}

func (f *reviewFixture) move(t *testing.T, cookie, path string, body any, want int) moveAnswer {
	t.Helper()
	if body == nil {
		body = map[string]any{}
	}
	rec := f.h.do(req{method: "POST", path: path, cookie: cookie, body: body})
	wantStatus(t, rec, want)
	var out moveAnswer
	if want == http.StatusOK {
		decode(t, rec, &out)
	}
	return out
}

func TestPromotionConcurrentDoubleClickMakesOneDeployment(t *testing.T) {
	f := newReviewFixture(t)
	dev := f.deploy(t, map[string]any{})
	path := "/api/v1/deployments/" + dev.String() + "/promote"

	const clicks = 6
	answers := make([]moveAnswer, clicks)
	codes := make([]int, clicks)
	var wg sync.WaitGroup
	for i := range clicks {
		wg.Go(func() {
			rec := f.h.do(req{method: "POST", path: path, cookie: f.tm.member, body: map[string]any{"release_notes": "First release"}})
			codes[i] = rec.Code
			if rec.Code == http.StatusOK {
				decode(t, rec, &answers[i])
			}
		})
	}
	wg.Wait()
	for i := range clicks {
		if codes[i] != http.StatusOK {
			t.Fatalf("click %d answered %d", i, codes[i])
		}
		if answers[i].Deployment.ID != answers[0].Deployment.ID || answers[i].Deployment.Version == nil || *answers[i].Deployment.Version != "0.1.0" {
			t.Fatalf("click %d got %v %v, click 0 got %v", i, answers[i].Deployment.ID, answers[i].Deployment.Version, answers[0].Deployment.ID)
		}
	}
	var n int64
	f.h.store.Gorm().Model(&models.Deployment{}).Where("source_deployment_id = ?", dev).Count(&n)
	if n != 1 {
		t.Fatalf("%d production deployments from one development deployment, want 1", n)
	}
	if answers[0].Deployment.ReleaseNotes != "First release" || answers[0].Review.Status != models.DeploymentActive {
		t.Fatalf("promoted %+v / %+v", answers[0].Deployment, answers[0].Review)
	}
	// Promoting a production deployment is refused.
	wantProblem(t, f.h.do(req{method: "POST", path: "/api/v1/deployments/" + answers[0].Deployment.ID.String() + "/promote", cookie: f.tm.member,
		body: map[string]any{}}), http.StatusConflict, "not_a_development_deployment")
	// A stranger learns nothing.
	wantProblem(t, f.h.do(req{method: "POST", path: path, cookie: f.tm.outsider, body: map[string]any{}}), http.StatusNotFound, "deployment_not_found")
}

func TestReviewLifecycleAPI(t *testing.T) {
	f := newReviewFixture(t)
	h, tm := f.h, f.tm
	dep := func(id uuid.UUID, move string) string { return "/api/v1/deployments/" + id.String() + "/" + move }
	rev := func(id uuid.UUID, move string) string {
		return "/api/v1/review/deployments/" + id.String() + "/" + move
	}

	first := f.move(t, tm.member, dep(f.deploy(t, map[string]any{}), "promote"), nil, http.StatusOK).Deployment
	id1 := first.ID

	// Developer moves need an admin; strangers hear 404.
	wantProblem(t, h.do(req{method: "POST", path: dep(id1, "submit"), cookie: tm.member, body: map[string]any{}}), http.StatusForbidden, "admin_required")
	wantProblem(t, h.do(req{method: "POST", path: dep(id1, "submit"), cookie: tm.outsider, body: map[string]any{}}), http.StatusNotFound, "deployment_not_found")
	// Reviewer moves need a reviewer.
	wantProblem(t, h.do(req{method: "POST", path: rev(id1, "claim"), cookie: tm.admin, body: map[string]any{}}), http.StatusForbidden, "reviewer_required")
	wantProblem(t, h.do(req{method: "GET", path: "/api/v1/review/queue", cookie: tm.admin}), http.StatusForbidden, "reviewer_required")
	// Illegal now: the validator refuses synchronously and nothing changes.
	p := wantProblem(t, h.do(req{method: "POST", path: rev(id1, "claim"), cookie: f.reviewer, body: map[string]any{}}), http.StatusConflict, "illegal_transition")
	if len(p.Errors) != 1 || p.Errors[0].Field != "current_status" || p.Errors[0].Message != "active" {
		t.Fatalf("illegal claim problem %+v, want current_status active", p)
	}

	got := f.move(t, tm.admin, dep(id1, "submit"), nil, http.StatusOK)
	if got.Deployment.Status != models.DeploymentPendingReview || got.Deployment.SubmittedAt == nil || got.Review.Status != models.DeploymentPendingReview {
		t.Fatalf("after submit %+v / %+v", got.Deployment, got.Review)
	}
	wantProblem(t, h.do(req{method: "POST", path: dep(id1, "submit"), cookie: tm.admin, body: map[string]any{}}), http.StatusConflict, "illegal_transition")

	// At most one deployment of the app in review: the database says so.
	second := f.move(t, tm.member, dep(f.deploy(t, map[string]any{"region": map[string]any{"type": "string"}}), "promote"), nil, http.StatusOK).Deployment
	if second.Version == nil || *second.Version != "0.2.0" {
		t.Fatalf("second promotion (a setting added) got version %v, want 0.2.0", second.Version)
	}
	wantProblem(t, h.do(req{method: "POST", path: dep(second.ID, "submit"), cookie: tm.admin, body: map[string]any{}}), http.StatusConflict, "review_in_progress")

	var queue models.ReviewQueuePage
	decode(t, h.do(req{method: "GET", path: "/api/v1/review/queue", cookie: f.reviewer}), &queue)
	if len(queue.Items) != 1 || queue.Items[0].ID != id1 || queue.Items[0].AppSlug != f.app.Slug {
		t.Fatalf("queue %+v", queue)
	}

	got = f.move(t, f.reviewer, rev(id1, "claim"), nil, http.StatusOK)
	if got.Deployment.Status != models.DeploymentInReview || got.Deployment.ReviewerID == nil {
		t.Fatalf("after claim %+v", got.Deployment)
	}
	wantProblem(t, h.do(req{method: "POST", path: rev(id1, "reject"), cookie: f.reviewer, body: map[string]any{"reasons": []any{}}}),
		http.StatusUnprocessableEntity, "rejection_reason_required")
	wantProblem(t, h.do(req{method: "POST", path: rev(id1, "reject"), cookie: f.reviewer,
		body: map[string]any{"reasons": []any{map[string]any{"code": "made-up", "message": "x"}}}}), http.StatusUnprocessableEntity, "invalid_rejection_reasons")
	reasons := []map[string]any{{"code": "broken-ui", "message": "The widget renders blank.", "field": "client_bundle"}}
	got = f.move(t, f.reviewer, rev(id1, "reject"), map[string]any{"reasons": reasons}, http.StatusOK)
	if got.Deployment.Status != models.DeploymentRejected || len(got.Deployment.RejectionReasons) != 1 || got.Deployment.RejectionReasons[0].Code != "broken-ui" {
		t.Fatalf("after reject %+v", got.Deployment)
	}
	var review struct {
		Review     contract.ReviewState
		WorkflowID string `json:"workflow_id"`
	}
	decode(t, h.do(req{method: "GET", path: dep(id1, "review"), cookie: tm.member}), &review)
	if review.Review.Status != models.DeploymentRejected || len(review.Review.Reasons) != 1 || review.Review.Reasons[0].Field != "client_bundle" ||
		len(review.Review.History) != 4 || review.WorkflowID != "promotion-"+first.SourceDeploymentID.String() {
		t.Fatalf("review query %+v", review)
	}

	f.move(t, tm.admin, dep(id1, "submit"), nil, http.StatusOK) // resubmit
	f.move(t, f.reviewer, rev(id1, "claim"), nil, http.StatusOK)
	// Only the claiming reviewer (or staff) decides.
	other := h.login("staff@appstore.test")
	f.move(t, other, rev(id1, "approve"), nil, http.StatusOK)
	wantProblem(t, h.do(req{method: "POST", path: dep(id1, "deprecate"), cookie: tm.admin, body: map[string]any{}}), http.StatusConflict, "illegal_transition")
	got = f.move(t, tm.admin, dep(id1, "publish"), nil, http.StatusOK)
	if got.Deployment.Status != models.DeploymentPublished || got.Deployment.PublishedAt == nil {
		t.Fatalf("after publish %+v", got.Deployment)
	}
	// The app can now be published in the marketplace.
	wantStatus(t, h.do(req{method: "POST", path: "/api/v1/apps/" + f.app.ID.String() + "/publish", cookie: tm.admin, body: map[string]any{}}), http.StatusOK)

	// The second version goes through review and replaces the first.
	f.move(t, tm.admin, dep(second.ID, "submit"), nil, http.StatusOK)
	f.move(t, f.reviewer, rev(second.ID, "claim"), nil, http.StatusOK)
	f.move(t, f.reviewer, rev(second.ID, "approve"), nil, http.StatusOK)
	f.move(t, tm.admin, dep(second.ID, "publish"), nil, http.StatusOK)
	old, err := h.store.GetDeployment(context.Background(), id1)
	if err != nil {
		t.Fatal(err)
	}
	if old.Status != models.DeploymentDeprecated {
		t.Fatalf("the first publication is %s after the second was published, want deprecated", old.Status)
	}
	// Its run has ended; moves are refused with the status the database has.
	p = wantProblem(t, h.do(req{method: "POST", path: dep(id1, "submit"), cookie: tm.admin, body: map[string]any{}}), http.StatusConflict, "illegal_transition")
	if p.Errors[0].Message != "deprecated" {
		t.Fatalf("problem %+v", p)
	}

	var events []models.Event
	h.store.Gorm().Where("deployment_id = ?", id1).Order("created_at, id").Find(&events)
	var types []string
	for _, e := range events {
		types = append(types, string(e.Type))
	}
	want := "deployment.promoted deployment.submitted deployment.claimed deployment.rejected deployment.submitted deployment.claimed deployment.approved deployment.published deployment.deprecated"
	if strings.Join(types, " ") != want {
		t.Fatalf("events of the first deployment:\n got %s\nwant %s", strings.Join(types, " "), want)
	}
}

// A publication made without a Promotion run (the demo catalog's seed
// moves its deployments in the store) is still deprecated when a newer
// version is published through the workflow.
func TestPublishDeprecatesAPublicationWithoutARun(t *testing.T) {
	f := newReviewFixture(t)
	ctx := context.Background()
	old, err := f.h.store.PromoteDeployment(ctx, f.deploy(t, map[string]any{}), "")
	if err != nil {
		t.Fatal(err)
	}
	reviewer := userID(t, f.h, "reviewer@appstore.test")
	for seq, action := range []models.ReviewAction{models.ReviewSubmit, models.ReviewClaim, models.ReviewApprove, models.ReviewPublish} {
		if _, err := f.h.store.ApplyReviewTransition(ctx, models.ReviewTransition{DeploymentID: old.ID, Seq: seq + 1, Action: action, ActorID: &reviewer}); err != nil {
			t.Fatalf("%s: %v", action, err)
		}
	}
	next := f.move(t, f.tm.member, "/api/v1/deployments/"+f.deploy(t, map[string]any{"tier": map[string]any{"type": "string"}}).String()+"/promote", nil, http.StatusOK).Deployment
	dep := func(move string) string { return "/api/v1/deployments/" + next.ID.String() + "/" + move }
	rev := func(move string) string { return "/api/v1/review/deployments/" + next.ID.String() + "/" + move }
	f.move(t, f.tm.admin, dep("submit"), nil, http.StatusOK)
	f.move(t, f.reviewer, rev("claim"), nil, http.StatusOK)
	f.move(t, f.reviewer, rev("approve"), nil, http.StatusOK)
	f.move(t, f.tm.admin, dep("publish"), nil, http.StatusOK)
	got, err := f.h.store.GetDeployment(ctx, old.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != models.DeploymentDeprecated {
		t.Fatalf("the run-less publication is %s, want deprecated", got.Status)
	}
}
