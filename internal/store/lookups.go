package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/broadsheet/broadsheet/internal/content"
)

// LinkLookup is what the addresses in a post's body may lead to, to be
// looked up at once (an import rewriting a post's links asks dozens of
// these questions): old addresses kept as aliases, files of the media
// library by storage key, and posts and pages by slug.
type LinkLookup struct {
	Aliases      []string
	Media        []string
	Posts, Pages []string
}

// LinkTargets are the answers, by what was asked: where each alias leads
// now (as FindAliasTarget says), each file's URL, each entry's path (as
// FindSlugPath says). What was not found is left out.
type LinkTargets struct {
	Aliases, Media, Posts, Pages map[string]string
}

// maxLookup bounds the keys of one query.
const maxLookup = 500

// FindLinkTargets answers q in one query (one per 500 keys).
func (c conn) FindLinkTargets(ctx context.Context, q LinkLookup) (LinkTargets, error) {
	out := LinkTargets{Aliases: map[string]string{}, Media: map[string]string{}, Posts: map[string]string{}, Pages: map[string]string{}}
	// An alias kept by a bulk transaction and not written yet is answered
	// from what is kept; its post is written (first, when a fill kept it
	// too), and read with the others, as are media items a fill kept.
	for _, table := range []string{"posts", "media"} {
		if err := c.writeKept(ctx, table, nil); err != nil {
			return LinkTargets{}, err
		}
	}
	var stored []string
	keptPosts := map[int64][]string{} // post id → kept aliases' paths
	var postIDs []int64
	for _, path := range q.Aliases {
		kept, ok := c.bulk.pendingRow("aliases", path)
		if !ok {
			stored = append(stored, path)
			continue
		}
		if id, _ := kept[1].(int64); id != 0 {
			if keptPosts[id] == nil {
				postIDs = append(postIDs, id)
			}
			keptPosts[id] = append(keptPosts[id], path)
		} else {
			out.Aliases[path] = kept[2].(string)
		}
	}
	lists := [][]string{stored, q.Media, q.Posts, q.Pages}
	for {
		var (
			parts []string
			args  []any
			left  bool
		)
		budget := maxLookup
		take := func(n int) int {
			n = min(n, budget)
			budget -= n
			return n
		}
		if n := take(len(lists[0])); n > 0 {
			parts = append(parts, `SELECT 0, a.path, a.target, p.kind, p.slug, p.published_at, p.published_offset, 0 FROM aliases a
				LEFT JOIN posts p ON p.id = a.post_id WHERE a.path IN (`+placeholders(n)+`)`)
			args = appendStrings(args, lists[0][:n])
			lists[0] = lists[0][n:]
		}
		if n := take(len(lists[1])); n > 0 {
			parts = append(parts, `SELECT 1, m.storage_key, '', NULL, NULL, NULL, NULL, 0 FROM media m WHERE m.storage_key IN (`+placeholders(n)+`)`)
			args = appendStrings(args, lists[1][:n])
			lists[1] = lists[1][n:]
		}
		for i, kind := range []content.Kind{content.KindPost, content.KindPage} {
			if n := take(len(lists[2+i])); n > 0 {
				parts = append(parts, fmt.Sprintf(`SELECT %d, slug, '', kind, slug, published_at, published_offset, 0 FROM posts WHERE kind = ? AND slug IN (`+placeholders(n)+`)`, 2+i))
				args = appendStrings(append(args, kind), lists[2+i][:n])
				lists[2+i] = lists[2+i][n:]
			}
		}
		if n := take(len(postIDs)); n > 0 {
			parts = append(parts, `SELECT 4, '', '', kind, slug, published_at, published_offset, id FROM posts WHERE id IN (`+placeholders(n)+`)`)
			for _, id := range postIDs[:n] {
				args = append(args, id)
			}
			postIDs = postIDs[n:]
		}
		for _, l := range lists {
			left = left || len(l) > 0
		}
		left = left || len(postIDs) > 0
		if len(parts) == 0 {
			return out, nil
		}
		// The rows kept for other aliases leave these answers as they are.
		if err := c.linkTargets(ctx, strings.Join(parts, " UNION ALL "), args, &out, keptPosts); err != nil {
			return LinkTargets{}, fmt.Errorf("store: find link targets: %w", err)
		}
		if !left {
			return out, nil
		}
	}
}

func (c conn) linkTargets(ctx context.Context, query string, args []any, out *LinkTargets, keptPosts map[int64][]string) error {
	rows, err := c.queryAsIs(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			what        int
			key, target string
			kind, slug  sql.NullString
			pub, off    sql.NullInt64
			id          int64
		)
		if err := rows.Scan(&what, &key, &target, &kind, &slug, &pub, &off, &id); err != nil {
			return err
		}
		path := ""
		if kind.Valid {
			path = postPath(content.Kind(kind.String), slug.String, pub.Int64, int(off.Int64))
		}
		switch what {
		case 0:
			if path == "" {
				path = target
			}
			out.Aliases[key] = path
		case 1:
			out.Media[key] = (&content.Media{Key: key}).URL()
		case 2:
			out.Posts[key] = path
		case 3:
			out.Pages[key] = path
		case 4:
			for _, a := range keptPosts[id] {
				out.Aliases[a] = path
			}
		}
	}
	return rows.Err()
}

func appendStrings(args []any, ss []string) []any {
	for _, s := range ss {
		args = append(args, s)
	}
	return args
}
