package postgres_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"appstore/models"
	"appstore/models/postgres"
)

// reviewFixture moves production deployments of a deploy fixture's app.
type reviewFixture struct {
	*deployFixture
}

func completeListing(t *testing.T, s *postgres.Store, app *models.App) {
	t.Helper()
	text := strings.Repeat("words ", 20)
	cat, site := "analytics", "https://example.com"
	if _, err := s.UpdateAppListing(t.Context(), app.ID, models.AppListingUpdate{Category: &cat, Description: &text, Overview: &text,
		ContentHowItWorks: &text, ContentConfigure: &text, WebsiteURL: &site, DocsURL: &site, ContactURL: &site, TermsURL: &site}); err != nil {
		t.Fatal(err)
	}
}

func withEncrypter(t *testing.T, s *postgres.Store) {
	t.Helper()
	enc, err := models.NewEncrypter([]byte(strings.Repeat("r", 32)))
	if err != nil {
		t.Fatal(err)
	}
	s.SetEncrypter(enc)
}

func (f *reviewFixture) move(t *testing.T, d *models.Deployment, seq int, action models.ReviewAction, reasons ...models.RejectionReason) (*models.ReviewOutcome, error) {
	t.Helper()
	return f.s.ApplyReviewTransition(f.ctx, models.ReviewTransition{DeploymentID: d.ID, Seq: seq, Action: action, ActorID: &f.admin.ID, Reasons: reasons})
}

func count(t *testing.T, s *postgres.Store, table, where string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := s.Gorm().Table(table).Where(where, args...).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestApplyReviewTransitionIsIdempotentBySeq(t *testing.T) {
	f := &reviewFixture{deployFixture: newDeployFixture(t)}
	withEncrypter(t, f.s)
	completeListing(t, f.s, f.app)
	if _, _, err := f.s.CreateWebhookEndpoint(f.ctx, f.acct.ID, models.WebhookEndpointInput{URL: "https://hooks.example.test/a"}, false); err != nil {
		t.Fatal(err)
	}
	dev, _ := f.deploy(t)
	prod := f.promote(t, dev)

	first, err := f.move(t, prod, 1, models.ReviewSubmit)
	if err != nil {
		t.Fatal(err)
	}
	if first.Status != models.DeploymentPendingReview || len(first.DeliveryIDs) != 1 {
		t.Fatalf("submit outcome %+v, want pending-review with one delivery", first)
	}
	// The activity retried after its commit: the same answer, nothing new.
	again, err := f.move(t, prod, 1, models.ReviewSubmit)
	if err != nil {
		t.Fatal(err)
	}
	if again.Status != first.Status || !slices.Equal(again.DeliveryIDs, first.DeliveryIDs) {
		t.Fatalf("retry answered %+v, first %+v", again, first)
	}
	if n := count(t, f.s, "event_logs", "type = ? AND deployment_id = ?", models.EventDeploymentSubmitted, prod.ID); n != 1 {
		t.Fatalf("%d submitted events, want 1", n)
	}
	if n := count(t, f.s, "webhook_deliveries", "event_type = ?", models.EventDeploymentSubmitted); n != 1 {
		t.Fatalf("%d submitted deliveries, want 1", n)
	}
	// A move from the future (a lost one in between) is refused.
	if _, err := f.move(t, prod, 3, models.ReviewClaim); err == nil {
		t.Fatal("seq 3 after seq 1 was applied")
	}
	if got := f.status(t, prod.ID); got != models.DeploymentPendingReview {
		t.Fatalf("status %s after the refused move", got)
	}
	var app models.App
	f.s.Gorm().First(&app, "id = ?", f.app.ID)
	if app.ReviewStatus != string(models.DeploymentPendingReview) {
		t.Fatalf("apps.review_status %q, want the mirror pending-review", app.ReviewStatus)
	}
}

func TestApplyReviewTransitionRules(t *testing.T) {
	f := &reviewFixture{deployFixture: newDeployFixture(t)}
	dev, _ := f.deploy(t)
	prod := f.promote(t, dev)

	// An incomplete listing cannot be submitted; nothing changes.
	_, err := f.move(t, prod, 1, models.ReviewSubmit)
	if e, ok := models.AsError(err); !ok || e.Code != "publish_checks_failed" || len(e.Fields) == 0 {
		t.Fatalf("submit of an incomplete listing: %v", err)
	}
	if got := f.status(t, prod.ID); got != models.DeploymentActive {
		t.Fatalf("status %s after a refused submit", got)
	}
	if n := count(t, f.s, "event_logs", "deployment_id = ? AND type = ?", prod.ID, models.EventDeploymentSubmitted); n != 0 {
		t.Fatalf("a refused submit logged %d events", n)
	}

	completeListing(t, f.s, f.app)
	// An illegal move names the current status.
	_, err = f.move(t, prod, 1, models.ReviewApprove)
	if e, ok := models.AsError(err); !ok || e.Code != "illegal_transition" || e.Fields[0].Message != "active" {
		t.Fatalf("approve while active: %v", err)
	}
	if _, err := f.move(t, prod, 1, models.ReviewSubmit); err != nil {
		t.Fatal(err)
	}

	// One deployment of an app in review at a time: the index decides.
	dev2, _ := f.deploy(t, func(in *models.DevelopmentDeploymentInput) { in.Metadata.Message = "second" })
	prod2 := f.promote(t, dev2)
	_, err = f.move(t, prod2, 1, models.ReviewSubmit)
	if e, ok := models.AsError(err); !ok || e.Code != "review_in_progress" {
		t.Fatalf("second submission: %v", err)
	}
	if got := f.status(t, prod2.ID); got != models.DeploymentActive {
		t.Fatalf("second deployment is %s after the refused submit", got)
	}

	if _, err := f.move(t, prod, 2, models.ReviewClaim); err != nil {
		t.Fatal(err)
	}
	// Reasons are checked here too, not only by the workflow's validator.
	_, err = f.move(t, prod, 3, models.ReviewReject)
	if e, ok := models.AsError(err); !ok || e.Code != "rejection_reason_required" {
		t.Fatalf("reject without reasons: %v", err)
	}
	out, err := f.move(t, prod, 3, models.ReviewReject, models.RejectionReason{Code: "security", Message: " Leaks tokens ", Field: "server_bundle"})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := f.s.GetDeployment(t.Context(), prod.ID)
	if out.Status != models.DeploymentRejected || len(got.RejectionReasons) != 1 || got.RejectionReasons[0].Message != "Leaks tokens" || got.ReviewedAt == nil {
		t.Fatalf("after reject %+v", got)
	}
	// Now the second may go in.
	if _, err := f.move(t, prod2, 1, models.ReviewSubmit); err != nil {
		t.Fatalf("submit after the first left review: %v", err)
	}
}

func TestAutoApproveAccountSkipsReview(t *testing.T) {
	f := &reviewFixture{deployFixture: newDeployFixture(t)}
	completeListing(t, f.s, f.app)
	f.exec(t, `UPDATE developer_accounts SET auto_approve = true WHERE id = ?`, f.acct.ID)
	dev, _ := f.deploy(t)
	prod := f.promote(t, dev)

	out, err := f.move(t, prod, 1, models.ReviewSubmit)
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != models.DeploymentApproved || f.status(t, prod.ID) != models.DeploymentApproved {
		t.Fatalf("auto-approve submit gave %s", out.Status)
	}
	first, err := f.move(t, prod, 2, models.ReviewPublish)
	if err != nil || first.PreviousPublished != nil {
		t.Fatalf("first publish: %+v %v", first, err)
	}
	// A second publication names the first for deprecation.
	dev2, _ := f.deploy(t, func(in *models.DevelopmentDeploymentInput) { in.Metadata.Message = "second" })
	prod2 := f.promote(t, dev2)
	if _, err := f.move(t, prod2, 1, models.ReviewSubmit); err != nil {
		t.Fatal(err)
	}
	second, err := f.move(t, prod2, 2, models.ReviewPublish)
	if err != nil {
		t.Fatal(err)
	}
	if second.PreviousPublished == nil || second.PreviousPublished.ID != prod.ID {
		t.Fatalf("second publish names %+v as previous, want %v", second.PreviousPublished, prod.ID)
	}
	_, err = f.s.ApplyReviewTransition(f.ctx, models.ReviewTransition{DeploymentID: uuid.New(), Seq: 1, Action: models.ReviewSubmit})
	if !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("unknown deployment: %v", err)
	}
}

func TestReviewQueueOldestFirst(t *testing.T) {
	f := &reviewFixture{deployFixture: newDeployFixture(t)}
	completeListing(t, f.s, f.app)
	other := createApp(t, f.s, f.acct)
	completeListing(t, f.s, other)
	dev, _ := f.deploy(t)
	a := f.promote(t, dev)
	if _, err := f.move(t, a, 1, models.ReviewSubmit); err != nil {
		t.Fatal(err)
	}
	devB, _, err := f.s.CreateDevelopmentDeployment(f.ctx, other.ID, models.DevelopmentDeploymentInput{TargetOrganizationID: f.org.ID})
	if err != nil {
		t.Fatal(err)
	}
	b := f.promote(t, devB)
	if _, err := f.move(t, b, 1, models.ReviewSubmit); err != nil {
		t.Fatal(err)
	}
	page, err := f.s.ListReviewQueue(t.Context(), "", 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 || page.Items[0].ID != a.ID || page.NextCursor == "" || page.Items[0].AppSlug != f.app.Slug {
		t.Fatalf("first page %+v", page)
	}
	page, err = f.s.ListReviewQueue(t.Context(), page.NextCursor, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 || page.Items[0].ID != b.ID || page.NextCursor != "" {
		t.Fatalf("second page %+v", page)
	}
}
