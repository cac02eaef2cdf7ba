package admin

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/markup"
	"github.com/broadsheet/broadsheet/internal/store"
)

// commentsPerPage is how many comments the moderation list shows at once.
const commentsPerPage = 50

func (a *Admin) commentRoutes(mux *http.ServeMux) {
	mux.Handle("GET /admin/comments", a.page(a.comments))
	mux.Handle("POST /admin/comments/{id}/status", a.page(a.moderateComment))
	mux.Handle("POST /admin/comments/{id}/reply", a.page(a.replyToComment))
}

// CommentsPage is the moderation list: pending comments first, then the
// newest, filtered by status.
type CommentsPage struct {
	Layout
	Tabs     []Tab
	Status   string
	Comments []*ModeratedComment
	Newer    string
	Older    string
}

// ModeratedComment is a comment with the post it is on.
type ModeratedComment struct {
	*content.Comment
	Post *content.Post
}

// Actions are the moves moderation offers from the comment's status.
func (c *ModeratedComment) Actions() []CommentAction {
	var out []CommentAction
	for _, a := range []CommentAction{{"approved", "Approve"}, {"pending", "Unapprove"}, {"spam", "Spam"}, {"trash", "Trash"}} {
		if content.CommentStatus(a.Status) != c.Status && !(a.Status == "pending" && c.Status != content.CommentApproved) {
			out = append(out, a)
		}
	}
	return out
}

// CommentAction is one moderation button.
type CommentAction struct{ Status, Label string }

func canModerate(u *content.User) error {
	if !u.CanEditOthers() {
		return content.Errorf(content.EForbidden, "Only editors and admins moderate comments.")
	}
	return nil
}

func (a *Admin) comments(w http.ResponseWriter, r *http.Request, u *content.User) error {
	if err := canModerate(u); err != nil {
		return err
	}
	ctx := r.Context()
	q := r.URL.Query()
	status := q.Get("status")
	if status != "" && !content.CommentStatus(status).Valid() {
		return content.Errorf(content.EInvalid, "There is no comment status %q: choose pending, approved, spam or trash.", status)
	}
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	counts, err := a.cfg.DB.CountCommentsByStatus(ctx)
	if err != nil {
		return err
	}
	p := CommentsPage{Layout: Layout{Title: "Comments", User: u, Section: "comments", Flash: q.Get("flash")}, Status: status}
	all := 0
	for _, n := range counts {
		all += n
	}
	p.Tabs = append(p.Tabs, Tab{Label: "All", URL: "/admin/comments", Count: all, Active: status == ""})
	for _, s := range content.CommentStatuses {
		p.Tabs = append(p.Tabs, Tab{Label: commentStatusLabel(s), URL: "/admin/comments?status=" + string(s), Count: counts[s], Active: status == string(s)})
	}
	list, total, err := a.cfg.DB.FindComments(ctx, store.CommentFilter{Status: content.CommentStatus(status),
		Limit: commentsPerPage, Offset: (page - 1) * commentsPerPage})
	if err != nil {
		return err
	}
	ids := make([]int64, 0, len(list))
	for _, c := range list {
		ids = append(ids, c.PostID)
	}
	posts, err := a.cfg.DB.FindPostsByIDs(ctx, ids)
	if err != nil {
		return err
	}
	byID := map[int64]*content.Post{}
	for _, p := range posts {
		byID[p.ID] = p
	}
	for _, c := range list {
		p.Comments = append(p.Comments, &ModeratedComment{Comment: c, Post: byID[c.PostID]})
	}
	link := func(n int) string {
		v := url.Values{"page": {strconv.Itoa(n)}}
		if status != "" {
			v.Set("status", status)
		}
		return "/admin/comments?" + v.Encode()
	}
	if page > 1 {
		p.Newer = link(page - 1)
	}
	if page*commentsPerPage < total {
		p.Older = link(page + 1)
	}
	return a.render(w, "comments", p)
}

func commentStatusLabel(s content.CommentStatus) string {
	switch s {
	case content.CommentPending:
		return "Pending"
	case content.CommentApproved:
		return "Approved"
	case content.CommentSpam:
		return "Spam"
	}
	return "Trash"
}

func commentID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, content.Errorf(content.ENotFound, "There is no comment %q.", r.PathValue("id"))
	}
	return id, nil
}

// back returns to the list the form was sent from, with a note.
func commentsBack(w http.ResponseWriter, r *http.Request, flash string) {
	target := "/admin/comments"
	if s := r.PostFormValue("from"); s != "" && content.CommentStatus(s).Valid() {
		target += "?status=" + s + "&"
	} else {
		target += "?"
	}
	http.Redirect(w, r, target+"flash="+url.QueryEscape(flash), http.StatusSeeOther)
}

func (a *Admin) moderateComment(w http.ResponseWriter, r *http.Request, u *content.User) error {
	if err := canModerate(u); err != nil {
		return err
	}
	id, err := commentID(r)
	if err != nil {
		return err
	}
	status := content.CommentStatus(r.PostFormValue("status"))
	var c *content.Comment
	if err := a.cfg.DB.Update(r.Context(), func(tx *store.Tx) error {
		c, err = tx.SetCommentStatus(r.Context(), id, status)
		return err
	}); err != nil {
		return err
	}
	commentsBack(w, r, fmt.Sprintf("The comment by %s is now %s.", c.Author, strings.ToLower(commentStatusLabel(c.Status))))
	return nil
}

// replyToComment answers a comment as the signed-in editor: the reply is
// approved at once, and so is the comment answered, as WordPress does.
func (a *Admin) replyToComment(w http.ResponseWriter, r *http.Request, u *content.User) error {
	if err := canModerate(u); err != nil {
		return err
	}
	id, err := commentID(r)
	if err != nil {
		return err
	}
	text := strings.TrimSpace(r.PostFormValue("reply"))
	if text == "" {
		return content.FieldError("reply", "Write a reply before sending it.")
	}
	if len(text) > content.MaxCommentBytes {
		return content.FieldError("reply", "The reply is longer than 16 KB; shorten it.")
	}
	var parent *content.Comment
	if err := a.cfg.DB.Update(r.Context(), func(tx *store.Tx) error {
		if parent, err = tx.SetCommentStatus(r.Context(), id, content.CommentApproved); err != nil {
			return err
		}
		reply := &content.Comment{PostID: parent.PostID, ParentID: parent.ID, Author: u.Name, Email: u.Email, UserID: u.ID,
			HTML: markup.CommentText(text), Status: content.CommentApproved}
		return tx.CreateComment(r.Context(), reply)
	}); err != nil {
		return err
	}
	commentsBack(w, r, fmt.Sprintf("Replied to %s; both comments are approved.", parent.Author))
	return nil
}
