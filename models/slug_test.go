package models_test

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"appstore/models"
)

func TestNormalizeSlug(t *testing.T) {
	t.Parallel()
	tests := []struct{ raw, want string }{
		{"acme-labs", "acme-labs"},
		{"Acme Labs", "acme-labs"},
		{"  ACME   Labs  ", "acme-labs"},
		{"acme_labs", "acme-labs"},
		{"acme - _ labs", "acme-labs"},
		{"acme\t\n\r\flabs", "acme-labs"},
		{"--acme--labs--", "acme-labs"},
		{"_-_acme", "acme"},
		{"Acme, Inc.", "acme-inc"},
		{"a!c@m#e", "acme"},
		{"a-!-b", "a-b"}, // stripped characters do not break a run of separators
		{"a!-!b", "a-b"}, // nor start one
		{"café", "caf"},  // non-ASCII letters are stripped, not transliterated
		{"über cool", "ber-cool"},
		{"日本語", ""},
		{"!!!", ""},
		{"", ""},
		{"   ", ""},
		{"app2024", "app2024"},
		{"a\vb", "ab"}, // \v is not in RE2's \s
		{"ÀB", "b"},
	}
	for _, tt := range tests {
		if got := models.NormalizeSlug(tt.raw); got != tt.want {
			t.Errorf("NormalizeSlug(%q) = %q, want %q", tt.raw, got, tt.want)
		}
		if got := models.NormalizeSlug(models.NormalizeSlug(tt.raw)); got != tt.want {
			t.Errorf("NormalizeSlug is not idempotent on %q: %q", tt.raw, got)
		}
	}
}

// referenceSlug is DESIGN §5 written as the regular expressions it names.
func referenceSlug(raw string) string {
	s := strings.TrimSpace(strings.ToLower(raw))
	s = regexp.MustCompile(`[^a-z0-9\s_-]`).ReplaceAllString(s, "")
	s = regexp.MustCompile(`[\s_-]+`).ReplaceAllString(s, "-")
	return strings.Trim(s, "-")
}

// TestNormalizeSlugMatchesRules compares NormalizeSlug with the rules as
// written on random strings over an alphabet of the interesting characters.
func TestNormalizeSlugMatchesRules(t *testing.T) {
	t.Parallel()
	alphabet := []rune("aZ09 _-\t\n\v\f\r!.,éÀİ\u00a0\u2028日K")
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		b := make([]rune, r.IntN(12))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		raw := string(b)
		if got, want := models.NormalizeSlug(raw), referenceSlug(raw); got != want {
			t.Fatalf("NormalizeSlug(%q) = %q, the rules give %q", raw, got, want)
		}
	}
}

// slugShape is every non-empty normalised slug.
var slugShape = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

func FuzzNormalizeSlug(f *testing.F) {
	for _, seed := range []string{"Acme Labs", "a-!-b", " _x_ ", "日本", "İstanbul"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got := models.NormalizeSlug(raw)
		if want := referenceSlug(raw); got != want {
			t.Fatalf("NormalizeSlug(%q) = %q, the rules give %q", raw, got, want)
		}
		if again := models.NormalizeSlug(got); again != got {
			t.Fatalf("NormalizeSlug is not idempotent on %q: %q, then %q", raw, got, again)
		}
		if got != "" && !slugShape.MatchString(got) {
			t.Fatalf("NormalizeSlug(%q) = %q, not of the form [a-z0-9]+(-[a-z0-9]+)*", raw, got)
		}
	})
}
