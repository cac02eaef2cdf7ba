package search

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/broadsheet/broadsheet/internal/content"
)

// postgresSearch is the post_search table: per entry a tsvector of title
// (weight A) and body (B) under a GIN index, one of the title alone under
// another, the body's text for snippets, and the entry's kind, status,
// publication time, terms and authors, on which a search filters without
// joining the posts. The "broadsheet" text search configuration is English
// with accents removed.
type postgresSearch struct{}

// pgColumns are post_search's columns, in the order index and
// writeBatch fill them.
const pgColumns = `post_id, kind, status, published_at, terms, authors, titles, doc, body`

// pgEntries selects post_search's columns from the rows of src, a FROM
// item with columns id, kind, status, pub, terms, authors (array literals),
// title and body (pgEntryColumns). Each text is turned into a tsvector
// once: the title's, which is the titles column and also the weight-A part
// of doc, by a subquery kept apart (OFFSET 0: inlined, it would be
// computed twice). '<' and '>' are hidden from PostgreSQL's parser, which
// would otherwise read "<script>" in a title as a tag and leave its word
// out, where FTS5 (and the reader) sees a word.
func pgEntries(src string) string { return pgEntriesFrom + src + pgEntriesJoin }

const (
	pgEntriesFrom = `SELECT u.id, u.kind, u.status, u.pub, u.terms::bigint[], u.authors::bigint[], t.v,
		setweight(t.v, 'A') || setweight(to_tsvector('broadsheet', translate(u.body, '<>', '  ')), 'B'), u.body
		FROM `
	pgEntriesJoin = ` CROSS JOIN LATERAL
		(SELECT to_tsvector('broadsheet', translate(u.title, '<>', '  ')) OFFSET 0) AS t(v)`
	pgEntryColumns = `u(id, kind, status, pub, terms, authors, title, body)`
)

// pgUpsert is the tail of an entry's insert: an entry written again
// replaces the one there.
const pgUpsert = ` ON CONFLICT (post_id) DO UPDATE SET kind = excluded.kind, status = excluded.status,
	published_at = excluded.published_at, terms = excluded.terms, authors = excluded.authors,
	titles = excluded.titles, doc = excluded.doc, body = excluded.body`

// pgEntryRow is one entry's values as pgEntries reads them from a VALUES list.
const pgEntryRow = `(?::bigint, ?::text, ?::text, ?::bigint, ?::text, ?::text, ?::text, ?::text)`

// index writes one entry, or, in a bulk transaction, keeps it to be written
// with others: the rows are a VALUES list, each text sent once. A bulk
// transaction (an import) that can has the entries' tsvectors computed on
// another connection, by another server process, while it goes on: turning
// text into tsvectors is the larger part of writing entries, and the
// transaction's own process then only reads them in.
func (postgresSearch) index(ctx context.Context, db DB, d doc) error {
	key := strconv.FormatInt(d.id, 10)
	args := []any{d.id, string(d.kind), string(d.status), d.published, pgArray(d.terms), pgArray(d.authors), d.title, d.body}
	if rc, ok := db.(rowComputer); ok && rc.ComputesRows() {
		return rc.InsertComputedRow(ctx, "post_search", key,
			Rows{Head: `SELECT e.id, e.kind, e.status, e.pub, e.terms::text, e.authors::text, e.titles::text, e.doc::text, e.body FROM (` +
				pgEntriesFrom + `(VALUES `, Row: pgEntryRow, Tail: `) AS ` + pgEntryColumns + pgEntriesJoin +
				`) AS e(id, kind, status, pub, terms, authors, titles, doc, body)`},
			Rows{Head: `INSERT INTO post_search (` + pgColumns + `) VALUES `,
				Row:  `(?::bigint, ?, ?, ?::bigint, ?::bigint[], ?::bigint[], ?::tsvector, ?::tsvector, ?)`,
				Tail: pgUpsert},
			args...)
	}
	return insertRow(ctx, db, "post_search", `INSERT INTO post_search (`+pgColumns+`) `+pgEntriesFrom+`(VALUES `,
		pgEntryRow, `) AS `+pgEntryColumns+pgEntriesJoin+pgUpsert, key, args...)
}

// pgArray writes ids as an array literal, "{1,2}".
func pgArray(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return "{" + strings.Join(s, ",") + "}"
}

func (postgresSearch) unindex(ctx context.Context, db DB, id int64) error {
	_, err := db.Exec(ctx, `DELETE FROM post_search WHERE post_id = ?`, id)
	return err
}

func (postgresSearch) clear(ctx context.Context, db DB) error {
	_, err := db.Exec(ctx, `DELETE FROM post_search`)
	return err
}

// optimize refreshes the planner's statistics on the rebuilt table.
func (postgresSearch) optimize(ctx context.Context, db DB) error {
	_, err := db.Exec(ctx, `ANALYZE post_search`)
	return err
}

// A rebuild writes a fresh table, post_search_next, a batch of entries a
// statement, from several connections at once, with no index to keep up;
// at the end its transaction builds the table's indexes once, each in one
// pass, and puts it in place of the old one. Writing every entry into a
// GIN index as it comes is what held a rebuild to a few dozen posts a
// second. Until the rebuild commits, searches read the old index; writes
// of posts wait for it, as their entries would otherwise be lost with the
// old table. A rebuild that fails leaves post_search_next behind, for the
// next one to drop.

// startRebuild locks the posts against writes (posts first, as a post's
// write takes them, so the two never wait on each other; a second rebuild
// waits here for the first), and creates the fresh table with
// post_search's columns on pool, so that pool's connections can write to
// it.
func (postgresSearch) startRebuild(ctx context.Context, db, pool DB) error {
	for _, q := range []string{
		`LOCK TABLE posts IN SHARE ROW EXCLUSIVE MODE`,
		`LOCK TABLE post_search IN SHARE MODE`,
	} {
		if _, err := db.Exec(ctx, q); err != nil {
			return err
		}
	}
	for _, q := range []string{
		`DROP TABLE IF EXISTS post_search_next`,
		`CREATE TABLE post_search_next (LIKE post_search INCLUDING DEFAULTS INCLUDING STORAGE)`,
	} {
		if _, err := pool.Exec(ctx, q); err != nil {
			return err
		}
	}
	// LIKE copies no storage parameters (toast_tuple_target).
	var opts string
	if err := db.QueryRow(ctx, `SELECT COALESCE(array_to_string(reloptions, ', '), '') FROM pg_class
		WHERE oid = 'post_search'::regclass`).Scan(&opts); err != nil {
		return err
	}
	if opts != "" {
		_, err := pool.Exec(ctx, `ALTER TABLE post_search_next SET (`+opts+`)`)
		return err
	}
	return nil
}

// writeBatch writes docs into the fresh table in one statement, each
// column passed as one array.
func (postgresSearch) writeBatch(ctx context.Context, pool DB, docs []doc) error {
	var (
		ids, pubs                    = make([]int64, len(docs)), make([]int64, len(docs))
		kinds, statuses, terms, auth = make([]string, len(docs)), make([]string, len(docs)), make([]string, len(docs)), make([]string, len(docs))
		titles, bodies               = make([]string, len(docs)), make([]string, len(docs))
	)
	for i, d := range docs {
		ids[i], pubs[i] = d.id, d.published
		kinds[i], statuses[i] = string(d.kind), string(d.status)
		terms[i], auth[i] = pgArray(d.terms), pgArray(d.authors)
		titles[i], bodies[i] = d.title, d.body
	}
	_, err := pool.Exec(ctx, `INSERT INTO post_search_next (`+pgColumns+`) `+
		pgEntries(`unnest(?::bigint[], ?::text[], ?::text[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[]) AS `+pgEntryColumns),
		ids, kinds, statuses, pubs, terms, auth, titles, bodies)
	return err
}

// pgIndexTable matches the table an index definition names.
var pgIndexTable = regexp.MustCompile(` ON (\S+\.)?post_search `)

// finishRebuild gives the fresh table post_search's key, reference and
// indexes, as the migrations declared them (read from the catalogue), and
// puts it in post_search's place.
func (postgresSearch) finishRebuild(ctx context.Context, db DB) error {
	rows, err := db.Query(ctx, `SELECT indexname, indexdef FROM pg_indexes
		WHERE schemaname = current_schema() AND tablename = 'post_search' AND indexname <> 'post_search_pkey'`)
	if err != nil {
		return err
	}
	var names, defs []string
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			rows.Close()
			return err
		}
		def = pgIndexTable.ReplaceAllString(def, " ON post_search_next ")
		def = strings.Replace(def, " INDEX "+name+" ON ", " INDEX "+name+"_next ON ", 1)
		names, defs = append(names, name), append(defs, def)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	stmts := []string{
		`ALTER TABLE post_search_next ADD CONSTRAINT post_search_next_pkey PRIMARY KEY (post_id)`,
		// NOT VALID: the entries were all written from the posts just now,
		// in this transaction, so checking each against its post would
		// prove nothing.
		`ALTER TABLE post_search_next ADD CONSTRAINT post_search_post_id_fkey
			FOREIGN KEY (post_id) REFERENCES posts(id) ON DELETE CASCADE NOT VALID`,
	}
	stmts = append(stmts, defs...)
	stmts = append(stmts,
		`DROP TABLE post_search`,
		`ALTER TABLE post_search_next RENAME TO post_search`,
		`ALTER INDEX post_search_next_pkey RENAME TO post_search_pkey`)
	for _, n := range names {
		stmts = append(stmts, `ALTER INDEX `+n+`_next RENAME TO `+n)
	}
	stmts = append(stmts, `ANALYZE post_search`)
	for _, q := range stmts {
		if _, err := db.Exec(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", strings.Fields(q)[0]+" "+strings.Fields(q)[1], err)
		}
	}
	return nil
}

// settle marks the rebuilt table's rows visible to every transaction (its
// visibility map, which a VACUUM inside the rebuild's transaction could not
// set), so that the first searches do not do it page by page. The
// planner's statistics were gathered by the rebuild's transaction
// (finishRebuild), so that searches choose the GIN indexes from the first.
func (postgresSearch) settle(ctx context.Context, db DB) error {
	_, err := db.Exec(ctx, `VACUUM post_search`)
	return err
}

func (postgresSearch) posts() string { return `posts p` }

func (postgresSearch) count(ctx context.Context, db DB) (int, error) {
	var n int
	err := db.QueryRow(ctx, `SELECT COUNT(*) FROM post_search`).Scan(&n)
	return n, err
}

func (postgresSearch) size(ctx context.Context, db DB) (int64, bool, error) {
	var n int64
	err := db.QueryRow(ctx, `SELECT pg_total_relation_size('post_search')`).Scan(&n)
	return n, err == nil, err
}

// Weights for D, C, B, A: the title (A) counts five times the body (B).
// Normalisation 1 divides by the log of the length, so a long piece that
// mentions a word in passing does not outrank a short one about it.
const postgresScore = `ts_rank_cd('{0.05, 0.1, 0.2, 1.0}', s.doc, sq.q, 1)`

// hits matches titles in their own tsvector: the title's words in the
// whole document (weight A) would be checked by reading each match's
// whole document.
func (postgresSearch) hits(q Query, titleOnly, rank bool) (string, []any) {
	col, score := "s.doc", postgresScore
	if titleOnly {
		col, score = "s.titles", `ts_rank_cd(s.titles, sq.q, 1)`
	}
	if !rank {
		score = "0"
	}
	return `SELECT s.post_id AS id, ` + score + ` AS score FROM post_search s, to_tsquery('broadsheet', ?) AS sq(q)
		WHERE ` + col + ` @@ sq.q`, []any{tsqueryExpr(q, titleOnly)}
}

// snippets asks ts_headline for the page's posts only. ts_headline parses
// all the text it is given, as to_tsvector does, which for a long post
// takes longer than the rest of the search: it is given the stretch of
// about snippetWindow characters around the first place where the longest
// of the query's words (as stemmed, in lower case; the longest is the
// rarest, "exaggerate" rather than "the") appears, cut at spaces, and
// the whole text when there is no such place, or when the stretch holds
// no match (a stem spelled otherwise in the text, "happi", or found
// inside another word).
func (postgresSearch) snippets(ctx context.Context, db DB, q Query, ids []int64) (map[int64]string, error) {
	var words []string
	for _, c := range q.Included() {
		words = append(words, c.Words...)
	}
	out := map[int64]string{}
	var whole []int64
	err := pgHeadlines(ctx, db, q, `COALESCE(w.stretch, s.body)`, `
		CROSS JOIN (SELECT tsvector_to_array(to_tsvector('broadsheet', ?)) AS lxs) AS l
		LEFT JOIN LATERAL (SELECT strpos(lower(s.body), lx) AS at FROM unnest(l.lxs) AS lx
			WHERE strpos(lower(s.body), lx) > 0 ORDER BY length(lx) DESC, 1 LIMIT 1) AS f ON true
		CROSS JOIN LATERAL (SELECT regexp_replace(regexp_replace(
			substring(s.body FROM greatest(1, f.at - ?) FOR ?),
			CASE WHEN f.at - ? > 1 THEN '^\S*\s+' ELSE '^$' END, ''),
			CASE WHEN f.at - ? + ? <= length(s.body) THEN '\s+\S*$' ELSE '^$' END, '') AS stretch) AS w`,
		[]any{strings.Join(words, " "), snippetWindow / 3, snippetWindow, snippetWindow / 3, snippetWindow / 3, snippetWindow},
		ids, func(id int64, snippet string, stretch bool) {
			if stretch && !strings.Contains(snippet, MarkStart) {
				whole = append(whole, id)
				return
			}
			out[id] = snippet
		}, `w.stretch IS NOT NULL`)
	if err != nil || len(whole) == 0 {
		return out, err
	}
	err = pgHeadlines(ctx, db, q, `s.body`, ``, nil, whole, func(id int64, snippet string, _ bool) { out[id] = snippet }, `false`)
	return out, err
}

// pgHeadlines calls found with the headline of each post ids, made from
// the text expression text over post_search s and the joins, and the
// value of the boolean expression flag.
func pgHeadlines(ctx context.Context, db DB, q Query, text, joins string, joinArgs []any, ids []int64,
	found func(id int64, snippet string, flag bool), flag string) error {
	opts := "StartSel=" + MarkStart + ", StopSel=" + MarkEnd +
		`, MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "`
	args := append([]any{opts, tsqueryExpr(q, false)}, joinArgs...)
	rows, err := db.Query(ctx, `SELECT s.post_id, ts_headline('broadsheet', `+text+`, sq.q, ?), `+flag+`
		FROM post_search s CROSS JOIN to_tsquery('broadsheet', ?) AS sq(q)`+joins+`
		WHERE s.post_id = ANY(?::bigint[])`, append(args, pgArray(ids))...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id   int64
			s    string
			used bool
		)
		if err := rows.Scan(&id, &s, &used); err != nil {
			return err
		}
		found(id, s, used)
	}
	return rows.Err()
}

// snippetWindow is how many characters of a post's text ts_headline is
// given, a third of them before the first of the query's words.
const snippetWindow = 1200

// tsqueryExpr writes q in to_tsquery's syntax: every word single-quoted,
// phrases joined with <->, the last word as itself or a prefix (:*),
// exclusions with !. titleOnly, for the titles' own tsvector, leaves the
// exclusions out (they look at the body too).
func tsqueryExpr(q Query, titleOnly bool) string {
	var parts []string
	for _, c := range q.Clauses {
		if c.Exclude && titleOnly {
			continue
		}
		s := tsClause(c)
		if c.Exclude {
			s = "!" + s
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " & ")
}

func tsClause(c Clause) string {
	ws := make([]string, len(c.Words))
	for i, w := range c.Words {
		ws[i] = "'" + w + "'"
	}
	s := strings.Join(ws, " <-> ")
	if c.Prefix {
		return "(" + s + " | '" + c.Words[0] + "':*)"
	}
	if len(ws) > 1 {
		return "(" + s + ")"
	}
	return s
}

// pgFacets writes the conditions of f and termIDs on post_search's own
// columns, as the store writes them on the posts (see Filter).
func pgFacets(f Filter, termIDs []int64) (string, []any) {
	kind := f.Kind
	if kind == "" {
		kind = content.KindPost
	}
	conds, args := []string{"kind = ?"}, []any{string(kind)}
	if len(f.Statuses) > 0 {
		s := make([]string, len(f.Statuses))
		for i, st := range f.Statuses {
			s[i] = string(st)
		}
		conds = append(conds, "status = ANY(?::text[])")
		args = append(args, "{"+strings.Join(s, ",")+"}")
	}
	// Times are whole seconds, so t < To is t <= To-1.
	upper, bounded := int64(0), false
	if !f.PublishedBefore.IsZero() {
		upper, bounded = f.PublishedBefore.Unix(), true
	}
	if !f.To.IsZero() && (!bounded || f.To.Unix()-1 < upper) {
		upper, bounded = f.To.Unix()-1, true
	}
	if bounded {
		conds, args = append(conds, "published_at <= ?"), append(args, upper)
	}
	if !f.From.IsZero() {
		conds, args = append(conds, "published_at >= ?"), append(args, f.From.Unix())
	}
	if f.TermID != 0 {
		termIDs = append([]int64{f.TermID}, termIDs...)
	}
	if len(termIDs) > 0 {
		conds, args = append(conds, "terms @> ?::bigint[]"), append(args, pgArray(termIDs))
	}
	if f.AuthorID != 0 {
		conds, args = append(conds, "authors @> ?::bigint[]"), append(args, pgArray([]int64{f.AuthorID}))
	}
	return strings.Join(conds, " AND "), args
}

func (postgresSearch) suggestHits(q Query, f Filter) (string, []any, bool) {
	if len(q.Excluded()) > 0 {
		return "", nil, false // exclusions look at the body too
	}
	where, args := pgFacets(f, nil)
	return `SELECT s.post_id AS id, ts_rank_cd(s.titles, to_tsquery('broadsheet', ?), 1) AS score FROM (
			SELECT post_id, titles FROM post_search WHERE titles @@ to_tsquery('broadsheet', ?) AND ` + where + `
			ORDER BY post_id DESC LIMIT ?) s`,
		append(append([]any{tsqueryExpr(q, true), tsqueryExpr(q, true)}, args...), suggestLimit), true
}

// searchBounded ranks as SQLite's does (see rankBounded), with every
// filter applied inside post_search; a search by date is one pass over
// the matches, sorted by their publication time.
func (postgresSearch) searchBounded(ctx context.Context, db Reader, req Request) (*Results, error) {
	if req.Filter.Outlet != 0 {
		return nil, nil
	}
	where, fargs := pgFacets(req.Filter, req.TermIDs)
	full := tsqueryExpr(req.Query, false)
	match := `doc @@ to_tsquery('broadsheet', ?) AND ` + where
	margs := append([]any{full}, fargs...)
	res := &Results{}
	limit := req.Filter.Limit
	if limit <= 0 {
		limit = 10
	}
	if req.Sort == SortNewest || req.Sort == SortOldest {
		order := "published_at DESC, post_id DESC"
		if req.Sort == SortOldest {
			order = "published_at ASC, post_id ASC"
		}
		rows, err := db.Query(ctx, `SELECT post_id, COUNT(*) OVER () FROM post_search WHERE `+match+
			` ORDER BY `+order+` LIMIT ? OFFSET ?`, append(margs, limit, req.Filter.Offset)...)
		if err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id, &res.Total); err != nil {
				rows.Close()
				return nil, fmt.Errorf("search: %w", err)
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		if len(ids) == 0 {
			if req.Filter.Offset > 0 {
				// Past the last page: still say how many there are.
				if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM post_search WHERE `+match, margs...).Scan(&res.Total); err != nil {
					return nil, fmt.Errorf("search: count results: %w", err)
				}
			}
			return res, nil
		}
		return page(ctx, db, postgresSearch{}, req.Query, res, ids, map[int64]float64{})
	}
	title := `titles @@ to_tsquery('broadsheet', ?) AND ` + where
	targs := append([]any{tsqueryExpr(req.Query, true)}, fargs...)
	if len(req.Query.Excluded()) > 0 {
		title += ` AND doc @@ to_tsquery('broadsheet', ?)`
		targs = append(targs, full)
	}
	// The count and the newest matches in one pass over the matches, which
	// for a phrase means reading each candidate's whole document once.
	// "post_id + 0": the newest are found by the GIN index and sorted, never
	// by walking the key backwards and testing every post's whole document
	// on the way. Only they are scored.
	return rankBounded(ctx, db, postgresSearch{}, req, res, boundedQueries{
		titles: func(limit int) ([]ranked, error) {
			rows, err := db.Query(ctx, `SELECT post_id, 0 FROM post_search WHERE `+title+
				` ORDER BY post_id + 0 DESC LIMIT ?`, append(targs, limit)...)
			if err != nil {
				return nil, err
			}
			return scanRanked(rows)
		},
		recent: func(limit int) ([]ranked, int, error) {
			rows, err := db.Query(ctx, `SELECT s.post_id, `+postgresScore+`, s.total FROM (
				SELECT post_id, doc, COUNT(*) OVER () AS total FROM post_search WHERE `+match+`
				ORDER BY post_id + 0 DESC LIMIT ?) s, to_tsquery('broadsheet', ?) AS sq(q)`, append(append(margs, limit), full)...)
			if err != nil {
				return nil, 0, err
			}
			defer rows.Close()
			var (
				out   []ranked
				total int
			)
			for rows.Next() {
				var r ranked
				if err := rows.Scan(&r.id, &r.score, &total); err != nil {
					return nil, 0, err
				}
				out = append(out, r)
			}
			return out, total, rows.Err()
		},
		older: func(before int64, shown []any, limit, offset int) ([]int64, error) {
			ids := make([]int64, len(shown))
			for i, id := range shown {
				ids[i] = id.(int64)
			}
			return queryIDs(ctx, db, `SELECT post_id FROM post_search WHERE `+match+
				` AND post_id < ? AND post_id <> ALL(?::bigint[]) ORDER BY post_id + 0 DESC LIMIT ? OFFSET ?`,
				append(margs, before, pgArray(ids), limit, offset)...)
		},
	})
}
