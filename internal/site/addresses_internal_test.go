package site

import (
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
)

// TestAddressesParseAsBuilt builds an address of each kind the router
// serves by shape, and of some of their pages, and parses it back.
func TestAddressesParseAsBuilt(t *testing.T) {
	post := &content.Post{Kind: content.KindPost, Slug: "café-crème", PublishedAt: time.Date(2026, 2, 3, 9, 0, 0, 0, time.UTC)}
	page := &content.Post{Kind: content.KindPage, Slug: "about"}
	for _, c := range []struct {
		path string
		want route
	}{
		{PagePath("/", 2), route{kind: FrontAddress, page: 2}},
		{post.Path(), route{kind: PostAddress, slug: "café-crème", page: 1}},
		{page.Path(), route{kind: PageAddress, slug: "about", page: 1}},
		{archivePath(CategoryAddress, "africa"), route{kind: CategoryAddress, slug: "africa", page: 1}},
		{PagePath(archivePath(TagAddress, "50%-off"), 3), route{kind: TagAddress, slug: "50%-off", page: 3}},
		{archivePath(AuthorAddress, "amara"), route{kind: AuthorAddress, slug: "amara", page: 1}},
		{PagePath(archivePath(SourceAddress, "le-monde"), 2), route{kind: SourceAddress, slug: "le-monde", page: 2}},
		{datePath(2026, 0, 0), route{kind: YearAddress, year: 2026, page: 1}},
		{PagePath(datePath(2026, 2, 0), 2), route{kind: MonthAddress, year: 2026, month: 2, page: 2}},
		{datePath(2026, 2, 3), route{kind: DayAddress, year: 2026, month: 2, day: 3, page: 1}},
		{"/events/", route{kind: EventsAddress, page: 1}},
		{PagePath("/events/past/", 2), route{kind: PastEventsAddress, page: 2}},
		{(&content.Post{Kind: content.KindEvent, Slug: "ports-seminar"}).Path(), route{kind: EventAddress, slug: "ports-seminar", page: 1}},
		{PagePath("/books/", 3), route{kind: BooksAddress, page: 3}},
		{(&content.Post{Kind: content.KindBook, Slug: "the-long-road"}).Path(), route{kind: BookAddress, slug: "the-long-road", page: 1}},
	} {
		got, ok := parseAddress(c.path)
		if !ok || got != c.want {
			t.Errorf("parseAddress(%s) = %+v, %v; want %+v", c.path, got, ok, c.want)
		}
	}
	for _, path := range []string{"/page/1/", "/page/02/", "/2026/02/30/", "/2026/13/", "/2026/02/03/slug/page/2/",
		"/category/a/b/", "/about/page/2/", "/%zz/", "/events/a/b/", "/events/slug/page/2/", "/books/a/b/"} {
		if got, ok := parseAddress(path); ok {
			t.Errorf("parseAddress(%s) = %+v, want no page", path, got)
		}
	}
}

// TestListingTagsFollowPostListings: a post's listings' tags are those of
// the front page, its date archives, its terms' and its authors'.
func TestListingTagsFollowPostListings(t *testing.T) {
	p := &content.Post{Kind: content.KindPost, PublishedAt: time.Date(2026, 2, 3, 23, 0, 0, 0, time.FixedZone("", -3600)),
		Categories: []content.Term{{ID: 4}}, Tags: []content.Term{{ID: 9}}, Authors: []content.User{{ID: 2}}}
	got := ListingTags(p)
	want := []string{"list:front", "list:date:2026", "list:date:2026-02", "list:date:2026-02-04", "list:term:4", "list:term:9", "list:author:2"}
	if len(got) != len(want) {
		t.Fatalf("ListingTags = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("ListingTags = %q, want %q", got, want)
			break
		}
	}
	// A republished post is in its outlet's archive too.
	p.OutletID = 7
	if got := ListingTags(p); len(got) != len(want)+1 || got[len(want)] != "list:source:7" {
		t.Errorf("ListingTags of a republished post = %q, want %q and list:source:7", got, want)
	}
	// Its date archives are those of the day on the site's clock when it
	// came out, as its address.
	p.PublishedOffset = -3600
	if got := ListingTags(p); got[3] != "list:date:2026-02-03" || !strings.Contains(p.Path(), "/2026/02/03/") {
		t.Errorf("published at 23:00 at UTC-1: ListingTags = %q, path %s; want the day list:date:2026-02-03", got, p.Path())
	}
	if tags := ListingTags(&content.Post{Kind: content.KindPage}); tags != nil {
		t.Errorf("a page's listing tags: %q, want none", tags)
	}
}
