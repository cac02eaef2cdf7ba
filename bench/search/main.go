// Command search measures Broadsheet's full-text search at the scale of a
// large archive: it generates a deterministic archive (100,000 posts of
// about 600 words by default), writes it through the store, so the index is
// built as in production, and reports indexing throughput, index size on
// disk and the latency (p50/p95/p99) of a mix of queries, each beside a
// baseline measured in the same run:
//
//	go run ./bench/search                      # SQLite, 100,000 posts
//	go run ./bench/search -posts 10000         # a quicker run
//	go run ./bench/search -db postgres://…     # PostgreSQL beside SQLite
//
// Given a PostgreSQL database, it measures the same archive on SQLite (a
// temporary file) first, then on PostgreSQL, and prints the two side by
// side with their ratios (-sqlite=false measures PostgreSQL alone).
//
// A database that already holds the archive is reused, so a second run
// measures the queries without generating again (-db keeps it).
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/search"
	"github.com/broadsheet/broadsheet/internal/store"
)

// cpuProfile, when set, names the file for a CPU profile of the queries.
var cpuProfile string

func main() {
	var (
		posts   = flag.Int("posts", 100000, "posts in the archive")
		words   = flag.Int("words", 600, "average words per post")
		dsn     = flag.String("db", "", "SQLite file or postgres:// URL (default: a temporary SQLite file, removed after)")
		queries = flag.Int("queries", 200, "queries measured per kind")
		seed    = flag.Uint64("seed", 1, "generator seed")
		rebuild = flag.Bool("reindex", true, "measure a full rebuild of the index (minutes at 100,000 posts)")
		profile = flag.String("cpuprofile", "", "write a CPU profile of the query phase to this file")
		beside  = flag.Bool("sqlite", true, "with a postgres:// -db, also measure SQLite in the same run and print both")
	)
	flag.Parse()
	cpuProfile = *profile
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var runs []*figures
	if *beside && isPostgres(*dsn) {
		lite, err := run(ctx, "", *posts, *words, *queries, *seed, *rebuild)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench/search: sqlite:", err)
			os.Exit(1)
		}
		runs = append(runs, lite)
		fmt.Println()
	}
	fig, err := run(ctx, *dsn, *posts, *words, *queries, *seed, *rebuild)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/search:", err)
		os.Exit(1)
	}
	if runs = append(runs, fig); len(runs) == 2 {
		compare(os.Stdout, runs[0], runs[1])
	}
}

// figures are one engine's results, for printing two engines side by side.
type figures struct {
	engine  string
	reindex float64 // posts a second, 0 when not measured
	kinds   []string
	latency map[string][3]time.Duration
	oneWord [3]time.Duration
}

// compare prints SQLite's figures (a) beside PostgreSQL's (b), with the
// ratio b/a, and the target: PostgreSQL's one-word p95 at most twice
// SQLite's.
func compare(w io.Writer, a, b *figures) {
	fmt.Fprintf(w, "\n%s beside %s, same archive, same queries (ratio = %s / %s)\n", b.engine, a.engine, b.engine, a.engine)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "  kind\t%s p50\t%s p50\tratio\t%s p95\t%s p95\tratio\t\n", a.engine, b.engine, a.engine, b.engine)
	ratio := func(x, y time.Duration) string {
		if x <= 0 {
			return "-"
		}
		return fmt.Sprintf("%.2f×", float64(y)/float64(x))
	}
	for _, k := range a.kinds {
		pa, pb := a.latency[k], b.latency[k]
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", k, ms(pa[0]), ms(pb[0]), ratio(pa[0], pb[0]), ms(pa[1]), ms(pb[1]), ratio(pa[1], pb[1]))
	}
	fmt.Fprintf(tw, "  one- and two-word queries\t%s\t%s\t%s\t%s\t%s\t%s\t\n", ms(a.oneWord[0]), ms(b.oneWord[0]), ratio(a.oneWord[0], b.oneWord[0]),
		ms(a.oneWord[1]), ms(b.oneWord[1]), ratio(a.oneWord[1], b.oneWord[1]))
	if a.reindex > 0 && b.reindex > 0 {
		fmt.Fprintf(tw, "  reindex, posts/s\t%.0f\t%.0f\t%.2f×\t\t\t\t\n", a.reindex, b.reindex, b.reindex/a.reindex)
	}
	tw.Flush()
	verdict := "met"
	if b.oneWord[1] > 2*a.oneWord[1] {
		verdict = "NOT met"
	}
	fmt.Fprintf(w, "\nTarget %s p95 at most 2× %s's for one- and two-word queries: %s against %s (%s): %s.\n",
		b.engine, a.engine, ms(b.oneWord[1]), ms(a.oneWord[1]), ratio(a.oneWord[1], b.oneWord[1]), verdict)
}

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

func run(ctx context.Context, dsn string, nPosts, nWords, nQueries int, seed uint64, rebuild bool) (*figures, error) {
	if dsn == "" {
		dir, err := os.MkdirTemp("", "broadsheet-search-bench-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		dsn = filepath.Join(dir, "bench.db")
	}
	db, err := store.OpenWith(ctx, dsn, store.Options{IndexProgress: func(done, total int) {
		fmt.Fprintf(os.Stderr, "\rindexing the stored posts anew (after an upgrade): %d of %d", done, total)
	}})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	raw, err := openRaw(dsn)
	if err != nil {
		return nil, err
	}
	defer raw.Close()
	fmt.Printf("Broadsheet search benchmark: %s, %d posts of ~%d words, seed %d\n\n", db.Engine(), nPosts, nWords, seed)

	g := newGenerator(seed)
	have, err := db.CountPosts(ctx, content.KindPost)
	if err != nil {
		return nil, err
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	switch {
	case have == nPosts:
		// The queries draw on the vocabulary alone, not on the posts.
		fmt.Printf("Reusing the %d posts already in the database.\n", have)
	case have == 0:
		if err := load(ctx, db, g, nPosts, nWords); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("the database holds %d posts, not 0 or %d: give an empty one", have, nPosts)
	}

	// Indexing throughput: the full rebuild, beside reading the same posts
	// and extracting their text without writing an index.
	t0 := time.Now()
	textBytes, err := readAll(ctx, raw, db.Engine())
	if err != nil {
		return nil, err
	}
	readTook := time.Since(t0)
	fig := &figures{engine: db.Engine(), latency: map[string][3]time.Duration{}}
	if rebuild {
		if fig.reindex, err = measureReindex(ctx, db, tw, textBytes, readTook); err != nil {
			return nil, err
		}
	}
	// Size on disk.
	fmt.Println("\nSize on disk")
	idx, ok, err := db.IndexSize(ctx)
	if err != nil {
		return nil, err
	}
	postsSize, err := tableSize(ctx, raw, db.Engine(), "posts")
	if err != nil {
		return nil, err
	}
	if ok {
		fmt.Fprintf(tw, "  search index\t%.1f MB\t%.2f× the text\t\n", mb(idx), float64(idx)/float64(textBytes))
	} else {
		fmt.Fprintf(tw, "  search index\tunknown (no dbstat)\t\t\n")
	}
	fmt.Fprintf(tw, "  baseline: posts table\t%.1f MB\t%.2f× the text\t\n", mb(postsSize), float64(postsSize)/float64(textBytes))
	fmt.Fprintf(tw, "  plain text indexed\t%.1f MB\t\t\n", mb(textBytes))
	tw.Flush()

	// Query latency.
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, err
		}
	}
	fmt.Printf("\nQuery latency over %d queries of each kind (full search: ranking, count, posts, snippets)\n", nQueries)
	mix := queryMix(g, nQueries)
	fmt.Fprintf(tw, "  kind\tp50\tp95\tp99\tmean hits\texample\t\n")
	var one, two []time.Duration
	now := g.start.AddDate(50, 0, 0)
	cats, err := db.FindTerms(ctx, content.TaxCategory)
	if err != nil {
		return nil, err
	}
	for _, kind := range mix {
		fmt.Fprintf(os.Stderr, "\rmeasuring: %-20s", kind.name)
		var ds []time.Duration
		hits := 0
		for i, qs := range kind.queries {
			q, err := search.Parse(qs)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", qs, err)
			}
			req := store.SearchRequest{Query: q, Filter: store.Published(now)}
			req.Filter.Limit = 10
			if kind.filter && len(cats) > 0 {
				req.TermIDs = []int64{cats[i%len(cats)].ID}
			}
			if kind.newest {
				req.Sort = search.SortNewest
			}
			t := time.Now()
			if kind.suggest {
				s, err := db.Suggest(ctx, q, req.Filter, 8)
				if err != nil {
					return nil, err
				}
				hits += len(s)
			} else {
				res, err := db.Search(ctx, req)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", qs, err)
				}
				hits += res.Total
			}
			ds = append(ds, time.Since(t))
		}
		if kind.oneWord {
			one = append(one, ds...)
		}
		if kind.twoWords {
			two = append(two, ds...)
		}
		p := pct(ds)
		fig.kinds, fig.latency[kind.name] = append(fig.kinds, kind.name), p
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%d\t%s\t\n", kind.name, ms(p[0]), ms(p[1]), ms(p[2]), hits/len(ds), kind.queries[0])
	}
	fmt.Fprintln(os.Stderr)
	if cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	// Baselines: the cheapest query the site makes, and a LIKE scan (what
	// a search without an index costs).
	var trivial []time.Duration
	rng := rand.New(rand.NewPCG(seed, 7))
	for i := 0; i < nQueries; i++ {
		t := time.Now()
		if _, err := db.FindPostByID(ctx, int64(1+rng.IntN(nPosts))); err != nil {
			return nil, err
		}
		trivial = append(trivial, time.Since(t))
	}
	p := pct(trivial)
	fmt.Fprintf(tw, "  baseline: post by id\t%s\t%s\t%s\t1\t\t\n", ms(p[0]), ms(p[1]), ms(p[2]))
	var like []time.Duration
	for i := 0; i < min(5, len(mix[0].queries)); i++ {
		w := mix[0].queries[i]
		t := time.Now()
		var n int
		if err := raw.QueryRowContext(ctx, rebind(db.Engine(), `SELECT COUNT(*) FROM posts WHERE body_html LIKE ?`), "%"+strings.TrimSpace(w)+"%").Scan(&n); err != nil {
			return nil, err
		}
		like = append(like, time.Since(t))
	}
	p = pct(like)
	fmt.Fprintf(tw, "  baseline: LIKE scan (5 runs)\t%s\t%s\t%s\t\t%s\t\n", ms(p[0]), ms(p[1]), ms(p[2]), mix[0].queries[0])
	tw.Flush()

	p1, p2 := pct(one), pct(two)
	verdict := "met"
	if p1[1] >= 20*time.Millisecond || p2[1] >= 20*time.Millisecond {
		verdict = "NOT met"
	}
	fmt.Printf("\nTarget p95 < 20 ms for one- and two-word queries: one-word p95 %s, two-word p95 %s: %s.\n", ms(p1[1]), ms(p2[1]), verdict)
	fig.oneWord = pct(append(one, two...))
	return fig, nil
}

// load writes the archive through the store, 1,000 posts a transaction,
// as an import would, building the index as it goes.
func load(ctx context.Context, db *store.DB, g *generator, n, words int) error {
	var cats, tags []content.Term
	var users []content.User
	err := db.Update(ctx, func(tx *store.Tx) error {
		for i, name := range strings.Fields("Africa Asia Europe Americas Middle-East Economy Technology History Climate Culture Opinion Analysis") {
			t := &content.Term{Taxonomy: content.TaxCategory, Slug: strings.ToLower(name), Name: name}
			if err := tx.UpsertTerm(ctx, t); err != nil {
				return err
			}
			cats = append(cats, *t)
			_ = i
		}
		for i := 0; i < 200; i++ {
			name := g.names[i*7]
			t := &content.Term{Taxonomy: content.TaxTag, Slug: strings.ToLower(name), Name: name}
			if err := tx.UpsertTerm(ctx, t); err != nil {
				return err
			}
			tags = append(tags, *t)
		}
		for i := 0; i < 20; i++ {
			u := &content.User{Slug: fmt.Sprintf("author-%d", i), Name: g.names[i*11] + " " + g.names[i*13+1], Role: content.RoleAuthor}
			if err := tx.UpsertUser(ctx, u); err != nil {
				return err
			}
			users = append(users, *u)
		}
		return nil
	})
	if err != nil {
		return err
	}
	t0 := time.Now()
	var textBytes int
	const batch = 1000
	for start := 0; start < n; start += batch {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := db.Update(ctx, func(tx *store.Tx) error {
			for i := start; i < min(n, start+batch); i++ {
				p := g.post(i, words)
				p.Categories = []content.Term{cats[g.rng.IntN(len(cats))]}
				for k := g.rng.IntN(4); k > 0; k-- {
					t := tags[g.rng.IntN(len(tags))]
					if !slices.ContainsFunc(p.Tags, func(x content.Term) bool { return x.ID == t.ID }) {
						p.Tags = append(p.Tags, t)
					}
				}
				p.Authors = []content.User{users[g.rng.IntN(len(users))]}
				textBytes += len(p.Title) + len(p.BodyHTML)
				if err := tx.CreatePost(ctx, p); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		done := min(n, start+batch)
		el := time.Since(t0)
		fmt.Fprintf(os.Stderr, "\rloading: %d of %d posts, %.0f posts/s", done, n, float64(done)/el.Seconds())
	}
	fmt.Fprintln(os.Stderr)
	took := time.Since(t0)
	fmt.Printf("Loaded %d posts (%.0f MB of HTML) through the store in %s: %.0f posts/s, search index included.\n",
		n, float64(textBytes)/1e6, took.Round(time.Millisecond), float64(n)/took.Seconds())
	return nil
}

// queryKind is one kind of query in the mix.
type queryKind struct {
	name                    string
	queries                 []string
	oneWord, twoWords       bool
	filter, newest, suggest bool
}

// queryMix draws the queries readers make: common and rare words, pairs,
// phrases lifted from posts, a word being typed, exclusions, a word within
// a section, a word sorted by date, and title suggestions.
func queryMix(g *generator, n int) []queryKind {
	r := rand.New(rand.NewPCG(42, 43))
	ordinary := func() string { // a content word, not a stop word
		for {
			w := g.words[50+r.IntN(1500)]
			if len(w) > 3 {
				return strings.ToLower(w)
			}
		}
	}
	name := func() string { return g.names[r.IntN(5000)] }
	mk := func(f func() string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = f()
		}
		return out
	}
	// Phrases: two adjacent words from a freshly generated post.
	pg := newGenerator(99)
	phrase := func() string {
		words := strings.Fields(search.PlainText(pg.post(0, 60).BodyHTML))
		i := r.IntN(len(words) - 1)
		return `"` + strings.Trim(words[i]+" "+words[i+1], ".") + `"`
	}
	prefix := func() string {
		w := ordinary()
		return w[:min(len(w), 3+r.IntN(3))]
	}
	return []queryKind{
		{name: "one word", queries: mk(func() string { return ordinary() + " " }), oneWord: true},
		{name: "one name", queries: mk(func() string { return name() + " " }), oneWord: true},
		{name: "two words", queries: mk(func() string { return ordinary() + " " + ordinary() + " " }), twoWords: true},
		{name: "word and name", queries: mk(func() string { return ordinary() + " " + name() + " " }), twoWords: true},
		{name: "phrase", queries: mk(phrase)},
		{name: "typing (prefix)", queries: mk(func() string { return ordinary() + " " + prefix() })},
		{name: "exclusion", queries: mk(func() string { return ordinary() + " -" + ordinary() + " " })},
		{name: "word in a section", queries: mk(func() string { return ordinary() + " " }), filter: true},
		{name: "word, newest first", queries: mk(func() string { return ordinary() + " " }), newest: true},
		{name: "suggestions", queries: mk(prefix), suggest: true},
	}
}

// readAll reads every post's text as Reindex does, without indexing, and
// returns the bytes of plain text.
func readAll(ctx context.Context, raw *sql.DB, engine string) (int64, error) {
	rows, err := raw.QueryContext(ctx, `SELECT title, body_html FROM posts ORDER BY id`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var n int64
	for rows.Next() {
		var title, body string
		if err := rows.Scan(&title, &body); err != nil {
			return 0, err
		}
		n += int64(len(search.Clean(title)) + len(search.PlainText(body)))
	}
	return n, rows.Err()
}

func tableSize(ctx context.Context, raw *sql.DB, engine, table string) (int64, error) {
	q := `SELECT COALESCE(SUM(pgsize), 0) FROM dbstat WHERE name = ?`
	if engine == "postgres" {
		q = `SELECT pg_total_relation_size($1::regclass)`
	}
	var n int64
	err := raw.QueryRowContext(ctx, q, table).Scan(&n)
	return n, err
}

func openRaw(dsn string) (*sql.DB, error) {
	if isPostgres(dsn) {
		return sql.Open("pgx", dsn)
	}
	return sql.Open("sqlite", "file:"+strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:")+"?_pragma=busy_timeout(10000)")
}

func rebind(engine, q string) string {
	if engine == "postgres" {
		return strings.Replace(q, "?", "$1", 1)
	}
	return q
}

// pct returns the 50th, 95th and 99th percentiles.
func pct(ds []time.Duration) [3]time.Duration {
	if len(ds) == 0 {
		return [3]time.Duration{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	at := func(q float64) time.Duration { return s[int(q*float64(len(s)-1)+0.5)] }
	return [3]time.Duration{at(0.50), at(0.95), at(0.99)}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/1e6) }

func mb(b int64) float64 { return float64(b) / 1e6 }

// measureReindex times a full rebuild of the index beside the time it
// takes to read the same posts and extract their text (readTook).
func measureReindex(ctx context.Context, db *store.DB, tw *tabwriter.Writer, textBytes int64, readTook time.Duration) (float64, error) {
	fmt.Println("\nIndexing")
	t0 := time.Now()
	rep, err := db.Reindex(ctx, func(done, total int) {
		if done%10000 == 0 || done == total {
			fmt.Fprintf(os.Stderr, "\rreindexing: %d of %d", done, total)
		}
	})
	if err != nil {
		return 0, err
	}
	fmt.Fprintln(os.Stderr)
	took := time.Since(t0)
	fmt.Fprintf(tw, "  reindex\t%d posts\t%s\t%.0f posts/s\t%.1f MB/s of text\t\n", rep.Indexed, took.Round(time.Millisecond),
		float64(rep.Indexed)/took.Seconds(), float64(textBytes)/1e6/took.Seconds())
	fmt.Fprintf(tw, "  baseline: read and extract text only\t%d posts\t%s\t%.0f posts/s\t%.1f MB/s of text\t\n", rep.Indexed,
		readTook.Round(time.Millisecond), float64(rep.Indexed)/readTook.Seconds(), float64(textBytes)/1e6/readTook.Seconds())
	tw.Flush()
	return float64(rep.Indexed) / took.Seconds(), nil
}
