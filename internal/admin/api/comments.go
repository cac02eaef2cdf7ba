package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/markup"
	"github.com/broadsheet/broadsheet/internal/store"
)

// Comment is a reader's comment as the API shows it.
type Comment struct {
	ID          int64     `json:"id"`
	Post        int64     `json:"post"`
	Parent      int64     `json:"parent"` // 0: on the post itself
	Author      string    `json:"author"`
	Email       string    `json:"email"`
	URL         string    `json:"url"`
	IP          string    `json:"ip"`
	Date        time.Time `json:"date"`
	Content     string    `json:"content"` // sanitised HTML
	Status      string    `json:"status"`
	Kind        string    `json:"kind"`         // "", "pingback" or "trackback"
	WordPressID int64     `json:"wordpress_id"` // 0 unless imported
	Link        string    `json:"link"`         // on the post's page
}

// CommentList is a page of GET /api/v1/comments.
type CommentList struct {
	Comments []Comment `json:"comments"`
	Page     int       `json:"page"`
	Pages    int       `json:"pages"`
	Total    int       `json:"total"`
}

func (a *API) commentJSON(r *http.Request, c *content.Comment, postPath string) Comment {
	out := Comment{ID: c.ID, Post: c.PostID, Parent: c.ParentID, Author: c.Author, Email: c.Email, URL: c.URL, IP: c.IP,
		Date: c.CreatedAt.UTC(), Content: c.HTML, Status: string(c.Status), Kind: c.Kind, WordPressID: c.WordPressID}
	if postPath != "" {
		out.Link = a.baseURL(r) + postPath + "#" + c.Anchor()
	}
	return out
}

func (a *API) commentRoutes() []struct {
	pattern string
	h       HandlerFunc
} {
	return []struct {
		pattern string
		h       HandlerFunc
	}{
		{"GET /api/v1/comments", a.listComments},
		{"GET /api/v1/comments/{id}", a.getComment},
		{"PATCH /api/v1/comments/{id}", a.patchComment},
		{"POST /api/v1/comments/{id}/replies", a.replyComment},
	}
}

func mayModerate(u *content.User) error {
	if !u.CanEditOthers() {
		return content.Errorf(content.EForbidden, "Your role (%s) may not moderate comments: editors and admins do.", u.Role)
	}
	return nil
}

// postPaths returns the addresses of the comments' posts.
func (a *API) postPaths(r *http.Request, list []*content.Comment) (map[int64]string, error) {
	ids := make([]int64, 0, len(list))
	for _, c := range list {
		ids = append(ids, c.PostID)
	}
	posts, err := a.cfg.DB.FindPostsByIDs(r.Context(), ids)
	if err != nil {
		return nil, err
	}
	out := map[int64]string{}
	for _, p := range posts {
		out[p.ID] = p.Path()
	}
	return out, nil
}

func (a *API) listComments(w http.ResponseWriter, r *http.Request, u *content.User) error {
	if err := mayModerate(u); err != nil {
		return err
	}
	q := r.URL.Query()
	f := store.CommentFilter{Limit: PerPage}
	if s := q.Get("status"); s != "" {
		f.Status = content.CommentStatus(s)
		if !f.Status.Valid() {
			return malformed("status", "unknown comment status %q: use pending, approved, spam or trash", s)
		}
	}
	if s := q.Get("post"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			return malformed("post", "post must be a post's id, not %q", s)
		}
		f.PostID = n
	}
	page := 1
	if s := q.Get("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return malformed("page", "page must be a whole number from 1, not %q", s)
		}
		page = n
	}
	f.Offset = (page - 1) * PerPage
	list, total, err := a.cfg.DB.FindComments(r.Context(), f)
	if err != nil {
		return err
	}
	paths, err := a.postPaths(r, list)
	if err != nil {
		return err
	}
	out := CommentList{Comments: []Comment{}, Page: page, Total: total, Pages: (total + PerPage - 1) / PerPage}
	for _, c := range list {
		out.Comments = append(out.Comments, a.commentJSON(r, c, paths[c.PostID]))
	}
	return WriteJSON(w, http.StatusOK, out)
}

func (a *API) oneComment(w http.ResponseWriter, r *http.Request, c *content.Comment, status int) error {
	paths, err := a.postPaths(r, []*content.Comment{c})
	if err != nil {
		return err
	}
	return WriteJSON(w, status, a.commentJSON(r, c, paths[c.PostID]))
}

func (a *API) getComment(w http.ResponseWriter, r *http.Request, u *content.User) error {
	if err := mayModerate(u); err != nil {
		return err
	}
	id, err := PathID(r, "id")
	if err != nil {
		return err
	}
	c, err := a.cfg.DB.FindComment(r.Context(), id)
	if err != nil {
		return err
	}
	return a.oneComment(w, r, c, http.StatusOK)
}

// patchComment moderates a comment: {"status": "approved"}.
func (a *API) patchComment(w http.ResponseWriter, r *http.Request, u *content.User) error {
	if err := mayModerate(u); err != nil {
		return err
	}
	id, err := PathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Status *string `json:"status"`
	}
	if err := Decode(w, r, &in); err != nil {
		return err
	}
	if in.Status == nil {
		return malformed("status", "send the comment's new status: pending, approved, spam or trash")
	}
	var c *content.Comment
	if err := a.cfg.DB.Update(r.Context(), func(tx *store.Tx) error {
		c, err = tx.SetCommentStatus(r.Context(), id, content.CommentStatus(*in.Status))
		return err
	}); err != nil {
		return err
	}
	return a.oneComment(w, r, c, http.StatusOK)
}

// replyComment answers a comment as the caller, approved at once, and
// approves the comment answered: {"content": "text"}.
func (a *API) replyComment(w http.ResponseWriter, r *http.Request, u *content.User) error {
	if err := mayModerate(u); err != nil {
		return err
	}
	id, err := PathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Content string `json:"content"`
	}
	if err := Decode(w, r, &in); err != nil {
		return err
	}
	text := strings.TrimSpace(in.Content)
	if text == "" {
		return content.FieldError("content", "the reply is empty")
	}
	if len(text) > content.MaxCommentBytes {
		return content.FieldError("content", "the reply is longer than %d KB", content.MaxCommentBytes>>10)
	}
	var reply *content.Comment
	if err := a.cfg.DB.Update(r.Context(), func(tx *store.Tx) error {
		parent, err := tx.SetCommentStatus(r.Context(), id, content.CommentApproved)
		if err != nil {
			return err
		}
		reply = &content.Comment{PostID: parent.PostID, ParentID: parent.ID, Author: u.Name, Email: u.Email, UserID: u.ID,
			HTML: markup.CommentText(text), Status: content.CommentApproved}
		return tx.CreateComment(r.Context(), reply)
	}); err != nil {
		return err
	}
	return a.oneComment(w, r, reply, http.StatusCreated)
}
