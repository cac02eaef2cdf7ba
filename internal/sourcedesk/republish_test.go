package sourcedesk_test

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/sourcedesk"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// articleParagraphs are the article's paragraphs, in order, as the page
// has them.
var articleParagraphs = []string{
	"ADDIS ABABA, Jan. 14 -- African Union leaders gathered on Wednesday",
	"The two-day meeting opened with a call from the chairperson",
	"Delegates said the summit would also consider a proposal",
	"We cannot trade with each other if we cannot reach each other",
	"The agenda for the second day includes:",
	"the financing of the railway corridor;",
	"a common position on climate finance;",
	"Observers noted that several heads of state",
	"The summit closes on Thursday with a joint declaration",
}

// clutter is what surrounds the article on its page.
var clutter = []string{
	"Subscribe for unlimited access", "World</a>", "Business", "Sport", "Buy gold", "Advertisement", "ADVERTISEMENT",
	"Cheap flights", "Win a holiday", "Share on Social", "Related articles", "Ports expand as trade grows",
	"Railway project wins backing", "Comments (3)", "First! Great article", "I doubt anything will come",
	"train from Djibouti", "Post comment", "morning briefing", "All rights reserved", "Privacy policy",
	"dataLayer", "tracker.example", "ads.example", "<script", "Home</a>",
}

func pollAgency(t *testing.T, d *sourcedesk.Desk, o *outlets, canonical string) *content.Item {
	t.Helper()
	src := &content.Outlet{Name: "Agency Wire", Homepage: o.URL("/agency/"),
		Feeds: []content.Feed{{URL: o.URL("/agency/feed.xml")}}, Canonical: canonical}
	if err := d.AddOutlet(ctx, src); err != nil {
		t.Fatal(err)
	}
	if _, err := d.PollDue(ctx); err != nil {
		t.Fatal(err)
	}
	items, _, err := d.DB.FindItems(ctx, store.ItemFilter{Query: "summit"})
	if err != nil || len(items) != 1 {
		t.Fatalf("summit item: %v, %v", items, err)
	}
	return items[0]
}

func TestRepublishMakesAnAttributedDraft(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		o := newOutlets(t)
		d := newDesk(t, db, 5*time.Second)
		media := d.Images.(sourcedesk.DiskImages).Dir
		item := pollAgency(t, d, o, content.CanonicalOriginal)

		res, err := d.Republish(ctx, item.ID, sourcedesk.RepublishOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Warnings) > 0 {
			t.Errorf("warnings: %v", res.Warnings)
		}
		p, err := db.FindPostByID(ctx, res.Post.ID)
		if err != nil {
			t.Fatal(err)
		}
		if p.Status != content.StatusDraft || p.Kind != content.KindPost || p.Format != content.FormatHTML {
			t.Errorf("post is %s %s in %s, want a draft post in HTML", p.Status, p.Kind, p.Format)
		}
		if p.Title != "Leaders meet at the summit in Addis Ababa" || p.Slug != "leaders-meet-at-the-summit-in-addis-ababa" {
			t.Errorf("title %q, slug %q", p.Title, p.Slug)
		}
		// The original's headline and the feed that carried it are kept,
		// for the structured data and our feeds' <source>.
		wantSrc := content.Source{Name: "Agency Wire", URL: item.URL, Author: "Lin Wei",
			PublishedAt: time.Date(2026, 1, 14, 9, 30, 0, 0, time.UTC), Title: "Leaders meet at the summit in Addis Ababa",
			Feed: o.URL("/agency/feed.xml"), FeedTitle: "Agency Wire — World"}
		if p.Source == nil || *p.Source != wantSrc {
			t.Errorf("source = %+v, want %+v", p.Source, wantSrc)
		}

		// The body: introduction placeholder, attribution, lead image, two
		// paragraphs, the break, the rest, in the page's order.
		body := p.Body
		intro := strings.Index(body, `<p class="editorial-introduction"></p>`)
		attrib := strings.Index(body, "The following article was originally published by Agency Wire.")
		more := strings.Index(body, content.MoreMarker)
		if intro < 0 || attrib < intro || more < attrib {
			t.Fatalf("body out of shape (intro %d, attribution %d, break %d):\n%s", intro, attrib, more, body)
		}
		last := attrib
		for i, para := range articleParagraphs {
			at := strings.Index(body, strings.ReplaceAll(para, `"`, "&#34;"))
			if at < 0 {
				at = strings.Index(body, para)
			}
			if at < 0 {
				t.Errorf("paragraph %d missing: %q\n%s", i, para, body)
				continue
			}
			if at < last {
				t.Errorf("paragraph %d out of order", i)
			}
			last = at
			if i == 1 && more < at {
				t.Errorf("the break comes before the second paragraph")
			}
			if i == 2 && more > at {
				t.Errorf("the break comes after the third paragraph")
			}
		}
		if !strings.Contains(body, "<blockquote>") || !strings.Contains(body, "<ul>") {
			t.Errorf("quote or list lost:\n%s", body)
		}
		for _, c := range clutter {
			if strings.Contains(body, c) {
				t.Errorf("clutter %q in the draft", c)
			}
		}
		// The lead image is ours, on disk, and the outlet's is not linked.
		if strings.Contains(body, o.URL("/agency/images/")) {
			t.Errorf("the lead image is hot-linked:\n%s", body)
		}
		if !regexp.MustCompile(`<img src="/media/sourcedesk/[^"]+-map\.gif" alt="Map of the corridor"/?>`).MatchString(body) {
			t.Errorf("the article's own image was not brought in:\n%s", body)
		}
		img := regexp.MustCompile(`<img src="(/media/sourcedesk/[^"]+\.png)"`).FindStringSubmatch(body)
		if img == nil {
			t.Fatalf("no local lead image in:\n%s", body)
		}
		saved, err := os.ReadFile(filepath.Join(media, filepath.FromSlash(strings.TrimPrefix(img[1], "/media/"))))
		if err != nil || string(saved) != string(o.file("summit.png")) {
			t.Errorf("lead image file: %v", err)
		}
		// Rendered for readers: the teaser is everything before the break.
		if !p.HasMore || !strings.Contains(p.TeaserHTML, "originally published by Agency Wire") ||
			strings.Contains(p.TeaserHTML, "Delegates said") || strings.Contains(p.BodyHTML, "<!--") {
			t.Errorf("rendering: has more %v, teaser %q", p.HasMore, p.TeaserHTML)
		}

		// Provenance both ways.
		it, _ := db.FindItemByID(ctx, item.ID)
		if it.State != content.ItemRepublished || it.PostID != p.ID || it.Canonical != content.CanonicalOriginal {
			t.Errorf("item after republishing: %+v", it)
		}
		if back, err := db.FindItemByPostID(ctx, p.ID); err != nil || back.ID != item.ID {
			t.Errorf("post's item: %v, %v", back, err)
		}

		// Twice: a warning naming the existing post, and nothing new.
		again, err := d.Republish(ctx, item.ID, sourcedesk.RepublishOptions{})
		if content.ErrorCode(err) != content.EConflict || again == nil || !again.Existing || again.Post.ID != p.ID ||
			!strings.Contains(err.Error(), "already republished") {
			t.Errorf("second republish: %+v, %v", again, err)
		}
		if n, _ := db.CountPosts(ctx, content.KindPost); n != 1 {
			t.Errorf("%d posts after republishing twice, want 1", n)
		}
	})
}

func TestRepublishLeadParagraphsAndFallback(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		o := newOutlets(t)
		d := newDesk(t, db, 5*time.Second)
		d.LeadParagraphs = 3
		item := pollAgency(t, d, o, content.CanonicalOurs)
		o.setFault("/agency/images/map.gif", "500")
		res, err := d.Republish(ctx, item.ID, sourcedesk.RepublishOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "map.gif was left out") || !strings.Contains(res.Warnings[0], "500") ||
			strings.Contains(res.Post.Body, "map.gif") || !strings.Contains(res.Post.Body, "The planned corridor.") {
			t.Errorf("an image that cannot be brought in: warnings %q\n%s", res.Warnings, res.Post.Body)
		}
		head, _, _ := strings.Cut(res.Post.Body, content.MoreMarker)
		if !strings.Contains(head, "Delegates said") || strings.Contains(head, "We cannot trade") {
			t.Errorf("with three lead paragraphs, the teaser ends wrongly:\n%s", head)
		}
		if res.Item.Canonical != content.CanonicalOurs {
			t.Errorf("canonical = %q", res.Item.Canonical)
		}

		// An item whose page is gone: the feed's own text is used, with a
		// warning; an item with neither: a clear error and no post.
		items, _, _ := db.FindItems(ctx, store.ItemFilter{Query: "grain"})
		grain := items[0]
		_, err = d.Republish(ctx, grain.ID, sourcedesk.RepublishOptions{})
		if content.ErrorCode(err) != content.EInvalid || !strings.Contains(err.Error(), "404") {
			t.Errorf("republishing an item whose page is missing: %v", err)
		}
		if n, _ := db.CountPosts(ctx, content.KindPost); n != 1 {
			t.Errorf("%d posts, want 1", n)
		}
		inst := &content.Outlet{Name: "The Institute", Feeds: []content.Feed{{URL: o.URL("/institute/atom.xml")}}}
		if err := d.AddOutlet(ctx, inst); err != nil {
			t.Fatal(err)
		}
		d.PollDue(ctx)
		items, _, _ = db.FindItems(ctx, store.ItemFilter{Query: "corridor matters"})
		res, err = d.Republish(ctx, items[0].ID, sourcedesk.RepublishOptions{})
		if err != nil {
			t.Fatal(err)
		}
		// The feed's content held an image relative to the feed's xml:base;
		// it is missing on the server, so it is left out too.
		if len(res.Warnings) != 2 || !strings.Contains(res.Warnings[0], "the draft holds the text the feed carried") ||
			!strings.Contains(res.Warnings[1], "/institute/img/map.png was left out") ||
			!strings.Contains(res.Post.Body, "The corridor links three ports.") ||
			!strings.Contains(res.Post.Body, "originally published by The Institute.") || res.Post.Source.Author != "Dr Marina Zhang" {
			t.Errorf("fallback to the feed's text: warnings %q, body:\n%s", res.Warnings, res.Post.Body)
		}
	})
}

// TestRepublishedDraftKeepsItsFirstRevision republishes an item and wants
// the draft at version 1, its first revision holding the text the desk
// made: an editor who rewrites it can see, and restore, what came in.
func TestRepublishedDraftKeepsItsFirstRevision(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		o := newOutlets(t)
		d := newDesk(t, db, 5*time.Second)
		item := pollAgency(t, d, o, content.CanonicalOriginal)
		res, err := d.Republish(ctx, item.ID, sourcedesk.RepublishOptions{})
		if err != nil {
			t.Fatal(err)
		}
		v, err := db.PostVersion(ctx, res.Post.ID)
		if err != nil {
			t.Fatal(err)
		}
		if v != 1 {
			t.Fatalf("the republished draft is at version %d, want 1", v)
		}
		rev, err := db.FindRevision(ctx, res.Post.ID, 1)
		if err != nil {
			t.Fatalf("revision 1 of the republished draft: %v", err)
		}
		if rev.Title != res.Post.Title || rev.Body != res.Post.Body || rev.Source == nil || rev.Source.URL != item.URL {
			t.Errorf("revision 1 holds %q from %+v, want the draft as republished: %q from %s", rev.Title, rev.Source, res.Post.Title, item.URL)
		}
	})
}

func TestRepublishFromAddressNeedsNoSource(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		o := newOutlets(t)
		d := newDesk(t, db, 5*time.Second)
		editor := content.User{Name: "Ada Editor", Email: "ada@example.org", Role: content.RoleEditor}
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.CreateAccount(ctx, &editor, "ada", "unused") }); err != nil {
			t.Fatal(err)
		}
		page := o.URL("/agency/2026/01/14/summit.html")

		res, err := d.RepublishURL(ctx, page+"?utm_source=newsletter", sourcedesk.RepublishOptions{Authors: []content.User{editor}})
		if err != nil {
			t.Fatal(err)
		}
		p, err := db.FindPostByID(ctx, res.Post.ID)
		if err != nil {
			t.Fatal(err)
		}
		if p.Status != content.StatusDraft || p.Title != "Leaders meet at the summit in Addis Ababa" {
			t.Errorf("post %q is %s, want the article's title as a draft", p.Title, p.Status)
		}
		// The page names its site: the draft is attributed to it.
		if len(p.Authors) != 1 || p.Authors[0].ID != editor.ID {
			t.Errorf("authors %+v, want the editor who republished", p.Authors)
		}
		if p.Source == nil || p.Source.Name != "Agency Wire" || !strings.HasPrefix(p.Source.URL, page) {
			t.Errorf("source %+v, want Agency Wire at %s", p.Source, page)
		}
		if !strings.Contains(p.Body, "originally published by Agency Wire") || !strings.Contains(p.Body, articleParagraphs[0]) {
			t.Errorf("body lacks the attribution or the article:\n%s", p.Body)
		}
		// The article is kept in the inbox, republished, so the same
		// address a second time names the post already made.
		it, err := db.FindItemByPostID(ctx, p.ID)
		if err != nil || it.State != content.ItemRepublished || it.OutletName != "Agency Wire" {
			t.Fatalf("inbox item of the post: %+v, %v", it, err)
		}
		again, err := d.RepublishURL(ctx, page, sourcedesk.RepublishOptions{})
		if content.ErrorCode(err) != content.EConflict || again == nil || again.Post.ID != p.ID {
			t.Errorf("second republication of the address: %v, %+v; want a conflict naming post %d", err, again, p.ID)
		}
	})
}

func TestRepublishFromAddressUsesTheFollowedOutlet(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		o := newOutlets(t)
		d := newDesk(t, db, 5*time.Second)
		src := &content.Outlet{Name: "The Agency", Homepage: o.URL("/agency/"), Attribution: "Carried with permission of {outlet}."}
		if err := d.AddOutlet(ctx, src); err != nil {
			t.Fatal(err)
		}
		res, err := d.RepublishURL(ctx, o.URL("/agency/2026/01/14/summit.html"), sourcedesk.RepublishOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Post.Source.Name != "The Agency" || !strings.Contains(res.Post.Body, "Carried with permission of The Agency.") {
			t.Errorf("source %q, body:\n%s\nwant the followed outlet's name and attribution line", res.Post.Source.Name, res.Post.Body)
		}
		if res.Item.OutletID != src.ID {
			t.Errorf("item's outlet %d, want %d", res.Item.OutletID, src.ID)
		}
	})
}

func TestRepublishFromAddressRefusesWhatIsNotAnArticle(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		o := newOutlets(t)
		d := newDesk(t, db, 5*time.Second)
		for _, raw := range []string{"", "summit.html", "ftp://example.org/a", o.URL("/agency/images/summit.jpg"), o.URL("/missing")} {
			_, err := d.RepublishURL(ctx, raw, sourcedesk.RepublishOptions{})
			var ce *content.Error
			if !errors.As(err, &ce) || ce.Code != content.EInvalid || ce.Field != "url" {
				t.Errorf("RepublishURL(%q) = %v; want an invalid-url error", raw, err)
			}
		}
		counts, err := db.CountEntriesByStatus(ctx, content.KindPost, 0)
		if err != nil {
			t.Fatal(err)
		}
		if counts[content.StatusDraft] != 0 {
			t.Errorf("%d drafts made from bad addresses", counts[content.StatusDraft])
		}
	})
}
