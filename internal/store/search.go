package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/search"
)

// Sort orders search results.
type Sort string

// The orders a search can take.
const (
	SortRelevance Sort = "relevance" // best match first
	SortNewest    Sort = "newest"    // newest first
	SortOldest    Sort = "oldest"    // oldest first
)

// SearchRequest is one search: a parsed query, the posts it may find
// (Filter: kind, statuses, dates, author, Offset and Limit for the page),
// terms the posts must all carry, and the order.
type SearchRequest struct {
	Query  search.Query
	Filter PostFilter
	// TermIDs are categories or tags every result must carry, in addition
	// to Filter.TermID.
	TermIDs []int64
	Sort    Sort
}

// SearchHit is one result: the post (without its body), its score (higher
// is better, comparable only within one search) and a snippet of its text
// around the matched words, plain text with the matches between
// search.MarkStart and search.MarkEnd.
type SearchHit struct {
	Post    *content.Post
	Score   float64
	Snippet string
}

// SearchResults is one page of results and the number of all of them.
type SearchResults struct {
	Hits  []SearchHit
	Total int
}

// Suggestion is a title offered while a reader types.
type Suggestion struct {
	Title string `json:"title"`
	Path  string `json:"url"`
}

// Searcher is Broadsheet's search, as the site, the admin and the Admin API
// use it. *DB implements it with the engine's own full-text search: FTS5 on
// SQLite, tsvector and GIN on PostgreSQL; both pass the same tests.
type Searcher interface {
	Search(ctx context.Context, req SearchRequest) (*SearchResults, error)
	Suggest(ctx context.Context, q search.Query, f PostFilter, limit int) ([]Suggestion, error)
}

var _ Searcher = (*DB)(nil)

// searchEngine is what differs between the engines' full-text searches;
// everything else (filters, paging, loading the posts) is shared.
type searchEngine interface {
	// index stores the text of one post, replacing what was there.
	index(ctx context.Context, c conn, d searchDoc) error
	// unindex removes post id.
	unindex(ctx context.Context, c conn, id int64) error
	// clear empties the index.
	clear(ctx context.Context, c conn) error
	// optimize tidies the index after a rebuild, for the fastest reads.
	optimize(ctx context.Context, c conn) error
	// posts names the posts table, as p, for joining matches to it.
	posts() string
	// settle runs after a rebuild has committed, outside any transaction.
	settle(ctx context.Context, c conn) error
	// count returns the number of indexed posts.
	count(ctx context.Context, c conn) (int, error)
	// hits returns a query for the posts matching q, as rows (id, score),
	// the score higher for a better match (0 when rank is false, as the
	// caller sorts otherwise), and its arguments. titleOnly restricts the
	// match to titles.
	hits(q search.Query, titleOnly, rank bool) (string, []any)
	// snippets returns, for the posts ids among the query's matches, the
	// text around the matched words.
	snippets(ctx context.Context, c conn, q search.Query, ids []int64) (map[int64]string, error)
}

func (c conn) searchEngine() searchEngine {
	if c.d.name == "postgres" {
		return postgresSearch{}
	}
	return sqliteSearch{}
}

// indexPost writes p's text to the search index, inside the transaction
// that writes p, so the index never disagrees with the posts.
func (tx *Tx) indexPost(ctx context.Context, p *content.Post) error {
	title, body := searchText(p.Title, p.BodyHTML, p.Body, p.Excerpt, p.Source)
	d := searchDoc{id: p.ID, title: title, body: body, kind: p.Kind, status: p.Status}
	for _, ts := range [][]content.Term{p.Categories, p.Tags} {
		for _, t := range ts {
			d.terms = append(d.terms, t.ID)
		}
	}
	for _, a := range p.Authors {
		d.authors = append(d.authors, a.ID)
	}
	if err := tx.searchEngine().index(ctx, tx.conn, d); err != nil {
		return fmt.Errorf("store: index post %d for search: %w", p.ID, err)
	}
	return nil
}

func (tx *Tx) unindexPost(ctx context.Context, id int64) error {
	if err := tx.searchEngine().unindex(ctx, tx.conn, id); err != nil {
		return fmt.Errorf("store: remove post %d from search: %w", id, err)
	}
	return nil
}

// searchText is what the index holds of a post: its title, and its body as
// plain text followed by the hand-written excerpt and the source's outlet
// and author, so that editors find a republished piece by where it came from.
func searchText(title, bodyHTML, body, excerpt string, src *content.Source) (string, string) {
	text := bodyHTML
	if text == "" {
		text = body
	}
	parts := []string{search.PlainText(text)}
	if excerpt != "" {
		parts = append(parts, search.PlainText(excerpt))
	}
	if src != nil {
		parts = append(parts, search.Clean(src.Name), search.Clean(src.Author))
	}
	// Titles are text, not HTML: the site escapes them as such.
	return search.Clean(title), search.Clean(strings.Join(parts, " "))
}

// Search returns one page of the posts matching req, with snippets. An
// empty query finds nothing.
//
// While the process hears every change (see countMemo), a readers' search
// (one with Filter.PublishedBefore) is remembered until the next change or
// the moment a post dated in the future becomes public: a search many
// readers make at once (a link shared, a name in the news) is then made
// once. The posts of results remembered are shared by every caller, which
// must not modify them.
func (c conn) Search(ctx context.Context, req SearchRequest) (*SearchResults, error) {
	if len(req.Query.Included()) == 0 {
		return &SearchResults{}, nil
	}
	memo, now := c.memo(), req.Filter.PublishedBefore
	if memo == nil || now.IsZero() {
		return c.search(ctx, req)
	}
	// The span's instant, to the second as posts' times are kept: the
	// same for every reader in it.
	req.Filter.PublishedBefore = time.Unix(memo.settle(ctx, c, now).Unix(), 0).UTC()
	key := fmt.Sprintf("%+v", req)
	kept, gen, ok := recall(memo, &memo.searches, key, now)
	if !ok {
		res, err := c.search(ctx, req)
		if err != nil {
			return nil, err
		}
		kept = *res
		keep(memo, &memo.searches, maxSearches, key, kept, gen, now)
	}
	return &SearchResults{Hits: slices.Clone(kept.Hits), Total: kept.Total}, nil
}

func (c conn) search(ctx context.Context, req SearchRequest) (*SearchResults, error) {
	res := &SearchResults{}
	eng := c.searchEngine()
	if ranker, ok := eng.(boundedRanker); ok {
		res, err := ranker.searchBounded(ctx, c, req)
		if res != nil || err != nil {
			return res, err
		}
	}
	hits, args := eng.hits(req.Query, false, req.Sort == "" || req.Sort == SortRelevance)
	where, fargs := req.Filter.where()
	args = append(args, fargs...)
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
	rows, err := c.query(ctx, q, append(args, limit, req.Filter.Offset)...)
	if err != nil {
		return nil, fmt.Errorf("store: search: %w", err)
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
			return nil, fmt.Errorf("store: search: %w", err)
		}
		ids = append(ids, id)
		scores[id] = s
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: search: %w", err)
	}
	if len(ids) == 0 {
		if req.Filter.Offset > 0 {
			// Past the last page: still say how many there are.
			if err := c.queryRow(ctx, selectHits(`COUNT(*)`), args...).Scan(&res.Total); err != nil {
				return nil, fmt.Errorf("store: count search results: %w", err)
			}
		}
		return res, nil
	}
	return c.searchPage(ctx, eng, req.Query, res, ids, scores)
}

// searchPage loads the posts ids, in that order, with their snippets.
func (c conn) searchPage(ctx context.Context, eng searchEngine, q search.Query, res *SearchResults, ids []int64, scores map[int64]float64) (*SearchResults, error) {
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
				if snips[i], err = eng.snippets(ctx, c, q, ids); err != nil {
					return fmt.Errorf("store: search snippets: %w", err)
				}
				return nil
			}
		}
	)
	if slices.ContainsFunc(q.Clauses, func(c search.Clause) bool { return c.Prefix }) {
		half = len(ids)
	}
	err := c.parallel(func() (err error) {
		posts, err = c.postsByID(ctx, ids)
		return err
	}, snippetsOf(0, ids[:half]), snippetsOf(1, ids[half:]))
	if err != nil {
		return nil, err
	}
	maps.Copy(snips[0], snips[1])
	for _, id := range ids {
		if p := posts[id]; p != nil {
			res.Hits = append(res.Hits, SearchHit{Post: p, Score: scores[id], Snippet: snips[0][id]})
		}
	}
	return res, nil
}

// Suggest returns up to limit titles of posts selected by f that match q
// in their title, best first, for search-as-you-type.
func (c conn) Suggest(ctx context.Context, q search.Query, f PostFilter, limit int) ([]Suggestion, error) {
	if len(q.Included()) == 0 || limit <= 0 {
		return nil, nil
	}
	eng := c.searchEngine()
	hits, args := eng.hits(q, true, true)
	if b, ok := eng.(boundedSuggester); ok {
		if h, a, ok := b.suggestHits(q, f); ok {
			hits, args = h, a
		}
	}
	where, fargs := f.where()
	// CROSS JOIN: from the matches to their posts, never the other way
	// (SQLite would walk every listed post and look each up in the hits).
	rows, err := c.query(ctx, `WITH hits AS MATERIALIZED (`+hits+`) SELECT `+postColumns+`, h.score FROM hits h
		CROSS JOIN posts p WHERE p.id = h.id AND `+where+` ORDER BY h.score DESC, p.published_at DESC, p.id DESC LIMIT ?`,
		append(append(args, fargs...), limit)...)
	if err != nil {
		return nil, fmt.Errorf("store: suggest: %w", err)
	}
	defer rows.Close()
	var out []Suggestion
	for rows.Next() {
		var s float64
		p, err := scanPost(rows, &s)
		if err != nil {
			return nil, fmt.Errorf("store: suggest: %w", err)
		}
		out = append(out, Suggestion{Title: p.Title, Path: p.Path()})
	}
	return out, rows.Err()
}

// postsByID loads posts without their bodies, with authors and terms.
func (c conn) postsByID(ctx context.Context, ids []int64) (map[int64]*content.Post, error) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := c.query(ctx, `SELECT `+postColumns+` FROM posts p WHERE p.id IN (`+placeholders(len(ids))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: load search results: %w", err)
	}
	var list []*content.Post
	for rows.Next() {
		p, err := scanPost(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: load search results: %w", err)
		}
		list = append(list, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: load search results: %w", err)
	}
	if err := c.loadRelations(ctx, list); err != nil {
		return nil, err
	}
	byID := make(map[int64]*content.Post, len(list))
	for _, p := range list {
		byID[p.ID] = p
	}
	return byID, nil
}

// ReindexReport says what Reindex did.
type ReindexReport struct {
	Indexed int // posts and pages written to the index
	Removed int // entries that were in the index before
}

// reindexBatch is how many posts Reindex reads at a time: enough to be
// quick, few enough that memory stays flat on a large archive.
const reindexBatch = 500

// Reindex rebuilds the search index from the posts, in one transaction, so
// a failure leaves the old index in place. progress, when not nil, is
// called after each batch with the posts done and the total.
func (db *DB) Reindex(ctx context.Context, progress func(done, total int)) (ReindexReport, error) {
	var rep ReindexReport
	err := db.Update(ctx, func(tx *Tx) error {
		rep = ReindexReport{}
		eng := tx.searchEngine()
		var err error
		if rep.Removed, err = eng.count(ctx, tx.conn); err != nil {
			return err
		}
		if err := eng.clear(ctx, tx.conn); err != nil {
			return err
		}
		var total int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM posts`).Scan(&total); err != nil {
			return err
		}
		var after int64
		for {
			if err := ctx.Err(); err != nil {
				return err
			}
			batch, err := tx.searchBatch(ctx, after)
			if err != nil {
				return err
			}
			if len(batch) == 0 {
				break
			}
			for _, d := range batch {
				if err := eng.index(ctx, tx.conn, d); err != nil {
					return fmt.Errorf("store: index post %d: %w", d.id, err)
				}
			}
			rep.Indexed += len(batch)
			after = batch[len(batch)-1].id
			if progress != nil {
				progress(rep.Indexed, total)
			}
		}
		return eng.optimize(ctx, tx.conn)
	})
	if err != nil {
		return ReindexReport{}, fmt.Errorf("store: reindex: %w", err)
	}
	if err := db.searchEngine().settle(ctx, db.conn); err != nil {
		return rep, fmt.Errorf("store: after reindex: %w", err)
	}
	return rep, nil
}

// searchDoc is what the index holds of one post: its text, and its kind,
// status, terms and authors for the engines that filter on them inside the
// index.
type searchDoc struct {
	id          int64
	title, body string
	kind        content.Kind
	status      content.Status
	terms       []int64
	authors     []int64
}

// searchBatch reads the text of the posts after id, in id order. It reads
// the whole batch before anything is written, since one connection cannot
// read and write at once.
func (tx *Tx) searchBatch(ctx context.Context, after int64) ([]searchDoc, error) {
	rows, err := tx.query(ctx, `SELECT id, kind, status, title, body_html, body, excerpt, source_name, source_author
		FROM posts WHERE id > ? ORDER BY id LIMIT ?`, after, reindexBatch)
	if err != nil {
		return nil, fmt.Errorf("store: read posts to index: %w", err)
	}
	defer rows.Close()
	var out []searchDoc
	for rows.Next() {
		var (
			d                                      searchDoc
			title, bodyHTML, body, excerpt, sn, sa string
		)
		if err := rows.Scan(&d.id, &d.kind, &d.status, &title, &bodyHTML, &body, &excerpt, &sn, &sa); err != nil {
			return nil, fmt.Errorf("store: read posts to index: %w", err)
		}
		d.title, d.body = searchText(title, bodyHTML, body, excerpt, &content.Source{Name: sn, Author: sa})
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read posts to index: %w", err)
	}
	rows.Close()
	if len(out) == 0 {
		return out, nil
	}
	// Their terms and authors, two queries a batch.
	at := make(map[int64]*searchDoc, len(out))
	for i := range out {
		at[out[i].id] = &out[i]
	}
	first, last := out[0].id, out[len(out)-1].id
	for _, q := range []string{
		`SELECT post_id, term_id FROM post_terms WHERE post_id BETWEEN ? AND ? ORDER BY post_id, position`,
		`SELECT post_id, user_id FROM post_authors WHERE post_id BETWEEN ? AND ? ORDER BY post_id, position`,
	} {
		rows, err := tx.query(ctx, q, first, last)
		if err != nil {
			return nil, fmt.Errorf("store: read posts to index: %w", err)
		}
		for rows.Next() {
			var post, id int64
			if err := rows.Scan(&post, &id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: read posts to index: %w", err)
			}
			if d := at[post]; d != nil {
				if strings.Contains(q, "term_id") {
					d.terms = append(d.terms, id)
				} else {
					d.authors = append(d.authors, id)
				}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("store: read posts to index: %w", err)
		}
	}
	return out, nil
}

// indexMissing indexes an archive stored before the search index existed
// (or before a migration emptied it to index text anew), once, when the
// database is opened: an empty index beside posts.
func (db *DB) indexMissing(ctx context.Context, progress func(done, total int)) error {
	// Not a count: counting an index reads all of it (a tenth of a second
	// at 10,000 posts with SQLite), and every command opens the database.
	var indexed bool
	err := db.conn.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM post_search)`).Scan(&indexed)
	if err != nil || indexed {
		return err
	}
	posts, err := db.CountPosts(ctx, content.KindPost)
	if err != nil {
		return err
	}
	pages, err := db.CountPosts(ctx, content.KindPage)
	if err != nil || posts+pages == 0 {
		return err
	}
	_, err = db.Reindex(ctx, progress)
	return err
}

// IndexSize returns the bytes the search index takes on disk, where the
// engine can tell (SQLite needs the dbstat table, PostgreSQL the relation
// sizes); ok is false when it cannot.
func (c conn) IndexSize(ctx context.Context) (bytes int64, ok bool, err error) {
	q := `SELECT COALESCE(SUM(pgsize), 0) FROM dbstat WHERE name LIKE 'post_search%'`
	if c.d.name == "postgres" {
		q = `SELECT pg_total_relation_size('post_search')`
	}
	err = c.queryRow(ctx, q).Scan(&bytes)
	if err != nil {
		if c.d.name == "sqlite" && strings.Contains(err.Error(), "dbstat") {
			return 0, false, nil
		}
		return 0, false, fmt.Errorf("store: search index size: %w", err)
	}
	return bytes, true, nil
}
