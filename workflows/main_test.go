package workflows_test

import (
	"testing"

	"appstore/workflows/temporaltest"
)

func TestMain(m *testing.M) { temporaltest.Main(m) }
