package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/broadsheet/broadsheet/internal/content"
)

// EntryFilter selects entries for the admin's lists, in any status.
type EntryFilter struct {
	Kind     content.Kind   // default KindPost
	Status   content.Status // "" for every status but trash
	AuthorID int64
	TermID   int64
	Title    string // words the title contains, without regard to case
	// Sort is the column the list is ordered by: "date" (the default:
	// when published or scheduled, else when created), "title",
	// "author", "status" or "modified".
	Sort string
	// Asc orders oldest or A first; the default is newest or Z first.
	Asc    bool
	Offset int
	Limit  int
}

// entrySorts are the columns FindEntries sorts by, with their order.
var entrySorts = map[string]string{
	"date":     `CASE WHEN p.published_at > 0 THEN p.published_at ELSE p.created_at END`,
	"title":    `lower(p.title)`,
	"author":   `COALESCE((SELECT MIN(lower(u.name)) FROM post_authors pa JOIN users u ON u.id = pa.user_id WHERE pa.post_id = p.id), '')`,
	"status":   `p.status`,
	"modified": `p.updated_at`,
}

// orderBy is f's ORDER BY clause; ties go by id in the same direction.
func (f EntryFilter) orderBy() (string, error) {
	key := f.Sort
	if key == "" {
		key = "date"
	}
	expr, ok := entrySorts[key]
	if !ok {
		return "", content.FieldError("sort", "the list cannot be sorted by %q: choose date, title, author, status or modified", f.Sort)
	}
	dir := " DESC"
	if f.Asc {
		dir = " ASC"
	}
	return ` ORDER BY ` + expr + dir + `, p.id` + dir, nil
}

func (f EntryFilter) where() (string, []any) {
	kind := f.Kind
	if kind == "" {
		kind = content.KindPost
	}
	conds := []string{"p.kind = ?"}
	args := []any{kind}
	if f.Status != "" {
		conds = append(conds, "p.status = ?")
		args = append(args, f.Status)
	} else {
		conds = append(conds, "p.status <> ?")
		args = append(args, content.StatusTrash)
	}
	if f.AuthorID != 0 {
		conds = append(conds, "EXISTS (SELECT 1 FROM post_authors pa WHERE pa.post_id = p.id AND pa.user_id = ?)")
		args = append(args, f.AuthorID)
	}
	if f.TermID != 0 {
		conds = append(conds, "EXISTS (SELECT 1 FROM post_terms pt WHERE pt.post_id = p.id AND pt.term_id = ?)")
		args = append(args, f.TermID)
	}
	for _, w := range strings.Fields(strings.ToLower(f.Title)) {
		conds = append(conds, `lower(p.title) LIKE ? ESCAPE '!'`)
		args = append(args, "%"+likeEscaper.Replace(w)+"%")
	}
	return strings.Join(conds, " AND "), args
}

var likeEscaper = strings.NewReplacer("!", "!!", "%", "!%", "_", "!_")

// FindEntries returns one page of the entries matching f, most recently
// changed first, without bodies, and the number of all matching.
func (c conn) FindEntries(ctx context.Context, f EntryFilter) ([]*content.Post, int, error) {
	order, err := f.orderBy()
	if err != nil {
		return nil, 0, err
	}
	where, args := f.where()
	var total int
	if err := c.queryRow(ctx, `SELECT COUNT(*) FROM posts p WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count entries: %w", err)
	}
	q := `SELECT ` + postColumns + ` FROM posts p WHERE ` + where + order
	if f.Limit > 0 {
		q += ` LIMIT ? OFFSET ?`
		args = append(args, f.Limit, f.Offset)
	}
	rows, err := c.query(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: find entries: %w", err)
	}
	defer rows.Close()
	var posts []*content.Post
	for rows.Next() {
		p, err := scanPost(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("store: scan entry: %w", err)
		}
		posts = append(posts, p)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if err := c.loadRelations(ctx, posts); err != nil {
		return nil, 0, err
	}
	return posts, total, nil
}

// CountEntriesByStatus returns how many entries of the kind each status
// has, counting only authorID's when it is not 0.
func (c conn) CountEntriesByStatus(ctx context.Context, kind content.Kind, authorID int64) (map[content.Status]int, error) {
	q := `SELECT p.status, COUNT(*) FROM posts p WHERE p.kind = ?`
	args := []any{kind}
	if authorID != 0 {
		q += ` AND EXISTS (SELECT 1 FROM post_authors pa WHERE pa.post_id = p.id AND pa.user_id = ?)`
		args = append(args, authorID)
	}
	rows, err := c.query(ctx, q+` GROUP BY p.status`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: count entries: %w", err)
	}
	defer rows.Close()
	out := map[content.Status]int{}
	for rows.Next() {
		var (
			s content.Status
			n int
		)
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		out[s] = n
	}
	return out, rows.Err()
}

// SlugTaken reports whether an entry of the kind other than exceptID has slug.
func (c conn) SlugTaken(ctx context.Context, kind content.Kind, slug string, exceptID int64) (bool, error) {
	var n int
	if err := c.queryRow(ctx, `SELECT COUNT(*) FROM posts WHERE kind = ? AND slug = ? AND id <> ?`, kind, slug, exceptID).Scan(&n); err != nil {
		return false, fmt.Errorf("store: slug taken: %w", err)
	}
	return n > 0, nil
}
