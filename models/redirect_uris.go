package models

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Redirect URI limits.
const (
	MaxRedirectURIs   = 10
	MaxRedirectURILen = 2048
)

// ValidateRedirectURIs checks an OAuth client's redirect URIs against
// DESIGN §5 and returns one error per bad URI (field "redirect_uris[i]"),
// plus one for the list ("redirect_uris") when it holds more than
// MaxRedirectURIs. A URI must be absolute, at most MaxRedirectURILen bytes,
// without wildcards, fragment or user info, and listed once. In production
// it must be https to a host that is not localhost or a loopback, private
// or link-local address;
// in development http is also allowed, but only to localhost and loopback
// addresses. An empty list is valid.
func ValidateRedirectURIs(uris []string, production bool) []FieldError {
	var errs []FieldError
	if len(uris) > MaxRedirectURIs {
		errs = append(errs, FieldError{Field: "redirect_uris",
			Message: fmt.Sprintf("at most %d redirect URIs are allowed, not %d", MaxRedirectURIs, len(uris))})
	}
	seen := map[string]int{}
	for i, raw := range uris {
		field := fmt.Sprintf("redirect_uris[%d]", i)
		msg, key := redirectURIProblem(raw, production)
		if msg == "" {
			if first, dup := seen[key]; dup {
				msg = fmt.Sprintf("is the same as redirect_uris[%d]", first)
			} else {
				seen[key] = i
			}
		}
		if msg != "" {
			errs = append(errs, FieldError{Field: field, Message: msg})
		}
	}
	return errs
}

// redirectURIProblem returns what is wrong with raw, or "" and the key that
// identifies it among duplicates (scheme and host are case-insensitive).
func redirectURIProblem(raw string, production bool) (problem, key string) {
	switch {
	case raw == "":
		return "must not be empty", ""
	case len(raw) > MaxRedirectURILen:
		return fmt.Sprintf("must be at most %d characters", MaxRedirectURILen), ""
	case strings.TrimSpace(raw) != raw || strings.ContainsAny(raw, " \t\r\n"):
		return "must not contain spaces", ""
	case strings.Contains(raw, "*"):
		return "must not contain wildcards (*): list every address in full", ""
	case strings.Contains(raw, "#"):
		return "must not have a fragment (#…)", ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "is not a valid URL", ""
	}
	if !u.IsAbs() || u.Host == "" || u.Opaque != "" {
		return "must be an absolute URL such as https://example.com/callback", ""
	}
	if u.User != nil {
		return "must not contain a user name or password", ""
	}
	host := strings.ToLower(u.Hostname())
	if host == "" {
		return "must name a host", ""
	}
	if strings.Contains(host, "%") {
		return "must not contain wildcards or escapes in the host", ""
	}
	loopback := isLoopbackHost(host)
	switch scheme := strings.ToLower(u.Scheme); {
	case scheme == "https":
		if production && internalHost(host) {
			return "must not point to localhost, a loopback, private or link-local address in production", ""
		}
	case scheme == "http" && production:
		return "must use https in production", ""
	case scheme == "http" && !loopback:
		return "must use https (http is allowed only for localhost in development)", ""
	case scheme == "http":
	default:
		return "must use https", ""
	}
	key = strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host) + u.EscapedPath()
	if u.RawQuery != "" || u.ForceQuery {
		key += "?" + u.RawQuery
	}
	return "", key
}

// isLoopbackHost reports whether host (lowercase, without brackets or port)
// names this machine: localhost, a name under .localhost, or a loopback IP
// address.
func isLoopbackHost(host string) bool {
	host = strings.TrimSuffix(host, ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
