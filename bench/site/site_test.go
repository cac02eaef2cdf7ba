package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/markup"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestGeneratedSiteIsRealisticAndRepeatable: the same size gives the same
// site, with the shape the benchmark promises.
func TestGeneratedSiteIsRealisticAndRepeatable(t *testing.T) {
	ctx := context.Background()
	var fingerprints []string
	for range 2 {
		db := storetest.Open(t, "sqlite")
		if err := generate(ctx, db, 40, func(int) {}); err != nil {
			t.Fatal(err)
		}
		posts, total, err := db.FindPosts(ctx, store.PostFilter{Kind: content.KindPost, WithBody: true})
		if err != nil || total != 40 {
			t.Fatalf("%d posts (%v), want 40", total, err)
		}
		words, more := 0, 0
		var b strings.Builder
		for _, p := range posts {
			words += len(strings.Fields(markup.StripTags(p.BodyHTML)))
			if p.HasMore {
				more++
			}
			fmt.Fprintf(&b, "%s|%s|%d|%d|%d;", p.Slug, p.PublishedAt.Format(time.RFC3339), len(p.Body), len(p.Tags), p.Authors[0].ID)
		}
		if avg := words / len(posts); avg < 500 || avg > 700 {
			t.Errorf("posts average %d words, want about 600", avg)
		}
		if more != len(posts) {
			t.Errorf("%d of %d posts have a teaser break", more, len(posts))
		}
		cats, _ := db.FindTerms(ctx, content.TaxCategory)
		tags, _ := db.FindTerms(ctx, content.TaxTag)
		users, _ := db.FindUsers(ctx)
		if len(cats) != 20 || len(tags) != 200 || len(users) != 10 {
			t.Errorf("%d categories, %d tags, %d authors; want 20, 200, 10", len(cats), len(tags), len(users))
		}
		fingerprints = append(fingerprints, b.String())
	}
	if fingerprints[0] != fingerprints[1] {
		t.Error("two generations of the same size differ")
	}
}

// TestLoadReadsWholeResponses: the load generator's own HTTP/1.1 client
// reads fixed-length and chunked responses over one connection and counts
// server errors as failures.
func TestLoadReadsWholeResponses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/chunked":
			for i := range 50 {
				fmt.Fprintf(w, "%05d %s\n", i, strings.Repeat("x", 200))
				w.(http.Flusher).Flush()
			}
		case "/fail":
			http.Error(w, "no", http.StatusInternalServerError)
		default:
			w.Write([]byte(strings.Repeat("y", 5000)))
		}
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	for _, path := range []string{"/fixed", "/chunked"} {
		r := load(addr, path, "", 2, 200*time.Millisecond)
		if r.requests < 10 || r.errors != 0 || r.p50 <= 0 || r.p99 < r.p50 {
			t.Errorf("%s: %d requests, %d errors, p50 %v, p99 %v", path, r.requests, r.errors, r.p50, r.p99)
		}
	}
	if r := load(addr, "/fail", "", 1, 100*time.Millisecond); r.errors == 0 || r.requests != 0 {
		t.Errorf("500s: %d counted, %d errors", r.requests, r.errors)
	}
}

// TestMedianRound: with -rounds, each figure is one whole round (its
// latencies and CPU time with its requests/s), the one in the middle.
func TestMedianRound(t *testing.T) {
	rounds := []result{{rps: 900, p99: 9}, {rps: 100, p99: 1}, {rps: 500, p99: 5}}
	if m := median(rounds); m.rps != 500 || m.p99 != 5 {
		t.Errorf("median of 900, 100, 500 req/s: %+v", m)
	}
	if m := median(rounds[:2]); m.rps != 100 {
		t.Errorf("median of two rounds: %+v, want the lower", m)
	}
	if m := median(rounds[:1]); m.rps != 900 {
		t.Errorf("median of one round: %+v", m)
	}
}
