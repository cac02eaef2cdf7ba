package site_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/markup"
	"github.com/broadsheet/broadsheet/internal/site"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// fxBase is the public address the fixture's site is configured with, so
// that every absolute URL in feeds and metadata is known in advance.
const fxBase = "https://news.example"

// fxTricky is a title with every character XML treats specially.
const fxTricky = `Rates & risks: 5 < 6 and the “]]>” question`

// fxSite is a site over a real database, served by a real HTTP server.
type fxSite struct {
	t   *testing.T
	db  *store.DB
	srv *httptest.Server
	// posts by a short name: older, republished, tricky, draft, future, about
	posts map[string]*content.Post
}

// newFXSite seeds db with two authors, two categories, a tag, three
// public posts, a draft, a post dated in the future and a page, and serves
// the site. The database clock stands at 2026-01-15 12:00 UTC.
func newFXSite(t *testing.T, db *store.DB) *fxSite {
	t.Helper()
	fx := &fxSite{t: t, db: db, posts: map[string]*content.Post{}}
	ctx := context.Background()
	now := db.Now()
	err := db.Update(ctx, func(tx *store.Tx) error {
		zoe := &content.User{Slug: "zoe", Name: "Zoë Ångström", Role: content.RoleAuthor}
		jose := &content.User{Slug: "jose", Name: "José Martí", Role: content.RoleAuthor}
		for _, u := range []*content.User{zoe, jose} {
			if err := tx.UpsertUser(ctx, u); err != nil {
				return err
			}
		}
		africa := &content.Term{Taxonomy: content.TaxCategory, Slug: "africa", Name: "Africa"}
		econ := &content.Term{Taxonomy: content.TaxCategory, Slug: "economy", Name: "Economy & Trade"}
		saoTome := &content.Term{Taxonomy: content.TaxTag, Slug: "sao-tome", Name: "São Tomé"}
		for _, term := range []*content.Term{africa, econ, saoTome} {
			if err := tx.UpsertTerm(ctx, term); err != nil {
				return err
			}
		}
		add := func(name string, p *content.Post) error {
			if p.Kind == "" {
				p.Kind = content.KindPost
			}
			if p.Status == "" {
				p.Status = content.StatusPublished
			}
			p.Format = content.FormatHTML
			if err := markup.RenderPost(p); err != nil {
				return err
			}
			if err := tx.CreatePost(ctx, p); err != nil {
				return err
			}
			fx.posts[name] = p
			return nil
		}
		steps := []struct {
			name string
			p    *content.Post
		}{
			{"older", &content.Post{Title: "An older “quoted” story – with dashes", Slug: "older",
				PublishedAt: now.Add(-5 * 24 * time.Hour),
				Body:        "<p>Intro “quoted” – text.</p>\n<!--more-->\n<p>Rest of the story.</p>",
				Authors:     []content.User{*zoe}, Categories: []content.Term{*africa}}},
			{"republished", &content.Post{Title: "Xinhua on the port of São Tomé", Slug: "port",
				PublishedAt: now.Add(-27 * time.Hour),
				Body:        `<p>Our introduction.</p><p><img src="/media/port.jpg" alt="The port"></p><p>The article.</p>`,
				Authors:     []content.User{*jose}, Categories: []content.Term{*africa, *econ}, Tags: []content.Term{*saoTome},
				Source: &content.Source{Name: "Xinhua", URL: "https://xinhua.example/2026/01/13/port.html?a=1&b=2",
					Author: "Li Wei", PublishedAt: now.Add(-48 * time.Hour)}}},
			{"tricky", &content.Post{Title: fxTricky, Slug: "tricky", PublishedAt: now.Add(-4 * time.Hour),
				Body:    "<p>Lead &amp; summary.</p><!--more--><p>Secret rest.</p>",
				Authors: []content.User{*zoe}, Categories: []content.Term{*econ}}},
			{"draft", &content.Post{Title: "A draft", Slug: "draft", Status: content.StatusDraft,
				Body: "<p>Not yet.</p>", Authors: []content.User{*zoe}, Categories: []content.Term{*africa}}},
			{"future", &content.Post{Title: "Dated tomorrow", Slug: "future", PublishedAt: now.Add(24 * time.Hour),
				Body: "<p>Not yet.</p>", Authors: []content.User{*zoe}, Categories: []content.Term{*africa}}},
			{"about", &content.Post{Kind: content.KindPage, Title: "About us", Slug: "about",
				PublishedAt: now.Add(-100 * 24 * time.Hour), Body: "<p>Who we are.</p>"}},
		}
		for _, s := range steps {
			if err := add(s.name, s.p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	fx.serve()
	return fx
}

func (fx *fxSite) serve() {
	s, err := site.New(site.Config{DB: fx.db, Theme: site.DefaultTheme(), BaseURL: fxBase,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: fx.db.Now})
	if err != nil {
		fx.t.Fatal(err)
	}
	fx.srv = httptest.NewServer(s.Handler())
	fx.t.Cleanup(fx.srv.Close)
}

// get fetches path with optional request headers (name, value, …).
func (fx *fxSite) get(path string, headers ...string) (*http.Response, []byte) {
	fx.t.Helper()
	req, err := http.NewRequest(http.MethodGet, fx.srv.URL+path, nil)
	if err != nil {
		fx.t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		fx.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		fx.t.Fatal(err)
	}
	return resp, body
}

// mustGet fetches path and fails unless it answers 200.
func (fx *fxSite) mustGet(path string) []byte {
	fx.t.Helper()
	resp, body := fx.get(path)
	if resp.StatusCode != http.StatusOK {
		fx.t.Fatalf("GET %s: %s\n%s", path, resp.Status, body)
	}
	return body
}

// settings changes the site's settings.
func (fx *fxSite) settings(change func(*content.Settings)) {
	fx.t.Helper()
	ctx := context.Background()
	err := fx.db.Update(ctx, func(tx *store.Tx) error {
		s, err := tx.LoadSettings(ctx)
		if err != nil {
			return err
		}
		change(&s)
		return tx.SaveSettings(ctx, s)
	})
	if err != nil {
		fx.t.Fatal(err)
	}
}

// xmllint validates doc against a schema in testdata/schema: a RELAX NG
// grammar (.rng) or an XML Schema (.xsd). Without xmllint the check is
// skipped, unless every suite is required (as in CI).
func xmllint(t *testing.T, schema string, doc []byte) {
	t.Helper()
	bin, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv(storetest.RequireAllEnv) != "" {
			t.Fatalf("xmllint is not installed (Debian package libxml2-utils), but %s requires schema validation", storetest.RequireAllEnv)
		}
		t.Skip("xmllint is not installed (Debian package libxml2-utils): schema validation skipped")
	}
	file := filepath.Join(t.TempDir(), "doc.xml")
	if err := os.WriteFile(file, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	flag := "--schema"
	if strings.HasSuffix(schema, ".rng") {
		flag = "--relaxng"
	}
	out, err := exec.Command(bin, "--noout", "--nonet", flag, filepath.Join("testdata", "schema", schema), file).CombinedOutput()
	if err != nil {
		t.Errorf("invalid against %s: %v\n%s\n%s", schema, err, out, doc)
	}
}
