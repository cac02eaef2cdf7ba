package fetch

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
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
	for addr, want := range map[string]bool{
		"8.8.8.8": true, "2a00:1450::1": true,
		"127.0.0.1": false, "10.1.2.3": false, "172.16.0.1": false, "192.168.1.1": false,
		"169.254.169.254": false, "::1": false, "fe80::1": false, "fc00::1": false,
		"0.0.0.0": false, "100.64.0.1": false, "::ffff:127.0.0.1": false, "::ffff:10.0.0.1": false,
	} {
		if got := IsPublic(netip.MustParseAddr(addr)); got != want {
			t.Errorf("IsPublic(%s) = %v, want %v", addr, got, want)
		}
	}
}
