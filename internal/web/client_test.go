package web_test

import (
	"bytes"
	"crypto/tls"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/web"
)

var proxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8:1::/48")}

// TestClientBelievesOnlyTrustedProxies decides requests' client address and
// scheme: forwarding headers count only from a trusted proxy, and then the
// client is the right-most address that is not a trusted proxy.
func TestClientBelievesOnlyTrustedProxies(t *testing.T) {
	for _, c := range []struct {
		name, peer string
		tls        bool
		headers    map[string]string
		want       string
		https      bool
	}{
		{"no proxy", "203.0.113.9:4000", false, nil, "203.0.113.9", false},
		{"no proxy, TLS", "203.0.113.9:4000", true, nil, "203.0.113.9", true},
		{"forged by a client", "203.0.113.9:4000", false, map[string]string{"X-Forwarded-For": "10.0.0.1", "X-Forwarded-Proto": "https"}, "203.0.113.9", false},
		{"forged Forwarded", "203.0.113.9:4000", false, map[string]string{"Forwarded": "for=127.0.0.1;proto=https"}, "203.0.113.9", false},
		{"trusted proxy", "10.0.0.2:4000", false, map[string]string{"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https"}, "198.51.100.7", true},
		{"trusted proxy, plain http", "10.0.0.2:4000", false, map[string]string{"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "http"}, "198.51.100.7", false},
		{"trusted proxy, no headers", "10.0.0.2:4000", false, nil, "10.0.0.2", false},
		{"client prepends a lie", "10.0.0.2:4000", false, map[string]string{"X-Forwarded-For": "192.0.2.66, 198.51.100.7"}, "198.51.100.7", false},
		{"two trusted proxies", "10.0.0.2:4000", false, map[string]string{"X-Forwarded-For": "192.0.2.66, 198.51.100.7, 10.1.1.1"}, "198.51.100.7", false},
		{"proto appended by the proxy", "10.0.0.2:4000", false, map[string]string{"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https, http"}, "198.51.100.7", false},
		{"garbage in the chain", "10.0.0.2:4000", false, map[string]string{"X-Forwarded-For": "198.51.100.7, not-an-address"}, "10.0.0.2", false},
		{"all trusted", "10.0.0.2:4000", false, map[string]string{"X-Forwarded-For": "10.9.9.9"}, "10.9.9.9", false},
		{"Forwarded", "10.0.0.2:4000", false, map[string]string{"Forwarded": `for=192.0.2.66, for="[2001:db8:cafe::17]:4711";proto=https, for=10.3.3.3;proto=http`}, "2001:db8:cafe::17", true},
		{"Forwarded first", "10.0.0.2:4000", false, map[string]string{"Forwarded": "for=198.51.100.7", "X-Forwarded-For": "192.0.2.66"}, "198.51.100.7", false},
		{"Forwarded unknown", "10.0.0.2:4000", false, map[string]string{"Forwarded": "for=unknown"}, "10.0.0.2", false},
		{"IPv6 proxy", "[2001:db8:1::5]:4000", false, map[string]string{"X-Forwarded-For": "::ffff:198.51.100.7"}, "198.51.100.7", false},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.peer
		if c.tls {
			r.TLS = &tls.ConnectionState{}
		}
		for k, v := range c.headers {
			r.Header.Set(k, v)
		}
		got := web.Trust{Proxies: proxies}.Client(r)
		if got.Addr.String() != c.want || got.HTTPS != c.https {
			t.Errorf("%s: client %s, https %v; want %s, %v", c.name, got.Addr, got.HTTPS, c.want, c.https)
		}
	}
}

// TestHSTS sends Strict-Transport-Security over TLS, when a trusted proxy
// says the client uses https, and on every response when the base URL is
// https; never over plain http on the word of an untrusted header.
func TestHSTS(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	get := func(srv *httptest.Server, proto string) string {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+"/", nil)
		if proto != "" {
			req.Header.Set("X-Forwarded-Proto", proto)
		}
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.Header.Get("Strict-Transport-Security")
	}
	untrusted := httptest.NewServer(web.Chain(ok, web.Clients(web.Trust{Proxies: proxies}), web.SecurityHeaders))
	defer untrusted.Close()
	if h := get(untrusted, "https"); h != "" {
		t.Errorf("plain http, X-Forwarded-Proto: https from an untrusted peer: HSTS %q", h)
	}
	if h := get(untrusted, ""); h != "" {
		t.Errorf("plain http: HSTS %q", h)
	}
	behindProxy := httptest.NewServer(web.Chain(ok, web.Clients(web.Trust{Proxies: loopback}), web.SecurityHeaders))
	defer behindProxy.Close()
	if h := get(behindProxy, "https"); !strings.Contains(h, "max-age=") || maxAge(h) < 365*24*3600 {
		t.Errorf("a trusted proxy says https: HSTS %q, want max-age of a year or more", h)
	}
	if h := get(behindProxy, "http"); h != "" {
		t.Errorf("a trusted proxy says http: HSTS %q", h)
	}
	base := httptest.NewServer(web.Chain(ok, web.Clients(web.Trust{BaseHTTPS: true}), web.SecurityHeaders))
	defer base.Close()
	if h := get(base, ""); maxAge(h) < 365*24*3600 {
		t.Errorf("base URL https: HSTS %q", h)
	}
	tlsSrv := httptest.NewTLSServer(web.Chain(ok, web.Clients(web.Trust{}), web.SecurityHeaders))
	defer tlsSrv.Close()
	if h := get(tlsSrv, ""); maxAge(h) < 365*24*3600 {
		t.Errorf("TLS: HSTS %q", h)
	}
}

// maxAge reads the max-age of an HSTS header, 0 when none.
func maxAge(h string) int {
	for _, d := range strings.Split(h, ";") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(d), "max-age="); ok {
			n, _ := strconv.Atoi(v)
			return n
		}
	}
	return 0
}

// TestRequestLogNamesTheClient logs the client a trusted proxy forwarded,
// and the peer itself when it is not trusted.
func TestRequestLogNamesTheClient(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	h := web.Chain(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}),
		web.Clients(web.Trust{Proxies: proxies}), web.Logging(log))
	for _, peer := range []string{"10.0.0.2:4000", "203.0.113.9:4000"} {
		r := httptest.NewRequest("GET", "/x", nil)
		r.RemoteAddr = peer
		r.Header.Set("X-Forwarded-For", "198.51.100.7")
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "client=198.51.100.7") || !strings.Contains(lines[1], "client=203.0.113.9") {
		t.Errorf("request log:\n%s\nwant the forwarded client, then the untrusted peer", buf.String())
	}
}
