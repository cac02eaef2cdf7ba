package wxr_test

import (
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
