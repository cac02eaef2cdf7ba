package site_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/site"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// postForm sends a form as a browser on the site's own page does.
func postForm(t *testing.T, target string, form url.Values, fetchSite string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", fetchSite)
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// TestComments: a post shows its approved comments in threads and a form;
// a reader's comment waits for moderation; mistakes, robots, floods and
// other sites' forms get clear answers; the comment feeds list approved
// comments only; with comments off, none of it is there.
func TestComments(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		importFile(t, db, "../importer/wxr/testdata/comments.wxr")
		srv := serve(t, db, site.DefaultTheme())
		post, err := db.FindPostBySlug(ctx, content.KindPost, "ferry")
		if err != nil {
			t.Fatal(err)
		}
		id := strconv.FormatInt(post.ID, 10)

		resp, page := get(t, srv.URL+post.Path())
		if resp.StatusCode != 200 {
			t.Fatalf("post page %s: %d %s %v", post.Path(), resp.StatusCode, post.Status, post.PublishedAt)
		}
		for _, want := range []string{`<h2 id="comments-title">3 comments</h2>`, "Chidi Eze", `<a href="https://chidi.example/" rel="nofollow ugc noopener">`,
			`<ol class="comment-replies">`, "Thanks, Chidi.", "Lagos Daily – Ferries", `action="/comments/"`, `name="post_id" value="` + id + `"`,
			`href="/comments/feed/` + id + `/"`} {
			if !strings.Contains(page, want) {
				t.Errorf("post page lacks %q", want)
			}
		}
		for _, hidden := range []string{"Still waiting for moderation", "Buy now", "alert(1)"} {
			if strings.Contains(page, hidden) {
				t.Errorf("post page shows %q", hidden)
			}
		}
		if strings.Index(page, "Thanks, Chidi.") < strings.Index(page, `<ol class="comment-replies">`) {
			t.Error("the reply is not inside its parent's thread")
		}

		form := url.Values{"post_id": {id}, "parent_id": {"0"}, "author": {"Bola"}, "email": {"bola@example.org"},
			"url": {"bola.example"}, "comment": {"Is there a night ferry?\n\n<script>x</script>"}}
		resp, _ = postForm(t, srv.URL+"/comments/", form, "same-origin")
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/comments/sent/?post="+id {
			t.Fatalf("sending a comment: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		pending, _, _ := db.FindComments(ctx, store.CommentFilter{PostID: post.ID, Status: content.CommentPending})
		var bola *content.Comment
		for _, c := range pending {
			if c.Author == "Bola" {
				bola = c
			}
		}
		if bola == nil || bola.URL != "https://bola.example" || !strings.Contains(bola.HTML, "&lt;script&gt;") || bola.IP == "" {
			t.Fatalf("the comment sent is not pending as written: %+v", bola)
		}
		if _, sent := get(t, srv.URL+"/comments/sent/?post="+id); !strings.Contains(sent, "Thank you for your comment") {
			t.Error("no thanks after sending")
		}
		if _, page = get(t, srv.URL+post.Path()); strings.Contains(page, "night ferry") {
			t.Error("a pending comment is shown")
		}

		// A reply through the reply link's form.
		chidi := findComment(t, db, post.ID, "Chidi Eze")
		resp, replyPage := get(t, srv.URL+"/comments/new/?post="+id+"&reply="+strconv.FormatInt(chidi.ID, 10))
		if resp.StatusCode != 200 || !strings.Contains(replyPage, "Reply to Chidi Eze") ||
			!strings.Contains(replyPage, `name="parent_id" value="`+strconv.FormatInt(chidi.ID, 10)+`"`) {
			t.Errorf("reply form: %d\n%s", resp.StatusCode, replyPage)
		}

		// Mistakes are sent back with what was written.
		bad := url.Values{"post_id": {id}, "author": {""}, "comment": {"Kept text"}}
		resp, body := postForm(t, srv.URL+"/comments/", bad, "same-origin")
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "give a name") || !strings.Contains(body, "Kept text") ||
			!strings.Contains(body, `aria-invalid="true"`) {
			t.Errorf("no name: %d\n%s", resp.StatusCode, body)
		}
		bad = url.Values{"post_id": {id}, "author": {"A"}, "email": {"nope"}, "comment": {"x"}}
		if resp, body = postForm(t, srv.URL+"/comments/", bad, "same-origin"); resp.StatusCode != 400 || !strings.Contains(body, "is not an email address") {
			t.Errorf("bad email: %d", resp.StatusCode)
		}
		bad = url.Values{"post_id": {"999999"}, "author": {"A"}, "comment": {"x"}}
		if resp, _ = postForm(t, srv.URL+"/comments/", bad, "same-origin"); resp.StatusCode != 404 {
			t.Errorf("comment on no post: %d, want 404", resp.StatusCode)
		}
		bad = url.Values{"post_id": {id}, "parent_id": {"abc"}, "author": {"A"}, "comment": {"x"}}
		if resp, body = postForm(t, srv.URL+"/comments/", bad, "same-origin"); resp.StatusCode != 400 || !strings.Contains(body, "no comment") {
			t.Errorf("reply to nothing: %d", resp.StatusCode)
		}

		// Another site's form is refused.
		if resp, _ = postForm(t, srv.URL+"/comments/", form, "cross-site"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site comment: %d, want 403", resp.StatusCode)
		}

		// A robot fills the hidden field: thanked, kept as spam.
		robot := url.Values{"post_id": {id}, "author": {"Bot"}, "comment": {"Visit"}, "homepage": {"https://bot.example"}}
		if resp, _ = postForm(t, srv.URL+"/comments/", robot, "same-origin"); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("robot: %d", resp.StatusCode)
		}
		if c := findComment(t, db, post.ID, "Bot"); c.Status != content.CommentSpam {
			t.Errorf("robot's comment is %s, want spam", c.Status)
		}

		// Five comments in a few minutes, then a wait.
		var last int
		for range 6 {
			resp, body = postForm(t, srv.URL+"/comments/", form, "same-origin")
			last = resp.StatusCode
		}
		if last != http.StatusTooManyRequests || !strings.Contains(body, "Wait a few minutes") || !strings.Contains(body, "night ferry") {
			t.Errorf("flood: last answer %d", last)
		}

		// Feeds: approved comments only.
		for _, path := range []string{"/comments/feed/", "/comments/feed/" + id + "/"} {
			resp, feed := get(t, srv.URL+path)
			if resp.StatusCode != 200 || !strings.Contains(feed, "Chidi Eze") || strings.Contains(feed, "night ferry") ||
				!strings.Contains(feed, post.Path()+"#comment-") {
				t.Errorf("%s: %d\n%s", path, resp.StatusCode, feed)
			}
		}
		// WordPress's address of a post's comments feed leads to it.
		if resp, _ := get(t, srv.URL+post.Path()+"feed/"); resp.StatusCode != 301 || resp.Header.Get("Location") != "/comments/feed/"+id+"/" {
			t.Errorf("%sfeed/: %d to %q", post.Path(), resp.StatusCode, resp.Header.Get("Location"))
		}
		if resp, _ := get(t, srv.URL+"/comments/feed/999999/"); resp.StatusCode != 404 {
			t.Errorf("feed of no post: %d", resp.StatusCode)
		}

		// A site rendered once as files (a static export) shows comments
		// but takes none: no form, no reply links, no feed link.
		static := serveConfig(t, site.Config{DB: db, Theme: site.DefaultTheme(), RenderOnce: true})
		if _, page = get(t, static.URL+post.Path()); !strings.Contains(page, "Chidi Eze") || strings.Contains(page, "comment-form") ||
			strings.Contains(page, "/comments/new/") || strings.Contains(page, "/comments/feed/") {
			t.Error("the static site's post page offers to take comments, or lacks them")
		}

		// Comments off: no comments, no form, no feed, no sending.
		set, _ := db.LoadSettings(ctx)
		set.CommentsEnabled = false
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.SaveSettings(ctx, set) }); err != nil {
			t.Fatal(err)
		}
		if _, page = get(t, srv.URL+post.Path()); strings.Contains(page, "Chidi Eze") || strings.Contains(page, "comment-form") {
			t.Error("comments shown while off")
		}
		if resp, _ := get(t, srv.URL+"/comments/feed/"); resp.StatusCode != 404 {
			t.Errorf("comments feed while off: %d", resp.StatusCode)
		}
		if resp, body = postForm(t, srv.URL+"/comments/", form, "same-origin"); resp.StatusCode != 403 || !strings.Contains(body, "Comments are closed") {
			t.Errorf("comment while off: %d", resp.StatusCode)
		}
	})
}

var ctx = context.Background()

func findComment(t *testing.T, db *store.DB, postID int64, author string) *content.Comment {
	t.Helper()
	list, _, err := db.FindComments(ctx, store.CommentFilter{PostID: postID})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range list {
		if c.Author == author {
			return c
		}
	}
	t.Fatalf("no comment by %s", author)
	return nil
}

// pageComments is a WordPress export of three pages: one open to
// comments with a reader's comment, one closed with a comment, and one
// that says nothing of comments and has none.
const pageComments = `<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
	<title>Harbour Letters</title>
	<link>https://old.example.org</link>
	<wp:wxr_version>1.2</wp:wxr_version>
	<wp:base_site_url>https://old.example.org</wp:base_site_url>
	<item>
		<title>Write to us</title>
		<link>https://old.example.org/write-to-us/</link>
		<guid isPermaLink="false">https://old.example.org/?page_id=5</guid>
		<content:encoded><![CDATA[<p>Letters are read every week.</p>]]></content:encoded>
		<wp:post_id>5</wp:post_id>
		<wp:post_date>2025-09-01 10:00:00</wp:post_date>
		<wp:post_date_gmt>2025-09-01 09:00:00</wp:post_date_gmt>
		<wp:comment_status>open</wp:comment_status>
		<wp:post_name>write-to-us</wp:post_name>
		<wp:status>publish</wp:status>
		<wp:post_type>page</wp:post_type>
		<wp:comment>
			<wp:comment_id>40</wp:comment_id>
			<wp:comment_author><![CDATA[Femi Ade]]></wp:comment_author>
			<wp:comment_date>2025-09-02 08:00:00</wp:comment_date>
			<wp:comment_date_gmt>2025-09-02 07:00:00</wp:comment_date_gmt>
			<wp:comment_content><![CDATA[Where do we send photographs?]]></wp:comment_content>
			<wp:comment_approved>1</wp:comment_approved>
			<wp:comment_parent>0</wp:comment_parent>
		</wp:comment>
	</item>
	<item>
		<title>The 2024 appeal</title>
		<link>https://old.example.org/appeal/</link>
		<guid isPermaLink="false">https://old.example.org/?page_id=6</guid>
		<content:encoded><![CDATA[<p>The appeal has ended.</p>]]></content:encoded>
		<wp:post_id>6</wp:post_id>
		<wp:post_date>2025-09-01 10:00:00</wp:post_date>
		<wp:post_date_gmt>2025-09-01 09:00:00</wp:post_date_gmt>
		<wp:comment_status>closed</wp:comment_status>
		<wp:post_name>appeal</wp:post_name>
		<wp:status>publish</wp:status>
		<wp:post_type>page</wp:post_type>
		<wp:comment>
			<wp:comment_id>41</wp:comment_id>
			<wp:comment_author><![CDATA[Kemi Bello]]></wp:comment_author>
			<wp:comment_date>2025-09-03 08:00:00</wp:comment_date>
			<wp:comment_date_gmt>2025-09-03 07:00:00</wp:comment_date_gmt>
			<wp:comment_content><![CDATA[Gave what I could.]]></wp:comment_content>
			<wp:comment_approved>1</wp:comment_approved>
			<wp:comment_parent>0</wp:comment_parent>
		</wp:comment>
	</item>
	<item>
		<title>Our staff</title>
		<link>https://old.example.org/staff/</link>
		<guid isPermaLink="false">https://old.example.org/?page_id=7</guid>
		<content:encoded><![CDATA[<p>Who we are.</p>]]></content:encoded>
		<wp:post_id>7</wp:post_id>
		<wp:post_date>2025-09-01 10:00:00</wp:post_date>
		<wp:post_date_gmt>2025-09-01 09:00:00</wp:post_date_gmt>
		<wp:post_name>staff</wp:post_name>
		<wp:status>publish</wp:status>
		<wp:post_type>page</wp:post_type>
	</item>
</channel>
</rss>`

// TestEntryCommentStatus: each entry keeps WordPress's comment_status. A
// page open to comments shows its comment and takes replies and new ones;
// a closed one shows its comment, says comments are closed, offers no
// form or reply link and refuses one with a sentence saying so; a page
// the export says nothing of is closed, as new pages are, and shows no
// comments section.
func TestEntryCommentStatus(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		file := filepath.Join(t.TempDir(), "pages.wxr")
		if err := os.WriteFile(file, []byte(pageComments), 0o600); err != nil {
			t.Fatal(err)
		}
		importFile(t, db, file)
		srv := serve(t, db, site.DefaultTheme())
		letters, err := db.FindPostBySlug(ctx, content.KindPage, "write-to-us")
		if err != nil {
			t.Fatal(err)
		}
		appeal, err := db.FindPostBySlug(ctx, content.KindPage, "appeal")
		if err != nil {
			t.Fatal(err)
		}
		_, page := get(t, srv.URL+"/write-to-us/")
		for _, want := range []string{`<h2 id="comments-title">1 comment</h2>`, "Femi Ade", "Where do we send photographs?",
			`action="/comments/"`, `name="post_id" value="` + strconv.FormatInt(letters.ID, 10) + `"`, "/comments/new/?post="} {
			if !strings.Contains(page, want) {
				t.Errorf("the page open to comments lacks %q", want)
			}
		}
		form := url.Values{"post_id": {strconv.FormatInt(letters.ID, 10)}, "author": {"Bola"}, "comment": {"By post, please."}}
		if resp, _ := postForm(t, srv.URL+"/comments/", form, "same-origin"); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("a comment on the page open to comments: %d, want 303", resp.StatusCode)
		}
		if c := findComment(t, db, letters.ID, "Bola"); c.Status != content.CommentPending {
			t.Errorf("the comment sent is %s, want pending", c.Status)
		}

		_, page = get(t, srv.URL+"/appeal/")
		if !strings.Contains(page, "Gave what I could.") || !strings.Contains(page, "Comments are closed.") {
			t.Error("the closed page does not show its comment and that comments are closed")
		}
		for _, unwanted := range []string{"comment-form", "/comments/new/?"} {
			if strings.Contains(page, unwanted) {
				t.Errorf("the closed page offers %q", unwanted)
			}
		}
		form.Set("post_id", strconv.FormatInt(appeal.ID, 10))
		resp, body := postForm(t, srv.URL+"/comments/", form, "same-origin")
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "Comments are closed on") {
			t.Errorf("a comment on the closed page: %d, want 403 saying comments are closed there", resp.StatusCode)
		}

		if _, page = get(t, srv.URL+"/staff/"); strings.Contains(page, `id="comments"`) {
			t.Error("a page closed to comments without any shows a comments section")
		}
	})
}
