package models

import (
	"fmt"
	"strings"
)

// Slug length bounds (DESIGN §5), counted after normalisation.
const MinSlugLen, MaxSlugLen = 3, 48

// SlugCheck answers whether a slug can be taken, and why not.
type SlugCheck struct {
	Slug      string `json:"slug"` // normalised
	Available bool   `json:"available"`
	Reason    string `json:"reason,omitempty"` // "too_short" | "too_long" | "invalid" | "reserved" | "taken"
	Message   string `json:"message,omitempty"`
}

// Reasons a slug is not available.
const (
	SlugTooShort = "too_short"
	SlugTooLong  = "too_long"
	SlugInvalid  = "invalid"
	SlugReserved = "reserved"
	SlugTaken    = "taken"
)

// NormalizeSlug applies the slug rules of DESIGN §5: lowercase, trim, strip
// characters other than [a-z0-9\s_-], collapse runs of space, underscore and
// dash into one dash, and trim dashes. \s is RE2's: tab, newline, form
// feed, carriage return and space. The result is always empty or of the
// form [a-z0-9]+(-[a-z0-9]+)*.
func NormalizeSlug(raw string) string {
	var b strings.Builder
	dash := false // a separator is pending since the last kept character
	for _, r := range strings.ToLower(raw) {
		switch {
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		case r == ' ' || r == '\t' || r == '\n' || r == '\f' || r == '\r' || r == '_' || r == '-':
			dash = true
			// Any other character is stripped: it neither ends nor starts a run.
		}
	}
	return b.String()
}

// SlugProblem returns why the normalised slug (made from raw) breaks a rule
// that needs no database, with a message for people, or "" when it breaks none.
func SlugProblem(raw, slug string) (reason, message string) {
	switch {
	case slug == "" && strings.TrimSpace(raw) != "":
		return SlugInvalid, "Use letters, digits, spaces or dashes."
	case len(slug) < MinSlugLen:
		return SlugTooShort, fmt.Sprintf("Use at least %d letters or digits.", MinSlugLen)
	case len(slug) > MaxSlugLen:
		return SlugTooLong, fmt.Sprintf("Use at most %d characters.", MaxSlugLen)
	}
	return "", ""
}
