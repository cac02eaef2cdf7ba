package fetch

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestGetFollowsRedirectsAndReturnsValidators(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/feed", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/feed", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Mon, 05 Jan 2026 10:00:00 GMT")
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, "<rss/>")
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := New(Options{AllowPrivate: true})

	resp, err := c.Get(context.Background(), Request{URL: srv.URL + "/old"})
	if err != nil {
		t.Fatal(err)
	}
	if resp.URL != srv.URL+"/feed" || string(resp.Body) != "<rss/>" || resp.ETag != `"v1"` || resp.LastModified == "" {
		t.Errorf("got %+v", resp)
	}
	again, err := c.Get(context.Background(), Request{URL: srv.URL + "/feed", ETag: resp.ETag})
	if err != nil {
		t.Fatal(err)
	}
	if !again.NotModified || len(again.Body) != 0 {
		t.Errorf("conditional request: got NotModified=%v body %q, want a 304", again.NotModified, again.Body)
	}
}

func TestGetFailures(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) })
	mux.HandleFunc("/500", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", 500) })
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		chunk := strings.Repeat("x", 1<<16)
		for i := 0; i < 64; i++ { // 4 MB, unannounced length
			if _, err := fmt.Fprint(w, chunk); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(30 * time.Second):
		}
	})
	mux.HandleFunc("/to-ftp", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "ftp://example.com/x", http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	// A short timeout only where it is the failure tested: reading 1 MB on
	// a busy machine, or under the race detector, can take longer.
	c := New(Options{AllowPrivate: true, MaxBytes: 1 << 20, Timeout: time.Minute, MaxRedirects: 3})
	impatient := New(Options{AllowPrivate: true, MaxBytes: 1 << 20, Timeout: 300 * time.Millisecond, MaxRedirects: 3})

	tests := []struct {
		path string
		kind Kind
		msg  string
	}{
		{"/loop", KindRedirects, "gave up after 3 redirects"},
		{"/500", KindStatus, "500 Internal Server Error"},
		{"/big", KindTooLarge, "larger than the 1 MB limit"},
		{"/slow", KindTimeout, "no complete answer within"},
		{"/to-ftp", KindURL, `not "ftp"`},
	}
	for _, tt := range tests {
		c := c
		if tt.kind == KindTimeout {
			c = impatient
		}
		_, err := c.Get(context.Background(), Request{URL: srv.URL + tt.path})
		if KindOf(err) != tt.kind || err == nil || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: got %v (kind %q), want kind %q saying %q", tt.path, err, KindOf(err), tt.kind, tt.msg)
		}
	}
}

func TestRefusesPrivateAddressesAtDialTime(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "secret")
	}))
	defer srv.Close()
	c := New(Options{})
	// "localhost" passes any check on the URL's text; only the dial-time
	// check sees that it resolves to loopback.
	for _, u := range []string{srv.URL, strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)} {
		resp, err := c.Get(context.Background(), Request{URL: u})
		if KindOf(err) != KindRefused {
			t.Errorf("%s: got %v, %v; want the connection refused as private", u, resp, err)
		}
	}
	// Only http and https are spoken.
	for _, u := range []string{"file:///etc/passwd", "gopher://example.com/", "http:///nohost"} {
		if _, err := c.Get(context.Background(), Request{URL: u}); KindOf(err) != KindURL {
			t.Errorf("%s: got %v, want a URL error", u, err)
		}
	}
}

func TestIsPublic(t *testing.T) {
	tests := []struct {
		addr string
		want bool
		why  string
	}{
		{"8.8.8.8", true, "public IPv4"},
		{"2a00:1450::1", true, "public IPv6"},
		{"127.0.0.1", false, "loopback"},
		{"10.1.2.3", false, "private"},
		{"172.16.0.1", false, "private"},
		{"192.168.1.1", false, "private"},
		{"169.254.169.254", false, "link-local (cloud metadata)"},
		{"::1", false, "IPv6 loopback"},
		{"::", false, "IPv6 unspecified"},
		{"fe80::1", false, "IPv6 link-local"},
		{"fc00::1", false, "unique local"},
		{"fec0::1", false, "site-local (deprecated)"},
		{"0.0.0.0", false, "unspecified"},
		{"0.1.2.3", false, "this network"},
		{"100.64.0.1", false, "carrier-grade NAT"},
		{"100.127.255.254", false, "carrier-grade NAT"},
		{"192.0.0.8", false, "IETF protocol assignments"},
		{"192.0.2.1", false, "documentation"},
		{"198.51.100.1", false, "documentation"},
		{"203.0.113.1", false, "documentation"},
		{"192.88.99.1", false, "6to4 relay anycast"},
		{"198.18.0.1", false, "benchmarking"},
		{"198.19.255.255", false, "benchmarking"},
		{"224.0.0.1", false, "multicast"},
		{"239.255.255.250", false, "multicast"},
		{"ff02::1", false, "IPv6 multicast"},
		{"255.255.255.255", false, "broadcast"},
		{"240.0.0.1", false, "reserved"},
		{"2001:db8::1", false, "IPv6 documentation"},
		{"100::1", false, "discard-only"},
		{"2001:2::1", false, "IPv6 benchmarking"},
		{"2001:10::1", false, "ORCHID"},
		// IPv4-mapped: judged by the IPv4 address inside.
		{"::ffff:127.0.0.1", false, "IPv4-mapped loopback"},
		{"::ffff:10.0.0.1", false, "IPv4-mapped private"},
		{"::ffff:8.8.8.8", true, "IPv4-mapped public"},
		// SIIT IPv4-translated: judged by the IPv4 address inside.
		{"::ffff:0:127.0.0.1", false, "IPv4-translated loopback"},
		{"::ffff:0:8.8.8.8", true, "IPv4-translated public"},
		// IPv4-compatible (deprecated): all refused.
		{"::127.0.0.1", false, "IPv4-compatible loopback"},
		{"::10.0.0.1", false, "IPv4-compatible private"},
		{"::8.8.8.8", false, "IPv4-compatible, deprecated"},
		// NAT64 well-known prefix: judged by the IPv4 address inside.
		{"64:ff9b::127.0.0.1", false, "NAT64 of loopback"},
		{"64:ff9b::10.0.0.1", false, "NAT64 of private"},
		{"64:ff9b::169.254.169.254", false, "NAT64 of link-local"},
		{"64:ff9b::8.8.8.8", true, "NAT64 of public"},
		// Local-use NAT64: its IPv4 may sit anywhere; all refused.
		{"64:ff9b:1::8.8.8.8", false, "local-use NAT64"},
		{"64:ff9b:1:ffff::1", false, "local-use NAT64"},
		// 6to4: the IPv4 address is bits 16 to 48.
		{"2002:7f00:1::1", false, "6to4 of 127.0.0.1"},
		{"2002:a00:1::1", false, "6to4 of 10.0.0.1"},
		{"2002:c0a8:101::1", false, "6to4 of 192.168.1.1"},
		{"2002:a9fe:a9fe::1", false, "6to4 of 169.254.169.254"},
		{"2002:808:808::1", true, "6to4 of 8.8.8.8"},
		// Teredo: the server's IPv4 address is bits 32 to 64, the
		// client's the last 32 bits inverted.
		{"2001:0:808:808:0:0:f7f7:f7f7", true, "Teredo of 8.8.8.8 via 8.8.8.8"},
		{"2001:0:7f00:1:0:0:f7f7:f7f7", false, "Teredo via server 127.0.0.1"},
		{"2001:0:808:808:0:0:80ff:fffe", false, "Teredo of client 127.0.0.1"},
		{"2001:0:808:808:0:0:f5ff:fffe", false, "Teredo of client 10.0.0.1"},
	}
	for _, tt := range tests {
		if got := IsPublic(netip.MustParseAddr(tt.addr)); got != tt.want {
			t.Errorf("IsPublic(%s) = %v, want %v (%s)", tt.addr, got, tt.want, tt.why)
		}
	}
}

// TestRefusalDoesNotTellTheAddress: a name that resolves to a private
// address is refused by its name, and the message keeps the address it
// resolved to to itself.
func TestRefusalDoesNotTellTheAddress(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "secret")
	}))
	defer srv.Close()
	u := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	_, err := New(Options{}).Get(context.Background(), Request{URL: u})
	if KindOf(err) != KindRefused || !strings.Contains(err.Error(), "refused: localhost is not a public address") {
		t.Errorf("GET %s: %v, want it refused naming localhost", u, err)
	}
	if err != nil && (strings.Contains(err.Error(), "127.0.0.1") || strings.Contains(err.Error(), "::1")) {
		t.Errorf("the refusal tells what localhost resolves to: %v", err)
	}
}

func TestPostFormGoesThroughTheGuards(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.Method != http.MethodPost {
			http.Error(w, "want a form POST", http.StatusBadRequest)
			return
		}
		got = r.PostForm.Get("hub.mode")
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	form := url.Values{"hub.mode": {"publish"}}
	if _, err := New(Options{AllowPrivate: true}).PostForm(context.Background(), srv.URL, form); err != nil || got != "publish" {
		t.Errorf("PostForm with private addresses allowed: %v, the server read hub.mode=%q", err, got)
	}
	got = ""
	if _, err := New(Options{}).PostForm(context.Background(), srv.URL, form); KindOf(err) != KindRefused || got != "" {
		t.Errorf("PostForm to a loopback address: %v, want it refused before anything is sent", err)
	}
	if _, err := New(Options{}).PostForm(context.Background(), "file:///etc/passwd", form); KindOf(err) != KindURL {
		t.Errorf("PostForm to a file URL: %v, want a URL error", err)
	}
}
