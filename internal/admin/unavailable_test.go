package admin_test

import (
	"context"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// cuttable is a TCP proxy to a database server whose connections can all
// be cut at once, as a network outage or a server restart would.
type cuttable struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func newCuttable(t *testing.T, target string) *cuttable {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cuttable{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			go func() { io.Copy(s, c); s.Close() }()
			go func() { io.Copy(c, s); c.Close() }()
		}
	}()
	t.Cleanup(p.cut)
	return p
}

// cut stops accepting connections and closes the open ones.
func (p *cuttable) cut() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// TestAPIUnavailableSaysWhenToRetry cuts the connection to PostgreSQL
// under the Admin API: calls answer 503 with a Retry-After header and a
// JSON error, as readers' pages do.
func TestAPIUnavailableSaysWhenToRetry(t *testing.T) {
	dsn := storetest.DSN(t, "postgres")
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newCuttable(t, u.Host)
	u.Host = proxy.ln.Addr().String()
	db, err := store.Open(context.Background(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	e := newEnv(t, db)
	if status, _ := e.call("editor", "GET", "/api/v1/posts", nil); status != 200 {
		t.Fatalf("GET /api/v1/posts before the outage: %d", status)
	}
	proxy.cut()
	for _, c := range []struct{ method, path string }{{"GET", "/api/v1/posts"}, {"GET", "/api/v1/me"}, {"POST", "/api/v1/posts"}} {
		res, out := e.raw("editor", c.method, c.path, `{"title": "x"}`)
		if res.StatusCode != 503 || errorOf(out)["code"] != "service_unavailable" || !strings.Contains(errorOf(out)["message"].(string), "briefly unavailable") {
			t.Errorf("%s %s while the database is down: %d %v, want a 503 with a JSON error", c.method, c.path, res.StatusCode, out)

		}
		if s, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || s < 1 {
			t.Errorf("%s %s while the database is down: Retry-After %q, want a number of seconds", c.method, c.path, res.Header.Get("Retry-After"))
		}
	}
}
