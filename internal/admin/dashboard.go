package admin

import (
	"net/http"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
)

// dashboardRows is how many entries each of the dashboard's lists shows.
const dashboardRows = 5

// DashboardPage is the admin's front page: what waits for the user.
type DashboardPage struct {
	Layout
	Counts    map[string]int  // entries by status
	Drafts    []*content.Post // the user's own, or everyone's for editors, last edited first
	Pending   []*content.Post // waiting for review
	Scheduled []*content.Post // next to go out first
	Recent    []*content.Post // the latest published
	// The source desk, for those who work it.
	Desk     bool
	NewItems []*content.Item
	NewTotal int
	Failing  []*content.Outlet
	// Comments counts comments by status, for those who moderate them;
	// nil for others.
	Comments map[string]int
}

// dashboard shows the drafts, posts waiting for review, scheduled posts,
// new inbox items, failing sources and recent posts. Its statements are
// a fixed number, however many posts there are.
func (a *Admin) dashboard(w http.ResponseWriter, r *http.Request, u *content.User) error {
	ctx := r.Context()
	mine := int64(0)
	if !u.CanEditOthers() {
		mine = u.ID
	}
	p := DashboardPage{Layout: Layout{Title: "Dashboard", User: u, Section: "dashboard", Flash: r.URL.Query().Get("flash")}}
	counts, err := a.cfg.DB.CountEntriesByStatus(ctx, content.KindPost, mine)
	if err != nil {
		return err
	}
	p.Counts = map[string]int{}
	for s, n := range counts {
		p.Counts[string(s)] = n
	}
	for _, l := range []struct {
		dst *[]*content.Post
		f   store.EntryFilter
	}{
		{&p.Drafts, store.EntryFilter{Status: content.StatusDraft, Sort: "modified"}},
		{&p.Pending, store.EntryFilter{Status: content.StatusPending, Sort: "modified"}},
		{&p.Scheduled, store.EntryFilter{Status: content.StatusScheduled, Sort: "date", Asc: true}},
		{&p.Recent, store.EntryFilter{Status: content.StatusPublished, Sort: "date"}},
	} {
		l.f.Kind, l.f.AuthorID, l.f.Limit = content.KindPost, mine, dashboardRows
		if *l.dst, _, err = a.cfg.DB.FindEntries(ctx, l.f); err != nil {
			return err
		}
	}
	if u.CanEditOthers() {
		counts, err := a.cfg.DB.CountCommentsByStatus(ctx)
		if err != nil {
			return err
		}
		p.Comments = map[string]int{}
		for _, s := range content.CommentStatuses {
			p.Comments[string(s)] = counts[s]
		}
	}
	if u.CanManageSources() {
		p.Desk = true
		if p.NewItems, p.NewTotal, err = a.cfg.DB.FindItems(ctx, store.ItemFilter{States: []content.ItemState{content.ItemNew},
			Limit: dashboardRows}); err != nil {
			return err
		}
		outlets, err := a.cfg.DB.FindOutlets(ctx)
		if err != nil {
			return err
		}
		for _, o := range outlets {
			if o.LastError != "" {
				p.Failing = append(p.Failing, o)
			}
		}
	}
	return a.render(w, "dashboard", p)
}
