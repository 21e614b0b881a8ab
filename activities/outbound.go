package activities

import (
	"fmt"
	"net"
	"net/http"
	"syscall"
	"time"
)

// OutboundTimeout bounds one outbound request, connection to last byte.
const OutboundTimeout = 10 * time.Second

// deniedNetworks are ranges net.IP has no predicate for that must not be
// reached from developer-supplied URLs either: "this network", carrier-grade
// NAT, IETF protocol assignments, benchmarking, reserved and broadcast, and
// NAT64 prefixes (which map to any IPv4 address, internal ones included).
var deniedNetworks = func() []*net.IPNet {
	var out []*net.IPNet
	for _, cidr := range []string{"0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "198.18.0.0/15", "240.0.0.0/4",
		"64:ff9b::/96", "64:ff9b:1::/48", "fec0::/10"} {
		_, n, err := net.ParseCIDR(cidr)
		if err != nil {
			panic(err)
		}
		out = append(out, n)
	}
	return out
}()

// OutboundRefusal says why ip may not be reached, or "" when it may: a
// loopback, private, link-local, unspecified, multicast or otherwise
// internal address is refused unless a network of allow contains it.
func OutboundRefusal(ip net.IP, allow []*net.IPNet) string {
	for _, n := range allow {
		if n.Contains(ip) {
			return ""
		}
	}
	switch {
	case ip.IsLoopback():
		return "a loopback address"
	case ip.IsPrivate():
		return "a private address"
	case ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast():
		return "a link-local address"
	case ip.IsUnspecified():
		return "an unspecified address"
	case ip.IsMulticast(), ip.IsInterfaceLocalMulticast():
		return "a multicast address"
	}
	for _, n := range deniedNetworks {
		if n.Contains(ip) {
			return "a reserved address"
		}
	}
	return ""
}

// RefusedAddressError is the dial error for an address OutboundRefusal
// refuses.
type RefusedAddressError struct {
	IP     net.IP
	Reason string
}

func (e *RefusedAddressError) Error() string {
	return fmt.Sprintf("refused to connect to %s: %s is not reachable from the platform", e.IP, e.Reason)
}

// outboundControl checks every address the dialer is about to connect to,
// after name resolution, so a host name that resolves (or re-resolves, DNS
// rebinding) to an internal address is refused too.
func outboundControl(allow []*net.IPNet) func(network, address string, _ syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return fmt.Errorf("outbound: %w", err)
		}
		ip := net.ParseIP(host)
		if ip == nil {
			return fmt.Errorf("outbound: %q is not an IP address", host)
		}
		if reason := OutboundRefusal(ip, allow); reason != "" {
			return &RefusedAddressError{IP: ip, Reason: reason}
		}
		return nil
	}
}

// NewOutboundClient returns the HTTP client for URLs that developers
// supply (webhooks): its dialer refuses the addresses OutboundRefusal
// refuses unless allow contains them, it never uses a proxy from the
// environment (the proxy's address would be checked, not the target's),
// follows no redirects (the 3xx is the answer) and gives up after
// OutboundTimeout.
func NewOutboundClient(allow []*net.IPNet) *http.Client {
	dialer := &net.Dialer{Timeout: OutboundTimeout, KeepAlive: 30 * time.Second, Control: outboundControl(allow)}
	return &http.Client{
		Transport: &http.Transport{
			DialContext:           dialer.DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          100,
			MaxIdleConnsPerHost:   4,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   OutboundTimeout,
			ResponseHeaderTimeout: OutboundTimeout,
		},
		Timeout:       OutboundTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
