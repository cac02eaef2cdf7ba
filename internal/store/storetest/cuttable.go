package storetest

import (
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
)

// Cuttable puts a TCP proxy between the PostgreSQL database at dsn and its
// clients, and returns the address to open instead and a function that
// cuts every connection at once, as a network outage or a server restart
// would; the proxy accepts no new ones after. It is cut when the test ends.
func Cuttable(t testing.TB, dsn string) (proxied string, cut func()) {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cuttable{ln: ln}
	go p.serve(u.Host)
	t.Cleanup(p.cut)
	u.Host = ln.Addr().String()
	return u.String(), p.cut
}

type cuttable struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func (p *cuttable) serve(target string) {
	for {
		c, err := p.ln.Accept()
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
