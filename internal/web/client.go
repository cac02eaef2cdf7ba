package web

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Trust says whose word a request's forwarding headers take and how the
// site is reached.
type Trust struct {
	// Proxies are the address ranges of the reverse proxies in front of
	// the server. Only a request whose peer is in one of them has its
	// Forwarded, X-Forwarded-For and X-Forwarded-Proto headers believed:
	// anyone else could forge them to dodge the sign-in throttle, pass for
	// this machine, or claim https.
	Proxies []netip.Prefix
	// BaseHTTPS says the site's base URL is https: every response then
	// tells browsers to use https only (HSTS).
	BaseHTTPS bool
}

// Client is who sent a request, as far as the server can tell.
type Client struct {
	// Addr is the client's address: the peer's, or the one a trusted
	// proxy forwarded. It is invalid when the peer's address cannot be
	// read (a test's fake request, a Unix socket).
	Addr netip.Addr
	// HTTPS says the client's connection is encrypted: TLS to this server,
	// or https to a trusted proxy that says so.
	HTTPS bool
}

// Client decides who sent r. The peer's forwarding headers are used only
// when the peer is a trusted proxy; the client is then the right-most
// address of the forwarding chain that is not a trusted proxy (the ones
// left of it may be forged by the client itself), and the scheme the one
// the proxy facing that client reports.
func (t Trust) Client(r *http.Request) Client {
	c := Client{Addr: peerAddr(r.RemoteAddr), HTTPS: r.TLS != nil}
	if !t.trusts(c.Addr) {
		return c
	}
	if fwd := r.Header.Values("Forwarded"); len(fwd) > 0 {
		hops := parseForwarded(fwd)
		for i := len(hops) - 1; i >= 0; i-- {
			if !hops[i].addr.IsValid() {
				break // an obfuscated or unknown hop: the chain is lost beyond it
			}
			c.Addr = hops[i].addr
			if p := hops[i].proto; p != "" {
				c.HTTPS = strings.EqualFold(p, "https")
			}
			if !t.trusts(c.Addr) {
				break
			}
		}
		return c
	}
	if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
		hops := splitList(xff)
		for i := len(hops) - 1; i >= 0; i-- {
			a, err := netip.ParseAddr(hops[i])
			if err != nil {
				break
			}
			c.Addr = a.Unmap()
			if !t.trusts(c.Addr) {
				break
			}
		}
	}
	// The right-most value is the one the proxy that sent the request set;
	// values left of it may come from the client.
	if xfp := splitList(r.Header.Values("X-Forwarded-Proto")); len(xfp) > 0 {
		c.HTTPS = strings.EqualFold(xfp[len(xfp)-1], "https")
	}
	return c
}

func (t Trust) trusts(a netip.Addr) bool {
	if !a.IsValid() {
		return false
	}
	for _, p := range t.Proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// peerAddr reads the address of a request's RemoteAddr ("host:port").
func peerAddr(remote string) netip.Addr {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}

// splitList splits comma-separated header values, trimmed, dropping empty
// items.
func splitList(values []string) []string {
	var out []string
	for _, v := range values {
		for _, item := range strings.Split(v, ",") {
			if item = strings.TrimSpace(item); item != "" {
				out = append(out, item)
			}
		}
	}
	return out
}

// forwardedHop is one element of a Forwarded header (RFC 7239).
type forwardedHop struct {
	addr  netip.Addr // invalid for "unknown", an obfuscated name, or garbage
	proto string
}

// parseForwarded reads the elements of Forwarded headers: for= and proto=
// of each, the others ignored.
func parseForwarded(values []string) []forwardedHop {
	var hops []forwardedHop
	for _, v := range values {
		for _, elem := range strings.Split(v, ",") {
			var h forwardedHop
			for _, pair := range strings.Split(elem, ";") {
				k, val, ok := strings.Cut(strings.TrimSpace(pair), "=")
				if !ok {
					continue
				}
				val = strings.Trim(strings.TrimSpace(val), `"`)
				switch strings.ToLower(strings.TrimSpace(k)) {
				case "for":
					h.addr = forwardedAddr(val)
				case "proto":
					h.proto = val
				}
			}
			hops = append(hops, h)
		}
	}
	return hops
}

// forwardedAddr reads a Forwarded for= node: 192.0.2.60, 192.0.2.60:4711,
// [2001:db8::1] or [2001:db8::1]:4711.
func forwardedAddr(node string) netip.Addr {
	if ap, err := netip.ParseAddrPort(node); err == nil {
		return ap.Addr().Unmap()
	}
	a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(node, "["), "]"))
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}

// clientKey is the context key of a request's clientInfo.
type clientKey struct{}

// clientInfo is what Clients decided about a request.
type clientInfo struct {
	Client
	hsts bool // send Strict-Transport-Security
}

// Clients decides, once per request, who sent it (see Trust.Client), for
// ClientOf to tell the handlers, the request log, and SecurityHeaders,
// which sends HSTS when the client uses https or the base URL is https,
// and never on the word of an untrusted header. It goes outside them all.
func Clients(t Trust) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		if len(t.Proxies) == 0 && !t.BaseHTTPS {
			// Nothing to believe nor to add: ClientOf's answer without
			// Clients is the same, so requests keep their context as it
			// is (a copy of each request cost the cached pages' path).
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c := t.Client(r)
			info := &clientInfo{Client: c, hsts: c.HTTPS || t.BaseHTTPS}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), clientKey{}, info)))
		})
	}
}

// ClientOf returns who sent r, as Clients decided; without Clients, the
// peer, its forwarding headers ignored.
func ClientOf(r *http.Request) Client {
	return clientInfoOf(r).Client
}

func clientInfoOf(r *http.Request) clientInfo {
	if info, ok := r.Context().Value(clientKey{}).(*clientInfo); ok {
		return *info
	}
	c := Trust{}.Client(r)
	return clientInfo{Client: c, hsts: c.HTTPS}
}
