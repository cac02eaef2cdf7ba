package site

import (
	"strings"
	"testing"
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
