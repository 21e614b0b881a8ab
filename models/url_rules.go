package models

import (
	"net"
	"strings"
)

// URLRules say where developer-supplied URLs that the platform calls or
// sends people to may point. They are one setting of the deployment, set
// on the Store at start.
type URLRules struct {
	// Production selects the strict rules: https only, and redirect URIs
	// never to localhost or loopback. Development allows http to loopback.
	Production bool
	// AllowInternal lists the networks a webhook URL may name by address
	// although they are loopback, private or link-local (OUTBOUND_ALLOW);
	// the outbound dialer honours the same list.
	AllowInternal []*net.IPNet
}

// ProductionURLRules are the rules a Store starts with.
func ProductionURLRules() URLRules { return URLRules{Production: true} }

// DevelopmentURLRules allow http, and loopback hosts, for local receivers
// and example apps.
func DevelopmentURLRules() URLRules { return URLRules{} }

// internalHost reports whether host (lowercase, no brackets or port) names
// this machine or a network that is not the public internet: localhost,
// loopback, unspecified, private, link-local (cloud metadata services live
// there) or multicast addresses.
func internalHost(host string) bool {
	if isLoopbackHost(host) {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && (ip.IsUnspecified() || ip.IsPrivate() || ip.IsLinkLocalUnicast() ||
		ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() || ip.IsMulticast())
}

// allowsInternal reports whether r lets a URL name internal host: in
// development any loopback host, and otherwise only what the allowlist
// covers (a loopback name counts as 127.0.0.1 and ::1).
func (r URLRules) allowsInternal(host string) bool {
	if !r.Production && isLoopbackHost(host) {
		return true
	}
	ips := []net.IP{net.ParseIP(host)}
	if name := strings.TrimSuffix(host, "."); name == "localhost" || strings.HasSuffix(name, ".localhost") {
		ips = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	}
	for _, ip := range ips {
		if ip == nil {
			return false
		}
		covered := false
		for _, n := range r.AllowInternal {
			covered = covered || n.Contains(ip)
		}
		if !covered {
			return false
		}
	}
	return true
}
