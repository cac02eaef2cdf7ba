package wxr

import (
	"context"
	"fmt"
	"html"
	"net/mail"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/wordpress"
)

// commentStatuses maps wp:comment_approved to a comment's status.
var commentStatuses = map[string]content.CommentStatus{
	"1": content.CommentApproved, "approve": content.CommentApproved, "approved": content.CommentApproved,
	"0": content.CommentPending, "hold": content.CommentPending, "": content.CommentPending,
	"spam": content.CommentSpam, "trash": content.CommentTrash, "post-trashed": content.CommentTrash,
}

// comments imports the item's comments onto the entry p, replies after
// what they reply to, each found again by its WordPress id on a re-import.
func (imp *importer) comments(ctx context.Context, it *wordpress.Item, p *content.Post) error {
	if it.CommentStatus == "open" && p.Status == content.StatusPublished {
		imp.openComments = true
	}
	if len(it.Comments) == 0 {
		return nil
	}
	byID := make(map[int64]*wordpress.Comment, len(it.Comments))
	for i := range it.Comments {
		c := &it.Comments[i]
		if c.ID <= 0 {
			imp.commentSkipped(it, c, "it has no <wp:comment_id>")
			continue
		}
		if byID[c.ID] != nil {
			imp.commentSkipped(it, c, "another comment of this entry has the same id")
			continue
		}
		byID[c.ID] = c
	}
	stored := map[int64]int64{}  // WordPress comment id → comment id
	visiting := map[int64]bool{} // parents being imported, against loops
	var put func(c *wordpress.Comment) error
	put = func(c *wordpress.Comment) error {
		if _, done := stored[c.ID]; done || visiting[c.ID] {
			return nil
		}
		visiting[c.ID] = true
		var parentID int64
		if c.Parent != 0 {
			parent := byID[c.Parent]
			if parent != nil {
				if err := put(parent); err != nil {
					return err
				}
			}
			if id := stored[c.Parent]; id != 0 {
				parentID = id
			} else {
				imp.commentChanged(it, c, "it replies to comment %d, which is not imported: shown as a comment on the post", c.Parent)
			}
		}
		cm, ok := imp.comment(it, c, p.PublishedAt)
		if !ok {
			stored[c.ID] = 0
			return nil
		}
		cm.PostID, cm.ParentID = p.ID, parentID
		how, err := imp.tx.PutImportedComment(ctx, cm, imp.ownSite)
		if content.ErrorCode(err) == content.EInvalid {
			imp.commentSkipped(it, c, "%s", err.Error())
			stored[c.ID] = 0
			return nil
		}
		if err != nil {
			return err
		}
		stored[c.ID] = cm.ID
		switch how {
		case store.CommentCreated:
			imp.rep.Comments.Created++
		case store.CommentUpdated:
			imp.rep.Comments.Updated++
		default:
			imp.rep.Comments.Unchanged++
		}
		return nil
	}
	for i := range it.Comments {
		c := &it.Comments[i]
		if byID[c.ID] != c {
			continue
		}
		if err := put(c); err != nil {
			return err
		}
	}
	return nil
}

// comment turns a WordPress comment into one of Broadsheet's, saying what
// it changed; false when it cannot be imported.
func (imp *importer) comment(it *wordpress.Item, c *wordpress.Comment, posted time.Time) (*content.Comment, bool) {
	status, ok := commentStatuses[strings.ToLower(c.Approved)]
	if !ok {
		imp.commentSkipped(it, c, "unknown status %q", c.Approved)
		return nil, false
	}
	cm := &content.Comment{Status: status, WordPressID: c.ID, IP: c.AuthorIP,
		Author: strings.TrimSpace(html.UnescapeString(c.Author))}
	switch c.Type {
	case "", "comment":
	case content.CommentPingback, content.CommentTrackback:
		cm.Kind = c.Type
	default:
		imp.commentSkipped(it, c, "comments of type %q (a plugin's) are not imported", c.Type)
		return nil, false
	}
	if cm.Author == "" {
		cm.Author = "Anonymous"
	}
	if e := strings.TrimSpace(c.AuthorEmail); e != "" {
		if a, err := mail.ParseAddress(e); err == nil && a.Address == e {
			cm.Email = e
		} else {
			imp.commentChanged(it, c, "the email %q is not an address: left out", e)
		}
	}
	if u := strings.TrimSpace(c.AuthorURL); u != "" && u != "http://" && u != "https://" {
		if content.ValidateHTTPURL(u) == nil {
			cm.URL = u
		} else {
			imp.commentChanged(it, c, "the website %q is not an http(s) address: left out", u)
		}
	}
	when, err := commentTime(c)
	if err != nil {
		imp.commentSkipped(it, c, "%v", err)
		return nil, false
	}
	if when.IsZero() {
		when = posted
		imp.commentChanged(it, c, "no date: dated as the entry")
	}
	cm.CreatedAt = when
	// WordPress keeps what the reader typed, and makes paragraphs of it
	// when it shows it; Broadsheet's own exports carry the HTML shown.
	cm.HTML = c.Content
	if !imp.ownSite {
		cm.HTML = autop(strings.ReplaceAll(c.Content, "\r\n", "\n"))
	}
	return cm, true
}

// commentTime is when the comment was written: its GMT date, else its
// local one taken as UTC; zero when it has neither.
func commentTime(c *wordpress.Comment) (time.Time, error) {
	for _, s := range []string{c.DateGMT, c.Date} {
		if s == "" || strings.HasPrefix(s, "0000-00-00") {
			continue
		}
		t, err := time.Parse(wpTime, s)
		if err != nil {
			return time.Time{}, fmt.Errorf("unreadable date %q", s)
		}
		return t.UTC(), nil
	}
	return time.Time{}, nil
}

func (imp *importer) commentSkipped(it *wordpress.Item, c *wordpress.Comment, format string, args ...any) {
	imp.rep.Comments.Skipped++
	imp.note(true, Skip{Line: it.Line, Type: "comment", Title: commentTitle(it, c), Reason: fmt.Sprintf(format, args...)})
}

func (imp *importer) commentChanged(it *wordpress.Item, c *wordpress.Comment, format string, args ...any) {
	imp.note(false, Skip{Line: it.Line, Type: "comment", Title: commentTitle(it, c), Reason: fmt.Sprintf(format, args...)})
}

func commentTitle(it *wordpress.Item, c *wordpress.Comment) string {
	return fmt.Sprintf("comment %d by %s on %q", c.ID, firstNonEmpty(c.Author, "someone"), it.Title)
}

// commentsLeft reports the comments of an item that is not a post or page.
func (imp *importer) commentsLeft(it *wordpress.Item) {
	for i := range it.Comments {
		imp.commentSkipped(it, &it.Comments[i], "comments on %s items are not imported", firstNonEmpty(it.PostType, "untyped"))
	}
}

// enableComments turns comments on for a new site whose export had open
// comments on a published entry, as the WordPress site did.
// A Broadsheet export says itself whether its site took comments.
func (imp *importer) enableComments(ctx context.Context) error {
	on := imp.openComments
	if imp.ownSite && imp.channel != nil && imp.channel.Comments != "" {
		on = imp.channel.Comments == "on"
	}
	if !imp.fresh || !on {
		return nil
	}
	s, err := imp.tx.LoadSettings(ctx)
	if err != nil || s.CommentsEnabled {
		return err
	}
	s.CommentsEnabled = true
	return imp.tx.SaveSettings(ctx, s)
}
