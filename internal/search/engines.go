package search

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/broadsheet/broadsheet/internal/content"
)

// The two engines' full-text searches: SQLite's here and in bounded.go,
// PostgreSQL's in postgres.go, the one place where SQLite and PostgreSQL
// differ in search, as the store's dialect.go is for everything else. Queries are built from the parsed
// Query, whose words hold only letters and digits, and always passed as
// parameters, so nothing a reader types is read as FTS syntax.

// sqliteSearch is FTS5 over the post_search table (rowid = post id).
type sqliteSearch struct{}

func (sqliteSearch) index(ctx context.Context, db DB, d doc) error {
	if err := (sqliteSearch{}).unindex(ctx, db, d.id); err != nil {
		return err
	}
	facets := d.facets()
	if _, err := db.Exec(ctx, `INSERT INTO post_search (rowid, title, body, facets) VALUES (?, ?, ?, ?)`,
		d.id, d.title, d.body, facets); err != nil {
		return err
	}
	_, err := db.Exec(ctx, `INSERT INTO post_search_titles (rowid, title, facets) VALUES (?, ?, ?)`, d.id, d.title, facets)
	return err
}

// facets is what the facets column holds of the entry: its kind, status,
// categories and tags, and authors, one word each.
func (d doc) facets() string {
	w := []string{kindFacet(d.kind), statusFacet(d.status)}
	for _, id := range d.terms {
		w = append(w, termFacet(id))
	}
	for _, id := range d.authors {
		w = append(w, authorFacet(id))
	}
	return strings.Join(w, " ")
}

func kindFacet(k content.Kind) string     { return "k" + string(k) }
func statusFacet(s content.Status) string { return "s" + string(s) }
func termFacet(id int64) string           { return "t" + strconv.FormatInt(id, 10) }
func authorFacet(id int64) string         { return "a" + strconv.FormatInt(id, 10) }

func (sqliteSearch) unindex(ctx context.Context, db DB, id int64) error {
	for _, t := range sqliteSearchTables {
		if _, err := db.Exec(ctx, `DELETE FROM `+t+` WHERE rowid = ?`, id); err != nil {
			return err
		}
	}
	return nil
}

// sqliteSearchTables are the index's tables: the whole text, and the titles.
var sqliteSearchTables = []string{"post_search", "post_search_titles"}

// clear drops the index and creates it again as it was declared: deleting
// its rows one by one would read every post's text to take its words out.
func (sqliteSearch) clear(ctx context.Context, db DB) error {
	for _, t := range sqliteSearchTables {
		var ddl string
		if err := db.QueryRow(ctx, `SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`, t).Scan(&ddl); err != nil {
			return err
		}
		if _, err := db.Exec(ctx, `DROP TABLE `+t); err != nil {
			return err
		}
		if _, err := db.Exec(ctx, ddl); err != nil {
			return err
		}
	}
	return nil
}

// optimize merges the index's segments into one b-tree, so that a query
// reads one list per word instead of one per segment.
func (sqliteSearch) optimize(ctx context.Context, db DB) error {
	for _, t := range sqliteSearchTables {
		if _, err := db.Exec(ctx, `INSERT INTO `+t+` (`+t+`) VALUES ('optimize')`); err != nil {
			return err
		}
	}
	return nil
}

// settle copies the rebuilt index from the write-ahead log into the
// database file and empties the log: a log as large as the index would
// otherwise slow every read until the next automatic checkpoint.
func (sqliteSearch) settle(ctx context.Context, db DB) error {
	_, err := db.Exec(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	return err
}

// posts points SQLite's planner at the narrow posts_search_filter index,
// which it would pass over for the table's own key: reading whole rows of
// posts costs more than the rest of a search.
func (sqliteSearch) posts() string { return `posts p INDEXED BY posts_search_filter` }

func (sqliteSearch) count(ctx context.Context, db DB) (int, error) {
	var n int
	err := db.QueryRow(ctx, `SELECT COUNT(*) FROM post_search`).Scan(&n)
	return n, err
}

// size reads the dbstat table, which a SQLite build may leave out.
func (sqliteSearch) size(ctx context.Context, db DB) (int64, bool, error) {
	var n int64
	err := db.QueryRow(ctx, `SELECT COALESCE(SUM(pgsize), 0) FROM dbstat WHERE name LIKE 'post_search%'`).Scan(&n)
	if err != nil && strings.Contains(err.Error(), "dbstat") {
		return 0, false, nil
	}
	return n, err == nil, err
}

// bm25 weights: a word in the title counts ten times one in the body; the
// facets column never counts. bm25() is lower-is-better, hence the minus.
const sqliteScore = `-bm25(post_search, 10.0, 1.0, 0.0)`

func (sqliteSearch) hits(q Query, titleOnly, rank bool) (string, []any) {
	if titleOnly && len(q.Excluded()) == 0 {
		// The titles' own index (exclusions also look at the body).
		score := "0"
		if rank {
			score = `-bm25(post_search_titles, 1.0, 0.0)`
		}
		return `SELECT rowid AS id, ` + score + ` AS score FROM post_search_titles WHERE post_search_titles MATCH ?`,
			[]any{fts5Expr(q, "title")}
	}
	cols := readerColumns
	if titleOnly {
		cols = "title"
	}
	score := "0"
	if rank {
		score = sqliteScore
	}
	return `SELECT rowid AS id, ` + score + ` AS score FROM post_search WHERE post_search MATCH ?`, []any{fts5Expr(q, cols)}
}

// snippets asks for each post on its own when the query has only whole
// words: with "rowid = ?" FTS5 seeks straight to the post in each word's
// list. A word being typed (a prefix) has no list of its own; FTS5 merges
// the lists of every word it begins for each query, so then all the posts
// are asked for at once ("+rowid", so that SQLite filters the matches
// instead of asking FTS5 once per id).
func (sqliteSearch) snippets(ctx context.Context, db DB, q Query, ids []int64) (map[int64]string, error) {
	expr := fts5Expr(q, readerColumns)
	const sel = `SELECT rowid, snippet(post_search, 1, ?, ?, '…', 30) FROM post_search WHERE post_search MATCH ? AND `
	out := map[int64]string{}
	read := func(where string, args ...any) error {
		rows, err := db.Query(ctx, sel+where, append([]any{MarkStart, MarkEnd, expr}, args...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				id int64
				s  string
			)
			if err := rows.Scan(&id, &s); err != nil {
				return err
			}
			out[id] = s
		}
		return rows.Err()
	}
	if slices.ContainsFunc(q.Clauses, func(c Clause) bool { return c.Prefix }) {
		args := make([]any, len(ids))
		for i, id := range ids {
			args[i] = id
		}
		return out, read(`+rowid IN (`+placeholders(len(ids))+`)`, args...)
	}
	for _, id := range ids {
		if err := read(`rowid = ?`, id); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// readerColumns are the columns a reader's words are matched against: the
// facets column holds the index's own words, never the reader's.
const readerColumns = "{title body}"

// fts5Expr writes q in FTS5's query syntax, its words matched in cols:
// every word double-quoted (so FTS5 reads it as a string, never an
// operator), phrases as one string, the last word as itself or a prefix;
// excluded words are excluded wherever they are in title or body.
func fts5Expr(q Query, cols string) string {
	var inc, exc []string
	for _, c := range q.Included() {
		inc = append(inc, fts5Clause(c))
	}
	for _, c := range q.Excluded() {
		exc = append(exc, fts5Clause(c))
	}
	expr := cols + " : (" + strings.Join(inc, " AND ") + ")"
	if len(exc) > 0 {
		expr = "(" + expr + " NOT " + readerColumns + " : (" + strings.Join(exc, " OR ") + "))"
	}
	return expr
}

func fts5Clause(c Clause) string {
	s := `"` + strings.Join(c.Words, " ") + `"`
	if c.Prefix {
		// The word as typed is stemmed ("sanctions" finds "sanctioned");
		// the prefix finds the words it begins.
		return "(" + s + " OR " + s + "*)"
	}
	return s
}

// allKinds and allStatuses are every kind and status an entry can have.
var (
	allKinds    = []content.Kind{content.KindPost, content.KindPage, content.KindEvent, content.KindBook}
	allStatuses = []content.Status{content.StatusDraft, content.StatusPending, content.StatusScheduled,
		content.StatusPublished, content.StatusPrivate, content.StatusTrash}
)

// facetFilter adds to expr the kind, status, terms and author f and
// termIDs ask for, as conditions on the facets column, each written the
// cheaper way: a kind or status most entries have (posts, published) is
// kept by excluding the few others, a rare one is asked for directly. ok
// is false when f has conditions the facets do not hold (a date range).
func facetFilter(expr string, f Filter, termIDs []int64) (string, bool) {
	if !f.From.IsZero() || !f.To.IsZero() {
		return "", false
	}
	kind := f.Kind
	if kind == "" {
		kind = content.KindPost
	}
	var keep, drop []string
	if kind == content.KindPost {
		for _, k := range allKinds {
			if k != kind {
				drop = append(drop, kindFacet(k))
			}
		}
	} else {
		keep = append(keep, `facets : "`+kindFacet(kind)+`"`)
	}
	if len(f.Statuses) > 0 {
		if slices.Contains(f.Statuses, content.StatusPublished) {
			for _, s := range allStatuses {
				if !slices.Contains(f.Statuses, s) {
					drop = append(drop, statusFacet(s))
				}
			}
		} else {
			var any []string
			for _, s := range f.Statuses {
				any = append(any, `"`+statusFacet(s)+`"`)
			}
			keep = append(keep, "facets : ("+strings.Join(any, " OR ")+")")
		}
	}
	if f.TermID != 0 {
		termIDs = append([]int64{f.TermID}, termIDs...)
	}
	for _, id := range termIDs {
		keep = append(keep, `facets : "`+termFacet(id)+`"`)
	}
	if f.AuthorID != 0 {
		keep = append(keep, `facets : "`+authorFacet(f.AuthorID)+`"`)
	}
	for _, k := range keep {
		expr = "(" + expr + " AND " + k + ")"
	}
	if len(drop) > 0 {
		for i := range drop {
			drop[i] = `"` + drop[i] + `"`
		}
		expr = "(" + expr + " NOT facets : (" + strings.Join(drop, " OR ") + "))"
	}
	return expr, true
}
