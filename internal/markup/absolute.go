package markup

import (
	"net/url"
	"strings"

	xhtml "golang.org/x/net/html"
)

// Absolutize resolves the relative links, image and media sources of
// sanitised HTML against the page they appear on (absolute, with its
// scheme and host), since a feed reader or a mail program has no page to
// resolve them against. Every other byte is kept as it was.
func Absolutize(src, page string) string {
	if !strings.Contains(src, "=") {
		return src
	}
	pageURL, err := url.Parse(page)
	if err != nil || !pageURL.IsAbs() {
		return src
	}
	resolve := func(ref string) string { return resolveURL(pageURL, ref) }
	var out strings.Builder
	z := xhtml.NewTokenizer(strings.NewReader(src))
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			return out.String()
		}
		raw := z.Raw()
		if tt != xhtml.StartTagToken && tt != xhtml.SelfClosingTagToken {
			out.Write(raw)
			continue
		}
		tok := z.Token()
		changed := false
		for i, a := range tok.Attr {
			val := a.Val
			switch a.Key {
			case "href", "src", "poster", "cite":
				val = resolve(a.Val)
			case "srcset":
				// "url [descriptor], url [descriptor], …"
				cands := strings.Split(a.Val, ",")
				for j, c := range cands {
					fields := strings.Fields(c)
					if len(fields) > 0 {
						fields[0] = resolve(fields[0])
						cands[j] = strings.Join(fields, " ")
					}
				}
				val = strings.Join(cands, ", ")
			}
			if val != a.Val {
				tok.Attr[i].Val = val
				changed = true
			}
		}
		if changed {
			out.WriteString(tok.String())
		} else {
			out.Write(raw)
		}
	}
}

// resolveURL resolves ref against page; an absolute or unreadable ref is
// returned as it is.
func resolveURL(page *url.URL, ref string) string {
	u, err := url.Parse(strings.TrimSpace(ref))
	if err != nil || u.IsAbs() {
		return ref
	}
	return page.ResolveReference(u).String()
}
