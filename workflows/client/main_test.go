package client_test

import (
	"testing"

	"appstore/workflows/temporaltest"
)

// TestMain stops the Temporal dev server the tests start.
func TestMain(m *testing.M) { temporaltest.Main(m) }
