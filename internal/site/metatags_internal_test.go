package site

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// TestMetaTagsReadAsWritten: whatever a post's title, a term's name or a
// URL holds, a reader of the page's head (a crawler, a browser) finds each
// tag as it was meant, one element each, nothing more: quotes, angle
// brackets and entities in a value cannot end the attribute or the tag.
func TestMetaTagsReadAsWritten(t *testing.T) {
	var meta []Meta
	for _, a := range awkward {
		meta = append(meta, Meta{Property: "og:" + a, Content: a}, Meta{Name: "twitter:" + a, Content: a}, Meta{Property: "p", Name: "n", Content: a})
	}
	doc, err := html.Parse(strings.NewReader("<!DOCTYPE html><html><head>" + string(metaTags(meta)) + "</head><body></body></html>"))
	if err != nil {
		t.Fatal(err)
	}
	var got []Meta
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.DataAtom == atom.Meta {
			var m Meta
			for _, at := range n.Attr {
				switch at.Key {
				case "property":
					m.Property = at.Val
				case "name":
					m.Name = at.Val
				case "content":
					m.Content = at.Val
				default:
					t.Errorf("an attribute %q=%q", at.Key, at.Val)
				}
			}
			got = append(got, m)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if len(got) != len(meta) {
		t.Fatalf("%d tags read, %d written", len(got), len(meta))
	}
	// The parser reads NUL as U+FFFD and a carriage return as a line feed,
	// as HTML says, and bad UTF-8 as it is.
	read := strings.NewReplacer("\x00", "\uFFFD", "\r\n", "\n", "\r", "\n").Replace
	for i, m := range meta {
		want := Meta{Property: read(m.Property), Content: read(m.Content)}
		if m.Property == "" {
			want.Name = read(m.Name)
		}
		if got[i] != want {
			t.Errorf("tag %d: read %+v, wrote %+v", i, got[i], want)
		}
	}
}
