package site

import "testing"

func TestAbsolutize(t *testing.T) {
	const page = "https://news.example/2026/01/14/port/"
	for _, tc := range []struct{ in, want string }{
		{`<p>“Quoted” &amp; kept</p>`, `<p>“Quoted” &amp; kept</p>`},
		{`<a href="/category/africa/">Africa</a>`, `<a href="https://news.example/category/africa/">Africa</a>`},
		{`<a href="#more">on</a>`, `<a href="https://news.example/2026/01/14/port/#more">on</a>`},
		{`<img src="map.png" alt="A “map”">`, `<img src="https://news.example/2026/01/14/port/map.png" alt="A “map”">`},
		{`<img src="https://cdn.example/a.jpg">`, `<img src="https://cdn.example/a.jpg">`},
		{`<a href="//cdn.example/x">x</a>`, `<a href="https://cdn.example/x">x</a>`},
		{`<img srcset="/a.jpg 1x, /b.jpg 2x" src="/a.jpg">`,
			`<img srcset="https://news.example/a.jpg 1x, https://news.example/b.jpg 2x" src="https://news.example/a.jpg">`},
		{`<video poster="/p.jpg"><source src="/v.mp4"></video>`,
			`<video poster="https://news.example/p.jpg"><source src="https://news.example/v.mp4"></video>`},
		{`<a href="mailto:desk@news.example">mail</a>`, `<a href="mailto:desk@news.example">mail</a>`},
	} {
		if got := absolutize(tc.in, page); got != tc.want {
			t.Errorf("absolutize(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}
