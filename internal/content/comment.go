package content

import (
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// CommentStatus is where a comment stands in moderation.
type CommentStatus string

// Comment statuses: only approved comments are shown to readers.
const (
	CommentApproved CommentStatus = "approved"
	CommentPending  CommentStatus = "pending"
	CommentSpam     CommentStatus = "spam"
	CommentTrash    CommentStatus = "trash"
)

// CommentStatuses lists the statuses in the order moderation shows them.
var CommentStatuses = []CommentStatus{CommentPending, CommentApproved, CommentSpam, CommentTrash}

// Valid reports whether s is a known status.
func (s CommentStatus) Valid() bool {
	switch s {
	case CommentApproved, CommentPending, CommentSpam, CommentTrash:
		return true
	}
	return false
}

// Comment kinds: a reader's comment (""), or a notice that another site
// linked to the post.
const (
	CommentPingback  = "pingback"
	CommentTrackback = "trackback"
)

// Limits of what a reader may send.
const (
	MaxCommentBytes    = 16 << 10
	MaxCommentNameRune = 100
)

// Comment is a reader's response to a post, possibly a reply to another.
type Comment struct {
	ID       int64
	PostID   int64
	ParentID int64 // 0: a comment on the post itself
	// Author is the name shown; Email is never shown; URL is the
	// author's site, linked from the name.
	Author, Email, URL string
	// UserID is the editor who wrote it from the admin (a reply), or 0.
	UserID    int64
	CreatedAt time.Time
	// HTML is the comment's text, sanitised.
	HTML   string
	Status CommentStatus
	// Kind is "" for a comment, or CommentPingback or CommentTrackback.
	Kind string
	// WordPressID is the comment's id in the WordPress export it came
	// from (0 when written here): a re-import finds it by it.
	WordPressID int64
	// IP is the address the comment was sent from, for moderators.
	IP string

	// Children are its replies, when a thread is built (Thread).
	Children []*Comment `json:"-"`
}

// Anchor is the fragment of the post's address the comment is at.
func (c *Comment) Anchor() string { return "comment-" + strconv.FormatInt(c.ID, 10) }

// Validate checks a comment before it is stored: a name, text, and an
// email and site that are addresses when given.
func (c *Comment) Validate() error {
	if err := storableTexts("author", c.Author, "email", c.Email, "url", c.URL, "content", c.HTML); err != nil {
		return err
	}
	if !c.Status.Valid() {
		return FieldError("status", "the status must be approved, pending, spam or trash, not %q", c.Status)
	}
	if c.PostID == 0 {
		return FieldError("post_id", "a comment belongs to a post")
	}
	if strings.TrimSpace(c.Author) == "" {
		return FieldError("author", "give a name to sign the comment with")
	}
	if utf8.RuneCountInString(c.Author) > MaxCommentNameRune {
		return FieldError("author", "the name is longer than %d characters", MaxCommentNameRune)
	}
	if strings.TrimSpace(c.HTML) == "" {
		return FieldError("content", "the comment is empty")
	}
	if len(c.HTML) > MaxCommentBytes*4 {
		return FieldError("content", "the comment is longer than %d KB", MaxCommentBytes*4>>10)
	}
	if c.Email != "" {
		if a, err := mail.ParseAddress(c.Email); err != nil || a.Address != c.Email {
			return FieldError("email", "%q is not an email address", c.Email)
		}
	}
	if c.URL != "" {
		if err := ValidateHTTPURL(c.URL); err != nil {
			return FieldError("url", "the website must be an http(s) address such as https://example.org: %s", err.Error())
		}
	}
	if c.Kind != "" && c.Kind != CommentPingback && c.Kind != CommentTrackback {
		return FieldError("kind", "a comment's kind is empty, %q or %q, not %q", CommentPingback, CommentTrackback, c.Kind)
	}
	return nil
}

// Thread arranges comments (oldest first) into threads: the returned
// comments are those on the post itself, each with its replies in
// Children. A reply whose parent is not among comments is shown at the
// top level rather than lost.
func Thread(comments []*Comment) []*Comment {
	// A reply goes under a parent met before it, so no thread loops.
	byID := make(map[int64]*Comment, len(comments))
	var top []*Comment
	for _, c := range comments {
		c.Children = nil
		if p := byID[c.ParentID]; p != nil {
			p.Children = append(p.Children, c)
		} else {
			top = append(top, c)
		}
		byID[c.ID] = c
	}
	return top
}
