package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"appstore/models"
)

func TestInstallationPages(t *testing.T) {
	f := newInstallFixture(t)
	ctx := context.Background()
	if _, err := f.h.store.CreateConnectionDefinition(ctx, f.app.ID, models.ConnectionDefinitionInput{
		Key: "crm_api_key", Type: models.ConnectionAPIKey, DisplayName: "CRM API key", Required: true}); err != nil {
		t.Fatal(err)
	}
	if err := f.h.store.Gorm().Exec(`UPDATE apps SET required_scopes = '["contacts:read"]', is_free = false, monthly_price = 29.99 WHERE id = ?`,
		f.app.ID).Error; err != nil {
		t.Fatal(err)
	}
	consent := "/organizations/" + f.acme.String() + "/install/" + f.app.Slug
	page := func(path, cookie string, status int) string {
		t.Helper()
		rec := f.h.do(req{method: "GET", path: path, cookie: cookie})
		wantStatus(t, rec, status)
		return rec.Body.String()
	}
	body := page(consent, f.admin, http.StatusOK)
	for _, want := range []string{"contacts:read", "openid", "CRM API key", "29.99", `data-testid="install"`, `value="` + f.app.Slug + `"`} {
		if !strings.Contains(body, want) {
			t.Errorf("consent page lacks %q", want)
		}
	}
	if body := page(consent, f.member, http.StatusOK); strings.Contains(body, `data-testid="install"`) {
		t.Error("a member sees the Install button")
	}
	page(consent, f.outsider, http.StatusNotFound)

	inst := f.install(t, f.owner, f.acme, f.app.Slug, http.StatusCreated)
	apps := "/organizations/" + f.acme.String() + "/apps"
	body = page(apps, f.admin, http.StatusOK)
	open := "/organizations/" + f.acme.String() + "/installations/" + inst.ID.String() + "/open"
	for _, want := range []string{open, `data-testid="uninstall"`, "data-confirm", "1.2.0"} {
		if !strings.Contains(body, want) {
			t.Errorf("installed apps page lacks %q", want)
		}
	}
	if body := page(apps, f.member, http.StatusOK); !strings.Contains(body, open) || strings.Contains(body, `data-testid="uninstall"`) {
		t.Error("a member should see Open App and no Uninstall")
	}
	page(apps, f.outsider, http.StatusNotFound)
	if body := page(consent, f.owner, http.StatusOK); !strings.Contains(body, "installed already") {
		t.Error("the consent page of an installed app should say so")
	}
	if body := page("/organizations/"+f.acme.String(), f.member, http.StatusOK); !strings.Contains(body, `href="`+apps+`"`) {
		t.Error("the organization page does not link to its apps")
	}
}
