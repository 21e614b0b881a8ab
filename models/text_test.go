package models_test

import (
	"testing"

	"appstore/models"
)

func TestTextProblem(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain", ""}, {"é ü 日本", ""}, {"", ""},
		{"a\x00b", models.TextNUL}, {"a\xffb", models.TextInvalidUTF8}, {"\xff\x00", models.TextInvalidUTF8},
	} {
		if got := models.TextProblem(tc.in); got != tc.want {
			t.Errorf("TextProblem(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
