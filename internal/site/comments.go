package site

import (
	"errors"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/markup"
	"github.com/broadsheet/broadsheet/internal/site/feed"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/web"
)

// Readers' comments. The post's page, comment form included, is the same
// for every reader, so the page cache keeps it: the form carries no token.
// Forms sent from another site are refused by the browser's own word
// (http.CrossOriginProtection: Sec-Fetch-Site, else Origin), as the
// admin's are. A comment waits for moderation; a hidden field only robots
// fill marks theirs as spam; each client may send a few in a while.

// Comment rate limit: at most commentBurst comments per client within
// commentWindow.
const (
	commentBurst  = 5
	commentWindow = 10 * time.Minute
	// commentFormBytes bounds a comment form's body.
	commentFormBytes = 64 << 10
	// honeypotField is the form field people never see nor fill.
	honeypotField = "homepage"
)

// CommentsFeedPath is the address of the site's comments feed; a post's
// is CommentsFeedPath + its id + "/".
const CommentsFeedPath = "/comments/feed/"

// PostCommentsFeedPath is the address of the feed of one post's comments.
func PostCommentsFeedPath(postID int64) string {
	return CommentsFeedPath + strconv.FormatInt(postID, 10) + "/"
}

func (s *Site) commentRoutes(mux *http.ServeMux) {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.errorPage(w, r, http.StatusForbidden, "This comment was sent from another site, so it was refused. Write it on the post's own page.")
	}))
	mux.Handle("POST /comments/{$}", cop.Handler(noStore(s.adapt.Handle(s.sendComment))))
	mux.Handle("GET /comments/new/{$}", noStore(s.adapt.Handle(s.commentForm)))
	mux.Handle("GET /comments/sent/{$}", noStore(s.adapt.Handle(s.commentSent)))
	mux.Handle("GET "+CommentsFeedPath+"{$}", s.adapt.Handle(s.commentsFeed))
	mux.Handle("GET "+CommentsFeedPath+"{id}/{$}", s.adapt.Handle(s.commentsFeed))
}

func noStore(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}

// Comments is what the theme's "comments" template shows under a post:
// its approved comments in threads, and the form to write one.
type Comments struct {
	Post    *content.Post
	Threads []*ThreadComment
	Count   int
	FeedURL string
	// Form is nil on an entry closed to comments, and on a site rendered
	// once as files (a static export), which takes no comments and has
	// no comment feeds.
	Form *CommentForm
	// Closed says the entry takes no more comments.
	Closed bool
}

// CommentForm is the comment form, empty or as a reader sent it back
// with a mistake.
type CommentForm struct {
	PostID, ParentID   int64
	Author, Email, URL string
	Text               string
	Error, Field       string
	// ReplyTo is the comment answered, shown above the form.
	ReplyTo *content.Comment
}

// ThreadComment is a comment as a post's page shows it, in its thread.
type ThreadComment struct {
	*content.Comment
	Children []*ThreadComment
	// Open is true when readers may answer it: its entry takes comments.
	Open bool
}

// threadOf wraps the threads list (content.Thread's).
func threadOf(list []*content.Comment, open bool) []*ThreadComment {
	if len(list) == 0 {
		return nil
	}
	out := make([]*ThreadComment, len(list))
	for i, c := range list {
		out[i] = &ThreadComment{Comment: c, Children: threadOf(c.Children, open), Open: open}
	}
	return out
}

// Comments returns the entry's comments and form, or nil when comments
// are off. An entry closed to comments (content.Post.CommentsClosed)
// shows those it has, with neither form nor reply links, and nothing
// when it has none. They are read when first asked for; the page cache
// keeps the page until a comment on the entry changes.
func (p *PostPage) Comments() (*Comments, error) {
	e := p.entry
	if !p.Site.CommentsEnabled || (e.post.Kind != content.KindPost && e.post.Kind != content.KindPage) {
		return nil, nil
	}
	list, n, err := e.s.cfg.DB.FindComments(e.ctx, store.CommentFilter{PostID: e.post.ID, Status: content.CommentApproved, Oldest: true})
	if err != nil {
		return nil, err
	}
	if e.post.CommentsClosed && n == 0 {
		return nil, nil
	}
	open := !e.post.CommentsClosed && !e.s.cfg.RenderOnce
	c := &Comments{Post: e.post, Threads: threadOf(content.Thread(list), open), Count: n, Closed: e.post.CommentsClosed}
	if open {
		c.Form = &CommentForm{PostID: e.post.ID}
		if e.post.Kind == content.KindPost {
			c.FeedURL = PostCommentsFeedPath(e.post.ID)
		}
	}
	return c, nil
}

// CommentPage is the page of the comment form on its own: to reply to a
// comment, to correct a comment sent back, or to say one was received.
type CommentPage struct {
	Layout
	Post *content.Post
	Form CommentForm
	Sent bool
}

// commentPost returns the public post a comment form names, or an error
// a reader can act on.
func (s *Site) commentPost(r *http.Request, id string) (*content.Post, content.Settings, error) {
	set, err := s.settings(r.Context())
	if err != nil {
		return nil, set, err
	}
	if !set.CommentsEnabled {
		return nil, set, content.Errorf(content.EForbidden, "Comments are closed on this site.")
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return nil, set, content.Errorf(content.ENotFound, "There is no post %q to comment on.", id)
	}
	p, err := s.cfg.DB.FindPostByID(r.Context(), n)
	if err != nil {
		return nil, set, err
	}
	if !p.IsPublic(s.cfg.Now()) || (p.Kind != content.KindPost && p.Kind != content.KindPage) {
		return nil, set, content.Errorf(content.ENotFound, "There is no post %d to comment on.", n)
	}
	if p.CommentsClosed {
		return nil, set, content.Errorf(content.EForbidden, "Comments are closed on %q.", p.Title)
	}
	return p, set, nil
}

func (s *Site) renderCommentPage(w http.ResponseWriter, r *http.Request, status int, page *CommentPage) error {
	layout, err := s.layout(r.Context(), "comment")
	if err != nil {
		return err
	}
	title := "Comment on " + page.Post.Title
	if page.Sent {
		title = "Thank you for your comment"
	}
	layout.Head.Title = joinTitle(title, layout.Site.Title)
	layout.Head.NoIndex = true
	page.Layout = layout
	return s.tmpl.Render(w, status, "comment", page)
}

// commentForm serves /comments/new/?post=ID&reply=ID: the form alone, to
// reply to a comment.
func (s *Site) commentForm(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p, _, err := s.commentPost(r, q.Get("post"))
	if err != nil {
		return err
	}
	form := CommentForm{PostID: p.ID}
	if reply := q.Get("reply"); reply != "" {
		c, err := s.repliedTo(r, p, reply)
		if err != nil {
			return err
		}
		form.ParentID, form.ReplyTo = c.ID, c
	}
	return s.renderCommentPage(w, r, http.StatusOK, &CommentPage{Post: p, Form: form})
}

// repliedTo returns the approved comment on p a reply answers.
func (s *Site) repliedTo(r *http.Request, p *content.Post, id string) (*content.Comment, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err == nil {
		c, err := s.cfg.DB.FindComment(r.Context(), n)
		if err == nil && c.PostID == p.ID && c.Status == content.CommentApproved {
			return c, nil
		}
		if err != nil && !content.IsNotFound(err) {
			return nil, err
		}
	}
	return nil, content.Errorf(content.ENotFound, "There is no comment %q on this post to reply to.", id)
}

// commentSent serves /comments/sent/?post=ID, where a reader lands after
// sending a comment.
func (s *Site) commentSent(w http.ResponseWriter, r *http.Request) error {
	p, _, err := s.commentPost(r, r.URL.Query().Get("post"))
	if err != nil {
		return err
	}
	return s.renderCommentPage(w, r, http.StatusOK, &CommentPage{Post: p, Sent: true})
}

// sendComment takes a reader's comment: kept pending for moderation, or
// the form sent back with what to correct.
func (s *Site) sendComment(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, commentFormBytes)
	if err := r.ParseForm(); err != nil {
		return &web.HTTPError{Status: http.StatusRequestEntityTooLarge,
			Message: "The comment is too long to send. Shorten it and send it again."}
	}
	p, _, err := s.commentPost(r, r.PostForm.Get("post_id"))
	if err != nil {
		return err
	}
	form := CommentForm{PostID: p.ID, Author: strings.TrimSpace(r.PostForm.Get("author")),
		Email: strings.TrimSpace(r.PostForm.Get("email")), URL: strings.TrimSpace(r.PostForm.Get("url")),
		Text: strings.TrimSpace(r.PostForm.Get("comment"))}
	back := func(status int, field, msg string) error {
		form.Field, form.Error = field, msg
		return s.renderCommentPage(w, r, status, &CommentPage{Post: p, Form: form})
	}
	if parent := r.PostForm.Get("parent_id"); parent != "" && parent != "0" {
		c, err := s.repliedTo(r, p, parent)
		if err != nil {
			return back(http.StatusBadRequest, "comment", content.ErrorMessage(err))
		}
		form.ParentID, form.ReplyTo = c.ID, c
	}
	client := web.ClientOf(r).Addr
	if s.commentLimit.full(client, s.cfg.Now()) {
		w.Header().Set("Retry-After", strconv.Itoa(int(commentWindow.Seconds())))
		return back(http.StatusTooManyRequests, "comment",
			"You have sent several comments in the last few minutes. Wait a few minutes, then send this one again.")
	}
	if form.Text == "" {
		return back(http.StatusBadRequest, "comment", "Write a comment before sending it.")
	}
	if len(form.Text) > content.MaxCommentBytes {
		return back(http.StatusBadRequest, "comment", "The comment is longer than 16 KB; shorten it.")
	}
	site := form.URL
	if site != "" && !strings.Contains(site, "://") {
		site = "https://" + site
	}
	c := &content.Comment{PostID: p.ID, ParentID: form.ParentID, Author: form.Author, Email: form.Email, URL: site,
		HTML: markup.CommentText(form.Text), Status: content.CommentPending}
	if client.IsValid() {
		c.IP = client.String()
	}
	if r.PostForm.Get(honeypotField) != "" {
		// Only a robot fills a field no one sees: kept as spam, for the
		// moderators to look at if they wish, and thanked as anyone.
		c.Status = content.CommentSpam
	}
	err = s.cfg.DB.Update(r.Context(), func(tx *store.Tx) error { return tx.CreateComment(r.Context(), c) })
	var ce *content.Error
	if errors.As(err, &ce) && ce.Code == content.EInvalid {
		field := ce.Field
		if field == "content" {
			field = "comment"
		}
		return back(http.StatusBadRequest, field, ce.Error())
	}
	if err != nil {
		return err
	}
	s.commentLimit.add(client, s.cfg.Now())
	http.Redirect(w, r, "/comments/sent/?post="+strconv.FormatInt(p.ID, 10), http.StatusSeeOther)
	return nil
}

// rateLimit counts what each client did within a window: the comments
// it sent, not the forms sent back for a mistake.
type rateLimit struct {
	mu     sync.Mutex
	recent map[netip.Addr][]time.Time
}

// maxLimited bounds the clients remembered; past it the oldest memories
// are forgotten together.
const maxLimited = 10000

// recent returns a's times within the window before now, forgetting
// older ones; l.mu is held.
func (l *rateLimit) recentOf(a netip.Addr, now time.Time) []time.Time {
	if l.recent == nil {
		l.recent = map[netip.Addr][]time.Time{}
	}
	kept := l.recent[a][:0]
	for _, t := range l.recent[a] {
		if now.Sub(t) < commentWindow {
			kept = append(kept, t)
		}
	}
	if len(kept) == 0 {
		delete(l.recent, a)
		return nil
	}
	l.recent[a] = kept
	return kept
}

// full reports whether a client has done all it may within the window.
func (l *rateLimit) full(a netip.Addr, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.recentOf(a, now)) >= commentBurst
}

// add counts what a client did at now.
func (l *rateLimit) add(a netip.Addr, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.recent) >= maxLimited {
		l.recent = nil // past the bound, every memory goes at once
	}
	l.recent[a] = append(l.recentOf(a, now), now)
}

// commentsFeed serves the latest approved comments of the site, or of one
// post, as RSS.
func (s *Site) commentsFeed(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	set, err := s.settings(ctx)
	if err != nil {
		return err
	}
	if !set.CommentsEnabled {
		return web.NotFound
	}
	base := s.baseURL(r)
	now := s.cfg.Now()
	f := store.CommentFilter{Status: content.CommentApproved, Public: true, Now: now, Limit: set.FeedItems}
	self, home, title := CommentsFeedPath, "/", "Comments on "+set.Title
	var post *content.Post
	if id := r.PathValue("id"); id != "" {
		p, _, err := s.commentPost(r, id)
		if err != nil {
			return err
		}
		post, f.PostID = p, p.ID
		self, home, title = PostCommentsFeedPath(p.ID), p.Path(), "Comments on “"+p.Title+"”"
	}
	list, _, err := s.cfg.DB.FindComments(ctx, f)
	if err != nil {
		return err
	}
	posts := map[int64]*content.Post{}
	if post != nil {
		posts[post.ID] = post
	} else {
		var ids []int64
		for _, c := range list {
			ids = append(ids, c.PostID)
		}
		found, err := s.cfg.DB.FindPostsByIDs(ctx, ids)
		if err != nil {
			return err
		}
		for _, p := range found {
			posts[p.ID] = p
		}
	}
	fd := &feed.Feed{Title: title, Description: set.Description, Language: set.Language, HomeURL: base + home,
		RSSURL: base + self, Publisher: set.Title, Updated: time.Unix(0, 0).UTC()}
	for _, c := range list {
		p := posts[c.PostID]
		if p == nil {
			continue
		}
		link := base + p.Path() + "#" + c.Anchor()
		it := feed.Item{ID: link, IDIsURL: true, URL: link, Title: "By " + c.Author, Published: c.CreatedAt, Updated: c.CreatedAt,
			ContentHTML: absolutize(c.HTML, link), Summary: markup.Text(c.HTML, 300),
			Authors: []feed.Person{{Name: c.Author, URL: c.URL}}}
		if post == nil {
			it.Title = "Comment on “" + p.Title + "” by " + c.Author
		}
		if c.CreatedAt.After(fd.Updated) {
			fd.Updated = c.CreatedAt
		}
		fd.Items = append(fd.Items, it)
	}
	doc, err := feed.RSS(fd)
	if err != nil {
		return err
	}
	serveConditional(w, r, doc.Parts(), feed.TypeRSS, fd.Updated)
	return nil
}

// replyURL is the address of the form that answers comment c; "" for a
// pingback, on an entry closed to comments, and on a site rendered once
// as files, which takes no comments.
func (s *Site) replyURL(c *ThreadComment) string {
	if c.Kind != "" || !c.Open || s.cfg.RenderOnce {
		return ""
	}
	return "/comments/new/?" + url.Values{"post": {strconv.FormatInt(c.PostID, 10)}, "reply": {strconv.FormatInt(c.ID, 10)}}.Encode()
}

// postCommentsFeed returns the address of the comments feed of the post
// whose address, or old address kept by an import, path is with "feed/"
// added, as WordPress has it; "" for any other path, and while comments
// are off.
func (s *Site) postCommentsFeed(r *http.Request, path string) (string, error) {
	prefix, ok := strings.CutSuffix(path, "/feed/")
	if !ok || prefix == "" {
		return "", nil
	}
	prefix += "/"
	ctx := r.Context()
	var p *content.Post
	if rt, ok := parseAddress(prefix); ok && rt.kind == PostAddress {
		found, err := s.cfg.DB.FindPostBySlug(ctx, content.KindPost, rt.slug)
		if err != nil && !content.IsNotFound(err) {
			return "", err
		}
		if err == nil && found.Path() == prefix {
			p = found
		}
	}
	if p == nil {
		a, err := s.cfg.DB.FindAlias(ctx, prefix)
		if content.IsNotFound(err) || (err == nil && a.PostID == 0) {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		if p, err = s.cfg.DB.FindPostByID(ctx, a.PostID); err != nil {
			return "", err
		}
	}
	set, err := s.settings(ctx)
	if err != nil {
		return "", err
	}
	if !set.CommentsEnabled || p.Kind != content.KindPost || !p.IsPublic(s.cfg.Now()) {
		return "", nil
	}
	return PostCommentsFeedPath(p.ID), nil
}
