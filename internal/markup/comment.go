package markup

import (
	"html"
	"strings"

	"github.com/microcosm-cc/bluemonday"
)

// commentPolicy is what may stand in a comment: text formatting, quotes,
// lists and links, which are marked as the commenter's (nofollow, ugc)
// and open nothing of the site to the page they lead to.
var commentPolicy = newCommentPolicy()

func newCommentPolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "em", "strong", "b", "i", "code", "pre", "blockquote", "ul", "ol", "li", "q", "del", "s", "sub", "sup")
	p.AllowAttrs("href").OnElements("a")
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(false)
	p.RequireNoReferrerOnFullyQualifiedLinks(true)
	p.AllowAttrs("cite").OnElements("blockquote", "q")
	return p
}

// SanitizeComment returns a comment's HTML with everything but text
// formatting, quotes, lists and links removed; links get rel="nofollow".
func SanitizeComment(src string) string {
	out := commentPolicy.Sanitize(src)
	// Marked as written by a reader (ugc) as well as nofollow.
	return strings.ReplaceAll(out, `rel="nofollow`, `rel="nofollow ugc`)
}

// CommentText turns what a reader typed into a comment's HTML: the text
// escaped, blank lines separating paragraphs and single line breaks kept.
func CommentText(text string) string {
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	var b strings.Builder
	for _, para := range strings.Split(strings.TrimSpace(text), "\n\n") {
		para = strings.TrimSpace(para)
		if para == "" {
			continue
		}
		b.WriteString("<p>")
		for i, line := range strings.Split(para, "\n") {
			if i > 0 {
				b.WriteString("<br>\n")
			}
			b.WriteString(html.EscapeString(strings.TrimSpace(line)))
		}
		b.WriteString("</p>\n")
	}
	return strings.TrimSpace(b.String())
}
