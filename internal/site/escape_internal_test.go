package site

import (
	"html/template"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/content"
)

// headTemplate writes a page's head as writeHead does, with html/template:
// what a theme defining "page-head" with these tags renders, and the
// oracle writeHead must match byte for byte.
const headTemplate = `{{define "page-head" -}}
<title>{{.Head.Title}}</title>
{{- with .Head.Description}}
<meta name="description" content="{{.}}">{{end}}
{{- with .Head.Canonical}}
<link rel="canonical" href="{{.}}">{{end}}
{{- with .Head.Prev}}
<link rel="prev" href="{{.}}">{{end}}
{{- with .Head.Next}}
<link rel="next" href="{{.}}">{{end}}
{{- if .Head.NoIndex}}
<meta name="robots" content="noindex">{{end}}
{{.SiteLinks}}
{{- with .Head.Feeds}}
<link rel="alternate" type="application/rss+xml" title="{{.Title}} (RSS)" href="{{.RSS}}">
<link rel="alternate" type="application/atom+xml" title="{{.Title}} (Atom)" href="{{.Atom}}">
<link rel="alternate" type="application/feed+json" title="{{.Title}} (JSON Feed)" href="{{.JSON}}">{{end}}
{{- .MetaTags}}
{{- range .Head.JSONLD}}
<script type="application/ld+json">{{.}}</script>{{end}}
{{.SearchAssets}}
{{- end -}}`

// TestHeadWrittenAsTheTemplateWrites: writeHead's bytes are html/template's
// for awkward titles, descriptions and addresses (markup, quotes, '+', NUL,
// bytes that are not UTF-8, spaces and non-ASCII letters in addresses,
// escapes good and bad, javascript: and other schemes), and for random
// ones made of such characters.
func TestHeadWrittenAsTheTemplateWrites(t *testing.T) {
	tmpl := template.Must(template.New("").Parse(headTemplate))
	check := func(p *HeadParts) {
		t.Helper()
		var want strings.Builder
		if err := tmpl.ExecuteTemplate(&want, "page-head", p); err != nil {
			t.Fatal(err)
		}
		if got := string(writeHead(p)); got != want.String() {
			t.Fatalf("head of %+v:\n%s\nwant (html/template):\n%s", p.Head, got, want.String())
		}
	}
	texts := []string{"", "Markets & money", `<script>alert("x")</script>`, "C++ and 1+1", "it's \"quoted\"",
		"nul\x00byte", "bad \xff\xfe utf-8", "Café — “curly” ‘quotes’ ﷐ \uFFFF", "a > b < c"}
	urls := []string{"", "https://example.org/2024/01/02/slug/", "https://example.org/a b/ü?x=1&y=2#frag",
		"/category/economy/feed/", "javascript:alert(1)", "JavaScript:x", " javascript:x", "mailto:desk@example.org",
		"data:text/html,hi", "//cdn.example.org/x", "https://example.org/caf%C3%A9/", "100% and %zz and %4", "%41",
		"https://example.org/?q=\"'<>", "ftp/x:y", "https://example.org/\x00\xff", "HTTPS://EXAMPLE.ORG/+plus"}
	parts := func(h Head) *HeadParts {
		return &HeadParts{Head: h, SiteLinks: `<link rel="stylesheet" href="/static/site.css">`,
			MetaTags: "\n<meta property=\"og:title\" content=\"x\">", SearchAssets: `<script src="/static/search.js" defer></script>`}
	}
	for _, s := range texts {
		check(parts(Head{Title: s, Description: s, Feeds: &FeedLinks{Title: s, RSS: "/feed/", Atom: "/feed/atom/", JSON: "/feed/json/"}}))
	}
	for _, u := range urls {
		check(parts(Head{Title: "t", Canonical: u, Prev: u, Next: u, NoIndex: true, Feeds: &FeedLinks{RSS: u, Atom: u, JSON: u},
			JSONLD: []template.JS{`{"@type":"NewsArticle"}`, `{"a":"\u003c/script\u003e"}`}}))
	}
	check(&HeadParts{})
	alphabet := []string{"a", "Z", "0", " ", "<", ">", "&", "'", "\"", "+", "%", "%2F", ":", "/", "?", "#", "=", "\x00", "\xff", "é", "€",
		"javascript:", "http:", "mailto:", "\n", "\t", "[", "]", "@", "~", "(", ")"}
	rng := rand.New(rand.NewPCG(1, 2))
	word := func() string {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	for range 2000 {
		h := Head{Title: word(), Description: word(), Canonical: word(), Prev: word(), Next: word(), NoIndex: rng.IntN(2) == 0}
		if rng.IntN(2) == 0 {
			h.Feeds = &FeedLinks{Title: word(), RSS: word(), Atom: word(), JSON: word()}
		}
		check(parts(h))
	}
}

// TestLinksWrittenAsTheTemplateWrites: the "links" function writes what
// the range it stands for writes with html/template, for awkward names and
// slugs, and refuses what is not a list of authors or terms.
func TestLinksWrittenAsTheTemplateWrites(t *testing.T) {
	tmpl := template.Must(template.New("").Funcs(template.FuncMap{"links": links}).Parse(
		`{{define "range"}}{{range $i, $a := .List}}{{if $i}}, {{end}}<a href="{{$a.Path}}" rel="{{$.Rel}}">{{$a.Name}}</a>{{end}}{{end}}` +
			`{{define "links"}}{{links .List .Rel}}{{end}}`))
	check := func(list any, rel string) {
		t.Helper()
		var want, got strings.Builder
		data := map[string]any{"List": list, "Rel": rel}
		if err := tmpl.ExecuteTemplate(&want, "range", data); err != nil {
			t.Fatal(err)
		}
		if err := tmpl.ExecuteTemplate(&got, "links", data); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Fatalf("links of %+v:\n%s\nwant (html/template):\n%s", list, got.String(), want.String())
		}
	}
	names := []string{"Africa", "C++ & <code>", `"Quoted" 'single'`, "nul\x00", "bad \xff", "Café", ""}
	slugs := []string{"africa", "c-plus", "café", "a b", "%41%zz", "x\"y", "javascript:alert(1)"}
	var terms []content.Term
	var users []content.User
	for i, n := range names {
		s := slugs[i%len(slugs)]
		terms = append(terms, content.Term{Taxonomy: content.TaxTag, Slug: s, Name: n})
		users = append(users, content.User{Slug: s, Name: n})
		check(terms, "tag")
		check([]content.Term{{Taxonomy: content.TaxCategory, Slug: s, Name: n}}, "category tag")
		check(users, "author")
	}
	check([]content.Term{}, "tag")
	check(terms, `odd "rel" & +`)
	if _, err := links([]string{"a"}, "tag"); err == nil {
		t.Error("links of strings: no error")
	}
}
