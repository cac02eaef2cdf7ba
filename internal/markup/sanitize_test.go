package markup

import (
	"fmt"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/markup/markuptest"
)

// dangerousURLs are ways of writing a URL that runs script or loads a
// document of the attacker's, as the value of an HTML attribute: cases,
// character references, white space and control characters that browsers
// strip or ignore, and schemes other than javascript:.
var dangerousURLs = []string{
	`javascript:alert(1)`,
	`JaVaScRiPt:alert(1)`,
	`&#106;avascript:alert(1)`,
	`&#x6A;&#x61;vascript:alert(1)`,
	`javascript&colon;alert(1)`,
	` javascript:alert(1)`,
	"\tjavascript:alert(1)",
	`java&#9;script:alert(1)`,
	`java&#10;script:alert(1)`,
	"java\nscript:alert(1)",
	`&#1;javascript:alert(1)`,
	"\x01javascript:alert(1)",
	`data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;`,
	`data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==`,
	`DATA:image/svg+xml,&lt;svg onload=alert(1)&gt;`,
	`vbscript:msgbox(1)`,
	`livescript:alert(1)`,
}

// dangerousSrcsets hide one of dangerousURLs among safe candidates.
func dangerousSrcsets() []string {
	var out []string
	for _, u := range dangerousURLs {
		out = append(out, u+" 2x", "/ok.png 1x, "+u+" 2x", "/ok.png 1x,"+u+" 2x", "/ok.png 100w,\n"+u)
	}
	return out
}

// urlAttrs are the attributes that hold URLs, on the elements that carry
// them, whether the policy allows them or not.
var urlAttrs = []struct {
	attr     string
	elements []string
}{
	{"href", []string{"a", "area", "link", "base"}},
	{"src", []string{"img", "audio", "video", "source", "track", "iframe", "embed", "input", "script", "frame"}},
	{"srcset", []string{"img", "source"}},
	{"poster", []string{"video", "audio"}},
	{"cite", []string{"blockquote", "q", "del", "ins"}},
	{"action", []string{"form"}},
	{"formaction", []string{"button", "input"}},
	{"data", []string{"object"}},
	{"background", []string{"body", "table", "td"}},
	{"longdesc", []string{"img", "iframe"}},
	{"xlink:href", []string{"a", "image", "use"}},
	{"usemap", []string{"img"}},
}

// inContext writes the element with one attribute where the parser keeps
// it: a table cell inside a table, a source inside a video.
func inContext(el, attr, value string) string {
	tag := fmt.Sprintf(`<%s %s="%s">x</%s>`, el, attr, value, el)
	switch el {
	case "td":
		return "<table><tr>" + tag + "</tr></table>"
	case "source", "track":
		return "<video controls>" + tag + "</video>"
	}
	return tag
}

func TestSanitizeRemovesDangerousURLsFromEveryURLAttribute(t *testing.T) {
	for _, a := range urlAttrs {
		values := dangerousURLs
		if a.attr == "srcset" {
			values = append(dangerousSrcsets(), dangerousURLs...)
		}
		for _, el := range a.elements {
			for _, v := range values {
				in := inContext(el, a.attr, v)
				out := Sanitize(in)
				if bad := markuptest.Unsafe(out); len(bad) > 0 {
					t.Errorf("Sanitize(%q) = %q:\n\t%s", in, out, strings.Join(bad, "\n\t"))
				}
				// What the policy writes again is as safe: the editor's
				// preview and imported bodies are sanitised once more.
				if again := Sanitize(out); again != out {
					t.Errorf("sanitising %q again changes it to %q", out, again)
				}
			}
		}
	}
}

func TestSanitizeKeepsSafeMediaURLs(t *testing.T) {
	for _, in := range []string{
		`<img src="/media/a.png" srcset="/media/a.png 1x, https://cdn.example/a@2x.png 2x" alt="A">`,
		`<img src="a.png" srcset="a-300.png 300w, a-600.png 600w" sizes="(max-width: 600px) 100vw, 600px" alt="A">`,
		`<video controls="" poster="https://news.example/media/p.jpg"><source src="/media/v.mp4" type="video/mp4"/></video>`,
		`<audio controls=""><source src="https://news.example/media/a.mp3" type="audio/mpeg"/></audio>`,
		`<blockquote cite="https://example.org/a?b=1#c"><p>“Quote”</p></blockquote>`,
	} {
		if got := Sanitize(in); got != in {
			t.Errorf("Sanitize(%q) = %q, want it kept as it is", in, got)
		}
	}
}

// A body keeps a player from the allowlist at its privacy-friendly
// address, and no other frame.
func TestSanitizeKeepsOnlyAllowlistedPlayers(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{`<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ" title="A film" loading="lazy" allowfullscreen=""></iframe>`,
			`<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ" title="A film" loading="lazy" allowfullscreen=""></iframe>`},
		{`<iframe src="https://player.vimeo.com/video/76979871?dnt=1" onload="steal()" srcdoc="&lt;script&gt;"></iframe>`,
			`<iframe src="https://player.vimeo.com/video/76979871?dnt=1"></iframe>`},
		{`<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe>`, ``},
		{`<iframe src="https://evil.example/embed/1"></iframe>`, ``},
		{`<iframe src="https://www.youtube-nocookie.com.evil.example/embed/x"></iframe>`, ``},
		{`<iframe src="javascript:alert(1)"></iframe>`, ``},
	} {
		if got := Sanitize(tt.in); got != tt.want {
			t.Errorf("Sanitize(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
	for src, want := range map[string]string{
		"https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=5":         "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
		"//www.youtube.com/embed/dQw4w9WgXcQ?start=30":            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=30",
		"https://youtu.be/dQw4w9WgXcQ":                            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
		"https://vimeo.com/76979871":                              "https://player.vimeo.com/video/76979871?dnt=1",
		"https://www.dailymotion.com/video/x8abc12":               "https://www.dailymotion.com/embed/video/x8abc12",
		"https://open.spotify.com/episode/4rOoJ6Egrf8K2IrywzwOMk": "https://open.spotify.com/embed/episode/4rOoJ6Egrf8K2IrywzwOMk",
		"https://evil.example/embed/dQw4w9WgXcQ":                  "",
	} {
		got, _, ok := EmbedPlayer(src)
		if got != want || ok != (want != "") {
			t.Errorf("EmbedPlayer(%s) = %q, %v; want %q", src, got, ok, want)
		}
		if ok && Sanitize(`<iframe src="`+got+`"></iframe>`) == "" {
			t.Errorf("the body policy refuses the player %s", got)
		}
	}
}
