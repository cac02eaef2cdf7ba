package wxr_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestImportRewritesLinksHoweverWritten imports a body whose links to the
// old site are written as pasted HTML has them (unquoted, in capitals,
// with references in the query): each leads to the new address, as a
// browser reading the old page would have followed it.
func TestImportRewritesLinksHoweverWritten(t *testing.T) {
	item := func(id, slug, body string) string {
		return `<item><title>` + slug + `</title><link>https://old.example.org/2024/05/06/` + slug + `/</link>
<dc:creator>ed</dc:creator><guid isPermaLink="false">https://old.example.org/?p=` + id + `</guid>
<content:encoded><![CDATA[` + body + `]]></content:encoded>
<wp:post_id>` + id + `</wp:post_id><wp:post_date_gmt>2024-05-06 10:00:00</wp:post_date_gmt><wp:post_name>` + slug + `</wp:post_name>
<wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>`
	}
	doc := `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Links</title><link>https://old.example.org</link><wp:wxr_version>1.2</wp:wxr_version>
<wp:base_site_url>https://old.example.org</wp:base_site_url><wp:base_blog_url>https://old.example.org</wp:base_blog_url>
` + item("10", "first", "<p>The first.</p>") +
		item("11", "second", `<p>See <a href=https://old.example.org/?p=10>the first</a>, <A HREF='https://old.example.org/?p=10&amp;utm_source=feed'>again</A> and <a href=/?p=10#more>its end</a>.</p>`) + `
</channel></rss>`
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		rep, err := importString(t, db, doc)
		if err != nil {
			t.Fatal(err)
		}
		second := find(t, db, content.KindPost, "second")
		for _, want := range []string{`<a href="/2024/05/06/first/">the first</a>`, `<a href="/2024/05/06/first/">again</a>`,
			`<a href="/2024/05/06/first/#more">its end</a>`} {
			if !strings.Contains(second.Body, want) {
				t.Errorf("body lacks %s:\n%s", want, second.Body)
			}
		}
		if strings.Contains(second.Body, "p=10") {
			t.Errorf("an old address is left in the body:\n%s", second.Body)
		}
		if hasLine(rep.Changed, "second", "leads to nothing") {
			t.Errorf("the report calls a link unresolved: %+v", rep.Changed)
		}
	})
}

// TestImportLinksToTheEntryBefore imports posts whose bodies link, by the
// old site's relative addresses, to the post just before them in the file.
// The import asks what a few entries' links lead to at once, before it
// writes them: the post written in between must still be found, not the
// answer given before it existed.
func TestImportLinksToTheEntryBefore(t *testing.T) {
	item := func(id, slug, body string) string {
		return `<item><title>` + slug + `</title><link>https://old.example.org/archives/` + id + `/</link>
<dc:creator>ed</dc:creator><guid isPermaLink="false">https://old.example.org/?p=` + id + `</guid>
<content:encoded><![CDATA[` + body + `]]></content:encoded>
<wp:post_id>` + id + `</wp:post_id><wp:post_date_gmt>2024-05-06 10:00:00</wp:post_date_gmt><wp:post_name>` + slug + `</wp:post_name>
<wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>`
	}
	var items strings.Builder
	const posts = 40
	for i := 1; i <= posts; i++ {
		body := "<p>The first.</p>"
		if i > 1 {
			body = fmt.Sprintf(`<p>After <a href="/archives/%d/">the one before</a> and <a href="/archives/%d">the same</a>.</p>`, 99+i, 99+i)
		}
		items.WriteString(item(strconv.Itoa(100+i), fmt.Sprintf("story-%d", i), body))
	}
	doc := `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Links</title><link>https://old.example.org</link><wp:wxr_version>1.2</wp:wxr_version>
<wp:base_site_url>https://old.example.org</wp:base_site_url><wp:base_blog_url>https://old.example.org</wp:base_blog_url>
` + items.String() + `
</channel></rss>`
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		if _, err := importString(t, db, doc); err != nil {
			t.Fatal(err)
		}
		for i := 2; i <= posts; i++ {
			p := find(t, db, content.KindPost, fmt.Sprintf("story-%d", i))
			want := fmt.Sprintf(`<a href="/2024/05/06/story-%d/">the one before</a> and <a href="/2024/05/06/story-%d/">the same</a>`, i-1, i-1)
			if !strings.Contains(p.Body, want) {
				t.Errorf("story %d links elsewhere than to the story before it:\n%s", i, p.Body)
			}
		}
	})
}
