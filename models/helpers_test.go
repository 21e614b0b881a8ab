package models_test

import (
	"testing"

	"appstore/models"
)

// wantError fails unless err is a domain error of kind and, when code is
// not empty, of code.
func wantError(t *testing.T, err error, kind models.Kind, code string) *models.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s/%s", kind, code)
	}
	de, ok := models.AsError(err)
	if !ok {
		t.Fatalf("error %v is not a *models.Error, want %s/%s", err, kind, code)
	}
	if de.Kind != kind || (code != "" && de.Code != code) {
		t.Fatalf("error %v has kind %s code %s, want %s/%s", err, de.Kind, de.Code, kind, code)
	}
	return de
}
