package admin_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/admin"
	"github.com/broadsheet/broadsheet/internal/auth"
	"github.com/broadsheet/broadsheet/internal/config"
	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/editorial"
	"github.com/broadsheet/broadsheet/internal/mailer"
	"github.com/broadsheet/broadsheet/internal/mailer/mailtest"
	"github.com/broadsheet/broadsheet/internal/markup"
	"github.com/broadsheet/broadsheet/internal/newsletter"
	"github.com/broadsheet/broadsheet/internal/site"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/web"
)

var ctx = context.Background()

const testPassword = "a long enough password"

// passwordHash is computed once: argon2id is slow on purpose.
var passwordHash, _ = auth.DefaultHasher.Hash(context.Background(), testPassword)

// env is a running admin over a fresh database, with one user of each role
// (and a second author) and an API token for each.
type env struct {
	t      testing.TB
	db     *store.DB
	srv    *httptest.Server
	users  map[string]*content.User // by key: contributor, author, author2, editor, admin
	tokens map[string]string
}

var roleKeys = []string{"contributor", "author", "editor", "admin"}

func newEnv(t testing.TB, db *store.DB, opts ...envOption) *env {
	t.Helper()
	setup := envSetup{cfg: admin.Config{DB: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), DataDir: t.TempDir()}}
	for _, o := range opts {
		o(&setup)
	}
	a, err := admin.New(setup.cfg)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	a.Routes(mux)
	pub, err := site.New(site.Config{DB: db, Theme: site.DefaultTheme(), Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: func() time.Time { return db.Now() }})
	if err != nil {
		t.Fatal(err)
	}
	pub.Routes(mux)
	srv := httptest.NewServer(web.Chain(mux, web.Clients(setup.trust), web.SecurityHeaders))
	t.Cleanup(srv.Close)
	e := &env{t: t, db: db, srv: srv, users: map[string]*content.User{}, tokens: map[string]string{}}
	for _, key := range append(roleKeys, "author2") {
		role := content.Role(strings.TrimSuffix(key, "2"))
		u := &content.User{Name: strings.ToUpper(key[:1]) + key[1:], Email: key + "@example.org", Role: role}
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.CreateAccount(ctx, u, markup.Slugify(key), passwordHash) }); err != nil {
			t.Fatal(err)
		}
		secret, _, err := auth.CreateToken(ctx, db, u.ID, "tests")
		if err != nil {
			t.Fatal(err)
		}
		e.users[key], e.tokens[key] = u, secret
	}
	return e
}

// envSetup is what newEnv's options change: the admin's configuration and
// whose forwarding headers the server believes.
type envSetup struct {
	cfg   admin.Config
	trust web.Trust
}

type envOption func(*envSetup)

// withHasher has the admin check passwords through h.
func withHasher(h *auth.Hasher) envOption { return func(s *envSetup) { s.cfg.Hasher = h } }

// withMail has the admin send mail through srv, a real SMTP server.
func withMail(t testing.TB, srv *mailtest.Server) envOption {
	cfg, err := config.ParseSMTP(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	m, err := mailer.New(*cfg)
	if err != nil {
		t.Fatal(err)
	}
	return func(s *envSetup) {
		s.cfg.Mail = m
		news, err := newsletter.New(newsletter.Config{DB: s.cfg.DB, Mail: m, Theme: site.DefaultTheme(), Log: s.cfg.Log})
		if err != nil {
			t.Fatal(err)
		}
		s.cfg.Newsletter = news
	}
}

// withProxies has the server believe the forwarding headers of requests
// from the given address ranges.
func withProxies(cidrs ...string) envOption {
	return func(s *envSetup) {
		for _, c := range cidrs {
			s.trust.Proxies = append(s.trust.Proxies, netip.MustParsePrefix(c))
		}
	}
}

// post makes an entry directly through the editorial service, as user key.
func (e *env) post(key string, in editorial.Input) *editorial.Entry {
	e.t.Helper()
	s := &editorial.Service{DB: e.db}
	if in.Title == nil {
		title := "A post by " + key
		in.Title = &title
	}
	if in.Body == nil {
		body := "Opening.\n\n<!--more-->\n\nThe rest."
		in.Body = &body
	}
	entry, err := s.Create(ctx, e.users[key], in)
	if err != nil {
		e.t.Fatalf("create post as %s: %v", key, err)
	}
	return entry
}

// asEditorFor makes a post whose author is key, published or not, written
// by the editor (contributors cannot publish their own).
func (e *env) postBy(key string, status content.Status) *editorial.Entry {
	e.t.Helper()
	authors := []string{e.users[key].Slug}
	return e.post("editor", editorial.Input{Status: &status, Authors: &authors})
}

// call sends a JSON API request as the user key ("" for none) and decodes
// the JSON answer into a map.
func (e *env) call(key, method, path string, body any) (int, map[string]any) {
	e.t.Helper()
	res, out := e.raw(key, method, path, body)
	return res.StatusCode, out
}

// raw is call returning the whole response, its body read and closed.
func (e *env) raw(key, method, path string, body any) (*http.Response, map[string]any) {
	e.t.Helper()
	var r io.Reader
	ctype := "application/json"
	switch b := body.(type) {
	case nil:
	case rawBody:
		r, ctype = bytes.NewReader(b.data), b.ctype
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		buf, _ := json.Marshal(b)
		r = bytes.NewReader(buf)
	}
	req, _ := http.NewRequest(method, e.srv.URL+path, r)
	req.Header.Set("Content-Type", ctype)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+e.tokens[key])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := map[string]any{}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			e.t.Fatalf("%s %s: answer is not JSON (%d): %s", method, path, res.StatusCode, raw)
		}
	}
	return res, out
}

// rawBody is a request body of a given content type.
type rawBody struct {
	ctype string
	data  []byte
}

// errorOf returns the error object of an API answer.
func errorOf(out map[string]any) map[string]any {
	m, _ := out["error"].(map[string]any)
	return m
}

// browser is a cookie-keeping HTTP client that does not follow redirects.
func (e *env) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// from is a browser whose connections come from the loopback address ip
// (any of 127.0.0.0/8), so that the server sees distinct clients.
func (e *env) from(ip string) *http.Client {
	c := e.browser()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	c.Transport = &http.Transport{DialContext: d.DialContext}
	return c
}

// signIn signs key in through the sign-in form.
func (e *env) signIn(key string) *http.Client {
	e.t.Helper()
	c := e.browser()
	res, err := c.PostForm(e.srv.URL+"/admin/login", url.Values{"email": {key + "@example.org"}, "password": {testPassword}})
	if err != nil {
		e.t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("sign in as %s: status %d", key, res.StatusCode)
	}
	return c
}

func readAll(t *testing.T, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
