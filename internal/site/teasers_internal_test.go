package site

import (
	"html/template"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/store"
)

func TestTeaserCache(t *testing.T) {
	v1 := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	v2 := v1.Add(time.Second)
	html := template.HTML(strings.Repeat("x", 100))
	c := newTeaserCache(10 * (100 + teaserOverhead))

	c.put(1, v1, html, c.generation())
	if got, ok := c.get(1, v1); !ok || got != html {
		t.Fatalf("get after put: %q, %v", got, ok)
	}
	if _, ok := c.get(1, v2); ok {
		t.Error("a teaser of another version of the post was returned")
	}

	// Rendered from what was read before a change: not kept.
	gen := c.generation()
	c.forget(store.Change{Posts: []int64{99}})
	c.put(2, v1, html, gen)
	if _, ok := c.get(2, v1); ok {
		t.Error("a teaser rendered before a change was kept")
	}

	c.forget(store.Change{Posts: []int64{1}})
	if _, ok := c.get(1, v1); ok {
		t.Error("a changed post's teaser survived the change")
	}
	c.put(1, v1, html, c.generation())
	c.forget(store.Change{Site: true})
	if _, ok := c.get(1, v1); ok {
		t.Error("a teaser survived a site-wide change")
	}

	// Bounded: the least recently used go first.
	for id := int64(1); id <= 20; id++ {
		c.put(id, v1, html, c.generation())
		c.get(1, v1) // keep 1 in use
	}
	if c.size > c.max || len(c.entries) != 10 {
		t.Errorf("%d bytes in %d entries; bound %d bytes, 10 entries", c.size, len(c.entries), c.max)
	}
	if _, ok := c.get(1, v1); !ok {
		t.Error("the most used teaser was dropped")
	}
	if _, ok := c.get(2, v1); ok {
		t.Error("the least recently used teaser was kept")
	}

	var none *teaserCache // off: keeps nothing
	none.put(1, v1, html, none.generation())
	none.forget(store.Change{Site: true})
	if _, ok := none.get(1, v1); ok {
		t.Error("a nil cache returned a teaser")
	}
}
