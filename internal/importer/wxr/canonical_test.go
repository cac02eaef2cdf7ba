package wxr_test

import (
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
	"github.com/broadsheet/broadsheet/internal/wordpress"
)

const sourceURLMeta = `<wp:meta_key><![CDATA[_broadsheet_source_url]]></wp:meta_key><wp:meta_value><![CDATA[https://andeswire.example/compact]]></wp:meta_value></wp:postmeta>`

func TestImportCanonicalSource(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		src := readFile(t, "testdata/small.wxr")
		if !strings.Contains(src, sourceURLMeta) {
			t.Fatal("testdata/small.wxr no longer has the source URL this test extends")
		}
		withMeta := strings.Replace(src, sourceURLMeta, sourceURLMeta+
			`<wp:postmeta><wp:meta_key><![CDATA[`+wordpress.MetaCanonicalSource+`]]></wp:meta_key><wp:meta_value><![CDATA[1]]></wp:meta_value></wp:postmeta>`, 1)
		if _, err := importString(t, db, withMeta); err != nil {
			t.Fatal(err)
		}
		p, err := db.FindPostBySlug(ctx, content.KindPost, "bogota-water")
		if err != nil {
			t.Fatal(err)
		}
		if !p.CanonicalSource {
			t.Fatalf("%s=1 was not imported", wordpress.MetaCanonicalSource)
		}
		// Re-importing an export that does not say so, with a changed
		// title, keeps the choice.
		changed := strings.Replace(src, "Bogotá’s water compact", "Bogotá’s water compact, revised", 1)
		rep, err := importString(t, db, changed)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Updated == 0 {
			t.Fatalf("the changed title did not update the post: %+v", rep)
		}
		p, err = db.FindPostBySlug(ctx, content.KindPost, "bogota-water")
		if err != nil {
			t.Fatal(err)
		}
		if !p.CanonicalSource || p.Title != "Bogotá’s water compact, revised" {
			t.Errorf("after re-import: title %q, canonical source %v; want the new title and the choice kept", p.Title, p.CanonicalSource)
		}
	})
}
