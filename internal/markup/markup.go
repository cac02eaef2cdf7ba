// Package markup turns what editors write and what importers bring into safe
// HTML: Markdown rendering, sanitising policies, the teaser split at the
// break marker, and slugs.
package markup

import (
	"bytes"
	"html"
	"regexp"
	"strings"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// moreAnchor replaces the break marker in a rendered body, so that a
// "Continue reading" link can land where the teaser ended.
const moreAnchor = `<span id="more"></span>`

// moreRe matches the break marker as WordPress accepts it: <!--more-->,
// with optional spaces and an optional custom link text.
var moreRe = regexp.MustCompile(`<!--\s*more(?:\s[^>]*?)?\s*-->`)

var md = goldmark.New(
	goldmark.WithExtensions(extension.GFM, extension.Typographer),
	// Raw HTML (and so the break marker) passes through Markdown; the
	// sanitiser decides what survives.
	goldmark.WithRendererOptions(gmhtml.WithUnsafe()),
)

// ProtectedTeaser is a password-protected post's teaser, in listings and feeds.
const ProtectedTeaser = "This post is protected by a password."

// RenderPost fills p.BodyHTML, p.TeaserHTML and p.HasMore from p.Format,
// p.Body and p.Excerpt. Imported HTML is cleaned of WordPress block markup;
// everything is sanitised. A protected post's teaser is ProtectedTeaser.
func RenderPost(p *content.Post) error {
	body := p.Body
	if p.Format == content.FormatHTML {
		body = CleanWordPress(body)
	}
	head, _, hasMore := SplitMore(body)
	render := func(src string) (string, error) {
		if p.Format == content.FormatMarkdown {
			var buf bytes.Buffer
			if err := md.Convert([]byte(src), &buf); err != nil {
				return "", err
			}
			src = buf.String()
		}
		return Sanitize(src), nil
	}
	full, err := render(moreRe.ReplaceAllLiteralString(body, moreAnchor))
	if err != nil {
		return err
	}
	p.BodyHTML = full
	switch {
	case p.Protected():
		// Nothing of a protected post shows where its password is not asked.
		p.TeaserHTML = "<p>" + ProtectedTeaser + "</p>"
		p.HasMore = true
	case strings.TrimSpace(p.Excerpt) != "":
		p.TeaserHTML = "<p>" + html.EscapeString(strings.TrimSpace(p.Excerpt)) + "</p>"
		p.HasMore = true
	case hasMore:
		if p.TeaserHTML, err = render(head); err != nil {
			return err
		}
		// A break inside an element leaves it open; close it so the teaser
		// cannot swallow the page around it.
		if p.TeaserHTML, err = balance(p.TeaserHTML); err != nil {
			return err
		}
		p.HasMore = true
	default:
		p.TeaserHTML = full
		p.HasMore = false
	}
	return nil
}

// SplitMore splits src at its first break marker. Without one, head is src
// and ok is false.
func SplitMore(src string) (head, tail string, ok bool) {
	loc := moreRe.FindStringIndex(src)
	if loc == nil {
		return src, "", false
	}
	return src[:loc[0]], src[loc[1]:], true
}

// blockCommentRe matches the block editor's delimiters, <!-- wp:… --> and
// <!-- /wp:… -->, with their attributes.
var blockCommentRe = regexp.MustCompile(`<!--\s*/?wp:[^>]*?-->\n?`)

// CleanWordPress removes the block editor's comments, keeping the break
// marker and every character of the text.
func CleanWordPress(src string) string {
	return strings.TrimSpace(blockCommentRe.ReplaceAllString(src, ""))
}

// balance parses an HTML fragment and renders it again, closing every
// element left open.
func balance(src string) (string, error) {
	ctx := &xhtml.Node{Type: xhtml.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := xhtml.ParseFragment(strings.NewReader(src), ctx)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	for _, n := range nodes {
		if err := xhtml.Render(&buf, n); err != nil {
			return "", err
		}
	}
	return buf.String(), nil
}
