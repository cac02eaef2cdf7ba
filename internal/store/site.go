package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/broadsheet/broadsheet/internal/content"
)

// FindAlias returns the alias stored for an old URL path.
func (c conn) FindAlias(ctx context.Context, path string) (*content.Alias, error) {
	var (
		a      content.Alias
		postID sql.NullInt64
	)
	if kept, ok := c.bulk.pendingRow("aliases", path); ok {
		a.Path, a.Target = path, kept[2].(string)
		a.PostID, _ = kept[1].(int64)
		return &a, nil
	}
	// Any row kept for another path leaves this one's answer as it is.
	err := c.queryRowAsIs(ctx, `SELECT path, post_id, target FROM aliases WHERE path = ?`, path).Scan(&a.Path, &postID, &a.Target)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, content.Errorf(content.ENotFound, "No alias for %q.", path)
	}
	if err != nil {
		return nil, fmt.Errorf("store: find alias %q: %w", path, err)
	}
	a.PostID = postID.Int64
	return &a, nil
}

// PutAlias stores or replaces the alias for a.Path.
func (tx *Tx) PutAlias(ctx context.Context, a *content.Alias) error {
	if a.Path == "" || a.Path[0] != '/' {
		return content.FieldError("path", "an alias path must start with '/', not %q", a.Path)
	}
	var postID any
	if a.PostID != 0 {
		postID = a.PostID
	}
	err := tx.insertRow(ctx, "aliases", `INSERT INTO aliases (path, post_id, target) VALUES `, `(?, ?, ?)`,
		` ON CONFLICT (path) DO UPDATE SET post_id = excluded.post_id, target = excluded.target`, a.Path, a.Path, postID, a.Target)
	if err != nil {
		return fmt.Errorf("store: put alias %q: %w", a.Path, err)
	}
	tx.touchSite()
	return nil
}

// LoadSettings returns the site's settings, defaults filling what was never saved.
func (c conn) LoadSettings(ctx context.Context) (content.Settings, error) {
	s := content.DefaultSettings()
	rows, err := c.query(ctx, `SELECT key, value FROM settings`)
	if err != nil {
		return s, fmt.Errorf("store: load settings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return s, fmt.Errorf("store: scan setting: %w", err)
		}
		switch k {
		case "title":
			s.Title = v
		case "description":
			s.Description = v
		case "language":
			s.Language = v
		case "timezone":
			s.TimeZone = v
		case "logo":
			s.Logo = v
		case "teaser_style":
			s.TeaserStyle = v
		case "menu":
			if err := json.Unmarshal([]byte(v), &s.Menu); err != nil {
				return s, fmt.Errorf("store: read the menu setting: %w", err)
			}
		case "posts_per_page":
			if n, err := strconv.Atoi(v); err == nil {
				s.PostsPerPage = n
			}
		case "feed_items":
			if n, err := strconv.Atoi(v); err == nil {
				s.FeedItems = n
			}
		case "feed_full_text":
			s.FeedFullText = v == "1"
		case "robots_txt":
			s.RobotsTxt = v
		case "websub_hub":
			s.WebSubHub = v
		case "comments_enabled":
			s.CommentsEnabled = v == "1"
		}
	}
	return s, rows.Err()
}

// SaveSettings validates and stores the site's settings.
// A zero FeedItems means the default, so callers that predate it keep working.
func (tx *Tx) SaveSettings(ctx context.Context, s content.Settings) error {
	if s.FeedItems == 0 {
		s.FeedItems = content.DefaultSettings().FeedItems
	}
	if s.TeaserStyle == "" {
		s.TeaserStyle = content.TeaserFull
	}
	if err := s.Validate(); err != nil {
		return err
	}
	menu, err := json.Marshal(s.Menu)
	if err != nil {
		return fmt.Errorf("store: save the menu: %w", err)
	}
	values := map[string]string{
		"title": s.Title, "description": s.Description, "language": s.Language,
		"posts_per_page": strconv.Itoa(s.PostsPerPage),
		"feed_items":     strconv.Itoa(s.FeedItems), "feed_full_text": strconv.Itoa(boolInt(s.FeedFullText)),
		"robots_txt": s.RobotsTxt, "websub_hub": s.WebSubHub,
		"timezone": s.TimeZone, "logo": s.Logo, "menu": string(menu),
		"teaser_style": s.TeaserStyle, "comments_enabled": strconv.Itoa(boolInt(s.CommentsEnabled)),
	}
	// In the order of the keys: two saves locking the rows each in its own
	// (a map's) order deadlock on PostgreSQL.
	for _, k := range slices.Sorted(maps.Keys(values)) {
		v := values[k]
		if _, err := tx.exec(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, k, v); err != nil {
			return fmt.Errorf("store: save setting %s: %w", k, err)
		}
	}
	tx.touchSite()
	return nil
}
