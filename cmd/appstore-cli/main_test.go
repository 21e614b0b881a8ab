package main

import (
	"testing"

	"appstore/workflows/temporaltest"
)

// TestMain stops the Temporal dev server the end-to-end test starts.
func TestMain(m *testing.M) { temporaltest.Main(m) }
