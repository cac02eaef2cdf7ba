package content

import "testing"

func TestNormalizeURL(t *testing.T) {
	same := [][]string{
		{"https://www.agency.example/2026/01/summit.html", "http://agency.example/2026/01/summit.html/",
			"https://AGENCY.example/2026/01/summit.html?utm_source=rss&utm_medium=feed#comments",
			"https://agency.example:443/2026/01/summit.html?fbclid=x&gclid=y"},
		{"https://agency.example/story?id=7&page=2", "https://agency.example/story?page=2&id=7&utm_campaign=z"},
	}
	for _, group := range same {
		want := NormalizeURL(group[0])
		for _, u := range group[1:] {
			if got := NormalizeURL(u); got != want {
				t.Errorf("NormalizeURL(%q) = %q, want %q like %q", u, got, want, group[0])
			}
		}
	}
	for _, pair := range [][2]string{
		{"https://agency.example/story?id=7", "https://agency.example/story?id=8"},
		{"https://agency.example/a", "https://daily.example/a"},
		{"https://agency.example:8080/a", "https://agency.example/a"},
	} {
		if NormalizeURL(pair[0]) == NormalizeURL(pair[1]) {
			t.Errorf("%q and %q are different articles", pair[0], pair[1])
		}
	}
}

func TestTitleKey(t *testing.T) {
	for _, tt := range []struct{ a, b string }{
		{"China’s new path: a review", "Chinas new path — a review!"},
		{"Leaders meet in Addis Ababa", "  LEADERS meet in Addis-Ababa."},
		{"Réforme des retraites", "réforme des retraites"},
	} {
		if TitleKey(tt.a) != TitleKey(tt.b) {
			t.Errorf("TitleKey(%q) = %q, TitleKey(%q) = %q; want equal", tt.a, TitleKey(tt.a), tt.b, TitleKey(tt.b))
		}
	}
	if TitleKey("Trade talks resume") == TitleKey("Trade talks stall") {
		t.Error("different titles share a key")
	}
}

func TestOutletAttributionLine(t *testing.T) {
	o := Outlet{Name: "Xinhua"}
	if got := o.AttributionLine(); got != "The following article was originally published by Xinhua." {
		t.Errorf("default line = %q", got)
	}
	o.Attribution = "This article first appeared in {outlet} and is republished with permission."
	if got := o.AttributionLine(); got != "This article first appeared in Xinhua and is republished with permission." {
		t.Errorf("custom line = %q", got)
	}
}
