package readcache

import (
	"slices"
	"testing"
	"time"
)

// TestApplyForgetsWhatAChangeMakesStale: a change empties every map but
// those whose keys name all they show; a new span empties those that hold
// for a span; nothing read before either is kept after it.
func TestApplyForgetsWhatAChangeMakesStale(t *testing.T) {
	c := New()
	plain := NewMap[string, int](c, Options[int]{Max: 10})
	spanned := NewMap[string, int](c, Options[int]{Max: 10, Span: true})
	lasting := NewMap[string, int](c, Options[int]{Max: 10, Lasting: true})
	t0 := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	fill := func() {
		gen := c.Generation()
		c.SetSpan(t0, t0.Add(time.Hour), gen)
		plain.Put("k", 1, gen, time.Time{})
		spanned.Put("k", 1, gen, t0.Add(time.Minute))
		lasting.Put("k", 1, gen, time.Time{})
	}
	kept := func(m *Map[string, int], now time.Time) bool {
		_, _, ok := m.Get("k", now)
		return ok
	}
	fill()
	if !kept(plain, time.Time{}) || !kept(spanned, t0) || !kept(lasting, time.Time{}) {
		t.Fatal("nothing kept before any change")
	}
	if kept(spanned, t0.Add(2*time.Hour)) {
		t.Error("a value for the span was returned for an instant after it")
	}

	c.Apply(Change{Posts: []int64{1}})
	if kept(plain, time.Time{}) || kept(spanned, t0) {
		t.Error("a change left a read before it")
	}
	if !kept(lasting, time.Time{}) {
		t.Error("a change dropped a value whose key names all it shows")
	}

	fill()
	gen := c.Generation()
	c.SetSpan(t0.Add(time.Hour), time.Time{}, gen) // the next span
	if !kept(plain, time.Time{}) {
		t.Error("a new span dropped what does not depend on it")
	}
	if kept(spanned, t0.Add(time.Hour)) {
		t.Error("a new span kept what held for the one before")
	}
	plain.Put("old", 1, gen, time.Time{})
	if _, _, ok := plain.Get("old", time.Time{}); ok {
		t.Error("a value read before the span changed was kept")
	}
}

// TestMapValuesAreTheCallersOwn: a Map with Copy keeps its own copy of
// what it is given and hands out copies.
func TestMapValuesAreTheCallersOwn(t *testing.T) {
	c := New()
	m := NewMap[string, []int](c, Options[[]int]{Copy: slices.Clone[[]int]})
	v := []int{1, 2}
	m.Put("k", v, c.Generation(), time.Time{})
	v[0] = 9
	got, _, _ := m.Get("k", time.Time{})
	got[1] = 9
	if again, _, _ := m.Get("k", time.Time{}); !slices.Equal(again, []int{1, 2}) {
		t.Errorf("kept %v after callers changed what they gave and got, want [1 2]", again)
	}
}
