package wxr

import (
	"fmt"
	"html"
	"regexp"
	"strings"

	"github.com/broadsheet/broadsheet/internal/markup"
	"github.com/broadsheet/broadsheet/internal/wordpress"
)

// convertBody turns an item's WordPress content into the HTML Broadsheet
// stores (before link rewriting and sanitising): block comments removed,
// the core shortcodes made into HTML, and classic-editor text without <p>
// made into paragraphs, and a bare address on a line of its own (which
// WordPress embeds) made into the site's embed of its player, or a link.
// attached are the WordPress ids of the entry's attached images, which a
// [gallery] naming none shows. notes says what was changed, for the report.
func convertBody(src string, attached ...string) (out string, notes []string) {
	block := strings.Contains(src, "<!-- wp:")
	src = strings.ReplaceAll(src, "\r\n", "\n")
	out, notes = shortcodes(src, attached)
	out, notes = autoEmbed(out, notes)
	if !block && !hasParagraph.MatchString(out) && strings.TrimSpace(out) != "" {
		p := autop(out)
		if p != out {
			notes = append(notes, "classic-editor line breaks made into paragraphs")
		}
		out = p
	}
	return out, notes
}

var hasParagraph = regexp.MustCompile(`(?i)<p[\s>]`)

// shortcodeRe finds the opening of a shortcode: "[name", "[/name" or the
// escaped form "[[name".
var shortcodeRe = regexp.MustCompile(`\[(\[?)(/?)([A-Za-z][A-Za-z0-9_-]*)`)

// shortcodes turns WordPress core's shortcodes into HTML and leaves every
// other one as text, naming it in notes.
func shortcodes(full string, attached []string) (string, []string) {
	if !strings.Contains(full, "[") {
		return full, nil
	}
	var (
		b       strings.Builder
		notes   []string
		unknown = map[string]bool{}
		low     = asciiLower(full)
		pos     int
		// closeAt remembers, per name, the next closing tag at or after a
		// position, so that a body of many shortcodes is scanned in linear
		// time, not once per shortcode.
		closeAt = map[string]int{}
	)
	nextClose := func(name string, from int) int {
		if at, ok := closeAt[name]; ok && (at < 0 || at >= from) {
			return at
		}
		at := strings.Index(low[from:], "[/"+name+"]")
		if at >= 0 {
			at += from
		}
		closeAt[name] = at
		return at
	}
	for {
		src := full[pos:]
		loc := shortcodeRe.FindStringSubmatchIndex(src)
		if loc == nil {
			b.WriteString(src)
			break
		}
		b.WriteString(src[:loc[0]])
		escaped, closing := loc[3] > loc[2], loc[5] > loc[4]
		name := strings.ToLower(src[loc[6]:loc[7]])
		end := strings.IndexByte(src[loc[1]:], ']')
		if end < 0 {
			// No tag can close from here on: the rest is text.
			b.WriteString(src[loc[0]:])
			break
		}
		// The name must end the tag's word ("[caption]" or "[caption id=…").
		if loc[1] < len(src) && !strings.ContainsRune(" \t\n]/", rune(src[loc[1]])) {
			b.WriteString(src[loc[0]:loc[1]])
			pos += loc[1]
			continue
		}
		tagEnd := loc[1] + end + 1
		attrText := strings.TrimSuffix(strings.TrimSpace(src[loc[1]:tagEnd-1]), "/")
		if escaped {
			// [[gallery]] is WordPress's way of writing the text "[gallery]".
			b.WriteString(src[loc[0]+1 : tagEnd])
			pos += tagEnd
			if strings.HasPrefix(full[pos:], "]") {
				pos++
			}
			continue
		}
		if closing || !coreShortcodes[name] {
			// Brackets are common in prose ("[the] minister"); only what
			// looks like a plugin's shortcode is worth a report line.
			if !closing && !unknown[name] && (strings.Contains(attrText, "=") || strings.ContainsAny(name, "_-") ||
				nextClose(name, pos+tagEnd) >= 0) {
				unknown[name] = true
				notes = append(notes, fmt.Sprintf("shortcode [%s] is not one of WordPress core's: kept as text", name))
			}
			b.WriteString(src[loc[0]:tagEnd])
			pos += tagEnd
			continue
		}
		attrs := shortcodeAttrs(attrText)
		inner, next := "", pos+tagEnd
		if at := nextClose(name, pos+tagEnd); at >= 0 && !strings.HasSuffix(attrText, "/") {
			// Enclosing form, when a closing tag follows before the next
			// opening of the same shortcode (captions may nest images only).
			open := strings.Index(low[pos+tagEnd:at], "["+name)
			if open < 0 || name == "caption" {
				inner, next = full[pos+tagEnd:at], at+len(name)+3
			}
		}
		h, note := renderShortcode(name, attrs, inner, attached)
		if note != "" {
			notes = append(notes, note)
		}
		b.WriteString(h)
		pos = next
	}
	return b.String(), notes
}

var coreShortcodes = map[string]bool{"caption": true, "wp_caption": true, "gallery": true, "embed": true, "audio": true, "video": true}

var attrRe = regexp.MustCompile(`([\w-]+)\s*=\s*"([^"]*)"|([\w-]+)\s*=\s*'([^']*)'|([\w-]+)\s*=\s*([^\s'"]+)|"([^"]*)"|'([^']*)'|(\S+)`)

// shortcodeAttrs parses a shortcode's attributes as WordPress does: named
// values in double, single or no quotes, and positional values.
func shortcodeAttrs(s string) map[string]string {
	attrs := map[string]string{}
	pos := 0
	for _, m := range attrRe.FindAllStringSubmatch(s, -1) {
		switch {
		case m[1] != "":
			attrs[strings.ToLower(m[1])] = html.UnescapeString(m[2])
		case m[3] != "":
			attrs[strings.ToLower(m[3])] = html.UnescapeString(m[4])
		case m[5] != "":
			attrs[strings.ToLower(m[5])] = html.UnescapeString(m[6])
		default:
			v := m[7] + m[8] + m[9]
			attrs[fmt.Sprint(pos)] = html.UnescapeString(v)
			pos++
		}
	}
	return attrs
}

// captionImage splits a caption's content into its image (optionally in a
// link) and its text.
var captionImage = regexp.MustCompile(`(?is)^\s*((?:<a\s[^>]*>\s*)?<img\s[^>]*>(?:\s*</a>)?)(.*)$`)

var alignRe = regexp.MustCompile(`^align(left|right|center|none)$`)

func renderShortcode(name string, a map[string]string, inner string, attached []string) (string, string) {
	attr := html.EscapeString
	switch name {
	case "caption", "wp_caption":
		img, text := inner, ""
		if m := captionImage.FindStringSubmatch(inner); m != nil {
			img, text = m[1], m[2]
		}
		if c := a["caption"]; c != "" {
			text = c
		}
		class := "wp-caption"
		if al := a["align"]; alignRe.MatchString(al) {
			class += " " + al
		}
		out := `<figure class="` + class + `">` + strings.TrimSpace(img)
		if t := strings.TrimSpace(text); t != "" {
			out += "<figcaption>" + t + "</figcaption>"
		}
		return out + "</figure>", ""
	case "gallery":
		ids := strings.FieldsFunc(a["ids"]+","+a["include"], func(r rune) bool { return r == ',' || r == ' ' })
		note := "[gallery] made into a figure of its images"
		if len(ids) == 0 {
			// WordPress shows the images attached to the entry.
			if len(attached) == 0 {
				return "[gallery]", "[gallery] shows the entry's attached images, and the export attaches none to it: kept as text, add the images by hand"
			}
			exclude := map[string]bool{}
			for _, id := range strings.FieldsFunc(a["exclude"], func(r rune) bool { return r == ',' || r == ' ' }) {
				exclude[id] = true
			}
			for _, id := range attached {
				if !exclude[id] {
					ids = append(ids, id)
				}
			}
			note = fmt.Sprintf("[gallery] made into a figure of the %d image(s) attached to the entry", len(ids))
		}
		var b strings.Builder
		b.WriteString(`<figure class="gallery">`)
		for _, id := range ids {
			if strings.Trim(id, "0123456789") != "" {
				continue
			}
			// The link rewriter turns the attachment's old address into
			// its file in the media library.
			fmt.Fprintf(&b, `<img src="%s" alt="">`, wordpress.QueryPath(wordpress.QueryAttachment, id))
		}
		b.WriteString(`</figure>`)
		return b.String(), note
	case "embed":
		u := strings.TrimSpace(inner)
		if u == "" {
			u = a["src"]
		}
		if u == "" {
			return "", "empty [embed] removed"
		}
		return embedOrLink(u)
	case "audio", "video":
		src := firstNonEmpty(a["src"], a["mp3"], a["m4a"], a["ogg"], a["wav"], a["mp4"], a["webm"], a["ogv"], a["m4v"], a["wmv"], a["flv"], a["0"])
		if src == "" {
			src = strings.TrimSpace(inner)
		}
		if src == "" {
			return "", "[" + name + "] without a file removed"
		}
		out := "<" + name + ` controls src="` + attr(src) + `"`
		if name == "video" {
			if p := a["poster"]; p != "" {
				out += ` poster="` + attr(p) + `"`
			}
			for _, k := range []string{"width", "height"} {
				if v := a[k]; v != "" && strings.Trim(v, "0123456789") == "" {
					out += " " + k + `="` + v + `"`
				}
			}
		}
		out += `><a href="` + attr(src) + `">` + html.EscapeString(src) + `</a></` + name + ">"
		return out, ""
	}
	return "", ""
}

// galleryRe finds a [gallery] shortcode (not the escaped [[gallery]]).
var galleryRe = regexp.MustCompile(`(?i)(^|[^\[])\[gallery(\s[^\]]*)?\]`)

// bareGallery reports whether src has a [gallery] that names no images,
// and so shows the entry's attached ones.
func bareGallery(src string) bool {
	if !strings.Contains(asciiLower(src), "[gallery") {
		return false
	}
	for _, m := range galleryRe.FindAllStringSubmatch(src, -1) {
		a := shortcodeAttrs(strings.TrimSuffix(strings.TrimSpace(m[2]), "/"))
		if a["ids"] == "" && a["include"] == "" {
			return true
		}
	}
	return false
}

// embedOrLink returns the site's embed of the player at u, as the source
// desk makes it, or a paragraph linking to u when its provider is not on
// the list of players the site embeds; and the note for the report.
func embedOrLink(u string) (string, string) {
	if h, ok := markup.EmbedHTML(u); ok {
		return h, ""
	}
	return `<p><a href="` + html.EscapeString(u) + `">` + html.EscapeString(u) + `</a></p>`,
		"embed of " + u + " made into a link (its player is not one the site embeds)"
}

// bareURL matches a line that is only an address, as WordPress embeds it
// (in a paragraph of its own in the block editor's older posts).
var bareURL = regexp.MustCompile(`^\s*(?:<p>\s*)?(https?://[^\s<>"']+)\s*(?:</p>)?\s*$`)

// autoEmbed makes each address standing alone on its line into an embed
// or a link, outside <pre> and <code>, which keep their text.
func autoEmbed(s string, notes []string) (string, []string) {
	if !strings.Contains(s, "http") {
		return s, notes
	}
	lines := strings.Split(s, "\n")
	inPre := false
	changed := false
	for i, line := range lines {
		low := asciiLower(line)
		if !inPre {
			if m := bareURL.FindStringSubmatch(line); m != nil {
				h, note := embedOrLink(html.UnescapeString(m[1]))
				lines[i], changed = h, true
				if note != "" {
					notes = append(notes, note)
				}
				continue
			}
		}
		opens := strings.Count(low, "<pre") + strings.Count(low, "<code")
		closes := strings.Count(low, "</pre>") + strings.Count(low, "</code>")
		if opens > closes {
			inPre = true
		} else if closes > opens {
			inPre = false
		}
	}
	if !changed {
		return s, notes
	}
	return strings.Join(lines, "\n"), notes
}

// blockStart matches a chunk that is already a block element and must not
// be wrapped in <p>.
var blockStart = regexp.MustCompile(`(?i)^<(?:div|h[1-6]|ul|ol|li|dl|blockquote|figure|table|pre|hr|p|section|aside|audio|video|form|address|iframe|header|footer|details|style|script)[\s>/]|^<!--`)

var (
	paraBreak = regexp.MustCompile(`\n\s*\n`)
	preBlock  = regexp.MustCompile(`(?is)<pre[\s>].*?</pre>`)
	moreLoose = regexp.MustCompile(`<!--\s*more(?:\s[^>]*?)?\s*-->`)
)

// autop makes paragraphs of classic-editor text as WordPress's wpautop
// does: a blank line separates paragraphs, a single newline is a line
// break, and blocks (headings, lists, figures, <pre>) stand on their own.
func autop(s string) string {
	var pres []string
	s = preBlock.ReplaceAllStringFunc(s, func(m string) string {
		pres = append(pres, m)
		return fmt.Sprintf("\n\n<pre-%d>\n\n", len(pres)-1)
	})
	s = moreLoose.ReplaceAllString(s, "\n\n$0\n\n")
	var b strings.Builder
	for _, chunk := range paraBreak.Split(s, -1) {
		chunk = strings.TrimSpace(chunk)
		switch {
		case chunk == "":
			continue
		case strings.HasPrefix(chunk, "<pre-"):
			var i int
			fmt.Sscanf(chunk, "<pre-%d>", &i)
			if i >= 0 && i < len(pres) {
				chunk = pres[i]
			}
		case !blockStart.MatchString(chunk):
			chunk = "<p>" + strings.ReplaceAll(chunk, "\n", "<br>\n") + "</p>"
		}
		b.WriteString(chunk)
		b.WriteString("\n")
	}
	return strings.TrimSpace(b.String())
}

// seoVars replaces the variables of Yoast (%%title%%) and Rank Math
// (%title%) in an SEO title or description; unknown ones are removed and
// named in the returned note.
var seoVarRe = regexp.MustCompile(`%%?([a-z_]+)%%?`)

func seoText(s, title, site, excerpt string) (string, string) {
	if s == "" {
		return "", ""
	}
	var unknown []string
	out := seoVarRe.ReplaceAllStringFunc(s, func(m string) string {
		switch strings.Trim(m, "%") {
		case "title":
			return title
		case "sitename", "site_title":
			return site
		case "sep":
			return "–"
		case "excerpt", "excerpt_only":
			return excerpt
		case "page", "pagenumber", "primary_category", "category", "currentyear", "sitedesc", "tagline":
			// Parts WordPress fills per page; a post's own page has none
			// worth keeping.
			return ""
		}
		unknown = append(unknown, m)
		return ""
	})
	out = strings.Join(strings.Fields(html.UnescapeString(out)), " ")
	out = strings.Trim(out, " –-|")
	if len(unknown) > 0 {
		return out, "SEO variables " + strings.Join(unknown, ", ") + " removed"
	}
	return out, ""
}

// asciiLower lowers ASCII letters only, keeping every byte where it was, so
// that indexes found in the result hold in the original.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
