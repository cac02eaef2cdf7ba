package site

import (
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/markup"
)

// truncateRunes is truncate as it was, converting s to runes: the
// reference truncate follows.
func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := string(r[:n])
	if i := strings.LastIndex(cut, " "); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:.–-") + "…"
}

func TestTruncateAsRunes(t *testing.T) {
	words := []string{"a", "word", "é", "日本語", "😀", " ", ", ", ".", "–", "-", "\xff", "\xe2\x82", ";:", "  "}
	var texts []string
	for i := range 4000 {
		var b strings.Builder
		for j := 0; j < i%97; j++ {
			b.WriteString(words[(i*7+j*j+j)%len(words)])
		}
		texts = append(texts, b.String())
	}
	texts = append(texts, awkward...)
	for _, s := range texts {
		for _, n := range []int{0, 1, 2, 3, 7, 10, 20, 50, 160, 300} {
			if got, want := truncate(s, n), truncateRunes(s, n); got != want {
				t.Fatalf("truncate(%q, %d) = %q, want %q", s, n, got, want)
			}
		}
	}
}

// TestSummaryCutFromTheWholeText: a summary made from the start of a
// teaser's text (summaryText stops past its length) is the one made from
// the whole text, whatever the text's characters and where it stops.
func TestSummaryCutFromTheWholeText(t *testing.T) {
	words := []string{"a", "word", "é", "日本語", "😀", " ", ", ", ".", "–", "\xff", "\u00a0", "&amp;", "<b>", "</b>", "<p>", "</p>\n"}
	for i := range 3000 {
		var b strings.Builder
		for j := 0; j < i%211; j++ {
			b.WriteString(words[(i*7+j*j+j)%len(words)])
		}
		p := &content.Post{TeaserHTML: b.String()}
		whole := markup.Text(p.TeaserHTML, -1)
		for _, n := range []int{0, 1, 2, 3, 7, 10, 20, 50, 160, 300, 400} {
			if got, want := Summary(p, n), truncate(whole, n); got != want {
				t.Fatalf("Summary of %q, %d: %q, want %q", p.TeaserHTML, n, got, want)
			}
		}
	}
}
