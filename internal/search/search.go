package search

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
)

// Sort orders search results.
type Sort string

// The orders a search can take.
const (
	SortRelevance Sort = "relevance" // best match first
	SortNewest    Sort = "newest"    // newest first
	SortOldest    Sort = "oldest"    // oldest first
)

// Filter is which entries a search may find. The store makes it from its
// post filter: the fields are those the index can apply itself (on SQLite
// its facets column holds kind, status, terms and authors), and Where and
// Args are the same conditions as the store writes them in SQL, on the
// posts table aliased p, so that a post filter means one thing everywhere.
type Filter struct {
	Kind     content.Kind     // default content.KindPost
	Statuses []content.Status // any of these; empty means any status
	// PublishedBefore, when set, keeps entries published at or before it.
	PublishedBefore time.Time
	// From and To bound the publication time: From <= t < To.
	From, To time.Time
	TermID   int64 // entries in this category or tag
	AuthorID int64 // entries by this author
	// Outlet, when set, keeps entries republished from this source desk
	// outlet: a condition only Where holds, so such a search joins the
	// posts.
	Outlet int64
	Offset int
	Limit  int // 0 means 10
	Where  string
	Args   []any
}

// Request is one search: a parsed query, the entries it may find and the
// page of them, terms the entries must all carry, and the order.
type Request struct {
	Query  Query
	Filter Filter
	// TermIDs are categories or tags every result must carry, in addition
	// to Filter.TermID.
	TermIDs []int64
	Sort    Sort
}

// Hit is one result: the post (without its body), its score (higher is
// better, comparable only within one search) and a snippet of its text
// around the matched words, plain text with the matches between MarkStart
// and MarkEnd.
type Hit struct {
	Post    *content.Post
	Score   float64
	Snippet string
}

// Results is one page of results and the number of all of them.
type Results struct {
	Hits  []Hit
	Total int
}

// Suggestion is a title offered while a reader types.
type Suggestion struct {
	Title string `json:"title"`
	Path  string `json:"url"`
}

// engine is what differs between the engines' full-text searches;
// everything else (filters, paging, loading the posts) is shared.
type engine interface {
	// index stores the text of one post, replacing what was there.
	index(ctx context.Context, db DB, d doc) error
	// unindex removes post id.
	unindex(ctx context.Context, db DB, id int64) error
	// clear empties the index.
	clear(ctx context.Context, db DB) error
	// optimize tidies the index after a rebuild, for the fastest reads.
	optimize(ctx context.Context, db DB) error
	// posts names the posts table, as p, for joining matches to it.
	posts() string
	// settle runs after a rebuild has committed, outside any transaction.
	settle(ctx context.Context, db DB) error
	// count returns the number of indexed posts.
	count(ctx context.Context, db DB) (int, error)
	// size returns the bytes the index takes on disk, ok false when the
	// engine cannot tell.
	size(ctx context.Context, db DB) (bytes int64, ok bool, err error)
	// hits returns a query for the posts matching q, as rows (id, score),
	// the score higher for a better match (0 when rank is false, as the
	// caller sorts otherwise), and its arguments. titleOnly restricts the
	// match to titles.
	hits(q Query, titleOnly, rank bool) (string, []any)
	// snippets returns, for the posts ids among the query's matches, the
	// text around the matched words.
	snippets(ctx context.Context, db DB, q Query, ids []int64) (map[int64]string, error)
}

// Find returns one page of the entries matching req, with snippets, by
// the engine's own full-text search: FTS5 on SQLite, tsvector and GIN on
// PostgreSQL. An empty query finds nothing.
func Find(ctx context.Context, db Reader, req Request) (*Results, error) {
	res := &Results{}
	if len(req.Query.Included()) == 0 {
		return res, nil
	}
	eng := engineOf(db)
	if ranker, ok := eng.(boundedRanker); ok {
		res, err := ranker.searchBounded(ctx, db, req)
		if res != nil || err != nil {
			return res, err
		}
	}
	hits, args := eng.hits(req.Query, false, req.Sort == "" || req.Sort == SortRelevance)
	where := req.Filter.Where
	args = append(args, req.Filter.Args...)
	for _, id := range req.TermIDs {
		where += " AND EXISTS (SELECT 1 FROM post_terms pt2 WHERE pt2.post_id = p.id AND pt2.term_id = ?)"
		args = append(args, id)
	}
	var order string
	switch req.Sort {
	case SortNewest:
		order = "p.published_at DESC, p.id DESC"
	case SortOldest:
		order = "p.published_at ASC, p.id ASC"
	default:
		order = "h.score DESC, p.published_at DESC, p.id DESC"
	}
	limit := req.Filter.Limit
	if limit <= 0 {
		limit = 10
	}
	// The matches are found and scored first, in one pass over the index,
	// and only then joined to the posts for the filters: whatever the
	// planner's estimates, the full-text query never runs once per post.
	// The window counts every match while the sort picks the page.
	selectHits := func(cols string) string {
		return `WITH hits AS MATERIALIZED (` + hits + `) SELECT ` + cols + ` FROM hits h JOIN ` + eng.posts() +
			` ON p.id = h.id WHERE ` + where
	}
	q := selectHits(`p.id, h.score, COUNT(*) OVER ()`) + ` ORDER BY ` + order + ` LIMIT ? OFFSET ?`
	rows, err := db.Query(ctx, q, append(args, limit, req.Filter.Offset)...)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	var (
		ids    []int64
		scores = map[int64]float64{}
	)
	for rows.Next() {
		var (
			id int64
			s  float64
		)
		if err := rows.Scan(&id, &s, &res.Total); err != nil {
			rows.Close()
			return nil, fmt.Errorf("search: %w", err)
		}
		ids = append(ids, id)
		scores[id] = s
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	if len(ids) == 0 {
		if req.Filter.Offset > 0 {
			// Past the last page: still say how many there are.
			if err := db.QueryRow(ctx, selectHits(`COUNT(*)`), args...).Scan(&res.Total); err != nil {
				return nil, fmt.Errorf("search: count results: %w", err)
			}
		}
		return res, nil
	}
	return page(ctx, db, eng, req.Query, res, ids, scores)
}

// page loads the posts ids, in that order, with their snippets.
func page(ctx context.Context, db Reader, eng engine, q Query, res *Results, ids []int64, scores map[int64]float64) (*Results, error) {
	// The posts, and the snippets in two halves: making a snippet reads
	// the post's whole text, the largest part of a page of results. (Not
	// for a word being typed, whose snippets are made in one pass.)
	var (
		posts      map[int64]*content.Post
		snips      [2]map[int64]string
		half       = (len(ids) + 1) / 2
		snippetsOf = func(i int, ids []int64) func() error {
			return func() (err error) {
				if len(ids) == 0 {
					snips[i] = map[int64]string{}
					return nil
				}
				if snips[i], err = eng.snippets(ctx, db, q, ids); err != nil {
					return fmt.Errorf("search: snippets: %w", err)
				}
				return nil
			}
		}
	)
	if slices.ContainsFunc(q.Clauses, func(c Clause) bool { return c.Prefix }) {
		half = len(ids)
	}
	err := parallel(db, func() (err error) {
		posts, err = db.Posts(ctx, ids)
		return err
	}, snippetsOf(0, ids[:half]), snippetsOf(1, ids[half:]))
	if err != nil {
		return nil, err
	}
	maps.Copy(snips[0], snips[1])
	for _, id := range ids {
		if p := posts[id]; p != nil {
			res.Hits = append(res.Hits, Hit{Post: p, Score: scores[id], Snippet: snips[0][id]})
		}
	}
	return res, nil
}

// Suggest returns up to limit titles of entries selected by f that match
// q in their title, best first, for search-as-you-type. f's Offset and
// Limit are not used.
func Suggest(ctx context.Context, db DB, q Query, f Filter, limit int) ([]Suggestion, error) {
	if len(q.Included()) == 0 || limit <= 0 {
		return nil, nil
	}
	eng := engineOf(db)
	hits, args := eng.hits(q, true, true)
	if b, ok := eng.(boundedSuggester); ok {
		if h, a, ok := b.suggestHits(q, f); ok {
			hits, args = h, a
		}
	}
	// CROSS JOIN: from the matches to their posts, never the other way
	// (SQLite would walk every listed post and look each up in the hits).
	rows, err := db.Query(ctx, `WITH hits AS MATERIALIZED (`+hits+`) SELECT p.kind, p.slug, p.title, p.published_at, p.published_offset, h.score
		FROM hits h CROSS JOIN posts p WHERE p.id = h.id AND `+f.Where+` ORDER BY h.score DESC, p.published_at DESC, p.id DESC LIMIT ?`,
		append(append(args, f.Args...), limit)...)
	if err != nil {
		return nil, fmt.Errorf("search: suggest: %w", err)
	}
	defer rows.Close()
	var out []Suggestion
	for rows.Next() {
		var (
			p     content.Post
			pub   int64
			score float64
		)
		if err := rows.Scan(&p.Kind, &p.Slug, &p.Title, &pub, &p.PublishedOffset, &score); err != nil {
			return nil, fmt.Errorf("search: suggest: %w", err)
		}
		if pub != 0 { // the store keeps an unset time as 0
			p.PublishedAt = time.Unix(pub, 0).UTC()
		}
		out = append(out, Suggestion{Title: p.Title, Path: p.Path()})
	}
	return out, rows.Err()
}
