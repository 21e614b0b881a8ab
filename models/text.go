package models

import (
	"strings"
	"unicode/utf8"
)

// Why text input is refused (TextProblem's answers, used as error codes).
const (
	TextInvalidUTF8 = "invalid_utf8"
	TextNUL         = "nul_character"
)

// TextProblem says why s cannot be stored as text, or "": PostgreSQL
// refuses invalid UTF-8 anywhere and the NUL character in text and jsonb,
// so both are refused at the edge rather than failing deep in a store.
func TextProblem(s string) string {
	switch {
	case !utf8.ValidString(s):
		return TextInvalidUTF8
	case strings.IndexByte(s, 0) >= 0:
		return TextNUL
	}
	return ""
}
