package postgres_test

import (
	"context"
	"testing"

	"appstore/models"
)

func TestOpenReviewSandbox(t *testing.T) {
	t.Parallel()
	f := newDeployFixture(t)
	ctx := context.Background()
	reviewer := createUser(t, f.s, models.PlatformRoleReviewer)
	dev, _ := f.deploy(t)
	prod := f.promote(t, dev)

	// Not submitted: nobody reviews it, so there is nothing to try.
	if _, err := f.s.OpenReviewSandbox(ctx, prod.ID, reviewer.ID); !isCode(err, "not_under_review") {
		t.Fatalf("active deployment: %v", err)
	}
	if _, err := f.s.OpenReviewSandbox(ctx, dev.ID, reviewer.ID); !isCode(err, "not_under_review") {
		t.Fatalf("development deployment: %v", err)
	}
	f.exec(t, `UPDATE app_deployments SET status = 'in-review', submitted_at = now(), review_seq = review_seq + 1 WHERE id = ?`, prod.ID)

	sb, err := f.s.OpenReviewSandbox(ctx, prod.ID, reviewer.ID)
	if err != nil {
		t.Fatal(err)
	}
	org, err := f.s.GetOrganization(ctx, sb.OrganizationID)
	if err != nil || org.Name != models.ReviewSandboxName {
		t.Fatalf("sandbox organization %+v, %v", org, err)
	}
	var contacts int64
	f.s.Gorm().Table("contacts").Where("organization_id = ?", org.ID).Count(&contacts)
	if contacts == 0 {
		t.Fatal("the new review sandbox has no demo records to open")
	}
	if role, err := f.s.OrganizationRole(ctx, org.ID, reviewer.ID); err != nil || role != models.OrgRoleAdmin {
		t.Fatalf("reviewer's role %q, %v", role, err)
	}
	apps, err := f.s.RuntimeApps(ctx, org.ID, reviewer.ID)
	if err != nil || len(apps) != 1 || apps[0].DeploymentID != prod.ID || apps[0].InstallationID != sb.InstallationID || apps[0].ClientBundleSHA256 != f.client.SHA256 {
		t.Fatalf("runtime apps of the sandbox %+v, %v", apps, err)
	}

	// Another reviewer, another try: the same organization and installation.
	other := createUser(t, f.s, models.PlatformRoleReviewer)
	sb2, err := f.s.OpenReviewSandbox(ctx, prod.ID, other.ID)
	if err != nil || sb2.OrganizationID != sb.OrganizationID || sb2.InstallationID != sb.InstallationID {
		t.Fatalf("second try %+v, %v (first %+v)", sb2, err, sb)
	}
	if apps, err := f.s.RuntimeApps(ctx, org.ID, other.ID); err != nil || len(apps) != 1 {
		t.Fatalf("the second reviewer's apps %+v, %v", apps, err)
	}
	var n int64
	f.s.Gorm().Table("organizations").Where("review_sandbox").Count(&n)
	if n != 1 {
		t.Fatalf("%d review sandboxes", n)
	}
}
