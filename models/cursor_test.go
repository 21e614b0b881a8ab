package models_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"appstore/models"
	"appstore/models/modeltest"
)

func TestCursorRoundTrip(t *testing.T) {
	t.Parallel()
	in := models.Cursor{CreatedAt: modeltest.BaseTime.In(time.FixedZone("X", 3600)), ID: uuid.New()}
	out, err := models.DecodeCursor(in.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if !out.CreatedAt.Equal(in.CreatedAt) || out.ID != in.ID {
		t.Fatalf("round trip = %+v, want %+v", out, in)
	}
	if strings.ContainsAny(in.Encode(), "+/=") {
		t.Fatalf("cursor %q is not URL-safe", in.Encode())
	}
}
