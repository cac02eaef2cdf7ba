package search

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/broadsheet/broadsheet/internal/content"
)

// A word found in a fifth of a large archive matches tens of thousands of
// posts. Joining every match to its post to filter it, and scoring every
// match, is what made such searches slow. A search therefore works inside
// the index alone (on SQLite, kind, status, categories, tags and authors
// are words of the facets column, and only a date range needs the posts;
// on PostgreSQL they and the publication time are columns beside the
// tsvector). Up to rankLimit matches are all ranked (BM25 on SQLite,
// ts_rank_cd on PostgreSQL); past that, it ranks a bounded set of
// candidates:
//
//  1. posts with the words in their title, newest first (titleLimit of
//     them at most: the title alone says little more about relevance,
//     and scoring them would read every match of each word once more);
//  2. then the rankLimit newest matches, by relevance over title and body;
//  3. then every older match, newest first.
//
// The total is exact and every match is on exactly one page. Both engines
// take these steps in rankBounded, so they find the same posts, on the
// same pages but for the order among the ranked newest matches.

// rankLimit is how many of the newest matches a bounded search ranks by
// relevance, and titleLimit how many title matches it puts first.
var (
	rankLimit  = 500
	titleLimit = 100
)

// lateLimit is how many entries published after the filter's bound a
// bounded search leaves out by id; more, and it takes the join path.
const lateLimit = 200

// boundedRanker is an engine that can search large result sets without
// joining the posts.
type boundedRanker interface {
	// searchBounded returns nil, nil when the search should take the
	// join path: a filter the index cannot apply (a date range), or a
	// sort by date over few matches.
	searchBounded(ctx context.Context, db Reader, req Request) (*Results, error)
}

// suggestLimit is how many of the newest titles a suggestion ranks: a
// word being typed ("s", "st") begins words in thousands of titles.
var suggestLimit = 200

// boundedSuggester is an engine that can find titles to suggest among a
// bounded set of the newest matches.
type boundedSuggester interface {
	// suggestHits returns a query for rows (id, score), as hits does, or
	// false when f has conditions the index does not hold.
	suggestHits(q Query, f Filter) (string, []any, bool)
}

func (sqliteSearch) suggestHits(q Query, f Filter) (string, []any, bool) {
	if len(q.Excluded()) > 0 {
		return "", nil, false // exclusions look at the body too
	}
	// The kind and status inside the index, so that drafts and pages do
	// not take the places of the newest posts; Suggest's join applies the
	// rest of f.
	expr, ok := facetFilter(fts5Expr(q, "title"), f, nil)
	if !ok {
		return "", nil, false
	}
	return `SELECT rowid AS id, -bm25(post_search_titles, 1.0, 0.0) AS score FROM post_search_titles
		WHERE post_search_titles MATCH ? ORDER BY rowid DESC LIMIT ?`, []any{expr, suggestLimit}, true
}

type ranked struct {
	id    int64
	score float64
}

func (sqliteSearch) searchBounded(ctx context.Context, db Reader, req Request) (*Results, error) {
	if req.Filter.Outlet != 0 {
		return nil, nil
	}
	full, ok := facetFilter(fts5Expr(req.Query, readerColumns), req.Filter, req.TermIDs)
	if !ok {
		return nil, nil
	}
	// Title matches come from the titles' own index, unless the query
	// excludes words, which may be in the body.
	titles := "post_search_titles"
	if len(req.Query.Excluded()) > 0 {
		titles = "post_search"
	}
	title, _ := facetFilter(fts5Expr(req.Query, "title"), req.Filter, req.TermIDs)
	// Entries of the right kind and status published after the bound
	// (a post published with a date still to come) are left out by id.
	var (
		late     string
		lateArgs []any
	)
	if b := req.Filter.PublishedBefore; !b.IsZero() {
		ids, err := lateEntries(ctx, db, req.Filter)
		if err != nil {
			return nil, err
		}
		if len(ids) > lateLimit {
			return nil, nil
		}
		if len(ids) > 0 {
			late = ` AND rowid NOT IN (` + placeholders(len(ids)) + `)`
			for _, id := range ids {
				lateArgs = append(lateArgs, id)
			}
		}
	}
	res := &Results{}
	if req.Sort == SortNewest || req.Sort == SortOldest {
		err := db.QueryRow(ctx, `SELECT COUNT(*) FROM post_search WHERE post_search MATCH ?`+late,
			append([]any{full}, lateArgs...)...).Scan(&res.Total)
		if err != nil {
			return nil, fmt.Errorf("search: count results: %w", err)
		}
		if res.Total <= rankLimit {
			return nil, nil
		}
		return searchByDate(ctx, db, req, res)
	}
	newest := func(table, expr, score string, limit int) ([]ranked, error) {
		rows, err := db.Query(ctx, `SELECT rowid, `+score+` FROM `+table+` WHERE `+table+` MATCH ?`+late+
			` ORDER BY rowid DESC LIMIT ?`, append(append([]any{expr}, lateArgs...), limit)...)
		if err != nil {
			return nil, err
		}
		return scanRanked(rows)
	}
	return rankBounded(ctx, db, sqliteSearch{}, req, res, boundedQueries{
		count: func() (n int, err error) {
			err = db.QueryRow(ctx, `SELECT COUNT(*) FROM post_search WHERE post_search MATCH ?`+late,
				append([]any{full}, lateArgs...)...).Scan(&n)
			return n, err
		},
		titles: func(limit int) ([]ranked, error) { return newest(titles, title, "0", limit) },
		recent: func(limit int) ([]ranked, int, error) {
			rs, err := newest("post_search", full, sqliteScore, limit)
			return rs, -1, err
		},
		older: func(before int64, shown []any, limit, offset int) ([]int64, error) {
			q := `SELECT rowid FROM post_search WHERE post_search MATCH ? AND rowid < ?` + late
			args := append([]any{full, before}, lateArgs...)
			if len(shown) > 0 {
				q += ` AND rowid NOT IN (` + placeholders(len(shown)) + `)`
				args = append(args, shown...)
			}
			return queryIDs(ctx, db, q+` ORDER BY rowid DESC LIMIT ? OFFSET ?`, append(args, limit, offset)...)
		},
	})
}

// boundedQueries are the passes over an engine's index that a bounded
// search makes, each over the matches its filter keeps.
type boundedQueries struct {
	// count counts all the matches; nil when recent does.
	count func() (int, error)
	// titles returns up to limit matches with the words in their title,
	// newest first, scored 0.
	titles func(limit int) ([]ranked, error)
	// recent returns up to limit matches, newest first, each scored, and
	// the number of all matches, or -1 when count counts them.
	recent func(limit int) ([]ranked, int, error)
	// older returns ids of matches older than before, newest first, less
	// those in shown, a page of them.
	older func(before int64, shown []any, limit, offset int) ([]int64, error)
}

// rankBounded is the bounded ranking both engines share (see the top of
// this file), over their index's passes qs, so that both find the same
// posts, as many and in the same steps.
func rankBounded(ctx context.Context, db Reader, eng engine, req Request, res *Results, qs boundedQueries) (*Results, error) {
	// The count and the two kinds of candidates are three passes over the
	// index (two where recent counts too), run side by side when there are
	// connections to spare. Those for a word with few matches are short,
	// and wasted only then.
	var (
		inTitle, recent []ranked
		total           int
	)
	passes := []func() error{func() (err error) {
		if inTitle, err = qs.titles(titleLimit); err != nil {
			return fmt.Errorf("search: %w", err)
		}
		return nil
	}, func() (err error) {
		if recent, total, err = qs.recent(rankLimit); err != nil {
			return fmt.Errorf("search: %w", err)
		}
		return nil
	}}
	if qs.count != nil {
		passes = append(passes, func() (err error) {
			if res.Total, err = qs.count(); err != nil {
				return fmt.Errorf("search: count results: %w", err)
			}
			return nil
		})
	}
	if err := parallel(db, passes...); err != nil {
		return nil, err
	}
	if qs.count == nil {
		res.Total = total
	}
	byScore := func(a, b ranked) int {
		return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(b.id, a.id))
	}
	if res.Total <= rankLimit || len(recent) < rankLimit {
		// Few matches: the newest were all of them, each scored.
		inTitle, recent = nil, slices.SortedFunc(slices.Values(recent), byScore)
	}
	seen := make(map[int64]bool, len(inTitle))
	for _, r := range inTitle {
		seen[r.id] = true
	}
	var oldest int64
	if len(recent) > 0 {
		oldest = slices.MinFunc(recent, func(a, b ranked) int { return cmp.Compare(a.id, b.id) }).id
	}
	recent = slices.DeleteFunc(recent, func(r ranked) bool { return seen[r.id] })
	slices.SortFunc(recent, byScore)
	// Scores stay higher-is-better across the steps: title matches score
	// above every body match, newer above older; older matches score 0.
	lift := 0.0
	if len(recent) > 0 {
		lift = recent[0].score
	}
	head := make([]ranked, 0, len(inTitle)+len(recent))
	for i, r := range inTitle {
		head = append(head, ranked{r.id, lift + float64(len(inTitle)-i)})
	}
	head = append(head, recent...)

	limit := req.Filter.Limit
	if limit <= 0 {
		limit = 10
	}
	from, to := req.Filter.Offset, req.Filter.Offset+limit
	var (
		ids    []int64
		scores = map[int64]float64{}
	)
	for _, r := range head[min(from, len(head)):min(to, len(head))] {
		ids = append(ids, r.id)
		scores[r.id] = r.score
	}
	if to > len(head) && len(recent) > 0 && res.Total > len(head) {
		// Older matches, newest first, less the title matches shown above.
		var shown []any
		for _, r := range inTitle {
			if r.id < oldest {
				shown = append(shown, r.id)
			}
		}
		older, err := qs.older(oldest, shown, to-max(from, len(head)), max(0, from-len(head)))
		if err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		ids = append(ids, older...)
	}
	if len(ids) == 0 {
		return res, nil
	}
	return page(ctx, db, eng, req.Query, res, ids, scores)
}

// scanRanked reads rows (id, score).
func scanRanked(rows *sql.Rows) ([]ranked, error) {
	defer rows.Close()
	var out []ranked
	for rows.Next() {
		var r ranked
		if err := rows.Scan(&r.id, &r.score); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// dateWalkLimit bounds how many posts a search by date may walk past.
const dateWalkLimit = 4000

// searchByDate lists the page of a search sorted by date by walking the
// posts in that order and keeping those that match, each looked up in the
// index by id: for a word in many posts, a page needs a few dozen lookups
// where sorting every match would read them all. A search whose page lies
// too deep for its share of matches (total of all) returns nil, nil and
// takes the join path.
func searchByDate(ctx context.Context, db Reader, req Request, res *Results) (*Results, error) {
	f := req.Filter
	if len(f.Statuses) != 1 {
		return nil, nil // the walk needs one status to follow the listing index
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 10
	}
	var last int64
	if err := db.QueryRow(ctx, `SELECT COALESCE(MAX(rowid), 0) FROM post_search`).Scan(&last); err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	if last == 0 || float64(f.Offset+limit)*float64(last)/float64(res.Total) > dateWalkLimit {
		return nil, nil
	}
	where, args := f.Where, slices.Clone(f.Args)
	for _, id := range req.TermIDs {
		where += " AND p.id IN (SELECT pt2.post_id FROM post_terms pt2 WHERE pt2.term_id = ?)"
		args = append(args, id)
	}
	order := "p.published_at DESC, p.id DESC"
	if req.Sort == SortOldest {
		order = "p.published_at ASC, p.id ASC"
	}
	ids, err := queryIDs(ctx, db, `SELECT p.id FROM posts p INDEXED BY posts_listing WHERE `+where+`
		AND EXISTS (SELECT 1 FROM post_search WHERE post_search MATCH ? AND rowid = p.id)
		ORDER BY `+order+` LIMIT ? OFFSET ?`, append(args, fts5Expr(req.Query, readerColumns), limit, f.Offset)...)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	if len(ids) == 0 {
		return res, nil
	}
	return page(ctx, db, sqliteSearch{}, req.Query, res, ids, map[int64]float64{})
}

// lateEntries returns up to lateLimit+1 ids of entries of f's kind and
// statuses published after f.PublishedBefore.
func lateEntries(ctx context.Context, db DB, f Filter) ([]int64, error) {
	kind := f.Kind
	if kind == "" {
		kind = content.KindPost
	}
	q := `SELECT id FROM posts p WHERE p.kind = ? AND p.published_at > ?`
	args := []any{kind, f.PublishedBefore.Unix()}
	if len(f.Statuses) > 0 {
		q += ` AND p.status IN (` + placeholders(len(f.Statuses)) + `)`
		for _, s := range f.Statuses {
			args = append(args, s)
		}
	}
	ids, err := queryIDs(ctx, db, q+` LIMIT ?`, append(args, lateLimit+1)...)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	return ids, nil
}
