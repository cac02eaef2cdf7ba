package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// result is one target's figures under load.
type result struct {
	rps      float64
	p50, p99 time.Duration
	errors   int
	requests int
	// cpu is the server's CPU time (user and system) while loaded, -1
	// where it could not be read.
	cpu time.Duration
}

// cpuPerRequest is the server's CPU time per request answered.
func (r result) cpuPerRequest() string {
	if r.cpu < 0 || r.requests == 0 {
		return "?"
	}
	return fmt.Sprintf("%.1f", float64(r.cpu)/float64(time.Microsecond)/float64(r.requests))
}

// load drives GET path on addr over conns keep-alive connections for d
// and measures each request from its first byte sent to its last byte read.
// It speaks HTTP/1.1 itself so that the load generator's own cost, which
// shares the cores with the server, stays small and equal for every server.
func load(addr, path, acceptEncoding string, conns int, d time.Duration) result {
	reqBytes := request(addr, path, acceptEncoding)
	var (
		mu      sync.Mutex
		all     []time.Duration
		errs    int
		wg      sync.WaitGroup
		started = time.Now()
		stop    = started.Add(d)
	)
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat := make([]time.Duration, 0, 4096)
			nerr := 0
			var c net.Conn
			var br *bufio.Reader
			for time.Now().Before(stop) {
				if c == nil {
					var err error
					if c, err = net.Dial("tcp", addr); err != nil {
						nerr++
						time.Sleep(time.Millisecond)
						continue
					}
					br = bufio.NewReaderSize(c, 64<<10)
				}
				t0 := time.Now()
				status, err := roundTrip(c, br, reqBytes)
				if err != nil || status >= 500 {
					nerr++
					c.Close()
					c = nil
					continue
				}
				lat = append(lat, time.Since(t0))
			}
			if c != nil {
				c.Close()
			}
			mu.Lock()
			all = append(all, lat...)
			errs += nerr
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(started)
	slices.Sort(all)
	r := result{requests: len(all), errors: errs, rps: float64(len(all)) / elapsed.Seconds()}
	if len(all) > 0 {
		r.p50 = all[len(all)/2]
		r.p99 = all[len(all)*99/100]
	}
	return r
}

// request is what the load sends for GET path on addr.
func request(addr, path, acceptEncoding string) []byte {
	req := "GET " + path + " HTTP/1.1\r\nHost: " + addr + "\r\nUser-Agent: broadsheet-bench\r\n"
	if acceptEncoding != "" {
		req += "Accept-Encoding: " + acceptEncoding + "\r\n"
	}
	return []byte(req + "\r\n")
}

// roundTrip sends one request and reads the whole response.
func roundTrip(c net.Conn, br *bufio.Reader, req []byte) (int, error) {
	if _, err := c.Write(req); err != nil {
		return 0, err
	}
	line, err := br.ReadSlice('\n')
	if err != nil {
		return 0, err
	}
	if len(line) < 12 {
		return 0, errors.New("short status line")
	}
	status, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, err
	}
	length, chunked := -1, false
	for {
		h, err := br.ReadSlice('\n')
		if err != nil {
			return 0, err
		}
		if len(h) <= 2 {
			break
		}
		name, value, _ := strings.Cut(string(h), ":")
		switch strings.ToLower(name) {
		case "content-length":
			length, _ = strconv.Atoi(strings.TrimSpace(value))
		case "transfer-encoding":
			chunked = strings.Contains(strings.ToLower(value), "chunked")
		}
	}
	switch {
	case status == http.StatusNotModified || status == http.StatusNoContent:
	case chunked:
		for {
			l, err := br.ReadSlice('\n')
			if err != nil {
				return 0, err
			}
			size, err := strconv.ParseInt(strings.TrimSpace(strings.SplitN(string(l), ";", 2)[0]), 16, 64)
			if err != nil {
				return 0, err
			}
			if _, err := br.Discard(int(size) + 2); err != nil {
				return 0, err
			}
			if size == 0 {
				break
			}
		}
	case length >= 0:
		if _, err := br.Discard(length); err != nil {
			return 0, err
		}
	default:
		return 0, errors.New("response without a length")
	}
	return status, nil
}

// fetch GETs url once with the encoding and returns status and body as sent.
func fetch(url, acceptEncoding string) (int, http.Header, []byte, error) {
	req, _ := http.NewRequest("GET", url, nil)
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b, err
}

// baselinePage is one response the minimal server answers from memory.
type baselinePage struct {
	Path   string      `json:"path"`
	Header http.Header `json:"header"` // as the measured server sent it, but Date
	Body   []byte      `json:"body"`
}

// serveBaseline is the minimal Go server: the same bytes from memory, the
// ceiling of what a Go HTTP server answers here. It runs as its own
// process, as serve does, and prints its address.
func serveBaseline(pagesFile string) error {
	b, err := os.ReadFile(pagesFile)
	if err != nil {
		return err
	}
	var pages []baselinePage
	if err := json.Unmarshal(b, &pages); err != nil {
		return err
	}
	byPath := map[string]*baselinePage{}
	for i := range pages {
		byPath[pages[i].Path] = &pages[i]
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Printf("baseline serving on http://%s/\n", ln.Addr())
	return http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := byPath[r.URL.RequestURI()]
		if p == nil {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		for k, v := range p.Header {
			h[k] = v
		}
		h.Set("Content-Length", strconv.Itoa(len(p.Body)))
		w.Write(p.Body)
	}))
}
