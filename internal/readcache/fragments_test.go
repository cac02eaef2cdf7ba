package readcache

import (
	"html/template"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	teaserPart Part = iota
	articlePart
	entryMetaPart
)

func TestFragmentCache(t *testing.T) {
	v1 := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	v2 := v1.Add(time.Second)
	html := template.HTML(strings.Repeat("x", 100))
	owner := New()
	c := NewFragments(owner, 10*(100+FragmentOverhead), articlePart, nil)

	c.Put(1, teaserPart, v1, html, len(html), c.Generation())
	if got, ok := c.Get(1, teaserPart, v1); !ok || got.(template.HTML) != html {
		t.Fatalf("get after put: %q, %v", got, ok)
	}
	if _, ok := c.Get(1, teaserPart, v2); ok {
		t.Error("a teaser of another version of the post was returned")
	}

	// Rendered from what was read before a change: not kept.
	gen := c.Generation()
	owner.Apply(Change{Posts: []int64{99}})
	c.Put(2, teaserPart, v1, html, len(html), gen)
	if _, ok := c.Get(2, teaserPart, v1); ok {
		t.Error("a teaser rendered before a change was kept")
	}

	owner.Apply(Change{Posts: []int64{1}})
	if _, ok := c.Get(1, teaserPart, v1); ok {
		t.Error("a changed post's teaser survived the change")
	}
	// Every part of a changed post goes, and no other post's.
	c.Put(1, teaserPart, v1, html, len(html), c.Generation())
	c.Put(1, articlePart, v1, html, len(html), c.Generation())
	c.Put(1, entryMetaPart, v1, "d", 1, c.Generation())
	c.Put(3, articlePart, v1, html, len(html), c.Generation())
	owner.Apply(Change{Posts: []int64{1}})
	for pt := Part(0); pt < MaxParts; pt++ {
		if _, ok := c.Get(1, pt, v1); ok {
			t.Errorf("part %d of a changed post survived the change", pt)
		}
	}
	if _, ok := c.Get(3, articlePart, v1); !ok {
		t.Error("an unchanged post lost its article")
	}
	c.Put(1, teaserPart, v1, html, len(html), c.Generation())
	owner.Apply(Change{Site: true})
	if _, ok := c.Get(1, teaserPart, v1); ok {
		t.Error("a teaser survived a site-wide change")
	}

	// Bounded: the least recently used go first.
	for id := int64(1); id <= 20; id++ {
		c.Put(id, teaserPart, v1, html, len(html), c.Generation())
		c.Get(1, teaserPart, v1) // keep 1 in use
	}
	if size, n := c.Size(); size > c.max || n != 10 {
		t.Errorf("%d bytes in %d entries; bound %d bytes, 10 entries", size, n, c.max)
	}
	if _, ok := c.Get(1, teaserPart, v1); !ok {
		t.Error("the most used teaser was dropped")
	}
	if _, ok := c.Get(2, teaserPart, v1); ok {
		t.Error("the least recently used teaser was kept")
	}

	var none *Fragments // off: keeps nothing
	none.Put(1, teaserPart, v1, html, len(html), none.Generation())

	if _, ok := none.Get(1, teaserPart, v1); ok {
		t.Error("a nil cache returned a teaser")
	}
}

// TestFragmentCacheKnowsKeptArticles: the slugs of posts whose article is
// kept follow the articles in and out of the cache.
func TestFragmentCacheKnowsKeptArticles(t *testing.T) {
	v1 := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	html := template.HTML(strings.Repeat("x", 100))
	owner := New()
	c := NewFragments(owner, 4*(100+10+FragmentOverhead), articlePart, nil)
	c.PutArticle(1, "first", v1, html, len(html), c.Generation())
	c.PutArticle(2, "", v1, html, len(html), c.Generation()) // a page: its slug not named
	if !c.HasArticle("first") || c.HasArticle("about") || c.HasArticle("second") {
		t.Fatalf("kept articles: first %v, the page about %v, second %v", c.HasArticle("first"), c.HasArticle("about"), c.HasArticle("second"))
	}
	owner.Apply(Change{Posts: []int64{1}})
	if c.HasArticle("first") {
		t.Error("a changed post's article is still named kept")
	}
	c.PutArticle(1, "first", v1, html, len(html), c.Generation())
	for id := int64(3); id < 8; id++ { // pushes the first out
		c.PutArticle(id, "post-"+strconv.FormatInt(id, 10), v1, html, len(html), c.Generation())
	}
	if c.HasArticle("first") || !c.HasArticle("post-7") {
		t.Errorf("after eviction: first %v, post-7 %v", c.HasArticle("first"), c.HasArticle("post-7"))
	}
	owner.Apply(Change{Site: true})
	if c.HasArticle("post-7") {
		t.Error("an article is named kept after every fragment went")
	}
}
