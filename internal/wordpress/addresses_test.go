package wordpress_test

import (
	"net/url"
	"testing"

	"github.com/broadsheet/broadsheet/internal/wordpress"
)

func TestQueryAliasPath(t *testing.T) {
	for _, c := range []struct{ query, want string }{
		{"p=12", "/?p=12"},
		{"p=12&utm_source=feed", "/?p=12"},
		{"utm_source=feed&page_id=20", "/?page_id=20"},
		{"tag=m%C3%BCnchen+port", "/?tag=m%C3%BCnchen+port"},
		{"feed=rss2", "/?feed=rss2"},
		{"cat=3&p=9", "/?p=9"}, // a post before a category
		{"s=harbour", ""},
		{"", ""},
	} {
		q, err := url.ParseQuery(c.query)
		if err != nil {
			t.Fatal(err)
		}
		if got := wordpress.QueryAliasPath(q); got != c.want {
			t.Errorf("QueryAliasPath(%q) = %q, want %q", c.query, got, c.want)
		}
	}
}

func TestAddresses(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{wordpress.AuthorPath("jane.doe"), "/author/jane.doe/"},
		{wordpress.TagPath("łódź"), "/tag/%C5%82%C3%B3d%C5%BA/"},
		{wordpress.CategoryPath("world", "africa"), "/category/world/africa/"},
		{wordpress.QueryPath(wordpress.QueryAttachment, "50"), "/?attachment_id=50"},
		{wordpress.OriginalUpload("2024/05/port-300x200.jpg"), "2024/05/port.jpg"},
		{wordpress.OriginalUpload("2024/05/port.jpg"), "2024/05/port.jpg"},
		{wordpress.EscapeSlug("łódź"), "%c5%82%c3%b3d%c5%ba"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	for _, c := range []struct {
		in, rel string
		ok      bool
	}{
		{"https://old.example.org/wp-content/uploads/2024/05/port%20a.jpg", "2024/05/port a.jpg", true},
		{"/blog/wp-content/uploads/x.png", "x.png", true},
		{"/wp-content/uploads/%zz.png", "", true},
		{"/media/2024/05/port.jpg", "", false},
	} {
		if rel, ok := wordpress.UploadsFile(c.in); rel != c.rel || ok != c.ok {
			t.Errorf("UploadsFile(%q) = %q, %v, want %q, %v", c.in, rel, ok, c.rel, c.ok)
		}
	}
}
