package markup

import (
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/markup/markuptest"
)

func TestTeaserRule(t *testing.T) {
	tests := []struct {
		name       string
		format     content.Format
		body       string
		excerpt    string
		wantTeaser string
		wantMore   bool
	}{
		{"excerpt wins over the break", content.FormatHTML,
			"<p>Intro</p><!--more--><p>Rest</p>", "A hand-written summary.", "<p>A hand-written summary.</p>", true},
		{"break in HTML", content.FormatHTML,
			"<p>Intro</p>\n<!--more-->\n<p>Rest</p>", "", "<p>Intro</p>", true},
		{"break with custom text and spaces", content.FormatHTML,
			"<p>Intro</p><!-- more Read on -->\n<p>Rest</p>", "", "<p>Intro</p>", true},
		{"no break: the whole post", content.FormatHTML,
			"<p>One</p><p>Two</p>", "", "<p>One</p><p>Two</p>", false},
		{"break in Markdown", content.FormatMarkdown,
			"Intro *here*.\n\n<!--more-->\n\nRest.", "", "<p>Intro <em>here</em>.</p>", true},
		{"Markdown without break", content.FormatMarkdown,
			"Only this.", "", "<p>Only this.</p>", false},
		{"break inside a paragraph closes it", content.FormatHTML,
			"<blockquote><p>Quoted <!--more--> rest</p></blockquote><p>After</p>", "", "<blockquote><p>Quoted </p></blockquote>", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &content.Post{Format: tt.format, Body: tt.body, Excerpt: tt.excerpt}
			if err := RenderPost(p); err != nil {
				t.Fatal(err)
			}
			if got := strings.TrimSpace(p.TeaserHTML); got != tt.wantTeaser {
				t.Errorf("teaser = %q, want %q", got, tt.wantTeaser)
			}
			if p.HasMore != tt.wantMore {
				t.Errorf("HasMore = %v, want %v", p.HasMore, tt.wantMore)
			}
			if strings.Contains(p.BodyHTML, "<!--") {
				t.Errorf("body keeps a comment: %q", p.BodyHTML)
			}
			if tt.wantMore && tt.excerpt == "" && !strings.Contains(p.BodyHTML, `<span id="more"></span>`) {
				t.Errorf("body has no #more anchor where the break was: %q", p.BodyHTML)
			}
			if tt.wantMore && !strings.Contains(p.BodyHTML, "Rest") && !strings.Contains(p.BodyHTML, "rest") {
				t.Errorf("body lost the text after the break: %q", p.BodyHTML)
			}
		})
	}
}

func TestCleanWordPressKeepsTextAndBreak(t *testing.T) {
	src := "<!-- wp:paragraph -->\n<p>China’s “new” path – São Tomé, Łódź &amp; Zürich…</p>\n<!-- /wp:paragraph -->\n\n" +
		"<!-- wp:more -->\n<!--more-->\n<!-- /wp:more -->\n\n<!-- wp:image {\"id\":12,\"sizeSlug\":\"large\"} -->\n<p>Rest</p>"
	got := CleanWordPress(src)
	if strings.Contains(got, "wp:") {
		t.Errorf("block comments survive: %q", got)
	}
	if !strings.Contains(got, "<!--more-->") {
		t.Errorf("the break marker is gone: %q", got)
	}
	p := &content.Post{Format: content.FormatHTML, Body: src}
	if err := RenderPost(p); err != nil {
		t.Fatal(err)
	}
	if want := "<p>China’s “new” path – São Tomé, Łódź &amp; Zürich…</p>"; strings.TrimSpace(p.TeaserHTML) != want {
		t.Errorf("teaser = %q, want characters kept exactly: %q", p.TeaserHTML, want)
	}
}

func TestSanitizeRemovesScriptsHandlersAndDangerousURLs(t *testing.T) {
	tests := []struct{ in, mustNot, mustKeep string }{
		{`<p>Hi<script>alert(1)</script></p>`, "script", "<p>Hi</p>"},
		{`<p onclick="alert(1)" onmouseover=x>Hi</p>`, "on", "<p>Hi</p>"},
		{`<img src=x onerror="alert(1)">`, "onerror", ""},
		{`<a href="javascript:alert(1)">x</a>`, "javascript", "x"},
		{`<a href="JaVaScRiPt:alert(1)">x</a>`, "alert", "x"},
		{`<a href="  javascript:alert(1)">x</a>`, "alert", "x"},
		{`<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>`, "data:", "x"},
		{`<iframe src="https://evil.example"></iframe><p>ok</p>`, "iframe", "<p>ok</p>"},
		{`<p style="position:fixed">x</p>`, "style", "x"},
		{`<svg><script>alert(1)</script></svg>`, "script", ""},
		{`<form action="/x"><input name=a></form>`, "form", ""},
		{`<a href="https://example.org/a">link</a>`, "javascript", `<a href="https://example.org/a">link</a>`},
		{`<blockquote cite="https://example.org"><p>“Quote”</p></blockquote>`, "script", `<blockquote cite="https://example.org"><p>“Quote”</p></blockquote>`},
	}
	for _, tt := range tests {
		got := Sanitize(tt.in)
		if strings.Contains(strings.ToLower(got), tt.mustNot) {
			t.Errorf("Sanitize(%q) = %q, still has %q", tt.in, got, tt.mustNot)
		}
		if !strings.Contains(got, tt.mustKeep) {
			t.Errorf("Sanitize(%q) = %q, lost %q", tt.in, got, tt.mustKeep)
		}
	}
}

func TestSlugify(t *testing.T) {
	tests := map[string]string{
		"How China’s initiatives are paving a new path": "how-chinas-initiatives-are-paving-a-new-path",
		"São Tomé & Príncipe":                           "sao-tome-and-principe",
		"Łódź book fair: 2026 edition!":                 "lodz-book-fair-2026-edition",
		"Straße in Zürich":                              "strasse-in-zurich",
		"  --Hello,   World--  ":                        "hello-world",
		"中国与世界":                                         "中国与世界",
		"Москва и Пекин":                                "москва-и-пекин",
		"!!!":                                           "untitled",
		"":                                              "untitled",
		"88 years on":                                   "88-years-on",
		".":                                             "untitled",
		"..":                                            "untitled",
		"Zero\u200bwidth\u200c and\u200d joiners": "zero-width-and-joiners",
		"\ufeffBOM and soft\u00adhyphen":          "bom-and-soft-hyphen",
		"\u202eevil\u202c \u2066isolate\u2069":    "evil-isolate",
		"\u3164":                                  "untitled",
		"Hangul\u3164filler\u115f\u1160\uffa0":    "hangul-filler",
		"مي\u200cخواهم":                           "مي-خواهم",
	}
	for in, want := range tests {
		if got := Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
		if err := content.ValidateSlug(Slugify(in)); err != nil {
			t.Errorf("Slugify(%q) is not a valid slug: %v", in, err)
		}
	}
	if n := len([]rune(Slugify(strings.Repeat("word ", 200)))); n > content.MaxSlugLen {
		t.Errorf("slug of a long title has %d characters, over %d", n, content.MaxSlugLen)
	}
}

// FuzzSlugify checks that whatever the title, its slug is a valid one:
// never "." or "..", never an invisible character.
func FuzzSlugify(f *testing.F) {
	for _, seed := range []string{"..", "a\u200bb", "\u3164", "\u202e\u0000", "x\ufe0f", "\u034f\u0301"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, title string) {
		if err := content.ValidateSlug(Slugify(title)); err != nil {
			t.Errorf("Slugify(%q) = %q: %v", title, Slugify(title), err)
		}
	})
}

func FuzzRenderPost(f *testing.F) {
	f.Add("<p>a<!--more-->b</p>", "")
	f.Add("# Title\n\n<!--more-->\n\n<script>x</script>", "ex")
	f.Add("<blockquote><ul><li>x<!-- more -->y", "")
	f.Add(`<img src=x onerror=alert(1)>`, `<img src=x onerror=alert(1)>`)
	for _, a := range urlAttrs {
		for _, el := range a.elements {
			for _, v := range dangerousURLs {
				f.Add(inContext(el, a.attr, v), "")
			}
		}
	}
	for _, v := range dangerousSrcsets() {
		f.Add(`<p>a</p><!--more--><img src="/a.png" srcset="`+v+`">`, "")
	}
	f.Fuzz(func(t *testing.T, body, excerpt string) {
		for _, format := range []content.Format{content.FormatHTML, content.FormatMarkdown} {
			p := &content.Post{Format: format, Body: body, Excerpt: excerpt}
			if err := RenderPost(p); err != nil {
				t.Fatal(err)
			}
			for _, out := range []string{p.BodyHTML, p.TeaserHTML} {
				if bad := markuptest.Unsafe(out); len(bad) > 0 {
					t.Fatalf("unsafe output %q from %q:\n\t%s", out, body, strings.Join(bad, "\n\t"))
				}
			}
		}
	})
}
