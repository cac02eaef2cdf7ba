package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/broadsheet/broadsheet/internal/content"
)

// The lookups here answer many questions in one query each, for a writer
// that asks them by the dozen (an import rewriting the links of a post):
// the answers are those of asking one at a time.

// maxLookup bounds the IN list of one query.
const maxLookup = 500

// inChunks calls fn with keys in slices of at most maxLookup, with their
// placeholders and args.
func inChunks(keys []string, fn func(in string, args []any) error) error {
	for start := 0; start < len(keys); start += maxLookup {
		part := keys[start:min(start+maxLookup, len(keys))]
		args := make([]any, len(part))
		for i, k := range part {
			args[i] = k
		}
		if err := fn(placeholders(len(part)), args); err != nil {
			return err
		}
	}
	return nil
}

// FindAliasTargets is FindAliasTarget for many paths: where each alias
// leads now, by path; a path with no alias is left out.
func (c conn) FindAliasTargets(ctx context.Context, paths []string) (map[string]string, error) {
	out := make(map[string]string, len(paths))
	var stored []string
	for _, p := range paths {
		if _, ok := c.bulk.pendingRow("aliases", p); ok {
			t, err := c.FindAliasTarget(ctx, p)
			if err != nil {
				return nil, err
			}
			out[p] = t
			continue
		}
		stored = append(stored, p)
	}
	err := inChunks(stored, func(in string, args []any) error {
		// The rows kept for other paths leave these answers as they are.
		rows, err := c.queryAsIs(ctx, `SELECT a.path, a.target, p.kind, p.slug, p.published_at FROM aliases a
			LEFT JOIN posts p ON p.id = a.post_id WHERE a.path IN (`+in+`)`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				path, target string
				kind, slug   sql.NullString
				pub          sql.NullInt64
			)
			if err := rows.Scan(&path, &target, &kind, &slug, &pub); err != nil {
				return err
			}
			if kind.Valid {
				target = postPath(content.Kind(kind.String), slug.String, pub.Int64)
			}
			out[path] = target
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: find aliases: %w", err)
	}
	return out, nil
}

// FindSlugPaths is FindSlugPath for many slugs of one kind: each entry's
// path by its slug; a slug no entry has is left out.
func (c conn) FindSlugPaths(ctx context.Context, kind content.Kind, slugs []string) (map[string]string, error) {
	out := make(map[string]string, len(slugs))
	err := inChunks(slugs, func(in string, args []any) error {
		rows, err := c.query(ctx, `SELECT slug, published_at FROM posts WHERE kind = ? AND slug IN (`+in+`)`, append([]any{kind}, args...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				slug string
				pub  int64
			)
			if err := rows.Scan(&slug, &pub); err != nil {
				return err
			}
			out[slug] = postPath(kind, slug, pub)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: find %ss by slug: %w", kind, err)
	}
	return out, nil
}

// FindMediaByStorageKeys is FindMediaByStorageKey for many keys: the media
// stored under each, by key; a key with none is left out.
func (c conn) FindMediaByStorageKeys(ctx context.Context, keys []string) (map[string]*content.Media, error) {
	out := make(map[string]*content.Media, len(keys))
	err := inChunks(keys, func(in string, args []any) error {
		rows, err := c.query(ctx, `SELECT `+mediaColumns+` FROM media m WHERE m.storage_key IN (`+in+`)`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			m, err := scanMedia(rows)
			if err != nil {
				return err
			}
			out[m.Key] = m
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: find media: %w", err)
	}
	return out, nil
}
