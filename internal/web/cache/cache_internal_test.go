package cache

import (
	"crypto/tls"
	"net/http/httptest"
	"testing"
)

// TestAppendKey checks that a page's key is its absolute address as the
// request names it, whatever shortcut builds it.
func TestAppendKey(t *testing.T) {
	for _, target := range []string{
		"/", "/2026/01/03/story-3/", "/page/2/", "/caf%C3%A9/", "/a%20b/", "/a(b)!/", "/x?y=1", "/x?", "/%2F/",
		"/tag/c++/", "/a;b=c/", "/~user/", "/a'b/",
	} {
		for _, secure := range []bool{false, true} {
			r := httptest.NewRequest("GET", "http://example.org"+target, nil)
			want := "http://" + r.Host + r.URL.RequestURI()
			if secure {
				r.TLS = &tls.ConnectionState{}
				want = "https://" + r.Host + r.URL.RequestURI()
			}
			if got := string(appendKey(nil, r)); got != want {
				t.Errorf("appendKey(%s, tls %v) = %q, want %q", target, secure, got, want)
			}
		}
	}
}
