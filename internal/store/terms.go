package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
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
	err := tx.queryRow(ctx, `INSERT INTO terms (taxonomy, slug, name, description, parent_id) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (taxonomy, slug) DO UPDATE SET name = excluded.name, description = excluded.description,
		parent_id = excluded.parent_id RETURNING id`, t.Taxonomy, t.Slug, t.Name, t.Description, parent).Scan(&t.ID)
	if err != nil {
		return fmt.Errorf("store: upsert %s %q: %w", t.Taxonomy, t.Slug, err)
	}
	tx.touchSite()
	return nil
}
