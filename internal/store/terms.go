package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/search"
)

const termColumns = `t.id, t.taxonomy, t.slug, t.name, t.description, COALESCE(t.parent_id, 0)`

func scanTerm(row interface{ Scan(...any) error }, leading ...any) (*content.Term, error) {
	var t content.Term
	dest := append(leading, &t.ID, &t.Taxonomy, &t.Slug, &t.Name, &t.Description, &t.ParentID)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	return &t, nil
}

// FindTermBySlug returns the term of the taxonomy with the given slug.
func (c conn) FindTermBySlug(ctx context.Context, tax content.Taxonomy, slug string) (*content.Term, error) {
	memo, key, gen := c.memo(), string(tax)+"/"+slug, uint64(0)
	if memo != nil {
		t, g, ok := memo.terms.Get(key, time.Time{})
		if ok {
			return &t, nil // a copy
		}
		gen = g
	}
	t, err := scanTerm(c.queryRow(ctx, `SELECT `+termColumns+` FROM terms t WHERE t.taxonomy = ? AND t.slug = ?`, tax, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, content.Errorf(content.ENotFound, "No %s %q.", tax, slug)
	}
	if err != nil {
		return nil, fmt.Errorf("store: find %s %q: %w", tax, slug, err)
	}
	if memo != nil {
		memo.terms.Put(key, *t, gen, time.Time{})
	}
	return t, nil
}

// FindTerms returns the terms of a taxonomy by name, each with its count
// of published posts.
func (c conn) FindTerms(ctx context.Context, tax content.Taxonomy) ([]*content.Term, error) {
	rows, err := c.query(ctx, `SELECT (SELECT COUNT(*) FROM post_terms pt
		  WHERE pt.term_id = t.id AND pt.status = ?), `+termColumns+`
		FROM terms t WHERE t.taxonomy = ? ORDER BY t.name, t.id`, content.StatusPublished, tax)
	if err != nil {
		return nil, fmt.Errorf("store: find %s terms: %w", tax, err)
	}
	defer rows.Close()
	var terms []*content.Term
	for rows.Next() {
		var count int
		t, err := scanTerm(rows, &count)
		if err != nil {
			return nil, fmt.Errorf("store: scan term: %w", err)
		}
		t.Count = count
		terms = append(terms, t)
	}
	return terms, rows.Err()
}

// UpsertTerm creates the term with t's taxonomy and slug, or updates its
// name, description and parent when it exists, and sets t.ID.
func (tx *Tx) UpsertTerm(ctx context.Context, t *content.Term) error {
	if err := t.Validate(); err != nil {
		return err
	}
	var parent any
	if t.ParentID != 0 {
		parent = t.ParentID
	}
	// A slug that was an earlier one of another term is this term's now.
	if _, err := tx.exec(ctx, `DELETE FROM term_aliases WHERE taxonomy = ? AND slug = ?`, t.Taxonomy, t.Slug); err != nil {
		return fmt.Errorf("store: free %s slug %q: %w", t.Taxonomy, t.Slug, err)
	}
	err := tx.queryRow(ctx, `INSERT INTO terms (taxonomy, slug, name, description, parent_id) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (taxonomy, slug) DO UPDATE SET name = excluded.name, description = excluded.description,
		parent_id = excluded.parent_id RETURNING id`, t.Taxonomy, t.Slug, t.Name, t.Description, parent).Scan(&t.ID)
	if err != nil {
		return fmt.Errorf("store: upsert %s %q: %w", t.Taxonomy, t.Slug, err)
	}
	tx.touchSite()
	return nil
}

// FindTermByID returns the category or tag id.
func (c conn) FindTermByID(ctx context.Context, id int64) (*content.Term, error) {
	t, err := scanTerm(c.queryRow(ctx, `SELECT `+termColumns+` FROM terms t WHERE t.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, content.Errorf(content.ENotFound, "There is no category or tag %d.", id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: find term %d: %w", id, err)
	}
	return t, nil
}

// FindTermByName returns the term of the taxonomy named name, ignoring
// the case of ASCII letters.
func (c conn) FindTermByName(ctx context.Context, tax content.Taxonomy, name string) (*content.Term, error) {
	t, err := scanTerm(c.queryRow(ctx, `SELECT `+termColumns+` FROM terms t
		WHERE t.taxonomy = ? AND LOWER(t.name) = LOWER(?) ORDER BY t.id LIMIT 1`, tax, name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, content.Errorf(content.ENotFound, "No %s named %q.", tax, name)
	}
	if err != nil {
		return nil, fmt.Errorf("store: find %s named %q: %w", tax, name, err)
	}
	return t, nil
}

// FindTermByAlias returns the term of the taxonomy that once had the
// slug, before a rename or a merge.
func (c conn) FindTermByAlias(ctx context.Context, tax content.Taxonomy, slug string) (*content.Term, error) {
	t, err := scanTerm(c.queryRow(ctx, `SELECT `+termColumns+` FROM term_aliases a JOIN terms t ON t.id = a.term_id
		WHERE a.taxonomy = ? AND a.slug = ?`, tax, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, content.Errorf(content.ENotFound, "No %s was ever %q.", tax, slug)
	}
	if err != nil {
		return nil, fmt.Errorf("store: find %s alias %q: %w", tax, slug, err)
	}
	return t, nil
}

// FindTermAliases returns the earlier slugs of term id, in order.
func (c conn) FindTermAliases(ctx context.Context, id int64) ([]string, error) {
	rows, err := c.query(ctx, `SELECT slug FROM term_aliases WHERE term_id = ? ORDER BY slug`, id)
	if err != nil {
		return nil, fmt.Errorf("store: find aliases of term %d: %w", id, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("store: scan term alias: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// slugOwner returns the id of the term of tax with slug, 0 for none.
func (tx *Tx) slugOwner(ctx context.Context, tax content.Taxonomy, slug string) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, `SELECT id FROM terms WHERE taxonomy = ? AND slug = ?`, tax, slug).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: find %s %q: %w", tax, slug, err)
	}
	return id, nil
}

// CreateTerm inserts t, a new category or tag, and sets t.ID. A slug in
// use by another term of the taxonomy is a conflict; one that was an
// earlier slug of some term is taken over: its address is the new term's
// from now on.
func (tx *Tx) CreateTerm(ctx context.Context, t *content.Term) error {
	if err := t.Validate(); err != nil {
		return err
	}
	owner, err := tx.slugOwner(ctx, t.Taxonomy, t.Slug)
	if err != nil {
		return err
	}
	if owner != 0 {
		return &content.Error{Code: content.EConflict, Field: "slug",
			Message: fmt.Sprintf("there is already a %s with the slug %q: choose another slug, or use that %s", t.Taxonomy, t.Slug, t.Taxonomy)}
	}
	if _, err := tx.exec(ctx, `DELETE FROM term_aliases WHERE taxonomy = ? AND slug = ?`, t.Taxonomy, t.Slug); err != nil {
		return fmt.Errorf("store: free %s slug %q: %w", t.Taxonomy, t.Slug, err)
	}
	err = tx.queryRow(ctx, `INSERT INTO terms (taxonomy, slug, name, description, parent_id) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		t.Taxonomy, t.Slug, t.Name, t.Description, nullID(t.ParentID)).Scan(&t.ID)
	if tx.d.isUniqueViolation(err) { // created meanwhile by another writer
		return &content.Error{Code: content.EConflict, Field: "slug",
			Message: fmt.Sprintf("there is already a %s with the slug %q: choose another slug, or use that %s", t.Taxonomy, t.Slug, t.Taxonomy)}
	}
	if err != nil {
		return fmt.Errorf("store: create %s %q: %w", t.Taxonomy, t.Slug, err)
	}
	tx.touchSite()
	return nil
}

// UpdateTerm stores t's name, slug, description and parent over the term
// t.ID. When the slug changes, the old one is kept as an alias, so the
// site answers its old address with 301 to the new one; taking back an
// earlier slug of the same term drops that alias.
func (tx *Tx) UpdateTerm(ctx context.Context, t *content.Term) error {
	if err := t.Validate(); err != nil {
		return err
	}
	old, err := tx.FindTermByID(ctx, t.ID)
	if err != nil {
		return err
	}
	if old.Taxonomy != t.Taxonomy {
		return content.FieldError("taxonomy", "a %s cannot become a %s", old.Taxonomy, t.Taxonomy)
	}
	if old.Slug != t.Slug {
		owner, err := tx.slugOwner(ctx, t.Taxonomy, t.Slug)
		if err != nil {
			return err
		}
		if owner != 0 {
			return &content.Error{Code: content.EConflict, Field: "slug",
				Message: fmt.Sprintf("there is already a %s with the slug %q: merge into it instead, or choose another slug", t.Taxonomy, t.Slug)}
		}
		if _, err := tx.exec(ctx, `DELETE FROM term_aliases WHERE taxonomy = ? AND slug = ?`, t.Taxonomy, t.Slug); err != nil {
			return fmt.Errorf("store: free %s slug %q: %w", t.Taxonomy, t.Slug, err)
		}
		if err := tx.putTermAlias(ctx, t.Taxonomy, old.Slug, t.ID); err != nil {
			return err
		}
	}
	if _, err := tx.exec(ctx, `UPDATE terms SET slug = ?, name = ?, description = ?, parent_id = ? WHERE id = ?`,
		t.Slug, t.Name, t.Description, nullID(t.ParentID), t.ID); tx.d.isUniqueViolation(err) {
		return &content.Error{Code: content.EConflict, Field: "slug",
			Message: fmt.Sprintf("there is already a %s with the slug %q: merge into it instead, or choose another slug", t.Taxonomy, t.Slug)}
	} else if err != nil {
		return fmt.Errorf("store: update %s %d: %w", t.Taxonomy, t.ID, err)
	}
	tx.touchSite()
	return nil
}

func (tx *Tx) putTermAlias(ctx context.Context, tax content.Taxonomy, slug string, id int64) error {
	if _, err := tx.exec(ctx, `INSERT INTO term_aliases (taxonomy, slug, term_id) VALUES (?, ?, ?)
		ON CONFLICT (taxonomy, slug) DO UPDATE SET term_id = excluded.term_id`, tax, slug, id); err != nil {
		return fmt.Errorf("store: keep %s alias %q: %w", tax, slug, err)
	}
	return nil
}

// MergeTerm moves every post of term from to term into (posts that had
// both keep into once), hands from's subcategories, slug and earlier
// slugs to into, and deletes from: its addresses answer 301 to into's.
// Both must be of one taxonomy.
func (tx *Tx) MergeTerm(ctx context.Context, from, into int64) error {
	src, err := tx.FindTermByID(ctx, from)
	if err != nil {
		return err
	}
	dst, err := tx.FindTermByID(ctx, into)
	if err != nil {
		return err
	}
	if src.ID == dst.ID {
		return content.FieldError("into", "a %s cannot be merged into itself", src.Taxonomy)
	}
	if src.Taxonomy != dst.Taxonomy {
		return content.FieldError("into", "%q is a %s and %q a %s: merge a term into one of its own kind", src.Name, src.Taxonomy, dst.Name, dst.Taxonomy)
	}
	posts, err := tx.termPosts(ctx, from)
	if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `INSERT INTO post_terms (post_id, term_id, position, kind, status, published_at, updated_at)
		SELECT post_id, ?, position, kind, status, published_at, updated_at FROM post_terms s
		WHERE s.term_id = ? AND NOT EXISTS (SELECT 1 FROM post_terms d WHERE d.post_id = s.post_id AND d.term_id = ?)`,
		into, from, into); err != nil {
		return fmt.Errorf("store: move posts of %s %d to %d: %w", src.Taxonomy, from, into, err)
	}
	// A subcategory of from becomes into's, and into, when it is inside
	// from's branch, takes from's place first, so no category ends up
	// inside itself.
	inside, err := tx.isInside(ctx, dst, from)
	if err != nil {
		return err
	}
	if inside {
		if _, err := tx.exec(ctx, `UPDATE terms SET parent_id = ? WHERE id = ?`, nullID(src.ParentID), into); err != nil {
			return fmt.Errorf("store: move %s %d: %w", dst.Taxonomy, into, err)
		}
	}
	if _, err := tx.exec(ctx, `UPDATE terms SET parent_id = ? WHERE parent_id = ? AND id <> ?`, into, from, into); err != nil {
		return fmt.Errorf("store: move subcategories of %d: %w", from, err)
	}
	if _, err := tx.exec(ctx, `UPDATE term_aliases SET term_id = ? WHERE term_id = ?`, into, from); err != nil {
		return fmt.Errorf("store: move aliases of %d: %w", from, err)
	}
	if err := tx.putTermAlias(ctx, src.Taxonomy, src.Slug, into); err != nil {
		return err
	}
	if err := tx.deleteTerm(ctx, from); err != nil {
		return err
	}
	return tx.reindexPosts(ctx, posts)
}

// isInside reports whether t is inside the branch of category id: a
// subcategory of it, at any depth.
func (tx *Tx) isInside(ctx context.Context, t *content.Term, id int64) (bool, error) {
	seen := map[int64]bool{}
	for p := t.ParentID; p != 0 && !seen[p]; {
		if p == id {
			return true, nil
		}
		seen[p] = true
		if err := tx.queryRow(ctx, `SELECT COALESCE(parent_id, 0) FROM terms WHERE id = ?`, p).Scan(&p); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return false, nil
			}
			return false, fmt.Errorf("store: read the parent of term %d: %w", p, err)
		}
	}
	return false, nil
}

// DeleteTerm deletes the category or tag id: its posts lose it, its
// subcategories move up to its parent, and its addresses are gone.
func (tx *Tx) DeleteTerm(ctx context.Context, id int64) error {
	t, err := tx.FindTermByID(ctx, id)
	if err != nil {
		return err
	}
	posts, err := tx.termPosts(ctx, id)
	if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `UPDATE terms SET parent_id = ? WHERE parent_id = ?`, nullID(t.ParentID), id); err != nil {
		return fmt.Errorf("store: move subcategories of %d: %w", id, err)
	}
	if err := tx.deleteTerm(ctx, id); err != nil {
		return err
	}
	return tx.reindexPosts(ctx, posts)
}

func (tx *Tx) deleteTerm(ctx context.Context, id int64) error {
	if _, err := tx.exec(ctx, `DELETE FROM terms WHERE id = ?`, id); err != nil {
		return fmt.Errorf("store: delete term %d: %w", id, err)
	}
	tx.touchSite()
	return nil
}

// termPosts returns the ids of the posts filed under term id.
func (tx *Tx) termPosts(ctx context.Context, id int64) ([]int64, error) {
	rows, err := tx.query(ctx, `SELECT post_id FROM post_terms WHERE term_id = ? ORDER BY post_id`, id)
	if err != nil {
		return nil, fmt.Errorf("store: find posts of term %d: %w", id, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var pid int64
		if err := rows.Scan(&pid); err != nil {
			return nil, fmt.Errorf("store: scan post id: %w", err)
		}
		ids = append(ids, pid)
	}
	return ids, rows.Err()
}

// reindexPosts writes the posts' entries in the search index again, as
// their terms changed, and counts them as changed.
func (tx *Tx) reindexPosts(ctx context.Context, ids []int64) error {
	for _, id := range ids {
		p, err := tx.FindPostByID(ctx, id)
		if err != nil {
			return err
		}
		tx.touchPost(id, p.Status == content.StatusPublished, p.Status == content.StatusPublished)
		if err := search.Index(ctx, searchConn{tx.conn}, p); err != nil {
			return fmt.Errorf("store: index post %d: %w", id, err)
		}
	}
	return nil
}

// TermAlias is an earlier slug of a category or tag, and the term it
// names now.
type TermAlias struct {
	Slug string
	Term *content.Term
}

// FindTermAliasList returns every earlier slug of every term, by taxonomy
// and slug, for exports that write the old addresses as redirects.
func (c conn) FindTermAliasList(ctx context.Context) ([]TermAlias, error) {
	rows, err := c.query(ctx, `SELECT a.slug, `+termColumns+` FROM term_aliases a JOIN terms t ON t.id = a.term_id
		ORDER BY a.taxonomy, a.slug`)
	if err != nil {
		return nil, fmt.Errorf("store: find term aliases: %w", err)
	}
	defer rows.Close()
	var out []TermAlias
	for rows.Next() {
		var slug string
		t, err := scanTerm(rows, &slug)
		if err != nil {
			return nil, fmt.Errorf("store: scan term alias: %w", err)
		}
		out = append(out, TermAlias{Slug: slug, Term: t})
	}
	return out, rows.Err()
}
