package markup

import (
	"strings"
	"unicode"
	"unicode/utf8"

	xhtml "golang.org/x/net/html"
)

// skipContent are the elements whose content StripTags drops with them,
// beside script and style (bluemonday's list for a policy allowing no
// element).
var skipContent = map[string]bool{
	"frame": true, "frameset": true, "iframe": true, "noembed": true, "noframes": true,
	"noscript": true, "nostyle": true, "object": true, "title": true,
}

// Text returns the text a reader sees in HTML src, as one line: what
// StripTags keeps, character references decoded and every run of white
// space made one space, trimmed. With limit ≥ 0 it stops once it has more
// than limit characters: what it returns is then the start of the whole
// text, longer than limit, and enough to cut a summary of limit
// characters from.
//
// It equals strings.Join(strings.Fields(html.UnescapeString(StripTags(src))), " ")
// (see TestTextAsStripTags) without making the stripped HTML and its
// decoded copy first: a page's description and a feed's summaries take
// the first few hundred characters of a teaser of a few thousand.
func Text(src string, limit int) string {
	z := xhtml.NewTokenizer(strings.NewReader(src))
	var b strings.Builder
	runes, space := 0, false
	// As bluemonday tracks them: the element most recently started (whose
	// text is dropped when it is script or style) and the elements that
	// drop their content, counted in and out.
	recent, skipping, skipped := "", false, 0
	for {
		switch z.Next() {
		case xhtml.ErrorToken:
			return b.String()
		case xhtml.StartTagToken:
			name, _ := z.TagName()
			recent = string(name)
			if recent == "script" || recent == "style" {
				continue
			}
			if skipContent[recent] {
				skipping = true
				skipped++
			}
		case xhtml.EndTagToken:
			name, _ := z.TagName()
			if recent == string(name) {
				recent = ""
			}
			if skipContent[string(name)] {
				if skipped--; skipped == 0 {
					skipping = false
				}
			}
		case xhtml.TextToken:
			if skipping || recent == "script" || recent == "style" {
				continue
			}
			text := z.Text()
			for i := 0; i < len(text); {
				c := text[i]
				if c < utf8.RuneSelf && asciiSpace[c] {
					space = b.Len() > 0
					i++
					continue
				}
				// A word, or the part of it up to the limit.
				j := i
				for j < len(text) && (limit < 0 || runes <= limit) {
					if c := text[j]; c < utf8.RuneSelf {
						if asciiSpace[c] {
							break
						}
						j++
					} else {
						r, w := utf8.DecodeRune(text[j:])
						if r != utf8.RuneError && unicode.IsSpace(r) {
							break
						}
						j += w
					}
					runes++
				}
				if j > i {
					if space {
						b.WriteByte(' ')
						space = false
						runes++
					}
					b.Write(text[i:j])
					i = j
				}
				if limit >= 0 && runes > limit {
					return b.String()
				}
				if j < len(text) && text[j] >= utf8.RuneSelf {
					// A space other than ASCII's.
					_, w := utf8.DecodeRune(text[j:])
					space = b.Len() > 0
					i = j + w
				}
			}
		}
	}
}

// asciiSpace are the ASCII characters unicode.IsSpace counts as space.
var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}
