package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/broadsheet/broadsheet/internal/sourcedesk/desktest"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestSourceDeskToPublishedPost is the source desk's whole day in one
// story, through the real admin: an editor signs in, adds an outlet by its
// homepage, polls it, finds the article in the inbox, republishes it,
// writes the editorial introduction in the post editor, publishes, and a
// reader finds the article on the public site with its attribution, in
// order, without the outlet's clutter.
func TestSourceDeskToPublishedPost(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			out := desktest.Outlet(t)
			// The outlet runs on loopback, which the desk refuses unless
			// told otherwise; the poller is off so that "Poll now" is the
			// only poll.
			base := serverWith(t, engine, []string{"BROADSHEET_FETCH_ALLOW_PRIVATE=1"}, "--poll-every", "0")
			ctx := editorSession(t, base, engine+"-desk-failure.png")

			// Add the outlet by its homepage alone: its feeds are found there.
			run(t, ctx, "add the source",
				chromedp.Navigate(base+"/admin/sources"),
				chromedp.WaitVisible(chromedp.CSS("#name")),
				chromedp.SendKeys(chromedp.CSS("#name"), "Agency Wire"),
				chromedp.SendKeys(chromedp.CSS("#homepage"), out.URL+"/agency/"),
				chromedp.SendKeys(chromedp.CSS("#notes"), "Reprint licence, January 2026"),
			)
			clickAndLoad(t, ctx, ".desk-form button[type=submit]")
			run(t, ctx, "the source is listed", chromedp.WaitVisible(chromedp.CSS(`tr[id^="source-"]`)))
			feeds := textOf(t, ctx, "read the source", `tr[id^="source-"]`)
			if !strings.Contains(feeds, out.URL+"/agency/feed.xml") || !strings.Contains(feeds, out.URL+"/institute/atom.xml") {
				t.Errorf("the source's row does not list both discovered feeds:\n%s", feeds)
			}
			screenshot(t, ctx, engine+"-desk-sources.png")
			clickAndLoad(t, ctx, `tr[id^="source-"] form[action$="/poll"] button`)
			if s := strings.TrimSpace(textOf(t, ctx, "source status", ".desk-status")); s != "OK" {
				t.Errorf("the source's status after polling: %q", s)
			}

			// The inbox: newest first, across both feeds.
			run(t, ctx, "open the inbox",
				chromedp.Navigate(base+"/admin/inbox"),
				chromedp.WaitVisible(chromedp.CSS("article.desk-item")),
			)
			title := "Leaders meet at the summit in Addis Ababa"
			titles := get(t, ctx, "read the inbox", chromedp.Evaluate[[]string](
				`[...document.querySelectorAll('article.desk-item h2')].map(h => h.textContent.trim())`))
			if strings.Join(titles, "|") != title+"|Why the corridor matters now|Grain exports reach a record|Brief: shipping rates" {
				t.Errorf("the inbox shows %q", titles)
			}
			// The desk is part of the admin: its bar, with Inbox current.
			if current := get(t, ctx, "the admin's bar", chromedp.Evaluate[string](
				`(() => { const a = document.querySelector('header.bar nav a[aria-current]'); return a ? a.textContent.trim() : '' })()`)); current != "Inbox" {
				t.Errorf("the inbox is not shown under the admin's bar with Inbox current (current: %q)", current)
			}
			screenshot(t, ctx, engine+"-desk-inbox.png")

			// Republish: the draft opens in the post editor.
			itemID := get(t, ctx, "find the item", chromedp.Evaluate[string](
				`[...document.querySelectorAll('article.desk-item')].find(a => a.querySelector('h2').textContent.includes('Leaders meet')).id`))
			clickAndLoad(t, ctx, "#"+itemID+" .desk-republish")
			run(t, ctx, "the editor opens", chromedp.WaitVisible(chromedp.CSS("#editor #editor-modes")))
			loc := get(t, ctx, "where the editor is", chromedp.Location())
			if !regexp.MustCompile(`/admin/posts/\d+(\?|$)`).MatchString(loc) {
				t.Errorf("republishing led to %s, want the post editor", loc)
			}
			original := out.URL + "/agency/2026/01/14/summit.html?utm_source=rss&utm_medium=feed"
			type draftView struct {
				Title, Status, Format, SourceName, SourceURL, SourceAuthor, SourceDate, Body string
			}
			draft := get(t, ctx, "read the draft", chromedp.Evaluate[draftView](`(() => ({
				Title: document.getElementById('title').value,
				Status: document.getElementById('status').textContent.trim(),
				Format: document.getElementById('editor').dataset.format,
				SourceName: document.getElementById('source_name').value,
				SourceURL: document.getElementById('source_url').value,
				SourceAuthor: document.getElementById('source_author').value,
				SourceDate: document.getElementById('source_date').value,
				Body: document.getElementById('body').value,
			}))()`))
			if draft.Title != title || draft.Status != "draft" || draft.Format != "html" {
				t.Errorf("the editor opened %q (%s, %s), want the republished draft in HTML", draft.Title, draft.Status, draft.Format)
			}
			if draft.SourceName != "Agency Wire" || draft.SourceURL != original || draft.SourceAuthor != "Lin Wei" || draft.SourceDate != "2026-01-14" {
				t.Errorf("the source fields: %+v", draft)
			}
			for _, clutter := range []string{"Advertisement", "Related articles", "Great article", "Sign up", "Subscribe", "ads.example"} {
				if strings.Contains(draft.Body, clutter) {
					t.Errorf("the draft's body carries the outlet's clutter %q", clutter)
				}
			}

			flash := textOf(t, ctx, "read the note", ".flash")
			if flash != "Republished from Agency Wire as a draft: write the introduction, then publish." {
				t.Errorf("the editor opens the republished draft with the note %q", flash)
			}
			if n := get(t, ctx, "the introduction's note", chromedp.Evaluate[string](
				`(() => { const n = document.getElementById('intro-note'); return n && !n.hidden ? n.textContent : '' })()`)); !strings.Contains(n, "write the editorial introduction") {
				t.Errorf("the editor does not say where the introduction goes (%q)", n)
			}

			// Write the introduction in its own field, above the
			// attribution line.
			intro := "Our editors' view: this summit matters for the whole continent."
			run(t, ctx, "write the introduction", chromedp.SendKeys(chromedp.ID("introduction"), intro))
			if get(t, ctx, "the introduction's note", chromedp.Evaluate[bool](`document.getElementById('intro-note').hidden`)) != true {
				t.Error("the note about the introduction stays after it is written")
			}
			waitFor(t, "the preview shows the introduction", func() (bool, string) {
				first := get(t, ctx, "preview", chromedp.Evaluate[string](
					`(() => { const p = document.querySelector('#preview p'); return p ? p.textContent.trim() : '' })()`))
				return first == intro, first
			})
			teaser := textOf(t, ctx, "teaser preview", `#teaser-preview`)
			if !strings.Contains(teaser, intro) || !strings.Contains(teaser, "ADDIS ABABA") || strings.Contains(teaser, "Observers noted") {
				t.Errorf("the teaser preview should hold the introduction and the article's first paragraphs only:\n%s", teaser)
			}
			screenshot(t, ctx, engine+"-desk-editor.png")
			clickAndLoad(t, ctx, "#publish")
			if note := textOf(t, ctx, "read the note", ".flash"); note != "Published." {
				t.Fatalf("after publishing, the editor says %q", note)
			}

			// The reader's view.
			postURL := get(t, ctx, "the post's address", chromedp.Evaluate[string](
				`(() => { const a = [...document.querySelectorAll('.head a')].find(a => a.textContent.trim() === 'view'); return a ? a.href : '' })()`))
			if postURL == "" {
				t.Fatal("the published post has no 'view' link in the editor")
			}
			run(t, ctx, "read the post", chromedp.Navigate(postURL), chromedp.WaitVisible(chromedp.CSS("aside.attribution")))
			type postView struct {
				Title, Attribution, Link, Canonical string
				Paragraphs                          []string
				ImageLoaded, InlineLoaded           bool
				ImageSrc, InlineSrc                 string
				Text                                string
			}
			got := get(t, ctx, "read the public post", chromedp.Evaluate[postView](`(() => {
				const img = document.querySelector('.featured-image img');
				const inline = document.querySelector('.entry-content img');
				return {
					Title: document.querySelector('h1.entry-title').textContent.trim(),
					Attribution: document.querySelector('aside.attribution').textContent.trim().replace(/\s+/g, ' '),
					Link: document.querySelector('aside.attribution a').href,
					Canonical: document.querySelector('link[rel=canonical]').href,
					Paragraphs: [...document.querySelectorAll('.entry-content p')].map(p => p.textContent.trim()).filter(t => t),
					ImageLoaded: !!img && img.complete && img.naturalWidth > 0,
					ImageSrc: img ? img.getAttribute('src') : '',
					InlineLoaded: !!inline && inline.complete && inline.naturalWidth > 0,
					InlineSrc: inline ? inline.getAttribute('src') : '',
					Text: document.querySelector('main article').innerText,
				};
			})()`))
			if got.Title != title {
				t.Errorf("the post's title: %q", got.Title)
			}
			if !strings.HasPrefix(got.Attribution, "Originally published by Agency Wire, written by Lin Wei, on") || got.Link != original {
				t.Errorf("the attribution block: %q linking to %q, want the outlet linked to %s", got.Attribution, got.Link, original)
			}
			if got.Canonical != original {
				t.Errorf("canonical %q, want the original (the source's default)", got.Canonical)
			}
			want := []string{
				intro,
				// One attribution, in place of the draft's attribution line.
				"Originally published by Agency Wire, written by Lin Wei, on",
				"ADDIS ABABA, Jan. 14",
				"The two-day meeting opened",
				"Delegates said the summit",
				`"We cannot trade with each other`,
				"The agenda for the second day includes:",
				"Observers noted that several heads of state",
				"The summit closes on Thursday",
			}
			if len(got.Paragraphs) < len(want) {
				t.Errorf("the post has %d paragraphs, want at least %d: %q", len(got.Paragraphs), len(want), got.Paragraphs)
			} else {
				next := 0
				for _, p := range got.Paragraphs {
					if next < len(want) && strings.HasPrefix(p, want[next]) {
						next++
					}
				}
				if next < len(want) || got.Paragraphs[0] != intro {
					t.Errorf("the post's paragraphs are not the introduction, the attribution and the article in order (missing %q): %q",
						want[min(next, len(want)-1)], got.Paragraphs)
				}
			}
			for _, item := range []string{"the financing of the railway corridor;", "the mediation of two border disputes."} {
				if !strings.Contains(got.Text, item) {
					t.Errorf("the article's list item %q is missing", item)
				}
			}
			for _, clutter := range []string{"Advertisement", "ADVERTISEMENT", "Related articles", "Ports expand", "Comments (3)",
				"Great article", "Sign up", "Subscribe for unlimited", "Share on Social", "Cheap flights", "All rights reserved"} {
				if strings.Contains(got.Text, clutter) {
					t.Errorf("the public post shows the outlet's clutter %q", clutter)
				}
			}
			if strings.Contains(got.Text, "Editorial introduction: write it here") {
				t.Error("the public post shows the introduction's placeholder note")
			}
			// The lead image went into the media library, as the draft's
			// featured image; the GIF inside the text is kept beside it.
			if !got.ImageLoaded || !strings.HasPrefix(got.ImageSrc, "/media/") || strings.HasPrefix(got.ImageSrc, "/media/sourcedesk/") {
				t.Errorf("lead image: loaded %v from %q, want the media library's copy featured", got.ImageLoaded, got.ImageSrc)
			}
			if !got.InlineLoaded || !strings.HasPrefix(got.InlineSrc, "/media/") {
				t.Errorf("the map inside the article: loaded %v from %q, want our own copy", got.InlineLoaded, got.InlineSrc)
			}

			// Back at the desk, the item shows the post it became, and the
			// front page carries the teaser.
			run(t, ctx, "the republished item",
				chromedp.Navigate(base+"/admin/inbox?state=republished"),
				chromedp.WaitVisible(chromedp.CSS(".desk-post")),
			)
			rows := get(t, ctx, "count republished", chromedp.Evaluate[int](`document.querySelectorAll('article.desk-item').length`))
			link := get(t, ctx, "read the republished item", chromedp.Evaluate[string](
				`document.querySelector('.desk-post').textContent.replace(/\s+/g, ' ').trim()`))
			if rows != 1 || !strings.HasPrefix(link, "Republished as "+title+" (published)") {
				t.Errorf("%d republished items, the first: %q", rows, link)
			}
			front := waitText(t, ctx, base+"/", "main", title)
			if !strings.Contains(front, intro) || !strings.Contains(front, "Continue reading") || strings.Contains(front, "Observers noted") {
				t.Errorf("the front page's teaser:\n%s", front)
			}
			// So does the outlet's archive.
			archive := waitText(t, ctx, base+"/source/agency-wire/", "main", title)
			if !strings.Contains(archive, "Republished from Agency Wire") || !strings.Contains(archive, intro) {
				t.Errorf("the outlet's archive:\n%s", archive)
			}
		})
	}
}

// waitFor polls check (with a generous bound) until it reports true.
func waitFor(t *testing.T, what string, check func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		ok, last := check()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: never happened; last: %q", what, last)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
