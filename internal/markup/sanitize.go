package markup

import (
	"fmt"
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
	p.AllowAttrs("sizes", "loading").OnElements("img")
	p.AllowElements("audio", "video", "source")
	p.AllowAttrs("type").OnElements("source", "audio", "video")
	p.AllowAttrs("src").OnElements("audio", "video")
	p.AllowAttrs("controls", "width", "height", "preload").OnElements("audio", "video")
	// bluemonday checks the scheme of href, src and cite only where it
	// knows them (src on audio and video, not on source), and never of
	// srcset or poster: those may hold only addresses of the web or of
	// the site, as their pattern says.
	p.AllowAttrs("src").Matching(webURL).OnElements("source")
	p.AllowAttrs("poster").Matching(webURL).OnElements("video")
	p.AllowAttrs("srcset").Matching(webSrcset).OnElements("img")
	// Players from the allowlist, at their privacy-friendly addresses
	// (EmbedPlayer); an iframe without such a src is removed.
	p.AllowElements("iframe")
	p.AllowAttrs("src").Matching(embedSrc).OnElements("iframe")
	p.AllowAttrs("title").OnElements("iframe")
	p.AllowAttrs("allowfullscreen").Matching(regexp.MustCompile(`^(?:allowfullscreen)?$`)).OnElements("iframe")
	p.AllowAttrs("loading").Matching(regexp.MustCompile(`^lazy$`)).OnElements("iframe")
	p.AllowAttrs("referrerpolicy").Matching(regexp.MustCompile(`^(?:no-referrer|strict-origin-when-cross-origin|strict-origin)$`)).OnElements("iframe")
	p.AllowAttrs("allow").Matching(regexp.MustCompile(`^(?:(?:autoplay|encrypted-media|fullscreen|picture-in-picture)(?:; ?)?)*$`)).OnElements("iframe")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^[a-zA-Z0-9 _-]{0,200}$`)).OnElements("iframe")
	p.AllowURLSchemes("http", "https", "mailto")
	// Links in an article are the editors' own choice, not user comments.
	p.RequireNoFollowOnLinks(false)
	p.RequireNoFollowOnFullyQualifiedLinks(false)
	p.RequireNoReferrerOnFullyQualifiedLinks(false)
	return p
}

// urlPattern is one URL a page may load: one starting http: or https:, in
// any case, or one with no scheme, where no colon comes before the first
// "/", "?" or "#" (a colon there would make what precedes it a scheme).
// It holds no control character or space, which browsers strip from the
// middle of a URL or split a list at, so no scheme can be spelled around
// them; %[1]s names what else may not stand inside (a list's separator).
const urlPattern = `(?:(?i:https?):[^\x00-\x20\x7f%[1]s]*|[^\x00-\x20\x7f:/?#%[1]s]*(?:[/?#][^\x00-\x20\x7f%[1]s]*)?)`

var (
	// webURL matches an attribute holding one URL, with the white space
	// around it that browsers strip.
	webURL = regexp.MustCompile(`^\s*` + fmt.Sprintf(urlPattern, "") + `\s*$`)
	// webSrcset matches a srcset whose every run between white space and
	// commas is a URL as urlPattern has it or a descriptor (which has no
	// colon): a browser's candidate URL starts at the start of a run, so
	// none can have another scheme.
	webSrcset = regexp.MustCompile(`^[\s,]*` + fmt.Sprintf(urlPattern, ",") + `(?:[\s,]+` + fmt.Sprintf(urlPattern, ",") + `)*[\s,]*$`)
)

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
