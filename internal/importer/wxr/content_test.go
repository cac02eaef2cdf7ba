package wxr

import (
	"strings"
	"testing"
)

func TestScanAttrs(t *testing.T) {
	upper := func(name, v string) (string, bool) {
		switch name {
		case "srcset":
			return "", false
		case "href", "src":
			return strings.ToUpper(v), true
		}
		return v, true
	}
	// A tag with a changed attribute is written anew, as the sanitiser
	// writes tags (lower-case names, double quotes, <, >, & and quotes
	// escaped); every other byte stays as it was.
	for _, c := range []struct{ in, want string }{
		{`<a href="x">x</a>`, `<a href="X">x</a>`},
		{`<A HREF = 'y' class=c>y</A>`, `<a href="Y" class="c">y</A>`},
		{`<img src="a.jpg" srcset="a-300.jpg 300w" alt="">`, `<img src="A.JPG" alt="">`},
		{`<img alt="a > b" src="p">`, `<img alt="a &gt; b" src="P">`},
		{`<!-- <a href="c"> --><p>1 < 2</p>`, `<!-- <a href="c"> --><p>1 < 2</p>`},
		// A tag the text ends inside is no tag (browsers drop it): left as it is.
		{`<input disabled><a href="q"`, `<input disabled><a href="q"`},
		{`<a href="unclosed`, `<a href="unclosed`},
		{`text only`, `text only`},
		{`<br/><hr />`, `<br/><hr />`},
		// Unquoted values are attributes too.
		{`<a href=/old/ title=x>t</a>`, `<a href="/OLD/" title="x">t</a>`},
		// Values are read with their references decoded and written escaped.
		{`<a href="/?a=1&amp;b=2">t</a>`, `<a href="/?A=1&amp;B=2">t</a>`},
		{`<a title='say "hi"' href='h'>t</a>`, `<a title="say &#34;hi&#34;" href="H">t</a>`},
		{`<IMG SRC="p" SRCSET="p-2x.jpg 2x" />`, `<img src="P"/>`},
		// What a script or style holds is text, not tags.
		{`<script>document.write('<a href="s">')</script><a href="t">`, `<script>document.write('<a href="s">')</script><a href="T">`},
	} {
		if got := scanAttrs(c.in, upper); got != c.want {
			t.Errorf("scanAttrs(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestScanAttrsReadsValuesAsBrowsersDo checks what the rewriter is given:
// names in lower case, values decoded, whatever the quoting.
func TestScanAttrsReadsValuesAsBrowsersDo(t *testing.T) {
	var got []string
	scanAttrs(`<A HREF=/x?a=1&amp;b=2 data-x='&lt;&#x41;&copy=1' src = "p&quot;q" disabled>`, func(name, v string) (string, bool) {
		got = append(got, name+"="+v)
		return v, true
	})
	want := []string{"href=/x?a=1&b=2", "data-x=<A&copy=1", `src=p"q`, "disabled="}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("attributes read: got %q, want %q", got, want)
	}
}

func TestConvertBody(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"classic paragraphs", "One\ntwo\n\nThree", "<p>One<br>\ntwo</p>\n<p>Three</p>"},
		{"blocks stand alone", "Intro\n\n<h2>Head</h2>\n\n<ul>\n<li>a</li>\n</ul>", "<p>Intro</p>\n<h2>Head</h2>\n<ul>\n<li>a</li>\n</ul>"},
		{"pre keeps its lines", "Code:\n\n<pre>a\n\nb</pre>", "<p>Code:</p>\n<pre>a\n\nb</pre>"},
		{"more stands alone", "Teaser\n<!--more-->\nRest", "<p>Teaser</p>\n<!--more-->\n<p>Rest</p>"},
		{"paragraphs already", "<p>Done</p>\nline", "<p>Done</p>\nline"},
		{"caption attribute", `[caption align="alignleft" caption="Hi"]<img src="a.jpg">[/caption]`,
			`<figure class="wp-caption alignleft"><img src="a.jpg"><figcaption>Hi</figcaption></figure>`},
		{"escaped shortcode", "<p>Write [[gallery]] to show images</p>", "<p>Write [gallery] to show images</p>"},
		{"prose brackets", "<p>He said [the] minister</p>", "<p>He said [the] minister</p>"},
		{"audio self-closing", `<p>x</p>[audio src="a.mp3" /]`, `<p>x</p><audio controls src="a.mp3"><a href="a.mp3">a.mp3</a></audio>`},
	} {
		got, _ := convertBody(c.in)
		if got != c.want {
			t.Errorf("%s: convertBody(%q)\n got %q\nwant %q", c.name, c.in, got, c.want)
		}
	}
}

func TestSEOText(t *testing.T) {
	got, note := seoText("%%title%% %%page%% %%sep%% %%sitename%% %%custom_field%%", "Port", "Times", "")
	if got != "Port – Times" || !strings.Contains(note, "%%custom_field%%") {
		t.Errorf("got %q, note %q", got, note)
	}
}

// FuzzConvertBody checks that content conversion and attribute scanning
// never panic and keep every character of text outside tags' URLs.
func FuzzConvertBody(f *testing.F) {
	f.Add("[caption]<img src=x>[/caption] [gallery ids=\"1\"] <a href='h'>t</a>")
	f.Add("[[[video mp4=x]]] <p <a href=\"")
	f.Fuzz(func(t *testing.T, s string) {
		out, _ := convertBody(s)
		scanAttrs(out, func(name, v string) (string, bool) { return v, true })
		if got := scanAttrs(s, func(name, v string) (string, bool) { return v, true }); got != s {
			t.Fatalf("an identity rewrite changed %q into %q", s, got)
		}
	})
}
