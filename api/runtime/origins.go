package runtime

import (
	"net"
	"regexp"
	"strings"
)

// Origins maps app slugs to runtime origins and back:
// <scheme>://<slug>.<domain>[:<port>].
type Origins struct {
	Scheme string // "https" in production, "http" in development
	Domain string // RUNTIME_DOMAIN, e.g. apps.example.com or apps.localhost
	Port   string // empty for the scheme's default port
}

// Of is the runtime origin of the app with slug.
func (o Origins) Of(slug string) string {
	host := slug + "." + o.Domain
	if o.Port != "" {
		host = net.JoinHostPort(host, o.Port)
	}
	return o.Scheme + "://" + host
}

var slugLabel = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,46}[a-z0-9])?$`)

// SlugOf returns the app slug a request's Host names, or false when the
// host is not an app's runtime origin under this domain and port.
func (o Origins) SlugOf(hostport string) (string, bool) {
	host, port := hostport, ""
	if h, p, err := net.SplitHostPort(hostport); err == nil {
		host, port = h, p
	}
	if port != o.Port {
		return "", false
	}
	slug, ok := strings.CutSuffix(strings.ToLower(host), "."+o.Domain)
	if !ok || !slugLabel.MatchString(slug) {
		return "", false
	}
	return slug, true
}
