package export_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/export"
	"github.com/broadsheet/broadsheet/internal/importer/wxr"
	"github.com/broadsheet/broadsheet/internal/markup"
	"github.com/broadsheet/broadsheet/internal/media"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

var ctx = context.Background()

const fixtures = "../importer/wxr/testdata"

// buildSite fills db as a real site would be: a WordPress import with
// attachments, plus a Markdown post written in Broadsheet with a source,
// two authors and a teaser break.
func buildSite(t *testing.T, db *store.DB, lib *media.Dir) {
	t.Helper()
	f, err := os.Open(filepath.Join(fixtures, "classic.wxr"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := wxr.Import(ctx, db, f, wxr.Options{Uploads: filepath.Join(fixtures, "uploads"), Media: lib}); err != nil {
		t.Fatal(err)
	}
	err = db.Update(ctx, func(tx *store.Tx) error {
		editor, err := tx.FindUserBySlug(ctx, "editor")
		if err != nil {
			return err
		}
		jane, err := tx.FindUserBySlug(ctx, "jane-doe")
		if err != nil {
			return err
		}
		world, err := tx.FindTermBySlug(ctx, content.TaxCategory, "world")
		if err != nil {
			return err
		}
		p := &content.Post{
			Kind: content.KindPost, Title: "Republished: “Ports & people” <analysis>", Slug: "ports-and-people",
			Status: content.StatusPublished, PublishedAt: time.Date(2024, 6, 1, 12, 30, 0, 0, time.UTC),
			PublishedOffset: 7200, // 14:30 in Paris, before the site took Kolkata's time
			CommentsClosed:  true,
			Format:          content.FormatMarkdown, Body: "Our introduction.\n\n<!--more-->\n\n> The article, with ]]> inside.\n",
			Excerpt: "Why ports matter.", Authors: []content.User{*editor, *jane}, Categories: []content.Term{*world},
			Source: &content.Source{Name: "Xinhua", URL: "https://example.com/ports", Author: "Li Wei",
				PublishedAt: time.Date(2024, 5, 31, 8, 0, 0, 0, time.UTC), Title: "Ports that work",
				Feed: "https://example.com/feed.xml", FeedTitle: "Xinhua – World"},
			ImportKey: "https://new.example.org/?p=1000", SEODescription: "Ports and the people who work them.",
			CanonicalSource: true,
		}
		if err := markup.RenderPost(p); err != nil {
			return err
		}
		if err := tx.CreatePost(ctx, p); err != nil {
			return err
		}
		// The navigation and the time zone travel with the site.
		s, err := tx.LoadSettings(ctx)
		if err != nil {
			return err
		}
		s.TimeZone = "Asia/Kolkata"
		s.Menu = []content.MenuItem{{Label: "World", URL: "/category/world/"}, {Label: "About us", URL: "/about/"},
			{Label: "Elsewhere", URL: "https://elsewhere.example.com/x?y=1"}}
		return tx.SaveSettings(ctx, s)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// siteView is a site with its ids replaced by the slugs and paths they
// stand for, so that two sites can be compared field by field.
type siteView struct {
	Settings content.Settings
	Posts    map[string]postView // by kind/slug
	Terms    map[string]termView // by taxonomy/slug
	Media    map[string]content.Media
	Aliases  map[string]string // path → kind/slug or target
}

type postView struct {
	Post            content.Post
	Authors         []string
	Categories      []string
	Tags            []string
	Parent          string
	FeaturedMedia   string
	ImportKeyChosen bool
}

type termView struct {
	Term   content.Term
	Parent string
}

func view(t *testing.T, db *store.DB) siteView {
	t.Helper()
	v := siteView{Posts: map[string]postView{}, Terms: map[string]termView{}, Media: map[string]content.Media{}, Aliases: map[string]string{}}
	var err error
	if v.Settings, err = db.LoadSettings(ctx); err != nil {
		t.Fatal(err)
	}
	posts, err := db.FindPostsPage(ctx, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	keyOf := map[int64]string{}
	for _, p := range posts {
		keyOf[p.ID] = string(p.Kind) + "/" + p.Slug
	}
	mediaPath := map[int64]string{}
	ms, err := db.FindMediaPage(ctx, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		mediaPath[m.ID] = m.Key
		c := *m
		c.ID, c.CreatedAt = 0, time.Time{}
		v.Media[m.Key] = c
	}
	for _, p := range posts {
		featured, err := db.FindFeatured(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		pv := postView{Parent: keyOf[p.ParentID]}
		if featured != nil {
			pv.FeaturedMedia = mediaPath[featured.ID]
		}
		for _, a := range p.Authors {
			pv.Authors = append(pv.Authors, a.Slug)
		}
		for _, c := range p.Categories {
			pv.Categories = append(pv.Categories, c.Slug)
		}
		for _, c := range p.Tags {
			pv.Tags = append(pv.Tags, c.Slug)
		}
		c := *p
		// UpdatedAt stays: an entry's modified time travels with it.
		c.ID, c.CreatedAt, c.ParentID = 0, time.Time{}, 0
		c.Authors, c.Categories, c.Tags = nil, nil, nil
		v.Posts[keyOf[p.ID]] = pv
		pv.Post = c
		v.Posts[keyOf[p.ID]] = pv
	}
	for _, tax := range []content.Taxonomy{content.TaxCategory, content.TaxTag} {
		terms, err := db.FindTerms(ctx, tax)
		if err != nil {
			t.Fatal(err)
		}
		slugOf := map[int64]string{}
		for _, term := range terms {
			slugOf[term.ID] = term.Slug
		}
		for _, term := range terms {
			c := *term
			c.ID, c.ParentID = 0, 0
			v.Terms[string(tax)+"/"+term.Slug] = termView{Term: c, Parent: slugOf[term.ParentID]}
		}
	}
	aliases, err := db.FindAliases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range aliases {
		if a.PostID != 0 {
			v.Aliases[a.Path] = "→ " + keyOf[a.PostID]
		} else {
			v.Aliases[a.Path] = a.Target
		}
	}
	return v
}

// TestWXRRoundTrip checks that import(export(site)) is the same site:
// every post, page, term, media file and alias, field by field.
func TestWXRRoundTrip(t *testing.T) {
	storetest.Run(t, func(t *testing.T, a *store.DB) {
		libA := &media.Dir{Root: t.TempDir()}
		buildSite(t, a, libA)
		var out bytes.Buffer
		sum, err := export.WXR(ctx, a, &out, export.Options{BaseURL: "https://new.example.org"})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Posts != 9 || sum.Pages != 2 || sum.Media != 2 {
			t.Errorf("summary: %+v", sum)
		}

		b := storetest.Open(t, a.Engine())
		libB := &media.Dir{Root: t.TempDir()}
		rep, err := wxr.Import(ctx, b, bytes.NewReader(out.Bytes()), wxr.Options{Uploads: libA.Root, Media: libB})
		if err != nil {
			t.Fatalf("import of the export: %v", err)
		}
		if len(rep.Skipped) != 0 {
			t.Errorf("the import of an export skipped: %+v", rep.Skipped)
		}
		want, got := view(t, a), view(t, b)
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("import(export(site)) differs from the site (-want +got):\n%s", diff)
		}
		rc, err := libB.Open(ctx, "2024/05/port.jpg")
		if err != nil {
			t.Errorf("the media file did not travel: %v", err)
		} else {
			rc.Close()
		}

		// Importing the same export again changes nothing.
		rep, err = wxr.Import(ctx, b, bytes.NewReader(out.Bytes()), wxr.Options{Uploads: libA.Root, Media: libB})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Created != 0 || rep.Updated != 0 {
			t.Errorf("second import of the export: created %d, updated %d", rep.Created, rep.Updated)
		}
	})
}

// TestWXRIsWellFormed checks the export against XML's rules with an
// independent parser, as WordPress's importer would read it.
func TestWXRIsWellFormed(t *testing.T) {
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv(storetest.RequireAllEnv) != "" {
			t.Fatal("xmllint (libxml2-utils) is required")
		}
		t.Skip("xmllint (libxml2-utils) is not installed")
	}
	db := storetest.Open(t, "sqlite")
	buildSite(t, db, &media.Dir{Root: t.TempDir()})
	name := filepath.Join(t.TempDir(), "site.wxr")
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := export.WXR(ctx, db, f, export.Options{BaseURL: "https://new.example.org"}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if out, err := exec.Command(xmllint, "--noout", name).CombinedOutput(); err != nil {
		t.Fatalf("xmllint: %v\n%s", err, out)
	}
	data, _ := os.ReadFile(name)
	doc := string(data)
	for _, want := range []string{
		"<wp:wxr_version>1.2</wp:wxr_version>",
		"<wp:post_type><![CDATA[attachment]]></wp:post_type>",
		"<wp:attachment_url><![CDATA[https://new.example.org/media/2024/05/port.jpg]]></wp:attachment_url>",
		"<wp:meta_key><![CDATA[_broadsheet_source_name]]></wp:meta_key><wp:meta_value><![CDATA[Xinhua]]></wp:meta_value>",
		`<category domain="post_tag" nicename="%e4%b8%ad%e5%9b%bd"><![CDATA[中国]]></category>`,
		"<wp:status><![CDATA[future]]></wp:status>",
		"with ]]]]><![CDATA[> inside",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("export lacks %s", want)
		}
	}
	// Parents before children, as WordPress's importer needs.
	if strings.Index(doc, "[world]]></wp:category_nicename>") > strings.Index(doc, "[africa]]></wp:category_nicename>") {
		t.Errorf("category world comes after its child africa")
	}
}

func TestJSONHasTheFullModel(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		buildSite(t, db, &media.Dir{Root: t.TempDir()})
		var out bytes.Buffer
		if _, err := export.JSON(ctx, db, &out, export.Options{BaseURL: "https://new.example.org"}); err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Generator string
			Settings  content.Settings
			Users     []content.User
			Terms     []content.Term
			Media     []content.Media
			Posts     []content.Post
			Aliases   []content.Alias
			Comments  []content.Comment
		}
		if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
			t.Fatalf("invalid JSON: %v", err)
		}
		if doc.Generator != "Broadsheet" || doc.Settings.Title != "Harbour Times" || len(doc.Users) != 2 ||
			len(doc.Terms) != 5 || len(doc.Media) != 2 || len(doc.Posts) != 11 || len(doc.Aliases) == 0 || len(doc.Comments) != 2 {
			t.Fatalf("JSON export: generator %q, title %q, %d users, %d terms, %d media, %d posts, %d aliases, %d comments",
				doc.Generator, doc.Settings.Title, len(doc.Users), len(doc.Terms), len(doc.Media), len(doc.Posts), len(doc.Aliases), len(doc.Comments))
		}
		var md *content.Post
		for i := range doc.Posts {
			if doc.Posts[i].Slug == "ports-and-people" {
				md = &doc.Posts[i]
			}
		}
		if md == nil || md.Source == nil || md.Source.Name != "Xinhua" || len(md.Authors) != 2 || md.Format != content.FormatMarkdown {
			t.Errorf("the Markdown post in JSON: %+v", md)
		}
		sort.Slice(doc.Terms, func(i, j int) bool { return doc.Terms[i].Slug < doc.Terms[j].Slug })
	})
}

// TestWXRHasWhatWordPressNeeds reads the export as WordPress's importer
// does (its SimpleXML parser, by namespace) and checks what that importer
// relies on: every author, term, parent and featured image an item names
// is declared, parents before children, ids unique, dates and statuses in
// WordPress's forms, attachments with absolute file URLs.
func TestWXRHasWhatWordPressNeeds(t *testing.T) {
	db := storetest.Open(t, "sqlite")
	buildSite(t, db, &media.Dir{Root: t.TempDir()})
	var out bytes.Buffer
	if _, err := export.WXR(ctx, db, &out, export.Options{BaseURL: "https://new.example.org"}); err != nil {
		t.Fatal(err)
	}
	type meta struct {
		Key   string `xml:"http://wordpress.org/export/1.2/ meta_key"`
		Value string `xml:"http://wordpress.org/export/1.2/ meta_value"`
	}
	type category struct {
		Domain   string `xml:"domain,attr"`
		Nicename string `xml:"nicename,attr"`
	}
	var doc struct {
		Channel struct {
			Version  string `xml:"http://wordpress.org/export/1.2/ wxr_version"`
			BaseSite string `xml:"http://wordpress.org/export/1.2/ base_site_url"`
			BaseBlog string `xml:"http://wordpress.org/export/1.2/ base_blog_url"`
			Authors  []struct {
				Login string `xml:"http://wordpress.org/export/1.2/ author_login"`
			} `xml:"http://wordpress.org/export/1.2/ author"`
			Categories []struct {
				Nicename string `xml:"http://wordpress.org/export/1.2/ category_nicename"`
				Parent   string `xml:"http://wordpress.org/export/1.2/ category_parent"`
			} `xml:"http://wordpress.org/export/1.2/ category"`
			Tags []struct {
				Slug string `xml:"http://wordpress.org/export/1.2/ tag_slug"`
			} `xml:"http://wordpress.org/export/1.2/ tag"`
			Items []struct {
				Creator       string     `xml:"http://purl.org/dc/elements/1.1/ creator"`
				ID            int64      `xml:"http://wordpress.org/export/1.2/ post_id"`
				Date          string     `xml:"http://wordpress.org/export/1.2/ post_date"`
				Link          string     `xml:"link"`
				CommentStatus string     `xml:"http://wordpress.org/export/1.2/ comment_status"`
				Status        string     `xml:"http://wordpress.org/export/1.2/ status"`
				Type          string     `xml:"http://wordpress.org/export/1.2/ post_type"`
				Parent        int64      `xml:"http://wordpress.org/export/1.2/ post_parent"`
				URL           string     `xml:"http://wordpress.org/export/1.2/ attachment_url"`
				GUID          string     `xml:"guid"`
				Content       string     `xml:"http://purl.org/rss/1.0/modules/content/ encoded"`
				Categories    []category `xml:"category"`
				Meta          []meta     `xml:"http://wordpress.org/export/1.2/ postmeta"`
			} `xml:"item"`
		} `xml:"channel"`
	}
	if err := xml.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("the export does not parse: %v", err)
	}
	c := doc.Channel
	if c.Version != "1.2" || c.BaseSite != "https://new.example.org" || c.BaseBlog != "https://new.example.org" {
		t.Errorf("channel: version %q, base %q %q", c.Version, c.BaseSite, c.BaseBlog)
	}
	authors, cats, tags := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, a := range c.Authors {
		authors[a.Login] = true
	}
	for _, cat := range c.Categories {
		if cat.Parent != "" && !cats[cat.Parent] {
			t.Errorf("category %q comes before its parent %q", cat.Nicename, cat.Parent)
		}
		cats[cat.Nicename] = true
	}
	for _, tag := range c.Tags {
		tags[tag.Slug] = true
	}
	ids, types := map[int64]bool{}, map[int64]string{}
	for _, it := range c.Items {
		if ids[it.ID] || it.ID == 0 {
			t.Errorf("post id %d missing or used twice", it.ID)
		}
		ids[it.ID], types[it.ID] = true, it.Type
	}
	wpStatuses := map[string]bool{"publish": true, "draft": true, "pending": true, "future": true, "private": true, "trash": true, "inherit": true}
	dateRe := regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$`)
	for _, it := range c.Items {
		if it.Creator != "" && !authors[it.Creator] {
			t.Errorf("item %d: author %q is not declared", it.ID, it.Creator)
		}
		if !wpStatuses[it.Status] || !dateRe.MatchString(it.Date) || it.GUID == "" {
			t.Errorf("item %d: status %q, date %q, guid %q", it.ID, it.Status, it.Date, it.GUID)
		}
		// post_date is the site's time when the post came out, which
		// WordPress reads its dated address on.
		if strings.HasSuffix(it.Link, "/ports-and-people/") && (it.Date != "2024-06-01 14:30:00" || it.CommentStatus != "closed") {
			t.Errorf("item %d: post_date %q, comment_status %q; want 2024-06-01 14:30:00, the site's time when it was published, and closed",
				it.ID, it.Date, it.CommentStatus)
		}
		for _, cat := range it.Categories {
			if (cat.Domain == "category" && !cats[cat.Nicename]) || (cat.Domain == "post_tag" && !tags[cat.Nicename]) {
				t.Errorf("item %d: %s %q is not declared", it.ID, cat.Domain, cat.Nicename)
			}
		}
		if it.Parent != 0 && types[it.Parent] != it.Type {
			t.Errorf("item %d: parent %d is a %q, not a %q", it.ID, it.Parent, types[it.Parent], it.Type)
		}
		if it.Type == "attachment" && !strings.HasPrefix(it.URL, "https://new.example.org/media/") {
			t.Errorf("attachment %d: file URL %q", it.ID, it.URL)
		}
		for _, m := range it.Meta {
			if m.Key == "_thumbnail_id" {
				id, _ := strconv.ParseInt(m.Value, 10, 64)
				if types[id] != "attachment" {
					t.Errorf("item %d: featured image %s is not an attachment of the export", it.ID, m.Value)
				}
			}
		}
		if strings.Contains(it.Content, `<span id="more">`) {
			t.Errorf("item %d: the break is Broadsheet's anchor, not WordPress's <!--more-->", it.ID)
		}
	}
}
