package markup

import (
	"regexp"

	"github.com/microcosm-cc/bluemonday"
)

// bodyPolicy is what may stand in a post body, written or imported: the
// structure and formatting of an article, links, images and media, with no
// scripts, event handlers, styles or dangerous URLs.
var bodyPolicy = newBodyPolicy()

func newBodyPolicy() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowElements("figure", "figcaption", "section", "aside", "mark", "small", "time")
	p.AllowAttrs("datetime").OnElements("time")
	p.AllowAttrs("cite").OnElements("blockquote", "q")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^[a-zA-Z0-9 _-]{0,200}$`)).
		OnElements("figure", "figcaption", "blockquote", "p", "img", "div", "span", "ul", "ol", "table", "pre", "code")
	p.AllowAttrs("id").Matching(regexp.MustCompile(`^more$`)).OnElements("span")
	p.AllowAttrs("srcset", "sizes", "loading").OnElements("img")
	p.AllowElements("audio", "video", "source")
	p.AllowAttrs("src", "type").OnElements("source", "audio", "video")
	p.AllowAttrs("controls", "poster", "width", "height", "preload").OnElements("audio", "video")
	p.AllowURLSchemes("http", "https", "mailto")
	// Links in an article are the editors' own choice, not user comments.
	p.RequireNoFollowOnLinks(false)
	p.RequireNoFollowOnFullyQualifiedLinks(false)
	p.RequireNoReferrerOnFullyQualifiedLinks(false)
	return p
}

// Sanitize returns src with everything unsafe removed: scripts, styles,
// event-handler attributes, javascript: and data: URLs, unknown elements.
// Text characters pass through unchanged.
func Sanitize(src string) string {
	return bodyPolicy.Sanitize(src)
}

// stripPolicy keeps only text.
var stripPolicy = bluemonday.StrictPolicy()

// StripTags returns the text of src with every tag removed (entities stay
// escaped, ready for HTML output).
func StripTags(src string) string {
	return stripPolicy.Sanitize(src)
}
