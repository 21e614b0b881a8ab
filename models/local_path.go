package models

import (
	"net/url"
	"strings"
	"unicode/utf8"
)

// MaxLocalPathLen bounds a post-sign-in destination.
const MaxLocalPathLen = 2048

// LocalPath returns raw when it is a path on this site that is safe to put
// in a Location header, and "/" otherwise. Browsers are lenient where we
// must be strict: they drop TAB, CR and LF from URLs, read "\" as "/", and
// treat "//host" as another site, so "/\t/evil.example" would leave the
// site. Accepted: an absolute path ("/" then anything but "/" or "\"), with
// an optional query, no control characters and no backslashes (escaped or
// not), valid UTF-8, and no scheme or host once parsed.
func LocalPath(raw string) string {
	if !IsLocalPath(raw) {
		return "/"
	}
	return raw
}

// IsLocalPath reports whether LocalPath accepts raw as it is.
func IsLocalPath(raw string) bool {
	if raw == "" || len(raw) > MaxLocalPathLen || raw[0] != '/' || !utf8.ValidString(raw) {
		return false
	}
	if len(raw) > 1 && (raw[1] == '/' || raw[1] == '\\') {
		return false
	}
	if hasUnsafePathRune(raw) {
		return false
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return false
	}
	// Percent-escapes are harmless to a browser, but some proxies and
	// frameworks decode before they route: the decoded path obeys the same
	// rules rather than us reasoning about every hop.
	return !strings.HasPrefix(u.Path, "//") && !hasUnsafePathRune(u.Path)
}

// hasUnsafePathRune reports a control character (C0, DEL, C1) or a
// backslash in s.
func hasUnsafePathRune(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool {
		return r < 0x20 || r == 0x7f || r == '\\' || (r >= 0x80 && r <= 0x9f)
	})
}
