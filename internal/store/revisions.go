package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/broadsheet/broadsheet/internal/content"
)

// AnyVersion, given as the base of AddRevision, skips the conflict check.
const AnyVersion = -1

// PostVersion returns the number of the post's newest revision; 0 when it
// has none (it was imported and never saved since).
func (c conn) PostVersion(ctx context.Context, postID int64) (int, error) {
	var v int
	if err := c.queryRow(ctx, `SELECT COALESCE(MAX(number), 0) FROM revisions WHERE post_id = ?`, postID).Scan(&v); err != nil {
		return 0, fmt.Errorf("store: version of post %d: %w", postID, err)
	}
	return v, nil
}

// AddRevision records r as the post's next revision and returns its
// number. base is the version the editor started from: when someone saved
// since, the save is refused with EConflict and nothing is written, so no
// one's work is overwritten. AnyVersion skips the check.
func (tx *Tx) AddRevision(ctx context.Context, r content.Revision, base int) (int, error) {
	cur, known := 0, false
	if tx.bulk != nil {
		cur, known = tx.bulk.versions[r.PostID]
	}
	if !known {
		var err error
		if cur, err = tx.PostVersion(ctx, r.PostID); err != nil {
			return 0, err
		}
	}
	if base != AnyVersion && base != cur {
		return 0, conflict(cur, base)
	}
	src := r.Source
	if src == nil {
		src = &content.Source{}
	}
	var author any
	if r.AuthorID != 0 {
		author = r.AuthorID
	}
	cats, tags := termsJSON(r.Categories, r.Terms), termsJSON(r.Tags, r.Terms)
	if r.Autosave && cur > 0 {
		// Replace the previous revision when it is this person's autosave.
		res, err := tx.exec(ctx, `UPDATE revisions SET number = ?, created_at = ?, title = ?, slug = ?, status = ?, body = ?,
			excerpt = ?, source_name = ?, source_url = ?, source_author = ?, source_published_at = ?,
			categories = ?, tags = ?, featured_id = ?, format = ?
			WHERE post_id = ? AND number = ? AND autosave = 1 AND author_id = ?`,
			cur+1, unix(tx.Now), r.Title, r.Slug, r.Status, r.Body, r.Excerpt, src.Name, src.URL, src.Author,
			unix(src.PublishedAt), cats, tags, r.FeaturedID, r.Format, r.PostID, cur, r.AuthorID)
		if tx.d.isUniqueViolation(err) {
			return 0, conflict(cur+1, base)
		}
		if err != nil {
			return 0, fmt.Errorf("store: replace autosave of post %d: %w", r.PostID, err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			if known {
				tx.bulk.versions[r.PostID] = cur + 1
			}
			return cur + 1, nil
		}
	}
	err := tx.insertRow(ctx, "revisions", `INSERT INTO revisions (post_id, number, author_id, created_at, title, slug, status, body, excerpt,
		source_name, source_url, source_author, source_published_at, autosave, categories, tags, featured_id, format)
		VALUES `, `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, "", "",
		r.PostID, cur+1, author, unix(tx.Now), r.Title, r.Slug, r.Status, r.Body, r.Excerpt,
		src.Name, src.URL, src.Author, unix(src.PublishedAt), boolInt(r.Autosave), cats, tags, r.FeaturedID, r.Format)
	if tx.d.isUniqueViolation(err) {
		// Another transaction saved the same version first.
		return 0, conflict(cur+1, base)
	}
	if err != nil {
		return 0, fmt.Errorf("store: add revision to post %d: %w", r.PostID, err)
	}
	if known {
		tx.bulk.versions[r.PostID] = cur + 1
	}
	return cur + 1, nil
}

// termsJSON stores a revision's term names: a JSON array, or "" when the
// revision does not record terms.
func termsJSON(names []string, recorded bool) string {
	if !recorded {
		return ""
	}
	if names == nil {
		names = []string{}
	}
	b, _ := json.Marshal(names)
	return string(b)
}

func conflict(cur, base int) error {
	return &content.Error{Code: content.EConflict, Field: "version", Message: fmt.Sprintf(
		"someone else saved this post while you were editing it (you started from version %d, it is now at version %d); "+
			"nothing of yours was saved and nothing of theirs was overwritten: copy your changes, reload, and apply them again", base, cur)}
}

const revisionColumns = `r.post_id, r.number, COALESCE(r.author_id, 0), COALESCE(u.name, ''), r.created_at, r.title, r.slug,
	r.status, r.body, r.excerpt, r.source_name, r.source_url, r.source_author, r.source_published_at, r.autosave,
	r.categories, r.tags, r.featured_id, r.format`

func scanRevision(row interface{ Scan(...any) error }) (*content.Revision, error) {
	var (
		r               content.Revision
		created, srcPub int64
		autosave        int
		srcName, srcURL string
		srcAuthor       string
		cats, tags      string
	)
	if err := row.Scan(&r.PostID, &r.Number, &r.AuthorID, &r.AuthorName, &created, &r.Title, &r.Slug, &r.Status,
		&r.Body, &r.Excerpt, &srcName, &srcURL, &srcAuthor, &srcPub, &autosave, &cats, &tags, &r.FeaturedID, &r.Format); err != nil {
		return nil, err
	}
	if cats != "" || tags != "" {
		r.Terms = true
		if err := json.Unmarshal([]byte(cats), &r.Categories); err != nil {
			return nil, fmt.Errorf("categories of revision %d: %w", r.Number, err)
		}
		if err := json.Unmarshal([]byte(tags), &r.Tags); err != nil {
			return nil, fmt.Errorf("tags of revision %d: %w", r.Number, err)
		}
	}
	r.CreatedAt, r.Autosave = fromUnix(created), autosave != 0
	src := &content.Source{Name: srcName, URL: srcURL, Author: srcAuthor, PublishedAt: fromUnix(srcPub)}
	if !src.IsZero() {
		r.Source = src
	}
	return &r, nil
}

// FindRevisions returns a post's revisions, newest first.
func (c conn) FindRevisions(ctx context.Context, postID int64) ([]*content.Revision, error) {
	rows, err := c.query(ctx, `SELECT `+revisionColumns+` FROM revisions r LEFT JOIN users u ON u.id = r.author_id
		WHERE r.post_id = ? ORDER BY r.number DESC`, postID)
	if err != nil {
		return nil, fmt.Errorf("store: find revisions of post %d: %w", postID, err)
	}
	defer rows.Close()
	var out []*content.Revision
	for rows.Next() {
		r, err := scanRevision(rows)
		if err != nil {
			return nil, fmt.Errorf("store: scan revision: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// FindRevision returns one revision of a post.
func (c conn) FindRevision(ctx context.Context, postID int64, number int) (*content.Revision, error) {
	r, err := scanRevision(c.queryRow(ctx, `SELECT `+revisionColumns+` FROM revisions r LEFT JOIN users u ON u.id = r.author_id
		WHERE r.post_id = ? AND r.number = ?`, postID, number))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, content.Errorf(content.ENotFound, "Post %d has no revision %d.", postID, number)
	}
	if err != nil {
		return nil, fmt.Errorf("store: find revision: %w", err)
	}
	return r, nil
}
