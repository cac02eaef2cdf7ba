package search

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/text/unicode/norm"
)

// Highlight markers: snippets come back from the database with matched
// words between these two private-use characters, which PlainText removes
// from indexed text so they can only come from the engine. The page escapes
// the snippet as text and only then turns the markers into <mark> tags.
const (
	MarkStart = "\uE000"
	MarkEnd   = "\uE001"
)

// blocks are elements that end a run of text, so "<p>one</p><p>two</p>"
// is indexed as two words, not "onetwo".
var blocks = map[string]bool{
	"p": true, "br": true, "div": true, "li": true, "h1": true, "h2": true, "h3": true, "h4": true,
	"h5": true, "h6": true, "blockquote": true, "pre": true, "td": true, "th": true, "tr": true,
	"figcaption": true, "hr": true, "section": true, "article": true, "dd": true, "dt": true,
}

// PlainText returns the readable text of an HTML fragment for the index:
// tags removed, entities decoded, script and style dropped, whitespace
// collapsed, NFC-normalised.
func PlainText(fragment string) string {
	var b strings.Builder
	b.Grow(len(fragment))
	z := html.NewTokenizer(strings.NewReader(fragment))
	skip := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return Clean(b.String())
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, _ := z.TagName()
			tag := string(name)
			if tag == "script" || tag == "style" {
				if z.Token().Type == html.StartTagToken {
					skip++
				} else if skip > 0 {
					skip--
				}
			}
			if blocks[tag] {
				b.WriteByte(' ')
			}
		}
	}
}

// Clean collapses whitespace, removes the highlight markers and normalises
// text to NFC, so that composed and decomposed accents index alike.
func Clean(s string) string {
	s = strings.ToValidUTF8(s, " ")
	s = strings.NewReplacer(MarkStart, "", MarkEnd, "", "\x00", "").Replace(s)
	return norm.NFC.String(strings.Join(strings.Fields(s), " "))
}
