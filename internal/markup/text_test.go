package markup

import (
	"html"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// stripped is the text Text must equal: the tags stripped by the strict
// policy, the references decoded, the white space made single spaces.
func stripped(src string) string {
	return strings.Join(strings.Fields(html.UnescapeString(StripTags(src))), " ")
}

// htmlPieces are what random fragments are made of: elements whose
// content is dropped or kept, raw text elements, tags left open or closed
// unopened, comments, references with and without their semicolon, every
// kind of white space, and bytes that are not UTF-8.
var htmlPieces = []string{
	"word", "Zoë", "São Tomé", "“quoted”", "<p>", "</p>", "<b>", "</b>", "<br>", "<br/>", "<img src=x>",
	"<script>", "</script>", "<script>alert(1)</script>", "<style>p{}</style>", "<style>", "</style>",
	"<title>", "</title>", "<iframe>", "</iframe>", "<object>", "</object>", "<noscript>", "</noscript>",
	"<textarea>", "</textarea>", "<SCRIPT>", "</Script>", "<script/>", "<iframe/>", "<!-- comment -->",
	"<!doctype html>", "&amp;", "&amp", "&lt;", "&gt;", "&nbsp;", "&#13;", "&#x41;", "&copy", "&bogus;",
	"&", "<", ">", " ", "  ", "\t", "\n", "\r\n", "\r", "\f", "\v", "\u00a0", "\u0085", "\u2003", "\u3000",
	"\x00", "\xff", "\xc3", "\uFFFD", "a b", "<p class='x'>text</p>", "<a href=\"/x?a=1&b=2\">link</a>",
}

func randomHTML(r *rand.Rand) string {
	var b strings.Builder
	for range r.IntN(30) {
		b.WriteString(htmlPieces[r.IntN(len(htmlPieces))])
	}
	return b.String()
}

// TestTextAsStripTags checks Text against the strict policy it stands in
// for, on awkward fragments and 20,000 random ones; and that a limited
// Text is the start of the whole, with more than limit characters unless
// it is the whole.
func TestTextAsStripTags(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	srcs := []string{
		"", "   ", "\u00a0", "<p>Intro</p>\n<p>The following article was originally published by Xinhua.</p>",
		"</iframe><iframe>a</iframe>b", "<script>a</script>b<style>c</style>d", "<iframe><iframe>a</iframe>b</iframe>c",
	}
	for range 20000 {
		srcs = append(srcs, randomHTML(r))
	}
	for _, src := range srcs {
		want := stripped(src)
		if got := Text(src, -1); got != want {
			t.Fatalf("Text(%q):\n got %q\nwant %q", src, got, want)
		}
		for _, limit := range []int{0, 1, 5, 40} {
			got := Text(src, limit)
			if !strings.HasPrefix(want, got) || got != want && utf8.RuneCountInString(got) <= limit {
				t.Fatalf("Text(%q, %d) = %q: not the start of %q with more than %d characters", src, limit, got, want, limit)
			}
		}
	}
}
