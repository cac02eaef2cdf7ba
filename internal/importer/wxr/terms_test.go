package wxr_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/importer/wxr"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestImportKeepsTheFirstTermsAPostMayCarry imports a post tagged with more
// terms than a post may carry: the post is imported with the first
// content.MaxTermsPerPost of them, the rest are neither linked nor created,
// and the report says so, naming the item.
func TestImportKeepsTheFirstTermsAPostMayCarry(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		const extra = 5
		var terms strings.Builder
		fmt.Fprintf(&terms, `<category domain="category" nicename="news"><![CDATA[News]]></category>`)
		for i := 0; i < content.MaxTermsPerPost-1+extra; i++ {
			fmt.Fprintf(&terms, `<category domain="post_tag" nicename="tag-%d"><![CDATA[Tag %d]]></category>`, i, i)
		}
		doc := `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Tagged</title><link>https://old.example.org</link><wp:wxr_version>1.2</wp:wxr_version>
<wp:base_site_url>https://old.example.org</wp:base_site_url><wp:base_blog_url>https://old.example.org</wp:base_blog_url>
<item><title>Every tag there is</title><link>https://old.example.org/2024/05/06/every-tag/</link>
<dc:creator>jane</dc:creator><guid isPermaLink="false">https://old.example.org/?p=10</guid>
<content:encoded><![CDATA[<p>Body.</p>]]></content:encoded>
<wp:post_id>10</wp:post_id><wp:post_date_gmt>2024-05-06 08:00:00</wp:post_date_gmt>
<wp:post_name>every-tag</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
` + terms.String() + `</item></channel></rss>`
		rep, err := wxr.Import(ctx, db, strings.NewReader(doc), wxr.Options{})
		if err != nil {
			t.Fatalf("import: %v", err)
		}
		if rep.Posts.Created != 1 {
			t.Fatalf("posts: %+v, want the post created", rep.Posts)
		}
		p := find(t, db, content.KindPost, "every-tag")
		if n := len(p.Categories) + len(p.Tags); n != content.MaxTermsPerPost || len(p.Categories) != 1 || p.Tags[0].Slug != "tag-0" {
			t.Errorf("the post carries %d categories and %d tags (first %q), want the first %d in the export's order",
				len(p.Categories), len(p.Tags), p.Tags[0].Slug, content.MaxTermsPerPost)
		}
		last := fmt.Sprintf("tag-%d", content.MaxTermsPerPost-1+extra-1)
		if _, err := db.FindTermBySlug(ctx, content.TaxTag, last); !content.IsNotFound(err) {
			t.Errorf("tag %s, left out, was created: %v", last, err)
		}
		if !hasLine(rep.Changed, "Every tag there is", fmt.Sprint(extra), fmt.Sprint(content.MaxTermsPerPost)) {
			t.Errorf("the report does not say terms were left out: %+v", rep.Changed)
		}
	})
}
