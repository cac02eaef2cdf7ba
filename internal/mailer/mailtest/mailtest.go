// Package mailtest runs a real SMTP server for tests: Debian's aiosmtpd
// (package python3-aiosmtpd), keeping what it receives in a Maildir the
// test reads. Recipients whose address begins with "bounce" are refused
// for good (550), with "busy" for now (451).
package mailtest

import (
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

//go:embed handler.py
var handler []byte

// RequireAllEnv, set to 1 (as CI does), turns a missing server into a failure.
const RequireAllEnv = "BROADSHEET_REQUIRE_ALL_SUITES"

// Python is the interpreter that has aiosmtpd: Debian's, not another on PATH.
const Python = "/usr/bin/python3"

// Server is a running SMTP server.
type Server struct {
	Addr string // host:port
	dir  string
}

// URL is the address to give --smtp, with a sender and a rate high enough
// not to slow tests.
func (s *Server) URL() string {
	return "smtp://" + s.Addr + "?from=news@broadsheet.example&rate=1000"
}

// Available says why the server cannot run here, or "" when it can.
func Available() string {
	if _, err := os.Stat(Python); err != nil {
		return Python + " is missing"
	}
	if err := exec.Command(Python, "-c", "import aiosmtpd").Run(); err != nil {
		return "aiosmtpd is missing (apt-get install python3-aiosmtpd)"
	}
	return ""
}

// Start starts a server for the test, stopped when it ends. Without
// aiosmtpd the test is skipped, or fails under BROADSHEET_REQUIRE_ALL_SUITES=1.
func Start(tb testing.TB) *Server {
	tb.Helper()
	if why := Available(); why != "" {
		if os.Getenv(RequireAllEnv) == "1" {
			tb.Fatalf("the SMTP server for mail tests cannot run: %s", why)
		}
		tb.Skipf("no SMTP server for mail tests: %s", why)
	}
	s, stop, err := Run(tb.TempDir(), false)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(stop)
	return s
}

// Run starts a server keeping its files in dir until stop is called; a
// sink server keeps nothing of what it receives (for benchmarks).
func Run(dir string, sink bool) (s *Server, stop func(), err error) {
	if err := os.WriteFile(filepath.Join(dir, "broadsheet_smtp.py"), handler, 0o644); err != nil {
		return nil, nil, err
	}
	maildir := filepath.Join(dir, "Maildir")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	args := []string{"-m", "aiosmtpd", "-n", "-l", addr, "-c", "broadsheet_smtp.Handler", maildir}
	if sink {
		args = []string{"-m", "aiosmtpd", "-n", "-l", addr, "-c", "aiosmtpd.handlers.Sink"}
	}
	cmd := exec.Command(Python, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PYTHONPATH="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, nil, fmt.Errorf("start aiosmtpd: %w", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	stop = func() {
		cmd.Process.Kill()
		<-exited
	}
	// Wait until it answers; it is up in well under a second.
	for i := 0; ; i++ {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			break
		}
		select {
		case <-exited:
			return nil, nil, fmt.Errorf("aiosmtpd stopped: %s", stderr.String())
		default:
		}
		if i > 300 {
			stop()
			return nil, nil, fmt.Errorf("aiosmtpd does not answer on %s: %s", addr, stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return &Server{Addr: addr, dir: maildir}, stop, nil
}

// Message is one message the server received.
type Message struct {
	Header mail.Header
	To     string
	Text   string // the text/plain part
	HTML   string // the text/html part
	Raw    []byte
}

// Messages returns what the server received, oldest first.
func (s *Server) Messages(tb testing.TB) []Message {
	tb.Helper()
	var files []string
	for _, sub := range []string{"new", "cur"} {
		m, _ := filepath.Glob(filepath.Join(s.dir, sub, "*"))
		files = append(files, m...)
	}
	type dated struct {
		m  Message
		at time.Time
	}
	var out []dated
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		m, err := Parse(raw)
		if err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		st, _ := os.Stat(f)
		out = append(out, dated{m, st.ModTime()})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].at.Before(out[j].at) })
	msgs := make([]Message, len(out))
	for i, d := range out {
		msgs[i] = d.m
	}
	return msgs
}

// To returns the messages received for the address.
func (s *Server) To(tb testing.TB, addr string) []Message {
	var out []Message
	for _, m := range s.Messages(tb) {
		if strings.EqualFold(m.To, addr) {
			out = append(out, m)
		}
	}
	return out
}

// Parse reads a message and its text and HTML parts.
func Parse(raw []byte) (Message, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Message{}, err
	}
	m := Message{Header: msg.Header, Raw: raw}
	if to, err := mail.ParseAddress(msg.Header.Get("To")); err == nil {
		m.To = to.Address
	}
	if err := m.readPart(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body); err != nil {
		return Message{}, err
	}
	return m, nil
}

func (m *Message) readPart(ctype, encoding string, body io.Reader) error {
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		return fmt.Errorf("content type %q: %w", ctype, err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			if err := m.readPart(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err != nil {
				return err
			}
		}
	}
	b, err := decode(encoding, body)
	if err != nil {
		return err
	}
	switch mt {
	case "text/plain":
		m.Text = string(b)
	case "text/html":
		m.HTML = string(b)
	}
	return nil
}
