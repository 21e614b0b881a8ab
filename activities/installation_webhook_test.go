package activities_test

import (
	"encoding/json"
	"testing"

	"appstore/activities"
	"appstore/models"
)

func TestCredentialRef(t *testing.T) {
	for _, tc := range []struct {
		typ     models.EventType
		payload models.JSONMap
		ok      bool
	}{
		{models.EventAppInstalled, models.JSONMap{"client_id": "asc_x", "secret_generation": float64(1)}, true},
		{models.EventSecretRotated, models.JSONMap{"client_id": "asc_x", "secret_generation": 3}, true},
		{models.EventAppUninstalled, models.JSONMap{"client_id": "asc_x", "secret_generation": float64(1)}, false},
		{models.EventAppInstalled, models.JSONMap{"client_id": "asc_x"}, false},
		{models.EventAppInstalled, nil, false},
	} {
		id, gen, ok := activities.CredentialRef(&models.WebhookDelivery{EventType: tc.typ, Payload: tc.payload})
		if ok != tc.ok || (ok && (id != "asc_x" || gen < 1)) {
			t.Errorf("%s %v: %q %d %v, want ok %v", tc.typ, tc.payload, id, gen, ok, tc.ok)
		}
	}
}

func TestWithCredentialsLeavesTheRowAlone(t *testing.T) {
	d := &models.WebhookDelivery{EventType: models.EventAppInstalled, Payload: models.JSONMap{"installation_id": "i1"}}
	body, err := activities.WebhookBody(activities.WithCredentials(d, "asc_x", "ascs_secret"))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Data map[string]any `json:"data"`
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if got.Data["client_id"] != "asc_x" || got.Data["client_secret"] != "ascs_secret" || got.Data["installation_id"] != "i1" {
		t.Fatalf("body data %v", got.Data)
	}
	if _, leaked := d.Payload["client_secret"]; leaked {
		t.Fatal("the delivery's own payload got the secret")
	}
	if _, ok := activities.WithCredentials(d, "asc_x", "").Payload["client_secret"]; ok {
		t.Fatal("an erased secret must not appear as an empty client_secret")
	}
}
