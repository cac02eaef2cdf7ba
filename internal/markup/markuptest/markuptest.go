// Package markuptest finds, in HTML, what a browser would run: elements
// and attributes that execute script, and URLs whose scheme is not one a
// page may load or follow. It is the oracle that the sanitiser's tests and
// the feeds' tests check their output against, written from the HTML and
// URL standards rather than from the sanitiser's own rules.
package markuptest

import (
	"fmt"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// urlAttrs are the attributes whose value a browser loads or follows as
// one URL.
var urlAttrs = map[string]bool{
	"href": true, "src": true, "poster": true, "cite": true, "action": true, "formaction": true,
	"data": true, "background": true, "longdesc": true, "codebase": true, "classid": true,
	"archive": true, "dynsrc": true, "lowsrc": true, "usemap": true, "icon": true,
	"manifest": true, "profile": true, "itemtype": true,
}

// srcsetAttrs hold a list of image candidates, each a URL and descriptors.
var srcsetAttrs = map[string]bool{"srcset": true, "imagesrcset": true}

// unsafeElements run script or change what the page is, whatever their
// attributes.
var unsafeElements = map[string]bool{
	"script": true, "style": true, "iframe": true, "frame": true, "frameset": true, "object": true,
	"embed": true, "applet": true, "base": true, "meta": true, "link": true, "form": true,
	"svg": true, "math": true, "template": true,
}

// safeSchemes are the schemes a page of ours may load or link to.
var safeSchemes = map[string]bool{"http": true, "https": true, "mailto": true}

// Unsafe returns what in the HTML fragment src would run script or load a
// URL of another scheme, one line each; none for safe HTML.
func Unsafe(src string) []string {
	body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(src), body)
	if err != nil {
		return []string{fmt.Sprintf("cannot parse: %v", err)}
	}
	var found []string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			if unsafeElements[n.Data] || n.Namespace != "" {
				found = append(found, fmt.Sprintf("element <%s>", n.Data))
			}
			for _, a := range n.Attr {
				key := strings.ToLower(a.Key)
				switch {
				case strings.HasPrefix(key, "on"):
					found = append(found, fmt.Sprintf("<%s %s>: event handler", n.Data, key))
				case key == "style" || key == "srcdoc":
					found = append(found, fmt.Sprintf("<%s %s>", n.Data, key))
				case urlAttrs[key]:
					if s, ok := scheme(a.Val); !ok {
						found = append(found, fmt.Sprintf("<%s %s=%q>: scheme %s", n.Data, key, a.Val, s))
					}
				case srcsetAttrs[key]:
					for _, u := range SrcsetURLs(a.Val) {
						if s, ok := scheme(u); !ok {
							found = append(found, fmt.Sprintf("<%s %s=%q>: candidate %q has scheme %s", n.Data, key, a.Val, u, s))
						}
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	return found
}

// scheme returns the scheme a browser reads in the URL u, lower case, and
// whether it is safe; a URL without one (relative) is safe. As the URL
// standard parses: leading and trailing C0 controls and spaces are
// stripped, tabs and newlines removed wherever they are, then the scheme
// is an ASCII letter and letters, digits, "+", "-" or "." up to a colon.
func scheme(u string) (string, bool) {
	u = strings.TrimFunc(u, func(r rune) bool { return r <= 0x20 })
	u = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, u)
	if u == "" || !isAlpha(u[0]) {
		return "", true
	}
	for i := 1; i < len(u); i++ {
		c := u[i]
		switch {
		case c == ':':
			s := strings.ToLower(u[:i])
			return s, safeSchemes[s]
		case isAlpha(c) || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.':
		default:
			return "", true
		}
	}
	return "", true
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// SrcsetURLs returns the URLs of a srcset's candidates as the HTML
// standard's parser finds them: runs of non-whitespace after whitespace
// and commas, trailing commas removed, each followed by descriptors up to
// the next comma outside parentheses.
func SrcsetURLs(v string) []string {
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' }
	var urls []string
	i := 0
	for {
		for i < len(v) && (isSpace(v[i]) || v[i] == ',') {
			i++
		}
		if i >= len(v) {
			return urls
		}
		start := i
		for i < len(v) && !isSpace(v[i]) {
			i++
		}
		u := v[start:i]
		if trimmed := strings.TrimRight(u, ","); trimmed != u {
			urls = append(urls, trimmed)
			continue
		}
		urls = append(urls, u)
		depth := 0
		for i < len(v) && (depth > 0 || v[i] != ',') {
			switch v[i] {
			case '(':
				depth++
			case ')':
				if depth > 0 {
					depth--
				}
			}
			i++
		}
	}
}
