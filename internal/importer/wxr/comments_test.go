package wxr_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/export"
	"github.com/broadsheet/broadsheet/internal/importer/wxr"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestImportComments: an export's comments come in with their threads,
// dates, names, sites and statuses, pingbacks kept; what cannot come in
// is reported; a re-import changes nothing; comments are turned on for a
// site whose posts were open to them.
func TestImportComments(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		rep := mustImport(t, db, "comments.wxr", nil)
		if rep.Comments != (wxr.Counts{Created: 5, Skipped: 1}) {
			t.Errorf("comments %+v, want 5 created and 1 skipped", rep.Comments)
		}
		if !hasLine(rep.Skipped, `comment 35 by Shop on "The ferry timetable"`, "order_note") {
			t.Errorf("the plugin's comment is not reported: %+v", rep.Skipped)
		}
		for _, phrase := range []string{`"not-an-address" is not an address`, `"ftp://files.example/" is not an http(s) address`} {
			if !hasLine(rep.Changed, `comment 32 by Waiting reader on "The ferry timetable"`, phrase) {
				t.Errorf("report lacks %q: %+v", phrase, rep.Changed)
			}
		}
		post := find(t, db, content.KindPost, "ferry")
		list, _, err := db.FindComments(ctx, store.CommentFilter{PostID: post.ID, Oldest: true})
		if err != nil {
			t.Fatal(err)
		}
		by := map[int64]*content.Comment{}
		for _, c := range list {
			by[c.WordPressID] = c
		}
		chidi, reply, pending, spam, ping := by[30], by[31], by[32], by[33], by[34]
		if chidi == nil || reply == nil || pending == nil || spam == nil || ping == nil {
			t.Fatalf("comments imported: %+v", by)
		}
		if chidi.Author != "Chidi Eze" || chidi.Email != "chidi@example.org" || chidi.URL != "https://chidi.example/" ||
			!chidi.CreatedAt.Equal(time.Date(2025, 10, 2, 10, 0, 0, 0, time.UTC)) || chidi.Status != content.CommentApproved {
			t.Errorf("Chidi's comment: %+v", chidi)
		}
		if !strings.Contains(chidi.HTML, "<p>Does the 7:15 still run?</p>") || !strings.Contains(chidi.HTML, "<strong>stop</strong>") ||
			strings.Contains(chidi.HTML, "script") {
			t.Errorf("Chidi's text: %s", chidi.HTML)
		}
		if reply.ParentID != chidi.ID {
			t.Errorf("the reply's parent is %d, want Chidi's comment %d", reply.ParentID, chidi.ID)
		}
		if pending.Status != content.CommentPending || pending.Email != "" || pending.URL != "" || spam.Status != content.CommentSpam {
			t.Errorf("pending %+v, spam %+v", pending, spam)
		}
		if ping.Kind != content.CommentPingback || ping.Author != "Lagos Daily – Ferries" {
			t.Errorf("pingback: %+v", ping)
		}
		if set, _ := db.LoadSettings(ctx); !set.CommentsEnabled {
			t.Error("comments are off on a site imported with open comments")
		}

		again := mustImport(t, db, "comments.wxr", nil)
		if again.Comments != (wxr.Counts{Unchanged: 5, Skipped: 1}) {
			t.Errorf("re-import: comments %+v, want 5 unchanged", again.Comments)
		}
		if _, n, _ := db.FindComments(ctx, store.CommentFilter{}); n != 5 {
			t.Errorf("%d comments after a re-import, want 5", n)
		}
	})
}

// TestCommentsExportRoundTrip: a site's comments exported as WXR and
// imported into a new site are exported again byte for byte, and a
// comment written here comes back once when its own export is imported.
func TestCommentsExportRoundTrip(t *testing.T) {
	storetest.Run(t, func(t *testing.T, a *store.DB) {
		mustImport(t, a, "comments.wxr", nil)
		post := find(t, a, content.KindPost, "ferry")
		if err := a.Update(ctx, func(tx *store.Tx) error {
			c := &content.Comment{PostID: post.ID, Author: "New reader", HTML: "Written on Broadsheet.", Status: content.CommentApproved,
				CreatedAt: time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)}
			return tx.CreateComment(ctx, c)
		}); err != nil {
			t.Fatal(err)
		}
		opt := export.Options{BaseURL: "https://news.example", Now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
		var first bytes.Buffer
		sum, err := export.WXR(ctx, a, &first, opt)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Comments != 6 || !strings.Contains(first.String(), "<wp:comment_status><![CDATA[open]]>") {
			t.Errorf("export wrote %d comments (want 6), comments open: %v", sum.Comments, strings.Contains(first.String(), "open"))
		}
		b := storetest.Open(t, a.Engine())
		if _, err := wxr.Import(ctx, b, bytes.NewReader(first.Bytes()), wxr.Options{}); err != nil {
			t.Fatal(err)
		}
		var second bytes.Buffer
		if _, err := export.WXR(ctx, b, &second, opt); err != nil {
			t.Fatal(err)
		}
		if first.String() != second.String() {
			t.Errorf("export → import → export differs:\n%s\n----\n%s", first.String(), second.String())
		}

		// Site A's own export, imported back into A, changes nothing.
		rep, err := wxr.Import(ctx, a, bytes.NewReader(first.Bytes()), wxr.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Comments.Created != 0 || rep.Comments.Updated != 0 {
			t.Errorf("own export imported back: %+v", rep.Comments)
		}
	})
}

// TestImportManyComments: a site's threads come in whole at about one
// statement a comment (each once took seven round trips to PostgreSQL:
// 9,000 comments took 20 s), replies under the comments they answer, and
// importing the file again changes nothing.
func TestImportManyComments(t *testing.T) {
	const posts, per = 20, 15
	var doc strings.Builder
	doc.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Threads</title><link>https://t.example.org</link><wp:wxr_version>1.2</wp:wxr_version>`)
	id := 0
	for p := 1; p <= posts; p++ {
		fmt.Fprintf(&doc, `<item><title>Post %d</title><dc:creator>ed</dc:creator><guid isPermaLink="false">https://t.example.org/?p=%d</guid>
<content:encoded><![CDATA[<p>Post %d.</p>]]></content:encoded><wp:post_id>%d</wp:post_id><wp:post_date_gmt>2024-05-06 10:00:00</wp:post_date_gmt>
<wp:post_name>post-%d</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>`, p, p, p, p, p)
		for c := range per {
			id++
			parent := 0
			if c%3 == 2 {
				parent = id - 1 // a reply to the comment before
			}
			fmt.Fprintf(&doc, `<wp:comment><wp:comment_id>%d</wp:comment_id><wp:comment_author>Reader %d</wp:comment_author>
<wp:comment_date_gmt>2024-05-07 10:%02d:00</wp:comment_date_gmt><wp:comment_content>Comment %d.</wp:comment_content>
<wp:comment_approved>1</wp:comment_approved><wp:comment_parent>%d</wp:comment_parent></wp:comment>`, id, c, c, id, parent)
		}
		doc.WriteString(`</item>`)
	}
	doc.WriteString(`</channel></rss>`)
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		start := db.QueryCount()
		rep, err := importString(t, db, doc.String())
		if err != nil {
			t.Fatal(err)
		}
		statements := db.QueryCount() - start
		if rep.Comments != (wxr.Counts{Created: posts * per}) {
			t.Errorf("comments %+v, want %d created", rep.Comments, posts*per)
		}
		if perComment := float64(statements) / (posts * per); perComment > 1.5 {
			t.Errorf("%d statements for %d posts and %d comments (%.1f a comment), want at most 1.5 a comment", statements, posts, posts*per, perComment)
		}
		t.Logf("%d statements for %d posts and %d comments", statements, posts, posts*per)
		list, total, err := db.FindComments(ctx, store.CommentFilter{Oldest: true})
		if err != nil || total != posts*per {
			t.Fatalf("comments stored: %d, %v", total, err)
		}
		by := map[int64]*content.Comment{}
		for _, c := range list {
			by[c.WordPressID] = c
		}
		for wp, c := range by {
			want := int64(0)
			if (wp-1)%per%3 == 2 {
				want = by[wp-1].ID
			}
			if c.ParentID != want || c.HTML != fmt.Sprintf("<p>Comment %d.</p>", wp) && c.HTML != fmt.Sprintf("Comment %d.", wp) {
				t.Errorf("comment %d: parent %d, text %q; want parent %d", wp, c.ParentID, c.HTML, want)
			}
		}
		again, err := importString(t, db, doc.String())
		if err != nil {
			t.Fatal(err)
		}
		if again.Comments != (wxr.Counts{Unchanged: posts * per}) {
			t.Errorf("re-import: comments %+v, want %d unchanged", again.Comments, posts*per)
		}
	})
}
