package content

import (
	"html"
	"strings"
)

// Republished is a republished article's body in its three parts, as the
// editor shows them: the editorial introduction (its own field), the
// attribution line (made from the source fields) and the article.
type Republished struct {
	// Introduction is plain text; a blank line separates paragraphs.
	Introduction string
	// Attribution is the attribution paragraph as stored, in HTML.
	Attribution string
	// Article is the article below the attribution line, in HTML.
	Article string
}

const (
	introOpen       = `<p class="editorial-introduction">`
	attributionOpen = `<p class="attribution-line">`
	introComment    = "<!-- Editorial introduction"
)

// SplitRepublished cuts a republished body (an optional placeholder
// comment, one or more introduction paragraphs, the attribution line,
// the article) into its parts. It reports false for any other body, and
// for an introduction holding markup, which a plain field could not keep.
func SplitRepublished(body string) (Republished, bool) {
	var r Republished
	s := body
	if strings.HasPrefix(s, introComment) {
		end := strings.Index(s, "-->")
		if end < 0 {
			return r, false
		}
		s = strings.TrimPrefix(s[end+len("-->"):], "\n")
	}
	var paras []string
	for strings.HasPrefix(s, introOpen) {
		end := strings.Index(s, "</p>")
		if end < 0 {
			return r, false
		}
		inner := s[len(introOpen):end]
		if strings.ContainsAny(inner, "<>") {
			return r, false
		}
		if t := strings.TrimSpace(html.UnescapeString(inner)); t != "" {
			paras = append(paras, t)
		}
		s = strings.TrimPrefix(s[end+len("</p>"):], "\n")
	}
	if len(paras) == 0 && !strings.Contains(body[:len(body)-len(s)], introOpen) {
		return r, false
	}
	if !strings.HasPrefix(s, attributionOpen) {
		return r, false
	}
	end := strings.Index(s, "</p>")
	if end < 0 {
		return r, false
	}
	r.Introduction = strings.Join(paras, "\n\n")
	r.Attribution = s[:end+len("</p>")]
	r.Article = strings.TrimPrefix(s[end+len("</p>"):], "\n")
	return r, true
}

// Join assembles the body of a republished article from its parts. An
// empty introduction is kept as EmptyIntroduction, so the post still
// reads as waiting for one.
func (r Republished) Join() string {
	var b strings.Builder
	n := 0
	for _, para := range strings.Split(normalizeNewlines(r.Introduction), "\n\n") {
		if para = strings.TrimSpace(para); para == "" {
			continue
		}
		b.WriteString(introOpen)
		b.WriteString(html.EscapeString(para))
		b.WriteString("</p>\n")
		n++
	}
	if n == 0 {
		b.WriteString(EmptyIntroduction)
		b.WriteByte('\n')
	}
	b.WriteString(r.Attribution)
	b.WriteByte('\n')
	b.WriteString(r.Article)
	return b.String()
}

// AttributionHTML is the attribution line of a republished article, made
// from its source fields: the outlet, linked to the original, and the
// original author as the article's byline.
func AttributionHTML(src *Source) string {
	if src.IsZero() {
		return attributionOpen + "</p>"
	}
	var b strings.Builder
	b.WriteString(attributionOpen)
	b.WriteString("The following article was originally published by ")
	outlet := html.EscapeString(src.Name)
	if outlet == "" {
		outlet = "its original outlet"
	}
	if src.URL != "" {
		b.WriteString(`<a href="` + html.EscapeString(src.URL) + `">` + outlet + "</a>")
	} else {
		b.WriteString(outlet)
	}
	if !src.PublishedAt.IsZero() {
		b.WriteString(" on " + src.PublishedAt.UTC().Format("2 January 2006"))
	}
	b.WriteString(".")
	if src.Author != "" {
		b.WriteString(" By " + html.EscapeString(src.Author) + ".")
	}
	b.WriteString("</p>")
	return b.String()
}

// MergeRepublished returns the body a republished article's form saves:
// the stored body itself, byte for byte, when the introduction and the
// article are as stored and the attribution line need not change; else
// the parts joined, with the attribution line remade from src when
// sourceChanged. It reports false when stored is no longer a republished
// body the form can edit.
func MergeRepublished(stored, introduction, article string, src *Source, sourceChanged bool) (string, bool) {
	cur, ok := SplitRepublished(stored)
	if !ok {
		return "", false
	}
	intro := strings.TrimSpace(normalizeNewlines(introduction))
	if intro == cur.Introduction && SameText(article, cur.Article) && !sourceChanged {
		return stored, true
	}
	next := Republished{Introduction: intro, Attribution: cur.Attribution, Article: normalizeNewlines(article)}
	if SameText(article, cur.Article) {
		next.Article = cur.Article
	}
	if sourceChanged {
		next.Attribution = AttributionHTML(src)
	}
	return next.Join(), true
}

// SameText reports whether a text sent back by a browser is the stored
// text: forms send line breaks as CR LF whatever they were, so a body
// opened and saved without a change differs only in those.
func SameText(sent, stored string) bool {
	return sent == stored || normalizeNewlines(sent) == normalizeNewlines(stored)
}

func normalizeNewlines(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}
