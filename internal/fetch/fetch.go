// Package fetch is Broadsheet's one outbound HTTP client. Everything the
// platform fetches from the outside world (outlets' feeds, their homepages,
// article pages, lead images) and sends to it (WebSub hubs' publish pings)
// goes through it, so that every request has a
// timeout, a response size cap and a redirect cap, speaks only http and
// https, and never reaches loopback, private or link-local addresses unless
// that is explicitly allowed. The address check runs when the connection is
// dialled, on the address actually dialled, so a host name that resolves to a
// public address when checked and a private one when used (DNS rebinding)
// cannot get through.
package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// Defaults for the zero Options.
const (
	DefaultTimeout      = 20 * time.Second
	DefaultMaxBytes     = 10 << 20
	DefaultMaxRedirects = 5
	DefaultUserAgent    = "Broadsheet/1.0 (+source desk)"
)

// Options configure a Client. Zero fields take the defaults above.
type Options struct {
	// Timeout bounds a whole request: connecting, redirects and reading the body.
	Timeout time.Duration
	// MaxBytes caps a response body; a longer one is an error, not a truncation.
	MaxBytes int64
	// MaxRedirects caps the redirects followed for one request.
	MaxRedirects int
	// AllowPrivate permits loopback, private and link-local addresses. Off by
	// default; tests turn it on to reach their local servers.
	AllowPrivate bool
	// UserAgent is sent with every request.
	UserAgent string
}

// Client fetches URLs under its Options. It is safe for concurrent use.
type Client struct {
	opt Options
	hc  *http.Client
}

// New returns a Client with opt.
func New(opt Options) *Client {
	if opt.Timeout <= 0 {
		opt.Timeout = DefaultTimeout
	}
	if opt.MaxBytes <= 0 {
		opt.MaxBytes = DefaultMaxBytes
	}
	if opt.MaxRedirects <= 0 {
		opt.MaxRedirects = DefaultMaxRedirects
	}
	if opt.UserAgent == "" {
		opt.UserAgent = DefaultUserAgent
	}
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if !opt.AllowPrivate {
		dialer.Control = refusePrivate
	}
	transport := &http.Transport{
		// No proxy from the environment: the address check must see the
		// real destination, not a proxy's.
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          20,
		IdleConnTimeout:       60 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: opt.Timeout,
	}
	c := &Client{opt: opt}
	c.hc = &http.Client{
		Transport: transport,
		Timeout:   opt.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > opt.MaxRedirects {
				return &Error{Kind: KindRedirects, URL: via[0].URL.String(),
					Msg: fmt.Sprintf("gave up after %d redirects (last to %s)", opt.MaxRedirects, req.URL)}
			}
			if err := CheckURL(req.URL.String()); err != nil {
				return err
			}
			return nil
		},
	}
	return c
}

// Options returns the options in force, defaults filled in.
func (c *Client) Options() Options { return c.opt }

// Request is one GET. ETag and LastModified, when set, make it conditional.
type Request struct {
	URL          string
	Accept       string
	ETag         string
	LastModified string
}

// Response is a successful answer.
type Response struct {
	// URL is where the answer came from, after redirects.
	URL          string
	StatusCode   int
	ContentType  string
	ETag         string
	LastModified string
	// NotModified is true for a 304 answer to a conditional request; Body
	// is then empty.
	NotModified bool
	Body        []byte
}

// Kind classifies a failure so callers can react (and tests can check)
// without parsing messages.
type Kind string

// Kinds of failure.
const (
	KindURL       Kind = "url"       // not an absolute http(s) URL
	KindRefused   Kind = "refused"   // a private or loopback address
	KindTimeout   Kind = "timeout"   // no complete answer in time
	KindStatus    Kind = "status"    // an answer other than 2xx or 304
	KindTooLarge  Kind = "too_large" // a body over MaxBytes
	KindRedirects Kind = "redirects" // too many redirects
	KindNetwork   Kind = "network"   // DNS, connection, TLS and the like
)

// Error is a failed fetch: its kind, the URL asked for, and a sentence.
type Error struct {
	Kind   Kind
	URL    string
	Status int // for KindStatus
	Msg    string
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.URL, e.Msg) }

// KindOf returns the Kind of the *Error in err's chain, or "".
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ""
}

// CheckURL reports whether s is an absolute http or https URL with a host.
func CheckURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return &Error{Kind: KindURL, URL: s, Msg: "not a valid URL"}
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return &Error{Kind: KindURL, URL: s, Msg: fmt.Sprintf("only http and https URLs are fetched, not %q", u.Scheme)}
	}
	if u.Host == "" {
		return &Error{Kind: KindURL, URL: s, Msg: "the URL has no host"}
	}
	return nil
}

// Get fetches r.URL, following redirects, and returns the whole body.
func (c *Client) Get(ctx context.Context, r Request) (*Response, error) {
	if err := CheckURL(r.URL); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.URL, nil)
	if err != nil {
		return nil, &Error{Kind: KindURL, URL: r.URL, Msg: err.Error()}
	}
	req.Header.Set("User-Agent", c.opt.UserAgent)
	if r.Accept != "" {
		req.Header.Set("Accept", r.Accept)
	}
	if r.ETag != "" {
		req.Header.Set("If-None-Match", r.ETag)
	}
	if r.LastModified != "" {
		req.Header.Set("If-Modified-Since", r.LastModified)
	}
	return c.do(req, r.URL)
}

// PostForm sends values as a form to u (a WebSub hub's publish ping) under
// the same guards as Get, and returns the answer.
func (c *Client) PostForm(ctx context.Context, u string, values url.Values) (*Response, error) {
	if err := CheckURL(u); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(values.Encode()))
	if err != nil {
		return nil, &Error{Kind: KindURL, URL: u, Msg: err.Error()}
	}
	req.Header.Set("User-Agent", c.opt.UserAgent)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req, u)
}

// do sends req, asked for as u, and reads the answer within the limits.
func (c *Client) do(req *http.Request, u string) (*Response, error) {
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, c.classify(u, err)
	}
	defer resp.Body.Close()
	out := &Response{
		URL:          resp.Request.URL.String(),
		StatusCode:   resp.StatusCode,
		ContentType:  resp.Header.Get("Content-Type"),
		ETag:         resp.Header.Get("ETag"),
		LastModified: resp.Header.Get("Last-Modified"),
	}
	if resp.StatusCode == http.StatusNotModified {
		out.NotModified = true
		return out, nil
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, &Error{Kind: KindStatus, URL: u, Status: resp.StatusCode,
			Msg: fmt.Sprintf("the server answered %s", resp.Status)}
	}
	if resp.ContentLength > c.opt.MaxBytes {
		return nil, c.tooLarge(u)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.opt.MaxBytes+1))
	if err != nil {
		return nil, c.classify(u, err)
	}
	if int64(len(body)) > c.opt.MaxBytes {
		return nil, c.tooLarge(u)
	}
	out.Body = body
	return out, nil
}

func (c *Client) tooLarge(u string) error {
	return &Error{Kind: KindTooLarge, URL: u,
		Msg: fmt.Sprintf("the answer is larger than the %s limit", humanBytes(c.opt.MaxBytes))}
}

// classify turns a transport error into an *Error with a plain sentence.
func (c *Client) classify(u string, err error) error {
	var fe *Error
	if errors.As(err, &fe) {
		if fe.URL == "" {
			fe.URL = u
		}
		if fe.Kind == KindRefused {
			// Named by the host asked for (the redirect's, after one),
			// never by the address it resolved to.
			host := hostOf(u)
			var ue *url.Error
			if errors.As(err, &ue) {
				host = hostOf(ue.URL)
			}
			fe.Msg = fmt.Sprintf("refused: %s is not a public address", host)
		}
		return fe
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return &Error{Kind: KindTimeout, URL: u, Msg: fmt.Sprintf("no complete answer within %s", c.opt.Timeout)}
	}
	if errors.Is(err, context.Canceled) {
		return &Error{Kind: KindNetwork, URL: u, Msg: "the request was cancelled"}
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return &Error{Kind: KindNetwork, URL: u, Msg: fmt.Sprintf("the host %s could not be found", dnsErr.Name)}
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return &Error{Kind: KindNetwork, URL: u, Msg: oe.Err.Error()}
	}
	return &Error{Kind: KindNetwork, URL: u, Msg: err.Error()}
}

// hostOf returns the host of URL s, without its port.
func hostOf(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	return u.Hostname()
}

// refusePrivate is the dialer's Control hook: it sees the resolved address
// about to be connected to and refuses the ones that are not public. Its
// error does not name the address: classify names the host instead, so
// that a refusal does not tell what an internal name resolves to.
func refusePrivate(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		host = address
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !IsPublic(ip) {
		return &Error{Kind: KindRefused, Msg: "refused: the address is not a public address"}
	}
	return nil
}

// nonPublic are ranges the IsX methods of netip.Addr do not cover.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation (TEST-NET-1)
	netip.MustParsePrefix("192.88.99.0/24"),  // 6to4 relay anycast (deprecated)
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation (TEST-NET-2)
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation (TEST-NET-3)
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and the broadcast address
	netip.MustParsePrefix("::/96"),           // IPv4-compatible (deprecated): refused whatever it holds
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64: its IPv4 address may sit anywhere
	netip.MustParsePrefix("100::/64"),        // discard-only
	netip.MustParsePrefix("2001:2::/48"),     // benchmarking
	netip.MustParsePrefix("2001:10::/28"),    // ORCHID (deprecated)
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("3fff::/20"),       // documentation
	netip.MustParsePrefix("fec0::/10"),       // site-local (deprecated)
}

// Ranges of IPv6 addresses that carry an IPv4 address, by which they are
// judged: a translator or tunnel would deliver the packets to it.
var (
	nat64      = netip.MustParsePrefix("64:ff9b::/96")    // NAT64 well-known prefix: the last 32 bits
	translated = netip.MustParsePrefix("::ffff:0:0:0/96") // SIIT IPv4-translated: the last 32 bits
	sixToFour  = netip.MustParsePrefix("2002::/16")       // 6to4: bits 16 to 48
	teredo     = netip.MustParsePrefix("2001::/32")       // Teredo: the server bits 32 to 64, the client the last 32 inverted
)

// IsPublic reports whether ip is an ordinary public unicast address. An
// IPv6 address that carries an IPv4 address (IPv4-mapped, NAT64, 6to4,
// Teredo) is public only if what it carries is.
func IsPublic(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() ||
		ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	for _, v4 := range carriedIPv4(ip) {
		if !IsPublic(v4) {
			return false
		}
	}
	return true
}

// carriedIPv4 returns the IPv4 addresses an IPv6 address carries by a
// translation or tunnelling scheme, none for any other address.
func carriedIPv4(ip netip.Addr) []netip.Addr {
	if !ip.Is6() {
		return nil
	}
	b := ip.As16()
	v4 := func(p []byte) netip.Addr { return netip.AddrFrom4([4]byte(p)) }
	switch {
	case nat64.Contains(ip), translated.Contains(ip):
		return []netip.Addr{v4(b[12:16])}
	case sixToFour.Contains(ip):
		return []netip.Addr{v4(b[2:6])}
	case teredo.Contains(ip):
		client := [4]byte{^b[12], ^b[13], ^b[14], ^b[15]}
		return []netip.Addr{v4(b[4:8]), netip.AddrFrom4(client)}
	}
	return nil
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// IsHTML reports whether a Content-Type names an HTML document.
func IsHTML(contentType string) bool {
	ct := strings.ToLower(contentType)
	return strings.HasPrefix(ct, "text/html") || strings.HasPrefix(ct, "application/xhtml")
}
