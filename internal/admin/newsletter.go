package admin

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/newsletter"
	"github.com/broadsheet/broadsheet/internal/store"
)

// subscribersPerPage is how many subscribers the newsletter page lists at once.
const subscribersPerPage = 50

// maxListBytes bounds an imported subscriber list.
const maxListBytes = 32 << 20

func (a *Admin) newsletterRoutes(mux *http.ServeMux) {
	mux.Handle("GET /admin/newsletter", a.page(a.newsletter))
	mux.Handle("GET /admin/newsletter/export", a.page(a.exportSubscribers))
	mux.Handle("POST /admin/newsletter/import", a.page(a.importSubscribers))
	mux.Handle("POST /admin/newsletter/test", a.page(a.testSend))
	mux.Handle("GET /admin/newsletter/preview", a.page(a.previewMail))
}

// NewsletterPage is the newsletter's page: whether mail can be sent and
// through which server, counts, the subscribers (searched, by status),
// import and export, a preview and a test send.
type NewsletterPage struct {
	Layout
	// On is set when serve was given a mail server (--smtp).
	On     bool
	Server string // without its password
	From   string
	Rate   float64
	// NoBaseURL: messages need the site's address (--base-url) to be sent.
	NoBaseURL bool

	Counts      map[content.SubscriberStatus]int
	Sends       map[string]int
	Statuses    []content.SubscriberStatus
	Formats     []string
	Query       string
	Status      content.SubscriberStatus
	Subscribers []*content.Subscriber
	Total       int
	Page, Pages int
	Prev, Next  string
	Posts       []*content.Post // to preview or test
	Problems    []newsletter.Problem
	TestTo      string
}

func (a *Admin) newsletterAdmin(u *content.User) error {
	if !u.CanManageSettings() {
		return content.Errorf(content.EForbidden, "Only an admin may manage the newsletter.")
	}
	return nil
}

func (a *Admin) newsletter(w http.ResponseWriter, r *http.Request, u *content.User) error {
	return a.newsletterPage(w, r, u, http.StatusOK, NewsletterPage{})
}

// newsletterPage renders the page with p's notes (an import's problems, a
// form's mistake) and status.
func (a *Admin) newsletterPage(w http.ResponseWriter, r *http.Request, u *content.User, status int, p NewsletterPage) error {
	if err := a.newsletterAdmin(u); err != nil {
		return err
	}
	ctx := r.Context()
	p.Layout.Title, p.Layout.User, p.Layout.Section = "Newsletter", u, "newsletter"
	if p.Layout.Flash == "" {
		p.Layout.Flash = r.URL.Query().Get("flash")
	}
	if m := a.cfg.Mail; m != nil {
		p.On, p.Server, p.From, p.Rate = true, m.Server(), m.From(), m.Rate()
		p.NoBaseURL = a.cfg.BaseURL == ""
	}
	p.Statuses, p.Formats = content.SubscriberStatuses, newsletter.ExportFormats
	q := r.URL.Query()
	p.Query, p.Status = strings.TrimSpace(q.Get("q")), content.SubscriberStatus(q.Get("status"))
	if p.Status != "" && !validStatus(p.Status) {
		return content.FieldError("status", "%q is not a subscriber's status: choose confirmed, pending, unsubscribed or bounced", p.Status)
	}
	p.Page = 1
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return content.FieldError("page", "page %q is not a page number", v)
		}
		p.Page = n
	}
	var err error
	if p.Counts, err = a.cfg.DB.CountSubscribers(ctx); err != nil {
		return err
	}
	if p.Sends, err = a.cfg.DB.SendCounts(ctx); err != nil {
		return err
	}
	if p.Subscribers, p.Total, err = a.cfg.DB.FindSubscribers(ctx, store.SubscriberFilter{Query: p.Query, Status: p.Status,
		Limit: subscribersPerPage, Offset: (p.Page - 1) * subscribersPerPage}); err != nil {
		return err
	}
	p.Pages = max(1, (p.Total+subscribersPerPage-1)/subscribersPerPage)
	link := func(page int) string {
		v := url.Values{}
		if p.Query != "" {
			v.Set("q", p.Query)
		}
		if p.Status != "" {
			v.Set("status", string(p.Status))
		}
		v.Set("page", strconv.Itoa(page))
		return "/admin/newsletter?" + v.Encode()
	}
	if p.Page > 1 {
		p.Prev = link(min(p.Page-1, p.Pages))
	}
	if p.Page < p.Pages {
		p.Next = link(p.Page + 1)
	}
	f := store.Published(a.cfg.DB.Now())
	f.Limit = 10
	if p.Posts, _, err = a.cfg.DB.FindPosts(ctx, f); err != nil {
		return err
	}
	if p.TestTo == "" {
		p.TestTo = u.Email
	}
	return a.tmpl.Render(w, status, "newsletter", p)
}

func validStatus(s content.SubscriberStatus) bool {
	for _, v := range content.SubscriberStatuses {
		if v == s {
			return true
		}
	}
	return false
}

// exportSubscribers writes every subscriber as a CSV another newsletter
// (Ghost, Substack, Mailchimp) imports.
func (a *Admin) exportSubscribers(w http.ResponseWriter, r *http.Request, u *content.User) error {
	if err := a.newsletterAdmin(u); err != nil {
		return err
	}
	format := r.URL.Query().Get("format")
	subs, _, err := a.cfg.DB.FindSubscribers(r.Context(), store.SubscriberFilter{})
	if err != nil {
		return err
	}
	var b strings.Builder
	if err := newsletter.WriteList(&b, format, subs); err != nil {
		return content.FieldError("format", "%s", err.Error())
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="subscribers-%s.csv"`, format))
	_, err = w.Write([]byte(b.String()))
	return err
}

// importSubscribers adds the subscribers of a list exported from Ghost,
// Substack or Mailchimp, as they stood there; addresses known already are
// left as they are, and rows that cannot be read are listed.
func (a *Admin) importSubscribers(w http.ResponseWriter, r *http.Request, u *content.User) error {
	if err := a.newsletterAdmin(u); err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxListBytes)
	refuse := func(msg string) error {
		return a.newsletterPage(w, r, u, http.StatusUnprocessableEntity, NewsletterPage{Layout: Layout{Error: msg, Field: "list"}})
	}
	file, _, err := r.FormFile("list")
	if err != nil {
		return refuse("Choose the CSV file of subscribers to import (at most 32 MB).")
	}
	defer file.Close()
	format, subs, problems, err := newsletter.ReadList(file)
	if err != nil {
		return refuse("The list was not imported: " + err.Error() + ".")
	}
	added, known := 0, 0
	if err := a.cfg.DB.Update(r.Context(), func(tx *store.Tx) error {
		added, known = 0, 0
		for _, s := range subs {
			ok, err := tx.ImportSubscriber(r.Context(), s)
			if err != nil {
				return err
			}
			if ok {
				added++
			} else {
				known++
			}
		}
		return nil
	}); err != nil {
		return err
	}
	flash := fmt.Sprintf("Imported a %s list: %d subscribers added, %d known already.", formatName(format), added, known)
	if len(problems) > 0 {
		flash += fmt.Sprintf(" %d rows were not imported:", len(problems))
		return a.newsletterPage(w, r, u, http.StatusOK, NewsletterPage{Layout: Layout{Flash: flash}, Problems: problems})
	}
	http.Redirect(w, r, "/admin/newsletter?flash="+url.QueryEscape(flash), http.StatusSeeOther)
	return nil
}

func formatName(f string) string {
	switch f {
	case newsletter.FormatGhost:
		return "Ghost"
	case newsletter.FormatSubstack:
		return "Substack"
	case newsletter.FormatMailchimp:
		return "Mailchimp"
	}
	return "CSV"
}

// postParam reads the post to preview or test.
func postParam(v string) (int64, error) {
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, content.FieldError("post", "choose a published post (%q is none)", v)
	}
	return id, nil
}

// testSend mails a post's message to one address, as a subscriber of every
// story would get it; nobody is subscribed by it.
func (a *Admin) testSend(w http.ResponseWriter, r *http.Request, u *content.User) error {
	if err := a.newsletterAdmin(u); err != nil {
		return err
	}
	to := strings.TrimSpace(r.PostFormValue("to"))
	err := func() error {
		if a.cfg.Newsletter == nil || !a.cfg.Newsletter.On() {
			return content.Errorf(content.EInvalid, "The newsletter is off: start the server with --smtp to send.")
		}
		addr, err := content.NormalizeEmail(to)
		if err != nil {
			return err
		}
		id, err := postParam(r.PostFormValue("post"))
		if err != nil {
			return err
		}
		m, err := a.cfg.Newsletter.Preview(r.Context(), a.siteURL(r), id, addr)
		if err != nil {
			return err
		}
		m.Subject = "[Test] " + m.Subject
		if err := a.cfg.Mail.Send(r.Context(), m); err != nil {
			return content.Errorf(content.EInvalid, "The test was not sent: %v", err)
		}
		return nil
	}()
	if err != nil {
		msg, field, unexpected := errorFor(err)
		if unexpected != nil {
			return unexpected
		}
		if field == "" {
			field = "to"
		}
		return a.newsletterPage(w, r, u, statusFor(err), NewsletterPage{Layout: Layout{Error: msg, Field: field}, TestTo: to})
	}
	http.Redirect(w, r, "/admin/newsletter?flash="+url.QueryEscape("A test was mailed to "+to+"."), http.StatusSeeOther)
	return nil
}

// previewMail shows the message a post makes, in HTML (as a mail program
// shows it, in a sandbox: no script, no form, nothing fetched but images)
// or as plain text.
func (a *Admin) previewMail(w http.ResponseWriter, r *http.Request, u *content.User) error {
	if err := a.newsletterAdmin(u); err != nil {
		return err
	}
	if a.cfg.Newsletter == nil || !a.cfg.Newsletter.On() {
		return content.Errorf(content.EInvalid, "The newsletter is off: start the server with --smtp to preview its messages.")
	}
	id, err := postParam(r.URL.Query().Get("post"))
	if err != nil {
		return err
	}
	m, err := a.cfg.Newsletter.Preview(r.Context(), a.siteURL(r), id, u.Email)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("format") == "text" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, err = w.Write([]byte("Subject: " + m.Subject + "\n\n" + m.Text))
		return err
	}
	// A message's styles are inline, as mail programs need them; this one
	// page allows inline styles, inside a sandbox that runs nothing.
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src https: http: data:; sandbox")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, err = w.Write([]byte(m.HTML))
	return err
}
