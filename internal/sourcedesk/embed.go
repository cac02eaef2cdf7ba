package sourcedesk

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/broadsheet/broadsheet/internal/markup"
)

// embedPlaceholderClass marks the paragraph left where an embed not on the
// allowlist stood.
const embedPlaceholderClass = "embed-placeholder"

// videoEmbedClass marks the figure holding a player from the allowlist,
// which the theme makes responsive.
const videoEmbedClass = markup.VideoEmbedClass

// prepareEmbeds rewrites the embedded frames of a parsed page before
// extraction: a player from the allowlist (markup.EmbedPlayer) becomes a
// responsive figure playing from the provider's privacy-friendly address;
// anything else becomes a paragraph linking to what was there, so that
// neither is lost without a word.
func prepareEmbeds(doc *html.Node, pageURL *url.URL) {
	var frames []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && (n.DataAtom == atom.Iframe || n.DataAtom == atom.Embed) {
			frames = append(frames, n)
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	for _, f := range frames {
		src := attr(f, "src")
		if src == "" || strings.HasPrefix(src, "about:") {
			src = attr(f, "data-src")
		}
		what := strings.TrimSpace(attr(f, "title"))
		var repl *html.Node
		if player, provider, ok := markup.EmbedPlayer(src); ok {
			if what == "" {
				what = provider + " player"
			}
			frame := element(atom.Iframe, markup.EmbedFrameAttrs(player, what)...)
			if p := f.Parent; p.DataAtom == atom.Figure {
				// Already in a figure (with its caption): that figure plays it.
				setAttr(p, "class", videoEmbedClass)
				repl = frame
			} else {
				repl = element(atom.Figure, "class", videoEmbedClass)
				repl.AppendChild(frame)
			}
		} else if u, err := pageURL.Parse(strings.TrimSpace(src)); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
			repl = element(atom.P, "class", embedPlaceholderClass)
			repl.AppendChild(&html.Node{Type: html.TextNode, Data: "Embedded content from "})
			a := element(atom.A, "href", u.String())
			a.AppendChild(&html.Node{Type: html.TextNode, Data: u.Hostname()})
			repl.AppendChild(a)
			if what != "" {
				repl.AppendChild(&html.Node{Type: html.TextNode, Data: " (" + what + ")"})
			}
			repl.AppendChild(&html.Node{Type: html.TextNode, Data: " is not shown here."})
		}
		if repl != nil {
			f.Parent.InsertBefore(repl, f)
		}
		f.Parent.RemoveChild(f)
	}
}

func setAttr(n *html.Node, key, val string) {
	for i, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) {
			n.Attr[i].Val = val
			return
		}
	}
	n.Attr = append(n.Attr, html.Attribute{Key: key, Val: val})
}

// element makes an element with attributes given as key, value pairs.
func element(a atom.Atom, kv ...string) *html.Node {
	n := &html.Node{Type: html.ElementNode, DataAtom: a, Data: a.String()}
	for i := 0; i+1 < len(kv); i += 2 {
		n.Attr = append(n.Attr, html.Attribute{Key: kv[i], Val: kv[i+1]})
	}
	return n
}

var placeholderLinkRe = regexp.MustCompile(`<p class="` + embedPlaceholderClass + `">[^<]*<a href="([^"]*)"`)

// embedWarnings names the embeds left as links in the article's blocks.
func embedWarnings(blocks []string) []string {
	var out []string
	for _, b := range blocks {
		for _, m := range placeholderLinkRe.FindAllStringSubmatch(b, -1) {
			out = append(out, fmt.Sprintf("The embedded content from %s is not on the list of players the site embeds; the draft links to it instead.", html.UnescapeString(m[1])))
		}
	}
	return out
}

// prepareEmbedsHTML is prepareEmbeds for a fragment of HTML, such as a
// feed item's full text, with addresses relative to base.
func prepareEmbedsHTML(src string, base *url.URL) string {
	if !strings.Contains(strings.ToLower(src), "<iframe") && !strings.Contains(strings.ToLower(src), "<embed") {
		return src
	}
	body := element(atom.Body)
	nodes, err := html.ParseFragment(strings.NewReader(src), body)
	if err != nil {
		return src
	}
	for _, n := range nodes {
		body.AppendChild(n)
	}
	prepareEmbeds(body, base)
	var b strings.Builder
	for c := body.FirstChild; c != nil; c = c.NextSibling {
		if err := html.Render(&b, c); err != nil {
			return src
		}
	}
	return b.String()
}
