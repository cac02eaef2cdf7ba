package sourcedesk

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"time"

	readability "codeberg.org/readeck/go-readability/v2"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/broadsheet/broadsheet/internal/markup"
)

// Article is what extraction finds on an article page.
type Article struct {
	Title       string
	Author      string
	PublishedAt time.Time // zero when the page does not say
	ImageURL    string    // the lead image, absolute; empty when none
	SiteName    string    // the publication, as the page names itself; empty when it does not
	Excerpt     string    // a plain-text summary, as the page gives one
	// Warnings are what extraction could not keep as the page had it
	// (an embed not on the allowlist, left as a link).
	Warnings []string
	// CanonicalURL is the address the page declares as its own
	// (rel=canonical, else og:url), absolute; empty when it declares none.
	CanonicalURL string
	// Blocks are the article's block elements in order (paragraphs,
	// quotes, lists, headings, figures), each sanitised HTML.
	Blocks []string
}

// Paragraphs counts the blocks that are paragraphs.
func (a *Article) Paragraphs() int {
	n := 0
	for _, b := range a.Blocks {
		if strings.HasPrefix(b, "<p") {
			n++
		}
	}
	return n
}

// blockAtoms are the elements kept whole as blocks of the article.
var blockAtoms = map[atom.Atom]bool{
	atom.P: true, atom.Blockquote: true, atom.Ul: true, atom.Ol: true, atom.Dl: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Figure: true, atom.Pre: true, atom.Table: true, atom.Img: true, atom.Hr: true,
}

// Extract finds the article in an HTML page fetched from pageURL, with a
// readability algorithm that leaves navigation, advertising, comments and
// related links behind, and sanitises what it keeps. The page's encoding
// is found as ExtractPage finds it, with no Content-Type to go by.
func Extract(page []byte, pageURL string) (*Article, error) {
	return ExtractPage(page, "", pageURL)
}

// ExtractPage is Extract for a page served with the HTTP Content-Type
// contentType: the page is decoded from the charset that names, else from
// its byte-order mark, its <meta> declaration, or what its bytes are.
func ExtractPage(page []byte, contentType, pageURL string) (*Article, error) {
	page = pageUTF8(page, contentType)
	u, err := url.Parse(pageURL)
	if err != nil {
		return nil, fmt.Errorf("extract: page URL %q: %w", pageURL, err)
	}
	// The page is in UTF-8 now: parsed as such, not guessed at again.
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		return nil, fmt.Errorf("no article could be found on %s: %v", pageURL, err)
	}
	prepareEmbeds(doc, u)
	parser := readability.NewParser()
	parser.ClassesToPreserve = append(parser.ClassesToPreserve, videoEmbedClass, embedPlaceholderClass)
	ra, err := parser.ParseAndMutate(doc, u)
	if err != nil {
		return nil, fmt.Errorf("no article could be found on %s: %v", pageURL, err)
	}
	var buf bytes.Buffer
	if ra.Node != nil {
		if err := ra.RenderHTML(&buf); err != nil {
			return nil, fmt.Errorf("extract: render %s: %w", pageURL, err)
		}
	}
	a := &Article{Title: strings.TrimSpace(ra.Title()), Author: cleanByline(ra.Byline()),
		SiteName: strings.TrimSpace(ra.SiteName()), Excerpt: strings.TrimSpace(ra.Excerpt())}
	if t, err := ra.PublishedTime(); err == nil && !t.IsZero() {
		a.PublishedAt = t.UTC()
	}
	if img := strings.TrimSpace(ra.ImageURL()); img != "" {
		if iu, err := u.Parse(img); err == nil && (iu.Scheme == "http" || iu.Scheme == "https") {
			a.ImageURL = iu.String()
		}
	}
	a.CanonicalURL = declaredAddress(page, u)
	a.Blocks = blocks(markup.Sanitize(buf.String()), a.Title)
	a.Warnings = embedWarnings(a.Blocks)
	if a.Paragraphs() == 0 {
		return nil, fmt.Errorf("no article text could be found on %s", pageURL)
	}
	return a, nil
}

// cleanByline turns "By Jane Doe" into "Jane Doe".
func cleanByline(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	for _, p := range []string{"By ", "by ", "BY "} {
		s = strings.TrimPrefix(s, p)
	}
	return s
}

// blocks splits sanitised article HTML into its top-level blocks,
// unwrapping the divisions and sections readability leaves around them and
// dropping a heading that repeats the title.
func blocks(src, title string) []string {
	body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(src), body)
	if err != nil {
		return nil
	}
	var out []string
	var inline bytes.Buffer
	flush := func() {
		if s := strings.TrimSpace(inline.String()); s != "" {
			out = append(out, "<p>"+s+"</p>")
		}
		inline.Reset()
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch {
		case n.Type == html.ElementNode && blockAtoms[n.DataAtom]:
			flush()
			if isHeading(n) && sameText(textOf(n), title) {
				return
			}
			if n.DataAtom == atom.P && strings.TrimSpace(textOf(n)) == "" && !hasImage(n) {
				return
			}
			var b bytes.Buffer
			html.Render(&b, n)
			out = append(out, b.String())
		case n.Type == html.ElementNode && hasBlockChild(n):
			flush()
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
			flush()
		default:
			html.Render(&inline, n)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	flush()
	return out
}

func hasBlockChild(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && (blockAtoms[c.DataAtom] || hasBlockChild(c)) {
			return true
		}
	}
	return false
}

func hasImage(n *html.Node) bool {
	if n.Type == html.ElementNode && n.DataAtom == atom.Img {
		return true
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if hasImage(c) {
			return true
		}
	}
	return false
}

func isHeading(n *html.Node) bool {
	switch n.DataAtom {
	case atom.H1, atom.H2, atom.H3:
		return true
	}
	return false
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

func sameText(a, b string) bool {
	return strings.EqualFold(strings.Join(strings.Fields(a), " "), strings.Join(strings.Fields(b), " "))
}

// declaredAddress is the address a page declares as its own in its head:
// its rel=canonical link, else its og:url, made absolute against pageURL;
// "" when it declares no http(s) address.
func declaredAddress(page []byte, pageURL *url.URL) string {
	var canonical, ogURL string
	z := html.NewTokenizer(bytes.NewReader(page))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			if tt == html.EndTagToken {
				if name, _ := z.TagName(); string(name) == "head" {
					break
				}
			}
			continue
		}
		name, hasAttr := z.TagName()
		tag := string(name)
		if tag == "body" {
			break
		}
		if (tag != "link" && tag != "meta") || !hasAttr {
			continue
		}
		attrs := map[string]string{}
		for {
			k, v, more := z.TagAttr()
			attrs[string(k)] = string(v)
			if !more {
				break
			}
		}
		switch {
		case tag == "link" && canonical == "" && hasToken(attrs["rel"], "canonical"):
			canonical = attrs["href"]
		case tag == "meta" && ogURL == "" && strings.EqualFold(attrs["property"], "og:url"):
			ogURL = attrs["content"]
		}
	}
	for _, c := range []string{canonical, ogURL} {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		if cu, err := pageURL.Parse(c); err == nil && (cu.Scheme == "http" || cu.Scheme == "https") && cu.Host != "" {
			cu.Fragment = ""
			return cu.String()
		}
	}
	return ""
}

// hasToken reports whether the space-separated list holds tok, ignoring case.
func hasToken(list, tok string) bool {
	for _, f := range strings.Fields(list) {
		if strings.EqualFold(f, tok) {
			return true
		}
	}
	return false
}
