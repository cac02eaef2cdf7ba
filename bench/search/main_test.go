package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/search"
	"github.com/broadsheet/broadsheet/internal/store"
)

// TestGeneratedArchive checks the benchmark's own ground: the generator
// gives the same archive for the same seed, and the archive it loads is
// searchable (a phrase lifted from a post finds that post).
func TestGeneratedArchive(t *testing.T) {
	a, b := newGenerator(7), newGenerator(7)
	for i := 0; i < 5; i++ {
		pa, pb := a.post(i, 600), b.post(i, 600)
		if pa.Title != pb.Title || pa.BodyHTML != pb.BodyHTML {
			t.Fatalf("post %d differs between two generators with one seed", i)
		}
		if n := len(strings.Fields(search.PlainText(pa.BodyHTML))); n < 400 || n > 800 {
			t.Errorf("post %d has %d words, want about 600", i, n)
		}
	}
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "bench.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stdout := os.Stdout
	os.Stdout, _ = os.Open(os.DevNull)
	defer func() { os.Stdout = stdout }()
	if err := load(ctx, db, newGenerator(3), 50, 200); err != nil {
		t.Fatal(err)
	}
	want := newGenerator(3).post(0, 200) // the first post, replayed
	words := strings.Fields(search.PlainText(want.BodyHTML))
	q, err := search.Parse(`"` + words[3] + " " + words[4] + " " + words[5] + `"`)
	if err != nil {
		t.Fatal(err)
	}
	res, err := db.Search(ctx, store.SearchRequest{Query: q, Filter: store.PostFilter{Limit: 50}})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, h := range res.Hits {
		found = found || h.Post.Slug == want.Slug
	}
	if !found {
		t.Errorf("phrase %q from %s found %d posts, not it", q.String(), want.Slug, res.Total)
	}
}
